/**
 * Byte compatibility with the reference implementation, awslabs' `aws-kinesis-agg` (a dev dependency used
 * only here): our aggregates decode with its decoder, its aggregates decode with ours, and for the same
 * records both encoders write the same bytes.
 */
import { describe, expect, it } from 'vitest';
import { deaggregate } from '../../../../../functions/shared/kinesis-aggregation/deaggregate.js';
import { RecordAggregator } from '../../../../../functions/shared/kinesis-aggregation/record-aggregator.js';
import type { StreamEntry } from '../../../../../functions/shared/ports.js';
import { randomRecords, seededRandom } from '../../../../support/random-records.js';
import {
  referenceAggregate,
  referenceDeaggregate,
  referenceProtobuf,
} from '../../../../support/reference-implementation.js';

const MIB = 1024 * 1024;

function ourAggregate(records: readonly StreamEntry[]): Uint8Array {
  const aggregator = new RecordAggregator({ maxBytes: MIB });
  for (const record of records) {
    if (aggregator.add(record) !== 'added') throw new Error('test records must fit one aggregate');
  }
  return aggregator.flush()?.data ?? new Uint8Array();
}

const toReference = (records: readonly StreamEntry[]) =>
  records.map((record) => ({ ...record, data: Buffer.from(record.data) }));

/** Record sets of many shapes: unicode and long keys, empty data, explicit hash keys, one to 600 records. */
function recordSets(seed: number, integerLikeKeys: boolean): StreamEntry[][] {
  const random = seededRandom(seed);
  return [1, 2, 5, 40, 129, 600].map((count, i) =>
    randomRecords(random, count, {
      integerLikeKeys,
      distinctKeys: i === 4 ? 200 : 40,
      explicitHashKeyShare: i % 2 === 0 ? 0 : 0.5,
      maxDataBytes: 600,
    }),
  );
}

describe('compatibility with the reference implementation (aws-kinesis-agg)', () => {
  it('writes the same bytes for the same records', () => {
    // Keys such as "7" excepted: the reference encoder misnumbers them (see below).
    for (const records of recordSets(21, false)) {
      expect(Buffer.from(ourAggregate(records)).equals(referenceAggregate(toReference(records)))).toBe(true);
    }
  });

  it('our aggregates decode with the reference decoder', () => {
    for (const records of recordSets(22, true)) {
      const theirs = referenceDeaggregate(ourAggregate(records));
      expect(theirs.map((record) => [record.partitionKey, record.data, record.subSequenceNumber])).toEqual(
        records.map((record, i) => [record.partitionKey, Buffer.from(record.data).toString('base64'), i]),
      );
      // Its decoder reads an absent explicit hash key index as 0, so only records that have one compare.
      theirs.forEach((record, i) => {
        const explicitHashKey = records[i]?.explicitHashKey;
        if (explicitHashKey !== undefined) expect(record.explicitPartitionKey).toBe(explicitHashKey);
      });
    }
  });

  it('reference aggregates decode with ours', () => {
    for (const records of recordSets(23, false)) {
      const result = deaggregate(referenceAggregate(toReference(records)));
      expect(result.kind).toBe('aggregate');
      const ours = result.kind === 'aggregate' ? result.records : [];
      expect(
        ours.map((record) => [
          record.partitionKey,
          record.explicitHashKey,
          Buffer.from(record.data).toString('hex'),
        ]),
      ).toEqual(
        records.map((record) => [
          record.partitionKey,
          record.explicitHashKey,
          Buffer.from(record.data).toString('hex'),
        ]),
      );
    }
  });

  it('numbers integer-like partition keys right, where the reference encoder does not', () => {
    const records = [
      { partitionKey: 'b', data: Buffer.from('first') },
      { partitionKey: '7', data: Buffer.from('second') },
    ];
    expect(referenceProtobuf(ourAggregate(records)).partition_key_table).toEqual(['b', '7']);
    // The reference builds its table with Object.keys, which lists integer-like keys first.
    expect(referenceProtobuf(referenceAggregate(records)).partition_key_table).toEqual(['7', 'b']);
  });
});
