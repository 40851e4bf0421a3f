/**
 * Rows the pipeline no longer accepts, but that a database filled before the record bounds existed
 * can hold, must not break the read API. They are written straight into the tables through the Data
 * API (the project's server enforces AWS's 64 KB row and 1 MiB response limits), then every listing
 * that shows them must answer 200 with complete pages.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GroupItem, Summary, SuspiciousCommit } from '../../functions/api/read-model.js';
import { dataApiDatabaseFromEnv, type SqlExecutor } from '../../functions/shared/database/data-api.js';
import {
  MAX_FILE_PATH_CHARS,
  MAX_KEY_CHARS,
  MAX_MODULE_CHARS,
} from '../../functions/shared/record-bounds.js';
import { DATA_API_LIMITS } from '../../local/data-api/limits.js';
import { startTestRuntime, type TestRuntime } from '../support/test-runtime.js';

const MODULES = 450;
/** 450 keys of 2.4 KB: more than the 1 MiB a Data API response may hold, under the index row limit. */
const MODULE_KEY_CHARS = 2_400;
const LONG_PATH_CHARS = 70_000;
/** Suspicious commits with paths at the bound: a full page of them is ~4 MB of rows. */
const PATHS_AT_BOUND = 1_000;
const CONTROL_PATHS = 120;

let runtime: TestRuntime;
let database: SqlExecutor;

const moduleKey = (index: number) => `/${String(index).padStart(4, '0')}${'m'.repeat(MODULE_KEY_CHARS)}`;

async function insertGroups(dimension: string, keys: string[]): Promise<void> {
  await database.query(
    `INSERT INTO pipeline.group_stats
       (dimension, key, commits, lines_added, lines_deleted, entropy_sum, max_entropy, suspicious_commits,
        first_event_time, last_event_time, last_ingested_at)
     SELECT :dimension, k.key, 1, 2, 3, 0.5, 0.5, 0, '2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z', now()
     FROM jsonb_array_elements_text(:keys::jsonb) AS k(key)`,
    { dimension, keys: JSON.stringify(keys) },
  );
}

interface SuspiciousRow {
  commitId: string;
  author: string;
  filePath: string;
  eventTime: string;
}

async function insertSuspicious(rows: SuspiciousRow[]): Promise<void> {
  // In chunks: one request to the Data API may carry at most 4 MiB.
  for (let start = 0; start < rows.length; start += 100) {
    await database.query(
      `INSERT INTO pipeline.suspicious_commits
         (commit_id, reason, author, file_path, entropy, lines_added, lines_deleted, event_time)
       SELECT r."commitId", 'entropy', r.author, r."filePath", 0.95, 1, 1, r."eventTime"::timestamptz
       FROM jsonb_to_recordset(:rows::jsonb)
         AS r("commitId" text, author text, "filePath" text, "eventTime" text)`,
      { rows: JSON.stringify(rows.slice(start, start + 100)) },
    );
  }
}

const at = (second: number) => new Date(Date.parse('2024-01-01T00:00:00Z') + second * 1000).toISOString();

beforeAll(async () => {
  runtime = await startTestRuntime();
  database = dataApiDatabaseFromEnv(runtime.env);
  await insertGroups(
    'module',
    Array.from({ length: MODULES }, (_, index) => moduleKey(index)),
  );
  await insertGroups('author', ['a'.repeat(300), 'é'.repeat(300), 'plain']);
  await insertSuspicious([
    {
      commitId: 'long_path',
      author: 'plain',
      filePath: `/${'p'.repeat(LONG_PATH_CHARS)}`,
      eventTime: at(9_000),
    },
    ...Array.from({ length: PATHS_AT_BOUND }, (_, index) => ({
      commitId: `bound_${String(index).padStart(4, '0')}`,
      author: 'bound',
      filePath: `/${'ü'.repeat(MAX_FILE_PATH_CHARS)}`,
      eventTime: at(5_000 + index),
    })),
    ...Array.from({ length: CONTROL_PATHS }, (_, index) => ({
      commitId: `control_${String(index).padStart(4, '0')}`,
      author: 'control',
      filePath: '\u0001'.repeat(MAX_FILE_PATH_CHARS),
      eventTime: at(1_000 + index),
    })),
    { commitId: 'far_future', author: 'plain', filePath: '/x.py', eventTime: '10000-01-01T00:00:00Z' },
  ]);
}, 180_000);

afterAll(async () => {
  await runtime?.stop();
});

