/**
 * The Kinesis server on a data directory, killed and started again: a record PutRecords acknowledged
 * is served after the restart under the same sequence number with the same data, numbering goes on
 * without reusing a number, a write the kill cut short is dropped, and retention trims (deleting segment
 * files) across a restart too. The server runs as the runtime runs it: a child process, ended with
 * SIGKILL in the middle of a stream of puts.
 */
import { appendFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
  ListShardsCommand,
  PutRecordsCommand,
  type PutRecordsCommandOutput,
} from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { startKinesisServer } from '../../local/kinesis-server/index.js';
import { forkKinesisServer, type KinesisChild } from '../support/kinesis-child.js';

const STREAM = 'durable';
const children: KinesisChild[] = [];
const directories: string[] = [];

afterEach(() => {
  vi.useRealTimers();
});

afterAll(async () => {
  for (const child of children) await child.kill();
  for (const directory of directories) rmSync(directory, { recursive: true, force: true });
});

function dataDirectory(): string {
  const directory = mkdtempSync(join(tmpdir(), 'kinesis-durability-'));
  directories.push(directory);
  return directory;
}

async function startChild(port: number, dataDir: string): Promise<KinesisChild> {
  const child = await forkKinesisServer(port, dataDir);
  children.push(child);
  return child;
}

function clientFor(endpoint: string | number): KinesisClient {
  return new KinesisClient({
    endpoint: typeof endpoint === 'number' ? `http://127.0.0.1:${endpoint}` : endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    requestHandler: new NodeHttpHandler(),
    maxAttempts: 1,
  });
}

interface Stored {
  shardId: string;
  sequenceNumber: string;
  data: string;
}

/** Every record of every shard, read from TRIM_HORIZON. */
async function readAll(client: KinesisClient): Promise<Stored[]> {
  const { Shards = [] } = await client.send(new ListShardsCommand({ StreamName: STREAM }));
  const stored: Stored[] = [];
  for (const { ShardId: shardId = '' } of Shards) {
    let { ShardIterator: iterator } = await client.send(
      new GetShardIteratorCommand({
        StreamName: STREAM,
        ShardId: shardId,
        ShardIteratorType: 'TRIM_HORIZON',
      }),
    );
    while (iterator) {
      const page = await client.send(new GetRecordsCommand({ ShardIterator: iterator }));
      if (!page.Records?.length) break;
      for (const record of page.Records) {
        stored.push({
          shardId,
          sequenceNumber: record.SequenceNumber ?? '',
          data: Buffer.from(record.Data ?? []).toString(),
        });
      }
      iterator = page.NextShardIterator;
    }
  }
  return stored;
}

/** Puts records `<tag>-<n>` in PutRecords calls of 100 until stopped or refused; keeps what was acknowledged. */
async function putUntilRefused(
  client: KinesisClient,
  tag: string,
  acknowledged: Stored[],
  sent: Set<string>,
) {
  for (let call = 0; ; call += 1) {
    const data = Array.from({ length: 100 }, (_, i) => `${tag}-${call * 100 + i}`);
    for (const value of data) sent.add(value);
    let output: PutRecordsCommandOutput;
    try {
      output = await client.send(
        new PutRecordsCommand({
          StreamName: STREAM,
          Records: data.map((value, i) => ({ PartitionKey: `key-${i % 13}`, Data: Buffer.from(value) })),
        }),
      );
    } catch {
      return; // the server is gone: this call was never acknowledged
    }
    output.Records?.forEach((result, i) => {
      acknowledged.push({
        shardId: result.ShardId ?? '',
        sequenceNumber: result.SequenceNumber ?? '',
        data: data[i] ?? '',
      });
    });
  }
}

const bySequence = (a: Stored, b: Stored) =>
  a.shardId === b.shardId
    ? BigInt(a.sequenceNumber) < BigInt(b.sequenceNumber)
      ? -1
      : 1
    : a.shardId < b.shardId
      ? -1
      : 1;

