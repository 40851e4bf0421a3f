/**
 * The comparison of the speed layer's tables (hot) with the batch view in a staging set (batch), in
 * SQL: one statement per table, returning only the differences, one row per (dimension, key, field),
 * a missing row as a single `(row)` difference. Values are compared in their column types (numerics
 * numerically, floats exactly) and shown as text. `last_ingested_at` is not compared: it records when a
 * row was written, not what the archive says.
 */
import { comparedText, isoText } from '../shared/aggregation/column-sql.js';
import { columnsOf, type ServingTable } from '../shared/aggregation/columns.js';
import {
  authorBaselines,
  groupStats,
  type ServingTableName,
  suspiciousCommits,
  windowStats,
} from '../shared/aggregation/serving-tables.js';
import type { SqlExecutor, SqlParams } from '../shared/database/data-api.js';
import type { StageTables } from './stage-tables.js';

/** One difference between the two layers. */
export interface Difference {
  /** `author`, `module`, `language`, `window`, `suspicious`, `baseline` or `ledger`. */
  dimension: string;
  key: string;
  field: string;
  /** The serving tables' value (`absent` for a missing row). */
  hot: string;
  /** The batch view's value. */
  batch: string;
}

export interface ViewDiff {
  /** All differences, counted. */
  count: number;
  /** Up to the requested number of them per table, in key order. */
  listed: Difference[];
}

/** How one serving table's differences are shown; what is compared comes from its description. */
interface TableComparison {
  table: ServingTable<ServingTableName>;
  /** SQL of the dimension shown, over `h` (hot) and `b` (batch). */
  dimension: string;
  /** SQL of the key shown. */
  key: string;
  /** Restricts both sides (windows to the current length); `:windowSeconds` is bound. */
  where?: string;
}

const COMPARISONS: readonly TableComparison[] = [
  { table: groupStats, dimension: 'coalesce(h.dimension, b.dimension)', key: 'coalesce(h.key, b.key)' },
  {
    table: windowStats,
    dimension: `'window'`,
    key: isoText('coalesce(h.window_start, b.window_start)'),
    where: 'window_seconds = :windowSeconds::int',
  },
  {
    table: suspiciousCommits,
    dimension: `'suspicious'`,
    key: `coalesce(h.commit_id, b.commit_id) || ' ' || coalesce(h.reason, b.reason)`,
  },
  { table: authorBaselines, dimension: `'baseline'`, key: 'coalesce(h.author, b.author)' },
];

/**
 * SQL listing one table's differences with their total: `total, dimension, key, field, hot, batch`. Rows
 * are joined on the key columns; every other column but the write time is compared.
 */
function comparisonSql(comparison: TableComparison, stage: StageTables): string {
  const columns = columnsOf(comparison.table);
  const keys = columns.filter((column) => column.merge === 'key');
  const fields = columns.filter((column) => column.merge !== 'key' && column.source !== 'written');
  const side = (alias: 'h' | 'b') => {
    const table = alias === 'h' ? `pipeline.${comparison.table.name}` : stage.name(comparison.table.name);
    return `(SELECT * FROM ${table}${comparison.where ? ` WHERE ${comparison.where}` : ''}) ${alias}`;
  };
  const on = keys.map((column) => `b.${column.name} = h.${column.name}`).join(' AND ');
  // A key column is never NULL in a present row.
  const present = (alias: 'h' | 'b') => `${alias}.${keys[0]?.name} IS NOT NULL`;
  const values = [
    `(0, '(row)', NOT (${present('h')} AND ${present('b')}),
      CASE WHEN ${present('h')} THEN 'present' ELSE 'absent' END,
      CASE WHEN ${present('b')} THEN 'present' ELSE 'absent' END)`,
    ...fields.map(({ name, ...field }, index) => {
      const [h, b] = [comparedText(field, `h.${name}`), comparedText(field, `b.${name}`)];
      return `(${index + 1}, '${name}', h.${name} IS DISTINCT FROM b.${name}, ${h}, ${b})`;
    }),
  ];
  return `SELECT count(*) OVER () AS total, d.dimension, d.key, d.field, d.hot, d.batch
FROM (
  SELECT ${comparison.dimension} AS dimension, ${comparison.key} AS key, f.ord, f.field, f.hot, f.batch
  FROM ${side('h')} FULL JOIN ${side('b')} ON ${on}
  CROSS JOIN LATERAL (VALUES ${values.join(',\n    ')}) AS f(ord, field, differs, hot, batch)
  WHERE f.differs AND (f.ord = 0) = NOT (${present('h')} AND ${present('b')})
) d
ORDER BY d.dimension, d.key COLLATE "C", d.ord
LIMIT :limit::int`;
}

