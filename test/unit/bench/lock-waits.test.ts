import { describe, expect, it } from 'vitest';
import { formatTableShares, parseLockWaits } from '../../../bench/support/lock-waits.js';

const at = (pid: number, level: string, message: string) =>
  `2026-12-07 05:18:42.056 UTC [${pid}] ${level}:  ${message}`;

/** A server log as PostgreSQL 18 writes it with `log_line_prefix = '%m [%p] '`. */
const log = [
  at(17531, 'LOG', 'database system is ready to accept connections'),
  at(17601, 'LOG', 'process 17601 still waiting for ShareLock on transaction 763 after 2.589 ms'),
  at(17601, 'DETAIL', 'Process holding the lock: 17600. Wait queue: 17601.'),
  at(17601, 'CONTEXT', 'while inserting index tuple (0,11) in relation "group_stats"'),
  at(17601, 'STATEMENT', 'INSERT INTO pipeline.group_stats AS t (dimension, key)'),
  '\tSELECT d."dimension", d."key"',
  at(
    17620,
    'LOG',
    'process 17620 still waiting for ExclusiveLock on tuple (0,5) of relation 16390 of database 5 after 1.056 ms',
  ),
  at(17601, 'LOG', 'process 17601 acquired ShareLock on transaction 763 after 246.469 ms'),
  at(17601, 'CONTEXT', 'while inserting index tuple (0,11) in relation "group_stats"'),
  at(
    17620,
    'LOG',
    'process 17620 acquired ExclusiveLock on tuple (0,5) of relation 16390 of database 5 after 40.5 ms',
  ),
  at(17622, 'LOG', 'process 17622 still waiting for ShareLock on transaction 765 after 1.064 ms'),
  at(17622, 'CONTEXT', 'while locking tuple (3,7) in relation "window_stats"'),
  at(17622, 'ERROR', 'canceling statement due to lock timeout'),
  at(
    17640,
    'LOG',
    'process 17640 still waiting for ExclusiveLock on extension of relation 16400 of database 5 after 1.2 ms',
  ),
  at(
    17640,
    'LOG',
    'process 17640 acquired ExclusiveLock on extension of relation 16400 of database 5 after 3 ms',
  ),
].join('\n');

describe('lock waits read from the server log', () => {
  const waits = parseLockWaits(
    log,
    new Map([
      ['16390', 'window_stats'],
      ['16400', 'ingested_commits'],
    ]),
  );

  it('sums the granted waits with the length the server measured', () => {
    expect(waits.waits).toBe(3);
    expect(waits.totalMs).toBeCloseTo(289.969, 3);
    expect(waits.longestMs).toBeCloseTo(246.469, 3);
  });

  it('names the table from the context line, or from the OID a tuple lock carries', () => {
    expect(waits.byTable.get('group_stats')).toEqual({ waits: 1, totalMs: 246.469 });
    expect(waits.byTable.get('window_stats')).toEqual({ waits: 1, totalMs: 40.5 });
    expect(formatTableShares(waits)).toBe(
      'group_stats 85 %, window_stats 14 %, ingested_commits (extension) 1 %',
    );
  });

  it('tells a wait to add pages to a table from a wait for its rows', () => {
    expect(waits.byTable.get('ingested_commits (extension)')).toEqual({ waits: 1, totalMs: 3 });
  });

  it('counts a wait that was never granted apart', () => {
    expect(waits.unfinished).toBe(1);
  });

  it('finds nothing in a log without lock waits', () => {
    expect(parseLockWaits(at(1, 'LOG', 'checkpoint starting: time'))).toMatchObject({ waits: 0, totalMs: 0 });
  });
});
