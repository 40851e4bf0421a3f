import { createHash } from 'node:crypto';
import type { Shard } from '@aws-sdk/client-kinesis';
import { describe, expect, it, vi } from 'vitest';
import {
  landedElsewhere,
  MAX_HASH_KEY,
  partitionKeyHash,
  ShardMap,
  ShardMapCache,
} from '../../../../../functions/shared/kinesis-aggregation/shard-map.js';

const TWO_TO_127 = 1n << 127n;

/** Shards as ListShards lists a new stream of `count` shards (AWS's even split). */
function listedShards(count: number): Shard[] {
  const width = (MAX_HASH_KEY + 1n) / BigInt(count);
  return Array.from({ length: count }, (_, i) => ({
    ShardId: `shardId-${String(i).padStart(12, '0')}`,
    HashKeyRange: {
      StartingHashKey: String(width * BigInt(i)),
      EndingHashKey: String(i === count - 1 ? MAX_HASH_KEY : width * BigInt(i + 1) - 1n),
    },
    SequenceNumberRange: { StartingSequenceNumber: '1' },
  }));
}

/** Which of `count` even ranges holds the MD5 of a key, computed from the hex digest. */
function expectedShard(partitionKey: string, count: number): string {
  const hash = BigInt(`0x${createHash('md5').update(Buffer.from(partitionKey, 'utf8')).digest('hex')}`);
  const index = Math.min(count - 1, Number(hash / ((MAX_HASH_KEY + 1n) / BigInt(count))));
  return `shardId-${String(index).padStart(12, '0')}`;
}

describe('shard map', () => {
  it('hashes a partition key as Kinesis does: MD5 of its UTF-8 bytes, big-endian', () => {
    for (const key of ['person_1', 'ключ', '🦀 crab', '0', 'k'.repeat(256)]) {
      expect(partitionKeyHash(key)).toBe(BigInt(`0x${createHash('md5').update(key).digest('hex')}`));
    }
  });

  it('routes partition keys to the shard whose range holds their hash, for 1 to 5 shards', () => {
    const keys = [...Array.from({ length: 300 }, (_, i) => `person_${i}`), 'ключ', '🦀', ''];
    for (let count = 1; count <= 5; count += 1) {
      const map = ShardMap.fromShards(listedShards(count));
      for (const key of keys) expect(map.shardIdOf(key)).toBe(expectedShard(key, count));
      // Routing again (memoised) answers the same.
      for (const key of keys) expect(map.shardIdOf(key)).toBe(expectedShard(key, count));
    }
  });

  it('routes hash keys at the range boundaries', () => {
    const map = ShardMap.fromShards(listedShards(2));
    expect(map.shardIdOfHashKey(0n)).toBe('shardId-000000000000');
    expect(map.shardIdOfHashKey(TWO_TO_127 - 1n)).toBe('shardId-000000000000');
    expect(map.shardIdOfHashKey(TWO_TO_127)).toBe('shardId-000000000001');
    expect(map.shardIdOfHashKey(MAX_HASH_KEY)).toBe('shardId-000000000001');
    expect(() => map.shardIdOfHashKey(MAX_HASH_KEY + 1n)).toThrow(RangeError);
    expect(() => map.shardIdOfHashKey(-1n)).toThrow(RangeError);
  });

  it('gives each shard an explicit hash key that routes back to it', () => {
    for (let count = 1; count <= 7; count += 1) {
      const map = ShardMap.fromShards(listedShards(count));
      for (const { shardId } of map.shards) {
        expect(map.shardIdOfHashKey(BigInt(map.explicitHashKeyOf(shardId)))).toBe(shardId);
      }
    }
    expect(() => ShardMap.fromShards(listedShards(2)).explicitHashKeyOf('shardId-000000000009')).toThrow(
      RangeError,
    );
  });

  it('keeps only open shards, in hash key order, after a split', () => {
    const [parent, sibling] = listedShards(2) as [Shard, Shard];
    const quarter = 1n << 126n;
    const closed = {
      ...parent,
      SequenceNumberRange: { StartingSequenceNumber: '1', EndingSequenceNumber: '9' },
    };
    const children: Shard[] = [
      {
        ShardId: 'shardId-000000000003',
        HashKeyRange: { StartingHashKey: String(quarter), EndingHashKey: String(TWO_TO_127 - 1n) },
        SequenceNumberRange: { StartingSequenceNumber: '10' },
      },
      {
        ShardId: 'shardId-000000000002',
        HashKeyRange: { StartingHashKey: '0', EndingHashKey: String(quarter - 1n) },
        SequenceNumberRange: { StartingSequenceNumber: '10' },
      },
    ];
    const map = ShardMap.fromShards([closed, sibling, ...children]);
    expect(map.shards.map((shard) => shard.shardId)).toEqual([
      'shardId-000000000002',
      'shardId-000000000003',
      'shardId-000000000001',
    ]);
    expect(map.has('shardId-000000000000')).toBe(false);
    expect(map.shardIdOfHashKey(quarter)).toBe('shardId-000000000003');
  });

  it('refuses open shards that leave a gap or overlap', () => {
    const [first, second] = listedShards(2) as [Shard, Shard];
    expect(() => ShardMap.fromShards([first])).toThrow(/end at/);
    const gap = {
      ...second,
      HashKeyRange: { StartingHashKey: String(TWO_TO_127 + 1n), EndingHashKey: String(MAX_HASH_KEY) },
    };
    expect(() => ShardMap.fromShards([first, gap])).toThrow(/starts at/);
    expect(() => ShardMap.fromShards([first, second, first])).toThrow(RangeError);
    expect(() => ShardMap.fromShards([{ ShardId: 'x' } as Shard])).toThrow(/no hash key range/);
    expect(() => ShardMap.fromShards([])).toThrow(RangeError);
  });
});

