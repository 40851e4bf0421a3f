/**
 * `npm run replay -- --csv <path> [--rate <n> | --speed <x>] [--limit <n>] [--stream <name>] [--no-aggregation]`
 *
 * Replays a CSV onto the stream the environment names: `STREAM_NAME` with the standard AWS
 * variables (LocalStack: `AWS_ENDPOINT_URL=http://localhost:4566`; AWS: your credentials), or, when
 * `STREAM_NAME` is unset, the embedded runtime that `npm start` is running (`--data-dir`).
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { pacingOf } from '../functions/producer/pacing-options.js';
import { ConfigurationError } from '../functions/shared/errors.js';
import { settings } from '../functions/shared/settings.js';
import { noticeOldNode } from '../local/cli/node-support.js';
import { replayFile } from '../local/cli/replay-file.js';
import { integerFlag, positiveNumber } from '../local/cli/start-options.js';
import { findRuntime } from '../local/runtime-file.js';

/** How long the embedded runtime's Kinesis endpoint may take to answer before it counts as gone. */
const PROBE_TIMEOUT_MS = 1_500;

async function main(): Promise<void> {
  noticeOldNode();
  const { values } = parseArgs({
    strict: true,
    allowNegative: true,
    options: {
      csv: { type: 'string' },
      stream: { type: 'string' },
      rate: { type: 'string' },
      speed: { type: 'string' },
      limit: { type: 'string' },
      aggregation: { type: 'boolean', default: settings.producer.aggregation.enabled },
      'data-dir': { type: 'string', default: '.local-data' },
      'rejects-dir': { type: 'string', default: '.' },
    },
  });
  if (!values.csv) throw new ConfigurationError('--csv <path> is required');
  const streamName =
    values.stream ?? process.env.STREAM_NAME ?? (await useEmbeddedRuntime(values['data-dir']));
  const result = await replayFile(resolve(values.csv), {
    streamName,
    rejectsDir: resolve(values['rejects-dir']),
    pacing: pacingOf({
      rate: positiveNumber('rate', values.rate),
      speed: positiveNumber('speed', values.speed),
    }),
    limit:
      values.limit === undefined ? undefined : integerFlag('limit', values.limit, 1, Number.MAX_SAFE_INTEGER),
    aggregate: values.aggregation,
  });
  const { rejectsFile, ...summary } = result;
  console.log(JSON.stringify(summary));
  if (rejectsFile) console.error(`rejected rows kept in ${rejectsFile}`);
  if (result.failed > 0) process.exitCode = 1;
}

/**
 * Points the SDK at the emulators of a running `npm start` and returns its stream name; fails within
 * a second or two, saying what to do, when no runtime answers for that data dir.
 */
async function useEmbeddedRuntime(dataDir: string): Promise<string> {
  const lookup = findRuntime(resolve(dataDir));
  const howTo =
    `start one with npm start (in another terminal), or, if it runs with --data-dir <dir>, pass the same ` +
    `--data-dir <dir> here; for LocalStack or AWS set STREAM_NAME (and AWS_ENDPOINT_URL for LocalStack)`;
  if (lookup.kind === 'missing') {
    throw new ConfigurationError(`no embedded runtime found for ${dataDir} (no ${lookup.file}): ${howTo}`);
  }
  if (lookup.kind === 'stale') {
    throw new ConfigurationError(
      `the embedded runtime that wrote ${lookup.file} (pid ${lookup.runtime.pid}) is no longer running: ${howTo}`,
    );
  }
  const { env } = lookup.runtime;
  const endpoint = env.AWS_ENDPOINT_URL_KINESIS ?? '';
  if (!(await answers(endpoint))) {
    throw new ConfigurationError(
      `the embedded runtime's Kinesis endpoint ${endpoint} does not answer: ${howTo}`,
    );
  }
  Object.assign(process.env, env);
  console.error(`sending to the embedded runtime's stream ${env.STREAM_NAME} at ${endpoint}`);
  return env.STREAM_NAME ?? '';
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

main().catch((error: unknown) => {
  console.error(`replay failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
