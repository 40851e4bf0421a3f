/**
 * The batch layer's port to the archive, and its S3 adapter: listing `raw/` and reading one object's
 * lines through the S3 API, so the same code reads the embedded runtime's S3 emulator, LocalStack and
 * AWS. Objects are read ahead in order, a bounded number at a time.
 */
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { settings } from '../shared/settings.js';
import { type ArchiveObject, compareStreamOrder, parseArchiveKey } from './archive-objects.js';

export interface ArchiveListing {
  /** Objects in the processor's key layout, in stream order. */
  objects: ArchiveObject[];
  /** Keys under `raw/` outside that layout: not read, reported. */
  unrecognised: string[];
}

/** The text of one object as read, and the version read (its ETag at the time of the read). */
export interface ArchiveRead {
  text: string;
  etag: string;
}

export interface RawArchive {
  /**
   * Lists `raw/`.
   *
   * @param startAfter - list only keys after this one (see `rewritableFrom`)
   */
  list(startAfter?: string): Promise<ArchiveListing>;
  /** Reads an object's (decompressed) text. */
  read(object: ArchiveObject): Promise<ArchiveRead>;
}

const gunzipAsync = promisify(gunzip);

/** {@link RawArchive} over the archive bucket. */
export class S3RawArchive implements RawArchive {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
  ) {}

  async list(startAfter?: string): Promise<ArchiveListing> {
    const listing: ArchiveListing = { objects: [], unrecognised: [] };
    let token: string | undefined;
    do {
      const page = await this.s3.send(
        new ListObjectsV2Command({
          Bucket: this.bucket,
          Prefix: settings.archive.rawPrefix,
          ContinuationToken: token,
          StartAfter: token ? undefined : startAfter,
        }),
      );
      for (const { Key: key = '', ETag: etag = '' } of page.Contents ?? []) {
        const object = parseArchiveKey(key, etag);
        if (object) listing.objects.push(object);
        else listing.unrecognised.push(key);
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    listing.objects.sort(compareStreamOrder);
    return listing;
  }

  async read(object: ArchiveObject): Promise<ArchiveRead> {
    const response = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: object.key }));
    const body = (await response.Body?.transformToByteArray()) ?? new Uint8Array();
    return { text: (await gunzipAsync(body)).toString('utf8'), etag: response.ETag ?? object.etag };
  }
}

/**
 * Reads objects in the given order, up to `readAhead` of them downloaded and decompressed ahead of the
 * one the caller is at: memory holds at most that many objects (each one batch of the processor).
 *
 * @param archive - where to read
 * @param objects - in the order to yield them
 * @param readAhead - objects in flight at once, the yielded one included
 */
export async function* readInOrder(
  archive: RawArchive,
  objects: readonly ArchiveObject[],
  readAhead: number = settings.batch.readAheadObjects,
): AsyncGenerator<{ object: ArchiveObject } & ArchiveRead> {
  const inFlight: Array<Promise<{ object: ArchiveObject } & ArchiveRead>> = [];
  let next = 0;
  const fill = () => {
    while (inFlight.length < readAhead && next < objects.length) {
      const object = objects[next++] as ArchiveObject;
      const reading = archive.read(object).then((read) => ({ object, ...read }));
      // Awaited in order below; until then a failure must not count as unhandled.
      reading.catch(() => undefined);
      inFlight.push(reading);
    }
  };
  fill();
  while (inFlight.length > 0) {
    const reading = inFlight.shift() as Promise<{ object: ArchiveObject } & ArchiveRead>;
    fill();
    yield await reading;
  }
}
