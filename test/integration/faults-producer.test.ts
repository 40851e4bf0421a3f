/**
 * Nothing lost on the producer's side: PutRecords throttled for a while, or for good; a request that
 * Kinesis refuses as a whole because of one entry; Kinesis unreachable (connections refused or reset,
 * 5xx answers) for a while, or for longer than the producer waits; the replay process killed mid-file
 * and run again. The producer runs as the Lambda handler and as the CLI runs it (`replayCsv` over the
 * handler's `createProducerDeps`), against the real Kinesis server behind a fault-injecting proxy, and
 * the end state is checked against the independent expectation.
 */
import { spawn } from 'node:child_process';
import { createReadStream, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createProducerDeps, createProducerHandler } from '../../functions/producer/handler.js';
import { FileRejectSink, type RejectedRow, type RejectSink } from '../../functions/producer/reject-sinks.js';
import { type ProducerTunables, type ReplayCsvOptions, replayCsv } from '../../functions/producer/replay.js';
import { putWithRetries } from '../../functions/producer/stream-sender.js';
import { createKinesisClient } from '../../functions/shared/adapters/aws-clients.js';
import { KinesisRecordPublisher } from '../../functions/shared/adapters/kinesis-record-publisher.js';
import { settings } from '../../functions/shared/settings.js';
import {
  type Fault,
  type FaultProxy,
  kinesisCall,
  kinesisError,
  type ProxiedCall,
  startFaultProxy,
} from '../../local/chaos/fault-proxy.js';
import { replayFile } from '../../local/cli/replay-file.js';
import { archivedLines } from '../support/archive-reader.js';
import { lambdaContext } from '../support/deliver.js';
import { expectedAggregates } from '../support/expected-aggregates.js';
import { expectScenarioAggregates, type Scenario, sampleScenario } from '../support/scenario.js';
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

beforeEach(async () => {
  proxy.clear();
  if (proxy.down) await proxy.comeBack();
});

const throttled = {
  kind: 'respond',
  response: kinesisError(400, 'ProvisionedThroughputExceededException'),
} as const;

/** A replay as the CLI runs it (the handler's stream adapters), its Kinesis calls through the proxy. */
function replayThroughProxy(input: Readable, rejects: RejectSink, options?: ReplayCsvOptions) {
  const stream = createProducerDeps({ ...runtime.env, AWS_ENDPOINT_URL_KINESIS: proxy.url });
  return replayCsv(input, { ...stream, rejects }, options);
}

/** Waits of milliseconds instead of seconds, so that long outages fit a test. */
const quick: ProducerTunables = {
  ...settings.producer,
  putRetry: { ...settings.producer.putRetry, baseDelayMs: 5, maxDelayMs: 100 },
};

/** Every row of every reject list in a folder (none when it does not exist). */
function listedRows(dir: string): RejectedRow[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) =>
    readFileSync(join(dir, name), 'utf8')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as RejectedRow),
  );
}

/**
 * The aggregates equal the independent expectation over the scenario's CSV without the given lines:
 * every row counted but those, which no author holds.
 */
async function expectCountedAllBut(scenario: Scenario, lines: ReadonlySet<number>): Promise<void> {
  const kept = readFileSync(scenario.csvPath, 'utf8')
    .split('\n')
    .filter((_, index) => !lines.has(index + 1));
  const keptPath = `${scenario.csvPath}.counted.csv`;
  writeFileSync(keptPath, kept.join('\n'));
  const expected = expectedAggregates(keptPath);
  await expectScenarioAggregates(runtime, { ...scenario, expected });
  for (const author of scenario.expected.authors.keys()) {
    if (expected.authors.has(author)) continue;
    expect((await runtime.get(`stats/authors/${encodeURIComponent(author)}`)).status, author).toBe(404);
  }
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

    const result = await replayThroughProxy(
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

    const result = await replayThroughProxy(createReadStream(scenario.csvPath), rejects);
    const rejectsPath = rejects.location() ?? '';

    expect(result).toMatchObject({ read: scenario.records.length, sent: 0, failed: scenario.records.length });
    const kept = rejectedRows(rejectsPath);
    expect(kept.every((row) => row.reason === 'publish-failed')).toBe(true);
    expect(kept.map((row) => JSON.parse(row.raw).commitId).sort()).toEqual(
      scenario.records.map((record) => record.commitId).sort(),
    );
  }, 120_000);
});

