import { describe, expect, it } from 'vitest';
import { DataApiStatsRepository } from '../../../../../functions/api/data-api/data-api-stats-repository.js';
import { lazySqlExecutor } from '../../../../../functions/api/data-api/lazy-sql-executor.js';
import { GROUP_SORTS, SORT_ORDERS } from '../../../../../functions/api/read-model.js';
import type { Row, SqlExecutor, SqlParams } from '../../../../../functions/shared/database/data-api.js';

interface Statement {
  sql: string;
  params: SqlParams;
}

/** Answers every statement with `rows` (or what `answer` picks) and records what was sent. */
class RecordingExecutor implements SqlExecutor {
  readonly statements: Statement[] = [];
  constructor(private readonly answer: (statement: Statement) => Row[] = () => []) {}

  async query<T extends Row = Row>(sql: string, params: SqlParams = {}): Promise<T[]> {
    const statement = { sql, params };
    this.statements.push(statement);
    return this.answer(statement) as T[];
  }
}

/** Named parameters of a statement, outside string literals and quoted identifiers. */
function parameterUses(sql: string): { name: string; cast: boolean }[] {
  const code = sql.replace(/'(?:[^']|'')*'/g, "''").replace(/"[^"]*"/g, '""');
  return [...code.matchAll(/(?<!:):([A-Za-z_][A-Za-z0-9_]*)(::)?/g)].map((match) => ({
    name: match[1] ?? '',
    cast: match[2] !== undefined,
  }));
}

/** Runs every repository method once, with every filter, so that each statement variant is sent. */
async function everyStatement(): Promise<Statement[]> {
  const executor = new RecordingExecutor(({ sql }) =>
    sql.includes('count(*)::int8 AS total')
      ? [{ total: 0 }]
      : sql.includes('AS authors')
        ? [SUMMARY_ROW]
        : [],
  );
  const repository = new DataApiStatsRepository(executor);
  await repository.ping();
  await repository.summary();
  for (const sort of GROUP_SORTS) {
    for (const order of SORT_ORDERS)
      await repository.listGroups('author', { sort, order, limit: 5, offset: 10 });
  }
  await repository.findGroup('module', '/security/auth');
  await repository.timeline({ windowSeconds: 300, limit: 11 });
  await repository.timeline({
    windowSeconds: 300,
    from: '2024-01-01T00:00:00.000Z',
    to: '2024-01-02T00:00:00.000Z',
    limit: 11,
  });
  await repository.suspiciousCommits({ limit: 5 });
  await repository.suspiciousCommits({ limit: 5, author: 'person_1' });
  await repository.suspiciousCommits({ limit: 5, reason: 'entropy' });
  await repository.suspiciousCommits({ limit: 5, author: 'person_1', reason: 'author-outlier' });
  return executor.statements;
}

const SUMMARY_ROW: Row = {
  authors: 104,
  commits: 20000,
  lines_added: 358000,
  lines_deleted: 210000,
  avg_entropy: 0.405,
  suspicious_commits: 230,
  first_event_time: '2024-01-01T00:00:43.000Z',
  last_event_time: '2024-01-01T11:59:13.000Z',
  last_ingested_at: '2025-06-01T12:00:00.123Z',
};

const GROUP_ROW: Row = {
  key: 'person_1',
  commits: 62,
  lines_added: 1100,
  lines_deleted: 650,
  avg_entropy: 0.31,
  max_entropy: 0.97,
  suspicious_commits: 2,
  first_event_time: '2024-01-01T00:09:03.000Z',
  last_event_time: '2024-01-01T11:40:00.000Z',
};