/** The ledgers' differences, in one full join: a commit id counted on one side only. */
function ledgerSql(stage: StageTables): string {
  return `SELECT count(*) OVER () AS total, count(*) FILTER (WHERE d.batch = 'no') OVER () AS missing,
  'ledger' AS dimension, d.key, 'counted' AS field, d.hot, d.batch
FROM (
  SELECT coalesce(h.commit_id, b.commit_id) AS key,
    CASE WHEN h.commit_id IS NULL THEN 'no' ELSE 'yes' END AS hot,
    CASE WHEN b.commit_id IS NULL THEN 'no' ELSE 'yes' END AS batch
  FROM pipeline.ingested_commits h FULL JOIN ${stage.name('ingested_commits')} b ON b.commit_id = h.commit_id
  WHERE h.commit_id IS NULL OR b.commit_id IS NULL
) d
ORDER BY d.key COLLATE "C"
LIMIT :limit::int`;
}

/** The ledger comparison, with how many of its differences are commits the batch view lacks. */
export interface LedgerDiff extends ViewDiff {
  /** Commits in the serving ledger that the batch view does not have (not archived, or not yet). */
  missing: number;
}

/**
 * Compares the two ledgers: the serving one's commits the view lacks, and the other way round.
 *
 * @param executor - the transaction holding the processor out
 * @param stage - the batch view
 * @param limit - how many differences to list
 */
export async function diffLedgers(
  executor: SqlExecutor,
  stage: StageTables,
  limit: number,
): Promise<LedgerDiff> {
  const rows = await executor.query<{ total: number; missing: number } & Record<keyof Difference, string>>(
    ledgerSql(stage),
    { limit },
  );
  return {
    count: rows[0]?.total ?? 0,
    missing: rows[0]?.missing ?? 0,
    listed: rows.map(({ dimension, key, field, hot, batch }) => ({ dimension, key, field, hot, batch })),
  };
}

/**
 * Compares the live serving tables and baselines with the staging set (the ledgers: {@link diffLedgers}).
 *
 * @param executor - the transaction holding the processor out, so both sides are one moment's
 * @param stage - the batch view
 * @param options - the window length of the view, and how many differences to list per table
 */
export async function diffViews(
  executor: SqlExecutor,
  stage: StageTables,
  options: { windowSeconds: number; limit: number },
): Promise<ViewDiff> {
  const diff: ViewDiff = { count: 0, listed: [] };
  const statements = COMPARISONS.map((comparison) => comparisonSql(comparison, stage));
  for (const sql of statements) {
    // Only the parameters a statement names: the Data API refuses none, but binds what it is given.
    const params: SqlParams = sql.includes(':windowSeconds')
      ? { limit: options.limit, windowSeconds: options.windowSeconds }
      : { limit: options.limit };
    const rows = await executor.query<{ total: number } & { [K in keyof Difference]: string | null }>(
      sql,
      params,
    );
    diff.count += rows[0]?.total ?? 0;
    for (const row of rows) {
      diff.listed.push({
        dimension: row.dimension ?? '',
        key: row.key ?? '',
        field: row.field ?? '',
        hot: row.hot ?? 'null',
        batch: row.batch ?? 'null',
      });
    }
  }
  return diff;
}
