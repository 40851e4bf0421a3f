import { describe, expect, it } from 'vitest';
import { AGGREGATE_OVERHEAD_BYTES } from '../../../../../functions/shared/kinesis-aggregation/aggregated-record-format.js';
import { deaggregate } from '../../../../../functions/shared/kinesis-aggregation/deaggregate.js';
import { RecordAggregator } from '../../../../../functions/shared/kinesis-aggregation/record-aggregator.js';
import type { StreamEntry } from '../../../../../functions/shared/ports.js';
import { randomRecords, seededRandom } from '../../../../support/random-records.js';
import { referenceProtobuf } from '../../../../support/reference-implementation.js';

const bytes = (text: string) => new TextEncoder().encode(text);

/** The user records an aggregate decodes to, as plain values. */
function decoded(data: Uint8Array) {
  const result = deaggregate(data);
  if (result.kind !== 'aggregate') throw new Error(`not a valid aggregate: ${JSON.stringify(result)}`);
  return result.records.map(({ partitionKey, explicitHashKey, data: payload }) => ({
    partitionKey,
    explicitHashKey,
    data: Buffer.from(payload).toString('hex'),
  }));
}

const plain = (records: readonly StreamEntry[]) =>
  records.map(({ partitionKey, explicitHashKey, data }) => ({
    partitionKey,
    explicitHashKey,
    data: Buffer.from(data).toString('hex'),
  }));

