/**
 * How a described column reads in SQL, from its type: normalised so that a value reads the same from
 * Aurora, LocalStack and the local Data API server (counts as int8, numerics as float8, instants as ISO
 * 8601 text in UTC with milliseconds, long text cut to its bound), or shown as text for a comparison.
 */
import type { Column } from './columns.js';

/**
 * SQL rendering a timestamptz as ISO 8601 text in UTC with milliseconds.
 *
 * @param expression - SQL of a timestamptz, e.g. `min(g.first_event_time)`
 */
export function isoText(expression: string): string {
  return `to_char(${expression} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
}

/**
 * A column's value as the read side selects it.
 *
 * @param column - the description of the column
 * @param expression - SQL naming it, e.g. `s.file_path`
 * @example readSql(suspiciousCommits.columns.filePath, 's.file_path') === 'left(s.file_path, 4096)'
 */
export function readSql(column: Column, expression: string): string {
  if (column.sqlType === 'timestamptz') return isoText(expression);
  if (column.sqlType === 'text')
    return column.maxChars === undefined ? expression : `left(${expression}, ${column.maxChars})`;
  return `${expression}::${column.sqlType === 'bigint' || column.sqlType === 'integer' ? 'int8' : 'float8'}`;
}

/**
 * A column's value as text to compare and show: numerics without trailing zeros, instants as above, and
 * floats as PostgreSQL prints them (the shortest text that reads back exactly).
 *
 * @param column - the description of the column
 * @param expression - SQL naming it, e.g. `h.entropy_sum`
 */
export function comparedText(column: Column, expression: string): string {
  if (column.sqlType === 'numeric') return `trim_scale(${expression})::text`;
  if (column.sqlType === 'timestamptz') return isoText(expression);
  return `${expression}::text`;
}
