/**
 * The SQL of the read side, inside the portable Data API subset: scalar parameters only, every
 * non-text parameter cast in SQL, and every result normalised in SQL (counts as int8, averages and
 * numerics as float8, timestamps as ISO 8601 text in UTC), so a row reads the same from Aurora,
 * LocalStack and local servers.
 *
 * Two Data API limits shape the listings: a row may hold at most 64 KB and a response at most 1 MiB.
 * Text columns are cut to the record bounds (rows stored before the bounds existed can be longer), so
 * every row fits; and a listing returns only the rows whose running size estimate stays within a
 * byte budget (`:budgetBytes`), always at least one. `page_rows` tells the caller how many rows the
 * page had before that cut, so it knows whether to continue from where the call stopped.
 */
import { isoText, readSql } from '../../shared/aggregation/column-sql.js';
import { columnsOf, type ServingTable, sqlNameOf } from '../../shared/aggregation/columns.js';
import { groupStats, suspiciousCommits, windowStats } from '../../shared/aggregation/serving-tables.js';
import { MAX_KEY_CHARS, MAX_LANGUAGE_CHARS, MAX_MODULE_CHARS } from '../../shared/record-bounds.js';
import type { Dimension } from '../../shared/vocabulary.js';
import {
  type GroupSort,
  groupStatsSchema,
  type SortOrder,
  suspiciousCommitSchema,
  timelineWindowSchema,
} from '../read-model.js';

/** Longest key each dimension's listing shows, from the record bounds. */
export const KEY_CHARS: Readonly<Record<Dimension, number>> = {
  author: MAX_KEY_CHARS,
  module: MAX_MODULE_CHARS,
  language: MAX_LANGUAGE_CHARS,
};

/**
 * What one field of a Data API record costs on the wire besides its value's JSON text, rounded up:
 * `{"stringValue":…}`, or a number of up to 24 characters in `{"doubleValue":…}`.
 */
const FIELD_BYTES = 48;

/** SQL estimating a text value's size in a Data API record: its JSON text, escapes included. */
const textBytes = (expression: string) => `octet_length(to_json(${expression})::text)`;

/** Sort expressions by whitelist: user input chooses a key of this map, never SQL text. */
const SORT_SQL: Readonly<Record<GroupSort, string>> = {
  commits: 'g.commits',
  churn: '(g.lines_added + g.lines_deleted)',
  avgEntropy: '(g.entropy_sum / nullif(g.commits, 0))',
  suspicious: 'g.suspicious_commits',
};

const ORDER_SQL: Readonly<Record<SortOrder, string>> = { asc: 'ASC', desc: 'DESC' };

const GROUP_KEY = 'left(g.key, :keyChars::int)';

/** One output column of a read query. */
interface Selected {
  /** The column label: the read model's field in snake_case, as `row-reader.ts` reads it. */
  output: string;
  sql: string;
  /** A long text, whose size counts in the byte budget (other values fit in `FIELD_BYTES`). */
  long: boolean;
}

/**
 * The output columns of a read-model shape, in its field order: each field read from the table's column
 * of the same name (`readSql`), unless `derived` gives its SQL. A field that is neither fails at load.
 *
 * @param shape - the fields of a read-model schema
 * @param table - the serving table read, as `alias`
 */
function selectedFields(
  shape: Readonly<Record<string, unknown>>,
  table: ServingTable,
  alias: string,
  derived: Readonly<Record<string, string>> = {},
): Selected[] {
  const columns = columnsOf(table);
  return Object.keys(shape).map((field) => {
    const column = columns.find((candidate) => candidate.field === field);
    const sql = derived[field] ?? (column && readSql(column, `${alias}.${column.name}`));
    if (sql === undefined) throw new Error(`${field} is neither a column of ${table.name} nor derived`);
    return { output: sqlNameOf(field), sql, long: column?.maxChars !== undefined };
  });
}

const selectList = (selected: readonly Selected[]) =>
  selected.map((column) => `${column.sql} AS ${column.output}`).join(',\n  ');

/** SQL estimating what a row of `selected` costs in a Data API response. */
const rowBytes = (selected: readonly Selected[]) =>
  [
    ...selected.filter((column) => column.long).map((column) => textBytes(column.sql)),
    selected.length * FIELD_BYTES,
  ].join(' + ');

const averageEntropy = (alias: string) => `(${alias}.entropy_sum / nullif(${alias}.commits, 0))::float8`;

const GROUP = selectedFields(groupStatsSchema.shape, groupStats, 'g', {
  key: GROUP_KEY,
  avgEntropy: averageEntropy('g'),
});

const WINDOW = selectedFields(timelineWindowSchema.shape, windowStats, 'w', {
  avgEntropy: averageEntropy('w'),
});

