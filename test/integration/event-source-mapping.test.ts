/**
 * The local Kinesis event-source mapping against the real Kinesis emulator: order, checkpointing
 * from batchItemFailures, bisection, bounded retries and the failure destination; and across failures
 * of processes: a mapping killed (SIGKILL) and started again on its checkpoints, and a Kinesis server
 * killed and started again under a running mapping. The handlers here inject faults; the records,
 * shards, polling and kills are real.
 */
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CreateStreamCommand, KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { KinesisStreamEvent } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type KinesisEmulator, startKinesisEmulator } from '../../local/emulators/kinesis.js';
import {
  type BatchHandler,
  type DeliveryGate,
  type FailedBatchRecord,
  KinesisEventSourceMapping,
  type MappingOptions,
} from '../../local/event-source-mapping.js';
import { CheckpointFiles } from '../../local/mapping-checkpoints.js';
import { forkKinesisServer } from '../support/kinesis-child.js';
import type { MappingChildLine, MappingChildOptions } from '../support/mapping-child.js';

let emulator: KinesisEmulator;
let kinesis: KinesisClient;
let mapping: KinesisEventSourceMapping | undefined;
let streamCount = 0;
const directories: string[] = [];

beforeAll(async () => {
  emulator = await startKinesisEmulator();
  kinesis = new KinesisClient({
    endpoint: emulator.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    requestHandler: new NodeHttpHandler(),
  });
});

afterEach(async () => {
  await mapping?.stop();
  mapping = undefined;
});

afterAll(async () => {
  await emulator?.stop();
  for (const directory of directories) rmSync(directory, { recursive: true, force: true });
});

function temporaryDirectory(): string {
  const directory = mkdtempSync(join(tmpdir(), 'mapping-test-'));
  directories.push(directory);
  return directory;
}

const arnOf = (streamName: string) => `arn:aws:kinesis:us-east-1:000000000000:stream/${streamName}`;

