/**
 * How long the processor's transactions waited for row locks, read from PostgreSQL's own log.
 *
 * With `log_lock_waits` on, a backend that has waited `deadlock_timeout` for a lock logs "still waiting",
 * and once granted "acquired … after N ms", N being the whole wait as the server measured it. With
 * `deadlock_timeout` at its 1 ms floor, every wait longer than 1 ms is logged with its exact length;
 * shorter ones are not (each is under 1 ms). Sampling `pg_locks` instead would miss every wait shorter
 * than its interval and blur the others by that much, while its queries compete with the run.
 */
import { readFile } from 'node:fs/promises';
import type { SqlExecutor } from '../../functions/shared/database/data-api.js';

/**
 * PostgreSQL settings for a measured run: every lock wait over 1 ms logged with its length, with the
 * line prefix {@link parseLockWaits} reads (time, then the backend's pid).
 */
export const LOCK_WAIT_LOGGING: Readonly<Record<string, string>> = {
  log_lock_waits: 'on',
  deadlock_timeout: '1ms',
  log_line_prefix: '%m [%p] ',
};

/** Lock waits of one table (or lock kind, when the log names no table). */
export interface TableLockWaits {
  waits: number;
  totalMs: number;
}

/** The lock waits a server log holds. */
export interface LockWaits {
  /** Waits over 1 ms that ended with the lock granted. */
  waits: number;
  totalMs: number;
  longestMs: number;
  /** Waits logged as begun but never granted: a lock timeout or a cancelled statement. */
  unfinished: number;
  /** Granted waits by the table the waiting statement was writing ("(extension)": adding pages to it). */
  byTable: Map<string, TableLockWaits>;
}

/** `2026-12-07 05:18:42.300 UTC [17601] LOG:  message`, as `log_line_prefix = '%m [%p] '` writes it. */
const LOG_LINE = /^\S+ \S+ \S+ \[(\d+)\] ([A-Z]+): {2}(.*)$/;
const WAITING = /^process \d+ still waiting for /;
const ACQUIRED = /^process \d+ acquired \S+ on (.+) after ([\d.]+) ms$/;
/** The context of a row lock wait: `while locking tuple (0,3) in relation "group_stats"`. */
const IN_RELATION = /in relation "([^"]+)"/;
/**
 * A tuple lock names its table by OID, `tuple (0,5) of relation 16390 of database 16384`, and so does
 * the lock that adds pages to a table or index, `extension of relation 16400 of database 5`.
 */
const OF_RELATION = /of relation (\d+)/;
const EXTENSION = /^extension of /;

/**
 * Sums the lock waits of a server log.
 *
 * @param log - the server log's text
 * @param tableNames - table names by OID, for the waits whose lock names the table only by its OID
 */
export function parseLockWaits(log: string, tableNames: ReadonlyMap<string, string> = new Map()): LockWaits {
  const result: LockWaits = { waits: 0, totalMs: 0, longestMs: 0, unfinished: 0, byTable: new Map() };
  const waiting = new Set<string>();
  // A granted wait, by pid, until its CONTEXT line (if any) names the table.
  const granted = new Map<string, { ms: number; lock: string }>();
  const settle = (pid: string, table?: string) => {
    const wait = granted.get(pid);
    if (!wait) return;
    granted.delete(pid);
    const oid = OF_RELATION.exec(wait.lock)?.[1];
    const named = oid ? (tableNames.get(oid) ?? `relation ${oid}`) : (wait.lock.split(' ')[0] ?? 'other');
    const name = EXTENSION.test(wait.lock) ? `${named} (extension)` : (table ?? named);
    const entry = result.byTable.get(name) ?? { waits: 0, totalMs: 0 };
    entry.waits += 1;
    entry.totalMs += wait.ms;
    result.byTable.set(name, entry);
  };

  for (const line of log.split('\n')) {
    const match = LOG_LINE.exec(line);
    if (!match) continue;
    const [, pid = '', level, message = ''] = match;
    if (level === 'CONTEXT') {
      settle(pid, IN_RELATION.exec(message)?.[1]);
      continue;
    }
    if (level !== 'LOG') continue;
    settle(pid);
    if (WAITING.test(message)) {
      // A backend waits for one lock at a time: an earlier wait still open was never granted.
      if (waiting.has(pid)) result.unfinished += 1;
      waiting.add(pid);
      continue;
    }
    const acquired = ACQUIRED.exec(message);
    if (!acquired) continue;
    const ms = Number(acquired[2]);
    waiting.delete(pid);
    result.waits += 1;
    result.totalMs += ms;
    result.longestMs = Math.max(result.longestMs, ms);
    granted.set(pid, { ms, lock: acquired[1] ?? '' });
  }
  for (const pid of [...granted.keys()]) settle(pid);
  result.unfinished += waiting.size;
  return result;
}

/**
 * Reads the lock waits of a run from its server log, naming tables through the database.
 *
 * @param logFile - PostgreSQL's log of the run (`POSTGRES_LOG_FILE` in its data dir)
 * @param db - the pipeline's database, for the names of the tables a tuple lock names by OID
 */
export async function readLockWaits(logFile: string, db: SqlExecutor): Promise<LockWaits> {
  const rows = await db.query<{ oid: string; name: string }>(
    `SELECT c.oid::text AS oid, c.relname AS name FROM pg_class c
     JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'pipeline'`,
  );
  return parseLockWaits(await readFile(logFile, 'utf8'), new Map(rows.map((row) => [row.oid, row.name])));
}

/**
 * `group_stats 71 %, window_stats 29 %`: each table's share of the wait time, largest first.
 *
 * @param waits - the parsed waits
 */
export function formatTableShares(waits: LockWaits): string {
  if (waits.totalMs === 0) return '—';
  return [...waits.byTable.entries()]
    .sort(([, a], [, b]) => b.totalMs - a.totalMs)
    .map(([table, { totalMs }]) => `${table} ${Math.round((100 * totalMs) / waits.totalMs)} %`)
    .join(', ');
}
