/**
 * `npm run dev`: a saved change to a function is rebuilt and served by its next invocation, without a
 * restart; a change that does not build is reported with esbuild's message, and the last good code
 * keeps serving. Run on a scratch copy of functions/, so the working tree is never touched.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ReloadReport } from '../../local/execution/function-builds.js';
import { SAVE_HEADER, ScratchFunctions } from '../support/hot-reload.js';
import { startTestRuntime, type TestRuntime } from '../support/test-runtime.js';

let dir: string;
let scratch: ScratchFunctions;
let runtime: TestRuntime;
const reloads: ReloadReport[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dev-reload-'));
  scratch = new ScratchFunctions(join(dir, 'scratch'));
  runtime = await startTestRuntime({
    functionsDir: scratch.functionsDir,
    onReload: (report) => reloads.push(report),
  });
}, 120_000);

afterAll(async () => {
  await runtime?.stop();
  await rm(dir, { recursive: true, force: true });
});

/** The save header of the api's answers, once it equals `value` (or the last one seen at the deadline). */
async function saveHeaderBecomes(value: string | null, timeoutMs = 15_000): Promise<string | null> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const response = await fetch(new URL('stats/summary', runtime.apiUrl));
    await response.arrayBuffer();
    const seen = response.headers.get(SAVE_HEADER);
    if (seen === value || Date.now() > deadline) return seen;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('npm run dev', () => {
  it('serves a saved change of the api from its next invocation, without a restart', async () => {
    const pids = runtime.parts();
    expect(await saveHeaderBecomes(null)).toBeNull();

    scratch.saveApiHandlerMarking('save-1');

    expect(await saveHeaderBecomes('save-1')).toBe('save-1');
    expect(reloads).toContainEqual(expect.objectContaining({ kind: 'reloaded', functions: ['api'] }));
    expect(runtime.parts()).toEqual(pids);
  });

  it('keeps the last good code serving when a change does not build, and says why', async () => {
    const printed = vi.spyOn(console, 'error');
    try {
      scratch.saveBrokenApiHandler();
      const deadline = Date.now() + 15_000;
      while (!reloads.some((report) => report.kind === 'failed') && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }

      expect(reloads).toContainEqual({ kind: 'failed', label: 'api', errors: 1 });
      expect(printed.mock.calls.flat().join('\n')).toMatch(/handler\.ts/);
      expect(await saveHeaderBecomes('save-1')).toBe('save-1');
    } finally {
      printed.mockRestore();
    }
  });
});
