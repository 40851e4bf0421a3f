/**
 * Where the producer reads its CSV: an S3 object (`{ bucket, key }`, in ranged GETs) or a file on the
 * function's filesystem (`{ file }`: any file of the machine on the embedded runtime; in Lambda one in
 * the bundle or `/tmp`); by default the sample bundled beside the function. A source's name keeps the
 * reject lists of its runs together (`rejected/<name>/<run>/`, superseded by a rerun): `s3://<bucket>/<key>`
 * or `file/<basename>.<digest of the absolute path>` (namesakes in two folders stay apart).
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { basename, dirname, isAbsolute, join } from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { S3Client } from '@aws-sdk/client-s3';
import { z } from 'zod';
import { InputFormatError } from '../shared/errors.js';
import { settings } from '../shared/settings.js';
import { readS3Object } from './s3-object-reader.js';

/** The bundled sample's file name: beside the Lambda bundle, and under `data/` in the repository. */
export const SAMPLE_FILE_NAME = 'infected_code_sample.csv';
/** The sample's path relative to the repository root. */
export const SAMPLE_REPOSITORY_PATH = `data/${SAMPLE_FILE_NAME}`;

/** The bundled sample: beside the bundle in Lambda, or in `data/` when running from the sources. */
export function bundledSamplePath(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [join(here, SAMPLE_FILE_NAME), join(here, '..', '..', 'data', SAMPLE_FILE_NAME)];
  const found = candidates.find((candidate) => existsSync(candidate));
  if (!found) throw new InputFormatError(`the bundled sample ${SAMPLE_FILE_NAME} is missing`);
  return found;
}

export const csvSourceSchema = z.union([
  z.object({ bucket: z.string().min(1), key: z.string().min(1) }).strict(),
  z
    .object({
      file: z
        .string()
        .refine(isAbsolute, { error: (issue) => `${String(issue.input)} is not an absolute path` }),
    })
    .strict(),
]);

export type CsvSource = z.output<typeof csvSourceSchema>;

/**
 * @param source - the event's source; absent: the bundled sample
 * @param s3 - the client an S3 source is read with
 * @returns its bytes, its name, and (a file) how many bytes were read so far
 * @throws InputFormatError when the file does not exist
 */
export function openCsvSource(
  source: CsvSource | undefined,
  s3: S3Client,
): { input: Readable; name: string; bytesRead?: () => number } {
  const chosen = source ?? { file: bundledSamplePath() };
  if ('bucket' in chosen) {
    return {
      input: readS3Object(s3, chosen.bucket, chosen.key, settings.producer.sourceRead),
      name: `s3://${chosen.bucket}/${chosen.key}`,
    };
  }
  if (!existsSync(chosen.file)) throw new InputFormatError(`${chosen.file}: no such file`);
  const input = createReadStream(chosen.file);
  return { input, name: fileSourceName(chosen.file), bytesRead: () => input.bytesRead };
}

/** @example fileSourceName('/data/log.csv') // 'file/log.csv.3f1c…' (12 hex digits) */
export function fileSourceName(path: string): string {
  const digest = createHash('sha256').update(path).digest('hex').slice(0, 12);
  return `file/${basename(path)}.${digest}`;
}
