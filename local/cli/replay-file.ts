/**
 * Replays a local CSV file through the producer's core, in a worker thread, with a progress bar on a
 * TTY. Shared by `npm start` (embedded runtime) and `npm run replay` (any stream the environment names).
 */
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Pacing } from '../../functions/producer/pacer.js';
import type { ReplayResult } from '../../functions/producer/replay.js';
import { createProgress } from './progress.js';
import type { ReplayJob, ReplayMessage } from './replay-worker.js';

export interface ReplayFileOptions {
  streamName: string;
  /** Folder of the reject lists (`<file name>.<source digest>.rejected-<time>.ndjson`). */
  rejectsDir: string;
  pacing?: Pacing;
  limit?: number;
  /** KPL aggregation (default: `settings.producer.aggregation.enabled`). */
  aggregate?: boolean;
}

export interface ReplayFileResult extends ReplayResult {
  /** The NDJSON file holding rejected and unsendable rows, when there were any. */
  rejectsFile?: string;
}

/** The variables the SDK and the handlers read: what the worker needs to reach the same stream. */
const FORWARDED_ENV = /^(AWS_|STREAM_NAME$|ARCHIVE_BUCKET$)/;

export async function replayFile(csvPath: string, options: ReplayFileOptions): Promise<ReplayFileResult> {
  const { size } = await stat(csvPath);
  const job: ReplayJob = {
    // The reject lists are named after the absolute path: a rerun from elsewhere finds them.
    csvPath: resolve(csvPath),
    streamName: options.streamName,
    rejectsDir: options.rejectsDir,
    env: Object.fromEntries(
      Object.entries(process.env).filter(
        (entry): entry is [string, string] => FORWARDED_ENV.test(entry[0]) && !!entry[1],
      ),
    ),
    pacing: options.pacing,
    limit: options.limit,
    aggregate: options.aggregate,
  };
  const progress = createProgress('replay', size, 'MB');
  const worker = startTypeScriptWorker(new URL('./replay-worker.ts', import.meta.url), job);
  try {
    return await new Promise<ReplayFileResult>((resolve, reject) => {
      worker.on('message', (message: ReplayMessage) => {
        if (message.kind === 'progress') {
          progress.update(
            message.bytesRead,
            `sent ${message.sent}  rejected ${message.rejected}  failed ${message.failed}`,
          );
        } else if (message.kind === 'done') {
          progress.update(
            size,
            `sent ${message.result.sent}  rejected ${message.result.rejected}  failed ${message.result.failed}`,
          );
          resolve({ ...message.result, rejectsFile: message.rejectsFile });
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

/** Worker threads do not inherit the TypeScript loader: the worker loads its entry through tsx's API. */
function startTypeScriptWorker(entry: URL, workerData: unknown): Worker {
  const source = `import('tsx/esm/api').then(({ tsImport }) => tsImport(${JSON.stringify(entry.href)}, ${JSON.stringify(import.meta.url)}))`;
  return new Worker(source, { eval: true, workerData });
}
