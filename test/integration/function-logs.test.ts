/**
 * What a function writes in its execution environment lands in `<data-dir>/logs/<function>.ndjson`,
 * one JSON object per line, and `npm run logs` reads it.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { embeddedLogFile } from '../../lib/pipeline-functions.js';
import { runCli } from '../support/cli-process.js';
import { sampleScenario } from '../support/scenario.js';
import { startTestRuntime, type TestRuntime } from '../support/test-runtime.js';

let dir: string;
let runtime: TestRuntime;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'function-logs-'));
  // The processor's "batch stored" lines are INFO: below the runtime's default level.
  runtime = await startTestRuntime({ processorEnv: { POWERTOOLS_LOG_LEVEL: 'INFO' } });
  await runtime.replay(sampleScenario('logs', ['person_1'], dir).csvPath);
}, 120_000);

afterAll(async () => {
  await runtime?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe("the functions' log files", () => {
  it('hold one JSON object per line: Powertools lines as written, other lines as timestamp, level, message', async () => {
    const lines = (await readFile(embeddedLogFile(runtime.dataDir, 'processor'), 'utf8'))
      .trimEnd()
      .split('\n');
    const objects = lines.map((line) => JSON.parse(line) as Record<string, unknown>);

    expect(objects).toContainEqual(
      expect.objectContaining({ level: 'INFO', message: 'batch stored', service: 'processor' }),
    );
    const start = objects.find((object) => String(object.message).startsWith('START RequestId: '));
    expect(Object.keys(start ?? {})).toEqual(['timestamp', 'level', 'message']);
    expect(objects.some((object) => '_aws' in object)).toBe(true);
  });

  it('are read by npm run logs', async () => {
    const logs = runCli('scripts/logs.ts', ['processor', '--data-dir', runtime.dataDir]);

    const { code } = await logs.exited;

    expect(code).toBe(0);
    expect(logs.output()).toMatch(/batch stored/);
  }, 60_000);
});
