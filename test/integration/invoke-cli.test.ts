/**
 * `npm run event` and `npm run invoke` against a running embedded runtime, as a person runs them: a
 * Kinesis event of a CSV piped into the processor stores its rows exactly once, the api's event gets the
 * answer a direct GET gets, a function error exits 1 with its payload, and without a runtime the command
 * exits 2 naming the data dir.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectPath } from '../../lib/project-paths.js';
import { writeRuntimeFile } from '../../local/runtime-file.js';
import { expectSummaryToMatch } from '../support/aggregate-assertions.js';
import { commandOutput, npmScript } from '../support/command-output.js';
import { expectedAggregates } from '../support/expected-aggregates.js';
import { startTestRuntime, type TestRuntime } from '../support/test-runtime.js';

const SAMPLE_ROWS = 300;

let runtime: TestRuntime;
let dir: string;
let csv: string;

beforeAll(async () => {
  runtime = await startTestRuntime();
  // What npm start writes: the commands find this runtime through it (this process serves it).
  await writeRuntimeFile(runtime.dataDir, { pid: process.pid, apiUrl: runtime.apiUrl, env: runtime.env });
  dir = await mkdtemp(join(tmpdir(), 'invoke-cli-'));
  csv = join(dir, 'first-rows.csv');
  const lines = readFileSync(projectPath('data/infected_code_sample.csv'), 'utf8').split('\n');
  await writeFile(csv, `${lines.slice(0, SAMPLE_ROWS + 1).join('\n')}\n`);
}, 120_000);

afterAll(async () => {
  await runtime?.stop();
  await rm(dir, { recursive: true, force: true });
});

const json = (text: string) => JSON.parse(text) as Record<string, unknown>;

describe('npm run event', () => {
  it('reports on stderr each row the producer refuses, with its line and reason, and leaves it out', async () => {
    const withBadRow = join(dir, 'bad-row.csv');
    const [header = '', first = '', second = ''] = readFileSync(csv, 'utf8').split('\n');
    await writeFile(
      withBadRow,
      `${header}\n${first}\nc_bad,someone,not-a-time,/a/b.ts,1,1,0.5,x\n${second}\n`,
    );

    const { code, stdout, stderr } = await npmScript('event', [
      'kinesis',
      '--csv',
      withBadRow,
      '--no-aggregation',
    ]);

    expect(code, stderr).toBe(0);
    expect(stderr).toMatch(/^rejected line 3: [a-z-]+: .+$/m);
    expect(stderr).toContain('3 rows read: 2 commits in 2 Kinesis records, 1 rejected');
    expect((JSON.parse(stdout) as { Records: unknown[] }).Records).toHaveLength(2);
  }, 60_000);
});

describe('npm run event piped into npm run invoke', () => {
  it('stores the rows of a Kinesis event exactly once, however often it is invoked', async () => {
    const pipeline =
      `npm run --silent event -- kinesis --csv ${csv} | ` +
      `npm run --silent invoke -- processor --event - --data-dir ${runtime.dataDir}`;

    for (let attempt = 0; attempt < 2; attempt += 1) {
      const { code, stdout, stderr } = await commandOutput(['sh', '-c', pipeline]);
      expect(code, stderr).toBe(0);
      expect(json(stdout)).toEqual({ batchItemFailures: [] });
      expect(stderr).toContain(`${SAMPLE_ROWS} rows read: ${SAMPLE_ROWS} commits in `);
      expect(stderr).toMatch(/^REPORT RequestId: \S+\tDuration: [\d.]+ ms/m);
      expect(stderr).toMatch(/^processor: succeeded \(duration [\d.]+ ms\)$/m);
    }

    const summary = await runtime.get<Record<string, unknown>>('stats/summary');
    expectSummaryToMatch(summary.body, expectedAggregates(csv));
  }, 120_000);
});

describe('npm run invoke', () => {
  it("runs the runtime's producer, whose rows then reach the processor through the stream", async () => {
    const { code, stdout, stderr } = await npmScript(
      'invoke',
      ['producer', '--event', '-', '--data-dir', runtime.dataDir],
      '{"limit": 40}',
    );

    expect(code, stderr).toBe(0);
    expect(json(stdout)).toMatchObject({ read: 40, sent: 40, rejected: 0, failed: 0 });
    await runtime.waitUntilProcessed({ timeoutMs: 60_000 });
    // The bundled sample's first 40 rows are among the rows the processor stored already: counted once.
    const summary = await runtime.get<Record<string, unknown>>('stats/summary');
    expectSummaryToMatch(summary.body, expectedAggregates(csv));
  }, 120_000);

  it("answers the api's event as the API answers a direct GET", async () => {
    const event = join(dir, 'summary.json');
    const generated = await npmScript('event', ['api', 'GET', '/stats/summary', '--out', event]);
    expect(generated.code, generated.stderr).toBe(0);

    const { code, stdout, stderr } = await npmScript('invoke', [
      'api',
      '--event',
      event,
      '--data-dir',
      runtime.dataDir,
    ]);

    expect(code, stderr).toBe(0);
    const result = json(stdout);
    expect(result.statusCode).toBe(200);
    const direct = await runtime.get('stats/summary');
    expect(JSON.parse(String(result.body))).toEqual(direct.body);
  }, 60_000);

  it('exits 1 with the error payload when the function fails', async () => {
    const { code, stdout, stderr } = await npmScript(
      'invoke',
      ['processor', '--event', '-', '--data-dir', runtime.dataDir],
      '{"not":"a kinesis event"}',
    );

    expect(code, stderr).toBe(1);
    expect(json(stdout)).toMatchObject({ errorType: expect.any(String), errorMessage: expect.any(String) });
    expect(stderr).toMatch(/^processor: function error \(duration [\d.]+ ms\)$/m);
    expect(stderr).toContain('"message":"Invoke Error"');
  }, 60_000);

  it('exits 2 naming the data dir when no runtime runs there', async () => {
    const nowhere = join(dir, 'no-runtime');
    const { code, stderr } = await npmScript('invoke', ['api', '--event', '-', '--data-dir', nowhere], '{}');

    expect(code).toBe(2);
    expect(stderr).toContain(`no embedded runtime found for ${nowhere}`);
  }, 60_000);

  it('exits 2 on an event that is not JSON, before looking for a runtime', async () => {
    const { code, stderr } = await npmScript('invoke', ['api', '--event', '-'], '{"path":');

    expect(code).toBe(2);
    expect(stderr).toContain('the event from stdin is not JSON');
  }, 60_000);
});
