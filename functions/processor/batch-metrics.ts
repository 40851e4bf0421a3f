/**
 * What one batch's metrics say (the contract in `functions/shared/metrics.ts`), from what
 * `processBatch` reported. The ingest lag ends when the hot path committed, not when the handler
 * returns: the archive that follows is the cold path, and a slow S3 must not read as a late aggregate.
 */
import type { KinesisStreamRecord } from 'aws-lambda';
import type { BatchMetrics } from '../shared/metrics.js';
import type { AggregateStore } from './aggregate-store.js';
import type { BatchOutcome } from './process-batch.js';

/** An aggregate store that notes when its last transaction committed. */
export interface CommitClock {
  store: AggregateStore;
  /** Epoch milliseconds of the last successful `ingest`, if there was one. */
  committedAt(): number | undefined;
}

/**
 * Wraps a store for one batch (a batch may commit several transactions when it isolates a refused
 * commit; the last one completes the hot path).
 *
 * @param store - the processor's aggregate store
 */
export function commitClock(store: AggregateStore): CommitClock {
  let committedAt: number | undefined;
  return {
    store: {
      async ingest(commits, options) {
        const report = await store.ingest(commits, options);
        committedAt = Date.now();
        return report;
      },
    },
    committedAt: () => committedAt,
  };
}

/**
 * @param records - the batch as the event delivered it
 * @param outcome - what `processBatch` returned for it
 * @param committedAt - from {@link CommitClock}`.committedAt()`
 */
export function batchMetricsOf(
  records: readonly KinesisStreamRecord[],
  outcome: BatchOutcome,
  committedAt: number | undefined,
): BatchMetrics {
  const counts = {
    // A batch failed at the archive has committed its aggregates: its retry finds them as duplicates.
    commitsStored: outcome.ingest?.counted ?? 0,
    duplicatesSkipped: outcome.ingest?.duplicates ?? 0,
    recordsQuarantined: outcome.quarantined,
  };
  if (outcome.failure) return { ...counts, failedStep: outcome.failure.step };
  const oldestArrival = Math.min(...records.map((record) => record.kinesis.approximateArrivalTimestamp));
  const lag =
    committedAt !== undefined && Number.isFinite(oldestArrival)
      ? Math.max(0, committedAt - oldestArrival * 1000)
      : undefined;
  return lag === undefined ? counts : { ...counts, ingestLagMs: Math.round(lag) };
}
