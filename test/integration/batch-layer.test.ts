/**
 * The batch layer against the embedded runtime: the view recomputed from `raw/` equals the speed layer's
 * after a replay, a corrupted serving row is found and repaired, a new suspicion threshold is applied to
 * history, and a rebuild while the processor keeps ingesting loses and double-counts nothing. Every end
 * state is checked against the independent expectation computed from the CSV.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type BatchRunOptions,
  type BatchRunReport,
  runBatchLayer,
  UnarchivedCommitsError,
} from '../../functions/batch/batch-run.js';
import { S3RawArchive } from '../../functions/batch/raw-archive.js';
import { DataApiAggregateStore } from '../../functions/processor/aggregate-store.js';
import { processBatch } from '../../functions/processor/process-batch.js';
import { bundledSamplePath } from '../../functions/producer/csv-source.js';
import { S3ObjectStore } from '../../functions/shared/adapters/s3-object-store.js';
import type { SuspicionRules } from '../../functions/shared/aggregation/aggregate.js';
import { type DataApiDatabase, dataApiDatabaseFromEnv } from '../../functions/shared/database/data-api.js';
import type { ObjectStore } from '../../functions/shared/ports.js';
import { settings } from '../../functions/shared/settings.js';
import { replayThroughProducer } from '../../local/cli/replay-file.js';
import { writeRuntimeFile } from '../../local/runtime-file.js';
import {
  expectGroupsToMatch,
  expectSummaryToMatch,
  type GroupItem,
  groupListings,
} from '../support/aggregate-assertions.js';
import { type ExpectedAggregates, expectedAggregates } from '../support/expected-aggregates.js';
import { kinesisRecord } from '../support/factories.js';
import { expectScenarioAggregates, type Scenario, sampleScenario } from '../support/scenario.js';
import { startTestRuntime, type TestRuntime } from '../support/test-runtime.js';

const run = promisify(execFile);
const SAMPLE = bundledSamplePath();
const DEFAULT_RULES: SuspicionRules = { ...settings.analytics };

let runtime: TestRuntime;
let db: DataApiDatabase;
let dir: string;
/** Every CSV replayed so far, for the expectation of the whole history. */
const replayed: string[] = [SAMPLE];

function batch(options: BatchRunOptions): Promise<BatchRunReport> {
  return runBatchLayer({ db, archive: new S3RawArchive(runtime.s3, runtime.bucketName) }, options);
}

/** The CLI, as a person runs it against `npm start` (found through the data dir's runtime.json). */
async function cli(script: 'reconcile' | 'rebuild', ...args: string[]) {
  try {
    const { stdout } = await run('npx', [
      'tsx',
      `scripts/${script}.ts`,
      '--data-dir',
      runtime.dataDir,
      ...args,
    ]);
    return { code: 0, stdout };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: `${failed.stdout}\n${failed.stderr}` };
  }
}

/** The expectation over every CSV replayed so far, in order (the first arrival of an id wins). */
async function expectedHistory(rules = DEFAULT_RULES): Promise<ExpectedAggregates> {
  const files = await Promise.all(replayed.map((path) => readFile(path, 'utf8')));
  const lines = files.map((text) =>
    text
      .replace(/^\ufeff/, '')
      .trimEnd()
      .split(/\r?\n/),
  );
  const combined = join(dir, `history-${replayed.length}.csv`);
  await writeFile(
    combined,
    `${[lines[0]?.[0] ?? '', ...lines.flatMap((file) => file.slice(1))].join('\n')}\n`,
  );
  return expectedAggregates(combined, rules);
}

