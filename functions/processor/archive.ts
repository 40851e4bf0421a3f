/**
 * The cold path: a batch's records as gzip NDJSON objects at Hive-style keys. Valid records go under
 * `raw/`, refused ones with their reason under `quarantine/`.
 *
 * One arrival of a record is in the archive once, whatever the retry history of its batch. The key is
 * derived from the batch's first record only (shard and sequence number), and a retried batch always
 * starts at that same record, its checkpoint: so every attempt writes the same keys, and the last one
 * replaces what an earlier, longer or shorter, attempt left there. An attempt with no record of a kind
 * deletes that kind's object, which an earlier attempt may have written with records that now belong to
 * a later batch. (S3 does not charge for deletes, and a delete of a missing key succeeds.)
 */
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { ObjectStore } from '../shared/ports.js';
import { settings } from '../shared/settings.js';

export interface BatchIdentity {
  shardId: string;
  /** Sequence number of the batch's first record: the checkpoint a retry starts from. */
  firstSequence: string;
  /** Arrival time of the batch's first record, seconds since the epoch. */
  arrivedAt: number;
}

/** The batch's lines: valid records as produced, and quarantine entries with their reasons. */
export interface ArchiveContent {
  raw: readonly string[];
  quarantine: readonly string[];
}

/**
 * `<prefix>dt=YYYY-MM-DD/hour=HH/<shardId>/<firstSequence>.ndjson.gz`, in UTC.
 *
 * @example archiveKey('raw/', { shardId: 'shardId-000000000000', firstSequence: '1',
 *   arrivedAt: 1704067200 }) === 'raw/dt=2024-01-01/hour=00/shardId-000000000000/1.ndjson.gz'
 */
export function archiveKey(prefix: string, batch: BatchIdentity): string {
  const iso = new Date(batch.arrivedAt * 1000).toISOString();
  const date = iso.slice(0, 10);
  const hour = iso.slice(11, 13);
  return `${prefix}dt=${date}/hour=${hour}/${batch.shardId}/${batch.firstSequence}.ndjson.gz`;
}

/**
 * Writes (or, when empty, deletes) the batch's `raw/` and `quarantine/` objects.
 *
 * @param store - the archive bucket
 * @param batch - which batch, by its first record
 * @param content - the lines of each kind
 * @param signal - aborts the writes (the processor's deadline)
 */
export async function archiveBatch(
  store: ObjectStore,
  batch: BatchIdentity,
  content: ArchiveContent,
  signal?: AbortSignal,
): Promise<void> {
  const kinds: Array<[string, readonly string[]]> = [
    [settings.archive.rawPrefix, content.raw],
    [settings.archive.quarantinePrefix, content.quarantine],
  ];
  await Promise.all(
    kinds.map(async ([prefix, lines]) => {
      const key = archiveKey(prefix, batch);
      if (lines.length === 0) return store.delete(key, { signal });
      return store.put(
        key,
        { body: await gzipAsync(`${lines.join('\n')}\n`), contentType: GZIP },
        { signal },
      );
    }),
  );
}

/** Stored compressed, not served with Content-Encoding, so readers see the .gz object as written. */
const GZIP = 'application/gzip';

/** Compresses on libuv's thread pool, off the event loop. */
const gzipAsync = promisify(gzip);

/** One NDJSON line per record: a pretty-printed record is compacted, its content unchanged. */
export function ndjsonLine(text: string): string {
  return text.includes('\n') ? JSON.stringify(JSON.parse(text)) : text;
}
