/**
 * The read side of the aggregates: the port the API speaks to, and its RDS Data API adapter.
 *
 * The SQL stays inside the portable Data API subset: scalar parameters only, every non-text parameter
 * cast in SQL, and every result normalised in SQL (counts as int8, averages and numerics as float8,
 * timestamps as ISO 8601 text in UTC), so a row reads the same from Aurora, LocalStack and local servers.
 */
import type { Row, SqlExecutor, SqlValue } from '../shared/database/data-api.js';
import { type Dimension, SUSPICION_REASONS, type SuspicionReason } from '../shared/vocabulary.js';

/** Orders a group listing can be sorted by. */
export const GROUP_SORTS = ['commits', 'churn', 'avgEntropy', 'suspicious'] as const;
export type GroupSort = (typeof GROUP_SORTS)[number];

export const SORT_ORDERS = ['asc', 'desc'] as const;
export type SortOrder = (typeof SORT_ORDERS)[number];

/** Totals over every commit; zeros and nulls on an empty database. */
export interface Summary {
  commits: number;
  authors: number;
  linesAdded: number;
  linesDeleted: number;
  /** Sum of entropy / commits; null when there are no commits. */
  avgEntropy: number | null;
  suspiciousCommits: number;
  firstEventTime: string | null;
  lastEventTime: string | null;
  lastIngestedAt: string | null;
}

/** The aggregates of one author, module or language. */
export interface GroupStats {
  key: string;
  commits: number;
  linesAdded: number;
  linesDeleted: number;
  avgEntropy: number | null;
  maxEntropy: number;
  suspiciousCommits: number;
  firstEventTime: string;
  lastEventTime: string;
}

export interface GroupQuery {
  sort: GroupSort;
  order: SortOrder;
  limit: number;
  offset: number;
}

export interface GroupPage {
  items: GroupStats[];
  /** Number of groups in the dimension, regardless of paging. */
  total: number;
}

/** One tumbling event-time window. */
export interface TimelineWindow {
  windowStart: string;
  commits: number;
  linesAdded: number;
  linesDeleted: number;
  avgEntropy: number | null;
  suspiciousCommits: number;
}

export interface TimelineQuery {
  windowSeconds: number;
  /** Inclusive lower bound on the window start (ISO 8601). */
  from?: string | undefined;
  /** Exclusive upper bound on the window start (ISO 8601). */
  to?: string | undefined;
  limit: number;
}

export interface SuspiciousCommit {
  commitId: string;
  author: string;
  filePath: string;
  entropy: number;
  linesAdded: number;
  linesDeleted: number;
  eventTime: string;
  reason: SuspicionReason;
}

export interface SuspiciousQuery {
  limit: number;
  author?: string | undefined;
  reason?: SuspicionReason | undefined;
}

/** The port: everything the API reads. Implementations throw `DatabaseUnavailableError` when unreachable. */
export interface StatsRepository {
  /** Resolves when the database answers a trivial query. */
  ping(): Promise<void>;
  summary(): Promise<Summary>;
  /** One page of a dimension, ordered by `sort`/`order`, ties broken by key ascending. */
  listGroups(dimension: Dimension, query: GroupQuery): Promise<GroupPage>;
  /** The group with exactly this key, or undefined. */
  findGroup(dimension: Dimension, key: string): Promise<GroupStats | undefined>;
  /** Windows of `windowSeconds` length in `[from, to)`, oldest first, at most `limit`. */
  timeline(query: TimelineQuery): Promise<TimelineWindow[]>;
  /** Flagged commits, latest event first (then commit id, then reason), at most `limit`. */
  suspiciousCommits(query: SuspiciousQuery): Promise<SuspiciousCommit[]>;
}

const ISO_UTC = `'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'`;

/** SQL that renders a timestamptz column as ISO 8601 text in UTC with milliseconds. */
function isoText(column: string): string {
  return `to_char(${column} AT TIME ZONE 'UTC', ${ISO_UTC})`;
}

/** Sort expressions by whitelist: user input chooses a key of this map, never SQL text. */
const SORT_SQL: Readonly<Record<GroupSort, string>> = {
  commits: 'g.commits',
  churn: '(g.lines_added + g.lines_deleted)',
  avgEntropy: '(g.entropy_sum / nullif(g.commits, 0))',
  suspicious: 'g.suspicious_commits',
};