/** The API equals the expectation: summary, every group, every suspicious commit. */
async function expectApiToEqual(expected: ExpectedAggregates): Promise<void> {
  const { body: summary } = await runtime.get<Record<string, number>>('stats/summary');
  expectSummaryToMatch(summary, expected);
  for (const { keyField, path, groups } of groupListings(expected)) {
    const { body } = await runtime.get<{ items: GroupItem[] }>(path);
    expectGroupsToMatch(body.items, keyField, groups);
  }
  const pairs: string[] = [];
  for (const author of expected.authors.keys()) {
    const { body } = await runtime.get<{ items: Array<{ commitId: string; reason: string }> }>(
      `commits/suspicious?author=${encodeURIComponent(author)}&limit=1000`,
    );
    pairs.push(...body.items.map((item) => `${item.commitId}/${item.reason}`));
  }
  expect(pairs.sort()).toEqual(expected.suspicious.map((s) => `${s.commitId}/${s.reason}`).sort());
}

async function stagingTablesLeft(): Promise<string[]> {
  const rows = await db.query<{ name: string }>(
    `SELECT tablename AS name FROM pg_tables WHERE schemaname = 'pipeline' AND tablename LIKE '%\\_\\_stage\\_%'`,
  );
  return rows.map((row) => row.name);
}

/** The processor's core with an archive whose writes wait for `open()`: counted, not yet archived. */
function gatedArchive(): { archive: ObjectStore; open(): void; waiting(): boolean } {
  const inner = new S3ObjectStore(runtime.s3, runtime.bucketName);
  let open: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => {
    open = resolve;
  });
  let waiting = false;
  return {
    archive: {
      async put(key, object, options) {
        waiting = true;
        await gate;
        waiting = false;
        return inner.put(key, object, options);
      },
      delete: (key, options) => inner.delete(key, options),
    },
    open: () => open(),
    waiting: () => waiting,
  };
}

/** Delivers a scenario's records to the processor core as one batch of its own shard, arriving now. */
function processScenario(scenario: Scenario, archive: ObjectStore) {
  const arrivedAt = Math.floor(Date.now() / 1000);
  const records = scenario.records.map((record, index) =>
    kinesisRecord(record, String(5_000 + index), scenario.shardId, arrivedAt),
  );
  return processBatch(records, { store: new DataApiAggregateStore(db), archive });
}

async function until(what: string, condition: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'batch-layer-'));
  runtime = await startTestRuntime();
  db = dataApiDatabaseFromEnv(runtime.env);
  await runtime.replay(SAMPLE);
  // What `npm start` writes, so that the CLI finds this runtime as it finds a developer's.
  await writeRuntimeFile(runtime.dataDir, { pid: process.pid, apiUrl: runtime.apiUrl, env: runtime.env });
});

