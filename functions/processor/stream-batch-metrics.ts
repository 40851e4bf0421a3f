/**
 * What one stream batch's metrics say (the contract in `functions/shared/metrics.ts`), from what
 * `processBatch` reported. The ingest lag ends when the hot path committed, not when the handler
 * returns: the archive that follows is the cold path, and a slow S3 must not read as a late aggregate.
 */
import type { KinesisStreamRecord } from 'aws-lambda';
import type { StreamBatchMetrics } from '../shared/metrics.js';
import type { StreamBatchOutcome } from './process-batch.js';

/**
 * @param records - the stream batch as the event delivered it
 * @param outcome - what `processBatch` returned for it
 */
export function streamBatchMetricsOf(
  records: readonly KinesisStreamRecord[],
  outcome: StreamBatchOutcome,
): StreamBatchMetrics {
  const counts = {
    // A batch failed at the archive has committed its aggregates: its retry finds them as duplicates.
    commitsStored: outcome.ingest?.counted ?? 0,
    duplicatesSkipped: outcome.ingest?.duplicates ?? 0,
    recordsQuarantined: outcome.quarantined,
  };
  if (outcome.failure) return { ...counts, failedStep: outcome.failure.step };
  const oldestArrival = Math.min(...records.map((record) => record.kinesis.approximateArrivalTimestamp));
  const lag =
    outcome.committedAt !== undefined && Number.isFinite(oldestArrival)
      ? Math.max(0, outcome.committedAt - oldestArrival * 1000)
      : undefined;
  return lag === undefined ? counts : { ...counts, ingestLagMs: Math.round(lag) };
}
