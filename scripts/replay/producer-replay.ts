/**
 * `npm run replay` through the producer function, the same InvokeCommand on both targets
 * (scripts/invoke/invocation-target.ts): on the embedded runtime of `--data-dir` (its Invoke API) with
 * `{ source: { file: <absolute --csv> } }`, its progress read from the function's log as it is written;
 * on the deployed stack with the sample bundled with the producer, or `--key` under `sources/` of its
 * archive bucket. The replay flags go into the event (functions/producer/replay-request.ts).
 */
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fileSourceName } from '../../functions/producer/csv-source.js';
import { type ProducerResult, REPLAY_LOG } from '../../functions/producer/handler.js';
import type { ReplayResult } from '../../functions/producer/replay.js';
import type { ReplayRequest } from '../../functions/producer/replay-request.js';
import { UsageError } from '../../functions/shared/errors.js';
import { embeddedLogFile } from '../../lib/pipeline-functions.js';
import { createReplayProgress, type ProducerProgress } from '../../local/cli/replay-file.js';
import { resumeCommand, stoppedMessage } from '../../local/cli/replay-flags.js';
import type { Outcome } from '../cli/exit-codes.js';
import type { Target } from '../cli/target-flags.js';
import { invokeDeployed, readStackOutputs, reportInvocation, requireOutput } from '../deployed-stack.js';
import { invocationTargetOf } from '../invoke/invocation-target.js';
import { parseLogLine } from '../logs/log-event.js';
import { readLogFile } from '../logs/log-file-reader.js';

/** Embedded: `csv` (required); deployed: `key` in `bucket` or the stack's, else the bundled sample. */
export interface ProducerReplayOptions {
  readonly request: ReplayRequest;
  readonly csv: string | undefined;
  readonly key: string | undefined;
  readonly bucket: string | undefined;
  /** The arguments as given, for the command that resumes a stopped replay. */
  readonly argv: readonly string[];
}

/**
 * @param target - the embedded runtime of a data dir, or a deployed stack
 * @param options - what to replay, and how
 * @returns `found-problem` when the producer failed, rows could not be sent, or the replay stopped early
 * @throws UsageError without `--csv` (embedded), on `--bucket` without `--key`, or with nothing to invoke
 */
export async function replayThroughFunction(
  target: Target,
  options: ProducerReplayOptions,
): Promise<Outcome> {
  let source: { file: string } | { bucket: string; key: string } | undefined;
  if (target.kind === 'embedded') {
    if (options.csv === undefined) throw new UsageError('--csv <path> is required');
    source = { file: resolve(options.csv) };
  } else if (options.key !== undefined) {
    const bucket =
      options.bucket ??
      requireOutput(await readStackOutputs(target.outputsFile, target.stackName), 'BucketName');
    source = { bucket, key: options.key };
  } else if (options.bucket !== undefined) throw new UsageError('--bucket needs --key');
  const producer = await invocationTargetOf('producer', target);
  const file = source && 'file' in source ? source.file : undefined;
  const s3 = source && 'key' in source && `s3://${source.bucket}/${source.key}`;
  console.error(`invoking ${producer.description} on ${file ?? (s3 || 'the bundled sample')}…`);
  const stopFollowing = target.kind === 'embedded' && file ? follow(target.dataDir, file) : undefined;
  const invocation = await invokeDeployed(producer.client, producer.functionName, {
    source,
    ...options.request,
  }).finally(() => stopFollowing?.());
  if (!invocation.ok) return reportInvocation(invocation);
  const { rejectsAt, ...result } = JSON.parse(invocation.payload) as ProducerResult;
  return reportReplay(result, rejectsAt, options.argv);
}

/**
 * Prints a replay's result, where its rejects are, and the command that resumes it when it stopped:
 * then, or when rows could not be sent, the outcome is `found-problem`.
 */
export function reportReplay(
  result: ReplayResult,
  rejectsAt: string | undefined,
  argv: readonly string[],
): Outcome {
  console.log(JSON.stringify(result));
  if (rejectsAt) console.error(`rejected rows kept in ${rejectsAt}`);
  if (result.stopped) {
    console.error(stoppedMessage(result.stopped, resumeCommand('npm run replay --', argv, result.stopped)));
  }
  return result.failed > 0 || result.stopped ? 'found-problem' : 'done';
}

/**
 * Draws the progress of this replay from `<data-dir>/logs/producer.ndjson`: the `replay progress` lines
 * of the invocation whose `replay started`, logged from now on, names this file.
 *
 * @returns stops following, and ends the bar
 */
function follow(dataDir: string, file: string): () => Promise<void> {
  const controller = new AbortController();
  const since = Date.now() - 1_000;
  const shown = (async () => {
    const progress = createReplayProgress((await stat(file).catch(() => undefined))?.size ?? 0);
    const source = fileSourceName(file);
    let requestId: unknown;
    const path = embeddedLogFile(dataDir, 'producer');
    try {
      for await (const { line, readAt } of readLogFile(path, { follow: true, signal: controller.signal })) {
        const { fields, timestamp } = parseLogLine(line, readAt);
        if (timestamp < since) continue;
        if (fields.message === REPLAY_LOG.started && fields.source === source) {
          requestId = fields.function_request_id;
        } else if (fields.message === REPLAY_LOG.progress && fields.function_request_id === requestId) {
          progress.show(fields as ProducerProgress);
        }
      }
    } catch {
      // The progress is a courtesy: a log that cannot be read leaves the result to say what happened.
    }
    return progress;
  })();
  return async () => {
    controller.abort();
    (await shown).stop();
  };
}