describe('record aggregator', () => {
  it('predicts the exact size of the aggregate before and after each add', () => {
    const random = seededRandom(1);
    const aggregator = new RecordAggregator({ maxBytes: 1024 * 1024 });
    for (const record of randomRecords(random, 300)) {
      const predicted = aggregator.sizeWith(record);
      expect(aggregator.add(record)).toBe('added');
      expect(aggregator.sizeBytes).toBe(predicted);
    }
    const size = aggregator.sizeBytes;
    expect(aggregator.flush()?.data.length).toBe(size);
    expect(aggregator.sizeBytes).toBe(0);
  });

  it('never exceeds the bound and closes an aggregate only when the next record does not fit', () => {
    for (const maxBytes of [64, 300, 1_000, 51_200]) {
      const random = seededRandom(maxBytes);
      const aggregator = new RecordAggregator({ maxBytes });
      const records = randomRecords(random, 400, { maxDataBytes: Math.min(600, maxBytes) });
      for (const record of records) {
        const outcome = aggregator.add(record);
        if (outcome === 'full') {
          // Tight: the record really would have taken the aggregate past the bound.
          expect(aggregator.sizeWith(record)).toBeGreaterThan(maxBytes);
          const aggregate = aggregator.flush();
          expect(aggregate?.data.length).toBeLessThanOrEqual(maxBytes);
          expect(aggregator.add(record)).toBe('added');
        } else if (outcome === 'too-large') {
          expect(new RecordAggregator({ maxBytes }).sizeWith(record)).toBeGreaterThan(maxBytes);
        }
        expect(aggregator.sizeBytes).toBeLessThanOrEqual(maxBytes);
      }
    }
  });

  it('reports a record too large for any aggregate, and still takes it when it fits exactly', () => {
    const key = 'k';
    // Alone: overhead 20 + key entry (1 + 1 + 1) + record (1 + [1 + 1 + 1 + varint + n]).
    const exact = (dataBytes: number) =>
      new RecordAggregator({ maxBytes: 1_000 }).sizeWith({
        partitionKey: key,
        data: new Uint8Array(dataBytes),
      });
    expect(exact(0)).toBe(AGGREGATE_OVERHEAD_BYTES + 3 + 2 + 2 + 2);
    const aggregator = new RecordAggregator({ maxBytes: 200 });
    let fitting = 0;
    while (exact(fitting + 1) <= 200) fitting += 1;
    expect(aggregator.add({ partitionKey: key, data: new Uint8Array(fitting + 1) })).toBe('too-large');
    expect(aggregator.sizeBytes).toBe(0);
    expect(aggregator.add({ partitionKey: key, data: new Uint8Array(fitting) })).toBe('added');
    expect(aggregator.flush()?.data.length).toBe(200);
  });

  it('keeps the records in the order added, with their own keys', () => {
    const records = randomRecords(seededRandom(7), 500);
    const aggregator = new RecordAggregator({ maxBytes: 1024 * 1024 });
    for (const record of records) expect(aggregator.add(record)).toBe('added');
    const aggregate = aggregator.flush();
    expect(aggregate?.records).toEqual(records);
    expect(aggregate?.partitionKey).toBe(records[0]?.partitionKey);
    expect(decoded(aggregate?.data ?? new Uint8Array())).toEqual(plain(records));
  });

  it('stores each partition key and explicit hash key once, in first-use order', () => {
    const records = [
      { partitionKey: 'b', data: bytes('1') },
      { partitionKey: 'a', explicitHashKey: '42', data: bytes('2') },
      { partitionKey: 'b', explicitHashKey: '42', data: bytes('3') },
      { partitionKey: 'a', explicitHashKey: '7', data: bytes('4') },
      { partitionKey: 'b', data: bytes('5') },
    ];
    const aggregator = new RecordAggregator({ maxBytes: 1_000 });
    for (const record of records) aggregator.add(record);
    const message = referenceProtobuf(aggregator.flush()?.data ?? new Uint8Array());
    expect(message.partition_key_table).toEqual(['b', 'a']);
    expect(message.explicit_hash_key_table).toEqual(['42', '7']);
    expect(
      message.records.map((record) => [record.partition_key_index, record.explicit_hash_key_index]),
    ).toEqual([
      [0, undefined],
      [1, 0],
      [0, 0],
      [1, 1],
      [0, undefined],
    ]);
  });

  it('accounts for two-byte indexes once a table holds more than 128 keys', () => {
    const aggregator = new RecordAggregator({ maxBytes: 1024 * 1024 });
    for (let i = 0; i < 300; i += 1) {
      const record = { partitionKey: `key-${i}`, explicitHashKey: String(i), data: bytes(String(i)) };
      const predicted = aggregator.sizeWith(record);
      aggregator.add(record);
      expect(aggregator.sizeBytes).toBe(predicted);
    }
    const size = aggregator.sizeBytes;
    const aggregate = aggregator.flush();
    expect(aggregate?.data.length).toBe(size);
    expect(decoded(aggregate?.data ?? new Uint8Array()).at(-1)).toEqual({
      partitionKey: 'key-299',
      explicitHashKey: '299',
      data: Buffer.from('299').toString('hex'),
    });
  });

  it('counts partition keys in UTF-8 bytes, not characters', () => {
    const ascii = new RecordAggregator({ maxBytes: 1_000 }).sizeWith({
      partitionKey: 'aa',
      data: bytes('x'),
    });
    const crab = new RecordAggregator({ maxBytes: 1_000 }).sizeWith({ partitionKey: '🦀', data: bytes('x') });
    expect(crab - ascii).toBe(2); // 4 UTF-8 bytes against 2
  });

  it('flushes nothing when empty, and starts afresh after a flush', () => {
    const aggregator = new RecordAggregator({ maxBytes: 1_000 });
    expect(aggregator.flush()).toBeUndefined();
    aggregator.add({ partitionKey: 'first', data: bytes('1') });
    aggregator.flush();
    aggregator.add({ partitionKey: 'second', data: bytes('2') });
    expect(decoded(aggregator.flush()?.data ?? new Uint8Array())).toEqual([
      { partitionKey: 'second', explicitHashKey: undefined, data: Buffer.from('2').toString('hex') },
    ]);
  });

  it('rejects bounds too small for any record', () => {
    expect(() => new RecordAggregator({ maxBytes: 20 })).toThrow(RangeError);
    expect(() => new RecordAggregator({ maxBytes: 1_000.5 })).toThrow(RangeError);
  });
});
