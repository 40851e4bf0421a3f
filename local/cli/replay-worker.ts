/**
 * Worker-thread entry of a file replay: the producer's core runs here, on a core of its own, while
 * the runtime's thread serves the processor and the API. Reports progress and the result by message.
 */
import { createReadStream } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { readCommitCsv } from '../../functions/producer/csv-source.js';
import type { Pacing } from '../../functions/producer/pacer.js';
import { FileRejectSink } from '../../functions/producer/reject-sinks.js';
import { replayRows } from '../../functions/producer/replay.js';
import { createKinesisClient } from '../../functions/shared/adapters/aws-clients.js';
import { KinesisRecordPublisher } from '../../functions/shared/adapters/kinesis-record-publisher.js';

export interface ReplayJob {
  csvPath: string;
  streamName: string;
  rejectsPath: string;
  /** Endpoints and credentials for the SDK (workers share `process.env` only as a copy). */
  env: Record<string, string>;
  pacing?: Pacing;
  limit?: number;
}

export type ReplayMessage =
  | { kind: 'progress'; bytesRead: number; sent: number; rejected: number; failed: number }
  | { kind: 'done'; result: Awaited<ReturnType<typeof replayRows>>; rejectsFile?: string }
  | { kind: 'failed'; message: string };

const job = workerData as ReplayJob;
Object.assign(process.env, job.env);
const post = (message: ReplayMessage) => parentPort?.postMessage(message);

const input = createReadStream(job.csvPath);
const rejects = new FileRejectSink(job.rejectsPath);
try {
  const result = await replayRows(
    readCommitCsv(input),
    { publisher: new KinesisRecordPublisher(createKinesisClient(), job.streamName), rejects },
    {
      pacing: job.pacing,
      limit: job.limit,
      onProgress: (progress) => post({ kind: 'progress', bytesRead: input.bytesRead, ...progress }),
    },
  );
  post({ kind: 'done', result, rejectsFile: rejects.location() });
} catch (error) {
  post({ kind: 'failed', message: error instanceof Error ? error.message : String(error) });
} finally {
  input.destroy();
}
