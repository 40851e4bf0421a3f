/**
 * The hot path's store: one Data API transaction per batch, a handful of set-based statements.
 *
 * 0. bound the transaction (lock wait, statement time, idle time), so that an abandoned one ends fast;
 * 1. insert the batch's commit ids into the dedupe ledger; only ids that were new are aggregated,
 *    so retries, bisected batches and replays count every commit exactly once;
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
import { EMPTY_STATS, type RunningStats } from '../shared/aggregation/running-stats.js';
import { authorBaselines } from '../shared/aggregation/serving-tables.js';
import { writeRows, writeServingRows } from '../shared/aggregation/table-writes.js';
import type { CommitRecord } from '../shared/commit-record.js';
import type { Database, SqlExecutor } from '../shared/database/data-api.js';
import { jsonChunks } from '../shared/database/json-chunks.js';
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

/**
 * Inserts the ids into the ledger and returns the commits whose id was new, first occurrence only.
 * The answer is one row holding a flag per input position ("1" = new), not a row per id: it stays
 * small whatever the id length, far under the Data API's 64 KB row and 1 MiB response limits.
 */
async function claimNewCommits(tx: SqlExecutor, commits: readonly CommitRecord[]): Promise<CommitRecord[]> {
  let flags = '';
  for (const ids of jsonChunks(commits.map((commit) => commit.commitId))) {
    flags += await claimChunk(tx, ids);
  }
  const seen = new Set<string>();
  return commits.filter((commit, index) => {
    if (flags[index] !== '1' || seen.has(commit.commitId)) return false;
    seen.add(commit.commitId);
    return true;
  });
}

/** Claims one chunk of ids (a JSON array); the flags of its positions, in order. */
async function claimChunk(tx: SqlExecutor, ids: string): Promise<string> {
  const [row] = await tx.query<{ new_flags: string | null }>(
    `WITH input AS (
       SELECT id, ord FROM jsonb_array_elements_text(:ids::jsonb) WITH ORDINALITY AS t(id, ord)
     ), claimed AS (
       INSERT INTO pipeline.ingested_commits (commit_id)
       SELECT DISTINCT id FROM input ORDER BY id
       ON CONFLICT (commit_id) DO NOTHING
       RETURNING commit_id
     )
     SELECT string_agg(CASE WHEN c.commit_id IS NULL THEN '0' ELSE '1' END, '' ORDER BY i.ord) AS new_flags
     FROM input i LEFT JOIN claimed c ON c.commit_id = i.id`,
    { ids },
  );
  return row?.new_flags ?? '';
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