async function until(what: string, check: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A fresh one-shard stream holding records "0".."count-1" in order, under `keys` partition keys. */
async function streamWith(count: number, keys = 1): Promise<string> {
  streamCount += 1;
  const name = `mapping-test-${streamCount}`;
  await kinesis.send(new CreateStreamCommand({ StreamName: name, ShardCount: 1 }));
  await new Promise((resolve) => setTimeout(resolve, 50));
  for (let from = 0; from < count; from += 500) {
    await kinesis.send(
      new PutRecordsCommand({
        StreamName: name,
        Records: Array.from({ length: Math.min(500, count - from) }, (_, i) => ({
          PartitionKey: keys === 1 ? 'k' : `k${(from + i) % keys}`,
          Data: Buffer.from(String(from + i)),
        })),
      }),
    );
  }
  return name;
}

function valuesOf(event: KinesisStreamEvent): number[] {
  return event.Records.map((record) => Number(Buffer.from(record.kinesis.data, 'base64').toString()));
}

async function run(
  streamName: string,
  handler: BatchHandler,
  overrides: Partial<MappingOptions> = {},
  gate?: DeliveryGate,
) {
  const deadLetters: FailedBatchRecord[] = [];
  mapping = new KinesisEventSourceMapping(
    kinesis,
    handler,
    { send: async (record) => void deadLetters.push(record) },
    {
      endpoint: emulator.endpoint,
      streamName,
      streamArn: arnOf(streamName),
      region: 'us-east-1',
      functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:test',
      batchSize: 10,
      maxBatchingWindowSeconds: 0,
      bisectBatchOnError: true,
      maxRetryAttempts: 2,
      maxRecordAgeSeconds: 3600,
      idlePollMs: 20,
      retryBackoffMs: 5,
      ...overrides,
    },
    gate,
  );
  await mapping.start();
  const since = Date.now();
  const deadline = since + 20_000;
  while (!mapping.caughtUpSince(since)) {
    if (Date.now() > deadline) throw new Error('mapping did not catch up');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return { deadLetters, stats: mapping.snapshot() };
}

describe('the local Kinesis event-source mapping', () => {
  it('delivers every record once, in order, in batches of at most batchSize', async () => {
    const stream = await streamWith(35);
    const batches: number[][] = [];
    const { stats } = await run(stream, async (event) => {
      batches.push(valuesOf(event));
      return { batchItemFailures: [] };
    });
    expect(batches.flat()).toEqual(Array.from({ length: 35 }, (_, i) => i));
    expect(Math.max(...batches.map((batch) => batch.length))).toBe(10);
    expect(stats).toMatchObject({ delivered: 35, failed: 0 });
  });

  it('checkpoints before the first reported failure and retries from there', async () => {
    const stream = await streamWith(20);
    const seen: number[] = [];
    let failedOnce = false;
    await run(stream, async (event) => {
      const values = valuesOf(event);
      const failing = event.Records[values.indexOf(7)];
      if (failing && !failedOnce) {
        failedOnce = true;
        seen.push(...values.filter((v) => v < 7));
        return { batchItemFailures: [{ itemIdentifier: failing.kinesis.sequenceNumber }] };
      }
      seen.push(...values);
      return { batchItemFailures: [] };
    });
    expect(seen).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  it('bisects a batch whose handler throws, down to the failing record', async () => {
    const stream = await streamWith(10);
    const invocations: number[][] = [];
    const stored: number[] = [];
    let poisonAttempts = 0;
    const { deadLetters } = await run(stream, async (event) => {
      const values = valuesOf(event);
      invocations.push(values);
      if (values.includes(6)) {
        if (values.length === 1) poisonAttempts += 1;
        throw new Error('poison record 6');
      }
      stored.push(...values);
      return { batchItemFailures: [] };
    });
    expect(stored).toEqual([0, 1, 2, 3, 4, 5, 7, 8, 9]);
    expect(invocations).toContainEqual([6]);
    // The first attempt plus maxRetryAttempts retries, then the record goes to the destination.
    expect(poisonAttempts).toBe(3);
    expect(deadLetters).toHaveLength(1);
    expect(deadLetters[0]).toMatchObject({
      requestContext: { condition: 'RetryAttemptsExhausted' },
      responseContext: { functionError: 'poison record 6' },
      KinesisBatchInfo: { batchSize: 1, shardId: 'shardId-000000000000' },
    });
  });

  it('sends a batch that keeps failing to the destination after bounded retries, then moves on', async () => {
    const stream = await streamWith(15);
    let attemptsOnFirstBatch = 0;
    const stored: number[] = [];
    const { deadLetters, stats } = await run(
      stream,
      async (event) => {
        const values = valuesOf(event);
        if (values[0] === 0) {
          attemptsOnFirstBatch += 1;
          return { batchItemFailures: [{ itemIdentifier: event.Records[0]?.kinesis.sequenceNumber ?? '' }] };
        }
        stored.push(...values);
        return { batchItemFailures: [] };
      },
      { bisectBatchOnError: false },
    );
    expect(attemptsOnFirstBatch).toBe(3);
    expect(deadLetters.map((d) => d.KinesisBatchInfo.batchSize)).toEqual([10]);
    expect(stored).toEqual([10, 11, 12, 13, 14]);
    expect(stats.failed).toBe(10);
  });

  it('treats an unknown itemIdentifier as a failure of the whole batch', async () => {
    const stream = await streamWith(5);
    let calls = 0;
    await run(stream, async () => {
      calls += 1;
      return calls === 1
        ? { batchItemFailures: [{ itemIdentifier: 'no-such-sequence' }] }
        : { batchItemFailures: [] };
    });
    expect(calls).toBe(2);
  });
});

/** A gate the test closes and opens, as the supervisor does when a part dies and comes back. */
function testGate() {
  let down: string | undefined;
  let outages = 0;
  let waiters: Array<() => void> = [];
  const gate: DeliveryGate = {
    blockedBy: () => down,
    whenOpen: () => (down ? new Promise((resolve) => waiters.push(resolve)) : Promise.resolve()),
    outages: () => outages,
  };
  return {
    gate,
    partDied(part: string) {
      down = part;
      outages += 1;
    },
    partBack() {
      down = undefined;
      for (const resolve of waiters) resolve();
      waiters = [];
    },
  };
}

describe('while a part is down (the delivery gate)', () => {
  it('an attempt that failed as a part died is tried again once it is back, without counting', async () => {
    const stream = await streamWith(10);
    const { gate, partDied, partBack } = testGate();
    let attempts = 0;
    const stored: number[] = [];
    // The first attempt fails because the part it writes to dies under it.
    const handler: BatchHandler = async (event) => {
      attempts += 1;
      if (attempts === 1) {
        partDied('S3 emulator');
        setTimeout(partBack, 300);
        throw new Error('connect ECONNREFUSED');
      }
      stored.push(...valuesOf(event));
      return { batchItemFailures: [] };
    };

    const { deadLetters, stats } = await run(stream, handler, { maxRetryAttempts: 0 }, gate);

    expect(deadLetters).toEqual([]);
    expect(stored).toEqual(Array.from({ length: 10 }, (_, i) => i));
    // Retried whole, not bisected: the failure was the part's, not the batch's.
    expect(stats).toMatchObject({ delivered: 10, failed: 0, invocations: 2 });
  });

  it('without a gate, the same failure spends the retries and goes to the dead letters', async () => {
    const stream = await streamWith(1);
    let attempts = 0;
    const { deadLetters } = await run(
      stream,
      async () => {
        attempts += 1;
        if (attempts === 1) throw new Error('connect ECONNREFUSED');
        return { batchItemFailures: [] };
      },
      { maxRetryAttempts: 0 },
    );

    expect(deadLetters).toHaveLength(1);
  });

  it('neither polls nor delivers while a part is down', async () => {
    const stream = await streamWith(5);
    const { gate, partDied, partBack } = testGate();
    partDied('database service');
    const delivered: number[] = [];
    const running = run(
      stream,
      async (event) => {
        delivered.push(...valuesOf(event));
        return { batchItemFailures: [] };
      },
      {},
      gate,
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(delivered).toEqual([]);

    partBack();
    await running;
    expect(delivered).toEqual([0, 1, 2, 3, 4]);
  });
});

describe('the local Kinesis event-source mapping across restarts', () => {
  it('resumes each lane from its own checkpoint after a SIGKILL: nothing done is handed over again, nothing is lost, each lane starts where its interrupted batch started', async () => {
    // Prepare: 400 records under 20 keys, a mapping with 2 lanes in a process of its own, frozen (both
    // lanes inside a batch) once 12 batches are done, then killed.
    const stream = await streamWith(400, 20);
    const directory = temporaryDirectory();
    const checkpointDir = join(directory, 'checkpoints');
    const log = join(directory, 'first-run.ndjson');
    const options: MappingChildOptions = {
      endpoint: emulator.endpoint,
      streamName: stream,
      streamArn: arnOf(stream),
      checkpointDir,
      log,
      hangAfter: 12,
      batchSize: 10,
      parallelizationFactor: 2,
    };
    const child = fork(
      fileURLToPath(new URL('../support/mapping-child.ts', import.meta.url)),
      [JSON.stringify(options)],
      {
        execArgv: ['--import', 'tsx'],
        stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      },
    );
    const lines = () =>
      existsSync(log)
        ? readFileSync(log, 'utf8')
            .trim()
            .split('\n')
            .map((line) => JSON.parse(line) as MappingChildLine)
        : [];
    try {
      await until(
        'both lanes to be inside a batch',
        () => lines().filter((line) => line.kind === 'hung').length === 2,
      );
    } finally {
      const exited = once(child, 'exit');
      child.kill('SIGKILL');
      await exited;
    }
    const firstRun = lines();
    const doneBefore = firstRun.filter((line) => line.kind === 'done').flatMap((line) => line.records);
    const interrupted = firstRun.filter((line) => line.kind === 'hung');

    // Act: the same mapping started again on the same checkpoints.
    const batches: MappingChildLine['records'][] = [];
    const { stats } = await run(
      stream,
      async (event) => {
        batches.push(
          event.Records.map(({ kinesis: record }) => ({
            sequenceNumber: record.sequenceNumber,
            partitionKey: record.partitionKey,
            value: Buffer.from(record.data, 'base64').toString(),
          })),
        );
        return { batchItemFailures: [] };
      },
      { parallelizationFactor: 2, checkpoints: new CheckpointFiles(checkpointDir, arnOf(stream)) },
    );

    // Assess: every record once over both runs, the interrupted batches' first records first again.
    const doneAfter = batches.flat();
    expect(firstRun.filter((line) => line.kind === 'done')).toHaveLength(12);
    expect([...doneBefore, ...doneAfter].map((record) => Number(record.value)).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 400 }, (_, i) => i),
    );
    expect(stats.delivered).toBe(400 - doneBefore.length);
    const firstOfEachBatch = new Set(batches.map((batch) => batch[0]?.sequenceNumber));
    for (const { records } of interrupted) expect(firstOfEachBatch).toContain(records[0]?.sequenceNumber);
    // Each key in order across the two runs.
    for (let key = 0; key < 20; key += 1) {
      const values = [...doneBefore, ...doneAfter]
        .filter((record) => record.partitionKey === `k${key}`)
        .map((record) => Number(record.value));
      expect(values).toEqual([...values].sort((a, b) => a - b));
    }
  }, 60_000);

  it('goes on when the Kinesis server is killed and started again: nothing lost or repeated, no retry attempt spent', async () => {
    const dataDir = temporaryDirectory();
    let server = await forkKinesisServer(0, dataDir);
    const client = new KinesisClient({
      endpoint: server.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
      requestHandler: new NodeHttpHandler(),
    });
    const put = (from: number, count: number) =>
      client.send(
        new PutRecordsCommand({
          StreamName: 'restarted',
          Records: Array.from({ length: count }, (_, i) => ({
            PartitionKey: 'k',
            Data: Buffer.from(String(from + i)),
          })),
        }),
      );
    const stored: number[] = [];
    const deadLetters: FailedBatchRecord[] = [];
    let restartedMapping: KinesisEventSourceMapping | undefined;
    try {
      await client.send(new CreateStreamCommand({ StreamName: 'restarted', ShardCount: 1 }));
      await put(0, 200);
      restartedMapping = new KinesisEventSourceMapping(
        client,
        async (event) => {
          stored.push(...valuesOf(event));
          // Slow enough that the kill lands in the middle of the stream.
          await new Promise((resolve) => setTimeout(resolve, 20));
          return { batchItemFailures: [] };
        },
        { send: async (record) => void deadLetters.push(record) },
        {
          endpoint: server.endpoint,
          streamName: 'restarted',
          streamArn: arnOf('restarted'),
          region: 'us-east-1',
          functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:test',
          batchSize: 10,
          maxBatchingWindowSeconds: 0,
          bisectBatchOnError: true,
          // Any failure counted against a batch would send it to the destination at once.
          maxRetryAttempts: 0,
          maxRecordAgeSeconds: 3600,
          idlePollMs: 20,
        },
      );
      await restartedMapping.start();
      await until('a part of the stream to be processed', () => stored.length >= 50);

      await server.kill();
      // Polls fail meanwhile (connection refused); the lanes deliver what they hold.
      await new Promise((resolve) => setTimeout(resolve, 300));
      server = await forkKinesisServer(server.port, dataDir);
      await put(200, 100);

      const since = Date.now();
      await until('the mapping to catch up', () => restartedMapping?.caughtUpSince(since) ?? false);
      expect(stored).toEqual(Array.from({ length: 300 }, (_, i) => i));
      expect(deadLetters).toEqual([]);
      expect(restartedMapping.snapshot()).toMatchObject({ delivered: 300, failed: 0 });
    } finally {
      await restartedMapping?.stop();
      client.destroy();
      await server.kill();
    }
  }, 60_000);
});
