/**
 * Runs a batch's commits through the hot path so that neither a passing fault nor one bad commit loses
 * the rest.
 *
 * - A transient failure (the database unreachable, an answer lost, a deadlock or lock timeout) repeats
 *   the whole transaction, a few times within the deadline; the ledger makes a repeat exact, also when
 *   the lost answer was the commit's.
 * - A statement refused because of the data (SQLSTATE classes 22, 23, 54) fails again on every repeat:
 *   the commits are split in halves, in stream order, and each half is stored on its own, down to the
 *   single commit at fault, which is set aside with the database's reason. Halves are stored in order,
 *   so each author's commits still reach the baseline in stream order.
 */
import type { CommitRecord } from '../shared/commit-record.js';
import { SqlStatementError } from '../shared/errors.js';
import type { AggregateStore, IngestReport } from './aggregate-store.js';

export interface Refusal {
  commit: CommitRecord;
  /** What the database said, e.g. `ERROR: value too long …; SQLState: 22001`. */
  reason: string;
}

export interface IsolatedIngest {
  report: IngestReport;
  /** Commits the database refused for a data reason, in stream order. */
  refused: Refusal[];
}

export interface IsolationOptions {
  signal?: AbortSignal;
  /** Attempts of one transaction after transient failures, the first included. */
  attempts: number;
  /** First pause between attempts; doubles each time. */
  backoffMs?: number;
}

const EMPTY_REPORT: IngestReport = { counted: 0, duplicates: 0, suspicious: 0 };

/**
 * @param store - the hot path
 * @param commits - valid commits in stream order
 * @param options - the deadline's signal and the transient-retry budget
 * @throws the last transient error when the budget is spent, or an abort once the deadline passed
 */
export async function ingestIsolatingRefusals(
  store: AggregateStore,
  commits: readonly CommitRecord[],
  options: IsolationOptions,
): Promise<IsolatedIngest> {
  try {
    return { report: await ingestWithRetries(store, commits, options), refused: [] };
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
      report: sumReports(first.report, second.report),
      refused: [...first.refused, ...second.refused],
    };
  }
}

async function ingestWithRetries(
  store: AggregateStore,
  commits: readonly CommitRecord[],
  options: IsolationOptions,
): Promise<IngestReport> {
  for (let attempt = 1; ; attempt += 1) {
    options.signal?.throwIfAborted();
    try {
      return await store.ingest(commits, { signal: options.signal });
    } catch (error) {
      const dataError = error instanceof SqlStatementError && error.causedByData;
      const permanent = error instanceof SqlStatementError && !error.transient;
      if (dataError || permanent || attempt >= options.attempts || options.signal?.aborted) throw error;
      await pause((options.backoffMs ?? 100) * 2 ** (attempt - 1), options.signal);
    }
  }
}

function sumReports(a: IngestReport, b: IngestReport): IngestReport {
  return {
    counted: a.counted + b.counted,
    duplicates: a.duplicates + b.duplicates,
    suspicious: a.suspicious + b.suspicious,
  };
}

function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
  });
}
