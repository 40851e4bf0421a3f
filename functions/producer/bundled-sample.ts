/**
 * The sample CSV bundled with the producer function: what it replays when its event names no S3 object.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InputFormatError } from '../shared/errors.js';

/** The bundled sample's file name: beside the Lambda bundle, and under `data/` in the repository. */
export const SAMPLE_FILE_NAME = 'infected_code_sample.csv';
/** The sample's path relative to the repository root. */
export const SAMPLE_REPOSITORY_PATH = `data/${SAMPLE_FILE_NAME}`;

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
