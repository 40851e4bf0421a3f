/**
 * A replay of a local CSV: an invocation of the embedded runtime's producer with a file source, or for
 * `npm run replay -- --stream` the producer's core in this process; with a progress bar on a TTY (else
 * a line when a wait for Kinesis starts and ends), drawn from the producer's `replay progress` lines.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { createProducerDeps, type ProducerResult, REPLAY_LOG } from '../../functions/producer/handler.js';
import { FileRejectSink } from '../../functions/producer/reject-sinks.js';
import {
  type ProducerTunables,
  type ReplayProgress,
  type ReplayResult,
  replayCsv,
} from '../../functions/producer/replay.js';
import { type ReplayRequest, requestedReplay } from '../../functions/producer/replay-request.js';
import type { Outage } from '../../functions/producer/stream-reachability.js';
import { ENV } from '../../functions/shared/env.js';
import { parseLogLine } from '../../scripts/logs/log-event.js';
import type { FunctionInvoker } from '../execution/invocation.js';
import { createProgress } from './progress.js';

/** What the producer's `replay progress` lines carry: the counts, and the bytes of a file read so far. */
export type ProducerProgress = ReplayProgress & { bytesRead?: number | undefined };

/**
 * Invokes the producer on a local file and waits for its result, showing its progress.
 *
 * @param invoker - the embedded runtime's execution environments
 * @param csvPath - the CSV, made absolute for the event
 * @param request - the replay's flags, as the event carries them
 * @throws when the invocation fails (the message has Lambda's error type and message)
 */
export async function replayThroughProducer(
  invoker: FunctionInvoker,
  csvPath: string,
  request: ReplayRequest = {},
): Promise<ProducerResult> {
  const file = resolve(csvPath);
  const progress = createReplayProgress((await stat(file)).size);
  let result: ProducerResult | undefined;
  try {
    const outcome = await invoker.invoke('producer', { source: { file }, ...request }, (lines) => {
      for (const { fields } of lines.map((line) => parseLogLine(line, Date.now()))) {
        if (fields.message === REPLAY_LOG.progress) progress.show(fields as ProducerProgress);
      }
    });
    if (!outcome.ok) {
      throw new Error(`the producer failed: ${outcome.error.errorType}: ${outcome.error.errorMessage}`);
    }
    result = outcome.result as ProducerResult;
    return result;
  } finally {
    progress.stop(result);
  }
}

/** A replay's bar over the file's bytes: sent, rejected, failed, and while Kinesis is away, since when. */
export function createReplayProgress(size: number) {
  const bar = createProgress('replay', size, 'MB');
  let waiting = false;
  let bytes = 0;
  const show = (counts: ProducerProgress) => {
    bytes = counts.bytesRead ?? bytes;
    const outage = counts.waitingForStream;
    if (outage && !waiting) bar.note(`${formatWaiting(outage)} …`);
    if (!outage && waiting) bar.note('Kinesis answers again: the replay goes on');
    waiting = outage !== undefined;
    const detail = `sent ${counts.sent}  rejected ${counts.rejected}  failed ${counts.failed}`;
    bar.update(bytes, outage ? `${detail}  ${formatWaiting(outage)}` : detail);
  };
  return {
    show,
    /** Shows the result's counts (over the whole file, unless it stopped early), and ends the bar. */
    stop: (result?: ReplayResult) => {
      if (result) show({ ...result, bytesRead: result.stopped ? bytes : size });
      bar.stop();
    },
  };
}

export interface ReplayFileOptions extends ReplayRequest {
  streamName: string;
  /** Folder of the reject lists (`<file name>.<source digest>.rejected-<time>.ndjson`). */
  rejectsDir: string;
  /** Producer tunables instead of the shared settings (e.g. a shorter wait for an unreachable stream). */
  producer?: ProducerTunables;
  /** The endpoints and credentials of the stream. @default process.env */
  env?: Readonly<Record<string, string | undefined>>;
}

/**
 * The `--stream` path: the producer's core, in this process, on the stream `streamName`.
 *
 * @param csvPath - the CSV; its absolute path names the reject lists, so a rerun from elsewhere finds them
 * @param options - the stream, where rejects go, and how to replay
 * @returns the result, and the file of rejected and unsendable rows when there were any
 */
export async function replayFile(
  csvPath: string,
  options: ReplayFileOptions,
): Promise<ReplayResult & { rejectsFile?: string | undefined }> {
  const { streamName, rejectsDir, producer, env = process.env, ...request } = options;
  const path = resolve(csvPath);
  const progress = createReplayProgress((await stat(path)).size);
  const input = createReadStream(path);
  const rejects = new FileRejectSink(rejectsDir, path);
  let result: ReplayResult | undefined;
  try {
    const stream = createProducerDeps({ ...env, [ENV.streamName]: streamName });
    result = await replayCsv(
      input,
      { ...stream, rejects },
      {
        ...requestedReplay(request),
        producer,
        onProgress: (counts) => progress.show({ ...counts, bytesRead: input.bytesRead }),
      },
    );
    return { ...result, rejectsFile: rejects.location() };
  } finally {
    progress.stop(result);
    input.destroy();
  }
}

/**
 * @example formatWaiting({ cause: 'connection refused', forMs: 12_300, limitMs: 120_000 })
 *   // 'waiting for Kinesis (connection refused, 12 s of at most 120 s)'
 */
export function formatWaiting(outage: Outage): string {
  const seconds = (ms: number) => Math.floor(ms / 1000);
  return `waiting for Kinesis (${outage.cause}, ${seconds(outage.forMs)} s of at most ${seconds(outage.limitMs)} s)`;
}
