/**
 * End to end on LocalStack: the real stack, deployed with cdklocal, fed by the deployed producer, with
 * Kinesis → processor driven by LocalStack's own event source mapping (nothing of local/ runs here).
 *
 *   npm run localstack:host    # or, with Docker: npm run localstack:up
 *   npm run test:localstack    # this file (vitest.e2e.config.ts)
 *
 * Runs against whatever answers at `LOCALSTACK_ENDPOINT` (default http://localhost:4566), host mode or
 * Docker alike:
 * 1. health check of LocalStack (a clear error says what to start when nothing answers);
 * 2. empties the local emulated database (DROP SCHEMA pipeline CASCADE) when the test can reach it, so
 *    the aggregates can be compared exactly; otherwise it only checks, after the migrations, that the
 *    database is empty, and stops with a message if it is not;
 * 3. `cdklocal bootstrap` and `cdklocal deploy` of a stack with a name of its own
 *    (`InfectedCodeE2e-<time>`, cdk.out and the outputs in a temporary folder), then the migrations,
 *    with `npm run migrate -- --target deployed` (LocalStack community runs no custom resources);
 * 4. invokes the producer on its bundled sample, waits until /stats/summary reaches the counts computed
 *    independently from the CSV (test/support/expected-aggregates.ts), compares every author, module,
 *    language and suspicious commit, and checks that raw/ in the archive bucket holds every record
 *    exactly once;
 *    `npm run logs -- producer --target deployed` prints the producer's "replay finished" line from
 *    its log group in LocalStack's CloudWatch Logs;
 *    `npm run invoke -- api --target deployed` answers `npm run event -- api GET /stats/summary` as the
 *    API answers the GET, and `npm run invoke -- processor` exits 1 with the payload of a function error;
 *    It also opens the dashboard through the path URL (ApiPathUrl) in headless Chromium and checks its
 *    overview tiles against /stats/summary;
 * 5. replays again with `npm run replay -- --target deployed`, waits until raw/ holds the second
 *    arrival (each record twice: proof that the processor handled the replay) and checks that no
 *    aggregate changed;
 * 6. runs the batch layer through the deployed batch function (`npm run reconcile|rebuild -- --target
 *    deployed`): the reconciliation finds no difference; after one serving row is corrupted through the
 *    emulated database it reports exactly that row; the rebuild repairs it and the API serves what it
 *    served before;
 * 7. puts a failure pointer naming stored records on the dead-letter queue and runs
 *    `npm run redrive -- --target deployed` on outputs that give the queue's URL in LocalStack's
 *    host-name form (`http://sqs.<region>.localhost.localstack.cloud:<port>/<account>/<queue>`, which needs public DNS):
 *    it exits 0, empties the queue and changes no aggregate;
 * 8. redeploys the stack with hot reload (`-c hotReload=true`, as `npm run deploy:localstack --
 *    --hot-reload` does; the folders in the temporary folder), starts `npm run watch:localstack` on a
 *    scratch copy of the functions tree and saves api handlers that mark their answers: each save is
 *    answered by the deployed api within seconds, without a deploy (the times are logged);
 * 9. always destroys the stack it deployed (`cdklocal destroy --force`), even after a failure.
 *
 * The Data API endpoint the deployed functions use (`-c dataApiEndpoint`):
 * - `LOCALSTACK_DATA_API_ENDPOINT` when set;
 * - else http://127.0.0.1:4510 when the host-mode database answers there and LocalStack does not run in
 *   a container (host mode: functions are host processes);
 * - else http://data-api:8080, the compose service Lambda containers resolve (Docker mode); the test
 *   then reaches that database through the compose port http://127.0.0.1:${DATA_API_HOST_PORT:-8080}.
 *
 * Other knobs: `LOCALSTACK_E2E_WAIT_SECONDS` (300), how long to wait for the stream to be processed
 * after each replay. Every phase is logged with its duration and a table sums them up at the end; the
 * cdklocal logs stay in the temporary folder printed at the start when something fails.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import {
  DescribeStreamSummaryCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
  ListShardsCommand,
} from '@aws-sdk/client-kinesis';
import { GetFunctionCommand, LambdaClient, ListEventSourceMappingsCommand } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { GetQueueAttributesCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, expect, it, type TestContext } from 'vitest';
import { bundledSamplePath } from '../../functions/producer/csv-source.js';
import { createKinesisClient } from '../../functions/shared/adapters/aws-clients.js';
import { PIPELINE_SCHEMA } from '../../functions/shared/database/migrations.js';
import { settings } from '../../functions/shared/settings.js';
import { hotReloadContext } from '../../lib/config.js';
import { projectPath } from '../../lib/project-paths.js';
import { type BatchOutcome, runOnDeployedStack } from '../../scripts/batch/batch-cli.js';
import {
  invokeDeployed,
  lambdaClientFor,
  readStackOutputs,
  requireOutput,
  type StackOutputs,
} from '../../scripts/deployed-stack.js';
import { onLocalStackGateway } from '../../scripts/localstack-gateway.js';
import { launchChromium } from '../browser/support/chromium.js';
import { openDashboard } from '../browser/support/dashboard-page.js';
import { expectGroupsToMatch, expectSummaryToMatch } from '../support/aggregate-assertions.js';
import { occurrences, RAW_KEY, type RawArchive, RawArchiveReader } from '../support/archive-reader.js';
import { localStackDeployContext, runCdkLocal } from '../support/cdklocal.js';
import {
  chooseDataApiEndpoint,
  dropPipelineSchema,
  reachableFromTest,
  runOnLocalDatabase,
} from '../support/emulated-database.js';
import { type ExpectedAggregates, expectedAggregates } from '../support/expected-aggregates.js';
import { BundleWatcher, SAVE_HEADER, ScratchFunctions } from '../support/hot-reload.js';
import {
  checkLocalStack,
  errorText,
  localStackAwsEnvironment,
  localStackEndpoint,
} from '../support/localstack.js';
import { log, PhaseClock } from '../support/phases.js';
import { ReadApi, type Summary } from '../support/read-api.js';

const SAMPLE = bundledSamplePath();
const MINUTE = 60_000;
const WAIT_MS = waitSeconds(process.env.LOCALSTACK_E2E_WAIT_SECONDS) * 1000;
const POLL_MS = 2_000;
const LOG_EVERY_MS = 10_000;

const endpoint = localStackEndpoint();
const awsEnvironment = localStackAwsEnvironment(endpoint);
// This worker only talks to LocalStack: the SDK clients here and in scripts/deployed-stack.ts read these.
Object.assign(process.env, awsEnvironment);

const clock = new PhaseClock();
const stackName = `InfectedCodeE2e-${Date.now().toString(36)}`;
const expected: ExpectedAggregates = expectedAggregates(SAMPLE);
const csvCommitIds: string[] = (
  parse(readFileSync(SAMPLE), { bom: true, columns: true, skip_empty_lines: true }) as Array<{
    commit_id: string;
  }>
).map((row) => row.commit_id);
const csvCommitIdSet = new Set(csvCommitIds);

let workDir = '';
let context: string[] = [];
let deployStarted = false;
let cdkLocalRan = false;
let outputs: StackOutputs = {};
let outputsFile = '';
/** Where the test reaches the emulated database itself, when it can. */
let databaseFromTest: string | undefined;
let api: ReadApi;
let archive: RawArchiveReader;
let firstFailure: string | undefined;

