/**
 * The Kinesis server (local/kinesis-server) through the official SDK client: every operation
 * and its error cases, what the SDK puts on the wire, and — the evidence that replacing kinesalite
 * changes nothing for the pipeline — a conformance block running one scenario against both servers.
 */
import type { ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import {
  CreateStreamCommand,
  DeleteStreamCommand,
  DescribeStreamCommand,
  DescribeStreamSummaryCommand,
  GetRecordsCommand,
  type GetRecordsCommandOutput,
  GetShardIteratorCommand,
  type GetShardIteratorCommandInput,
  KinesisClient,
  ListShardsCommand,
  type ListShardsCommandInput,
  ListStreamConsumersCommand,
  ListStreamsCommand,
  PutRecordCommand,
  PutRecordsCommand,
  type PutRecordsRequestEntry,
  type _Record as StreamRecord,
} from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { type KinesisEmulator, startKinesisEmulator } from '../../local/emulators/kinesis.js';
import { type KinesisServer, startKinesisServer } from '../../local/kinesis-server/index.js';
import { forkKinesisServer } from '../support/kinesis-child.js';

const ACCOUNT = '000000000000';
const TWO_TO_127 = 1n << 127n;
const TWO_TO_128 = 1n << 128n;

function clientFor(endpoint: string): KinesisClient {
  return new KinesisClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    requestHandler: new NodeHttpHandler(),
    maxAttempts: 1,
  });
}

/** The name of the error a call fails with ('no error' when it succeeds). */
async function errorOf(call: Promise<unknown>): Promise<{ name: string; message: string }> {
  try {
    await call;
  } catch (error) {
    return { name: (error as Error).name, message: (error as Error).message };
  }
  return { name: 'no error', message: '' };
}

const errorName = async (call: Promise<unknown>) => (await errorOf(call)).name;
const bytes = (text: string) => new TextEncoder().encode(text);
const text = (data: Uint8Array | undefined) => Buffer.from(data ?? []).toString('utf8');
const arnOf = (name: string) => `arn:aws:kinesis:us-east-1:${ACCOUNT}:stream/${name}`;

let streams = 0;
const newStreamName = (prefix = 'stream') => `${prefix}-${++streams}`;

