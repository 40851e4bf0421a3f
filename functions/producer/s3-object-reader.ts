/**
 * Streams an S3 object as a series of ranged GETs. A response that breaks off mid-body (a reset, a
 * server closing a slowly read stream) is resumed at the byte it reached, so a long replay never
 * depends on one connection staying up; the ETag pins every range to the version the read began with.
 *
 * A GET counts as an attempt until it brings a byte: GETs in a row that bring none spend the retry
 * budget, and one that brings bytes before breaking off starts a fresh one, so a download that keeps
 * moving is resumed as long as it moves.
 */
import { Readable } from 'node:stream';
import {
  GetObjectCommand,
  type GetObjectCommandOutput,
  HeadObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { InputFormatError, messageOf } from '../shared/errors.js';
import { type RetryPolicy, retry } from '../shared/retry.js';

export interface RangedReadOptions {
  /** Bytes per GET. */
  rangeBytes: number;
  /** GETs in a row that bring no new byte (the first included), and the waits between them. */
  retry: RetryPolicy;
}

/**
 * @returns the object's bytes in order; the stream errors with the position reached when
 *   `retry.attempts` GETs in a row bring no byte, or with an InputFormatError when the object changes
 *   meanwhile
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
  const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
  const size = head.ContentLength ?? 0;
  const object: ObjectVersion = {
    client,
    bucket,
    key,
    where: `s3://${bucket}/${key}`,
    size,
    etag: head.ETag,
  };
  let offset = 0;
  // A resumed GET finishes the range the broken one was reading.
  let rangeEnd = -1;
  while (offset < size) {
    if (offset > rangeEnd) rangeEnd = Math.min(offset + options.rangeBytes, size) - 1;
    const from = offset;
    const end = rangeEnd;
    const { first, rest } = await retry(() => firstBytesOf(object, from, end), options.retry, {
      retryable: (error) => !(error instanceof InputFormatError),
    }).catch((error: unknown) => {
      if (error instanceof InputFormatError) throw error;
      throw new Error(
        `${object.where}: the read broke off at byte ${from} of ${size} ${options.retry.attempts} times in a row without progress: ${messageOf(error)}`,
        { cause: error },
      );
    });
    offset += first.length;
    yield first;
    try {
      for await (const chunk of { [Symbol.asyncIterator]: () => rest }) {
        offset += chunk.length;
        yield chunk;
      }
    } catch {
      // Broken off after bringing bytes: the next GET resumes at the byte reached, with a fresh budget.
    }
  }
}

/** The object, as the read began with it. */
interface ObjectVersion {
  client: S3Client;
  bucket: string;
  key: string;
  where: string;
  size: number;
  etag: string | undefined;
}

/**
 * One GET of bytes `from`–`end`, as far as its first chunk: a GET that brings no byte is a failed
 * attempt. An object that changed meanwhile is an InputFormatError (not worth another attempt).
 */
async function firstBytesOf(
  object: ObjectVersion,
  from: number,
  end: number,
): Promise<{ first: Uint8Array; rest: AsyncIterator<Uint8Array> }> {
  const changed = (cause?: unknown) =>
    new InputFormatError(`${object.where} changed while it was read (at byte ${from} of ${object.size})`, {
      cause,
    });
  let response: GetObjectCommandOutput;
  try {
    response = await object.client.send(
      new GetObjectCommand({
        Bucket: object.bucket,
        Key: object.key,
        Range: `bytes=${from}-${end}`,
        IfMatch: object.etag,
      }),
    );
  } catch (error) {
    if (changedMeanwhile(error)) throw changed(error);
    throw error;
  }
  // Servers without conditional GETs (some emulators) still tell the version by its ETag.
  if (object.etag && response.ETag && response.ETag !== object.etag) throw changed();
  if (!response.Body) throw new InputFormatError(`${object.where} answered a range without a body`);
  const chunks = (response.Body as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]();
  const first = await chunks.next();
  if (first.done) throw new Error(`the range ended at byte ${from}, before ${end + 1}`);
  return { first: first.value, rest: chunks };
}

/** S3 answers 412 when the ETag of `IfMatch` is no longer the object's. */
function changedMeanwhile(error: unknown): boolean {
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return status === 412 || (error as { name?: string }).name === 'PreconditionFailed';
}