describe('Kinesis unreachable', () => {
  it('mid-replay, its connections refused until it is back: the replay waits, then counts every row once and lists none', async () => {
    const scenario = sampleScenario('refused', ['person_10', 'person_11', 'person_12'], dir);
    // The second request finds the server gone: answers in flight are lost, new connections refused.
    proxy.inject({ name: 'die', match: kinesisCall('PutRecords'), fault: { kind: 'go-down' }, skip: 1 });
    const rejectsDir = join(dir, 'rejected-refused');
    const causes = new Set<string>();

    const result = await replayThroughProxy(
      createReadStream(scenario.csvPath),
      new FileRejectSink(rejectsDir, scenario.csvPath),
      {
        aggregate: false,
        producer: quick,
        onProgress: ({ waitingForStream }) => {
          if (!waitingForStream) return;
          causes.add(waitingForStream.cause);
          // Back once a refusal was waited through, as a restarted server on the same port.
          if (waitingForStream.cause === 'connection refused' && proxy.down) void proxy.comeBack();
        },
      },
    );
    await runtime.waitUntilProcessed({ timeoutMs: 60_000 });

    expect(causes).toContain('connection refused');
    expect(result).toMatchObject({ sent: scenario.records.length, failed: 0, rejected: 0 });
    expect(result.stopped).toBeUndefined();
    expect(listedRows(rejectsDir)).toEqual([]);
    await expectScenarioAggregates(runtime, scenario);
  }, 120_000);

  it.each<[string, Fault]>([
    ['resets every connection', { kind: 'reset' }],
    ['answers 503', { kind: 'respond', response: kinesisError(503, 'ServiceUnavailable') }],
    ['answers 500', { kind: 'respond', response: kinesisError(500, 'InternalFailure') }],
  ])(
    'that %s for three times the attempt budget is waited for: every row counted once, none listed',
    async (_, fault) => {
      const name = `away-${fault.kind}-${'response' in fault ? fault.response.status : ''}`;
      const scenario = sampleScenario(name, ['person_30', 'person_31'], dir);
      const rule = proxy.inject({
        name,
        match: kinesisCall('PutRecords'),
        fault,
        times: 3 * quick.putRetry.attempts,
      });
      const rejectsDir = join(dir, `rejected-${name}`);

      const result = await replayThroughProxy(
        createReadStream(scenario.csvPath),
        new FileRejectSink(rejectsDir, scenario.csvPath),
        { producer: quick },
      );
      await runtime.waitUntilProcessed({ timeoutMs: 60_000 });

      expect(rule.hits()).toBe(3 * quick.putRetry.attempts);
      expect(result).toMatchObject({ sent: scenario.records.length, failed: 0 });
      expect(listedRows(rejectsDir)).toEqual([]);
      await expectScenarioAggregates(runtime, scenario);
    },
    120_000,
  );

  it('past the wait, the replay stops naming the resume line; reruns from there and of the whole file count every row once and list none that is counted', async () => {
    const authors = Array.from({ length: 16 }, (_, i) => `person_${80 + i}`);
    // Authors of 10 commits: a row that failed and is counted later changes no flag.
    const scenario = sampleScenario('gone', authors, dir, { commitsPerAuthor: 10 });
    const rejectsDir = join(dir, 'rejected-gone');
    // The first request holding one author's commits is throttled for good (its rows are listed); the
    // eleventh of the others finds Kinesis gone.
    const throttledAuthor = (call: ProxiedCall) =>
      kinesisCall('PutRecords')(call) && call.body.includes('"PartitionKey":"gone:person_80#0"');
    proxy.inject({ name: 'throttle', match: throttledAuthor, fault: throttled, times: 2 });
    proxy.inject({ name: 'die', match: kinesisCall('PutRecords'), fault: { kind: 'go-down' }, skip: 10 });
    const tunables = {
      ...quick,
      putRetry: { ...quick.putRetry, attempts: 2 },
      maxRecordsPerRequest: 100,
      unreachableWaitSeconds: 1,
    };

    const first = await replayThroughProxy(
      createReadStream(scenario.csvPath),
      new FileRejectSink(rejectsDir, scenario.csvPath),
      { aggregate: false, producer: tunables },
    );

    const resume = first.stopped?.resumeFromLine ?? 0;
    expect(first.stopped?.reason).toMatch(/^Kinesis was unreachable for 1 s \(connection (refused|reset)\)$/);
    expect(resume).toBeGreaterThan(2);
    expect(first.read).toBeLessThan(scenario.records.length);
    const failedFirst = listedRows(rejectsDir);
    expect(failedFirst.length).toBe(first.failed);
    expect(failedFirst.length).toBeGreaterThan(0);
    expect(failedFirst.every((row) => row.reason === 'publish-failed' && row.line > 1)).toBe(true);

    // Kinesis is back; the rerun from the resume line goes the way `npm run replay -- --from-line` goes.
    await proxy.comeBack();
    const fromResume = await replayFile(scenario.csvPath, {
      streamName: runtime.streamName,
      env: runtime.env,
      rejectsDir,
      fromLine: resume,
      aggregate: false,
    });
    await runtime.waitUntilProcessed({ timeoutMs: 60_000 });

    expect(fromResume.stopped).toBeUndefined();
    expect(fromResume.failed).toBe(0);
    expect(fromResume.supersededRejects).toBe(failedFirst.filter((row) => row.line >= resume).length);
    const stillListed = listedRows(rejectsDir);
    expect(stillListed.every((row) => row.reason === 'publish-failed' && row.line < resume)).toBe(true);
    await expectCountedAllBut(scenario, new Set(stillListed.map((row) => row.line)));

    const whole = await replayFile(scenario.csvPath, {
      streamName: runtime.streamName,
      env: runtime.env,
      rejectsDir,
      aggregate: false,
    });
    await runtime.waitUntilProcessed({ timeoutMs: 60_000 });

    expect(whole).toMatchObject({
      sent: scenario.records.length,
      failed: 0,
      supersededRejects: stillListed.length,
    });
    expect(listedRows(rejectsDir)).toEqual([]);
    await expectScenarioAggregates(runtime, scenario);
  }, 180_000);
});

