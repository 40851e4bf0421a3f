/**
 * The hot path's store: one Data API transaction per batch, a handful of set-based statements.
 *
 * 0. bound the transaction (lock wait, statement time, idle time), so that an abandoned one ends fast;
 * 1. insert the batch's commit ids into the dedupe ledger (`shared/aggregation/ledger.ts`); only ids
 *    that were new are aggregated, so retries, bisected batches and replays count every commit exactly once;
 * 2. lock and read the entropy baselines of the new commits' authors, creating the rows of new
 *    authors first, so that a concurrent transaction for the same new author waits for this one;
 * 3. aggregate in memory;
 * 4. upsert group, window and baseline rows and insert the suspicious commits, each as one statement
 *    over a JSON array expanded with `jsonb_to_recordset`, derived from the tables' descriptions
 *    (`shared/aggregation/serving-tables.ts`) in `add` mode.
 * Every statement takes its rows in key order, so concurrent shards lock in the same order and cannot
 * deadlock each other.
 */
import { CommitAggregation, type SuspicionRules } from '../shared/aggregation/aggregate.js';
import { claimLedgerIds } from '../shared/aggregation/ledger.js';
import { EMPTY_STATS, type RunningStats } from '../shared/aggregation/running-stats.js';
import { authorBaselines } from '../shared/aggregation/serving-tables.js';
import { writeRows, writeServingRows } from '../shared/aggregation/table-writes.js';
import type { CommitRecord } from '../shared/commit-record.js';
import type { Database, SqlExecutor } from '../shared/database/data-api.js';
import { settings } from '../shared/settings.js';

export interface IngestReport {
  /** Commits counted by this call. */
  counted: number;
  /** Commits skipped because they had been counted before (or repeat within the batch). */
  duplicates: number;
  suspicious: number;
}

export interface IngestOptions {
  /** Aborts the transaction (the processor's deadline). */
  signal?: AbortSignal;
}

/** Port of the hot path. */
export interface AggregateStore {
  /**
   * Counts the commits not counted before, in one transaction.
   *
   * @throws DatabaseUnavailableError or a transient SqlStatementError: nothing of the call is stored,
   *   or (after a lost commit answer) all of it; repeating the call is exact either way
   * @throws SqlStatementError caused by the data: one of the commits cannot be stored
   */
  ingest(commits: readonly CommitRecord[], options?: IngestOptions): Promise<IngestReport>;
}

export class DataApiAggregateStore implements AggregateStore {
  constructor(
    private readonly db: Database,
    private readonly rules: SuspicionRules = settings.analytics,
  ) {}

  async ingest(commits: readonly CommitRecord[], options: IngestOptions = {}): Promise<IngestReport> {
    if (commits.length === 0) return { counted: 0, duplicates: 0, suspicious: 0 };
    const transaction = { signal: options.signal, timeouts: settings.processor.transactionTimeouts };
    return this.db.transaction(async (tx) => {
      const fresh = await claimNewCommits(tx, commits);
      if (fresh.length === 0) return { counted: 0, duplicates: commits.length, suspicious: 0 };
      const baselines = await lockBaselines(tx, [...new Set(fresh.map((commit) => commit.author))]);
      const aggregation = new CommitAggregation(this.rules, baselines);
      aggregation.add(fresh);
      await writeServingRows(tx, aggregation.takeChanges(), { mode: 'add' });
      return {
        counted: fresh.length,
        duplicates: commits.length - fresh.length,
        suspicious: aggregation.suspiciousCommits,
      };
    }, transaction);
  }
}

/** Inserts the ids into the ledger and returns the commits whose id was new, first occurrence only. */
async function claimNewCommits(tx: SqlExecutor, commits: readonly CommitRecord[]): Promise<CommitRecord[]> {
  const ids = commits.map((commit) => commit.commitId);
  const flags = await claimLedgerIds(tx, ids);
  const seen = new Set<string>();
  return commits.filter((commit, index) => {
    if (flags[index] !== '1' || seen.has(commit.commitId)) return false;
    seen.add(commit.commitId);
    return true;
  });
}

/**
 * Locks the authors' baseline rows and reads them. `FOR UPDATE` alone would lock nothing for an author
 * with no row yet, and two transactions would then both start from an empty baseline: so the row is
 * inserted if absent and locked in one upsert (a no-op update that returns the row as stored).
 */
async function lockBaselines(tx: SqlExecutor, authors: string[]): Promise<Map<string, RunningStats>> {
  // Where an author has no row yet, it starts from no history.
  const empty = authors.map((author) => ({ author, ...EMPTY_STATS }));
  const stored = await writeRows(tx, authorBaselines, empty, { mode: 'lock' });
  return new Map(stored.map(({ author, ...stats }) => [author, stats]));
}
