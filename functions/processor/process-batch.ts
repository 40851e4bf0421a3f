/**
 * The processor's core: one stream batch (the records of one Kinesis event, one shard) decoded into
 * commits, through the hot path (aggregates, exactly once) and the cold path (archive), answering with
 * the resume point when something was not stored.
 *
 * Records that are not valid commits, and commits the database refuses for a data reason, are
 * quarantined with their reason and never fail the batch. The hot path runs first and the archive
 * last, so only a batch whose aggregates committed is archived; the archive's keys make every attempt
 * of a batch write the same objects. Anything else that fails (the database, S3, the deadline) fails
 * the whole batch from its first record: the mapping retries it, and the ledger makes that exact.
 */
import type { KinesisStreamBatchResponse, KinesisStreamRecord } from 'aws-lambda';
import { type CommitRecord, decodeCommitRecord } from '../shared/commit-record.js';
import { SqlStatementError } from '../shared/errors.js';
import { deaggregate } from '../shared/kinesis-aggregation/deaggregate.js';
import type { ObjectStore } from '../shared/ports.js';
import { type RetryPolicy, retry } from '../shared/retry.js';
import { settings } from '../shared/settings.js';
import type { ProcessorStep } from '../shared/vocabulary.js';
import type { AggregateStore, IngestReport } from './aggregate-store.js';
import { archiveBatch, ndjsonLine } from './archive.js';

export interface ProcessorDeps {
  store: AggregateStore;
  archive: ObjectStore;
}

export interface ProcessOptions {
  /** Aborted when the invocation must stop (its deadline): the batch then fails and is retried. */
  signal?: AbortSignal;
  /** Attempts of one transaction after transient failures. @default settings.processor.hotPathRetry */
  hotPathRetry?: RetryPolicy;
}

export interface StreamBatchOutcome {
  response: KinesisStreamBatchResponse;
  records: number;
  /** Records archived under `quarantine/`: invalid ones and commits the database refused. */
  quarantined: number;
  ingest?: IngestReport;
  /** Epoch milliseconds at which the hot path committed (its last transaction), when it did. */
  committedAt?: number;
  /** The step that failed, when one did. */
  failure?: { step: ProcessorStep; error: unknown };
}

/**
 * @param records - one stream batch of one shard, in sequence order
 * @param deps - the aggregate store and the archive
 * @param options - the deadline's signal and the retry policy of the hot path
 */