describe('DataApiStatsRepository SQL (portable Data API subset)', () => {
  it('binds exactly the parameters each statement names, and sends no others', async () => {
    for (const { sql, params } of await everyStatement()) {
      const named = new Set(parameterUses(sql).map((use) => use.name));

      expect([...named].sort(), sql).toEqual(Object.keys(params).sort());
    }
  });

  it('casts every parameter that is not text, null ones included', async () => {
    for (const { sql, params } of await everyStatement()) {
      for (const use of parameterUses(sql)) {
        if (typeof params[use.name] !== 'string') expect(use.cast, `${use.name} in ${sql}`).toBe(true);
      }
    }
  });

  it('sends single statements without a trailing semicolon, against schema-qualified tables', async () => {
    for (const { sql } of await everyStatement()) {
      expect(sql.trim().endsWith(';'), sql).toBe(false);
      for (const table of sql.match(/\b(?:FROM|JOIN)\s+([\w.]+)/gi) ?? [])
        expect(table, sql).toMatch(/pipeline\./);
    }
  });

  it('never puts a caller-supplied value into the SQL text', async () => {
    // Prepare
    const executor = new RecordingExecutor();
    const repository = new DataApiStatsRepository(executor);
    const hostile = "x'; DROP TABLE pipeline.group_stats; --";

    // Act
    await repository.findGroup('author', hostile);
    await repository.suspiciousCommits({ limit: 1, author: hostile });

    // Assess
    for (const { sql, params } of executor.statements) {
      expect(sql).not.toContain('DROP');
      expect(Object.values(params)).toContain(hostile);
    }
  });

  it('orders each sort by its own whitelisted expression, ties by key in byte order', async () => {
    const executor = new RecordingExecutor();
    const repository = new DataApiStatsRepository(executor);

    for (const sort of GROUP_SORTS)
      await repository.listGroups('language', { sort, order: 'asc', limit: 1, offset: 0 });

    // The clause that orders the table itself (the outer ones re-order the page by its own columns).
    const orderClauses = executor.statements
      .map(({ sql }) => [...sql.matchAll(/ORDER BY (.*)/g)].map((match) => match[1] ?? ''))
      .map((clauses) => clauses.find((clause) => clause.includes('g.key')))
      .filter((clause) => clause !== undefined);
    expect(orderClauses).toHaveLength(GROUP_SORTS.length);
    expect(new Set(orderClauses).size).toBe(GROUP_SORTS.length);
    for (const clause of orderClauses) expect(clause).toMatch(/ASC NULLS LAST, g\.key COLLATE "C" ASC$/);
  });

  it('sends null for an open timeline bound so that SQL falls back to infinity', async () => {
    const executor = new RecordingExecutor();

    await new DataApiStatsRepository(executor).timeline({ windowSeconds: 300, limit: 3 });

    expect(executor.statements[0]?.params).toEqual({ windowSeconds: 300, from: null, to: null, limit: 3 });
  });
});

describe('DataApiStatsRepository rows', () => {
  it('maps a summary row to camelCase', async () => {
    const repository = new DataApiStatsRepository(new RecordingExecutor(() => [SUMMARY_ROW]));

    expect(await repository.summary()).toEqual({
      commits: 20000,
      authors: 104,
      linesAdded: 358000,
      linesDeleted: 210000,
      avgEntropy: 0.405,
      suspiciousCommits: 230,
      firstEventTime: '2024-01-01T00:00:43.000Z',
      lastEventTime: '2024-01-01T11:59:13.000Z',
      lastIngestedAt: '2025-06-01T12:00:00.123Z',
    });
  });

  it('reads int8 sent as text (as node-postgres does) as exact numbers', async () => {
    const executor = new RecordingExecutor(({ sql }) =>
      sql.includes('AS total')
        ? [{ total: '3' }]
        : [{ ...GROUP_ROW, commits: '62', max_entropy: '0.97', page_rows: '1' }],
    );

    const page = await new DataApiStatsRepository(executor).listGroups('author', {
      sort: 'commits',
      order: 'desc',
      limit: 1,
      offset: 0,
    });

    expect(page.total).toBe(3);
    expect(page.items[0]).toMatchObject({ key: 'person_1', commits: 62, maxEntropy: 0.97 });
  });

  it('returns undefined for a group that does not exist', async () => {
    const repository = new DataApiStatsRepository(new RecordingExecutor());

    expect(await repository.findGroup('author', 'nobody')).toBeUndefined();
  });

  it.each<[string, (row: Row) => Row]>([
    ['a count beyond 2^53', (row) => ({ ...row, commits: '9007199254740993' })],
    ['a non-numeric count', (row) => ({ ...row, commits: 'many' })],
    ['a null count', (row) => ({ ...row, commits: null })],
    ['a missing column', ({ commits: _dropped, ...row }) => row],
    ['a timestamp that is not text', (row) => ({ ...row, first_event_time: 1704067200 })],
  ])('fails loudly on %s rather than returning a wrong value', async (_case, corrupt) => {
    const repository = new DataApiStatsRepository(new RecordingExecutor(() => [corrupt(GROUP_ROW)]));

    await expect(repository.findGroup('author', 'person_1')).rejects.toThrow(TypeError);
  });

  it('rejects a suspicious-commit row with an unknown reason', async () => {
    const row: Row = {
      commit_id: 'c_1',
      author: 'a',
      file_path: '/a/b/c.py',
      entropy: 0.9,
      lines_added: 1,
      lines_deleted: 0,
      event_time: '2024-01-01T00:00:00.000Z',
      reason: 'gut-feeling',
      page_rows: 1,
    };
    const repository = new DataApiStatsRepository(new RecordingExecutor(() => [row]));

    await expect(repository.suspiciousCommits({ limit: 1 })).rejects.toThrow(/reason/);
  });
});

