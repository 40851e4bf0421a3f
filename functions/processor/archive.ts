/**
 * The cold path: a batch's records as gzip NDJSON objects at deterministic Hive-style keys.
 * Valid records go under `raw/`, invalid ones with their reason under `quarantine/`. A retried batch
 * writes the same keys, so it replaces its objects instead of duplicating them.
 */
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { ObjectStore } from '../shared/ports.js';
import { settings } from '../shared/settings.js';
import type { DecodedRecord } from './stream-batch.js';

export interface BatchIdentity {
  shardId: string;
  firstSequence: string;
  lastSequence: string;
  /** Arrival time of the batch's first record, seconds since the epoch. */
  arrivedAt: number;
}

/**
 * `<prefix>dt=YYYY-MM-DD/hour=HH/<shardId>/<firstSequence>-<lastSequence>.ndjson.gz`, in UTC.
 *
 * @example archiveKey('raw/', { shardId: 'shardId-000000000000', firstSequence: '1', lastSequence: '9',
 *   arrivedAt: 1704067200 }) === 'raw/dt=2024-01-01/hour=00/shardId-000000000000/1-9.ndjson.gz'
 */
export function archiveKey(prefix: string, batch: BatchIdentity): string {
  const iso = new Date(batch.arrivedAt * 1000).toISOString();
  const date = iso.slice(0, 10);
  const hour = iso.slice(11, 13);
  return `${prefix}dt=${date}/hour=${hour}/${batch.shardId}/${batch.firstSequence}-${batch.lastSequence}.ndjson.gz`;
}

/** Writes the batch's valid records to `raw/` and its invalid ones to `quarantine/`. */
export async function archiveBatch(
  store: ObjectStore,
  batch: BatchIdentity,
  records: readonly DecodedRecord[],
): Promise<void> {
  // NDJSON needs one line per record; a pretty-printed record is compacted, its content unchanged.
  const valid = records
    .filter((record) => record.result.ok)
    .map((record) => (record.text.includes('\n') ? JSON.stringify(JSON.parse(record.text)) : record.text));
  const invalid = records.flatMap((record) =>
    record.result.ok
      ? []
      : [
          JSON.stringify({
            sequenceNumber: record.sequenceNumber,
            reason: record.result.reason,
            data: record.text,
          }),
        ],
  );
  const writes: Promise<void>[] = [];
  if (valid.length > 0) writes.push(putNdjson(store, archiveKey(settings.archive.rawPrefix, batch), valid));
  if (invalid.length > 0) {
    writes.push(putNdjson(store, archiveKey(settings.archive.quarantinePrefix, batch), invalid));
  }
  await Promise.all(writes);
}

/** Compresses on libuv's thread pool, off the event loop. */
const gzipAsync = promisify(gzip);

async function putNdjson(store: ObjectStore, key: string, lines: string[]): Promise<void> {
  return store.put(key, {
    body: await gzipAsync(`${lines.join('\n')}\n`),
    // Stored compressed, not served with Content-Encoding, so readers see the .gz object as written.
    contentType: 'application/gzip',
  });
}