describe('kinesis-server killed and started again on its data directory', () => {
  it('serves every acknowledged record under its sequence number, and numbers on without reusing one', async () => {
    const dataDir = dataDirectory();
    const first = await startChild(0, dataDir);
    const client = clientFor(first.port);
    await client.send(new CreateStreamCommand({ StreamName: STREAM, ShardCount: 2 }));

    // Four writers put records while the server is killed under them.
    const acknowledged: Stored[] = [];
    const sent = new Set<string>();
    const writers = ['a', 'b', 'c', 'd'].map((tag) => putUntilRefused(client, tag, acknowledged, sent));
    while (acknowledged.length < 20_000) await new Promise((resolve) => setTimeout(resolve, 5));
    await first.kill();
    await Promise.all(writers);
    client.destroy();

    // Same port, same directory: the same endpoint with the same state.
    const second = await startChild(first.port, dataDir);
    expect(second.port).toBe(first.port);
    const again = clientFor(second.port);
    try {
      const stored = await readAll(again);
      const storedByNumber = new Map(
        stored.map((record) => [`${record.shardId}/${record.sequenceNumber}`, record]),
      );
      const missing = acknowledged.filter(
        (record) => storedByNumber.get(`${record.shardId}/${record.sequenceNumber}`)?.data !== record.data,
      );
      expect(missing).toEqual([]);
      // Nothing else: only records that were sent (a call in flight at the kill may have been kept), once each.
      expect(stored.filter((record) => !sent.has(record.data))).toEqual([]);
      expect(new Set(stored.map((record) => record.data)).size).toBe(stored.length);
      expect([...stored].sort(bySequence)).toEqual(stored);

      // Numbering goes on after the last record kept: no number is issued twice.
      const output = await again.send(
        new PutRecordsCommand({
          StreamName: STREAM,
          Records: Array.from({ length: 26 }, (_, i) => ({
            PartitionKey: `key-${i}`,
            Data: Buffer.from(`after-${i}`),
          })),
        }),
      );
      const lastBefore = new Map<string, bigint>();
      for (const record of stored) lastBefore.set(record.shardId, BigInt(record.sequenceNumber));
      for (const result of output.Records ?? []) {
        expect(BigInt(result.SequenceNumber ?? 0)).toBeGreaterThan(
          lastBefore.get(result.ShardId ?? '') ?? -1n,
        );
      }
      const numbers = (await readAll(again)).map((record) => `${record.shardId}/${record.sequenceNumber}`);
      expect(new Set(numbers).size).toBe(stored.length + 26);

      // The stream is there already, as on AWS.
      await expect(
        again.send(new CreateStreamCommand({ StreamName: STREAM, ShardCount: 2 })),
      ).rejects.toMatchObject({
        name: 'ResourceInUseException',
      });
    } finally {
      again.destroy();
      await second.kill();
    }
  }, 120_000);

  it('drops a write the kill cut short and serves everything acknowledged before it', async () => {
    const dataDir = dataDirectory();
    const first = await startChild(0, dataDir);
    const client = clientFor(first.port);
    await client.send(new CreateStreamCommand({ StreamName: STREAM, ShardCount: 1 }));
    await client.send(
      new PutRecordsCommand({
        StreamName: STREAM,
        Records: Array.from({ length: 50 }, (_, i) => ({
          PartitionKey: 'k',
          Data: Buffer.from(`kept-${i}`),
        })),
      }),
    );
    const before = await readAll(client);
    client.destroy();
    await first.kill();
    // What a kill in the middle of the next write leaves: part of its records' text, no index entry.
    const [epoch] = readdirSync(dataDir).filter((name) => /^\d+$/.test(name));
    const folder = join(dataDir, epoch ?? '', 'shardId-000000000000');
    const [log] = readdirSync(folder).filter((name) => name.endsWith('.log'));
    appendFileSync(
      join(folder, log ?? ''),
      '{"SequenceNumber":"49000000000000000000000000000000000000000000000000000050","Appro',
    );

    const second = await startChild(first.port, dataDir);
    const again = clientFor(second.port);
    try {
      expect(await readAll(again)).toEqual(before);
      await again.send(
        new PutRecordsCommand({
          StreamName: STREAM,
          Records: [{ PartitionKey: 'k', Data: Buffer.from('next') }],
        }),
      );
      const after = await readAll(again);
      expect(after.slice(0, 50)).toEqual(before);
      expect(after.map((record) => record.data).slice(50)).toEqual(['next']);
    } finally {
      again.destroy();
      await second.kill();
    }
  }, 60_000);

  it('trims records past retention across a restart, deleting their segment files', async () => {
    const dataDir = dataDirectory();
    const start = Date.now();
    const first = await startKinesisServer({ dataDirectory: dataDir, segmentBytes: 4096, syncWrites: false });
    const client = clientFor(first.endpoint);
    await client.send(new CreateStreamCommand({ StreamName: STREAM, ShardCount: 1 }));
    const put = (prefix: string) =>
      client.send(
        new PutRecordsCommand({
          StreamName: STREAM,
          Records: Array.from({ length: 100 }, (_, i) => ({
            PartitionKey: 'k',
            Data: Buffer.from(`${prefix}-${i}`),
          })),
        }),
      );
    await put('old');
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(start + 12 * 3_600_000);
    await put('recent');
    await first.close();
    const [epoch] = readdirSync(dataDir).filter((name) => /^\d+$/.test(name));
    const folder = join(dataDir, epoch ?? '', 'shardId-000000000000');
    const filesBefore = readdirSync(folder).length;

    // Started again 25 h after the first puts: the old records are past the 24 h retention.
    vi.setSystemTime(start + 25 * 3_600_000);
    const second = await startKinesisServer({
      dataDirectory: dataDir,
      segmentBytes: 4096,
      syncWrites: false,
    });
    const again = clientFor(second.endpoint);
    try {
      const { ShardIterator } = await again.send(
        new GetShardIteratorCommand({
          StreamName: STREAM,
          ShardId: 'shardId-000000000000',
          ShardIteratorType: 'TRIM_HORIZON',
        }),
      );
      const page = await again.send(new GetRecordsCommand({ ShardIterator }));
      const values = (page.Records ?? []).map((record) => Buffer.from(record.Data ?? []).toString());
      expect(values).toEqual(Array.from({ length: 100 }, (_, i) => `recent-${i}`));
      expect(readdirSync(folder).length).toBeLessThan(filesBefore);
    } finally {
      client.destroy();
      again.destroy();
      await second.close();
    }
  });
});
