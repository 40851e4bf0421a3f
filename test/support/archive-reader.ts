/**
 * The cold path as the processor wrote it: the lines of the gzip NDJSON objects under `raw/` (or
 * `quarantine/`) of the archive bucket, for the integration and end-to-end suites.
 */
import { gunzipSync } from 'node:zlib';
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { settings } from '../../functions/shared/settings.js';

/** The key layout the processor writes (functions/processor/archive.ts). */
export const RAW_KEY = /^raw\/dt=\d{4}-\d{2}-\d{2}\/hour=\d{2}\/shardId-\d+\/\d+\.ndjson\.gz$/;

export interface RawArchive {
  keys: string[];
  /** Every record's commit id, one entry per archived record (a commit archived twice appears twice). */
  commitIds: string[];
}

/**
 * Reads `raw/` of a bucket. Each version of an object (key + ETag) is downloaded once per reader.
 */
export class RawArchiveReader {
  private readonly cache = new Map<string, string[]>();

  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
  ) {}

  async read(): Promise<RawArchive> {
    const objects: Array<{ key: string; etag: string }> = [];
    let token: string | undefined;
    do {
      const page = await this.s3.send(
        new ListObjectsV2Command({
          Bucket: this.bucket,
          Prefix: settings.archive.rawPrefix,
          ContinuationToken: token,
        }),
      );
      for (const object of page.Contents ?? []) {
        objects.push({ key: object.Key ?? '', etag: object.ETag ?? '' });
      }
      token = page.NextContinuationToken;
    } while (token);

    const commitIds: string[] = [];
    for (const { key, etag } of objects) {
      const version = `${key}\n${etag}`;
      let ids = this.cache.get(version);
      if (!ids) {
        ids = await this.commitIdsOf(key);
        this.cache.set(version, ids);
      }
      commitIds.push(...ids);
    }
    return { keys: objects.map((object) => object.key), commitIds };
  }

  private async commitIdsOf(key: string): Promise<string[]> {
    const object = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
    const body = Buffer.from((await object.Body?.transformToByteArray()) ?? new Uint8Array());
    return gunzipSync(body)
      .toString('utf8')
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => (JSON.parse(line) as { commitId: string }).commitId);
  }
}

/** How many times each value occurs. */
export function occurrences(values: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return counts;
}

/**
 * Every line of the objects under a prefix whose key contains `keyPart` (e.g. a shard id), parsed.
 *
 * @param s3 - a client of the archive's S3
 * @param bucket - the archive bucket
 * @param prefix - `raw/` or `quarantine/`
 */
export async function archivedLines<T = Record<string, unknown>>(
  s3: S3Client,
  bucket: string,
  prefix: string,
  keyPart = '',
): Promise<T[]> {
  const lines: T[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
    );
    for (const { Key: key = '' } of page.Contents ?? []) {
      if (!key.includes(keyPart)) continue;
      const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      const body = gunzipSync(Buffer.from((await object.Body?.transformToByteArray()) ?? new Uint8Array()));
      for (const line of body.toString('utf8').split('\n'))
        if (line.trim() !== '') lines.push(JSON.parse(line) as T);
    }
    token = page.NextContinuationToken;
  } while (token);
  return lines;
}

/**
 * The rows a producer run kept (`rejectsAt` of its result: `s3://<bucket>/rejected/<source>/<run>/`),
 * every part in order.
 *
 * @param s3 - a client of the archive's S3
 * @param location - the run's `rejectsAt`; absent: no row was kept
 */
export async function rejectedRowsAt<T = Record<string, unknown>>(
  s3: S3Client,
  location: string | undefined,
): Promise<T[]> {
  if (location === undefined) return [];
  const [, bucket = '', prefix = ''] = /^s3:\/\/([^/]+)\/(.*)$/.exec(location) ?? [];
  const rows: T[] = [];
  const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
  const keys = (page.Contents ?? []).map((object) => object.Key ?? '').sort();
  for (const key of keys) {
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    const text = (await object.Body?.transformToString('utf8')) ?? '';
    for (const line of text.split('\n')) if (line.trim() !== '') rows.push(JSON.parse(line) as T);
  }
  return rows;
}
