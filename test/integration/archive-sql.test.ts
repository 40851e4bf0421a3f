/**
 * SQL over the cold path: DuckDB over a copy of `raw/` taken through the S3 API agrees with the batch
 * view, and has the table the Glue table gives Athena (name, columns, types, partitions).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARCHIVE_QUERIES } from '../../functions/batch/archive-queries.js';
import { ARCHIVE_COLUMNS, ARCHIVE_PARTITIONS, ARCHIVE_TABLE } from '../../functions/batch/archive-table.js';
import { S3RawArchive } from '../../functions/batch/raw-archive.js';
import { ViewBuilder } from '../../functions/batch/view-builder.js';
import { bundledSamplePath } from '../../functions/producer/csv-source.js';
import { settings } from '../../functions/shared/settings.js';
import { syncArchiveCache } from '../../scripts/archive-sql/archive-cache.js';
import { queryArchive } from '../../scripts/archive-sql/duckdb-archive.js';
import { expectedAggregates } from '../support/expected-aggregates.js';
import { MemoryViewSink } from '../support/memory-view-sink.js';
import { startTestRuntime, type TestRuntime } from '../support/test-runtime.js';

const SAMPLE = bundledSamplePath();
let runtime: TestRuntime;
let cacheDir: string;

beforeAll(async () => {
  cacheDir = await mkdtemp(join(tmpdir(), 'archive-sql-'));
  runtime = await startTestRuntime();
  // Twice: every commit arrives twice, so counting arrivals and counting commits differ.
  await runtime.replay(SAMPLE);
  await runtime.replay(SAMPLE);
});

afterAll(async () => {
  await runtime?.stop();
  await rm(cacheDir, { recursive: true, force: true });
});

describe('npm run archive:sql', () => {
  it('copies raw/ through the S3 API, then only what changed', async () => {
    const first = await syncArchiveCache(runtime.s3, runtime.bucketName, cacheDir);
    expect(first.objects).toBeGreaterThan(0);
    expect(first.downloaded).toBe(first.objects);
    const again = await syncArchiveCache(runtime.s3, runtime.bucketName, cacheDir);
    expect(again).toEqual({ objects: first.objects, downloaded: 0, removed: 0 });
  });

  it('agrees with the batch view on the commits of every author', async () => {
    await syncArchiveCache(runtime.s3, runtime.bucketName, cacheDir);
    const rows = await queryArchive(
      cacheDir,
      `SELECT author, count(DISTINCT commit_id) AS commits, count(*) AS arrivals
       FROM raw_commits GROUP BY author ORDER BY author`,
    );
    const sink = new MemoryViewSink();
    const builder = new ViewBuilder(settings.analytics, sink, '');
    await builder.readAll(new S3RawArchive(runtime.s3, runtime.bucketName));
    const view = sink.dimension('author');

    expect(rows.map((row) => [row.author, Number(row.commits)])).toEqual(
      [...view.values()].sort((a, b) => (a.key < b.key ? -1 : 1)).map((group) => [group.key, group.commits]),
    );
    expect(rows.every((row) => Number(row.arrivals) === 2 * Number(row.commits))).toBe(true);
    // And both with the independent expectation.
    const expected = expectedAggregates(SAMPLE);
    expect(Object.fromEntries(rows.map((row) => [row.author, Number(row.commits)]))).toEqual(
      Object.fromEntries([...expected.authors].map(([author, group]) => [author, group.commits])),
    );
  });

  it('names the table, its columns, their types and its partitions as the Glue table does', async () => {
    const described = await queryArchive(cacheDir, `DESCRIBE ${ARCHIVE_TABLE}`);
    expect(described.map((row) => [row.column_name, row.column_type])).toEqual([
      ...ARCHIVE_COLUMNS.map((column) => [column.name, column.duckdbType]),
      ...ARCHIVE_PARTITIONS.map((partition) => [partition.name, 'VARCHAR']),
    ]);
    const [partition] = await queryArchive(
      cacheDir,
      `SELECT dt, hour, count(*) AS n FROM ${ARCHIVE_TABLE} GROUP BY dt, hour ORDER BY n DESC LIMIT 1`,
    );
    expect(partition?.dt).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(partition?.hour).toMatch(/^\d{2}$/);
  });

  it("runs the workgroup's saved queries unchanged, with the independent expectation's answers", async () => {
    const expected = expectedAggregates(SAMPLE);
    const answers = Object.fromEntries(
      await Promise.all(
        ARCHIVE_QUERIES.map(async (query) => [query.name, await queryArchive(cacheDir, query.sql)]),
      ),
    ) as Record<string, Array<Record<string, unknown>>>;

    const top = [...expected.authors].sort(([a, x], [b, y]) => y.commits - x.commits || (a < b ? -1 : 1));
    expect(answers['top-authors']?.map((row) => [row.author, Number(row.commits)])).toEqual(
      top.slice(0, 20).map(([author, group]) => [author, group.commits]),
    );
    const byHour = answers['suspicious-commits-by-hour'] ?? [];
    const entropyFlagged = new Set(
      expected.suspicious.filter((s) => s.reason === 'entropy').map((s) => s.commitId),
    ).size;
    expect(byHour.reduce((sum, row) => sum + Number(row.suspicious_commits), 0)).toBe(entropyFlagged);
    expect(byHour.every((row) => /^\d{4}-\d{2}-\d{2}T\d{2}$/.test(String(row.event_hour)))).toBe(true);
    const partitions = answers['arrivals-by-partition'] ?? [];
    expect(partitions.reduce((sum, row) => sum + Number(row.records), 0)).toBe(2 * expected.summary.commits);
  });

  it('answers on an empty archive with the same table, empty', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'archive-sql-empty-'));
    try {
      const [row] = await queryArchive(empty, `SELECT count(*) AS n FROM ${ARCHIVE_TABLE}`);
      expect(Number(row?.n)).toBe(0);
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });
});
