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
 *    over a JSON array expanded with `jsonb_to_recordset`.
 * Every statement takes its rows in key order, so concurrent shards lock in the same order and cannot
 * deadlock each other.
 */

import { aggregateBatch, type BatchAggregate, type SuspicionRules } from '../shared/aggregation/aggregate.js';
import type { RunningStats } from '../shared/aggregation/running-stats.js';
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
    const transaction = { signal: options.signal, limits: settings.processor.transaction };
    return this.db.transaction(async (tx) => {
      const fresh = await claimNewCommits(tx, commits);
      if (fresh.length === 0) return { counted: 0, duplicates: commits.length, suspicious: 0 };
      const baselines = await lockBaselines(tx, [...new Set(fresh.map((commit) => commit.author))]);
      const aggregate = aggregateBatch(fresh, baselines, this.rules);
      await writeAggregate(tx, aggregate, this.rules.windowSeconds);
      return {
        counted: fresh.length,
        duplicates: commits.length - fresh.length,
        suspicious: new Set(aggregate.suspicious.map((commit) => commit.commitId)).size,
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
  const baselines = new Map<string, RunningStats>();
  for (const chunk of jsonChunks([...authors].sort(compareKeys))) {
    for (const row of await lockBaselineChunk(tx, chunk)) {
      baselines.set(row.author, { count: row.commits, mean: row.entropy_mean, m2: row.entropy_m2 });
    }
  }
  return baselines;
}

function lockBaselineChunk(tx: SqlExecutor, authors: string) {
  return tx.query<{ author: string; commits: number; entropy_mean: number; entropy_m2: number }>(
    `INSERT INTO pipeline.author_baselines AS b (author, commits, entropy_mean, entropy_m2)
     SELECT a, 0, 0, 0 FROM jsonb_array_elements_text(:authors::jsonb) AS t(a) ORDER BY a
     ON CONFLICT (author) DO UPDATE SET author = b.author
     RETURNING b.author, b.commits, b.entropy_mean, b.entropy_m2`,
    { authors },
  );
}

async function writeAggregate(
  tx: SqlExecutor,
  aggregate: BatchAggregate,
  windowSeconds: number,
): Promise<void> {
  // Key order across chunks too, so that concurrent shards take row locks in one order.
  const groups = [...aggregate.groups].sort(
    (a, b) => compareKeys(a.dimension, b.dimension) || compareKeys(a.key, b.key),
  );
  for (const chunk of jsonChunks(groups)) await upsertGroups(tx, chunk);
  for (const windows of jsonChunks(aggregate.windows)) {
    await tx.query(WINDOW_UPSERT, { windowSeconds, windows });
  }
  const baselines = [...aggregate.baselines].map(([author, stats]) => ({ author, ...stats }));
  for (const chunk of jsonChunks(baselines)) await tx.query(BASELINE_UPDATE, { baselines: chunk });
  if (aggregate.suspicious.length > 0) {
    for (const suspicious of jsonChunks(aggregate.suspicious))
      await tx.query(SUSPICIOUS_INSERT, { suspicious });
  }
}

function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function upsertGroups(tx: SqlExecutor, groups: string) {
  return tx.query(
    `INSERT INTO pipeline.group_stats AS g (dimension, key, commits, lines_added, lines_deleted, entropy_sum,
       max_entropy, suspicious_commits, first_event_time, last_event_time, last_ingested_at)
     SELECT d.dimension, d.key, d.commits, d."linesAdded", d."linesDeleted", d."entropySum", d."maxEntropy",
       d."suspiciousCommits", d."firstEventTime", d."lastEventTime", now()
     FROM jsonb_to_recordset(:groups::jsonb) AS d(dimension text, key text, commits bigint, "linesAdded" bigint,
       "linesDeleted" bigint, "entropySum" numeric, "maxEntropy" numeric, "suspiciousCommits" bigint,
       "firstEventTime" timestamptz, "lastEventTime" timestamptz)
     ORDER BY d.dimension, d.key
     ON CONFLICT (dimension, key) DO UPDATE SET
       commits = g.commits + EXCLUDED.commits,
       lines_added = g.lines_added + EXCLUDED.lines_added,
       lines_deleted = g.lines_deleted + EXCLUDED.lines_deleted,
       entropy_sum = g.entropy_sum + EXCLUDED.entropy_sum,
       max_entropy = GREATEST(g.max_entropy, EXCLUDED.max_entropy),
       suspicious_commits = g.suspicious_commits + EXCLUDED.suspicious_commits,
       first_event_time = LEAST(g.first_event_time, EXCLUDED.first_event_time),
       last_event_time = GREATEST(g.last_event_time, EXCLUDED.last_event_time),
       last_ingested_at = EXCLUDED.last_ingested_at`,
    { groups },
  );
}

const WINDOW_UPSERT = `INSERT INTO pipeline.window_stats AS w (window_seconds, window_start, commits, lines_added, lines_deleted,
       entropy_sum, suspicious_commits)
     SELECT :windowSeconds::int, d."windowStart", d.commits, d."linesAdded", d."linesDeleted", d."entropySum",
       d."suspiciousCommits"
     FROM jsonb_to_recordset(:windows::jsonb) AS d("windowStart" timestamptz, commits bigint, "linesAdded" bigint,
       "linesDeleted" bigint, "entropySum" numeric, "suspiciousCommits" bigint)
     ORDER BY d."windowStart"
     ON CONFLICT (window_seconds, window_start) DO UPDATE SET
       commits = w.commits + EXCLUDED.commits,
       lines_added = w.lines_added + EXCLUDED.lines_added,
       lines_deleted = w.lines_deleted + EXCLUDED.lines_deleted,
       entropy_sum = w.entropy_sum + EXCLUDED.entropy_sum,
       suspicious_commits = w.suspicious_commits + EXCLUDED.suspicious_commits`;

const BASELINE_UPDATE = `INSERT INTO pipeline.author_baselines AS b (author, commits, entropy_mean, entropy_m2)
     SELECT d.author, d.count, d.mean, d.m2
     FROM jsonb_to_recordset(:baselines::jsonb) AS d(author text, count bigint, mean float8, m2 float8)
     ORDER BY d.author
     ON CONFLICT (author) DO UPDATE SET
       commits = EXCLUDED.commits, entropy_mean = EXCLUDED.entropy_mean, entropy_m2 = EXCLUDED.entropy_m2`;

const SUSPICIOUS_INSERT = `INSERT INTO pipeline.suspicious_commits (commit_id, reason, author, file_path, entropy, lines_added,
         lines_deleted, event_time)
       SELECT d."commitId", d.reason, d.author, d."filePath", d.entropy, d."linesAdded", d."linesDeleted",
         d."eventTime"
       FROM jsonb_to_recordset(:suspicious::jsonb) AS d("commitId" text, reason text, author text,
         "filePath" text, entropy numeric, "linesAdded" int, "linesDeleted" int, "eventTime" timestamptz)
       ON CONFLICT (commit_id, reason) DO NOTHING`;
