/**
 * The serving tables' descriptions (functions/shared/aggregation/serving-tables.ts) against the tables
 * db/migrations creates on a real PostgreSQL: the same columns, types and keys; every statement derived
 * from a description runs; deltas added by the SQL merge equal the totals merged in memory. A column
 * added on one side only fails here, not in a reconciliation. The ledger's one write takes more short
 * ids at once than its answer row could hold flags for, as the batch layer gives it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Column,
  column,
  columnsOf,
  type ServingTable,
  servingTable,
} from '../../functions/shared/aggregation/columns.js';
import { claimLedgerIds } from '../../functions/shared/aggregation/ledger.js';
import {
  authorBaselines,
  groupStats,
  SERVING_TABLES,
  suspiciousCommits,
  windowStats,
} from '../../functions/shared/aggregation/serving-tables.js';
import {
  type WriteMode,
  writeRows,
  writeServingRows,
  writeStatement,
} from '../../functions/shared/aggregation/table-writes.js';
import type { CommitRecord } from '../../functions/shared/commit-record.js';
import { type DataApiDatabase, dataApiDatabaseFromEnv } from '../../functions/shared/database/data-api.js';
import { settings } from '../../functions/shared/settings.js';
import { aggregated, baselinesOf } from '../support/aggregated.js';
import { commitRecord } from '../support/factories.js';
import { startTestRuntime, type TestRuntime } from '../support/test-runtime.js';

const RULES = { ...settings.analytics, outlierMinCommits: 3 };

let runtime: TestRuntime;
let db: DataApiDatabase;

beforeAll(async () => {
  runtime = await startTestRuntime();
  db = dataApiDatabaseFromEnv(runtime.env);
});

afterAll(async () => {
  await runtime?.stop();
});

/**
 * How a description and the migrated table differ: a column on one side only, another type, another
 * place in the primary key. Types are compared as PostgreSQL names them (`timestamptz` is
 * `timestamp with time zone`).
 */
async function driftOf(table: ServingTable, relation: string = table.name): Promise<string[]> {
  const stored = await db.query<{ name: string; type: string; key: boolean }>(
    `SELECT a.attname AS name, format_type(a.atttypid, NULL) AS type,
       coalesce(a.attnum = ANY (i.indkey::int2[]), false) AS key
     FROM pg_attribute a
     LEFT JOIN pg_index i ON i.indrelid = a.attrelid AND i.indisprimary
     WHERE a.attrelid = ('pipeline.' || :relation)::regclass AND a.attnum > 0 AND NOT a.attisdropped`,
    { relation },
  );
  const described = columnsOf(table);
  const [named] = await db.query<{ types: string }>(
    `SELECT to_jsonb(array_agg(format_type(t::regtype, NULL) ORDER BY n))::text AS types
     FROM jsonb_array_elements_text(:types::jsonb) WITH ORDINALITY AS x(t, n)`,
    { types: JSON.stringify(described.map((described) => described.sqlType)) },
  );
  const types = JSON.parse(named?.types ?? '[]') as string[];
  const drift: string[] = [];
  described.forEach((want, index) => {
    const have = stored.find((candidate) => candidate.name === want.name);
    const key = want.merge === 'key';
    if (!have) drift.push(`${want.name}: described, not in the table`);
    else if (have.type !== types[index])
      drift.push(`${want.name}: described ${types[index]}, stored ${have.type}`);
    else if (have.key !== key)
      drift.push(`${want.name}: ${key ? 'a key' : 'not a key'} in the description only`);
  });
  for (const have of stored) {
    if (!described.some((want) => want.name === have.name))
      drift.push(`${have.name}: in the table, not described`);
  }
  return drift;
}

/**
 * Commits of three authors over a few windows, some flagged for each reason. `later` commits come
 * after the others and reach higher entropies, so that every merge rule has two different values.
 */
function commits(prefix: string, count: number, later = false): CommitRecord[] {
  const base = later ? 0.35 : 0.3;
  return Array.from({ length: count }, (_, index) =>
    commitRecord({
      commitId: `${prefix}_${index}`,
      author: `author_${index % 3}`,
      filePath: `/core/${index % 2 === 0 ? 'api' : 'db'}/file_${index}.${index % 4 === 0 ? 'py' : 'go'}`,
      time: (later ? 1_000 : 0) + index * 37,
      entropy: index % 7 === 6 ? base + 0.6 : base + (index % 5) * 0.011,
      linesAdded: index,
      linesDeleted: index % 4,
    }),
  );
}

/** Rows in one copy of a table and not the other, every column compared but the write time. */
async function rowsDiffering(table: ServingTable, one: string, other: string): Promise<number> {
  const compared = columnsOf(table)
    .filter((described) => described.source !== 'written')
    .map((described) => described.name)
    .join(', ');
  const [row] = await db.query<{ differing: number }>(
    `SELECT count(*)::int8 AS differing FROM (
       (SELECT ${compared} FROM ${one} EXCEPT ALL SELECT ${compared} FROM ${other})
       UNION ALL
       (SELECT ${compared} FROM ${other} EXCEPT ALL SELECT ${compared} FROM ${one})
     ) d`,
  );
  return row?.differing ?? -1;
}

