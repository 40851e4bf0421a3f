import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { RejectedRow } from '../../../../functions/producer/reject-sinks.js';
import { hasAggregateMagic } from '../../../../functions/shared/kinesis-aggregation/aggregated-record-format.js';
import { deaggregate } from '../../../../functions/shared/kinesis-aggregation/deaggregate.js';
import { compareSequenceNumbers } from '../../../../local/kinesis-server/sequence-numbers.js';
import { LOCAL_STREAM_ARN } from '../../../../local/local-resources.js';
import { kinesisEventOfCsv, shardIndexOf } from '../../../../scripts/event/kinesis-event.js';

const HEADER = 'commit_id,author,time,file_path,lines_added,lines_deleted,entropy,message';
const row = (i: number) =>
  `c_${i},person_${i % 3},${100 + i},/src/app/mod_${i}.ts,${i},${i % 5},0.${i % 10}5,fix ${i}`;
const csvOf = (lines: string[]) => Readable.from([`${[HEADER, ...lines].join('\n')}\n`]);
const SHARD = 'shardId-000000000001';

/** The commit ids the event carries, in order, from its records' data as the processor decodes it. */
function commitIdsOf(records: Array<{ kinesis: { data: string } }>): string[] {
  return records.flatMap(({ kinesis }) => {
    const data = Buffer.from(kinesis.data, 'base64');
    if (!hasAggregateMagic(data))
      return [(JSON.parse(data.toString('utf8')) as { commitId: string }).commitId];
    const result = deaggregate(data);
    if (result.kind !== 'aggregate') throw new Error(`not a readable aggregate: ${result.kind}`);
    return result.records.map(
      (record) => (JSON.parse(Buffer.from(record.data).toString('utf8')) as { commitId: string }).commitId,
    );
  });
}

describe('the Kinesis event of a CSV', () => {
  const rows = Array.from({ length: 40 }, (_, i) => row(i + 1));

  it('decodes back to the rows of the file, packed in KPL aggregates', async () => {
    const { event, replay } = await kinesisEventOfCsv(csvOf(rows), {
      rows: 1000,
      aggregate: true,
      shardId: SHARD,
    });

    expect(replay).toMatchObject({ read: 40, sent: 40, rejected: 0 });
    expect(event.Records.length).toBeLessThan(40);
    expect(event.Records.every((r) => hasAggregateMagic(Buffer.from(r.kinesis.data, 'base64')))).toBe(true);
    expect(commitIdsOf(event.Records).sort()).toEqual(rows.map((_, i) => `c_${i + 1}`).sort());
  });

  it('without aggregation, is one record per commit keyed by its author, each author’s in file order', async () => {
    const { event } = await kinesisEventOfCsv(csvOf(rows), { rows: 1000, aggregate: false, shardId: SHARD });

    expect(event.Records).toHaveLength(40);
    const ids = commitIdsOf(event.Records);
    expect([...ids].sort()).toEqual(rows.map((_, i) => `c_${i + 1}`).sort());
    const ofAuthor = (author: string) =>
      event.Records.flatMap((record, i) =>
        record.kinesis.partitionKey === author ? [Number(ids[i]?.slice(2))] : [],
      );
    for (const author of ['person_0', 'person_1', 'person_2']) {
      const numbers = ofAuthor(author);
      expect(numbers.length).toBeGreaterThan(0);
      expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
    }
  });

  it('numbers its records in ascending order on one shard, with the mapping’s fields', async () => {
    const { event } = await kinesisEventOfCsv(csvOf(rows), { rows: 1000, aggregate: false, shardId: SHARD });
    const sequences = event.Records.map((r) => r.kinesis.sequenceNumber);

    for (let i = 1; i < sequences.length; i += 1) {
      expect(compareSequenceNumbers(sequences[i - 1] ?? '', sequences[i] ?? '')).toBe(-1);
    }
    expect(event.Records[0]).toMatchObject({
      eventSource: 'aws:kinesis',
      eventName: 'aws:kinesis:record',
      eventSourceARN: LOCAL_STREAM_ARN,
      eventID: `${SHARD}:${sequences[0]}`,
      kinesis: { kinesisSchemaVersion: '1.0' },
    });
  });

  it('reads at most the rows asked for', async () => {
    const { event, replay } = await kinesisEventOfCsv(csvOf(rows), {
      rows: 7,
      aggregate: false,
      shardId: SHARD,
    });

    expect(replay.read).toBe(7);
    expect(commitIdsOf(event.Records).sort()).toEqual(['c_1', 'c_2', 'c_3', 'c_4', 'c_5', 'c_6', 'c_7']);
  });

  it('reports the rows the producer refuses, with their reason, and leaves them out', async () => {
    const rejected: RejectedRow[] = [];
    const lines = [row(1), 'c_2,person_2,not-a-time,/a/b.ts,1,1,0.5,x', row(3)];

    const { event, replay } = await kinesisEventOfCsv(csvOf(lines), {
      rows: 1000,
      aggregate: true,
      shardId: SHARD,
      onReject: (r) => rejected.push(r),
    });

    expect(replay).toMatchObject({ read: 3, sent: 2, rejected: 1 });
    expect(rejected).toEqual([
      expect.objectContaining({ line: 3, reason: expect.any(String), detail: expect.any(String) }),
    ]);
    expect(commitIdsOf(event.Records).sort()).toEqual(['c_1', 'c_3']);
  });
});

describe('a shard id', () => {
  it('gives its index', () => {
    expect(shardIndexOf('shardId-000000000012')).toBe(12);
  });

  it('is refused when it is not shardId- and 12 digits', () => {
    expect(() => shardIndexOf('shard-1')).toThrow(/shardId- and 12 digits/);
  });
});
