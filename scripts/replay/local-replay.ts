/**
 * `npm run replay -- --stream <name>` (or `STREAM_NAME`): the escape hatch to any Kinesis stream the
 * standard AWS variables reach, one that no target describes (a stream made by hand, a test's). No
 * runtime and no producer function: this process reads `--csv` and runs the producer's core on it
 * (local/cli/replay-file.ts), its rejects in a file of `--rejects-dir`.
 */
import { resolve } from 'node:path';
import type { ReplayRequest } from '../../functions/producer/replay-request.js';
import { requestedReplay } from '../../functions/producer/replay-request.js';
import { UsageError } from '../../functions/shared/errors.js';
import { replayFile } from '../../local/cli/replay-file.js';
import { resumeCommand, stoppedMessage } from '../../local/cli/replay-flags.js';
import type { Outcome } from '../cli/exit-codes.js';

export interface StreamReplayOptions {
  /** The CSV to replay (required). */
  readonly csv: string | undefined;
  /** Where the list of rejected rows goes. */
  readonly rejectsDir: string;
  /** The stream to send to. */
  readonly stream: string;
  readonly request: ReplayRequest;
  /** The arguments as given, for the command that resumes a stopped replay. */
  readonly argv: readonly string[];
}

/**
 * @param options - the file, the stream, where its rejects go, and how to replay it
 * @returns `found-problem` when rows could not be sent or the replay stopped early (the resuming command
 *   is printed)
 * @throws UsageError without `--csv`
 */
export async function replayToStream(options: StreamReplayOptions): Promise<Outcome> {
  if (options.csv === undefined) throw new UsageError('--csv <path> is required');
  const endpoint = process.env.AWS_ENDPOINT_URL_KINESIS ?? process.env.AWS_ENDPOINT_URL ?? 'AWS';
  console.error(`sending to the stream ${options.stream} at ${endpoint} (--stream or STREAM_NAME)`);
  const result = await replayFile(resolve(options.csv), {
    streamName: options.stream,
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