async function createStream(client: KinesisClient, shardCount = 2, name = newStreamName()): Promise<string> {
  await client.send(new CreateStreamCommand({ StreamName: name, ShardCount: shardCount }));
  // kinesalite turns ACTIVE on a timer; this server is ACTIVE at once.
  for (;;) {
    const { StreamDescriptionSummary } = await client.send(
      new DescribeStreamSummaryCommand({ StreamName: name }),
    );
    if (StreamDescriptionSummary?.StreamStatus === 'ACTIVE') return name;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function iteratorOf(
  client: KinesisClient,
  input: Omit<GetShardIteratorCommandInput, 'ShardIteratorType'> &
    Partial<Pick<GetShardIteratorCommandInput, 'ShardIteratorType'>>,
): Promise<string> {
  const { ShardIterator } = await client.send(
    new GetShardIteratorCommand({ ShardIteratorType: 'TRIM_HORIZON', ...input }),
  );
  if (!ShardIterator) throw new Error('no iterator');
  return ShardIterator;
}

/** Every record from an iterator to the end of the shard, plus the size of each page. */
async function drain(client: KinesisClient, iterator: string, limit?: number) {
  const records: StreamRecord[] = [];
  const pages: number[] = [];
  let next: string | undefined = iterator;
  while (next) {
    const output: GetRecordsCommandOutput = await client.send(
      new GetRecordsCommand({ ShardIterator: next, Limit: limit }),
    );
    const page = output.Records ?? [];
    pages.push(page.length);
    if (page.length === 0) break;
    records.push(...page);
    next = output.NextShardIterator;
  }
  return { records, pages };
}

/** Which of 2^128 / N ranges holds the MD5 of a key — computed here, independently of the server. */
function expectedShard(partitionKey: string, shardCount: number): string {
  const hash = BigInt(`0x${createHash('md5').update(partitionKey, 'utf8').digest('hex')}`);
  const width = TWO_TO_128 / BigInt(shardCount);
  const index = Math.min(shardCount - 1, Number(hash / width));
  return `shardId-${String(index).padStart(12, '0')}`;
}

describe('kinesis-server through the SDK', () => {
  let server: KinesisServer;
  let kinesis: KinesisClient;

  beforeAll(async () => {
    server = await startKinesisServer();
    kinesis = clientFor(server.endpoint);
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  afterAll(async () => {
    kinesis?.destroy();
    await server?.close();
  });

  describe('what the SDK sends', () => {
    it('speaks AWS JSON 1.1 (not CBOR) with X-Amz-Target, blobs as base64, timestamps as epoch seconds', async () => {
      const client = clientFor(server.endpoint);
      const sent = new Map<
        string,
        { headers: Record<string, string>; body: unknown; method: string; path: string }
      >();
      client.middlewareStack.add(
        (next) => async (args) => {
          const request = args.request as {
            headers: Record<string, string>;
            body: unknown;
            method: string;
            path: string;
          };
          sent.set(String(request.headers['x-amz-target']), {
            headers: request.headers,
            // The SDK serialises to bytes; decode them without its string shims.
            body: JSON.parse(
              typeof request.body === 'string'
                ? request.body
                : new TextDecoder().decode(request.body as Uint8Array),
            ),
            method: request.method,
            path: request.path,
          });
          return next(args);
        },
        { step: 'finalizeRequest', name: 'captureRequest' },
      );
      const name = newStreamName('wire');
      await client.send(new CreateStreamCommand({ StreamName: name, ShardCount: 1 }));
      await client.send(new DescribeStreamCommand({ StreamName: name }));
      await client.send(new DescribeStreamSummaryCommand({ StreamARN: arnOf(name) }));
      await client.send(new ListStreamsCommand({ Limit: 5 }));
      await client.send(new ListShardsCommand({ StreamName: name, MaxResults: 1 }));
      await client.send(new PutRecordCommand({ StreamName: name, PartitionKey: 'k', Data: bytes('one') }));
      await client.send(
        new PutRecordsCommand({
          StreamARN: arnOf(name),
          Records: [{ PartitionKey: 'k', Data: bytes('two') }],
        }),
      );
      const at = new Date(Date.now() - 1_000);
      const iterator = await iteratorOf(client, {
        StreamName: name,
        ShardId: 'shardId-000000000000',
        ShardIteratorType: 'AT_TIMESTAMP',
        Timestamp: at,
      });
      await client.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 10 }));
      await client.send(new DeleteStreamCommand({ StreamName: name }));
      client.destroy();

      expect([...sent.keys()].sort()).toEqual(
        [
          'CreateStream',
          'DeleteStream',
          'DescribeStream',
          'DescribeStreamSummary',
          'GetRecords',
          'GetShardIterator',
          'ListShards',
          'ListStreams',
          'PutRecord',
          'PutRecords',
        ].map((operation) => `Kinesis_20131202.${operation}`),
      );
      for (const request of sent.values()) {
        expect(request.method).toBe('POST');
        expect(request.path).toBe('/');
        expect(request.headers['content-type']).toBe('application/x-amz-json-1.1');
      }
      const body = (operation: string) => sent.get(`Kinesis_20131202.${operation}`)?.body;
      expect(body('CreateStream')).toEqual({ StreamName: name, ShardCount: 1 });
      expect(body('PutRecord')).toEqual({ StreamName: name, PartitionKey: 'k', Data: 'b25l' });
      expect(body('PutRecords')).toEqual({
        StreamARN: arnOf(name),
        Records: [{ PartitionKey: 'k', Data: 'dHdv' }],
      });
      expect(body('GetShardIterator')).toEqual({
        StreamName: name,
        ShardId: 'shardId-000000000000',
        ShardIteratorType: 'AT_TIMESTAMP',
        Timestamp: at.getTime() / 1000,
      });
      expect(body('GetRecords')).toEqual({ ShardIterator: iterator, Limit: 10 });
      expect(body('ListShards')).toEqual({ StreamName: name, MaxResults: 1 });
    });
  });

  describe('streams', () => {
    it('creates a provisioned stream, ACTIVE at once, with AWS hash key ranges', async () => {
      const name = newStreamName();
      await kinesis.send(new CreateStreamCommand({ StreamName: name, ShardCount: 2 }));
      const { StreamDescription } = await kinesis.send(new DescribeStreamCommand({ StreamName: name }));
      expect(StreamDescription).toMatchObject({
        StreamName: name,
        StreamARN: arnOf(name),
        StreamStatus: 'ACTIVE',
        StreamModeDetails: { StreamMode: 'PROVISIONED' },
        HasMoreShards: false,
        RetentionPeriodHours: 24,
        EncryptionType: 'NONE',
        EnhancedMonitoring: [{ ShardLevelMetrics: [] }],
      });
      expect(StreamDescription?.StreamCreationTimestamp).toBeInstanceOf(Date);
      expect(StreamDescription?.Shards?.map((shard) => [shard.ShardId, shard.HashKeyRange])).toEqual([
        ['shardId-000000000000', { StartingHashKey: '0', EndingHashKey: String(TWO_TO_127 - 1n) }],
        [
          'shardId-000000000001',
          { StartingHashKey: String(TWO_TO_127), EndingHashKey: String(TWO_TO_128 - 1n) },
        ],
      ]);
      for (const shard of StreamDescription?.Shards ?? []) {
        expect(shard.SequenceNumberRange?.StartingSequenceNumber).toMatch(/^\d{56}$/);
      }
      const { StreamDescriptionSummary } = await kinesis.send(
        new DescribeStreamSummaryCommand({ StreamARN: arnOf(name) }),
      );
      expect(StreamDescriptionSummary).toMatchObject({
        StreamName: name,
        StreamStatus: 'ACTIVE',
        OpenShardCount: 2,
        ConsumerCount: 0,
        RetentionPeriodHours: 24,
      });
    });

    it('creates ON_DEMAND streams with 4 shards (also when ShardCount is left out)', async () => {
      for (const input of [{ StreamModeDetails: { StreamMode: 'ON_DEMAND' as const } }, {}]) {
        const name = newStreamName();
        await kinesis.send(new CreateStreamCommand({ StreamName: name, ...input }));
        const { StreamDescriptionSummary } = await kinesis.send(
          new DescribeStreamSummaryCommand({ StreamName: name }),
        );
        expect(StreamDescriptionSummary?.StreamModeDetails).toEqual({ StreamMode: 'ON_DEMAND' });
        expect(StreamDescriptionSummary?.OpenShardCount).toBe(4);
      }
    });

    it('rejects invalid creations with AWS error names', async () => {
      const name = await createStream(kinesis);
      expect(
        await errorOf(kinesis.send(new CreateStreamCommand({ StreamName: name, ShardCount: 1 }))),
      ).toEqual({
        name: 'ResourceInUseException',
        message: `Stream ${name} under account ${ACCOUNT} already exists.`,
      });
      expect(
        await errorOf(kinesis.send(new CreateStreamCommand({ StreamName: 'no spaces', ShardCount: 1 }))),
      ).toEqual({
        name: 'ValidationException',
        message:
          "1 validation error detected: Value 'no spaces' at 'streamName' failed to satisfy constraint: " +
          'Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+',
      });
      expect(
        await errorName(
          kinesis.send(new CreateStreamCommand({ StreamName: 'x'.repeat(129), ShardCount: 1 })),
        ),
      ).toBe('ValidationException');
      expect(
        await errorName(
          kinesis.send(new CreateStreamCommand({ StreamName: newStreamName(), ShardCount: 0 })),
        ),
      ).toBe('ValidationException');
      expect(
        await errorName(
          kinesis.send(
            new CreateStreamCommand({
              StreamName: newStreamName(),
              ShardCount: 2,
              StreamModeDetails: { StreamMode: 'ON_DEMAND' },
            }),
          ),
        ),
      ).toBe('ValidationException');
      expect(
        await errorName(
          kinesis.send(
            new CreateStreamCommand({
              StreamName: newStreamName(),
              StreamModeDetails: { StreamMode: 'PROVISIONED' },
            }),
          ),
        ),
      ).toBe('InvalidArgumentException');
    });

    it('enforces the account shard limit with LimitExceededException', async () => {
      const small = await startKinesisServer({ shardLimit: 5 });
      const client = clientFor(small.endpoint);
      try {
        await client.send(new CreateStreamCommand({ StreamName: 'a', ShardCount: 4 }));
        const error = await errorOf(client.send(new CreateStreamCommand({ StreamName: 'b', ShardCount: 2 })));
        expect(error.name).toBe('LimitExceededException');
        expect(error.message).toContain('Current shard count for the account: 4. Limit: 5.');
        await client.send(new CreateStreamCommand({ StreamName: 'b', ShardCount: 1 }));
      } finally {
        client.destroy();
        await small.close();
      }
    });

    it('deletes streams by name or ARN; the name can then be reused', async () => {
      const byName = await createStream(kinesis);
      const byArn = await createStream(kinesis);
      await kinesis.send(new DeleteStreamCommand({ StreamName: byName }));
      await kinesis.send(new DeleteStreamCommand({ StreamARN: arnOf(byArn) }));
      for (const name of [byName, byArn]) {
        expect(await errorOf(kinesis.send(new DescribeStreamCommand({ StreamName: name })))).toEqual({
          name: 'ResourceNotFoundException',
          message: `Stream ${name} under account ${ACCOUNT} not found.`,
        });
        expect(await errorName(kinesis.send(new DeleteStreamCommand({ StreamName: name })))).toBe(
          'ResourceNotFoundException',
        );
      }
      await createStream(kinesis, 1, byName);
    });

    it('resolves StreamARN strictly: wrong account or region is not found, name and ARN must agree', async () => {
      const name = await createStream(kinesis);
      const other = `arn:aws:kinesis:us-east-1:123456789012:stream/${name}`;
      expect(await errorName(kinesis.send(new DescribeStreamSummaryCommand({ StreamARN: other })))).toBe(
        'ResourceNotFoundException',
      );
      expect(
        await errorName(
          kinesis.send(
            new DescribeStreamSummaryCommand({ StreamARN: arnOf(name).replace('us-east-1', 'eu-west-1') }),
          ),
        ),
      ).toBe('ResourceNotFoundException');
      expect(
        await errorName(
          kinesis.send(new DescribeStreamSummaryCommand({ StreamName: `${name}x`, StreamARN: arnOf(name) })),
        ),
      ).toBe('InvalidArgumentException');
      expect(await errorName(kinesis.send(new DescribeStreamSummaryCommand({})))).toBe(
        'InvalidArgumentException',
      );
    });

    it('lists streams in name order with Limit, HasMoreStreams and NextToken', async () => {
      const isolated = await startKinesisServer();
      const client = clientFor(isolated.endpoint);
      try {
        for (const name of ['c', 'a', 'b'])
          await client.send(new CreateStreamCommand({ StreamName: name, ShardCount: 1 }));
        const first = await client.send(new ListStreamsCommand({ Limit: 2 }));
        expect(first.StreamNames).toEqual(['a', 'b']);
        expect(first.HasMoreStreams).toBe(true);
        expect(first.StreamSummaries?.[0]).toMatchObject({
          StreamName: 'a',
          StreamARN: arnOf('a'),
          StreamStatus: 'ACTIVE',
        });
        const second = await client.send(new ListStreamsCommand({ NextToken: first.NextToken }));
        expect(second.StreamNames).toEqual(['c']);
        expect(second.HasMoreStreams).toBe(false);
        expect(second.NextToken).toBeUndefined();
        expect(
          (await client.send(new ListStreamsCommand({ ExclusiveStartStreamName: 'a' }))).StreamNames,
        ).toEqual(['b', 'c']);
        expect(await errorName(client.send(new ListStreamsCommand({ Limit: 0 })))).toBe(
          'ValidationException',
        );
      } finally {
        client.destroy();
        await isolated.close();
      }
    });

    it('lists shards with MaxResults / NextToken, ExclusiveStartShardId and ShardFilter', async () => {
      const name = await createStream(kinesis, 4);
      const ids = async (input: ListShardsCommandInput) =>
        (await kinesis.send(new ListShardsCommand(input))).Shards?.map((shard) => shard.ShardId?.slice(-1));
      expect(await ids({ StreamName: name })).toEqual(['0', '1', '2', '3']);
      const first = await kinesis.send(new ListShardsCommand({ StreamARN: arnOf(name), MaxResults: 3 }));
      expect(first.Shards?.map((shard) => shard.ShardId)).toHaveLength(3);
      expect(first.NextToken).toBeDefined();
      const rest = await kinesis.send(new ListShardsCommand({ NextToken: first.NextToken }));
      expect(rest.Shards?.map((shard) => shard.ShardId)).toEqual(['shardId-000000000003']);
      expect(rest.NextToken).toBeUndefined();
      expect(await ids({ StreamName: name, ExclusiveStartShardId: 'shardId-000000000001' })).toEqual([
        '2',
        '3',
      ]);
      expect(
        await ids({
          StreamName: name,
          ShardFilter: { Type: 'AFTER_SHARD_ID', ShardId: 'shardId-000000000002' },
        }),
      ).toEqual(['3']);
      expect(await ids({ StreamName: name, ShardFilter: { Type: 'AT_LATEST' } })).toEqual([
        '0',
        '1',
        '2',
        '3',
      ]);

      expect(
        await errorName(
          kinesis.send(new ListShardsCommand({ StreamName: name, NextToken: first.NextToken })),
        ),
      ).toBe('InvalidArgumentException');
      expect(await errorName(kinesis.send(new ListShardsCommand({})))).toBe('InvalidArgumentException');
      expect(await errorName(kinesis.send(new ListShardsCommand({ NextToken: 'bm90LWEtdG9rZW4=' })))).toBe(
        'InvalidArgumentException',
      );
      expect(await errorName(kinesis.send(new ListShardsCommand({ StreamName: name, MaxResults: 0 })))).toBe(
        'ValidationException',
      );
      vi.useFakeTimers({ toFake: ['Date'] });
      vi.setSystemTime(Date.now() + 301_000);
      expect(await errorName(kinesis.send(new ListShardsCommand({ NextToken: first.NextToken })))).toBe(
        'ExpiredNextTokenException',
      );
    });
  });

  describe('putting records', () => {
    it('routes by MD5 of the partition key: the same key always lands on the same shard', async () => {
      const name = await createStream(kinesis, 4);
      const keys = Array.from({ length: 104 }, (_, i) => `person_${i + 1}`);
      const records = [...keys, ...keys, ...keys].map((key, i) => ({
        PartitionKey: key,
        Data: bytes(String(i)),
      }));
      const output = await kinesis.send(new PutRecordsCommand({ StreamName: name, Records: records }));
      expect(output.FailedRecordCount).toBe(0);
      expect(output.Records).toHaveLength(records.length);
      output.Records?.forEach((result, i) => {
        expect(result.ShardId).toBe(expectedShard(records[i]?.PartitionKey ?? '', 4));
        expect(result.SequenceNumber).toMatch(/^\d{56}$/);
        expect(result.ErrorCode).toBeUndefined();
      });
      const single = await kinesis.send(
        new PutRecordCommand({ StreamName: name, PartitionKey: 'person_1', Data: bytes('x') }),
      );
      expect(single.ShardId).toBe(expectedShard('person_1', 4));
    });

    it('keeps per-shard order within and across requests, sequence numbers strictly increasing', async () => {
      const name = await createStream(kinesis, 2);
      const sent: PutRecordsRequestEntry[] = [];
      for (let call = 0; call < 3; call += 1) {
        const batch = Array.from({ length: 200 }, (_, i) => ({
          PartitionKey: `person_${((i * 7 + call) % 104) + 1}`,
          Data: bytes(`${call}-${i}`),
        }));
        sent.push(...batch);
        await kinesis.send(new PutRecordsCommand({ StreamName: name, Records: batch }));
      }
      for (const shardId of ['shardId-000000000000', 'shardId-000000000001']) {
        const { records } = await drain(
          kinesis,
          await iteratorOf(kinesis, { StreamName: name, ShardId: shardId }),
        );
        const expected = sent.filter((entry) => expectedShard(entry.PartitionKey ?? '', 2) === shardId);
        expect(records.map((record) => [record.PartitionKey, text(record.Data)])).toEqual(
          expected.map((entry) => [entry.PartitionKey, text(entry.Data)]),
        );
        for (let i = 1; i < records.length; i += 1) {
          expect(BigInt(records[i]?.SequenceNumber ?? 0) > BigInt(records[i - 1]?.SequenceNumber ?? 0)).toBe(
            true,
          );
        }
        expect(records[0]?.ApproximateArrivalTimestamp).toBeInstanceOf(Date);
      }
    });

    it('routes by ExplicitHashKey when given', async () => {
      const name = await createStream(kinesis, 2);
      const put = (hashKey: bigint) =>
        kinesis.send(
          new PutRecordCommand({
            StreamName: name,
            PartitionKey: 'person_1',
            ExplicitHashKey: String(hashKey),
            Data: bytes('x'),
          }),
        );
      expect((await put(0n)).ShardId).toBe('shardId-000000000000');
      expect((await put(TWO_TO_127 - 1n)).ShardId).toBe('shardId-000000000000');
      expect((await put(TWO_TO_127)).ShardId).toBe('shardId-000000000001');
      expect((await put(TWO_TO_128 - 1n)).ShardId).toBe('shardId-000000000001');
      expect(await errorOf(put(TWO_TO_128))).toEqual({
        name: 'InvalidArgumentException',
        message: `Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. Specified value was ${TWO_TO_128}`,
      });
      const output = await kinesis.send(
        new PutRecordsCommand({
          StreamName: name,
          Records: [
            { PartitionKey: 'person_1', ExplicitHashKey: '0', Data: bytes('a') },
            { PartitionKey: 'person_2', ExplicitHashKey: String(TWO_TO_128 - 1n), Data: bytes('b') },
          ],
        }),
      );
      expect(output.Records?.map((result) => result.ShardId)).toEqual([
        'shardId-000000000000',
        'shardId-000000000001',
      ]);
      expect(
        await errorName(
          kinesis.send(
            new PutRecordsCommand({
              StreamName: name,
              Records: [{ PartitionKey: 'k', ExplicitHashKey: '-1', Data: bytes('a') }],
            }),
          ),
        ),
      ).toBe('ValidationException');
    });

    it('accepts the limits exactly: 500 records, 256-char keys, 1 MiB records, 5 MiB requests', async () => {
      const name = await createStream(kinesis, 1);
      const records = Array.from({ length: 500 }, (_, i) => ({
        PartitionKey: 'k'.repeat(256),
        Data: bytes(String(i)),
      }));
      expect(
        (await kinesis.send(new PutRecordsCommand({ StreamName: name, Records: records }))).Records,
      ).toHaveLength(500);
      const mebibyteRecord = { PartitionKey: 'k', Data: new Uint8Array(1024 * 1024 - 1) };
      await kinesis.send(new PutRecordCommand({ StreamName: name, ...mebibyteRecord }));
      const fiveMebibytes = Array.from({ length: 5 }, () => mebibyteRecord);
      expect(
        (await kinesis.send(new PutRecordsCommand({ StreamName: name, Records: fiveMebibytes })))
          .FailedRecordCount,
      ).toBe(0);
      await kinesis.send(
        new PutRecordCommand({ StreamName: name, PartitionKey: 'k', Data: new Uint8Array(0) }),
      );
    });

    it('rejects what AWS rejects, with AWS error names and messages', async () => {
      const name = await createStream(kinesis, 1);
      const put = (records: PutRecordsRequestEntry[], streamName = name) =>
        errorOf(kinesis.send(new PutRecordsCommand({ StreamName: streamName, Records: records })));
      const one = { PartitionKey: 'k', Data: bytes('x') };

      expect(await put(Array.from({ length: 501 }, () => one))).toEqual({
        name: 'ValidationException',
        message:
          "1 validation error detected: Value at 'records' failed to satisfy constraint: " +
          'Member must have length less than or equal to 500',
      });
      expect((await put([])).name).toBe('ValidationException');
      expect(await put([one, { PartitionKey: 'k', Data: new Uint8Array(1024 * 1024 + 1) }])).toEqual({
        name: 'ValidationException',
        message:
          "1 validation error detected: Value 'java.nio.HeapByteBuffer[pos=0 lim=1048577 cap=1048577]' at " +
          "'records.2.member.data' failed to satisfy constraint: Member must have length less than or equal to 1048576",
      });
      expect(
        await put([
          { PartitionKey: '', Data: bytes('x') },
          { PartitionKey: 'k'.repeat(257), Data: bytes('x') },
        ]),
      ).toEqual({
        name: 'ValidationException',
        message:
          "2 validation errors detected: Value '' at 'records.1.member.partitionKey' failed to satisfy constraint: " +
          "Member must have length greater than or equal to 1; Value '" +
          'k'.repeat(257) +
          "' at 'records.2.member.partitionKey' failed to satisfy constraint: Member must have length less than or equal to 256",
      });
      const big = { PartitionKey: 'k', Data: new Uint8Array(900_000) };
      expect(await put(Array.from({ length: 6 }, () => big))).toEqual({
        name: 'InvalidArgumentException',
        message: 'Records size exceeds 5 MB limit',
      });
      // The record limit covers data plus partition key.
      expect((await put([{ PartitionKey: 'kk', Data: new Uint8Array(1024 * 1024 - 1) }])).name).toBe(
        'InvalidArgumentException',
      );
      expect((await put([one], 'no-such-stream')).name).toBe('ResourceNotFoundException');
      expect(
        await errorName(
          kinesis.send(
            new PutRecordCommand({
              StreamName: name,
              PartitionKey: 'k',
              Data: new Uint8Array(1024 * 1024 + 1),
            }),
          ),
        ),
      ).toBe('ValidationException');
      expect(
        await errorName(
          kinesis.send(
            new PutRecordCommand({
              StreamName: name,
              PartitionKey: 'k',
              Data: bytes('x'),
              SequenceNumberForOrdering: '12',
            }),
          ),
        ),
      ).toBe('InvalidArgumentException');
      // Nothing of the rejected requests was stored.
      const { records } = await drain(
        kinesis,
        await iteratorOf(kinesis, { StreamName: name, ShardId: 'shardId-000000000000' }),
      );
      expect(records).toHaveLength(0);
    });

    it('accepts SequenceNumberForOrdering with a number of the stream', async () => {
      const name = await createStream(kinesis, 1);
      const first = await kinesis.send(
        new PutRecordCommand({ StreamName: name, PartitionKey: 'k', Data: bytes('1') }),
      );
      const second = await kinesis.send(
        new PutRecordCommand({
          StreamName: name,
          PartitionKey: 'k',
          Data: bytes('2'),
          SequenceNumberForOrdering: first.SequenceNumber,
        }),
      );
      expect(BigInt(second.SequenceNumber ?? 0) > BigInt(first.SequenceNumber ?? 0)).toBe(true);
    });
  });

  describe('reading records', () => {
    /** A 1-shard stream holding records "0".."count-1", and their sequence numbers. */
    async function streamWith(count: number) {
      const name = await createStream(kinesis, 1);
      const output = await kinesis.send(
        new PutRecordsCommand({
          StreamName: name,
          Records: Array.from({ length: count }, (_, i) => ({
            PartitionKey: `k${i % 3}`,
            Data: bytes(String(i)),
          })),
        }),
      );
      const sequenceNumbers = (output.Records ?? []).map((result) => result.SequenceNumber ?? '');
      return { name, sequenceNumbers, shard: { StreamName: name, ShardId: 'shardId-000000000000' } };
    }
    const values = (records: StreamRecord[]) => records.map((record) => text(record.Data));

    it('pages with Limit and returns the records as they were put', async () => {
      const { shard, sequenceNumbers } = await streamWith(10);
      const { records, pages } = await drain(kinesis, await iteratorOf(kinesis, shard), 3);
      expect(pages).toEqual([3, 3, 3, 1, 0]);
      expect(values(records)).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
      expect(records.map((record) => record.SequenceNumber)).toEqual(sequenceNumbers);
      expect(records[0]?.PartitionKey).toBe('k0');
    });

    it('lets an iterator be used again', async () => {
      const { shard } = await streamWith(5);
      const iterator = await iteratorOf(kinesis, shard);
      const first = await kinesis.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 2 }));
      const again = await kinesis.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 2 }));
      expect(values(again.Records ?? [])).toEqual(values(first.Records ?? []));
      expect(values(again.Records ?? [])).toEqual(['0', '1']);
    });

    it('starts AT_ and AFTER_SEQUENCE_NUMBER', async () => {
      const { shard, sequenceNumbers } = await streamWith(6);
      const at = await iteratorOf(kinesis, {
        ...shard,
        ShardIteratorType: 'AT_SEQUENCE_NUMBER',
        StartingSequenceNumber: sequenceNumbers[2],
      });
      expect(values((await drain(kinesis, at)).records)).toEqual(['2', '3', '4', '5']);
      const after = await iteratorOf(kinesis, {
        ...shard,
        ShardIteratorType: 'AFTER_SEQUENCE_NUMBER',
        StartingSequenceNumber: sequenceNumbers[2],
      });
      expect(values((await drain(kinesis, after)).records)).toEqual(['3', '4', '5']);
      const afterLast = await iteratorOf(kinesis, {
        ...shard,
        ShardIteratorType: 'AFTER_SEQUENCE_NUMBER',
        StartingSequenceNumber: sequenceNumbers[5],
      });
      expect((await drain(kinesis, afterLast)).records).toHaveLength(0);
    });

    it('sees only later records from LATEST', async () => {
      const { name, shard } = await streamWith(3);
      const latest = await iteratorOf(kinesis, { ...shard, ShardIteratorType: 'LATEST' });
      expect((await kinesis.send(new GetRecordsCommand({ ShardIterator: latest }))).Records).toEqual([]);
      await kinesis.send(new PutRecordCommand({ StreamName: name, PartitionKey: 'k', Data: bytes('new') }));
      expect(values((await drain(kinesis, latest)).records)).toEqual(['new']);
    });

    it('starts AT_TIMESTAMP at the first record that arrived at or after it', async () => {
      const { name, shard } = await streamWith(2);
      await new Promise((resolve) => setTimeout(resolve, 20));
      const between = new Date();
      await new Promise((resolve) => setTimeout(resolve, 20));
      await kinesis.send(new PutRecordCommand({ StreamName: name, PartitionKey: 'k', Data: bytes('later') }));
      const iterator = await iteratorOf(kinesis, {
        ...shard,
        ShardIteratorType: 'AT_TIMESTAMP',
        Timestamp: between,
      });
      expect(values((await drain(kinesis, iterator)).records)).toEqual(['later']);
      const fromStart = await iteratorOf(kinesis, {
        ...shard,
        ShardIteratorType: 'AT_TIMESTAMP',
        Timestamp: new Date(0),
      });
      expect(values((await drain(kinesis, fromStart)).records)).toEqual(['0', '1', 'later']);
    });

    it('reports MillisBehindLatest: 0 at the tip, the age of the last record returned otherwise', async () => {
      const { shard } = await streamWith(3);
      await new Promise((resolve) => setTimeout(resolve, 30));
      const iterator = await iteratorOf(kinesis, shard);
      const behind = await kinesis.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1 }));
      expect(behind.MillisBehindLatest).toBeGreaterThanOrEqual(25);
      const tip = await kinesis.send(new GetRecordsCommand({ ShardIterator: iterator }));
      expect(tip.MillisBehindLatest).toBe(0);
      expect(tip.NextShardIterator).toBeDefined();
    });

    it('caps a response at 10 MiB of data', async () => {
      const name = await createStream(kinesis, 1);
      for (let call = 0; call < 3; call += 1) {
        await kinesis.send(
          new PutRecordsCommand({
            StreamName: name,
            Records: Array.from({ length: 4 }, () => ({
              PartitionKey: 'k',
              Data: new Uint8Array(1_000_000),
            })),
          }),
        );
      }
      const iterator = await iteratorOf(kinesis, { StreamName: name, ShardId: 'shardId-000000000000' });
      const { pages } = await drain(kinesis, iterator);
      expect(pages).toEqual([10, 2, 0]);
    });

    it('accepts StreamARN on GetShardIterator and GetRecords', async () => {
      const { name } = await streamWith(2);
      const iterator = await iteratorOf(kinesis, { StreamARN: arnOf(name), ShardId: 'shardId-000000000000' });
      const output = await kinesis.send(
        new GetRecordsCommand({ ShardIterator: iterator, StreamARN: arnOf(name) }),
      );
      expect(values(output.Records ?? [])).toEqual(['0', '1']);
      const other = await createStream(kinesis, 1);
      expect(
        await errorName(
          kinesis.send(new GetRecordsCommand({ ShardIterator: iterator, StreamARN: arnOf(other) })),
        ),
      ).toBe('InvalidArgumentException');
    });

    it('rejects bad iterator requests with AWS error names', async () => {
      const { name, shard, sequenceNumbers } = await streamWith(2);
      const other = await createStream(kinesis, 2);
      const otherSequence = (
        await kinesis.send(
          new PutRecordCommand({
            StreamName: other,
            PartitionKey: 'k',
            Data: bytes('x'),
            ExplicitHashKey: '0',
          }),
        )
      ).SequenceNumber;
      const onShard1 = (
        await kinesis.send(
          new PutRecordCommand({
            StreamName: other,
            PartitionKey: 'k',
            Data: bytes('x'),
            ExplicitHashKey: String(TWO_TO_127),
          }),
        )
      ).SequenceNumber;
      const iterator = (input: Partial<GetShardIteratorCommandInput>) =>
        errorOf(
          kinesis.send(
            new GetShardIteratorCommand({ ...shard, ShardIteratorType: 'TRIM_HORIZON', ...input }),
          ),
        );

      expect(await iterator({ ShardId: 'shardId-000000000001' })).toEqual({
        name: 'ResourceNotFoundException',
        message: `Shard shardId-000000000001 in stream ${name} under account ${ACCOUNT} does not exist`,
      });
      expect((await iterator({ StreamName: 'no-such-stream' })).name).toBe('ResourceNotFoundException');
      expect((await iterator({ StartingSequenceNumber: sequenceNumbers[0] })).name).toBe(
        'InvalidArgumentException',
      );
      expect((await iterator({ ShardIteratorType: 'AT_SEQUENCE_NUMBER' })).name).toBe(
        'InvalidArgumentException',
      );
      expect((await iterator({ ShardIteratorType: 'AT_TIMESTAMP' })).name).toBe('InvalidArgumentException');
      expect(
        (await iterator({ ShardIteratorType: 'AT_TIMESTAMP', Timestamp: new Date(Date.now() + 60_000) }))
          .name,
      ).toBe('InvalidArgumentException');
      expect(
        (await iterator({ ShardIteratorType: 'AT_SEQUENCE_NUMBER', StartingSequenceNumber: otherSequence }))
          .message,
      ).toContain('is invalid because it did not come from this stream');
      expect(
        await errorOf(
          kinesis.send(
            new GetShardIteratorCommand({
              StreamName: other,
              ShardId: 'shardId-000000000000',
              ShardIteratorType: 'AT_SEQUENCE_NUMBER',
              StartingSequenceNumber: onShard1,
            }),
          ),
        ),
      ).toEqual({
        name: 'InvalidArgumentException',
        message:
          'Invalid StartingSequenceNumber. It encodes shardId-000000000001, while it was used in a call to a shard ' +
          'with shardId-000000000000',
      });
      expect(
        (await iterator({ ShardIteratorType: 'AT_SEQUENCE_NUMBER', StartingSequenceNumber: '12x' })).name,
      ).toBe('ValidationException');
      expect(
        (
          await iterator({
            ShardIteratorType: 'SOMETIMES' as GetShardIteratorCommandInput['ShardIteratorType'],
          })
        ).name,
      ).toBe('ValidationException');

      const valid = await iteratorOf(kinesis, shard);
      expect(await errorName(kinesis.send(new GetRecordsCommand({ ShardIterator: valid, Limit: 0 })))).toBe(
        'ValidationException',
      );
      expect(
        await errorName(kinesis.send(new GetRecordsCommand({ ShardIterator: valid, Limit: 10_001 }))),
      ).toBe('ValidationException');
      expect(await errorOf(kinesis.send(new GetRecordsCommand({ ShardIterator: 'AAAAAAAAAAE=' })))).toEqual({
        name: 'InvalidArgumentException',
        message: 'Invalid ShardIterator.',
      });
      expect(await errorName(kinesis.send(new GetRecordsCommand({ ShardIterator: 'x'.repeat(513) })))).toBe(
        'ValidationException',
      );
    });

    it('expires iterators after 5 minutes', async () => {
      const { shard } = await streamWith(1);
      const iterator = await iteratorOf(kinesis, shard);
      vi.useFakeTimers({ toFake: ['Date'] });
      vi.setSystemTime(Date.now() + 299_000);
      expect((await kinesis.send(new GetRecordsCommand({ ShardIterator: iterator }))).Records).toHaveLength(
        1,
      );
      vi.setSystemTime(Date.now() + 2_000);
      const error = await errorOf(kinesis.send(new GetRecordsCommand({ ShardIterator: iterator })));
      expect(error.name).toBe('ExpiredIteratorException');
      expect(error.message).toMatch(
        /^Iterator expired\. The iterator was created at time .+ UTC \d{4} while right now/,
      );
    });

    it('does not let iterators or sequence numbers of a deleted stream read its successor', async () => {
      const { name, shard, sequenceNumbers } = await streamWith(2);
      const iterator = await iteratorOf(kinesis, shard);
      await kinesis.send(new DeleteStreamCommand({ StreamName: name }));
      expect(await errorName(kinesis.send(new GetRecordsCommand({ ShardIterator: iterator })))).toBe(
        'ResourceNotFoundException',
      );
      await createStream(kinesis, 1, name);
      expect(await errorName(kinesis.send(new GetRecordsCommand({ ShardIterator: iterator })))).toBe(
        'ResourceNotFoundException',
      );
      expect(
        await errorName(
          kinesis.send(
            new GetShardIteratorCommand({
              ...shard,
              ShardIteratorType: 'AT_SEQUENCE_NUMBER',
              StartingSequenceNumber: sequenceNumbers[0],
            }),
          ),
        ),
      ).toBe('InvalidArgumentException');
    });

    it('trims records older than the 24 h retention', async () => {
      const { name, shard, sequenceNumbers } = await streamWith(3);
      vi.useFakeTimers({ toFake: ['Date'] });
      vi.setSystemTime(Date.now() + 24 * 3_600_000 + 1_000);
      await kinesis.send(new PutRecordCommand({ StreamName: name, PartitionKey: 'k', Data: bytes('fresh') }));
      expect(values((await drain(kinesis, await iteratorOf(kinesis, shard))).records)).toEqual(['fresh']);
      // A number of a trimmed record still starts a read, at the trim horizon (as on AWS).
      const at = await iteratorOf(kinesis, {
        ...shard,
        ShardIteratorType: 'AT_SEQUENCE_NUMBER',
        StartingSequenceNumber: sequenceNumbers[0],
      });
      expect(values((await drain(kinesis, at)).records)).toEqual(['fresh']);
    });
  });

  describe('protocol', () => {
    const post = (target: string, body: string, contentType = 'application/x-amz-json-1.1') =>
      fetch(server.endpoint, {
        method: 'POST',
        headers: { 'content-type': contentType, 'x-amz-target': target },
        body,
      });

    it('answers unknown operations with UnknownOperationException', async () => {
      const response = await post('Kinesis_20131202.SplitShard', '{}');
      expect(response.status).toBe(400);
      expect(response.headers.get('content-type')).toBe('application/x-amz-json-1.1');
      expect(((await response.json()) as { __type: string }).__type).toBe('UnknownOperationException');
      expect(
        ((await (await post('DynamoDB_20120810.ListTables', '{}')).json()) as { __type: string }).__type,
      ).toBe('UnknownOperationException');
      expect(await errorName(kinesis.send(new ListStreamConsumersCommand({ StreamARN: arnOf('x') })))).toBe(
        'UnknownOperationException',
      );
    });

    it('answers malformed bodies and other encodings with SerializationException', async () => {
      for (const response of [
        await post('Kinesis_20131202.ListStreams', '{not json'),
        await post('Kinesis_20131202.ListStreams', '[]'),
        await post('Kinesis_20131202.ListStreams', '', 'application/x-amz-json-1.1'),
        await post('Kinesis_20131202.ListStreams', '\xa0', 'application/x-amz-cbor-1.1'),
        await post(
          'Kinesis_20131202.PutRecord',
          '{"StreamName":"s","PartitionKey":"k","Data":"not base64!"}',
        ),
      ]) {
        expect(response.status).toBe(400);
        expect(((await response.json()) as { __type: string }).__type).toBe('SerializationException');
      }
    });

    it('answers every request with a request id and keeps the connection alive', async () => {
      const response = await post('Kinesis_20131202.ListStreams', '{}');
      expect(response.status).toBe(200);
      expect(response.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/);
      expect(response.headers.get('connection')).toBe('keep-alive');
    });
  });
});

