/**
 * The pool of execution environments on hand-written bundles: real worker threads, no database.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type EnvironmentEvent,
  ExecutionEnvironments,
  type HostedFunction,
} from '../../../../local/execution/execution-environments.js';
import { buildEnvironmentWorker } from '../../../../local/execution/function-builds.js';
import { FunctionLogFiles } from '../../../../local/execution/function-log-files.js';
import type { EmbeddedFunctionName } from '../../../../local/execution/invocation.js';

let dir: string;
let bundlesDir: string;
let workerScript: string;
let logs: FunctionLogFiles;
let pool: ExecutionEnvironments | undefined;
const events: EnvironmentEvent[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'environments-'));
  bundlesDir = join(dir, 'bundles');
  workerScript = buildEnvironmentWorker(bundlesDir);
  logs = new FunctionLogFiles(dir);
  events.length = 0;
});

afterEach(async () => {
  await pool?.stop();
  await logs.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Writes `<bundles>/<name>/index.mjs`. */
function bundle(name: EmbeddedFunctionName, source: string): void {
  mkdirSync(join(bundlesDir, name), { recursive: true });
  writeFileSync(join(bundlesDir, name, 'index.mjs'), source);
}

function start(fn: Partial<HostedFunction> & Pick<HostedFunction, 'name'>): ExecutionEnvironments {
  pool = new ExecutionEnvironments({
    functions: [{ memorySize: 128, timeoutSeconds: 5, env: { ONLY: 'mine' }, concurrency: () => 2, ...fn }],
    bundlesDir,
    workerScript,
    region: 'us-east-1',
    logs,
    onEnvironment: (event) => events.push(event),
  });
  return pool;
}

describe('execution environments', () => {
  it("answer with the function's result, its own variables and what it wrote", async () => {
    bundle(
      'api',
      `export const handler = async (event, context) => { console.log('hello ' + event.who);
        return { env: process.env, name: context.functionName }; };`,
    );
    const outcome = await start({ name: 'api' }).invoke('api', { who: 'there' });

    expect(outcome.ok && outcome.result).toEqual({
      env: { ONLY: 'mine', AWS_LAMBDA_FUNCTION_NAME: 'api', AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '128' },
      name: 'api',
    });
    expect(outcome.logs).toContain('hello there');
    expect(outcome.logs[0]).toMatch(/^START RequestId: /);
  });

  it('reuse a warm environment, and run at most the concurrency at once', async () => {
    bundle(
      'api',
      'export const handler = async (ms) => { await new Promise((r) => setTimeout(r, ms)); return 1; };',
    );
    const environments = start({ name: 'api' });
    await Promise.all([50, 50, 50, 50].map((ms) => environments.invoke('api', ms)));

    expect(events.filter((event) => event.kind === 'started')).toHaveLength(2);
  });

  it("end an environment at the function's timeout, with Lambda's message and what it wrote", async () => {
    bundle(
      'processor',
      "export const handler = async () => { console.log('before hanging'); return new Promise(() => undefined); };",
    );
    const outcome = await start({ name: 'processor', timeoutSeconds: 0.8 }).invoke('processor', {});

    expect(outcome.ok).toBe(false);
    expect(!outcome.ok && outcome.error.errorMessage).toBe('Task timed out after 0.80 seconds');
    expect(outcome.logs).toContain('before hanging');
    expect(events).toContainEqual({ kind: 'ended', environmentId: 'processor-1', reason: 'timed out' });
  });

  it('fail an invocation whose bundle cannot load, and log why', async () => {
    bundle('api', "console.log('loading'); throw new Error('no config');");
    const outcome = await start({ name: 'api' }).invoke('api', {});

    expect(!outcome.ok && outcome.error.errorType).toBe('Runtime.ImportModuleError');
    expect(!outcome.ok && outcome.error.errorMessage).toMatch(/no config/);
    await logs.close();
    expect(readFileSync(join(dir, 'logs', 'api.ndjson'), 'utf8')).toMatch(/loading/);
  });

  it('load the new bundle after a reload, in a new environment', async () => {
    bundle('api', "export const handler = async () => 'old';");
    const environments = start({ name: 'api' });
    expect((await environments.invoke('api', {})).ok).toBe(true);

    bundle('api', "export const handler = async () => 'new';");
    environments.retire(['api']);
    const outcome = await environments.invoke('api', {});

    expect(outcome.ok && outcome.result).toBe('new');
    expect(events).toContainEqual({ kind: 'ended', environmentId: 'api-1', reason: 'retired' });
  });

  it("name the TypeScript source in the stack trace of an error, through the bundle's source map", async () => {
    const source = join(dir, 'handler.ts');
    writeFileSync(
      source,
      "export const handler = async (): Promise<never> => {\n  throw new Error('from TypeScript');\n};\n",
    );
    buildSync({
      entryPoints: [source],
      outfile: join(bundlesDir, 'api', 'index.mjs'),
      bundle: true,
      format: 'esm',
      platform: 'node',
      minify: true,
      sourcemap: true,
    });
    const outcome = await start({ name: 'api' }).invoke('api', {});

    expect(!outcome.ok && outcome.error.stackTrace?.[0]).toContain(`${source}:2:`);
  });
});
