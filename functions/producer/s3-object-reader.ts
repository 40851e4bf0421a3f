/**
 * Streams an S3 object as a series of ranged GETs. A response that breaks off mid-body (a reset, a
 * server closing a slowly read stream) is resumed at the byte it reached, so a long replay never
 * depends on one connection staying up; the ETag pins every range to the version the read began with.
 */
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { GetObjectCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { InputFormatError } from '../shared/errors.js';

export interface RangedReadOptions {
  /** Bytes per GET. */
  rangeBytes: number;
  /** Attempts in a row that bring no new byte, the first included, before the read fails. */
  attempts: number;
  /** Pause before a resumed attempt. */
  retryDelayMs: number;
}

/**
 * @returns the object's bytes in order; the stream errors with the position reached when `attempts`
 *   GETs in a row bring no byte, or with an InputFormatError when the object changes meanwhile
 */
export function readS3Object(
  client: S3Client,
  bucket: string,
  key: string,
  options: RangedReadOptions,
): Readable {
  return Readable.from(objectChunks(client, bucket, key, options), { objectMode: false });
}

async function* objectChunks(
  client: S3Client,
  bucket: string,
  key: string,
  options: RangedReadOptions,
): AsyncGenerator<Uint8Array> {
  const where = `s3://${bucket}/${key}`;
  const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
  const size = head.ContentLength ?? 0;
  const etag = head.ETag;
  let offset = 0;
  // GETs in a row that brought no byte: a download that keeps moving is resumed as long as it moves.
  let stalled = 0;
  // A resumed GET finishes the range the broken one was reading.
  let rangeEnd = -1;
  while (offset < size) {
    if (offset > rangeEnd) rangeEnd = Math.min(offset + options.rangeBytes, size) - 1;
    const startedAt = offset;
    try {
      const response = await client.send(
        new GetObjectCommand({
          Bucket: bucket,
          Key: key,
          Range: `bytes=${offset}-${rangeEnd}`,
          IfMatch: etag,
        }),
      );
      // Servers without conditional GETs (some emulators) still tell the version by its ETag.
      if (etag && response.ETag && response.ETag !== etag) throw new ObjectChangedError();
      if (!response.Body) throw new InputFormatError(`${where} answered a range without a body`);
      for await (const chunk of response.Body as Readable) {
        offset += (chunk as Uint8Array).length;
        yield chunk as Uint8Array;
      }
      if (offset <= rangeEnd) throw new Error(`the range ended at byte ${offset}, before ${rangeEnd + 1}`);
      stalled = 0;
    } catch (error) {
      if (changedMeanwhile(error)) {
        throw new InputFormatError(`${where} changed while it was read (at byte ${offset} of ${size})`, {
          cause: error,
        });
      }
      if (error instanceof InputFormatError) throw error;
      stalled = offset > startedAt ? 0 : stalled + 1;
      if (stalled >= options.attempts) {
        throw new Error(
          `${where}: the read broke off at byte ${offset} of ${size} ${stalled} times in a row without progress: ${messageOf(error)}`,
          { cause: error },
        );
      }
      await sleep(options.retryDelayMs * Math.max(1, stalled));
    }
  }
}

class ObjectChangedError extends Error {}

/** S3 answers 412 when the ETag of `IfMatch` is no longer the object's. */
function changedMeanwhile(error: unknown): boolean {
  if (error instanceof ObjectChangedError) return true;
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return status === 412 || (error as { name?: string }).name === 'PreconditionFailed';
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