async function get<T>(path: string): Promise<T> {
  const response = await fetch(new URL(path, runtime.apiUrl));
  const text = await response.text();
  expect(response.status, `GET /${path}: ${text.slice(0, 300)}`).toBe(200);
  return JSON.parse(text) as T;
}

describe('the fixture', () => {
  it('holds rows that no single Data API response could carry', async () => {
    await expect(
      database.query(`SELECT key FROM pipeline.group_stats WHERE dimension = 'module'`),
    ).rejects.toThrow(/response size/);
    await expect(
      database.query(`SELECT file_path FROM pipeline.suspicious_commits WHERE commit_id = 'long_path'`),
    ).rejects.toThrow(/row size/);
    expect(MODULES * MODULE_KEY_CHARS).toBeGreaterThan(DATA_API_LIMITS.maxResponseBytes);
    expect(LONG_PATH_CHARS).toBeGreaterThan(DATA_API_LIMITS.maxRowBytes);
  });
});

describe('listings of long keys', () => {
  it('answers /stats/modules?limit=1000 with every module, keys cut to the bound, in order', async () => {
    const page = await get<{ items: GroupItem[]; total: number }>('stats/modules?limit=1000&sort=commits');

    expect(page.total).toBe(MODULES);
    expect(page.items.map((item) => item.module)).toEqual(
      Array.from({ length: MODULES }, (_, index) => moduleKey(index).slice(0, MAX_MODULE_CHARS)),
    );
  });

  it('pages through the modules with offsets, each page complete', async () => {
    const first = await get<{ items: GroupItem[] }>('stats/modules?limit=300');
    const second = await get<{ items: GroupItem[] }>('stats/modules?limit=300&offset=300');

    expect(first.items).toHaveLength(300);
    expect(second.items).toHaveLength(MODULES - 300);
    expect(second.items[0]?.module).toBe(moduleKey(300).slice(0, MAX_MODULE_CHARS));
  });

  it('cuts authors beyond the key bound, counting characters, not bytes', async () => {
    const page = await get<{ items: GroupItem[] }>('stats/authors?limit=10');

    expect(page.items.map((item) => item.author).sort()).toEqual(
      ['a'.repeat(MAX_KEY_CHARS), 'plain', 'é'.repeat(MAX_KEY_CHARS)].sort(),
    );
  });

  it('still sums the long keys into the summary', async () => {
    const summary = await get<Summary>('stats/summary');

    expect(summary).toMatchObject({ authors: 3, commits: 3 });
  });
});

describe('suspicious commits with long paths', () => {
  const total = 1 + PATHS_AT_BOUND + CONTROL_PATHS + 1;

  it('answers the unfiltered default page, the 70 KB path cut to the bound', async () => {
    const { items } = await get<{ items: SuspiciousCommit[] }>('commits/suspicious');

    expect(items).toHaveLength(50);
    expect(items[0]).toMatchObject({ commitId: 'far_future', eventTime: '10000-01-01T00:00:00.000Z' });
    expect(items[1]).toMatchObject({
      commitId: 'long_path',
      filePath: `/${'p'.repeat(MAX_FILE_PATH_CHARS - 1)}`,
    });
  });

  it('answers a full page of 1000 rows at the path bound, complete and in order', async () => {
    const { items } = await get<{ items: SuspiciousCommit[] }>('commits/suspicious?limit=1000');

    expect(items).toHaveLength(1000);
    const bound = items.filter((item) => item.author === 'bound');
    expect(bound).toHaveLength(998);
    expect(bound[0]?.commitId).toBe(`bound_${String(PATHS_AT_BOUND - 1).padStart(4, '0')}`);
    expect(bound.every((item) => item.filePath.length === MAX_FILE_PATH_CHARS)).toBe(true);
    // Latest first: the five-digit year leads, then the rest in descending order.
    expect(items[0]?.commitId).toBe('far_future');
    const times = items.slice(1).map((item) => item.eventTime);
    expect(times).toEqual([...times].sort().reverse());
  });

  it('counts escaped characters: paths of control characters page completely', async () => {
    const { items } = await get<{ items: SuspiciousCommit[] }>(
      'commits/suspicious?limit=1000&author=control',
    );

    expect(items).toHaveLength(CONTROL_PATHS);
    expect(items.every((item) => item.filePath === '\u0001'.repeat(MAX_FILE_PATH_CHARS))).toBe(true);
  });

  it('filters by reason over the long rows too', async () => {
    const { items } = await get<{ items: SuspiciousCommit[] }>(
      'commits/suspicious?limit=1000&reason=entropy',
    );

    expect(items).toHaveLength(Math.min(1000, total));
  });
});
