/**
 * The processor's core: one Kinesis batch through the hot path (aggregates, exactly once) and the
 * cold path (archive), answering with the resume point when something was not stored.
 *
 * Records that are not valid commits, and commits the database refuses for a data reason, are
 * quarantined with their reason and never fail the batch. The hot path runs first and the archive
 * last, so only a batch whose aggregates committed is archived; the archive's keys make every attempt
 * of a batch write the same objects. Anything else that fails (the database, S3, the deadline) fails
 * the whole batch from its first record: the mapping retries it, and the ledger makes that exact.
 */
import type { KinesisStreamBatchResponse, KinesisStreamRecord } from 'aws-lambda';
import type { ObjectStore } from '../shared/ports.js';
import { settings } from '../shared/settings.js';
import type { BatchStep } from '../shared/vocabulary.js';
import type { AggregateStore, IngestReport } from './aggregate-store.js';
import { archiveBatch, ndjsonLine } from './archive.js';
import { ingestIsolatingRefusals } from './poison-isolation.js';
import { type DecodedRecord, decodeRecords, shardIdOf } from './stream-batch.js';

export interface ProcessorDeps {
  store: AggregateStore;
  archive: ObjectStore;
}

export interface ProcessOptions {
  /** Aborted when the invocation must stop (its deadline): the batch then fails and is retried. */
  signal?: AbortSignal;
  /** Attempts of the hot path after transient failures. @default settings.processor.hotPathAttempts */
  hotPathAttempts?: number;
}

export interface BatchOutcome {
  response: KinesisStreamBatchResponse;
  records: number;
  /** Records archived under `quarantine/`: invalid ones and commits the database refused. */
  quarantined: number;
  ingest?: IngestReport;
  /** The step that failed, when one did. */
  failure?: { step: BatchStep; error: unknown };
}

/**
 * @param records - one batch of one shard, in sequence order
 * @param deps - the aggregate store and the archive
 * @param options - the deadline's signal and the retry budget
 */
export async function processBatch(
  records: readonly KinesisStreamRecord[],
  deps: ProcessorDeps,
  options: ProcessOptions = {},
): Promise<BatchOutcome> {
  const first = records[0];
  if (!first) return { response: { batchItemFailures: [] }, records: 0, quarantined: 0 };
  const { signal } = options;
  // If anything fails, nothing from the first record on is known to be stored.
  const retryFromStart = { batchItemFailures: [{ itemIdentifier: first.kinesis.sequenceNumber }] };
  const failed = (step: BatchStep, error: unknown, ingest?: IngestReport): BatchOutcome => ({
    response: retryFromStart,
    records: records.length,
    quarantined: 0,
    ingest,
    failure: { step, error },
  });

  const decoded = decodeRecords(records);
  const recordOf = new Map(
    decoded.flatMap((record) => (record.result.ok ? [[record.result.commit, record] as const] : [])),
  );

  let hot: Awaited<ReturnType<typeof ingestIsolatingRefusals>>;
  try {
    hot = await ingestIsolatingRefusals(deps.store, [...recordOf.keys()], {
      signal,
      attempts: options.hotPathAttempts ?? settings.processor.hotPathAttempts,
    });
  } catch (error) {
    return failed('aggregate', error);
  }

  const refused = new Map(hot.refused.map(({ commit, reason }) => [recordOf.get(commit), reason]));
  const quarantine = decoded.flatMap((record) => {
    const reason = record.result.ok ? refused.get(record) : record.result.reason;
    return reason === undefined ? [] : [quarantineLine(record, reason)];
  });
  const raw = [...recordOf.values()]
    .filter((record) => !refused.has(record))
    .map((record) => ndjsonLine(record.text));
  try {
    signal?.throwIfAborted();
    await archiveBatch(
      deps.archive,
      {
        shardId: shardIdOf(first),
        firstSequence: first.kinesis.sequenceNumber,
        arrivedAt: first.kinesis.approximateArrivalTimestamp,
      },
      { raw, quarantine },
      signal,
    );
  } catch (error) {
    return failed('archive', error, hot.report);
  }

  return {
    response: { batchItemFailures: [] },
    records: records.length,
    quarantined: quarantine.length,
    ingest: hot.report,
  };
}

function quarantineLine(record: DecodedRecord, reason: string): string {
  const { sequenceNumber, subSequenceNumber, text } = record;
  return JSON.stringify({ sequenceNumber, subSequenceNumber, reason, data: text });
}
