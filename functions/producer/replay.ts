/**
 * The producer's core: reads validated rows, sends them to the stream in PutRecords batches at the
 * chosen pace, keeps every row it could not send, and reports what happened.
 */
import type { RecordPublisher } from '../shared/ports.js';
import { settings } from '../shared/settings.js';
import type { SourceRow } from './csv-source.js';
import { LaneSender } from './lane-sender.js';
import { createPacer, type Pacing } from './pacer.js';
import { putWithRetries, type RetryPolicy } from './put-with-retries.js';
import type { RejectSink } from './reject-sinks.js';
import { sizeOf, toCommitRecord, toStreamEntry } from './stream-entry.js';

export interface ReplayResult {
  /** Data rows read (header excluded), valid or not. */
  read: number;
  /** Records Kinesis accepted. */
  sent: number;
  /** Rows that failed validation. */
  rejected: number;
  rejectedByReason: Record<string, number>;
  /** Valid records Kinesis did not accept within the retry budget (kept with the rejections). */
  failed: number;
  durationMs: number;
  recordsPerSecond: number;
}

export type ReplayProgress = Pick<ReplayResult, 'read' | 'sent' | 'rejected' | 'failed'>;

/** The producer tunables of the shared settings, widened so tests can vary them. */
export interface ProducerTunables {
  maxRecordsPerRequest: number;
  maxBytesPerRequest: number;
  maxBytesPerRecord: number;
  maxInFlightRequests: number;
  maxAttempts: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  progressIntervalMs: number;
}

export interface ReplayOptions {
  pacing?: Pacing;
  /** Stop after this many data rows. */
  limit?: number;
  producer?: ProducerTunables;
  onProgress?: (progress: ReplayProgress) => void;
  sleep?: (ms: number) => Promise<void>;
}

export interface ReplayDeps {
  publisher: RecordPublisher;
  rejects: RejectSink;
}

const sleepMs = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Replays rows onto the stream.
 *
 * @param rows - batches of validated rows in file order, e.g. from `readCommitCsv`
 * @param deps - the stream publisher and where unsendable rows go
 * @param options - pacing, row limit, tunables (default: the shared settings) and a progress callback
 */
export async function replayRows(
  rows: AsyncIterable<readonly SourceRow[]>,
  deps: ReplayDeps,
  options: ReplayOptions = {},
): Promise<ReplayResult> {
  const tunables: ProducerTunables = options.producer ?? settings.producer;
  const sleep = options.sleep ?? sleepMs;
  const pacer = createPacer(options.pacing ?? { mode: 'max' });
  const started = performance.now();
  const counts: ReplayProgress & { rejectedByReason: Record<string, number> } = {
    read: 0,
    sent: 0,
    rejected: 0,
    failed: 0,
    rejectedByReason: {},
  };

  const reject = async (line: number, reason: string, detail: string, raw: string) => {
    counts.rejected += 1;
    counts.rejectedByReason[reason] = (counts.rejectedByReason[reason] ?? 0) + 1;
    await deps.rejects.write({ line, reason, detail, raw });
  };

  const retryPolicy: RetryPolicy = tunables;
  const sender = new LaneSender(tunables.maxInFlightRequests, tunables, async (batch) => {
    const report = await putWithRetries(deps.publisher, batch, retryPolicy, { sleep, random: Math.random });
    counts.sent += report.sent;
    counts.failed += report.failed.length;
    for (const { entry, errorCode, refused } of report.failed) {
      await deps.rejects.write({
        line: 0,
        reason: refused ? 'publish-refused' : 'publish-failed',
        detail: refused
          ? `Kinesis refused the record (${errorCode})`
          : `Kinesis did not accept the record after ${tunables.maxAttempts} attempts (${errorCode})`,
        raw: Buffer.from(entry.data).toString('utf8'),
      });
    }
  });

  let lastProgressAt = 0;
  const reportProgress = (force = false) => {
    const now = performance.now();
    if (!options.onProgress || (!force && now - lastProgressAt < tunables.progressIntervalMs)) return;
    lastProgressAt = now;
    options.onProgress({
      read: counts.read,
      sent: counts.sent,
      rejected: counts.rejected,
      failed: counts.failed,
    });
  };

  const limit = options.limit ?? Number.POSITIVE_INFINITY;
  try {
    reading: for await (const batch of rows) {
      // One reading time per batch of rows: they were read together.
      const ingestedAt = new Date().toISOString();
      for (const item of batch) {
        if (counts.read >= limit) break reading;
        counts.read += 1;
        reportProgress();
        if (!item.ok) {
          await reject(item.line, item.reason, item.detail, item.raw);
          continue;
        }
        const entry = toStreamEntry(toCommitRecord(item.row, ingestedAt));
        if (sizeOf(entry) > tunables.maxBytesPerRecord) {
          await reject(
            item.line,
            'record-too-large',
            `record exceeds ${tunables.maxBytesPerRecord} bytes`,
            '',
          );
          continue;
        }
        const wait = pacer.delayBefore(item.row.time);
        if (wait > 0) {
          // Do not hold records back in half-full batches while pacing.
          await sender.flush();
          await sleep(wait);
        }
        await sender.add(entry);
      }
    }
    await sender.drain();
  } finally {
    await deps.rejects.close();
  }
  reportProgress(true);

  const durationMs = Math.round(performance.now() - started);
  return {
    read: counts.read,
    sent: counts.sent,
    rejected: counts.rejected,
    rejectedByReason: counts.rejectedByReason,
    failed: counts.failed,
    durationMs,
    recordsPerSecond: durationMs > 0 ? Math.round((counts.sent * 1000) / durationMs) : counts.sent,
  };
}