describe('detecting a changed shard map', () => {
  it('sees a stale map in an accepted record on another shard than predicted, and in nothing else', () => {
    expect(landedElsewhere('shardId-000000000001', 'shardId-000000000001')).toBe(false);
    expect(landedElsewhere('shardId-000000000001', 'shardId-000000000004')).toBe(true);
    // A failed entry (ErrorCode, no ShardId) says nothing about the map, nor does an unrouted one.
    expect(landedElsewhere('shardId-000000000001', undefined)).toBe(false);
    expect(landedElsewhere(undefined, 'shardId-000000000004')).toBe(false);
  });

  it('flags the records of a stale map once the stream is resharded', () => {
    const stale = ShardMap.fromShards(listedShards(2));
    const current = ShardMap.fromShards(listedShards(4));
    const keys = Array.from({ length: 50 }, (_, i) => `person_${i}`);
    // What Kinesis answers once the stream has 4 shards, for records routed by the stale map's keys.
    const landed = keys.map((key) =>
      current.shardIdOfHashKey(BigInt(stale.explicitHashKeyOf(stale.shardIdOf(key)))),
    );
    expect(keys.some((key, index) => landedElsewhere(stale.shardIdOf(key), landed[index]))).toBe(true);
  });
});

describe('shard map cache', () => {
  it('loads once for concurrent callers, and again only after the map it holds is invalidated', async () => {
    const maps = [ShardMap.fromShards(listedShards(2)), ShardMap.fromShards(listedShards(4))];
    const load = vi.fn(async () => maps[load.mock.calls.length - 1] as ShardMap);
    const cache = new ShardMapCache(load);
    const [a, b] = await Promise.all([cache.get(), cache.get()]);
    expect(a).toBe(maps[0]);
    expect(b).toBe(a);
    expect(load).toHaveBeenCalledTimes(1);
    cache.invalidate(a);
    cache.invalidate(a); // a second caller that saw the same stale map
    const fresh = await cache.get();
    expect(fresh).toBe(maps[1]);
    cache.invalidate(a); // stale news: the map was replaced already
    expect(await cache.get()).toBe(fresh);
    expect(load).toHaveBeenCalledTimes(2);
  });

  it('retries a failed load on the next call', async () => {
    const map = ShardMap.fromShards(listedShards(1));
    const load = vi.fn().mockRejectedValueOnce(new Error('throttled')).mockResolvedValue(map);
    const cache = new ShardMapCache(load);
    await expect(cache.get()).rejects.toThrow('throttled');
    expect(await cache.get()).toBe(map);
  });
});
