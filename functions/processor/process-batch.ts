/**
 * The processor's core: one Kinesis batch through the hot path (aggregates, exactly once) and the
 * cold path (archive), answering with the resume point when something was not stored.
 *
 * The hot path runs first. A retry after a failure re-reads the shard from the checkpoint, so the
 * retried batch may span more records than the failed one; writing the archive last means only a
 * batch whose aggregates committed is archived, and the ledger makes the hot path's retry a no-op.
 */
import type { KinesisStreamBatchResponse, KinesisStreamRecord } from 'aws-lambda';
import type { ObjectStore } from '../shared/ports.js';
import type { AggregateStore, IngestReport } from './aggregate-store.js';
import { archiveBatch } from './archive.js';
import { decodeRecords, shardIdOf } from './stream-batch.js';

export interface ProcessorDeps {
  store: AggregateStore;
  archive: ObjectStore;
}

export interface BatchOutcome {
  response: KinesisStreamBatchResponse;
  records: number;
  quarantined: number;
  ingest?: IngestReport;
  /** The step that failed, when one did. */
  failure?: { step: 'aggregate' | 'archive'; error: unknown };
}

/**
 * @param records - one batch of one shard, in sequence order
 * @param deps - the aggregate store and the archive
 */
export async function processBatch(
  records: readonly KinesisStreamRecord[],
  deps: ProcessorDeps,
): Promise<BatchOutcome> {
  const first = records[0];
  const last = records.at(-1);
  if (!first || !last) return { response: { batchItemFailures: [] }, records: 0, quarantined: 0 };

  const decoded = decodeRecords(records);
  const commits = decoded.flatMap((record) => (record.result.ok ? [record.result.commit] : []));
  const quarantined = decoded.length - commits.length;
  // One transaction and one object set per batch: if either fails, nothing from the first record on
  // is known to be stored, so the mapping retries from there.
  const retryFromStart = { batchItemFailures: [{ itemIdentifier: first.kinesis.sequenceNumber }] };

  let ingest: IngestReport;
  try {
    ingest = await deps.store.ingest(commits);
  } catch (error) {
    return {
      response: retryFromStart,
      records: records.length,
      quarantined,
      failure: { step: 'aggregate', error },
    };
  }

  try {
    await archiveBatch(
      deps.archive,
      {
        shardId: shardIdOf(first),
        firstSequence: first.kinesis.sequenceNumber,
        lastSequence: last.kinesis.sequenceNumber,
        arrivedAt: first.kinesis.approximateArrivalTimestamp,
      },
      decoded,
    );
  } catch (error) {
    return {
      response: retryFromStart,
      records: records.length,
      quarantined,
      ingest,
      failure: { step: 'archive', error },
    };
  }

  return { response: { batchItemFailures: [] }, records: records.length, quarantined, ingest };
}