describe('lazySqlExecutor', () => {
  it('creates the real executor on the first query only, and reuses it', async () => {
    let created = 0;
    const lazy = lazySqlExecutor(() => {
      created += 1;
      return new RecordingExecutor();
    });
    expect(created).toBe(0);

    await lazy.query('SELECT 1');
    await lazy.query('SELECT 2');

    expect(created).toBe(1);
  });
});

describe('DataApiStatsRepository listings over the byte budget', () => {
  /** Answers a budgeted listing like the SQL does: `sizes[i]` bytes per row, cut at the budget. */
  function budgetedExecutor(sizes: number[], row: (index: number) => Row): RecordingExecutor {
    return new RecordingExecutor(({ sql, params }) => {
      if (sql.includes('AS total')) return [{ total: sizes.length }];
      const offset = Number(params.offset);
      const page = sizes.slice(offset, offset + Number(params.limit));
      const rows: Row[] = [];
      let bytes = 0;
      for (const [index, size] of page.entries()) {
        bytes += size;
        if (bytes > Number(params.budgetBytes) && rows.length > 0) break;
        rows.push({ ...row(offset + index), page_rows: page.length });
      }
      return rows;
    });
  }

  const groupRow = (index: number): Row => ({ ...GROUP_ROW, key: `k_${index}` });

  it('continues at the offset where each call stopped until limit rows are read', async () => {
    const executor = budgetedExecutor(Array(10).fill(400), groupRow);
    const repository = new DataApiStatsRepository(executor, { budgetBytes: 1_000 });

    const page = await repository.listGroups('module', {
      sort: 'commits',
      order: 'desc',
      limit: 9,
      offset: 1,
    });

    expect(page.items.map((item) => item.key)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9].map((i) => `k_${i}`));
    const listings = executor.statements.filter(({ sql }) => !sql.includes('AS total'));
    expect(listings.map(({ params }) => [params.offset, params.limit])).toEqual([
      [1, 9],
      [3, 7],
      [5, 5],
      [7, 3],
      [9, 1],
    ]);
  });

  it('returns a row larger than the budget on its own rather than nothing', async () => {
    const executor = budgetedExecutor([5_000, 5_000, 10], groupRow);
    const repository = new DataApiStatsRepository(executor, { budgetBytes: 1_000 });

    const page = await repository.listGroups('author', {
      sort: 'commits',
      order: 'desc',
      limit: 50,
      offset: 0,
    });

    expect(page.items).toHaveLength(3);
  });

  it('stops after one call when the listing ends before limit, and asks no more', async () => {
    const executor = budgetedExecutor([10, 10], groupRow);
    const repository = new DataApiStatsRepository(executor);

    const page = await repository.listGroups('language', {
      sort: 'churn',
      order: 'asc',
      limit: 50,
      offset: 0,
    });

    expect(page.items).toHaveLength(2);
    expect(executor.statements.filter(({ sql }) => !sql.includes('AS total'))).toHaveLength(1);
  });

  it('sends the budget and the key bound of the dimension with every listing', async () => {
    const executor = new RecordingExecutor();

    await new DataApiStatsRepository(executor, { budgetBytes: 1234 }).listGroups('module', {
      sort: 'commits',
      order: 'desc',
      limit: 5,
      offset: 0,
    });

    expect(executor.statements[0]?.params).toMatchObject({ budgetBytes: 1234, keyChars: 512 });
  });
});
