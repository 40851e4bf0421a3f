/**
 * Opens the producer's CSV input: an S3 object, a local file, or the sample bundled with the function.
 */
import { createReadStream, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { InputFormatError } from '../shared/errors.js';

/** The bundled sample's file name: beside the Lambda bundle, and under `data/` in the repository. */
export const SAMPLE_FILE_NAME = 'infected_code_sample.csv';
/** The sample's path relative to the repository root. */
export const SAMPLE_REPOSITORY_PATH = `data/${SAMPLE_FILE_NAME}`;

/** Streams an S3 object without buffering it. */
export async function openS3Object(client: S3Client, bucket: string, key: string): Promise<Readable> {
  const output = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  if (!output.Body) throw new InputFormatError(`s3://${bucket}/${key} has no body`);
  return output.Body as Readable;
}

/**
 * The bundled sample: beside the bundle in Lambda, or in `data/` when running from the sources.
 */
export function bundledSamplePath(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [join(here, SAMPLE_FILE_NAME), join(here, '..', '..', 'data', SAMPLE_FILE_NAME)];
  const found = candidates.find((candidate) => existsSync(candidate));
  if (!found) throw new InputFormatError(`the bundled sample ${SAMPLE_FILE_NAME} is missing`);
  return found;
}

export function openLocalFile(path: string): Readable {
  return createReadStream(path);
}
