/**
 * `npm run redrive` end to end on the embedded runtime: the runtime's processor reaches the database
 * through a proxy that fails every call, so each batch of a replay exhausts its retries and lands in
 * `dead-letters.ndjson`; then the redrive (the CLI, as a child process, with the runtime's own
 * environment: the fault removed) re-reads the records from the stream and stores them. The aggregates
 * must equal the independent expectation from the CSV, every record be archived once, and the pointers
 * be gone. Pointers whose records the stream does not hold are reported, kept, and fail the run.
 */
import { spawn } from 'node:child_process';
import { appendFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListShardsCommand } from '@aws-sdk/client-kinesis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { projectPath } from '../../lib/project-paths.js';
import { dataApiError, type FaultProxy, startFaultProxy } from '../../local/chaos/fault-proxy.js';
import { DeadLetterFile } from '../../local/dead-letter-file.js';
import type { FailedBatchRecord } from '../../local/event-source-mapping.js';
import { writeRuntimeFile } from '../../local/runtime-file.js';
import { archivedLines } from '../support/archive-reader.js';
import { expectScenarioAggregates, sampleScenario } from '../support/scenario.js';
import { startTestRuntime, type TestRuntime } from '../support/test-runtime.js';

const TSX = projectPath('node_modules', '.bin', 'tsx');

let runtime: TestRuntime;
let proxy: FaultProxy;
let dir: string;
let deadLetters: DeadLetterFile;

beforeAll(async () => {
  // Every batch fails here by design: the processor's error log of each attempt is no news.
  vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'SILENT');
  dir = await mkdtemp(join(tmpdir(), 'redrive-'));
  // No upstream is ever reached: every call is answered with the fault.
  proxy = await startFaultProxy('http://127.0.0.1:9');
  proxy.inject({
    name: 'the database is unavailable',
    match: () => true,
    fault: { kind: 'respond', response: dataApiError(503, 'ServiceUnavailableError') },
    times: Number.POSITIVE_INFINITY,
  });
  runtime = await startTestRuntime({
    mapping: { batchSize: 50, maxBatchingWindowSeconds: 0.2, maxRetryAttempts: 1, retryBackoffMs: 10 },
    processorEnv: { AWS_ENDPOINT_URL_RDS_DATA: proxy.url },
  });
  deadLetters = new DeadLetterFile(runtime.deadLetterPath);
  // As `npm start` does: how other commands find the runtime (this process serves it).
  await writeRuntimeFile(runtime.dataDir, { pid: process.pid, apiUrl: runtime.apiUrl, env: runtime.env });
});

afterAll(async () => {
  await runtime?.stop();
  await proxy?.close();
  await rm(dir, { recursive: true, force: true });
  vi.unstubAllEnvs();
});

/** Runs `npm run redrive` on the runtime's data dir; resolves with its exit code and output. */
function runRedrive(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(TSX, [projectPath('scripts', 'redrive.ts'), '--data-dir', runtime.dataDir, ...args], {
    cwd: projectPath(),
    env: { ...process.env, FORCE_COLOR: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => {
    stdout += String(chunk);
  });
  child.stderr.on('data', (chunk) => {
    stderr += String(chunk);
  });
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr })));
}

const pointersIn = async (): Promise<FailedBatchRecord[]> =>
  (await deadLetters.lines()).map((line) => JSON.parse(line) as FailedBatchRecord);

