import { describe, expect, it } from 'vitest';
import {
  AggregatingPacker,
  type PackedEntry,
  PlainPacker,
  type UserRecord,
} from '../../../../functions/producer/record-packer.js';
import { deaggregate } from '../../../../functions/shared/kinesis-aggregation/deaggregate.js';
import { RecordAggregator } from '../../../../functions/shared/kinesis-aggregation/record-aggregator.js';
import { MAX_HASH_KEY, ShardMap } from '../../../../functions/shared/kinesis-aggregation/shard-map.js';
import { randomRecords, seededRandom } from '../../../support/random-records.js';

/** One shard over the whole hash key space: every record is packed beside every other. */
const oneShard = new ShardMap([
  { shardId: 'shardId-000000000000', startingHashKey: 0n, endingHashKey: MAX_HASH_KEY },
]);

/** Random user records (their explicit hash keys dropped: the packer routes by partition key), by line. */
function userRecords(count: number): UserRecord[] {
  return randomRecords(seededRandom(11), count, { maxDataBytes: 3_000, explicitHashKeyShare: 0 }).map(
    ({ partitionKey, data }, index) => ({ partitionKey, data, line: index + 2 }),
  );
}

function packAll(records: readonly UserRecord[], maxBytes: number): PackedEntry[] {
  const packer = new AggregatingPacker(oneShard, maxBytes);
  return [...records.flatMap((record) => packer.add(record)), ...packer.flush()];
}

describe('packing user records into Kinesis records', () => {
  it('packs into bounded aggregates and sends records too large alone, all in the original order', () => {
    const records = userRecords(2_000);
    const maxBytes = 8_192;
    const entries = packAll(records, maxBytes);

    const entryOf = new Map<UserRecord, PackedEntry>();
    for (const entry of entries) {
      for (const record of entry.userRecords) entryOf.set(record, entry);
      expect(entry.explicitHashKey).toBe('0');
      if (entry.userRecords.length === 1) {
        // Alone: the record's own data, as a plain record (a one-record aggregate is sent so too).
        expect(entry.data).toBe(entry.userRecords[0]?.data);
        continue;
      }
      expect(entry.data.length).toBeLessThanOrEqual(maxBytes);
      const unpacked = deaggregate(entry.data);
      if (unpacked.kind !== 'aggregate') throw new Error(`not an aggregate: ${unpacked.kind}`);
      expect(unpacked.records.map((record) => record.partitionKey)).toEqual(
        entry.userRecords.map((record) => record.partitionKey),
      );
      const data = (list: ReadonlyArray<{ data: Uint8Array }>) =>
        Buffer.concat(list.map((record) => record.data));
      expect(data(unpacked.records).equals(data(entry.userRecords))).toBe(true);
    }
    // Every record once, in the original order.
    const packed = entries.flatMap((entry) => entry.userRecords);
    expect(packed.length).toBe(records.length);
    expect(packed.every((record, index) => record === records[index])).toBe(true);
    const tooLarge = records.filter(
      (record) => new RecordAggregator({ maxBytes }).add(record) === 'too-large',
    );
    expect(tooLarge.length).toBeGreaterThan(0);
    for (const record of tooLarge) {
      const alone = entryOf.get(record)?.userRecords;
      expect(alone?.length === 1 && alone[0] === record).toBe(true);
    }
    expect(entries.length).toBeLessThan(records.length / 2);
  });

  it('packs nothing into nothing', () => {
    expect(new AggregatingPacker(oneShard, 1_000).flush()).toEqual([]);
  });

  it('without aggregation, sends every user record as its own Kinesis record', () => {
    const [record] = userRecords(1) as [UserRecord];
    expect(new PlainPacker().add(record)).toEqual([
      { partitionKey: record.partitionKey, data: record.data, userRecords: [record] },
    ]);
  });
});