const ORDER_SQL: Readonly<Record<SortOrder, string>> = { asc: 'ASC', desc: 'DESC' };

const GROUP_COLUMNS = `g.key AS key,
  g.commits::int8 AS commits,
  g.lines_added::int8 AS lines_added,
  g.lines_deleted::int8 AS lines_deleted,
  (g.entropy_sum / nullif(g.commits, 0))::float8 AS avg_entropy,
  g.max_entropy::float8 AS max_entropy,
  g.suspicious_commits::int8 AS suspicious_commits,
  ${isoText('g.first_event_time')} AS first_event_time,
  ${isoText('g.last_event_time')} AS last_event_time`;

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

  groupPage(sort: GroupSort, order: SortOrder): string {
    return `SELECT ${GROUP_COLUMNS}
FROM pipeline.group_stats g
WHERE g.dimension = :dimension
ORDER BY ${SORT_SQL[sort]} ${ORDER_SQL[order]} NULLS LAST, g.key COLLATE "C" ASC
LIMIT :limit::int OFFSET :offset::int8`;
  },

  groupByKey: `SELECT ${GROUP_COLUMNS}
FROM pipeline.group_stats g
WHERE g.dimension = :dimension AND g.key = :key`,

  timeline: `SELECT ${isoText('w.window_start')} AS window_start,
  w.commits::int8 AS commits,
  w.lines_added::int8 AS lines_added,
  w.lines_deleted::int8 AS lines_deleted,
  (w.entropy_sum / nullif(w.commits, 0))::float8 AS avg_entropy,
  w.suspicious_commits::int8 AS suspicious_commits
FROM pipeline.window_stats w
WHERE w.window_seconds = :windowSeconds::int
  AND w.window_start >= coalesce(:from::timestamptz, '-infinity'::timestamptz)
  AND w.window_start < coalesce(:to::timestamptz, 'infinity'::timestamptz)
ORDER BY w.window_start ASC
LIMIT :limit::int`,

  suspicious(filters: { author: boolean; reason: boolean }): string {
    const conditions = [
      ...(filters.author ? ['s.author = :author'] : []),
      ...(filters.reason ? ['s.reason = :reason'] : []),
    ];
    return `SELECT s.commit_id AS commit_id,
  s.author AS author,
  s.file_path AS file_path,
  s.entropy::float8 AS entropy,
  s.lines_added::int8 AS lines_added,
  s.lines_deleted::int8 AS lines_deleted,
  ${isoText('s.event_time')} AS event_time,
  s.reason AS reason
FROM pipeline.suspicious_commits s${conditions.length > 0 ? `\nWHERE ${conditions.join(' AND ')}` : ''}
ORDER BY s.event_time DESC, s.commit_id COLLATE "C" ASC, s.reason ASC
LIMIT :limit::int`;
  },
} as const;

/** `StatsRepository` over the RDS Data API (or anything else that runs SQL with named parameters). */
export class DataApiStatsRepository implements StatsRepository {
  constructor(private readonly sql: SqlExecutor) {}

  async ping(): Promise<void> {
    await this.sql.query(SQL.ping);
  }

  async summary(): Promise<Summary> {
    const [row] = await this.sql.query(SQL.summary);
    if (!row) throw new Error('summary query returned no row');
    return {
      commits: integer(row, 'commits'),
      authors: integer(row, 'authors'),
      linesAdded: integer(row, 'lines_added'),
      linesDeleted: integer(row, 'lines_deleted'),
      avgEntropy: nullableNumber(row, 'avg_entropy'),
      suspiciousCommits: integer(row, 'suspicious_commits'),
      firstEventTime: nullableText(row, 'first_event_time'),
      lastEventTime: nullableText(row, 'last_event_time'),
      lastIngestedAt: nullableText(row, 'last_ingested_at'),
    };
  }

  async listGroups(dimension: Dimension, query: GroupQuery): Promise<GroupPage> {
    const [rows, counts] = await Promise.all([
      this.sql.query(SQL.groupPage(query.sort, query.order), {
        dimension,
        limit: query.limit,
        offset: query.offset,
      }),
      this.sql.query(SQL.groupCount, { dimension }),
    ]);
    const [count] = counts;
    return { items: rows.map(toGroupStats), total: count ? integer(count, 'total') : 0 };
  }

