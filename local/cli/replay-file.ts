/**
 * Replays a local CSV file through the producer's core, in a worker thread, with a progress bar on a
 * TTY. Shared by `npm start` (embedded runtime) and `npm run replay` (any stream the environment names).
 * While Kinesis cannot be reached the progress says "waiting for Kinesis (…)" (without a TTY, a line
 * when the wait starts and one when it ends).
 */
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { ProducerTunables, ReplayProgress, ReplayResult } from '../../functions/producer/replay.js';
import type { RequestedReplay } from '../../functions/producer/replay-request.js';
import type { Outage } from '../../functions/producer/stream-reachability.js';
import { createProgress } from './progress.js';
import type { ReplayJob, ReplayMessage } from './replay-worker.js';

export interface ReplayFileOptions extends Partial<RequestedReplay> {
  streamName: string;
  /** Folder of the reject lists (`<file name>.<source digest>.rejected-<time>.ndjson`). */
  rejectsDir: string;
  /** Producer tunables instead of the shared settings (e.g. a shorter wait for an unreachable stream). */
  producer?: ProducerTunables;
  /** Variables over this process's (e.g. the endpoints the functions reach, when they differ). */
  env?: Readonly<Record<string, string>>;
}

export interface ReplayFileResult extends ReplayResult {
  /** The NDJSON file holding rejected and unsendable rows, when there were any. */
  rejectsFile?: string;
}

/** The variables the SDK and the handlers read: what the worker needs to reach the same stream. */
const FORWARDED_ENV = /^(AWS_|STREAM_NAME$|ARCHIVE_BUCKET$)/;

export async function replayFile(csvPath: string, options: ReplayFileOptions): Promise<ReplayFileResult> {
  const { streamName, rejectsDir, producer, env, ...replay } = options;
  const { size } = await stat(csvPath);
  const job: ReplayJob = {
    // The reject lists are named after the absolute path: a rerun from elsewhere finds them.
    csvPath: resolve(csvPath),
    streamName,
    rejectsDir,
    env: {
      ...Object.fromEntries(
        Object.entries(process.env).filter(
          (entry): entry is [string, string] => FORWARDED_ENV.test(entry[0]) && !!entry[1],
        ),
      ),
      ...env,
    },
    replay,
    producer,
  };
  const progress = createProgress('replay', size, 'MB');
  const worker = startTypeScriptWorker(new URL('./replay-worker.ts', import.meta.url), job);
  let waiting = false;
  const showProgress = (bytesRead: number, counts: ReplayProgress) => {
    const outage = counts.waitingForStream;
    if (outage && !waiting) progress.note(`${formatWaiting(outage)} …`);
    if (!outage && waiting) progress.note('Kinesis answers again: the replay goes on');
    waiting = outage !== undefined;
    const detail = `sent ${counts.sent}  rejected ${counts.rejected}  failed ${counts.failed}`;
    progress.update(bytesRead, outage ? `${detail}  ${formatWaiting(outage)}` : detail);
  };
  try {
    return await new Promise<ReplayFileResult>((resolveResult, reject) => {
      worker.on('message', (message: ReplayMessage) => {
        if (message.kind === 'progress') {
          showProgress(message.bytesRead, message.progress);
        } else if (message.kind === 'done') {
          showProgress(message.result.stopped ? message.bytesRead : size, message.result);
          resolveResult({ ...message.result, rejectsFile: message.rejectsFile });
        } else {
          reject(new Error(message.message));
        }
      });
      worker.once('error', reject);
      worker.once('exit', (code) =>
        reject(new Error(`the replay worker exited (code ${code}) before finishing`)),
      );
    });
  } finally {
    progress.stop();
    await worker.terminate();
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

/** Worker threads do not inherit the TypeScript loader: the worker loads its entry through tsx's API. */
function startTypeScriptWorker(entry: URL, workerData: unknown): Worker {
  const source = `import('tsx/esm/api').then(({ tsImport }) => tsImport(${JSON.stringify(entry.href)}, ${JSON.stringify(import.meta.url)}))`;
  return new Worker(source, { eval: true, workerData });
}
