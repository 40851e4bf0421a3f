/**
 * `npm run replay` on this machine (`--target embedded`): reads a local CSV and sends it through the
 * producer's core (local/cli/replay-file.ts) to the stream of the runtime `npm start` runs on the data
 * dir, or to a stream named with `--stream` or `STREAM_NAME`: the escape hatch to any Kinesis stream
 * the standard AWS variables reach, one that no target describes (a stream made by hand, a test's).
 */
import { resolve } from 'node:path';
import type { ReplayRequest } from '../../functions/producer/replay-request.js';
import { requestedReplay } from '../../functions/producer/replay-request.js';
import { UsageError } from '../../functions/shared/errors.js';
import { findRunningRuntime } from '../../local/cli/embedded-runtime.js';
import { replayFile } from '../../local/cli/replay-file.js';
import { resumeCommand, stoppedMessage } from '../../local/cli/replay-flags.js';
import type { Outcome } from '../cli/exit-codes.js';
import type { EmbeddedTarget } from '../cli/target-flags.js';

export interface LocalReplayOptions {
  /** The CSV to replay (required). */
  readonly csv: string | undefined;
  /** Where the list of rejected rows goes. */
  readonly rejectsDir: string;
  /** A stream to send to instead of the runtime's. */
  readonly stream: string | undefined;
  readonly request: ReplayRequest;
  /** The arguments as given, for the command that resumes a stopped replay. */
  readonly argv: readonly string[];
}

/**
 * @param target - the data dir of the runtime (unused when `options.stream` names a stream)
 * @param options - the file, where its rejects go, and how to replay it
 * @returns `found-problem` when rows could not be sent or the replay stopped early (the resuming command
 *   is printed)
 * @throws UsageError without `--csv`, or when no runtime runs on the data dir
 */
export async function replayOnThisMachine(
  target: EmbeddedTarget,
  options: LocalReplayOptions,
): Promise<Outcome> {
  if (options.csv === undefined) throw new UsageError('--csv <path> is required');
  const streamName = options.stream ?? (await useEmbeddedRuntime(target.dataDir));
  if (options.stream !== undefined) {
    const endpoint = process.env.AWS_ENDPOINT_URL_KINESIS ?? process.env.AWS_ENDPOINT_URL ?? 'AWS';
    console.error(`sending to the stream ${streamName} at ${endpoint} (--stream or STREAM_NAME)`);
  }
  const result = await replayFile(resolve(options.csv), {
    streamName,
    rejectsDir: resolve(options.rejectsDir),
    ...requestedReplay(options.request),
  });
  const { rejectsFile, ...summary } = result;
  console.log(JSON.stringify(summary));
  if (rejectsFile) console.error(`rejected rows kept in ${rejectsFile}`);
  if (result.stopped) {
    console.error(
      stoppedMessage(result.stopped, resumeCommand('npm run replay --', options.argv, result.stopped)),
    );
  }
  return result.failed > 0 || result.stopped ? 'found-problem' : 'done';
}

/**
 * Points the SDK at the emulators of a running `npm start` and returns its stream name; fails within
 * a second or two, saying what to do, when no runtime answers for that data dir.
 */
async function useEmbeddedRuntime(dataDir: string): Promise<string> {
  const { env } = await findRunningRuntime(dataDir);
  Object.assign(process.env, env);
  console.error(
    `sending to the embedded runtime's stream ${env.STREAM_NAME} at ${env.AWS_ENDPOINT_URL_KINESIS}`,
  );
  return env.STREAM_NAME ?? '';
}