  async findGroup(dimension: Dimension, key: string): Promise<GroupStats | undefined> {
    const [row] = await this.sql.query(SQL.groupByKey, { dimension, key });
    return row ? toGroupStats(row) : undefined;
  }

  async timeline(query: TimelineQuery): Promise<TimelineWindow[]> {
    const rows = await this.sql.query(SQL.timeline, {
      windowSeconds: query.windowSeconds,
      from: query.from ?? null,
      to: query.to ?? null,
      limit: query.limit,
    });
    return rows.map((row) => ({
      windowStart: text(row, 'window_start'),
      commits: integer(row, 'commits'),
      linesAdded: integer(row, 'lines_added'),
      linesDeleted: integer(row, 'lines_deleted'),
      avgEntropy: nullableNumber(row, 'avg_entropy'),
      suspiciousCommits: integer(row, 'suspicious_commits'),
    }));
  }

  async suspiciousCommits(query: SuspiciousQuery): Promise<SuspiciousCommit[]> {
    const sql = SQL.suspicious({ author: query.author !== undefined, reason: query.reason !== undefined });
    const rows = await this.sql.query(sql, {
      limit: query.limit,
      ...(query.author !== undefined ? { author: query.author } : {}),
      ...(query.reason !== undefined ? { reason: query.reason } : {}),
    });
    return rows.map((row) => ({
      commitId: text(row, 'commit_id'),
      author: text(row, 'author'),
      filePath: text(row, 'file_path'),
      entropy: number(row, 'entropy'),
      linesAdded: integer(row, 'lines_added'),
      linesDeleted: integer(row, 'lines_deleted'),
      eventTime: text(row, 'event_time'),
      reason: reason(row, 'reason'),
    }));
  }
}

/**
 * A `SqlExecutor` that creates the real one on first use, so that building the handler (and serving
 * routes that never touch the database) does not require the database environment.
 *
 * @param create - builds the executor, e.g. `dataApiDatabaseFromEnv`
 */
export function lazySqlExecutor(create: () => SqlExecutor): SqlExecutor {
  let executor: SqlExecutor | undefined;
  return {
    query: (sql, params) => {
      executor ??= create();
      return executor.query(sql, params);
    },
  };
}

function toGroupStats(row: Row): GroupStats {
  return {
    key: text(row, 'key'),
    commits: integer(row, 'commits'),
    linesAdded: integer(row, 'lines_added'),
    linesDeleted: integer(row, 'lines_deleted'),
    avgEntropy: nullableNumber(row, 'avg_entropy'),
    maxEntropy: number(row, 'max_entropy'),
    suspiciousCommits: integer(row, 'suspicious_commits'),
    firstEventTime: text(row, 'first_event_time'),
    lastEventTime: text(row, 'last_event_time'),
  };
}

// Column readers. They accept numbers sent as strings too (node-postgres returns int8 as text), and
// fail loudly on anything else: a wrong type is a bug in the SQL, not something to paper over.

function column(row: Row, name: string): SqlValue {
  const value = row[name];
  if (value === undefined) throw new TypeError(`column ${name} is missing from the result`);
  return value;
}

function nullableNumber(row: Row, name: string): number | null {
  const value = column(row, name);
  if (value === null) return null;
  const parsed = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof parsed !== 'number' || !Number.isFinite(parsed)) {
    throw new TypeError(`column ${name} is not a number`);
  }
  return parsed;
}

function number(row: Row, name: string): number {
  const value = nullableNumber(row, name);
  if (value === null) throw new TypeError(`column ${name} is null`);
  return value;
}

function integer(row: Row, name: string): number {
  const value = number(row, name);
  if (!Number.isSafeInteger(value)) throw new TypeError(`column ${name} is not a safe integer`);
  return value;
}

function nullableText(row: Row, name: string): string | null {
  const value = column(row, name);
  if (value === null || typeof value === 'string') return value;
  throw new TypeError(`column ${name} is not text`);
}

function text(row: Row, name: string): string {
  const value = nullableText(row, name);
  if (value === null) throw new TypeError(`column ${name} is null`);
  return value;
}

function reason(row: Row, name: string): SuspicionReason {
  const value = text(row, name);
  const known = SUSPICION_REASONS.find((candidate) => candidate === value);
  if (!known) throw new TypeError(`column ${name} holds an unknown reason`);
  return known;
}