const SUSPICIOUS = selectedFields(suspiciousCommitSchema.shape, suspiciousCommits, 's');

/**
 * Wraps one page of rows (`page`, already ordered, limited and offset) so that only the rows whose
 * running size stays within `:budgetBytes` are returned, the first one always.
 *
 * @param page - the inner SELECT; it must output `row_bytes` and the columns `order` names
 * @param order - the page's order over its own output columns
 * @param output - the columns to return
 */
function withinBudget(page: string, order: string, output: readonly Selected[]): string {
  return `SELECT ${output.map((column) => `budgeted.${column.output}`).join(', ')}, budgeted.page_rows
FROM (
  SELECT page.*,
    sum(page.row_bytes) OVER (ORDER BY ${order} ROWS UNBOUNDED PRECEDING) AS page_bytes,
    count(*) OVER () AS page_rows
  FROM (
${page}
  ) page
) budgeted
WHERE budgeted.page_bytes <= :budgetBytes::int8 OR budgeted.page_bytes = budgeted.row_bytes
ORDER BY ${order.replaceAll('page.', 'budgeted.')}`;
}

export const SQL = {
  ping: 'SELECT 1 AS ok',

  summary: `SELECT count(*)::int8 AS authors,
  coalesce(sum(g.commits), 0)::int8 AS commits,
  coalesce(sum(g.lines_added), 0)::int8 AS lines_added,
  coalesce(sum(g.lines_deleted), 0)::int8 AS lines_deleted,
  (sum(g.entropy_sum) / nullif(sum(g.commits), 0))::float8 AS avg_entropy,
  coalesce(sum(g.suspicious_commits), 0)::int8 AS suspicious_commits,
  ${isoText('min(g.first_event_time)')} AS first_event_time,
  ${isoText('max(g.last_event_time)')} AS last_event_time,
  ${isoText('max(g.last_ingested_at)')} AS last_ingested_at
FROM pipeline.group_stats g
WHERE g.dimension = 'author'`,

  groupCount: `SELECT count(*)::int8 AS total FROM pipeline.group_stats g WHERE g.dimension = :dimension`,

  /** Parameters: dimension, keyChars, limit, offset, budgetBytes. */
  groupPage(sort: GroupSort, order: SortOrder): string {
    const direction = ORDER_SQL[order];
    const page = `SELECT ${selectList(GROUP)},
  ${SORT_SQL[sort]} AS sort_value,
  g.key AS sort_key,
  ${rowBytes(GROUP)} AS row_bytes
FROM pipeline.group_stats g
WHERE g.dimension = :dimension
ORDER BY ${SORT_SQL[sort]} ${direction} NULLS LAST, g.key COLLATE "C" ASC
LIMIT :limit::int OFFSET :offset::int8`;
    return withinBudget(
      page,
      `page.sort_value ${direction} NULLS LAST, page.sort_key COLLATE "C" ASC`,
      GROUP,
    );
  },

  /** Parameters: dimension, key, keyChars. */
  groupByKey: `SELECT ${selectList(GROUP)}
FROM pipeline.group_stats g
WHERE g.dimension = :dimension AND g.key = :key`,

  // A window row holds one short text and five numbers (~250 bytes): 1001 of them are ~250 KB, so
  // the timeline needs no byte budget.
  timeline: `SELECT ${selectList(WINDOW)}
FROM pipeline.window_stats w
WHERE w.window_seconds = :windowSeconds::int
  AND w.window_start >= coalesce(:from::timestamptz, '-infinity'::timestamptz)
  AND w.window_start < coalesce(:to::timestamptz, 'infinity'::timestamptz)
ORDER BY w.window_start ASC
LIMIT :limit::int`,

  /** Parameters: limit, offset, budgetBytes, and author / reason when filtered. */
  suspicious(filters: { author: boolean; reason: boolean }): string {
    const conditions = [
      ...(filters.author ? ['s.author = :author'] : []),
      ...(filters.reason ? ['s.reason = :reason'] : []),
    ];
    const page = `SELECT ${selectList(SUSPICIOUS)},
  s.event_time AS sort_time,
  s.commit_id AS sort_id,
  s.reason AS sort_reason,
  ${rowBytes(SUSPICIOUS)} AS row_bytes
FROM pipeline.suspicious_commits s${conditions.length > 0 ? `\nWHERE ${conditions.join(' AND ')}` : ''}
ORDER BY s.event_time DESC, s.commit_id COLLATE "C" ASC, s.reason ASC
LIMIT :limit::int OFFSET :offset::int8`;
    return withinBudget(
      page,
      'page.sort_time DESC, page.sort_id COLLATE "C" ASC, page.sort_reason ASC',
      SUSPICIOUS,
    );
  },
} as const;