describe("the producer function's reject lists in the archive bucket", () => {
  it('are found by source: a rerun removes the rows it sent from the earlier list, which goes once empty', async () => {
    const scenario = sampleScenario('lists', ['person_60', 'person_61'], dir);
    const key = 'sources/lists-latin1.csv';
    // The file in Latin-1, read as such through the event's encoding (its text is ASCII but for é).
    const text = readFileSync(scenario.csvPath, 'utf8').replaceAll('lists:person_61', 'lists:josé');
    await runtime.s3.send(
      new PutObjectCommand({ Bucket: runtime.bucketName, Key: key, Body: Buffer.from(text, 'latin1') }),
    );
    const rejected = `rejected/${encodeURIComponent(`s3://${runtime.bucketName}/${key}`)}/`;
    const producer = createProducerHandler({ ...runtime.env, AWS_ENDPOINT_URL_KINESIS: proxy.url });
    const refusedAuthor = (call: ProxiedCall) =>
      kinesisCall('PutRecords')(call) && call.body.includes(`"PartitionKey":"lists:josé"`);
    proxy.inject({ name: 'throttle', match: refusedAuthor, fault: throttled, times: 1_000 });
    const event = { source: { bucket: runtime.bucketName, key }, encoding: 'latin1', aggregate: false };

    const first = await producer(event, lambdaContext(900_000));
    const firstKeys = await keysUnder(rejected);
    const failedLines = (await rowsUnder(rejected)).map((row) => row.line);

    expect(first.failed).toBeGreaterThan(0);
    expect(firstKeys.length).toBeGreaterThan(0);
    expect(failedLines).toHaveLength(first.failed);
    proxy.clear();
    const fromLine = Math.min(...failedLines);
    const rerun = await producer({ ...event, fromLine }, lambdaContext(900_000));
    await runtime.waitUntilProcessed({ timeoutMs: 60_000 });

    expect(rerun).toMatchObject({ failed: 0, rejected: 0, supersededRejects: first.failed });
    expect(await keysUnder(rejected)).toEqual([]);
    const josé = await runtime.get<{ commits: number }>(`stats/authors/${encodeURIComponent('lists:josé')}`);
    expect(josé.body.commits).toBe(scenario.expected.authors.get('lists:person_61')?.commits);
  }, 120_000);
});

async function keysUnder(prefix: string): Promise<string[]> {
  const page = await runtime.s3.send(
    new ListObjectsV2Command({ Bucket: runtime.bucketName, Prefix: prefix }),
  );
  return (page.Contents ?? []).map((object) => object.Key ?? '');
}

async function rowsUnder(prefix: string): Promise<RejectedRow[]> {
  const rows: RejectedRow[] = [];
  for (const key of await keysUnder(prefix)) {
    const object = await runtime.s3.send(new GetObjectCommand({ Bucket: runtime.bucketName, Key: key }));
    const body = (await object.Body?.transformToString()) ?? '';
    rows.push(
      ...body
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as RejectedRow),
    );
  }
  return rows;
}

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

    const report = await putWithRetries(publisher, entries, { attempts: 3, baseDelayMs: 1, maxDelayMs: 5 });

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
    // Counted from here: the suites before this one delivered records of their own.
    const deliveredBefore = runtime.mapping.snapshot().delivered;
    while (runtime.mapping.snapshot().delivered - deliveredBefore < 50 && Date.now() < deadline) {
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