function waitSeconds(value: string | undefined): number {
  if (value === undefined || value.trim() === '') return 300;
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0) {
    throw new Error(`LOCALSTACK_E2E_WAIT_SECONDS must be a positive number of seconds, got ${value}`);
  }
  return seconds;
}

/**
 * A test that is also a timed phase, skipped once an earlier one failed: the later steps build on the
 * earlier ones, and their failures would only repeat the first one (after long waits).
 */
function step(name: string, work: () => Promise<void>, timeoutMs = 10 * MINUTE): void {
  it(
    name,
    async (testContext: TestContext) => {
      if (firstFailure) testContext.skip(`skipped after the failure of "${firstFailure}"`);
      try {
        await clock.run(name, work);
      } catch (error) {
        firstFailure ??= name;
        throw error;
      }
    },
    timeoutMs,
  );
}

function cdkLocal(args: string[], logName: string, timeoutMs: number): Promise<void> {
  cdkLocalRan = true;
  return runCdkLocal({ args, env: awsEnvironment, logFile: join(workDir, logName), timeoutMs });
}

/** Polls until `done` holds for the probe's value; the error names the last value seen. */
async function waitFor<T>(
  what: string,
  probe: () => Promise<T>,
  done: (value: T) => boolean,
  show: (value: T) => string,
  pollMs = POLL_MS,
): Promise<T> {
  const deadline = Date.now() + WAIT_MS;
  let last: T | undefined;
  let lastError: unknown;
  let loggedAt = 0;
  for (;;) {
    try {
      last = await probe();
      lastError = undefined;
      if (done(last)) return last;
      if (Date.now() - loggedAt >= LOG_EVERY_MS) {
        log(`  waiting for ${what}: ${show(last)}`);
        loggedAt = Date.now();
      }
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) {
      const state = lastError ? `last error: ${errorText(lastError)}` : `last seen: ${show(last as T)}`;
      throw new Error(
        `gave up waiting for ${what} after ${WAIT_MS / 1000} s (${state}); ${await deadLetterNote()}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

async function invokeProducer() {
  const client = lambdaClientFor(outputs, settings.functions.producer.timeoutSeconds);
  const invocation = await invokeDeployed(client, requireOutput(outputs, 'ProducerFunctionName'), {});
  if (!invocation.ok) throw new Error(`the producer failed:\n${invocation.payload}\n${invocation.logTail}`);
  return JSON.parse(invocation.payload) as Record<string, unknown>;
}

function expectFullReplay(result: Record<string, unknown>): void {
  expect(result).toMatchObject({
    read: expected.validRows + expected.invalidRows,
    sent: expected.validRows,
    rejected: 0,
    failed: 0,
  });
}

function deadLetterQueueUrl(): string {
  return onLocalStackGateway(requireOutput(outputs, 'DeadLetterQueueUrl'), endpoint);
}

async function deadLetters(): Promise<number> {
  const sqs = new SQSClient({});
  try {
    const { Attributes = {} } = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: deadLetterQueueUrl(),
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    return (
      Number(Attributes.ApproximateNumberOfMessages ?? 0) +
      Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0)
    );
  } finally {
    sqs.destroy();
  }
}

async function deadLetterNote(): Promise<string> {
  try {
    return `${await deadLetters()} batch(es) in the dead-letter queue`;
  } catch (error) {
    return `dead-letter queue unreadable: ${errorText(error)}`;
  }
}

function archiveCount(archived: RawArchive): string {
  return `${archived.commitIds.length} records in ${archived.keys.length} raw/ objects`;
}

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'infected-code-e2e-'));
  log(`LocalStack ${endpoint}, stack ${stackName}, logs and cdk.out in ${workDir}`);
  log(`expected from ${SAMPLE}: ${expected.summary.commits} commits, ${expected.summary.authors} authors`);

  const info = await clock.run('health check', () => checkLocalStack(endpoint));
  const dataApi = await chooseDataApiEndpoint(info.isDocker);
  log(
    `LocalStack ${info.version} (${info.isDocker === false ? 'host mode' : info.isDocker ? 'in Docker' : 'mode unknown'}); ` +
      `functions use the Data API at ${dataApi.forFunctions} (${dataApi.reason})`,
  );

  await clock.run('reset the emulated database', async () => {
    const reachable = await reachableFromTest(dataApi.forFunctions);
    databaseFromTest = reachable;
    if (reachable) {
      await dropPipelineSchema(reachable);
      log(`  dropped schema ${PIPELINE_SCHEMA} through ${reachable}`);
    } else {
      log(`  ${dataApi.forFunctions} is not reachable from here; the database must already be empty`);
    }
  });

  context = localStackDeployContext(stackName, endpoint, dataApi.forFunctions, join(workDir, 'cdk.out'));
  await clock.run('cdklocal bootstrap', () =>
    cdkLocal(['bootstrap', 'aws://000000000000/us-east-1', ...context], 'cdklocal-bootstrap.log', 5 * MINUTE),
  );

  outputsFile = join(workDir, 'outputs.json');
  deployStarted = true;
  await clock.run('cdklocal deploy', () =>
    cdkLocal(
      ['deploy', stackName, ...context, '--require-approval', 'never', '--outputs-file', outputsFile],
      'cdklocal-deploy.log',
      10 * MINUTE,
    ),
  );
  outputs = await readStackOutputs(outputsFile, stackName);
  api = new ReadApi(onLocalStackGateway(requireOutput(outputs, 'ApiPathUrl'), endpoint));
  archive = new RawArchiveReader(
    new S3Client({ forcePathStyle: true }),
    requireOutput(outputs, 'BucketName'),
  );

  await clock.run('migrations (npm run migrate -- --target deployed)', async () => {
    const run = runScript('migrate.ts', deployedTarget());
    if (run.status !== 0)
      throw new Error(`the migrations failed (exit ${run.status}):\n${run.stdout}\n${run.stderr}`);
    log(`  ${run.stdout.replace(/\s+/g, ' ')}`);
    const summary = await api.ok<Summary>('stats/summary');
    if (summary.commits !== 0) {
      throw new Error(
        `the emulated database already holds ${summary.commits} commits and the test could not empty it; ` +
          'start from an empty one (npm run localstack:down && npm run localstack:up), or make it reachable ' +
          'from here (LOCALSTACK_DATA_API_ENDPOINT on a loopback address, or the compose port DATA_API_HOST_PORT)',
      );
    }
  });
}, 20 * MINUTE);

afterAll(async () => {
  try {
    if (deployStarted) {
      await clock.run('cdklocal destroy', async () => {
        await cdkLocal(['destroy', stackName, ...context, '--force'], 'cdklocal-destroy.log', 5 * MINUTE);
        const cloudFormation = new CloudFormationClient({});
        try {
          const { Stacks = [] } = await cloudFormation.send(
            new DescribeStacksCommand({ StackName: stackName }),
          );
          const status = Stacks[0]?.StackStatus;
          if (status && status !== 'DELETE_COMPLETE') throw new Error(`${stackName} is still ${status}`);
        } catch (error) {
          if (!/does not exist/i.test(errorText(error))) throw error;
        } finally {
          cloudFormation.destroy();
        }
      });
    }
  } finally {
    log(`phase timings:\n${clock.table()}`);
    const failed = firstFailure || clock.timings.some((timing) => timing.outcome === 'failed');
    if (failed && cdkLocalRan) log(`cdklocal logs kept in ${workDir}`);
    else if (workDir) await rm(workDir, { recursive: true, force: true });
  }
}, 10 * MINUTE);

step("the processor is fed by LocalStack's own event source mapping", async () => {
  const kinesis = new KinesisClient({});
  const lambda = new LambdaClient({});
  try {
    const { StreamDescriptionSummary } = await kinesis.send(
      new DescribeStreamSummaryCommand({ StreamName: requireOutput(outputs, 'StreamName') }),
    );
    const { EventSourceMappings = [] } = await lambda.send(
      new ListEventSourceMappingsCommand({ EventSourceArn: StreamDescriptionSummary?.StreamARN }),
    );
    expect(EventSourceMappings).toHaveLength(1);
    expect(EventSourceMappings[0]).toMatchObject({
      FunctionArn: expect.stringContaining(`:function:${stackName}-Processor`),
      BatchSize: settings.processor.batchSize,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    expect(['Enabled', 'Enabling', 'Creating']).toContain(EventSourceMappings[0]?.State);
  } finally {
    kinesis.destroy();
    lambda.destroy();
  }
});

step(
  'the deployed producer replays its bundled sample',
  async () => {
    const result = await invokeProducer();
    log(`  producer: ${JSON.stringify(result)}`);
    expectFullReplay(result);
  },
  20 * MINUTE,
);

/** Runs one of the project's command-line scripts as `npm run` does, with the test's environment. */
function runScript(script: string, args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', projectPath('scripts', script), ...args], {
    cwd: projectPath(),
    encoding: 'utf8',
    timeout: 10 * MINUTE,
  });
}

/** The flags that point a command line at the stack this test deployed. */
function deployedTarget(): string[] {
  return ['--target', 'deployed', '--outputs', outputsFile, '--stack', stackName];
}

step(
  'npm run logs -- producer --target deployed prints the deployed producer\'s "replay finished"',
  async () => {
    const args = ['producer', ...deployedTarget()];
    // LocalStack stores an invocation's log lines as it ends; give it a moment.
    const run = await waitFor(
      'the producer\'s "replay finished" line in its log group',
      async () => runScript('logs.ts', [...args, '--since', '30m', '--filter', 'replay finished']),
      (result) => result.status !== 0 || result.stdout.includes('replay finished'),
      (result) => `exit ${result.status}: ${result.stdout.trim() || result.stderr.trim()}`,
    );
    expect(run.status, run.stderr).toBe(0);
    const lines = run.stdout.trim().split('\n');
    log(`  ${lines[0]?.slice(0, 160)}`);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      new RegExp(`^\\d{4}-\\d{2}-\\d{2}T[\\d:.]+Z INFO  replay finished .*\\bsent=${expected.validRows}\\b`),
    );
    const json = runScript('logs.ts', [...args, '--since', '30m', '--filter', 'replay finished', '--json']);
    expect(JSON.parse(json.stdout.trim().split('\n')[0] ?? '')).toMatchObject({
      level: 'INFO',
      message: 'replay finished',
      service: 'producer',
      sent: expected.validRows,
    });
  },
);

step('/stats/summary reaches the counts computed independently from the CSV', async () => {
  const summary = await waitFor(
    `${expected.summary.commits} commits in /stats/summary`,
    () => api.ok<Summary>('stats/summary'),
    (value) => value.commits >= expected.summary.commits,
    (value) => `${value.commits} commits`,
  );
  expectSummaryToMatch(summary, expected);
});

step('every author, module, language and suspicious commit equals the independent computation', async () => {
  const { authors, modules, languages, suspicious } = await api.snapshot();
  expect(authors.total).toBe(expected.authors.size);
  expectGroupsToMatch(authors.items, 'author', expected.authors);
  expectGroupsToMatch(modules.items, 'module', expected.modules);
  expectGroupsToMatch(languages.items, 'language', expected.languages);
  const pairs = (list: Array<{ commitId: string; reason: string }>) =>
    list.map((item) => `${item.commitId}/${item.reason}`).sort();
  expect(pairs(suspicious.items)).toEqual(pairs(expected.suspicious));
});

step("npm run invoke -- api --target deployed answers the api's event as the API answers a GET", async () => {
  const event = join(workDir, 'summary-event.json');
  const generated = runScript('event.ts', ['api', 'GET', '/stats/summary', '--out', event]);
  expect(generated.status, generated.stderr).toBe(0);

  const run = runScript('invoke.ts', ['api', '--event', event, ...deployedTarget()]);

  expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
  expect(run.stderr).toMatch(/^api: succeeded \(duration [\d.]+ ms/m);
  const result = JSON.parse(run.stdout) as { statusCode: number; body: string };
  expect(result.statusCode).toBe(200);
  expect(JSON.parse(result.body)).toEqual(await api.ok<Summary>('stats/summary'));
});

step(
  'npm run invoke -- processor --target deployed exits 1 with the payload of a function error',
  async () => {
    const event = join(workDir, 'not-a-stream-batch.json');
    await writeFile(event, '{"not":"a kinesis event"}');

    const run = runScript('invoke.ts', ['processor', '--event', event, ...deployedTarget()]);

    expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(1);
    expect(JSON.parse(run.stdout)).toMatchObject({
      errorType: expect.any(String),
      errorMessage: expect.any(String),
    });
  },
);

step(
  'the dashboard loads through the path URL, its assets relative to it, with the overview numbers',
  async () => {
    const pageUrl = api.baseUrl;
    const response = await fetch(pageUrl, { signal: AbortSignal.timeout(30_000) });
    const html = await response.text();
    expect(response.status, html.slice(0, 300)).toBe(200);
    expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
    const assets = [...html.matchAll(/\b(?:src|href)="(assets\/[^"]+)"/g)].map((match) => match[1] ?? '');
    expect(assets).toHaveLength(2);
    for (const asset of assets) {
      const loaded = await fetch(new URL(asset, pageUrl), { signal: AbortSignal.timeout(30_000) });
      expect(loaded.status, asset).toBe(200);
    }

    const browser = await launchChromium();
    try {
      const dashboard = await openDashboard(browser, pageUrl, { width: 1280, height: 1000 });
      const summary = await api.ok<Summary>('stats/summary');
      const tile = (key: string) => dashboard.page.locator(`[data-tile="${key}"]`).getAttribute('data-value');
      expect(await tile('commits')).toBe(String(summary.commits));
      expect(await tile('authors')).toBe(String(summary.authors));
      expect(await tile('suspiciousCommits')).toBe(String(summary.suspiciousCommits));
      expect(dashboard.problems).toEqual([]);
      log(`  dashboard drawn ${Math.round(dashboard.loadMs)} ms after navigation to ${pageUrl}`);
    } finally {
      await browser.close();
    }
  },
);

step('raw/ in the archive bucket holds every record exactly once', async () => {
  const archived = await waitFor(
    `${csvCommitIds.length} records under raw/`,
    () => archive.read(),
    (value) => value.commitIds.length >= csvCommitIds.length,
    archiveCount,
  );
  expect(archived.keys.filter((key) => !RAW_KEY.test(key))).toEqual([]);
  const counts = occurrences(archived.commitIds);
  expect({
    missing: csvCommitIds.filter((id) => !counts.has(id)).slice(0, 10),
    duplicated: [...counts].filter(([, n]) => n !== 1).slice(0, 10),
    unexpected: [...counts.keys()].filter((id) => !csvCommitIdSet.has(id)).slice(0, 10),
  }).toEqual({ missing: [], duplicated: [], unexpected: [] });
  expect(archived.commitIds).toHaveLength(csvCommitIds.length);
});

let beforeReplay: Awaited<ReturnType<ReadApi['snapshot']>>;

step(
  'npm run replay -- --target deployed has the producer replay the same sample again',
  async () => {
    beforeReplay = await api.snapshot();
    const run = runScript('replay.ts', deployedTarget());
    expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
    const result = JSON.parse(run.stdout) as Record<string, unknown>;
    log(`  producer: ${JSON.stringify(result)}`);
    expectFullReplay(result);
  },
  20 * MINUTE,
);

step('the processor archives the second arrival under raw/ and changes no aggregate', async () => {
  const archived = await waitFor(
    `the second arrival under raw/ (${2 * csvCommitIds.length} records)`,
    () => archive.read(),
    (value) => value.commitIds.length >= 2 * csvCommitIds.length,
    archiveCount,
  );
  const counts = occurrences(archived.commitIds);
  expect([...counts].filter(([, n]) => n !== 2).slice(0, 10)).toEqual([]);
  expect(counts.size).toBe(csvCommitIds.length);
  expect(await api.snapshot()).toEqual(beforeReplay);
});

/** A run of the deployed batch function; a refused rebuild or a failed function fails the step. */
async function deployedBatch(mode: 'reconcile' | 'rebuild') {
  const outcome: BatchOutcome = await runOnDeployedStack(mode, outputsFile, stackName);
  if ('refused' in outcome) throw new Error(`the ${mode} refused: ${outcome.refused}`);
  if ('failed' in outcome) {
    throw new Error(`the batch function failed:\n${outcome.failed.payload}\n${outcome.failed.logTail}`);
  }
  const { report } = outcome;
  log(
    `  ${mode}: ${report.differenceCount} difference(s), ${report.view.commits} commits from ` +
      `${report.archive.records} records, ${Math.round(report.timings.totalMs)} ms ` +
      `(processor held ${Math.round(report.timings.heldMs)} ms)`,
  );
  return report;
}

step(
  'the deployed batch function reconciles the archive with the serving tables: no difference',
  async () => {
    const report = await deployedBatch('reconcile');
    expect(report.differences).toEqual([]);
    expect(report).toMatchObject({ mode: 'reconcile', swapped: false, differenceCount: 0 });
    expect(report.view).toEqual({
      commits: expected.summary.commits,
      suspiciousCommits: expected.summary.suspiciousCommits,
    });
    // Both arrivals of every record were read; the second ones are repeats.
    expect(report.archive).toMatchObject({
      records: 2 * csvCommitIds.length,
      repeats: csvCommitIds.length,
      invalid: 0,
    });
    expect(report.unarchived.count).toBe(0);
  },
);

step('reconcile reports exactly a corrupted serving row, and rebuild repairs it', async () => {
  if (!databaseFromTest) {
    log('  the emulated database is not reachable from the test: corruption and rebuild not checked');
    return;
  }
  const before = await api.snapshot();
  const py = before.languages.items.find((item) => item.language === 'py');
  if (!py) throw new Error('no py language in /stats/languages');
  await runOnLocalDatabase(
    databaseFromTest,
    `UPDATE ${PIPELINE_SCHEMA}.group_stats SET commits = commits + 1 WHERE dimension = 'language' AND key = 'py'`,
  );
  const found = await deployedBatch('reconcile');
  expect(found.differences).toEqual([
    {
      dimension: 'language',
      key: 'py',
      field: 'commits',
      hot: String(py.commits + 1),
      batch: String(py.commits),
    },
  ]);
  expect(found.differenceCount).toBe(1);

  const rebuilt = await deployedBatch('rebuild');
  expect(rebuilt).toMatchObject({ mode: 'rebuild', swapped: true, differenceCount: 1 });
  expect(await api.snapshot()).toEqual(before);
  expect((await deployedBatch('reconcile')).differenceCount).toBe(0);
});

step('no batch went to the dead-letter queue', async () => {
  expect(await deadLetters()).toBe(0);
});

/**
 * A queue's URL as LocalStack gives it with its default settings (`SQS_ENDPOINT_STRATEGY=standard`):
 * `http://sqs.<region>.localhost.localstack.cloud:<port>/<account>/<queue>`.
 */
async function hostNameFormOf(sqs: SQSClient, queueUrl: string): Promise<string> {
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
  );
  const [, , , region, account, queue] = (Attributes.QueueArn ?? '').split(':');
  if (!region || !account || !queue) throw new Error(`no queue ARN for ${queueUrl}: ${Attributes.QueueArn}`);
  const { port } = new URL(endpoint);
  return `http://sqs.${region}.localhost.localstack.cloud${port ? `:${port}` : ''}/${account}/${queue}`;
}

/** The first records of the stream's first shard, as a failure pointer the mapping would write. */
async function pointerToStoredRecords(count: number): Promise<string> {
  // The pipeline's own client: plain HTTP/1.1 (the SDK's default handler speaks HTTP/2 to GetRecords).
  const kinesis = createKinesisClient();
  try {
    const streamName = requireOutput(outputs, 'StreamName');
    const { StreamDescriptionSummary } = await kinesis.send(
      new DescribeStreamSummaryCommand({ StreamName: streamName }),
    );
    const { Shards = [] } = await kinesis.send(new ListShardsCommand({ StreamName: streamName }));
    const shardId = Shards[0]?.ShardId ?? '';
    const { ShardIterator } = await kinesis.send(
      new GetShardIteratorCommand({
        StreamName: streamName,
        ShardId: shardId,
        ShardIteratorType: 'TRIM_HORIZON',
      }),
    );
    const { Records = [] } = await kinesis.send(new GetRecordsCommand({ ShardIterator, Limit: count }));
    if (Records.length < count)
      throw new Error(`${shardId} holds ${Records.length} records, wanted ${count}`);
    return JSON.stringify({
      requestContext: { condition: 'RetryAttemptsExhausted', approximateInvokeCount: 1 },
      timestamp: new Date().toISOString(),
      KinesisBatchInfo: {
        shardId,
        startSequenceNumber: Records[0]?.SequenceNumber,
        endSequenceNumber: Records[count - 1]?.SequenceNumber,
        batchSize: count,
        streamArn: StreamDescriptionSummary?.StreamARN,
      },
    });
  } finally {
    kinesis.destroy();
  }
}

step(
  'npm run redrive -- --target deployed takes a pointer from the queue, re-reads its records and changes no aggregate',
  async () => {
    if (!databaseFromTest) {
      log('  the emulated database is not reachable from the test: redrive not checked');
      return;
    }
    // Records every one of which is stored already: the ledger must make their redrive a no-op.
    const before = await api.snapshot();
    const sqs = new SQSClient({});
    let queueByHostName: string;
    try {
      await sqs.send(
        new SendMessageCommand({
          QueueUrl: deadLetterQueueUrl(),
          MessageBody: await pointerToStoredRecords(3),
        }),
      );
      queueByHostName = await hostNameFormOf(sqs, deadLetterQueueUrl());
    } finally {
      sqs.destroy();
    }
    expect(await deadLetters()).toBe(1);
    // The URL LocalStack hands out by default: the redrive must not depend on resolving its host.
    const redriveOutputs = join(workDir, 'outputs-queue-by-host-name.json');
    await writeFile(
      redriveOutputs,
      JSON.stringify({ [stackName]: { ...outputs, DeadLetterQueueUrl: queueByHostName } }),
    );
    log(`  redrive of ${queueByHostName}`);
    const run = spawnSync(
      'npx',
      [
        'tsx',
        'scripts/redrive.ts',
        '--target',
        'deployed',
        '--outputs',
        redriveOutputs,
        '--stack',
        stackName,
      ],
      {
        encoding: 'utf8',
        timeout: 5 * MINUTE,
        // The operator reaches the database where the test does (in Docker mode not the functions' name).
        env: { ...process.env, AWS_ENDPOINT_URL_RDS_DATA: databaseFromTest },
      },
    );
    log(`  redrive (exit ${run.status}):\n${run.stdout.trim()}`);
    expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
    expect(run.stdout).toMatch(/1 pointer, 1 recovered/);
    expect(await deadLetters()).toBe(0);
    expect(await api.snapshot()).toEqual(before);
  },
);

/** The folders the functions run from once the stack is redeployed with hot reload. */
let hotReloadDir = '';

step('redeployed with hot reload, the functions run from local folders and serve the same', async () => {
  const before = await api.snapshot();
  hotReloadDir = join(workDir, 'function-bundles');
  await cdkLocal(
    [
      'deploy',
      stackName,
      ...context,
      ...hotReloadContext(hotReloadDir),
      '--require-approval',
      'never',
      '--outputs-file',
      outputsFile,
    ],
    'cdklocal-deploy-hot-reload.log',
    10 * MINUTE,
  );
  const lambda = new LambdaClient({});
  try {
    const { Code } = await lambda.send(
      new GetFunctionCommand({ FunctionName: requireOutput(outputs, 'ApiFunctionName') }),
    );
    // LocalStack names a hot-reloaded function's code by its folder.
    expect(Code?.Location).toBe(pathToFileURL(join(hotReloadDir, 'api')).href);
  } finally {
    lambda.destroy();
  }
  expect(await api.snapshot()).toEqual(before);
});

step('npm run watch:localstack: a saved api handler answers within seconds, without a deploy', async () => {
  const scratch = new ScratchFunctions(join(workDir, 'scratch'));
  const watcher = BundleWatcher.start({
    functionsDir: scratch.functionsDir,
    bundlesDir: hotReloadDir,
    functions: ['api'],
    logFile: join(workDir, 'watch-localstack.log'),
  });
  try {
    const started = performance.now();
    await watcher.waitForLine(/^\[watch\] watching /, 2 * MINUTE);
    log(`  watcher ready after ${Math.round(performance.now() - started)} ms`);
    for (const save of ['save-1', 'save-2']) {
      const printed = watcher.lineCount;
      const savedAt = performance.now();
      scratch.saveApiHandlerMarking(save);
      await waitFor(
        `the api to answer with ${SAVE_HEADER}: ${save}`,
        async () =>
          (await fetch(new URL('health', api.baseUrl), { signal: AbortSignal.timeout(30_000) })).headers,
        (headers) => headers.get(SAVE_HEADER) === save,
        (headers) => `${SAVE_HEADER}: ${headers.get(SAVE_HEADER)}`,
        100,
      );
      const rebuilt = await watcher.waitForLine(/^\[watch\] api rebuilt in/, 10_000, printed);
      log(`  ${save}: answered ${Math.round(performance.now() - savedAt)} ms after the save (${rebuilt})`);
    }
  } finally {
    await watcher.stop();
  }
});
