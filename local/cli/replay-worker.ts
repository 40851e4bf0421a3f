/**
 * Worker-thread entry of a file replay: the producer's core runs here, on a core of its own, while
 * the runtime's thread serves the processor and the API. Reports progress and the result by message.
 */
import { createReadStream } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { createProducerDeps } from '../../functions/producer/handler.js';
import { FileRejectSink } from '../../functions/producer/reject-sinks.js';
import {
  type ProducerTunables,
  type ReplayProgress,
  type ReplayResult,
  replayCsv,
} from '../../functions/producer/replay.js';
import type { RequestedReplay } from '../../functions/producer/replay-request.js';
import { ENV } from '../../functions/shared/env.js';

export interface ReplayJob {
  /** Absolute: it names the reject lists. */
  csvPath: string;
  streamName: string;
  rejectsDir: string;
  /** Endpoints and credentials for the SDK (workers share `process.env` only as a copy). */
  env: Record<string, string>;
  replay: Partial<RequestedReplay>;
  producer?: ProducerTunables | undefined;
}

export type ReplayMessage =
  | { kind: 'progress'; bytesRead: number; progress: ReplayProgress }
  | { kind: 'done'; bytesRead: number; result: ReplayResult; rejectsFile?: string }
  | { kind: 'failed'; message: string };

const job = workerData as ReplayJob;
Object.assign(process.env, job.env);
const post = (message: ReplayMessage) => parentPort?.postMessage(message);

const input = createReadStream(job.csvPath);
const rejects = new FileRejectSink(job.rejectsDir, job.csvPath);
try {
  // The stream adapters of the Lambda handler, on the stream this job names.
  const stream = createProducerDeps({ ...process.env, [ENV.streamName]: job.streamName });
  const result = await replayCsv(
    input,
    { ...stream, rejects },
    {
      ...job.replay,
      producer: job.producer,
      onProgress: (progress) => post({ kind: 'progress', bytesRead: input.bytesRead, progress }),
    },
  );
  post({ kind: 'done', bytesRead: input.bytesRead, result, rejectsFile: rejects.location() });
} catch (error) {
  post({ kind: 'failed', message: error instanceof Error ? error.message : String(error) });
} finally {
  input.destroy();
}
