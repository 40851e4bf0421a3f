/**
 * The objects of `raw/` and the order the batch layer reads them in: per shard, by the sequence number
 * of each object's first record, which is stream order (`functions/processor/archive.ts` names every
 * batch's object after its first record, and writes its lines in stream order).
 *
 * An author's commits all go to one shard (the partition key is the author), so per-shard stream order
 * is per-author stream order: the order both suspicion rules judge commits in, on either layer.
 * Shards are taken in name order; after a resharding, child shards (higher ids) come after their
 * parents, as Kinesis and the speed layer deliver them.
 */
import { settings } from '../shared/settings.js';

/** One archived batch: where it is and which version of it was listed. */
export interface ArchiveObject {
  key: string;
  etag: string;
  shardId: string;
  /** The sequence number of the batch's first record (decimal, up to 128 bits). */
  firstSequence: bigint;
}

const RAW_KEY = /^dt=\d{4}-\d{2}-\d{2}\/hour=\d{2}\/([^/]+)\/(\d+)\.ndjson\.gz$/;

/**
 * The object a `raw/` key names, or undefined for a key outside the processor's layout.
 *
 * @example parseArchiveKey('raw/dt=2024-01-01/hour=00/shardId-000000000000/42.ndjson.gz', '"e"')
 *   // { key, etag: '"e"', shardId: 'shardId-000000000000', firstSequence: 42n }
 */
export function parseArchiveKey(key: string, etag: string): ArchiveObject | undefined {
  const prefix = settings.archive.rawPrefix;
  if (!key.startsWith(prefix)) return undefined;
  const match = RAW_KEY.exec(key.slice(prefix.length));
  if (!match?.[1] || !match[2]) return undefined;
  return { key, etag, shardId: match[1], firstSequence: BigInt(match[2]) };
}

/** Stream order: shard, then first sequence number (as a number, not as text), then key. */
export function compareStreamOrder(a: ArchiveObject, b: ArchiveObject): number {
  if (a.shardId !== b.shardId) return a.shardId < b.shardId ? -1 : 1;
  if (a.firstSequence !== b.firstSequence) return a.firstSequence < b.firstSequence ? -1 : 1;
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

/**
 * The listing key after which every object that can still be written (or rewritten) lies: a batch's key
 * carries the arrival hour of its first record, and a record older than the stream's retention is gone
 * from the stream, so no attempt of any batch can write under an earlier hour. One hour of margin.
 *
 * @param now - the time the run started
 * @returns a `StartAfter` for ListObjectsV2: it sorts just before the first key of that hour
 */
export function rewritableFrom(now: Date): string {
  const hours = settings.stream.retentionHours + 1;
  const iso = new Date(now.getTime() - hours * 3_600_000).toISOString();
  return `${settings.archive.rawPrefix}dt=${iso.slice(0, 10)}/hour=${iso.slice(11, 13)}`;
}
