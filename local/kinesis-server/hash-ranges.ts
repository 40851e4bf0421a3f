/**
 * How Kinesis routes a record to a shard: the MD5 of the partition key (UTF-8), read as an unsigned
 * 128-bit big-endian integer, is the record's hash key (unless an ExplicitHashKey is given), and the record
 * goes to the open shard whose hash key range holds it. A new stream splits [0, 2^128 - 1] evenly: every
 * shard gets floor(2^128 / N) keys and the last one also takes the remainder — the ranges AWS reports
 * (2 shards split at 2^127 = 170141183460469231731687303715884105728).
 */
import { createHash } from 'node:crypto';

export const HASH_KEY_SPACE = 1n << 128n;
export const MAX_HASH_KEY = HASH_KEY_SPACE - 1n;

export interface HashKeyRange {
  start: bigint;
  end: bigint;
}

/** The ranges of a new stream of `shardCount` shards, in shard order. */
export function splitHashKeySpace(shardCount: number): HashKeyRange[] {
  if (!Number.isInteger(shardCount) || shardCount < 1)
    throw new RangeError(`invalid shard count ${shardCount}`);
  const width = HASH_KEY_SPACE / BigInt(shardCount);
  return Array.from({ length: shardCount }, (_, i) => ({
    start: width * BigInt(i),
    end: i === shardCount - 1 ? MAX_HASH_KEY : width * BigInt(i + 1) - 1n,
  }));
}

/** The 128-bit hash key of a partition key: MD5 of its UTF-8 bytes, big-endian. */
export function partitionKeyHash(partitionKey: string): bigint {
  const digest = createHash('md5').update(partitionKey, 'utf8').digest();
  return (digest.readBigUInt64BE(0) << 64n) | digest.readBigUInt64BE(8);
}

/**
 * Index of the range holding `hashKey`, by binary search over the ranges' starts.
 * @param starts - starting hash keys of contiguous ranges covering [0, 2^128), ascending
 */
export function rangeIndexOf(starts: readonly bigint[], hashKey: bigint): number {
  let low = 0;
  let high = starts.length - 1;
  while (low < high) {
    const mid = (low + high + 1) >>> 1;
    if ((starts[mid] as bigint) <= hashKey) low = mid;
    else high = mid - 1;
  }
  return low;
}

/**
 * Routes partition keys to shard indexes for one stream, memoising the MD5 per key: producers reuse a
 * small set of keys, so the hash is computed once per key rather than once per record. The memo also
 * hands back one shared copy of each key string, so stored records do not each hold their own copy.
 */
export class HashKeyRouter {
  private readonly starts: bigint[];
  private readonly memo = new Map<string, { shardIndex: number; key: string }>();

  constructor(
    ranges: readonly HashKeyRange[],
    private readonly memoLimit = 100_000,
  ) {
    this.starts = ranges.map((range) => range.start);
  }

  /** Shard index for a partition key, plus the canonical (shared) copy of the key. */
  route(partitionKey: string): { shardIndex: number; key: string } {
    const known = this.memo.get(partitionKey);
    if (known) return known;
    const routed = {
      shardIndex: rangeIndexOf(this.starts, partitionKeyHash(partitionKey)),
      key: partitionKey,
    };
    // Keys that never repeat (UUIDs) would grow the memo without end: start over when it is full.
    if (this.memo.size >= this.memoLimit) this.memo.clear();
    this.memo.set(partitionKey, routed);
    return routed;
  }

  /** Shard index for an explicit hash key (already checked to be within [0, 2^128)). */
  routeHashKey(hashKey: bigint): number {
    return rangeIndexOf(this.starts, hashKey);
  }
}
