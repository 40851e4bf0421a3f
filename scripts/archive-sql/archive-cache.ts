/**
 * A local copy of `raw/`, brought up to date through the S3 API before DuckDB reads it: an object is
 * downloaded when its ETag changed since the last copy, removed when it left the bucket. The key
 * layout is kept (`<dir>/raw/dt=…/hour=…/<shard>/<sequence>.ndjson.gz`), so DuckDB's Hive partitioning
 * finds `dt` and `hour` in the paths as Athena does in the keys.
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import pLimit from 'p-limit';
import { settings } from '../../functions/shared/settings.js';

const INDEX_FILE = 'etags.json';
const DOWNLOADS_IN_FLIGHT = 8;

export interface CacheSync {
  objects: number;
  downloaded: number;
  removed: number;
}

/**
 * @param s3 - a client of the archive's S3 (emulator, LocalStack or AWS)
 * @param bucket - the archive bucket
 * @param dir - the cache folder (one per bucket)
 */
export async function syncArchiveCache(s3: S3Client, bucket: string, dir: string): Promise<CacheSync> {
  const indexPath = join(dir, INDEX_FILE);
  const cached = await readIndex(indexPath);
  const listed = new Map<string, string>();
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({
        Bucket: bucket,
        Prefix: settings.archive.rawPrefix,
        ContinuationToken: token,
      }),
    );
    for (const { Key, ETag } of page.Contents ?? []) {
      if (Key?.endsWith('.ndjson.gz')) listed.set(Key, ETag ?? '');
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);

  const limit = pLimit(DOWNLOADS_IN_FLIGHT);
  const stale = [...listed].filter(([key, etag]) => cached[key] !== etag);
  await Promise.all(
    stale.map(([key, etag]) =>
      limit(async () => {
        const response = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        const body = (await response.Body?.transformToByteArray()) ?? new Uint8Array();
        const path = join(dir, key);
        await mkdir(dirname(path), { recursive: true });
        await writeFile(path, body);
        cached[key] = response.ETag ?? etag;
      }),
    ),
  );
  const gone = Object.keys(cached).filter((key) => !listed.has(key));
  for (const key of gone) {
    await rm(join(dir, key), { force: true });
    delete cached[key];
  }
  await mkdir(dir, { recursive: true });
  await writeFile(indexPath, JSON.stringify(cached));
  return { objects: listed.size, downloaded: stale.length, removed: gone.length };
}

async function readIndex(path: string): Promise<Record<string, string>> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as Record<string, string>;
  } catch {
    return {};
  }
}