describe('npm run redrive on the embedded runtime', () => {
  it('recovers the batches the processor gave up on: exact aggregates, each record archived once, no pointer left', async () => {
    // One scenario as the producer sends by default (commits packed into aggregated records), one
    // record per commit: the pointers name stream records either way.
    const packed = sampleScenario('redrive-packed', ['person_1', 'person_2'], dir);
    const plain = sampleScenario('redrive-plain', ['person_3', 'person_4'], dir);
    await runtime.replay(packed.csvPath);
    await runtime.replay(plain.csvPath, { aggregate: false });
    const scenarios = [packed, plain];
    const commits = packed.records.length + plain.records.length;

    // Prepare: every batch went to the dead letters, nothing of either scenario is stored.
    const pointers = await pointersIn();
    expect(pointers.length).toBeGreaterThan(2);
    for (const scenario of scenarios) {
      const [author] = scenario.expected.authors.keys();
      expect((await runtime.get(`stats/authors/${encodeURIComponent(author ?? '')}`)).status).toBe(404);
    }

    const run = await runRedrive();

    expect(run.stderr).toMatch(new RegExp(`${pointers.length} failure pointers to redrive`));
    expect(run.stderr).toMatch(
      new RegExp(`\\[${pointers.length}/${pointers.length}\\] .*recovered, pointer removed`),
    );
    expect(run.stdout).toMatch(
      new RegExp(
        `${pointers.length} pointers, ${pointers.length} recovered, 0 with records no longer in the stream`,
      ),
    );
    expect(run.stdout).toMatch(new RegExp(`${commits} commits stored, 0 duplicates skipped`));
    expect(run.code).toBe(0);
    const archived = (await archivedLines<{ commitId: string }>(runtime.s3, runtime.bucketName, 'raw/')).map(
      (line) => line.commitId,
    );
    for (const scenario of scenarios) {
      await expectScenarioAggregates(runtime, scenario);
      expect(archived.filter((id) => id.startsWith(`${scenario.name}:`)).sort()).toEqual(
        scenario.records.map((record) => record.commitId).sort(),
      );
    }
    expect(await deadLetters.lines()).toEqual([]);
  });

  it('has nothing to do a second time', async () => {
    const run = await runRedrive();
    expect(run.stdout).toMatch(/no failure pointers, nothing to do/);
    expect(run.code).toBe(0);
  });

  it('reports pointers whose records the stream does not hold, keeps them, and exits non-zero', async () => {
    // A pointer past the end of a real shard, and a line that is no pointer at all.
    const { Shards = [] } = await runtime.kinesis.send(
      new ListShardsCommand({ StreamName: runtime.streamName }),
    );
    const start = BigInt(Shards[0]?.SequenceNumberRange?.StartingSequenceNumber ?? '0');
    const beyond = (start + 10n ** 9n).toString();
    const shardId = Shards[0]?.ShardId ?? '';
    await deadLetters.send(
      pointerTo(shardId, beyond, `arn:aws:kinesis:us-east-1:000000000000:stream/${runtime.streamName}`),
    );
    await appendFile(runtime.deadLetterPath, '{"KinesisBatchInfo": "not a pointer"}\n');
    const before = await deadLetters.lines();

    const run = await runRedrive();

    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(
      /2 pointers, 0 recovered, 1 with records no longer in the stream, 0 failed, 1 not readable/,
    );
    expect(run.stdout).toMatch(
      new RegExp(
        `line 1 \\(.*${beyond}.*\\): NOT RECOVERED: the stream no longer holds them: .*refuses ${beyond}`,
      ),
    );
    expect(run.stdout).toMatch(
      /line 2: NOT READ: not an on-failure record of a Kinesis batch: KinesisBatchInfo/,
    );
    expect(await deadLetters.lines()).toEqual(before);

    // Told to, it lets the expired pointer go (still reporting the loss); the unreadable line stays.
    const discarding = await runRedrive('--discard-expired');
    expect(discarding.code).toBe(1);
    expect(discarding.stdout).toMatch(/pointer discarded/);
    expect(await deadLetters.lines()).toEqual([before[1]]);
  });
});

/** A pointer as the local mapping writes it, to one record of a shard. */
function pointerTo(shardId: string, sequenceNumber: string, streamArn: string): FailedBatchRecord {
  const now = new Date().toISOString();
  return {
    version: '1.0',
    timestamp: now,
    requestContext: {
      functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:processor',
      condition: 'RetryAttemptsExhausted',
      approximateInvokeCount: 2,
    },
    responseContext: {},
    KinesisBatchInfo: {
      shardId,
      startSequenceNumber: sequenceNumber,
      endSequenceNumber: sequenceNumber,
      approximateArrivalOfFirstRecord: now,
      approximateArrivalOfLastRecord: now,
      batchSize: 1,
      streamArn,
    },
  };
}
