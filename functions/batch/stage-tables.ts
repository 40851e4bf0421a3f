/**
 * The staging set of one batch run (db/migrations/003_batch_layer.sql): a copy of every table the
 * processor writes, named after the run's token, that the batch view is written into. Rows are written
 * set-based, as the processor writes its own; a row written again replaces the earlier one (the view's
 * rows are totals, not deltas).
 */
import { randomBytes } from 'node:crypto';
import { claimLedgerIds } from '../shared/aggregation/ledger.js';
import { SERVING_TABLES, type ServingRows } from '../shared/aggregation/serving-tables.js';
import { writeServingRows } from '../shared/aggregation/table-writes.js';
import type { Database, SqlExecutor } from '../shared/database/data-api.js';
import { settings } from '../shared/settings.js';
import type { ViewSink } from './view-builder.js';

/** The tables a staging set copies, as `pipeline.batch_stage_tables()` lists them. */
const STAGED_TABLES = ['ingested_commits', ...SERVING_TABLES.map((table) => table.name)] as const;

type StagedTable = (typeof STAGED_TABLES)[number];

/** Ledger commits the archive does not hold (yet), as seen from the staging set. */
export interface UnarchivedCommits {
  count: number;
  /** Of those, the ones counted longer ago than `settings.batch.unarchivedAfterSeconds`. */
  settled: number;
  /** A few of their ids, settled ones first. */
  sample: string[];
}

export class StageTables implements ViewSink {
  private constructor(
    private readonly db: Database,
    readonly token: string,
  ) {}

  /**
   * Creates the staging set of a new run (dropping those of runs that died long ago).
   *
   * @param db - the owner's Data API identity
   */
  static async create(db: Database): Promise<StageTables> {
    const token = randomBytes(6).toString('hex');
    await db.query('SELECT pipeline.create_batch_stage(:token, :stale::interval) AS created', {
      token,
      stale: `${settings.batch.staleStageHours} hours`,
    });
    return new StageTables(db, token);
  }

  /** The schema-qualified name of the staging copy of `table` (the token is hex: no quoting needed). */
  name(table: StagedTable): string {
    return `pipeline.${table}__stage_${this.token}`;
  }

  /** Adds first arrivals to the staging ledger. */
  async addLedgerIds(ids: readonly string[]): Promise<void> {
    await claimLedgerIds(this.db, ids, this.name('ingested_commits'));
  }

  /**
   * Writes the view's changed rows.
   *
   * @param changes - from the view's `takeChanges`
   */
  async write(changes: ServingRows): Promise<void> {
    await writeServingRows(this.db, changes, {
      mode: 'replace',
      target: (table) => this.name(table),
    });
  }

  /** Fresh planner statistics, for the comparison's joins and for the API once swapped in. */
  async analyze(): Promise<void> {
    for (const table of STAGED_TABLES) await this.db.query(`ANALYZE ${this.name(table)}`);
  }

  /**
   * The live ledger's commits that the staging ledger lacks: counted by the speed layer, not (yet)
   * found in the archive.
   *
   * @param executor - the database, or the transaction holding the processor out
   */
  async unarchived(executor: SqlExecutor = this.db): Promise<UnarchivedCommits> {
    const [row] = await executor.query<{ missing: number; settled: number; sample: string | null }>(
      `WITH missing AS (
         SELECT l.commit_id, l.ingested_at < now() - make_interval(secs => :settleSeconds::int) AS settled
         FROM pipeline.ingested_commits l
         WHERE NOT EXISTS (SELECT 1 FROM ${this.name('ingested_commits')} s WHERE s.commit_id = l.commit_id)
       )
       SELECT count(*)::int8 AS missing, count(*) FILTER (WHERE settled)::int8 AS settled,
         (SELECT to_jsonb(array_agg(commit_id))::text FROM (
            SELECT commit_id FROM missing ORDER BY settled DESC, commit_id COLLATE "C" LIMIT 10) few) AS sample
       FROM missing`,
      { settleSeconds: settings.batch.unarchivedAfterSeconds },
    );
    return {
      count: row?.missing ?? 0,
      settled: row?.settled ?? 0,
      sample: row?.sample ? (JSON.parse(row.sample) as string[]) : [],
    };
  }

  /** Puts the staging set in place of the live tables, inside the given transaction. */
  async swapIn(tx: SqlExecutor): Promise<void> {
    await tx.query('SELECT pipeline.swap_in_batch_stage(:token) AS swapped', { token: this.token });
  }

  /** Drops the staging set (after a reconciliation, or a rebuild that did not swap). */
  async drop(): Promise<void> {
    await this.db.query('SELECT pipeline.drop_batch_stage(:token) AS dropped', { token: this.token });
  }
}
