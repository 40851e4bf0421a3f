/**
 * Re-reading a failure pointer's records from the project's Kinesis server (the one the embedded
 * runtime runs), with a retention of four seconds so that records really leave the stream: a range
 * held whole, one whose first records were trimmed, one trimmed entirely, one the shard never held.
 */
import { CreateStreamCommand, KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type KinesisServer, startKinesisServer } from '../../local/kinesis-server/index.js';
import type { FailurePointer } from '../../scripts/redrive/failure-pointer.js';
import { StreamRangeReader } from '../../scripts/redrive/stream-range-reader.js';

const STREAM = 'redrive-reads';
const SHARD = 'shardId-000000000000';
const RETENTION_SECONDS = 4;

let server: KinesisServer;
let kinesis: KinesisClient;
let reader: StreamRangeReader;
let streamArn: string;

beforeAll(async () => {
  server = await startKinesisServer({ retentionHours: RETENTION_SECONDS / 3600 });
  kinesis = new KinesisClient({
    endpoint: server.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    requestHandler: new NodeHttpHandler(),
  });
  await kinesis.send(new CreateStreamCommand({ StreamName: STREAM, ShardCount: 1 }));
  streamArn = `arn:aws:kinesis:us-east-1:000000000000:stream/${STREAM}`;
  // Small pages, so that a range spans several GetRecords calls.
  reader = new StreamRangeReader(kinesis, STREAM, 7);
});

afterAll(async () => {
  kinesis?.destroy();
  await server?.close();
});

/** Puts `count` records and returns their sequence numbers. */
async function put(count: number, tag: string): Promise<string[]> {
  const { Records = [] } = await kinesis.send(
    new PutRecordsCommand({
      StreamName: STREAM,
      Records: Array.from({ length: count }, (_, i) => ({
        PartitionKey: 'author',
        Data: new TextEncoder().encode(`${tag}-${i}`),
      })),
    }),
  );
  return Records.map((record) => record.SequenceNumber ?? '');
}

const pointerOf = (sequences: string[]): FailurePointer => ({
  shardId: SHARD,
  startSequenceNumber: sequences[0] ?? '',
  endSequenceNumber: sequences.at(-1) ?? '',
  batchSize: sequences.length,
  streamArn,
});

const texts = (records: { kinesis: { data: string } }[]) =>
  records.map((record) => Buffer.from(record.kinesis.data, 'base64').toString('utf8'));

describe('re-reading the records a pointer names', () => {
  let old: string[];
  let fresh: string[];

  beforeAll(async () => {
    old = await put(10, 'old');
    // Let the first records age past the retention, then add newer ones after them.
    await new Promise((resolve) => setTimeout(resolve, (RETENTION_SECONDS + 0.5) * 1000));
    fresh = await put(20, 'fresh');
  });

  it('reads a retained range whole, across pages, with what the processor needs of each record', async () => {
    const range = fresh.slice(3, 18);
    const read = await reader.read(pointerOf(range));

    expect(read.complete).toBe(true);
    expect(texts(read.records)).toEqual(Array.from({ length: 15 }, (_, i) => `fresh-${i + 3}`));
    expect(read.records[0]).toMatchObject({
      eventID: `${SHARD}:${range[0]}`,
      eventSourceARN: streamArn,
      kinesis: { sequenceNumber: range[0], partitionKey: 'author' },
    });
    expect(read.records[0]?.kinesis.approximateArrivalTimestamp).toBeGreaterThan(Date.now() / 1000 - 60);
  });

  it('reports the records before the first one still held as gone, and returns the rest', async () => {
    const read = await reader.read(pointerOf([...old.slice(5), ...fresh.slice(0, 4)]));

    expect(read.complete).toBe(false);
    expect(texts(read.records)).toEqual(['fresh-0', 'fresh-1', 'fresh-2', 'fresh-3']);
    expect(read.complete ? '' : read.missing).toMatch(
      new RegExp(`no longer holds the records from ${old[5]} to before ${fresh[0]}`),
    );
  });

  it('reports a range trimmed entirely, with nothing to store', async () => {
    const read = await reader.read(pointerOf(old));
    expect(read).toMatchObject({
      complete: false,
      records: [],
      missing: expect.stringMatching(/no longer holds/),
    });
  });

  it('reports sequence numbers the shard never held', async () => {
    const beyond = (BigInt(fresh.at(-1) ?? '0') + 1_000n).toString();
    const read = await reader.read({
      ...pointerOf(fresh),
      startSequenceNumber: beyond,
      endSequenceNumber: beyond,
    });
    expect(read).toMatchObject({
      complete: false,
      records: [],
      missing: expect.stringMatching(new RegExp(`${SHARD} refuses ${beyond}`)),
    });
  });

  it('reports a range that runs past the end of the shard, with what it holds', async () => {
    const beyond = (BigInt(fresh.at(-1) ?? '0') + 1_000n).toString();
    const read = await reader.read({ ...pointerOf(fresh.slice(15)), endSequenceNumber: beyond });
    expect(read.complete).toBe(false);
    expect(texts(read.records)).toEqual(['fresh-15', 'fresh-16', 'fresh-17', 'fresh-18', 'fresh-19']);
    expect(read.complete ? '' : read.missing).toMatch(/the shard ends before/);
  });
});
