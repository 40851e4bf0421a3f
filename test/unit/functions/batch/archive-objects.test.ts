import { describe, expect, it } from 'vitest';
import {
  compareStreamOrder,
  parseArchiveKey,
  rewritableFrom,
} from '../../../../functions/batch/archive-objects.js';

const key = (shard: string, sequence: string, hour = '00') =>
  `raw/dt=2024-01-01/hour=${hour}/${shard}/${sequence}.ndjson.gz`;

describe('archive objects', () => {
  it('reads shard and first sequence number from a raw/ key, and nothing from other keys', () => {
    expect(parseArchiveKey(key('shardId-000000000001', '42'), '"e"')).toEqual({
      key: key('shardId-000000000001', '42'),
      etag: '"e"',
      shardId: 'shardId-000000000001',
      firstSequence: 42n,
    });
    expect(parseArchiveKey('raw/notes.txt', '"e"')).toBeUndefined();
    expect(parseArchiveKey('quarantine/dt=2024-01-01/hour=00/s/1.ndjson.gz', '"e"')).toBeUndefined();
  });

  it('orders by shard, then by sequence number as a 128-bit number, not as text', () => {
    const big = '49654567234551247982773193451263497437286209417394438146';
    const objects = [
      key('shardId-000000000001', '5'),
      key('shardId-000000000000', big),
      key('shardId-000000000000', '10', '23'),
      key('shardId-000000000000', '9', '23'),
    ].map((k) => parseArchiveKey(k, '') ?? expect.fail(k));
    expect(
      objects.sort(compareStreamOrder).map((object) => `${object.shardId}/${object.firstSequence}`),
    ).toEqual([
      'shardId-000000000000/9',
      'shardId-000000000000/10',
      `shardId-000000000000/${big}`,
      'shardId-000000000001/5',
    ]);
  });

  it('lists rewritable keys from the stream retention and an hour before the start', () => {
    const after = rewritableFrom(new Date('2024-03-02T10:30:00Z'));
    expect(after).toBe('raw/dt=2024-03-01/hour=09');
    expect(key('s', '1', '09').replace('2024-01-01', '2024-03-01') > after).toBe(true);
    expect(key('s', '1', '08').replace('2024-01-01', '2024-03-01') > after).toBe(false);
  });
});
