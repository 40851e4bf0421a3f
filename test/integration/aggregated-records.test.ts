/**
 * The processor reads what any writer may put on the stream: KPL aggregates (the producer's default),
 * plain single records (another writer, or the producer with aggregation off), and corrupt aggregates
 * (bad digest, bad protobuf), which are quarantined whole with their reason while everything around
 * them is stored. An aggregate some of whose commits were counted before counts the rest exactly once.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RecordAggregator } from '../../functions/shared/kinesis-aggregation/record-aggregator.js';
import { archivedLines } from '../support/archive-reader.js';
import { expectScenarioAggregates, sampleScenario } from '../support/scenario.js';
import { startTestRuntime, type TestRuntime } from '../support/test-runtime.js';

let runtime: TestRuntime;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aggregated-'));
  runtime = await startTestRuntime();
});

afterAll(async () => {
  await runtime?.stop();
  await rm(dir, { recursive: true, force: true });
});

const MAGIC = Buffer.from([0xf3, 0x89, 0x9a, 0xc2]);

function aggregateOf(records: ReadonlyArray<{ author: string }>): Buffer {
  const aggregator = new RecordAggregator({ maxBytes: 1024 * 1024 });
  for (const record of records) {
    aggregator.add({ partitionKey: record.author, data: Buffer.from(JSON.stringify(record)) });
  }
  return Buffer.from(aggregator.flush()?.data ?? []);
}

async function put(records: Array<{ key: string; data: Buffer }>): Promise<void> {
  const output = await runtime.kinesis.send(
    new PutRecordsCommand({
      StreamName: runtime.streamName,
      Records: records.map(({ key, data }) => ({ PartitionKey: key, Data: data })),
    }),
  );
  expect(output.FailedRecordCount ?? 0).toBe(0);
}

describe('records of every shape on the stream', () => {
  it('stores plain records and aggregates, and quarantines corrupt aggregates whole with their reason', async () => {
    const scenario = sampleScenario('shapes', ['person_59', 'person_60'], dir);
    const [plainOnes, aggregated] = [scenario.records.slice(0, 20), scenario.records.slice(20)];
    const protobuf = Buffer.from('not a protobuf message at all');
    const badDigest = Buffer.concat([MAGIC, protobuf, createHash('md5').update('something else').digest()]);
    const badProtobuf = Buffer.concat([MAGIC, protobuf, createHash('md5').update(protobuf).digest()]);
    const author = 'shapes:person_59';

    await put([
      ...plainOnes.map((record) => ({ key: record.author, data: Buffer.from(JSON.stringify(record)) })),
      { key: author, data: badDigest },
      { key: author, data: badProtobuf },
    ]);
    // One author per aggregate keeps each on the author's shard, in the file's order.
    for (const who of ['shapes:person_59', 'shapes:person_60']) {
      await put([{ key: who, data: aggregateOf(aggregated.filter((record) => record.author === who)) }]);
    }
    await runtime.waitUntilProcessed({ timeoutMs: 60_000 });

    await expectScenarioAggregates(runtime, scenario);
    const quarantined = (
      await archivedLines<{ reason: string; data: string }>(runtime.s3, runtime.bucketName, 'quarantine/')
    ).filter(
      (line) => line.data === badDigest.toString('base64') || line.data === badProtobuf.toString('base64'),
    );
    expect(quarantined.map((line) => line.reason.split(')')[0]).sort()).toEqual([
      'corrupt aggregated record (bad-md5',
      'corrupt aggregated record (bad-protobuf',
    ]);
  });

  it('counts the rest of an aggregate exactly once when some of its commits were counted before', async () => {
    const scenario = sampleScenario('partly', ['person_61'], dir);
    const [who] = scenario.expected.authors.keys();
    // A first attempt stored the first 30 commits (as plain records); the retried aggregate holds all.
    await put(
      scenario.records
        .slice(0, 30)
        .map((record) => ({ key: record.author, data: Buffer.from(JSON.stringify(record)) })),
    );
    await runtime.waitUntilProcessed({ timeoutMs: 60_000 });
    await put([{ key: who ?? '', data: aggregateOf(scenario.records) }]);
    await runtime.waitUntilProcessed({ timeoutMs: 60_000 });

    await expectScenarioAggregates(runtime, scenario);
  });
});
