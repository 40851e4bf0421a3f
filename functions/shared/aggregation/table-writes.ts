/**
 * Writes rows into the serving tables through the Data API: per table, the rows in key order (across
 * statements too, so that concurrent transactions take row locks in one order), cut into JSON arrays
 * that keep each request far under the Data API's limits, one statement per array.
 */
import type { Row, SqlExecutor, SqlValue } from '../database/data-api.js';
import { jsonChunks } from '../database/json-chunks.js';
import { columnsOf, type RowOf, type ServingTable } from './columns.js';
import {
  authorBaselines,
  groupStats,
  type ServingParameters,
  type ServingRows,
  type ServingTableName,
  suspiciousCommits,
  windowStats,
} from './serving-tables.js';
import { type WriteMode, writeStatement } from './table-statements.js';

export interface TableWriteOptions {
  mode: WriteMode;
  /** Values of the tables' parameter columns. */
  parameters: ServingParameters;
  /** The table each serving table's rows go to, e.g. a staging copy. @default `pipeline.<name>` */
  target?: (table: ServingTableName) => string;
  /** Most JSON bytes of rows per statement. @default the Data API adapter's bound */
  maxBytes?: number;
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
  const given: Readonly<Record<string, SqlValue>> = options.parameters;
  const parameters: Record<string, SqlValue> = {};
  for (const column of columnsOf(table)) {
    if (column.source === 'parameter') parameters[column.field] = given[column.field] ?? null;
  }
  const stored: RowOf<T>[] = [];
  for (const chunk of jsonChunks(inKeyOrder(table, rows), options.maxBytes)) {
    stored.push(...(await executor.query<RowOf<T> & Row>(sql, { ...parameters, rows: chunk })));
  }
  return stored;
}

/** The rows sorted by their key fields (text in UTF-16 code-unit order). */
function inKeyOrder<T extends ServingTable>(table: T, rows: readonly RowOf<T>[]): RowOf<T>[] {
  const keys = columnsOf(table)
    .filter((column) => column.merge === 'key' && column.source === 'row')
    .map((column) => column.field as keyof RowOf<T>);
  return [...rows].sort((a, b) => {
    for (const key of keys) {
      if (a[key] < b[key]) return -1;
      if (a[key] > b[key]) return 1;
    }
    return 0;
  });
}
