/**
 * The embedded runtime fed a hostile CSV (test/support/hostile-csv.ts) ends as a user expects: every
 * valid row counted once, every bad row rejected with its reason and kept with its line, every API
 * route answering 2xx or 4xx for every key it serves, and the runtime still up.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProducerResult } from '../../functions/producer/handler.js';
import {
  expectGroupsToMatch,
  expectSummaryToMatch,
  type GroupItem,
  groupListings,
} from '../support/aggregate-assertions.js';
import { rejectedRowsAt } from '../support/archive-reader.js';
import { type ExpectedAggregates, expectedAggregates } from '../support/expected-aggregates.js';
import { writeHostileCsv } from '../support/hostile-csv.js';
import { startTestRuntime, type TestRuntime } from '../support/test-runtime.js';

let runtime: TestRuntime;
let dir: string;
let expected: ExpectedAggregates;
let result: ProducerResult;
let lines: number;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hostile-'));
  const csv = join(dir, 'hostile.csv');
  lines = writeHostileCsv(csv, 'h:');
  expected = expectedAggregates(csv, undefined, { onePerLine: true });
  runtime = await startTestRuntime();
  result = await runtime.replay(csv);
}, 240_000);

afterAll(async () => {
  await runtime?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('a hostile CSV', () => {
  it('has every row read, and every row either sent or rejected, none lost', () => {
    expect(result.read).toBe(lines);
    expect(result.sent + result.rejected + result.failed).toBe(result.read);
    expect(result.failed).toBe(0);
    expect(result.rejected).toBe(expected.invalidRows);
    // A duplicate commit id is sent (it is a valid row) and counted once by the ledger.
    expect(result.sent).toBe(expected.validRows + 1);
  });

  it('keeps every rejected row with its line number and reason, under rejected/ of the bucket', async () => {
    expect(result.rejectsAt).toMatch(/^s3:\/\/[^/]+\/rejected\/file%2Fhostile\.csv\.[0-9a-f]{12}\//);
    const rejected = await rejectedRowsAt<{ line: number; reason: string; raw: string }>(
      runtime.s3,
      result.rejectsAt,
    );
    expect(rejected).toHaveLength(result.rejected);
    expect(new Set(rejected.map((row) => row.reason))).toEqual(
      new Set([
        'malformed-csv',
        'invalid-character',
        'invalid-author',
        'invalid-commit-id',
        'invalid-file-path',
        'invalid-lines-added',
        'invalid-lines-deleted',
        'invalid-time',
        'invalid-entropy',
        'missing-author',
        'missing-commit-id',
        'column-count',
      ]),
    );
    expect(rejected.every((row) => row.line > 1 && row.raw.length > 0)).toBe(true);
  });

  it('counts every valid row once: the summary and every author, module and language', async () => {
    const { body: summary } = await runtime.get<Record<string, number>>('stats/summary');
    expectSummaryToMatch(summary, expected);
    for (const { keyField, path, groups } of groupListings(expected)) {
      const { body } = await runtime.get<{ items: GroupItem[] }>(path);
      expectGroupsToMatch(body.items, keyField, groups);
    }
  });

  it('answers 2xx or 4xx on every route, for every key it serves, and stays up', async () => {
    const paths = [
      'health',
      'openapi.json',
      'stats/summary',
      'stats/timeline',
      'commits/suspicious?limit=1000',
      '',
    ];
    for (const [collection, groups] of [
      ['authors', expected.authors],
      ['modules', expected.modules],
      ['languages', expected.languages],
    ] as const) {
      for (const sort of ['commits', 'churn', 'avgEntropy', 'suspicious']) {
        paths.push(`stats/${collection}?limit=1000&sort=${sort}&order=asc`);
      }
      for (const key of groups.keys()) paths.push(`stats/${collection}/${encodeURIComponent(key)}`);
    }
    for (const author of expected.authors.keys()) {
      paths.push(`commits/suspicious?author=${encodeURIComponent(author)}&reason=author-outlier`);
    }
    paths.push('stats/authors/%E0%A4%A', 'stats/timeline?from=0000-01-01', 'stats/authors?limit=100000');
    const statuses = new Map<string, number>();
    for (const path of paths) {
      const response = await fetch(new URL(path, runtime.apiUrl));
      await response.arrayBuffer();
      statuses.set(path, response.status);
    }
    const serverErrors = [...statuses].filter(([, status]) => status >= 500);
    expect(serverErrors).toEqual([]);
    expect((await runtime.get<{ status: string }>('health')).body).toEqual({ status: 'ok' });
  });
});
