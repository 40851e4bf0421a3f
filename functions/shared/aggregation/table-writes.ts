/**
 * Writing a serving table, derived from its description: one set-based statement per table and mode
 * over a JSON array of rows (`jsonb_to_recordset(:rows::jsonb)`, inside the Data API's portable subset:
 * its one parameter, text cast to jsonb), the rows in key order, across statements too, so
 * that concurrent transactions lock rows in one order and cannot deadlock each other; the arrays are cut
 * to keep each request far under the Data API's limits.
 */
import type { Row, SqlExecutor } from '../database/data-api.js';
import { jsonChunks } from '../database/json-chunks.js';
import { columnsOf, type Merge, type NamedColumn, type RowOf, type ServingTable } from './columns.js';
import {
  authorBaselines,
  groupStats,
  type ServingRows,
  type ServingTableName,
  suspiciousCommits,
  windowStats,
} from './serving-tables.js';

/**
 * How the written rows meet the stored ones:
 * - `add`: the rows are deltas (the speed layer's batches), merged by each column's rule;
 * - `replace`: the rows are totals (the batch view), and replace the stored ones;
 * - `lock`: the rows are inserted where their key is absent, every row is locked and returned as stored.
 */
export type WriteMode = 'add' | 'replace' | 'lock';

/** The SQL of each merge rule in `add` mode, over the stored row `t`. */
const ADD: Readonly<Record<Exclude<Merge, 'key' | 'first'>, (column: string) => string>> = {
  sum: (column) => `t.${column} + EXCLUDED.${column}`,
  max: (column) => `GREATEST(t.${column}, EXCLUDED.${column})`,
  min: (column) => `LEAST(t.${column}, EXCLUDED.${column})`,
  last: (column) => `EXCLUDED.${column}`,
};

/**
 * The statement writing rows of `table` (its one parameter, `rows`, a JSON array of rows).
 *
 * @param table - the description
 * @param mode - how the rows meet the stored ones
 * @param target - the table written, e.g. a staging copy @default `pipeline.<name>`
 * @example writeStatement(windowStats, 'add') // INSERT INTO pipeline.window_stats AS t … ON CONFLICT …
 */
export function writeStatement(
  table: ServingTable,
  mode: WriteMode,
  target = `pipeline.${table.name}`,
): string {
  const columns = columnsOf(table);
  const recordset = columns
    .filter((column) => column.source === 'row')
    .map((column) => `"${column.field}" ${column.sqlType}`);
  const keys = columns.filter((column) => column.merge === 'key');
  return `INSERT INTO ${target} AS t (${columns.map((column) => column.name).join(', ')})
SELECT ${columns.map(writtenValue).join(', ')}
FROM jsonb_to_recordset(:rows::jsonb) AS d(${recordset.join(', ')})
ORDER BY ${keys.map((column) => `d."${column.field}"`).join(', ')}
ON CONFLICT (${keys.map((column) => column.name).join(', ')}) ${onConflict(columns, keys, mode)}`;
}

function writtenValue(column: NamedColumn): string {
  return column.source === 'row' ? `d."${column.field}"` : 'now()';
}

function onConflict(columns: NamedColumn[], keys: NamedColumn[], mode: WriteMode): string {
  if (mode === 'lock') {
    // A no-op update: it locks the stored row and makes RETURNING show it as stored.
    const [key] = keys;
    const returned = columns.filter((column) => column.source === 'row');
    return `DO UPDATE SET ${key?.name} = t.${key?.name}
RETURNING ${returned.map((column) => `t.${column.name} AS "${column.field}"`).join(', ')}`;
  }
  const updates = columns.flatMap((column) => {
    if (column.merge === 'key' || column.merge === 'first') return [];
    const value = mode === 'add' ? ADD[column.merge](column.name) : `EXCLUDED.${column.name}`;
    return [`${column.name} = ${value}`];
  });
  return updates.length === 0 ? 'DO NOTHING' : `DO UPDATE SET\n  ${updates.join(',\n  ')}`;
}

export interface TableWriteOptions {
  mode: WriteMode;
  /** The table each serving table's rows go to, e.g. a staging copy. @default `pipeline.<name>` */
  target?: (table: ServingTableName) => string;
}

/**
 * Writes an aggregation's rows, table after table in one fixed order.
 *
 * @param executor - the database, or the transaction the rows belong to
 * @param rows - e.g. `CommitAggregation.takeChanges()`
 * @param options - `add` for deltas, `replace` for totals
 */
export async function writeServingRows(
  executor: SqlExecutor,
  rows: ServingRows,
  options: TableWriteOptions,
): Promise<void> {
  await writeRows(executor, groupStats, rows.groups, options);
  await writeRows(executor, windowStats, rows.windows, options);
  await writeRows(executor, authorBaselines, rows.baselines, options);
  await writeRows(executor, suspiciousCommits, rows.suspicious, options);
}

/**
 * Writes rows of one table; no statement when there are none.
 *
 * @returns the rows as stored, in `lock` mode; otherwise none
 */
export async function writeRows<T extends ServingTable<ServingTableName>>(
  executor: SqlExecutor,
  table: T,
  rows: readonly RowOf<T>[],
  options: TableWriteOptions,
): Promise<RowOf<T>[]> {
  if (rows.length === 0) return [];
  const sql = writeStatement(table, options.mode, options.target?.(table.name));
  const stored: RowOf<T>[] = [];
  for (const chunk of jsonChunks(inKeyOrder(table, rows))) {
    stored.push(...(await executor.query<RowOf<T> & Row>(sql, { rows: chunk })));
  }
  return stored;
}

/** The rows sorted by their key fields (text in UTF-16 code-unit order). */
function inKeyOrder<T extends ServingTable>(table: T, rows: readonly RowOf<T>[]): RowOf<T>[] {
  const keys = columnsOf(table)
    .filter((column) => column.merge === 'key')
    .map((column) => column.field as keyof RowOf<T>);
  return [...rows].sort((a, b) => {
    for (const key of keys) {
      if (a[key] < b[key]) return -1;
      if (a[key] > b[key]) return 1;
    }
    return 0;
  });
}
