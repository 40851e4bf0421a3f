/**
 * Nothing lost on the producer's side: PutRecords throttled for a while, or for good; a request that
 * Kinesis refuses as a whole because of one entry; the replay process killed mid-file and run again.
 * The producer runs as the Lambda handler and the CLI run it (`createProducer`), against the real
 * Kinesis server behind a fault-injecting proxy, and the end state is checked against the
 * independent expectation.
 */
import { spawn } from 'node:child_process';
import { createReadStream, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createProducer } from '../../functions/producer/producer.js';
import { putWithRetries } from '../../functions/producer/put-with-retries.js';
import { FileRejectSink } from '../../functions/producer/reject-sinks.js';
import { createKinesisClient } from '../../functions/shared/adapters/aws-clients.js';
import { KinesisRecordPublisher } from '../../functions/shared/adapters/kinesis-record-publisher.js';
import { archivedLines } from '../support/archive-reader.js';
import { type FaultProxy, kinesisCall, kinesisError, startFaultProxy } from '../support/fault-proxy.js';
import { expectScenarioAggregates, sampleScenario } from '../support/scenario.js';
import { startTestRuntime, type TestRuntime } from '../support/test-runtime.js';

let runtime: TestRuntime;
let proxy: FaultProxy;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'faults-producer-'));
  runtime = await startTestRuntime();
  proxy = await startFaultProxy(runtime.env.AWS_ENDPOINT_URL_KINESIS ?? '');
});

afterAll(async () => {
  await proxy?.close();
  await runtime?.stop();
  await rm(dir, { recursive: true, force: true });
});

beforeEach(() => proxy.clear());

const throttled = {
  kind: 'respond',
  response: kinesisError(400, 'ProvisionedThroughputExceededException'),
} as const;

function producerThroughProxy() {
  return createProducer({ ...runtime.functionEnv, AWS_ENDPOINT_URL_KINESIS: proxy.url });
}

function rejectedRows(path: string): Array<{ reason: string; raw: string }> {
  return readFileSync(path, 'utf8')
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line) as { reason: string; raw: string });
}

describe('PutRecords throttled', () => {
  it('sends every record once the throttling stops, within the retry budget', async () => {
    const scenario = sampleScenario('throttled', ['person_44', 'person_45'], dir);
    const rule = proxy.inject({
      name: 'throttle',
      match: kinesisCall('PutRecords'),
      fault: throttled,
      times: 5,
    });

    const result = await producerThroughProxy().replay(
      createReadStream(scenario.csvPath),
      new FileRejectSink(join(dir, 'rejected'), scenario.csvPath),
    );
    await runtime.waitUntilProcessed({ timeoutMs: 60_000 });

    expect(rule.hits()).toBe(5);
    expect(result).toMatchObject({ sent: scenario.records.length, failed: 0 });
    await expectScenarioAggregates(runtime, scenario);
  });

  it('keeps every record it could not send, with its reason, when the throttling never stops', async () => {
    const scenario = sampleScenario('always-throttled', ['person_52'], dir);
    proxy.inject({ name: 'throttle', match: kinesisCall('PutRecords'), fault: throttled, times: 1_000 });
    const rejects = new FileRejectSink(join(dir, 'rejected'), scenario.csvPath);

    const result = await producerThroughProxy().replay(createReadStream(scenario.csvPath), rejects);
    const rejectsPath = rejects.location() ?? '';

    expect(result).toMatchObject({ read: scenario.records.length, sent: 0, failed: scenario.records.length });
    const kept = rejectedRows(rejectsPath);
    expect(kept.every((row) => row.reason === 'publish-failed')).toBe(true);
    expect(kept.map((row) => JSON.parse(row.raw).commitId).sort()).toEqual(
      scenario.records.map((record) => record.commitId).sort(),
    );
  }, 120_000);
});

describe('a request Kinesis refuses because of one entry', () => {
  it('costs only that entry: the others of the request are sent', async () => {
    const publisher = new KinesisRecordPublisher(
      createKinesisClient(runtime.env, { maxAttempts: 1 }),
      runtime.streamName,
    );
    const entries = ['ok-1', 'k'.repeat(300), 'ok-2', 'ok-3'].map((key) => ({
      partitionKey: key,
      data: Buffer.from(`{"key":"${key.slice(0, 8)}"}`),
    }));

    const report = await putWithRetries(publisher, entries, {
      maxAttempts: 3,
      backoffBaseMs: 1,
      backoffMaxMs: 5,
    });

    expect(report.sent).toBe(3);
    expect(report.failed).toEqual([
      { entry: entries[1], errorCode: 'ValidationException', refused: true, maybeStored: false },
    ]);
  });
});

describe('a replay killed mid-file', () => {
  it('run again, counts every commit once and archives each arrival once', async () => {
    const scenario = sampleScenario('killed', ['person_66', 'person_71', 'person_2', 'person_4'], dir);
    const replayScript = fileURLToPath(new URL('../../scripts/replay.ts', import.meta.url));
    // Slow enough to be killed mid-file: 100 records a second.
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', replayScript, '--csv', scenario.csvPath, '--rate', '100'],
      {
        env: { ...process.env, ...runtime.env, AWS_SDK_JS_SUPPRESS_NODE_DEPRECATION_WARNING: '1' },
        stdio: 'ignore',
      },
    );
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.once('exit', (_, signal) => resolve(signal)),
    );
    const deadline = Date.now() + 60_000;
    while (runtime.mapping.snapshot().delivered < 50 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    await runtime.waitUntilProcessed({ timeoutMs: 60_000 });
    const firstArrivals = (
      await archivedLines<{ commitId: string }>(runtime.s3, runtime.bucketName, 'raw/')
    ).filter((line) => line.commitId.startsWith('killed:')).length;

    const again = await runtime.replay(scenario.csvPath);

    expect(firstArrivals).toBeGreaterThan(0);
    expect(firstArrivals).toBeLessThan(scenario.records.length);
    expect(again.sent).toBe(scenario.records.length);
    await expectScenarioAggregates(runtime, scenario);
    const arrivals = (
      await archivedLines<{ commitId: string; ingestedAt: string }>(runtime.s3, runtime.bucketName, 'raw/')
    ).filter((line) => line.commitId.startsWith('killed:'));
    // Each arrival once: no (commit, reading) twice; every commit once or twice in all.
    const keys = arrivals.map((line) => `${line.commitId} ${line.ingestedAt}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(arrivals).toHaveLength(firstArrivals + scenario.records.length);
    const perCommit = new Map<string, number>();
    for (const { commitId } of arrivals) perCommit.set(commitId, (perCommit.get(commitId) ?? 0) + 1);
    expect([...perCommit.keys()].sort()).toEqual(scenario.records.map((record) => record.commitId).sort());
    expect([...perCommit.values()].every((count) => count === 1 || count === 2)).toBe(true);
  }, 180_000);
});
