/**
 * Finding the embedded runtime that `npm start` runs, from another command (`--target embedded`, the
 * default of every command that acts on a pipeline): its `<data-dir>/runtime.json`, a live pid, and an
 * answer from its Kinesis endpoint, or a usage error within a second or two that says what to do.
 */
import { resolve } from 'node:path';
import { UsageError } from '../../functions/shared/errors.js';
import { findRuntime, type RuntimeFile } from '../runtime-file.js';

/** How long the embedded runtime's Kinesis endpoint may take to answer before it counts as gone. */
const PROBE_TIMEOUT_MS = 1_500;

/**
 * @param dataDir - the `--data-dir` of `npm start`
 * @returns the runtime's file: its environment reaches its emulators and resources
 * @throws UsageError when no runtime answers for that data dir (the command cannot start)
 */
export async function findRunningRuntime(dataDir: string): Promise<RuntimeFile> {
  const lookup = findRuntime(resolve(dataDir));
  const howTo =
    'start one with npm start (in another terminal), or, if it runs with --data-dir <dir>, pass the same ' +
    '--data-dir <dir> here; or pass --target deployed for a deployed stack (LocalStack or AWS)';
  if (lookup.kind === 'missing') {
    throw new UsageError(`no embedded runtime found for ${dataDir} (no ${lookup.file}): ${howTo}`);
  }
  if (lookup.kind === 'stale') {
    throw new UsageError(
      `the embedded runtime that wrote ${lookup.file} (pid ${lookup.runtime.pid}) is no longer running: ${howTo}`,
    );
  }
  const endpoint = lookup.runtime.env.AWS_ENDPOINT_URL_KINESIS ?? '';
  if (!(await answers(endpoint))) {
    throw new UsageError(`the embedded runtime's Kinesis endpoint ${endpoint} does not answer: ${howTo}`);
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