describe('the serving tables as described', () => {
  it.each(SERVING_TABLES.map((table) => [table.name, table] as const))(
    '%s has the columns, types and key of its description, and no other',
    async (_, table) => {
      expect(await driftOf(table)).toEqual([]);
    },
  );

  it('deltas added by the SQL merge equal the totals merged in memory, in every table', async () => {
    const [early, late] = [commits('early', 40), commits('late', 40, true)];
    const first = aggregated(early, RULES);
    const second = aggregated(late, RULES, baselinesOf(first));
    const whole = aggregated([...early, ...late], RULES);
    expect(whole.suspicious.map((flagged) => flagged.reason)).toEqual(
      expect.arrayContaining(['entropy', 'author-outlier']),
    );
    const copies = { speed: '__speed', batch: '__batch' };
    for (const table of SERVING_TABLES) {
      for (const suffix of Object.values(copies)) {
        await db.query(
          `CREATE TABLE pipeline.${table.name}${suffix} (LIKE pipeline.${table.name} INCLUDING ALL)`,
        );
      }
    }
    const into = (suffix: string) => ({ target: (name: string) => `pipeline.${name}${suffix}` });

    // The speed layer's way: one batch after another, as deltas; the batch layer's: the totals at once.
    await writeServingRows(db, first, { mode: 'add', ...into(copies.speed) });
    await writeServingRows(db, second, { mode: 'add', ...into(copies.speed) });
    await writeServingRows(db, whole, { mode: 'replace', ...into(copies.batch) });

    for (const table of SERVING_TABLES) {
      const copy = (suffix: string) => `pipeline.${table.name}${suffix}`;
      expect(await rowsDiffering(table, copy(copies.speed), copy(copies.batch)), table.name).toBe(0);
    }
  });

  it('locks rows: inserts those absent as given, and returns every row as stored', async () => {
    const rows = aggregated(commits('locked', 12), RULES);
    await writeServingRows(db, rows, { mode: 'replace' });
    const lock = { mode: 'lock' } as const;
    expect(await writeRows(db, groupStats, rows.groups, lock)).toHaveLength(rows.groups.length);
    expect(await writeRows(db, windowStats, rows.windows, lock)).toHaveLength(rows.windows.length);
    expect(await writeRows(db, suspiciousCommits, rows.suspicious, lock)).toHaveLength(
      rows.suspicious.length,
    );

    const stored = rows.baselines[0];
    if (!stored) throw new Error('the commits have authors');
    const absent = { author: 'author_without_history', count: 0, mean: 0, m2: 0 };
    const locked = await writeRows(
      db,
      authorBaselines,
      [{ ...absent }, { ...stored, count: 0, mean: 0, m2: 0 }],
      lock,
    );
    expect(locked).toEqual(expect.arrayContaining([stored, absent]));
    expect(locked).toHaveLength(2);
  });
});

describe('a drift between a description and the migrations', () => {
  const widen = (extra: Record<string, Column>) =>
    servingTable(groupStats.name, { ...groupStats.columns, ...extra });

  it('is found for a column added to a description alone, whose statements then fail', async () => {
    const widened = widen({ reviewers: column('bigint', 'sum') });
    expect(await driftOf(widened)).toEqual(['reviewers: described, not in the table']);

    const [row] = aggregated(commits('widened', 3), RULES).groups;
    await expect(
      writeRows(db, widened, [{ ...row, reviewers: 1 } as never], { mode: 'add' }),
    ).rejects.toThrow(/reviewers/);
  });

  it('is found for a column added to a table alone', async () => {
    await db.query('CREATE TABLE pipeline.group_stats__scratch (LIKE pipeline.group_stats INCLUDING ALL)');
    await db.query(
      'ALTER TABLE pipeline.group_stats__scratch ADD COLUMN reviewers bigint NOT NULL DEFAULT 0',
    );
    expect(await driftOf(groupStats, 'group_stats__scratch')).toEqual([
      'reviewers: in the table, not described',
    ]);
  });

  it('is found for a column whose type or key differs', async () => {
    const narrowed = widen({
      commits: column('integer', 'sum'),
      lastEventTime: column('timestamptz', 'key'),
    });
    expect(await driftOf(narrowed)).toEqual([
      'commits: described integer, stored bigint',
      'last_event_time: a key in the description only',
    ]);
  });
});

describe('every statement derived from the descriptions', () => {
  const modes: WriteMode[] = ['add', 'replace', 'lock'];
  it.each(SERVING_TABLES.flatMap((table) => modes.map((mode) => [table.name, mode, table] as const)))(
    '%s in %s mode is accepted by PostgreSQL',
    async (_, mode, table) => {
      // An empty array: the statement is parsed, planned and run against the table, and writes nothing.
      await expect(db.query(writeStatement(table, mode), { rows: '[]' })).resolves.toEqual([]);
    },
  );
});

describe('the ledger', () => {
  it('claims more short ids in one call than one answer row holds flags for, each once', async () => {
    // 100,000 ids of 8 to 12 characters: the JSON bound alone would send them in two statements of
    // ~75,000, whose answer rows (a flag byte per id) the Data API refuses over 64 KB.
    const ids = Array.from({ length: 100_000 }, (_, i) => `ledger-${i}`);
    const again = [...ids.slice(-10), 'ledger-new', ids[0] ?? ''];

    const first = await claimLedgerIds(db, ids);
    const second = await claimLedgerIds(db, again);

    expect(first).toBe('1'.repeat(ids.length));
    expect(second).toBe(`${'0'.repeat(10)}10`);
  });
});
