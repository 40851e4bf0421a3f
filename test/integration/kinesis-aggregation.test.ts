/**
 * Aggregates routed by the shard map, through real servers: the project's Kinesis server and kinesalite
 * (the emulator it is checked against). Each aggregate is sent with its shard's ExplicitHashKey and must
 * land on the shard the map predicts, holding only user records whose own keys belong there; both servers
 * must agree. A real reshard (SplitShard, which kinesalite emulates) shows a stale map being detected.
 */
import {
  CreateStreamCommand,
  DescribeStreamSummaryCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
  PutRecordsCommand,
  type PutRecordsRequestEntry,
  SplitShardCommand,
} from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deaggregate } from '../../functions/shared/kinesis-aggregation/deaggregate.js';
import { loadShardMap } from '../../functions/shared/kinesis-aggregation/load-shard-map.js';
import { landedElsewhere, ShardMapCache } from '../../functions/shared/kinesis-aggregation/shard-map.js';
import type { StreamEntry } from '../../functions/shared/ports.js';
import { type KinesisEmulator, startKinesisEmulator } from '../../local/emulators/kinesis.js';
import { type KinesisServer, startKinesisServer } from '../../local/kinesis-server/index.js';
import { aggregatesOf } from '../support/kpl-aggregates.js';

function clientFor(endpoint: string): KinesisClient {
  return new KinesisClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    requestHandler: new NodeHttpHandler(),
    maxAttempts: 1,
  });
}

async function createStream(client: KinesisClient, name: string, shardCount: number): Promise<void> {
  await client.send(new CreateStreamCommand({ StreamName: name, ShardCount: shardCount }));
  await waitActive(client, name);
}

async function waitActive(client: KinesisClient, name: string): Promise<void> {
  for (;;) {
    const { StreamDescriptionSummary } = await client.send(
      new DescribeStreamSummaryCommand({ StreamName: name }),
    );
    if (StreamDescriptionSummary?.StreamStatus === 'ACTIVE') return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Every record's data on a shard, from TRIM_HORIZON to the tip. */
async function readShard(client: KinesisClient, name: string, shardId: string): Promise<Uint8Array[]> {
  let { ShardIterator: iterator } = await client.send(
    new GetShardIteratorCommand({ StreamName: name, ShardId: shardId, ShardIteratorType: 'TRIM_HORIZON' }),
  );
  const data: Uint8Array[] = [];
  while (iterator) {
    const output = await client.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 100 }));
    const records = output.Records ?? [];
    if (records.length === 0) break;
    for (const record of records) data.push(record.Data ?? new Uint8Array());
    iterator = output.NextShardIterator;
  }
  return data;
}

const keys = [
  ...Array.from({ length: 104 }, (_, i) => `person_${i + 1}`),
  'ключ',
  '🦀 crab',
  '0',
  'k'.repeat(256),
];
/** 6 user records per key, interleaved, each naming its key and its place in the key's order. */
const userRecords: StreamEntry[] = Array.from({ length: keys.length * 6 }, (_, i) => {
  const partitionKey = keys[(i * 37) % keys.length] as string;
  return { partitionKey, data: new TextEncoder().encode(JSON.stringify({ partitionKey, i })) };
});

/**
 * Packs the user records per predicted shard, puts the aggregates with their shards' explicit hash keys
 * (and one plain record per key), then reads every shard back.
 */