afterAll(async () => {
  await runtime?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('npm run reconcile and npm run rebuild', () => {
  it('reconcile finds no difference on a freshly replayed sample, and exits 0', async () => {
    const { code, stdout } = await cli('reconcile');
    expect(stdout).toContain('no difference between the serving tables and the batch view');
    expect(code).toBe(0);
  });

  it('reconcile reports exactly a corrupted serving row, and exits 1', async () => {
    const [row] = await db.query<{ lines_added: number }>(
      `UPDATE pipeline.group_stats SET lines_added = lines_added + 7
       WHERE dimension = 'module' AND key = '/security/auth' RETURNING lines_added::int8 AS lines_added`,
    );
    const report = await batch({ mode: 'reconcile' });
    expect(report.differences).toEqual([
      {
        dimension: 'module',
        key: '/security/auth',
        field: 'lines_added',
        hot: String(row?.lines_added),
        batch: String((row?.lines_added ?? 0) - 7),
      },
    ]);
    expect(report.differenceCount).toBe(1);

    const { code, stdout } = await cli('reconcile');
    expect(code).toBe(1);
    expect(stdout).toContain('1 difference(s) found');
    expect(stdout).toMatch(/module\s+\/security\/auth\s+lines_added\s+\d+\s+\d+/);
  });

  it('rebuild repairs it, and the API equals the independent expectation again', async () => {
    const { code, stdout } = await cli('rebuild');
    expect(stdout).toContain('1 difference(s) repaired');
    expect(code).toBe(0);
    await expectApiToEqual(await expectedHistory());
    expect((await batch({ mode: 'reconcile' })).differenceCount).toBe(0);
    expect(await stagingTablesLeft()).toEqual([]);
  });

  it('gives the swapped-in tables the grants and index names of the tables they replaced', async () => {
    const privileges = await db.query<{ table: string; readable: boolean }>(
      `SELECT t AS table, has_table_privilege('pipeline_reader', 'pipeline.' || t, 'SELECT') AS readable
       FROM unnest(pipeline.batch_stage_tables()) AS t ORDER BY t`,
    );
    expect(privileges).toEqual([
      { table: 'author_baselines', readable: false },
      { table: 'group_stats', readable: true },
      { table: 'ingested_commits', readable: false },
      { table: 'suspicious_commits', readable: true },
      { table: 'window_stats', readable: true },
    ]);
    const indexes = await db.query<{ name: string }>(
      `SELECT indexname AS name FROM pg_indexes WHERE schemaname = 'pipeline' AND tablename = 'suspicious_commits'
       ORDER BY indexname`,
    );
    expect(indexes.map((index) => index.name)).toEqual([
      'suspicious_commits_by_author',
      'suspicious_commits_by_event_time',
      'suspicious_commits_pkey',
    ]);
  });

  it('reports a suspicious commit the serving tables lost, and a ledger commit the archive lacks', async () => {
    const [flagged] = await db.query<{ commit_id: string; reason: string }>(
      `DELETE FROM pipeline.suspicious_commits
       WHERE (commit_id, reason) = (SELECT commit_id, reason FROM pipeline.suspicious_commits ORDER BY 1, 2 LIMIT 1)
       RETURNING commit_id, reason`,
    );
    await db.query(
      `INSERT INTO pipeline.ingested_commits (commit_id, ingested_at) VALUES ('never-archived', now() - interval '1 hour')`,
    );
    const report = await batch({ mode: 'reconcile' });
    expect(report.differences).toEqual([
      {
        dimension: 'suspicious',
        key: `${flagged?.commit_id} ${flagged?.reason}`,
        field: '(row)',
        hot: 'absent',
        batch: 'present',
      },
      { dimension: 'ledger', key: 'never-archived', field: 'counted', hot: 'yes', batch: 'no' },
    ]);
    expect(report.unarchived).toMatchObject({ count: 1, settled: 1, sample: ['never-archived'] });
  });

  it('rebuild refuses to drop a ledger commit the archive lacks and changes nothing, unless told to', async () => {
    const { code, stdout } = await cli('rebuild');
    expect(code).toBe(1);
    expect(stdout).toContain(
      'rebuild refused: 1 commit(s) counted by the speed layer are not in the archive',
    );
    await expect(batch({ mode: 'rebuild' })).rejects.toBeInstanceOf(UnarchivedCommitsError);
    expect((await batch({ mode: 'reconcile' })).differenceCount).toBe(2);
    expect(await stagingTablesLeft()).toEqual([]);

    const dropped = await cli('rebuild', '--drop-unarchived');
    expect(dropped.code).toBe(0);
    expect(
      await db.query(`SELECT 1 FROM pipeline.ingested_commits WHERE commit_id = 'never-archived'`),
    ).toEqual([]);
    await expectApiToEqual(await expectedHistory());
  });
});

describe('a rebuild after a change of the suspicion rules', () => {
  it('applies a new entropy threshold to the whole history, as the independent expectation does', async () => {
    const lower = { ...DEFAULT_RULES, entropyThreshold: 0.7 };
    const expected = await expectedHistory(lower);
    const before = await expectedHistory();
    expect(expected.summary.suspiciousCommits).toBeGreaterThan(before.summary.suspiciousCommits);

    const report = await batch({ mode: 'rebuild', rules: lower });
    expect(report.swapped).toBe(true);
    expect(report.view.suspiciousCommits).toBe(expected.summary.suspiciousCommits);
    await expectApiToEqual(expected);

    // Back to the rules the processor runs with, for the tests below.
    await batch({ mode: 'rebuild' });
    await expectApiToEqual(before);
  });
});

describe('a rebuild while the processor keeps ingesting', () => {
  it('waits for a batch counted before the lock whose archive write lands after it', async () => {
    const scenario = sampleScenario('gated', ['person_3', 'person_4'], dir);
    const gate = gatedArchive();
    const processing = processScenario(scenario, gate.archive);
    await until('the batch is counted and waits to be archived', async () => gate.waiting());

    const report = await batch({
      mode: 'rebuild',
      whileHeld: async () => {
        // The archive write lands while the rebuild holds the processor out.
        setTimeout(() => gate.open(), 300);
      },
    });
    expect(report.swapped).toBe(true);
    expect(report.unarchived.count).toBe(0);
    expect((await processing).response.batchItemFailures).toEqual([]);
    replayed.push(scenario.csvPath);
    await expectScenarioAggregates(runtime, scenario);
    expect((await batch({ mode: 'reconcile' })).differenceCount).toBe(0);
  });

  it('lets a processor transaction that waited on the lock go on, on the new tables, counted once', async () => {
    const scenario = sampleScenario('waited', ['person_5', 'person_6'], dir);
    let processing: ReturnType<typeof processScenario> | undefined;
    let settledWhileHeld = false;
    const report = await batch({
      mode: 'rebuild',
      whileHeld: async () => {
        processing = processScenario(scenario, new S3ObjectStore(runtime.s3, runtime.bucketName));
        void processing.then(() => {
          settledWhileHeld = true;
        });
        await until('the processor waits for the lock on the ledger', async () => {
          const [row] = await db.query<{ waiting: number }>(
            `SELECT count(*)::int8 AS waiting FROM pg_stat_activity
             WHERE wait_event_type = 'Lock' AND query LIKE '%INSERT INTO pipeline.ingested_commits%'`,
          );
          return (row?.waiting ?? 0) > 0;
        });
      },
    });
    expect(report.swapped).toBe(true);
    expect(settledWhileHeld).toBe(false);
    expect((await processing)?.response.batchItemFailures).toEqual([]);
    replayed.push(scenario.csvPath);
    await expectScenarioAggregates(runtime, scenario);
    expect((await batch({ mode: 'reconcile' })).differenceCount).toBe(0);
    await expectApiToEqual(await expectedHistory());
  });

  it('loses and double-counts nothing while a replay streams through the pipeline', async () => {
    const all = [...(await expectedHistory()).authors.keys()].filter((author) => !author.includes(':'));
    const scenario = sampleScenario('streamed', all, dir);
    const counted = async () =>
      Number(
        (await db.query<{ n: number }>('SELECT count(*)::int8 AS n FROM pipeline.ingested_commits'))[0]?.n,
      );
    const start = await counted();
    // About 20 s of ingestion at 1000 records/s; rebuilds back to back meanwhile.
    const replay = replayThroughProducer(runtime.environments, scenario.csvPath, { rate: 1_000 });
    let replaying = true;
    void replay.finally(() => {
      replaying = false;
    });
    const midway: number[] = [];
    while (replaying) {
      const report = await batch({ mode: 'rebuild' });
      expect(report.swapped).toBe(true);
      if (replaying) midway.push(report.view.commits - start);
    }
    expect((await replay).sent).toBe(scenario.records.length);
    await runtime.waitUntilProcessed({ timeoutMs: 120_000 });

    // At least one rebuild swapped while part of the replay was counted and part was still to come.
    expect(midway.some((commits) => commits > 0 && commits < scenario.records.length)).toBe(true);
    replayed.push(scenario.csvPath);
    await expectApiToEqual(await expectedHistory());
    expect(await counted()).toBe(start + scenario.records.length);
    expect((await batch({ mode: 'reconcile' })).differenceCount).toBe(0);
    expect(runtime.mapping.snapshot().failed).toBe(0);
  }, 180_000);
});