describe('kinesis-server child process', () => {
  let child: ChildProcess | undefined;

  afterAll(() => {
    if (child?.exitCode === null) child.kill();
  });

  it('reports its port over IPC and exits when the parent disconnects', async () => {
    const server = await forkKinesisServer(0);
    child = server.child;
    const client = clientFor(server.endpoint);
    expect((await client.send(new ListStreamsCommand({}))).StreamNames).toEqual([]);
    client.destroy();
    const exited = once(child, 'exit');
    child.disconnect();
    expect(await exited).toEqual([0, null]);
  });
});

/** Resident memory of a process, MiB (Linux /proc). */
function residentMiB(pid: number | undefined): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1]) / 1024;
}

describe('kinesis-server memory', () => {
  let child: ChildProcess | undefined;

  afterAll(async () => {
    if (child?.exitCode === null) {
      const exited = once(child, 'exit');
      child.kill();
      await exited;
    }
  });

  it('stays bounded while it holds 200,000 records of 1 KiB, and reads any of them back by number', async () => {
    const server = await forkKinesisServer(0);
    child = server.child;
    const client = clientFor(server.endpoint);
    try {
      const name = await createStream(client, 2, 'memory');
      const before = residentMiB(child.pid);
      // One request body, sent 400 times as it is: the client spends next to nothing.
      const body = JSON.stringify({
        StreamName: name,
        Records: Array.from({ length: 500 }, (_, i) => ({
          PartitionKey: `person_${i % 104}`,
          Data: Buffer.alloc(1024, 0x61).toString('base64'),
        })),
      });
      const put = async () => {
        const response = await fetch(server.endpoint, {
          method: 'POST',
          headers: {
            'content-type': 'application/x-amz-json-1.1',
            'x-amz-target': 'Kinesis_20131202.PutRecords',
          },
          body,
        });
        return (await response.json()) as {
          FailedRecordCount: number;
          Records: Array<{ SequenceNumber: string }>;
        };
      };
      const first = await put();
      expect(first.FailedRecordCount).toBe(0);
      let sent = 1;
      await Promise.all(
        Array.from({ length: 4 }, async () => {
          while (sent < 400) {
            sent += 1;
            await put();
          }
        }),
      );
      const firstNumbers = first.Records.map((result) => result.SequenceNumber);
      const after = residentMiB(child.pid);
      console.log(
        `kinesis-server RSS: ${before.toFixed(0)} MiB empty, ${after.toFixed(0)} MiB holding 200,000 records`,
      );
      // Held in memory, the records' base64 alone would take ~270 MB; the index takes ~4 MB.
      expect(after - before).toBeLessThan(150);

      const shardId = expectedShard('person_0', 2);
      const { records } = await client
        .send(
          new GetRecordsCommand({
            ShardIterator: await iteratorOf(client, {
              StreamName: name,
              ShardId: shardId,
              ShardIteratorType: 'AT_SEQUENCE_NUMBER',
              StartingSequenceNumber: firstNumbers[0],
            }),
            Limit: 1,
          }),
        )
        .then((output) => ({ records: output.Records ?? [] }));
      expect(
        records.map((record) => [record.SequenceNumber, record.PartitionKey, record.Data?.length]),
      ).toEqual([[firstNumbers[0], 'person_0', 1024]]);
    } finally {
      client.destroy();
    }
  });
});

