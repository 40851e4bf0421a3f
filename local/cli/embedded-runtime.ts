/**
 * Finding the embedded runtime that `npm start` runs, from another command (`npm run replay`,
 * `npm run redrive`): its `<data-dir>/runtime.json`, a live pid, and an answer from its Kinesis
 * endpoint, or an error within a second or two that says what to do.
 */
import { resolve } from 'node:path';
import { ConfigurationError } from '../../functions/shared/errors.js';
import { findRuntime, type RuntimeFile } from '../runtime-file.js';

/** How long the embedded runtime's Kinesis endpoint may take to answer before it counts as gone. */
const PROBE_TIMEOUT_MS = 1_500;

/**
 * @param dataDir - the `--data-dir` of `npm start` (default there: `.local-data`)
 * @param otherwise - how to reach a deployed pipeline instead, for the error message
 * @returns the runtime's file: its environment reaches its emulators and resources
 * @throws ConfigurationError when no runtime answers for that data dir
 */
export async function findRunningRuntime(dataDir: string, otherwise: string): Promise<RuntimeFile> {
  const lookup = findRuntime(resolve(dataDir));
  const howTo =
    'start one with npm start (in another terminal), or, if it runs with --data-dir <dir>, pass the same ' +
    `--data-dir <dir> here; ${otherwise}`;
  if (lookup.kind === 'missing') {
    throw new ConfigurationError(`no embedded runtime found for ${dataDir} (no ${lookup.file}): ${howTo}`);
  }
  if (lookup.kind === 'stale') {
    throw new ConfigurationError(
      `the embedded runtime that wrote ${lookup.file} (pid ${lookup.runtime.pid}) is no longer running: ${howTo}`,
    );
  }
  const endpoint = lookup.runtime.env.AWS_ENDPOINT_URL_KINESIS ?? '';
  if (!(await answers(endpoint))) {
    throw new ConfigurationError(
      `the embedded runtime's Kinesis endpoint ${endpoint} does not answer: ${howTo}`,
    );
  }
  return lookup.runtime;
}

/** True when something answers HTTP at the endpoint within the probe timeout (any status will do). */
async function answers(endpoint: string): Promise<boolean> {
  try {
    await fetch(endpoint, { signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
    return true;
  } catch {
    return false;
  }
}
