import { describe, expect, it } from 'vitest';
import { parseSequenceNumber } from '../../../local/kinesis-server/sequence-numbers.js';
import { StreamStore } from '../../../local/kinesis-server/stream-store.js';

const HOUR = 3_600_000;
const t0 = Date.UTC(2026, 0, 1);

function storeWithShard() {
  const store = new StreamStore({
    region: 'us-east-1',
    accountId: '000000000000',
    shardLimit: 10,
    retentionHours: 24,
  });
  const stream = store.create('s', 1, 'PROVISIONED', t0);
  const shard = stream.shards[0];
  if (!shard) throw new Error('no shard');
  return { store, stream, shard };
}

describe('shard storage', () => {
  it('numbers records by position, starting at the shard StartingSequenceNumber', () => {
    const { shard } = storeWithShard();
    const first = shard.append('AA==', 'k', t0 / 1000);
    const second = shard.append('AQ==', 'k', t0 / 1000);
    expect(first.SequenceNumber).toBe(shard.startingSequenceNumber);
    expect(parseSequenceNumber(second.SequenceNumber)?.position).toBe(1);
    expect(BigInt(second.SequenceNumber) > BigInt(first.SequenceNumber)).toBe(true);
  });

  it('reads by position with a limit, returning the next position', () => {
    const { shard } = storeWithShard();
    for (let i = 0; i < 10; i += 1) shard.append(Buffer.from(String(i)).toString('base64'), 'k', t0 / 1000);
    const page = shard.read(3, 4, Number.POSITIVE_INFINITY);
    expect(page.records.map((r) => Buffer.from(r.Data, 'base64').toString())).toEqual(['3', '4', '5', '6']);
    expect(page.next).toBe(7);
    expect(shard.read(10, 5, Number.POSITIVE_INFINITY)).toEqual({ records: [], next: 10 });
  });

  it('stops before the byte budget, but always returns one record', () => {
    const { shard } = storeWithShard();
    const data = Buffer.alloc(300).toString('base64'); // 400 chars -> 300 bytes
    for (let i = 0; i < 5; i += 1) shard.append(data, 'k', t0 / 1000);
    expect(shard.read(0, 10, 3 * 301).records).toHaveLength(3);
    expect(shard.read(0, 10, 10).records).toHaveLength(1);
  });

  it('finds the first record at or after a timestamp', () => {
    const { shard } = storeWithShard();
    [0, 1000, 1000, 2000].forEach((offset, i) => {
      shard.append(Buffer.from(String(i)).toString('base64'), 'k', (t0 + offset) / 1000);
    });
    expect(shard.positionAtTimestamp(t0 / 1000)).toBe(0);
    expect(shard.positionAtTimestamp((t0 + 500) / 1000)).toBe(1);
    expect(shard.positionAtTimestamp((t0 + 1000) / 1000)).toBe(1);
    expect(shard.positionAtTimestamp((t0 + 5000) / 1000)).toBe(4);
  });

  it('trims records past retention, keeping positions and sequence numbers stable', () => {
    const { stream, shard } = storeWithShard();
    for (let i = 0; i < 3000; i += 1) shard.append('AA==', 'k', (t0 + i) / 1000);
    const kept = shard.read(2500, 1, Number.POSITIVE_INFINITY).records[0];
    stream.trim(t0 + 24 * HOUR + 2000); // drops arrivals before t0 + 2000 ms
    expect(shard.trimHorizon).toBe(2000);
    expect(shard.size).toBe(1000);
    expect(shard.nextPosition).toBe(3000);
    // Reading from before the horizon starts at the horizon; positions still map to the same records.
    expect(shard.read(0, 1, Number.POSITIVE_INFINITY).records[0]?.SequenceNumber).toMatch(/2000$/);
    expect(shard.read(2500, 1, Number.POSITIVE_INFINITY).records[0]).toBe(kept);
    expect(shard.append('AQ==', 'k', (t0 + 24 * HOUR + 2000) / 1000).SequenceNumber).toMatch(/3000$/);
  });

  it('keeps arrival times monotonic even if the clock goes back', () => {
    const { store } = storeWithShard();
    const later = store.arrivalSeconds(t0 + 5000);
    expect(store.arrivalSeconds(t0)).toBe(later);
  });

  it('gives each incarnation of a stream name a new epoch', () => {
    const { store, stream } = storeWithShard();
    store.delete('s');
    expect(store.create('s', 1, 'PROVISIONED', t0).epoch).toBeGreaterThan(stream.epoch);
  });
});
