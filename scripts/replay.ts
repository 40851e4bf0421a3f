/**
 * `npm run replay -- --csv <path> [--rate <n> | --speed <x>] [--limit <n>] [--from-line <n>]
 *   [--encoding <name>] [--stream <name>] [--no-aggregation]`
 *
 * Replays a CSV onto the stream the environment names: `STREAM_NAME` with the standard AWS
 * variables (LocalStack: `AWS_ENDPOINT_URL=http://localhost:4566`; AWS: your credentials), or, when
 * `STREAM_NAME` is unset, the embedded runtime that `npm start` is running (`--data-dir`). Exits 1 when
 * rows could not be sent, or when the replay stopped early (it prints the command that resumes it).
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { requestedReplay } from '../functions/producer/replay-request.js';
import { ConfigurationError } from '../functions/shared/errors.js';
import { findRunningRuntime } from '../local/cli/embedded-runtime.js';
import { noticeOldNode } from '../local/cli/node-support.js';
import { replayFile } from '../local/cli/replay-file.js';
import { REPLAY_FLAGS, replayRequestOf, resumeCommand, stoppedMessage } from '../local/cli/replay-flags.js';
import { DATA_DIR_OPTION } from './cli-target.js';

async function main(): Promise<void> {
  noticeOldNode();
  const { values } = parseArgs({
    strict: true,
    allowNegative: true,
    options: {
      csv: { type: 'string' },
      stream: { type: 'string' },
      ...REPLAY_FLAGS,
      ...DATA_DIR_OPTION,
      'rejects-dir': { type: 'string', default: '.' },
    },
  });
  if (!values.csv) throw new ConfigurationError('--csv <path> is required');
  const request = replayRequestOf(values);
  const streamName =
    values.stream ?? process.env.STREAM_NAME ?? (await useEmbeddedRuntime(values['data-dir']));
  const result = await replayFile(resolve(values.csv), {
    streamName,
    rejectsDir: resolve(values['rejects-dir']),
    ...requestedReplay(request),
  });
  const { rejectsFile, ...summary } = result;
  console.log(JSON.stringify(summary));
  if (rejectsFile) console.error(`rejected rows kept in ${rejectsFile}`);
  if (result.stopped) {
    const resume = resumeCommand('npm run replay --', process.argv.slice(2), result.stopped);
    console.error(stoppedMessage(result.stopped, resume));
  }
  if (result.failed > 0 || result.stopped) process.exitCode = 1;
}

/**
 * Points the SDK at the emulators of a running `npm start` and returns its stream name; fails within
 * a second or two, saying what to do, when no runtime answers for that data dir.
 */
async function useEmbeddedRuntime(dataDir: string): Promise<string> {
  const { env } = await findRunningRuntime(
    dataDir,
    'for LocalStack or AWS set STREAM_NAME (and AWS_ENDPOINT_URL for LocalStack)',
  );
  Object.assign(process.env, env);
  console.error(
    `sending to the embedded runtime's stream ${env.STREAM_NAME} at ${env.AWS_ENDPOINT_URL_KINESIS}`,
  );
  return env.STREAM_NAME ?? '';
}

main().catch((error: unknown) => {
  console.error(`replay failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
