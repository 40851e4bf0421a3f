/**
 * Which shard a partition key goes to, as Kinesis decides it: the MD5 of the key's UTF-8 bytes, read as
 * an unsigned 128-bit big-endian integer, is its hash key, and the open shard whose HashKeyRange holds
 * it takes the record. An aggregate holds records of one shard only and is sent with an ExplicitHashKey
 * inside that shard's range, so it lands where each of its records would have landed alone.
 *
 * The map is built from ListShards (or DescribeStream) output and goes stale when the stream is
 * resharded. A PutRecords answer shows it: an accepted record on a shard other than the predicted one
 * (`landedElsewhere`); then the caller reloads the map (`ShardMapCache.invalidate`).
 *
 * The local Kinesis server routes with code of its own (local/kinesis-server/hash-ranges.ts), on purpose:
 * the integration tests check this prediction against that server, and the server against kinesalite.
 */
import { createHash } from 'node:crypto';
import type { Shard } from '@aws-sdk/client-kinesis';

/** 2^128 - 1, the largest hash key. */
export const MAX_HASH_KEY = (1n << 128n) - 1n;

/** An open shard's range of hash keys (both ends included). */
export interface ShardRange {
  shardId: string;
  startingHashKey: bigint;
  endingHashKey: bigint;
}

/** The 128-bit hash key Kinesis gives a partition key: MD5 of its UTF-8 bytes, big-endian. */
export function partitionKeyHash(partitionKey: string): bigint {
  const digest = createHash('md5').update(partitionKey, 'utf8').digest();
  return (digest.readBigUInt64BE(0) << 64n) | digest.readBigUInt64BE(8);
}

/** Keys whose shard is remembered; producers reuse few keys, and the memo starts over when full. */
const ROUTE_MEMO_LIMIT = 100_000;

export class ShardMap {
  /** Open shards in hash key order. */
  readonly shards: readonly ShardRange[];
  private readonly starts: bigint[];
  private readonly byId: Map<string, ShardRange>;
  private readonly routes = new Map<string, ShardRange>();

  /**
   * @param ranges - the open shards' ranges; together they must cover [0, 2^128 - 1] without gaps or
   *   overlaps (what Kinesis guarantees of the open shards)
   * @throws RangeError when they do not
   */
  constructor(ranges: readonly ShardRange[]) {
    const sorted = [...ranges].sort((a, b) =>
      a.startingHashKey < b.startingHashKey ? -1 : a.startingHashKey > b.startingHashKey ? 1 : 0,
    );
    let next = 0n;
    for (const range of sorted) {
      if (range.startingHashKey !== next || range.endingHashKey < range.startingHashKey) {
        throw new RangeError(
          `open shards do not cover the hash key space: ${range.shardId} starts at ${range.startingHashKey}, expected ${next}`,
        );
      }
      next = range.endingHashKey + 1n;
    }
    if (next !== MAX_HASH_KEY + 1n) {
      throw new RangeError(`open shards do not cover the hash key space: they end at ${next - 1n}`);
    }
    this.shards = sorted;
    this.starts = sorted.map((range) => range.startingHashKey);
    this.byId = new Map(sorted.map((range) => [range.shardId, range]));
  }

  /**
   * The map of a stream's open shards, from ListShards or DescribeStream output (closed shards, those
   * with an EndingSequenceNumber, are left out).
   * @param shards - every shard of the stream, or its open ones
   */
  static fromShards(shards: readonly Shard[]): ShardMap {
    return new ShardMap(
      shards
        .filter((shard) => shard.SequenceNumberRange?.EndingSequenceNumber === undefined)
        .map((shard) => {
          const { ShardId, HashKeyRange } = shard;
          if (!ShardId || !HashKeyRange?.StartingHashKey || !HashKeyRange.EndingHashKey) {
            throw new RangeError(`shard ${ShardId ?? '(no id)'} has no hash key range`);
          }
          return {
            shardId: ShardId,
            startingHashKey: BigInt(HashKeyRange.StartingHashKey),
            endingHashKey: BigInt(HashKeyRange.EndingHashKey),
          };
        }),
    );
  }

  /** The shard a record with this partition key (and no ExplicitHashKey) goes to. */
  shardIdOf(partitionKey: string): string {
    let range = this.routes.get(partitionKey);
    if (range === undefined) {
      range = this.rangeOf(partitionKeyHash(partitionKey));
      if (this.routes.size >= ROUTE_MEMO_LIMIT) this.routes.clear();
      this.routes.set(partitionKey, range);
    }
    return range.shardId;
  }

  /** The shard that holds a hash key (0 ≤ hashKey ≤ 2^128 - 1). */
  shardIdOfHashKey(hashKey: bigint): string {
    if (hashKey < 0n || hashKey > MAX_HASH_KEY) throw new RangeError(`hash key ${hashKey} out of range`);
    return this.rangeOf(hashKey).shardId;
  }

  /**
   * An ExplicitHashKey (decimal) that routes a record to this shard: its starting hash key.
   * @throws RangeError for a shard not in the map
   */
  explicitHashKeyOf(shardId: string): string {
    const range = this.byId.get(shardId);
    if (!range) throw new RangeError(`shard ${shardId} is not an open shard of the map`);
    return range.startingHashKey.toString();
  }

  has(shardId: string): boolean {
    return this.byId.has(shardId);
  }

  private rangeOf(hashKey: bigint): ShardRange {
    let low = 0;
    let high = this.starts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >>> 1;
      if ((this.starts[mid] as bigint) <= hashKey) low = mid;
      else high = mid - 1;
    }
    return this.shards[low] as ShardRange;
  }
}

/**
 * Whether a record shows the shard map stale: Kinesis accepted it on another shard than the map
 * predicted. An entry without a shard on either side (not routed by the map, or failed: an ErrorCode
 * and no ShardId) says nothing about the map.
 *
 * @param predictedShardId - the shard the map routed the record to
 * @param landedShardId - the shard PutRecords answered for it
 */
export function landedElsewhere(
  predictedShardId: string | undefined,
  landedShardId: string | undefined,
): boolean {
  return predictedShardId !== undefined && landedShardId !== undefined && landedShardId !== predictedShardId;
}

/**
 * Holds the current shard map, loading it on first use and again after it was found stale. Callers that
 * see the same stale map invalidate it once between them: `invalidate` ignores a map already replaced.
 */
export class ShardMapCache {
  private current: Promise<ShardMap> | undefined;
  private loaded: ShardMap | undefined;

  /** @param load - reads the stream's open shards (e.g. {@link loadShardMap}) */
  constructor(private readonly load: () => Promise<ShardMap>) {}

  /** The current map; loads it when there is none (a failed load is retried by the next call). */
  get(): Promise<ShardMap> {
    if (!this.current) {
      const loading = this.load().then(
        (map) => {
          this.loaded = map;
          return map;
        },
        (error: unknown) => {
          if (this.current === loading) this.current = undefined;
          throw error;
        },
      );
      this.current = loading;
    }
    return this.current;
  }

  /** Drops `stale` so the next `get` reloads; a no-op when the map has been replaced since. */
  invalidate(stale: ShardMap): void {
    if (this.loaded === stale) {
      this.loaded = undefined;
      this.current = undefined;
    }
  }
}