/**
 * One scenario against kinesalite (the emulator this server replaces) and against this server: the
 * observable behaviour the pipeline depends on must be the same.
 */
describe('conformance with kinesalite', () => {
  let kinesalite: KinesisEmulator;
  let ours: KinesisServer;
  const clients: Record<'kinesalite' | 'kinesis-server', KinesisClient> = {} as never;

  beforeAll(async () => {
    [kinesalite, ours] = await Promise.all([
      startKinesisEmulator({ engine: 'kinesalite' }),
      startKinesisServer(),
    ]);
    // Guard against comparing the server with itself: only kinesalite sends this header.
    const probe = await fetch(kinesalite.endpoint, { method: 'POST' });
    if (!probe.headers.has('x-amz-id-2')) throw new Error('the reference emulator is not kinesalite');
    clients.kinesalite = clientFor(kinesalite.endpoint);
    clients['kinesis-server'] = clientFor(ours.endpoint);
  });

  afterAll(async () => {
    for (const client of Object.values(clients)) client.destroy();
    await Promise.all([kinesalite?.stop(), ours?.close()]);
  });

  /** Runs the same steps against both servers; returns [kinesalite's result, ours]. */
  async function onBoth<T>(steps: (client: KinesisClient) => Promise<T>): Promise<[T, T]> {
    return [await steps(clients.kinesalite), await steps(clients['kinesis-server'])];
  }

  it('splits the hash key space the same way for 1 to 5 shards', async () => {
    const [theirs, mine] = await onBoth(async (client) => {
      const ranges: unknown[] = [];
      for (let count = 1; count <= 5; count += 1) {
        const name = await createStream(client, count, `ranges-${count}`);
        const { StreamDescription } = await client.send(new DescribeStreamCommand({ StreamName: name }));
        ranges.push(StreamDescription?.Shards?.map((shard) => [shard.ShardId, shard.HashKeyRange]));
      }
      return ranges;
    });
    expect(mine).toEqual(theirs);
  });

  it('assigns keys to the same shards and keeps the same order per shard', async () => {
    const keys = [
      ...Array.from({ length: 104 }, (_, i) => `person_${i + 1}`),
      'ключ',
      '🦀 crab',
      '0',
      'k'.repeat(256),
    ];
    // 5 records per key, interleaved so each request mixes keys and shards.
    const entries = Array.from({ length: keys.length * 5 }, (_, i) => ({
      PartitionKey: keys[(i * 37) % keys.length] as string,
      Data: bytes(`record-${i}`),
    }));
    const [theirs, mine] = await onBoth(async (client) => {
      const name = await createStream(client, 2, 'order');
      const assignment = new Map<string, string>();
      const sequenceOfEntry: string[] = [];
      for (let start = 0; start < entries.length; start += 500) {
        const output = await client.send(
          new PutRecordsCommand({ StreamName: name, Records: entries.slice(start, start + 500) }),
        );
        output.Records?.forEach((result, i) => {
          assignment.set(entries[start + i]?.PartitionKey ?? '', result.ShardId ?? '');
          sequenceOfEntry.push(result.SequenceNumber ?? '');
        });
      }
      const explicit = [];
      for (const hashKey of [0n, TWO_TO_127 - 1n, TWO_TO_127, TWO_TO_128 - 1n]) {
        const output = await client.send(
          new PutRecordCommand({
            StreamName: name,
            PartitionKey: 'x',
            ExplicitHashKey: String(hashKey),
            Data: bytes(`h${hashKey}`),
          }),
        );
        explicit.push(output.ShardId);
      }
      const perShard: Record<string, string[][]> = {};
      for (const shardId of ['shardId-000000000000', 'shardId-000000000001']) {
        const { records, pages } = await drain(
          client,
          await iteratorOf(client, { StreamName: name, ShardId: shardId }),
          100,
        );
        perShard[shardId] = records.map((record) => [record.PartitionKey ?? '', text(record.Data)]);
        perShard[`${shardId} pages`] = [pages.map(String)];
        // Sequence numbers grow within the shard and match what PutRecords returned, in order.
        const sequences = records.map((record) => BigInt(record.SequenceNumber ?? 0));
        expect(sequences.every((value, i) => i === 0 || value > (sequences[i - 1] ?? 0n))).toBe(true);
        const returned = entries
          .map((entry, i) => ({ entry, sequence: sequenceOfEntry[i] }))
          .filter(({ entry }) => assignment.get(entry.PartitionKey) === shardId)
          .map(({ sequence }) => sequence);
        expect(records.slice(0, returned.length).map((record) => record.SequenceNumber)).toEqual(returned);
      }
      return { assignment: Object.fromEntries(assignment), explicit, perShard };
    });
    expect(mine.assignment).toEqual(theirs.assignment);
    expect(new Set(Object.values(mine.assignment))).toEqual(
      new Set(['shardId-000000000000', 'shardId-000000000001']),
    );
    expect(mine.explicit).toEqual(theirs.explicit);
    expect(mine.perShard).toEqual(theirs.perShard);
  });

  it('positions iterators the same way (AT_/AFTER_SEQUENCE_NUMBER, LATEST)', async () => {
    const [theirs, mine] = await onBoth(async (client) => {
      const name = await createStream(client, 1, 'positions');
      const shard = { StreamName: name, ShardId: 'shardId-000000000000' };
      const output = await client.send(
        new PutRecordsCommand({
          StreamName: name,
          Records: Array.from({ length: 20 }, (_, i) => ({ PartitionKey: `k${i}`, Data: bytes(String(i)) })),
        }),
      );
      const tenth = output.Records?.[9]?.SequenceNumber;
      const read = async (input: Partial<GetShardIteratorCommandInput>) =>
        (await drain(client, await iteratorOf(client, { ...shard, ...input }), 7)).records.map((r) =>
          text(r.Data),
        );
      const at = await read({ ShardIteratorType: 'AT_SEQUENCE_NUMBER', StartingSequenceNumber: tenth });
      const after = await read({ ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', StartingSequenceNumber: tenth });
      const latest = await iteratorOf(client, { ...shard, ShardIteratorType: 'LATEST' });
      await client.send(new PutRecordCommand({ StreamName: name, PartitionKey: 'k', Data: bytes('late') }));
      const fromLatest = (await drain(client, latest)).records.map((r) => text(r.Data));
      return { at, after, fromLatest };
    });
    expect(mine).toEqual(theirs);
    expect(mine.at[0]).toBe('9');
    expect(mine.fromLatest).toEqual(['late']);
  });

  it('fails invalid calls with the same error names', async () => {
    const [theirs, mine] = await onBoth(async (client) => {
      const name = await createStream(client, 2, 'errors');
      const other = await createStream(client, 2, 'errors-other');
      const put = (records: PutRecordsRequestEntry[]) =>
        errorName(client.send(new PutRecordsCommand({ StreamName: name, Records: records })));
      const { SequenceNumber: onShard1 } = await client.send(
        new PutRecordCommand({
          StreamName: name,
          PartitionKey: 'k',
          ExplicitHashKey: String(TWO_TO_127),
          Data: bytes('x'),
        }),
      );
      const shard0 = { StreamName: name, ShardId: 'shardId-000000000000' };
      const iterator = await iteratorOf(client, shard0);
      return {
        describeMissing: await errorName(client.send(new DescribeStreamCommand({ StreamName: 'missing' }))),
        summaryMissing: await errorName(
          client.send(new DescribeStreamSummaryCommand({ StreamName: 'missing' })),
        ),
        createExisting: await errorName(
          client.send(new CreateStreamCommand({ StreamName: other, ShardCount: 1 })),
        ),
        createBadName: await errorName(
          client.send(new CreateStreamCommand({ StreamName: 'a b', ShardCount: 1 })),
        ),
        createNoShards: await errorName(
          client.send(new CreateStreamCommand({ StreamName: 'zero', ShardCount: 0 })),
        ),
        createOverLimit: await errorName(
          client.send(new CreateStreamCommand({ StreamName: 'huge', ShardCount: 1000 })),
        ),
        deleteMissing: await errorName(client.send(new DeleteStreamCommand({ StreamName: 'missing' }))),
        putMissingStream: await errorName(
          client.send(
            new PutRecordsCommand({
              StreamName: 'missing',
              Records: [{ PartitionKey: 'k', Data: bytes('x') }],
            }),
          ),
        ),
        put501: await put(Array.from({ length: 501 }, () => ({ PartitionKey: 'k', Data: bytes('x') }))),
        putNone: await put([]),
        putEmptyKey: await put([{ PartitionKey: '', Data: bytes('x') }]),
        putLongKey: await put([{ PartitionKey: 'k'.repeat(257), Data: bytes('x') }]),
        putOversized: await put([{ PartitionKey: 'k', Data: new Uint8Array(1024 * 1024 + 1) }]),
        putHashKeyTooBig: await put([
          { PartitionKey: 'k', ExplicitHashKey: String(TWO_TO_128), Data: bytes('x') },
        ]),
        putHashKeyMalformed: await put([{ PartitionKey: 'k', ExplicitHashKey: '01', Data: bytes('x') }]),
        iteratorUnknownShard: await errorName(
          client.send(
            new GetShardIteratorCommand({
              StreamName: name,
              ShardId: 'shardId-000000000009',
              ShardIteratorType: 'LATEST',
            }),
          ),
        ),
        iteratorMissingStream: await errorName(
          client.send(
            new GetShardIteratorCommand({
              StreamName: 'missing',
              ShardId: 'shardId-000000000000',
              ShardIteratorType: 'LATEST',
            }),
          ),
        ),
        iteratorTrimHorizonWithSequence: await errorName(
          client.send(
            new GetShardIteratorCommand({
              ...shard0,
              ShardIteratorType: 'TRIM_HORIZON',
              StartingSequenceNumber: onShard1,
            }),
          ),
        ),
        iteratorSequenceOfOtherShard: await errorName(
          client.send(
            new GetShardIteratorCommand({
              ...shard0,
              ShardIteratorType: 'AT_SEQUENCE_NUMBER',
              StartingSequenceNumber: onShard1,
            }),
          ),
        ),
        iteratorBadType: await errorName(
          client.send(
            new GetShardIteratorCommand({
              ...shard0,
              ShardIteratorType: 'NEVER' as GetShardIteratorCommandInput['ShardIteratorType'],
            }),
          ),
        ),
        recordsGarbageIterator: await errorName(
          client.send(new GetRecordsCommand({ ShardIterator: 'AAAAAAAAAAE=' })),
        ),
        recordsLimitZero: await errorName(
          client.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 0 })),
        ),
        recordsLimitTooBig: await errorName(
          client.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 10_001 })),
        ),
        listStreamsBadLimit: await errorName(client.send(new ListStreamsCommand({ Limit: 0 }))),
        unsupportedOperation: await errorName(
          client.send(new ListStreamConsumersCommand({ StreamARN: arnOf(name) })),
        ),
      };
    });
    // One known difference, where this server follows AWS: kinesalite anchors the ExplicitHashKey pattern
    // as /^0|([1-9]\d{0,38})$/, so "01" slips through; AWS matches the whole value and rejects it.
    expect(theirs.putHashKeyMalformed).toBe('no error');
    expect(mine).toEqual({ ...theirs, putHashKeyMalformed: 'ValidationException' });
    expect(mine).toMatchObject({
      describeMissing: 'ResourceNotFoundException',
      createExisting: 'ResourceInUseException',
      createBadName: 'ValidationException',
      createOverLimit: 'LimitExceededException',
      put501: 'ValidationException',
      putOversized: 'ValidationException',
      putHashKeyTooBig: 'InvalidArgumentException',
      iteratorUnknownShard: 'ResourceNotFoundException',
      iteratorSequenceOfOtherShard: 'InvalidArgumentException',
      recordsGarbageIterator: 'InvalidArgumentException',
      recordsLimitZero: 'ValidationException',
      unsupportedOperation: 'UnknownOperationException',
    });
  });
});