async function routeThrough(client: KinesisClient, name: string, shardCount: number) {
  await createStream(client, name, shardCount);
  const map = await loadShardMap(client, name, 1); // one shard per page: ListShards paging too
  expect(map.shards).toHaveLength(shardCount);

  const perShard = new Map<string, StreamEntry[]>();
  for (const record of userRecords) {
    const shardId = map.shardIdOf(record.partitionKey);
    perShard.set(shardId, [...(perShard.get(shardId) ?? []), record]);
  }
  const entries: PutRecordsRequestEntry[] = [];
  const predicted: string[] = [];
  for (const [shardId, records] of perShard) {
    for (const aggregate of aggregatesOf(records, 2_048)) {
      entries.push({
        Data: aggregate.data,
        PartitionKey: aggregate.partitionKey,
        ExplicitHashKey: map.explicitHashKeyOf(shardId),
      });
      predicted.push(shardId);
    }
  }
  const aggregated = await client.send(new PutRecordsCommand({ StreamName: name, Records: entries }));
  expect(aggregated.FailedRecordCount ?? 0).toBe(0);
  expect(aggregated.Records?.map((result) => result.ShardId)).toEqual(predicted);
  expect(aggregated.Records?.some((result, index) => landedElsewhere(predicted[index], result.ShardId))).toBe(
    false,
  );

  // Plain records: the server routes by the key's MD5 itself, and must agree with the map.
  const plain = await client.send(
    new PutRecordsCommand({
      StreamName: name,
      Records: keys.map((key) => ({ PartitionKey: key, Data: new TextEncoder().encode(key) })),
    }),
  );
  expect(plain.Records?.map((result) => result.ShardId)).toEqual(keys.map((key) => map.shardIdOf(key)));

  const readBack: Record<string, Array<[string, string]>> = {};
  for (const { shardId } of map.shards) {
    const users: Array<[string, string]> = [];
    for (const data of await readShard(client, name, shardId)) {
      const result = deaggregate(data);
      if (result.kind === 'corrupt') throw new Error(`corrupt aggregate on ${shardId}: ${result.message}`);
      if (result.kind === 'plain') continue;
      for (const user of result.records) {
        expect(map.shardIdOf(user.partitionKey)).toBe(shardId);
        users.push([user.partitionKey, new TextDecoder().decode(user.data)]);
      }
    }
    // The shard holds its keys' records, each key's in the order they were produced.
    expect(users).toEqual(
      (perShard.get(shardId) ?? []).map((record) => [
        record.partitionKey,
        new TextDecoder().decode(record.data),
      ]),
    );
    readBack[shardId] = users;
  }
  return { aggregates: entries.length, predicted, readBack };
}

describe('aggregates routed by the shard map', () => {
  let kinesalite: KinesisEmulator;
  let ours: KinesisServer;
  let theirClient: KinesisClient;
  let ourClient: KinesisClient;

  beforeAll(async () => {
    [kinesalite, ours] = await Promise.all([
      startKinesisEmulator({ engine: 'kinesalite' }),
      startKinesisServer(),
    ]);
    theirClient = clientFor(kinesalite.endpoint);
    ourClient = clientFor(ours.endpoint);
  });

  afterAll(async () => {
    theirClient?.destroy();
    ourClient?.destroy();
    await Promise.all([kinesalite?.stop(), ours?.close()]);
  });

  for (const shardCount of [2, 4]) {
    it(`land on the predicted shard, with only that shard's keys, in order (${shardCount} shards)`, async () => {
      const mine = await routeThrough(ourClient, `routing-${shardCount}`, shardCount);
      const theirs = await routeThrough(theirClient, `routing-${shardCount}`, shardCount);
      expect(mine).toEqual(theirs);
      expect(new Set(mine.predicted).size).toBe(shardCount);
      expect(mine.aggregates).toBeGreaterThan(shardCount);
    });
  }

  it('shows a stale map after a reshard, and routes right once reloaded', async () => {
    const name = 'resharded';
    await createStream(theirClient, name, 2);
    const cache = new ShardMapCache(() => loadShardMap(theirClient, name));
    const stale = await cache.get();
    const parent = 'shardId-000000000000';
    await theirClient.send(
      new SplitShardCommand({
        StreamName: name,
        ShardToSplit: parent,
        NewStartingHashKey: String(1n << 126n),
      }),
    );
    await waitActive(theirClient, name);

    const [aggregate] = aggregatesOf(
      [{ partitionKey: 'person_1', data: new TextEncoder().encode('x') }],
      1_024,
    );
    if (!aggregate) throw new Error('expected an aggregate');
    const put = async (shardId: string, map = stale) =>
      theirClient.send(
        new PutRecordsCommand({
          StreamName: name,
          Records: [
            {
              Data: aggregate.data,
              PartitionKey: 'person_1',
              ExplicitHashKey: map.explicitHashKeyOf(shardId),
            },
          ],
        }),
      );
    const landed = (await put(parent)).Records?.[0]?.ShardId;
    expect(landed).toBeDefined();
    expect(landedElsewhere(parent, landed)).toBe(true);

    cache.invalidate(stale);
    const fresh = await cache.get();
    expect(fresh.has(parent)).toBe(false);
    expect(fresh.shards).toHaveLength(3);
    const child = fresh.shardIdOfHashKey(0n);
    expect(landedElsewhere(child, (await put(child, fresh)).Records?.[0]?.ShardId)).toBe(false);
  });
});
