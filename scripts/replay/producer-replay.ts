/**
 * `npm run replay` through the producer function, the same InvokeCommand on both targets
 * (scripts/invoke/invocation-target.ts): on the embedded runtime of `--data-dir` (its Invoke API) with
 * `{ source: { file: <absolute --csv> } }`, following the function's log for its `replay progress`
 * lines; on the deployed stack with the sample bundled with the producer, or `--key` under `sources/`
 * of its archive bucket. The replay flags go into the event (functions/producer/replay-request.ts).
 */
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fileSourceName } from '../../functions/producer/csv-source.js';
import type { ProducerResult } from '../../functions/producer/handler.js';
import type { ReplayRequest } from '../../functions/producer/replay-request.js';
import { UsageError } from '../../functions/shared/errors.js';
import { embeddedLogFile } from '../../lib/pipeline-functions.js';
import { createReplayProgress, progressOfLine } from '../../local/cli/replay-file.js';
import { resumeCommand, stoppedMessage } from '../../local/cli/replay-flags.js';
import type { Outcome } from '../cli/exit-codes.js';
import type { DeployedTarget, EmbeddedTarget, Target } from '../cli/target-flags.js';
import { invokeDeployed, readStackOutputs, reportInvocation, requireOutput } from '../deployed-stack.js';
import { invocationTargetOf } from '../invoke/invocation-target.js';
import { readLogFile } from '../logs/log-file-reader.js';

export interface ProducerReplayOptions {
  readonly request: ReplayRequest;
  /** Embedded: the CSV on this machine (required). */
  readonly csv: string | undefined;
  /** Deployed: a CSV under `sources/` of the bucket; absent: the sample bundled with the producer. */
  readonly key: string | undefined;
  /** Deployed: another bucket than the stack's archive bucket (with `key` only). */
  readonly bucket: string | undefined;
  /** The arguments as given, for the command that resumes a stopped replay. */
  readonly argv: readonly string[];
}

/**
 * @param target - the embedded runtime of a data dir, or a deployed stack
 * @param options - what to replay, and how
 * @returns `found-problem` when the producer failed, rows could not be sent, or the replay stopped early
 *   (the resuming command is printed)
 * @throws UsageError without `--csv` (embedded), on `--bucket` without `--key`, or when there is no
 *   runtime or stack to invoke
 */
export async function replayThroughFunction(
  target: Target,
  options: ProducerReplayOptions,
): Promise<Outcome> {
  const source = await sourceOf(target, options);
  const producer = await invocationTargetOf('producer', target);
  console.error(`invoking ${producer.description} on ${'file' in source ? source.file : describe(source)}…`);
  const following = target.kind === 'embedded' && 'file' in source ? follow(target, source.file) : undefined;
  const invocation = await invokeDeployed(producer.client, producer.functionName, {
    ...(!('bundled' in source) && { source }),
    ...options.request,
  }).catch(async (error: unknown) => {
    await following?.end();
    throw error;
  });
  const result = invocation.ok ? (JSON.parse(invocation.payload) as ProducerResult) : undefined;
  await following?.end(result);
  if (!result) return reportInvocation(invocation);
  const { rejectsAt, ...summary } = result;
  console.log(JSON.stringify(summary));
  if (rejectsAt) console.error(`rejected rows kept in ${rejectsAt}`);
  if (result.stopped) {
    console.error(
      stoppedMessage(result.stopped, resumeCommand('npm run replay --', options.argv, result.stopped)),
    );
  }
  return result.failed > 0 || result.stopped ? 'found-problem' : 'done';
}

type Source = { file: string } | { bucket: string; key: string } | { bundled: true };

async function sourceOf(target: Target, options: ProducerReplayOptions): Promise<Source> {
  if (target.kind === 'embedded') {
    if (options.csv === undefined) throw new UsageError('--csv <path> is required');
    return { file: resolve(options.csv) };
  }
  return deployedSourceOf(target, options);
}

async function deployedSourceOf(target: DeployedTarget, options: ProducerReplayOptions): Promise<Source> {
  if (options.bucket !== undefined && options.key === undefined) throw new UsageError('--bucket needs --key');
  if (options.key === undefined) return { bundled: true };
  const bucket =
    options.bucket ??
    requireOutput(await readStackOutputs(target.outputsFile, target.stackName), 'BucketName');
  return { bucket, key: options.key };
}

function describe(source: Exclude<Source, { file: string }>): string {
  return 'bucket' in source ? `s3://${source.bucket}/${source.key}` : 'the bundled sample';
}

/**
 * Shows the progress of this replay from the runtime's `<data-dir>/logs/producer.ndjson`: the lines of
 * the invocation whose `replay started` names this file, logged since now.
 */
function follow(target: EmbeddedTarget, file: string) {
  const controller = new AbortController();
  const since = new Date(Date.now() - 1_000).toISOString();
  const name = fileSourceName(file);
  const shown = (async () => {
    const progress = createReplayProgress((await stat(file)).size);
    let requestId: string | undefined;
    try {
      const lines = readLogFile(embeddedLogFile(target.dataDir, 'producer'), {
        follow: true,
        signal: controller.signal,
      });
      for await (const { line } of lines) {
        if (requestId === undefined) requestId = startOf(line, name, since);
        const counts = requestId === undefined ? undefined : progressOfLine(line, requestId);
        if (counts) progress.show(counts);
      }
    } catch {
      // Progress is a courtesy: a log that cannot be read leaves the result to say what happened.
    }
    return progress;
  })();
  return {
    /** Stops following; shows the result's counts last. */
    end: async (result?: ProducerResult) => {
      controller.abort();
      const progress = await shown;
      if (result) progress.finish(result);
      progress.stop();
    },
  };
}

/** The request id of a `replay started` line of this file's source, logged since `since`. */
function startOf(line: string, source: string, since: string): string | undefined {
  if (!line.includes('"replay started"')) return undefined;
  try {
    const parsed = JSON.parse(line) as { source?: string; timestamp?: string; function_request_id?: string };
    if (parsed.source !== source || (parsed.timestamp ?? '') < since) return undefined;
    return parsed.function_request_id;
  } catch {
    return undefined;
  }
}