export async function processBatch(
  records: readonly KinesisStreamRecord[],
  deps: ProcessorDeps,
  options: ProcessOptions = {},
): Promise<StreamBatchOutcome> {
  const first = records[0];
  if (!first) return { response: { batchItemFailures: [] }, records: 0, quarantined: 0 };
  const { signal } = options;
  // If anything fails, nothing from the first record on is known to be stored.
  const retryFromStart = { batchItemFailures: [{ itemIdentifier: first.kinesis.sequenceNumber }] };
  const failed = (step: ProcessorStep, error: unknown, ingest?: IngestReport): StreamBatchOutcome => ({
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

  let hot: IsolatedIngest;
  try {
    hot = await ingestIsolatingRefusals(deps.store, [...recordOf.keys()], {
      signal,
      policy: options.hotPathRetry ?? settings.processor.hotPathRetry,
    });
  } catch (error) {
    return failed('aggregate', error);
  }
  const committedAt = Date.now();

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
    return { ...failed('archive', error, hot.report), committedAt };
  }

  return {
    response: { batchItemFailures: [] },
    records: records.length,
    quarantined: quarantine.length,
    ingest: hot.report,
    committedAt,
  };
}

/** The shard a record came from: the part of its `eventID` before the sequence number. */
export function shardIdOf(record: KinesisStreamRecord): string {
  return record.eventID.split(':')[0] ?? 'unknown-shard';
}

/** One user record of the batch, decoded into a commit or refused with its reason. */
interface DecodedRecord {
  /** The Kinesis record's sequence number (an aggregate's, for its user records). */
  sequenceNumber: string;
  /** Position of the user record in its aggregate; undefined for a plain record. */
  subSequenceNumber?: number | undefined;
  /** The user record's JSON text exactly as produced (a corrupt aggregate: its bytes in base64). */
  text: string;
  result: { ok: true; commit: CommitRecord } | { ok: false; reason: string };
}

const utf8 = new TextDecoder();

/**
 * The user records of a stream batch, in stream order: base64 data, then KPL de-aggregation (an
 * aggregated record holds many commits, a plain one is a commit itself), then the commit record
 * schema. A corrupt aggregate (bad magic, digest or protobuf) is one invalid record, kept whole.
 */
function decodeRecords(records: readonly KinesisStreamRecord[]): DecodedRecord[] {
  return records.flatMap(({ kinesis }) => {
    const bytes = Buffer.from(kinesis.data, 'base64');
    const { sequenceNumber } = kinesis;
    const unpacked = deaggregate(bytes);
    if (unpacked.kind === 'plain') return [decodedRecord(sequenceNumber, undefined, bytes.toString('utf8'))];
    if (unpacked.kind === 'corrupt') {
      const reason = `corrupt aggregated record (${unpacked.reason}): ${unpacked.message}`;
      return [{ sequenceNumber, text: kinesis.data, result: { ok: false, reason } }];
    }
    return unpacked.records.map((user) => decodedRecord(sequenceNumber, user.index, utf8.decode(user.data)));
  });
}

function decodedRecord(
  sequenceNumber: string,
  subSequenceNumber: number | undefined,
  text: string,
): DecodedRecord {
  const decoded = decodeCommitRecord(text);
  return {
    sequenceNumber,
    subSequenceNumber,
    text,
    result: decoded.ok ? { ok: true, commit: decoded.record } : { ok: false, reason: decoded.reason },
  };
}

function quarantineLine(record: DecodedRecord, reason: string): string {
  const { sequenceNumber, subSequenceNumber, text } = record;
  return JSON.stringify({ sequenceNumber, subSequenceNumber, reason, data: text });
}

/** A commit the database refused for a data reason. */
interface Refusal {
  commit: CommitRecord;
  /** What the database said, e.g. `ERROR: value too long …; SQLState: 22001`. */
  reason: string;
}

interface IsolatedIngest {
  report: IngestReport;
  /** Commits the database refused for a data reason, in stream order. */
  refused: Refusal[];
}

const EMPTY_REPORT: IngestReport = { counted: 0, duplicates: 0, suspicious: 0 };

/**
 * Runs the commits through the hot path so that neither a passing fault nor one bad commit loses the
 * rest.
 * - A transient failure (the database unreachable, an answer lost, a deadlock or lock timeout) repeats
 *   the whole transaction, within the policy and the deadline; the ledger makes a repeat exact, also
 *   when the lost answer was the commit's.
 * - A statement refused because of the data (SQLSTATE classes 22, 23, 54) fails again on every repeat:
 *   the commits are split in halves, in stream order, and each half is stored on its own, down to the
 *   single commit at fault, which is set aside with the database's reason. Halves are stored in order,
 *   so each author's commits still reach the baseline in stream order.
 *
 * @throws the last transient error when the attempts are spent, or an abort once the deadline passed
 */
async function ingestIsolatingRefusals(
  store: AggregateStore,
  commits: readonly CommitRecord[],
  options: { signal: AbortSignal | undefined; policy: RetryPolicy },
): Promise<IsolatedIngest> {
  try {
    const report = await retry(() => store.ingest(commits, { signal: options.signal }), options.policy, {
      signal: options.signal,
      // A refusal for the data, or for a reason other than a conflict, fails again on every repeat.
      retryable: (error) => !(error instanceof SqlStatementError) || error.transient,
    });
    return { report, refused: [] };
  } catch (error) {
    if (!(error instanceof SqlStatementError && error.causedByData)) throw error;
    if (commits.length === 1) {
      const [commit] = commits as [CommitRecord];
      return { report: EMPTY_REPORT, refused: [{ commit, reason: error.message }] };
    }
    const half = Math.ceil(commits.length / 2);
    const first = await ingestIsolatingRefusals(store, commits.slice(0, half), options);
    const second = await ingestIsolatingRefusals(store, commits.slice(half), options);
    return {
      report: {
        counted: first.report.counted + second.report.counted,
        duplicates: first.report.duplicates + second.report.duplicates,
        suspicious: first.report.suspicious + second.report.suspicious,
      },
      refused: [...first.refused, ...second.refused],
    };
  }
}
