/**
 * `npm start`'s replay is an invocation of the producer function: its handler reads the local file,
 * keeps the rows it cannot send under `rejected/` of the local bucket, logs its start, progress and end
 * and publishes its run's metrics (EMF) into `<data-dir>/logs/producer.ndjson`, as deployed. And a
 * replay the function's timeout cuts short says where to resume; the rerun from there counts every row
 * once.
 */
import { existsSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { afterEach, describe, expect, it } from 'vitest';
import { fileSourceName } from '../../functions/producer/csv-source.js';
import { embeddedLogFile } from '../../lib/pipeline-functions.js';
import { resumeCommand } from '../../local/cli/replay-flags.js';
import {
  expectGroupsToMatch,
  expectSummaryToMatch,
  type GroupItem,
  groupListings,
} from '../support/aggregate-assertions.js';
import { archivedLines, rejectedRowsAt } from '../support/archive-reader.js';
import { type CliRun, until } from '../support/cli-process.js';
import { expectedAggregates } from '../support/expected-aggregates.js';
import { writeHostileCsv } from '../support/hostile-csv.js';
import { freshDir, runtimeFileOf, startRuntimeCli } from '../support/runtime-cli.js';
import { expectScenarioAggregates, sampleScenario } from '../support/scenario.js';
import { startTestRuntime, type TestRuntime } from '../support/test-runtime.js';

let dir: string;
let cli: CliRun | undefined;
let runtime: TestRuntime | undefined;

afterEach(async () => {
  cli?.killAll();
  cli = undefined;
  await runtime?.stop();
  runtime = undefined;
  await rm(dir, { recursive: true, force: true });
});

async function json<T>(apiUrl: string, path: string): Promise<T> {
  const response = await fetch(new URL(path, apiUrl));
  expect(response.status, path).toBe(200);
  return (await response.json()) as T;
}

describe("npm start's replay", () => {
  it('runs the producer handler: rejects under rejected/ of the bucket, its logs and metrics in producer.ndjson, exact aggregates', async () => {
    dir = await freshDir('producer-replay-');
    const dataDir = join(dir, 'data');
    const csv = join(dir, 'hostile.csv');
    const lines = writeHostileCsv(csv, 'p:');
    const expected = expectedAggregates(csv, undefined, { onePerLine: true });

    cli = startRuntimeCli(dataDir, ['--csv', csv]);
    await cli.waitFor(/Ctrl-C to stop/, 240_000);
    const output = cli.output();
    const started = runtimeFileOf(dataDir);

    // The result printed as before; the rejects are in the local bucket, named after the file.
    const summary = JSON.parse(/producer: (\{.*\})/.exec(output)?.[1] ?? '{}') as Record<string, unknown>;
    expect(summary).toMatchObject({ read: lines, rejected: expected.invalidRows, failed: 0 });
    const bucket = started.env.ARCHIVE_BUCKET ?? '';
    const location = /rejected rows kept in (s3:\/\/\S+)\s+\(on disk: (\S+)\)/.exec(output);
    expect(location?.[1]).toMatch(
      new RegExp(
        `^s3://${bucket}/rejected/${encodeURIComponent(fileSourceName(csv)).replace(/\./g, '\\.')}/`,
      ),
    );
    expect(existsSync(location?.[2] ?? '')).toBe(true);
    const s3 = new S3Client({
      endpoint: started.env.AWS_ENDPOINT_URL_S3,
      region: started.env.AWS_REGION,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
      forcePathStyle: true,
    });
    const rejected = await rejectedRowsAt<{ line: number; reason: string }>(s3, location?.[1]);
    s3.destroy();
    expect(rejected).toHaveLength(expected.invalidRows);

    // The handler's own log lines and its EMF metrics, in the function's log file.
    const logged = readFileSync(embeddedLogFile(dataDir, 'producer'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const messages = logged.map((line) => line.message);
    expect(messages).toContain('replay started');
    expect(messages).toContain('replay progress');
    expect(messages).toContain('replay finished');
    expect(logged.find((line) => line.message === 'replay started')).toMatchObject({
      source: fileSourceName(csv),
    });
    const progress = logged.filter((line) => line.message === 'replay progress');
    expect(progress.at(-1)).toMatchObject({ read: lines, bytesRead: readFileSync(csv).length });
    const emf = logged.filter((line) => '_aws' in line);
    expect(emf.length).toBeGreaterThan(0);
    expect(emf.some((line) => line.RowsRead === lines)).toBe(true);

    // The aggregates are exact.
    expectSummaryToMatch(await json(started.apiUrl, 'stats/summary'), expected);
    for (const { keyField, path, groups } of groupListings(expected)) {
      expectGroupsToMatch((await json<{ items: GroupItem[] }>(started.apiUrl, path)).items, keyField, groups);
    }

    cli.signalGroup('SIGINT');
    expect((await cli.exited).code).toBe(0);
  }, 300_000);
});

describe('a replay the producer timeout cuts short', () => {
  it('says stopped with the line to resume from; the rerun from it counts every row exactly once', async () => {
    dir = await freshDir('producer-timeout-');
    const scenario = sampleScenario('cut', ['person_1', 'person_2', 'person_3'], dir);
    // A 6 s timeout stops the replay after 3 s (halfway, settings.producer.stopBeforeTimeoutSeconds
    // being longer); 100 records a second is far from the end by then.
    runtime = await startTestRuntime({ producerTimeoutSeconds: 6 });
    const cut = await runtime.replay(scenario.csvPath, { rate: 100, aggregate: false });

    expect(cut.stopped?.reason).toContain('about to time out');
    const resume = cut.stopped?.resumeFromLine ?? 0;
    expect(resume).toBeGreaterThan(2);
    expect(cut.sent).toBeLessThan(scenario.records.length);
    expect(
      resumeCommand(
        'npm start --',
        ['--csv', scenario.csvPath],
        cut.stopped ?? { reason: '', resumeFromLine: 0 },
      ),
    ).toContain(`--from-line ${resume}`);

    runtime = await runtime.restart();
    const rest = await runtime.replay(scenario.csvPath, { fromLine: resume, aggregate: false });

    expect(rest.stopped).toBeUndefined();
    expect(cut.sent + rest.sent).toBeGreaterThanOrEqual(scenario.records.length);
    await expectScenarioAggregates(runtime, scenario);
    // Requests in flight at the stop may be sent again by the rerun: each commit is archived, counted once.
    const archived = await archivedLines<{ commitId: string }>(runtime.s3, runtime.bucketName, 'raw/');
    expect([...new Set(archived.map((line) => line.commitId))].sort()).toEqual(
      scenario.records.map((record) => record.commitId).sort(),
    );
  }, 300_000);
});

describe("a long invocation's output", () => {
  it('reaches the log file and the caller while it runs, not only when it ends', async () => {
    dir = await freshDir('producer-live-');
    const scenario = sampleScenario('live', ['person_4', 'person_5'], dir);
    runtime = await startTestRuntime();
    const logFile = embeddedLogFile(runtime.dataDir, 'producer');
    let running = true;
    const seenWhileRunning: string[] = [];
    const event = { source: { file: scenario.csvPath }, rate: 150, aggregate: false };
    const invocation = runtime.environments.invoke('producer', event, (lines) => {
      if (running) seenWhileRunning.push(...lines);
    });

    await until(
      'a replay progress line in producer.ndjson',
      () => existsSync(logFile) && readFileSync(logFile, 'utf8').includes('"replay progress"'),
      30_000,
    );
    const loggedBeforeTheEnd = readFileSync(logFile, 'utf8');
    const outcome = await invocation;
    running = false;

    expect(outcome.ok).toBe(true);
    // The file had the start and some progress while the invocation still ran: its end came later.
    expect(loggedBeforeTheEnd).toContain('"replay started"');
    expect(loggedBeforeTheEnd).not.toContain('"replay finished"');
    expect(seenWhileRunning.some((line) => line.includes('"replay progress"'))).toBe(true);
    // The outcome still carries every line, for LogType: Tail.
    expect(outcome.logs.some((line) => line.includes('"replay finished"'))).toBe(true);
    await runtime.waitUntilProcessed({ timeoutMs: 60_000 });
  }, 120_000);
});
