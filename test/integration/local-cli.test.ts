/**
 * `npm start` and `npm run replay` as a person meets them: the CLIs run as child processes, the way
 * a terminal runs them (Ctrl-C signals the whole process group).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { bundledSamplePath } from '../../functions/producer/csv-source.js';
import { findRuntime, RUNTIME_FILE, type RuntimeFile, writeRuntimeFile } from '../../local/runtime-file.js';
import { runCli, until } from '../support/cli-process.js';
import { startTestRuntime, type TestRuntime } from '../support/test-runtime.js';

let dataDir: string;
const servers: Server[] = [];

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'local-cli-'));
  await chmod(dataDir, 0o755);
});

afterEach(async () => {
  for (const server of servers.splice(0)) server.close();
  await rm(dataDir, { recursive: true, force: true });
});

/** A port something listens on. */
async function takenPort(): Promise<number> {
  const server = createServer();
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return typeof address === 'object' && address ? address.port : 0;
}

async function writeRuntime(runtime: RuntimeFile): Promise<void> {
  await writeFile(join(dataDir, RUNTIME_FILE), JSON.stringify(runtime));
}

/** A pid no process has any more. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((resolve) => child.once('exit', resolve));
  return child.pid ?? 0;
}

describe('npm run replay without a running runtime', () => {
  const replay = () => runCli('scripts/replay.ts', ['--csv', bundledSamplePath(), '--data-dir', dataDir]);

  it('says how to start one, and about --data-dir, when the data dir has no runtime file', async () => {
    const cli = replay();
    const { code } = await cli.exited;

    expect(code).not.toBe(0);
    expect(cli.output()).toMatch(/npm start/);
    expect(cli.output()).toMatch(/--data-dir/);
  });

  it('recognises the file of a runtime that was killed by its pid', async () => {
    await writeRuntime({ pid: await deadPid(), apiUrl: 'http://127.0.0.1:1/', env: {} });

    const cli = replay();
    const { code } = await cli.exited;

    expect(code).not.toBe(0);
    expect(cli.output()).toMatch(/no longer running/);
  });

  it('gives up within seconds when the runtime named by the file does not answer', async () => {
    const port = await takenPort();
    servers[0]?.close();
    await writeRuntime({
      pid: process.pid,
      apiUrl: 'http://127.0.0.1:1/',
      env: { STREAM_NAME: 'commits', AWS_ENDPOINT_URL_KINESIS: `http://127.0.0.1:${port}` },
    });

    const cli = replay();
    const { code, ms } = await cli.exited;

    expect(code).not.toBe(0);
    expect(cli.output()).toMatch(/does not answer/);
    // tsx itself needs a second or two to start; the probe adds at most 1.5 s.
    expect(ms).toBeLessThan(15_000);
  });
});

describe('npm run replay with a flag it cannot use', () => {
  it('refuses an unknown encoding, naming the ones there are, before it looks for a runtime', async () => {
    const cli = runCli('scripts/replay.ts', [
      '--csv',
      bundledSamplePath(),
      '--encoding',
      'ebcdic',
      '--data-dir',
      dataDir,
    ]);
    const { code } = await cli.exited;

    expect(code).not.toBe(0);
    expect(cli.output()).toMatch(/unknown encoding "ebcdic": use one of utf-8, latin1, windows-1252/);
    expect(cli.output()).not.toMatch(/npm start/);
  });
});

describe('npm run replay with a running runtime', () => {
  let runtime: TestRuntime;

  beforeAll(async () => {
    runtime = await startTestRuntime();
    // As `npm start` does: how other commands find the runtime (this process serves it).
    await writeRuntimeFile(runtime.dataDir, { pid: process.pid, apiUrl: runtime.apiUrl, env: runtime.env });
  });

  afterAll(async () => {
    vi.unstubAllEnvs();
    await runtime?.stop();
    await rm(runtime?.dataDir ?? '', { recursive: true, force: true });
  });

  it('invokes the producer of the runtime on --data-dir on the CSV, over a STREAM_NAME left in the environment, and exits 0', async () => {
    vi.stubEnv('STREAM_NAME', 'a-stream-of-another-session');
    const cli = runCli('scripts/replay.ts', [
      '--csv',
      bundledSamplePath(),
      '--limit',
      '300',
      '--data-dir',
      runtime.dataDir,
      '--rejects-dir',
      dataDir,
    ]);
    const { code } = await cli.exited;

    expect(code, cli.output()).toBe(0);
    expect(cli.output()).toContain(`invoking producer in the embedded runtime of ${runtime.dataDir}`);
    expect(cli.output()).toContain(`on ${bundledSamplePath()}`);
    const summary = cli
      .output()
      .split('\n')
      .find((line) => line.startsWith('{'));
    expect(JSON.parse(summary ?? '{}')).toMatchObject({ read: 300, sent: 300, rejected: 0, failed: 0 });
    await runtime.waitUntilProcessed({ timeoutMs: 60_000 });
    const { body } = await runtime.get<{ commits: number }>('stats/summary');
    expect(body.commits).toBe(300);
  }, 120_000);

  it("fails the producer's invocation on a --csv that does not exist, naming the path, with exit 1", async () => {
    const missing = join(dataDir, 'no-such.csv');
    const cli = runCli('scripts/replay.ts', ['--csv', missing, '--data-dir', runtime.dataDir]);
    const { code } = await cli.exited;

    expect(code, cli.output()).toBe(1);
    expect(cli.output()).toContain('the function failed');
    expect(cli.output()).toContain(`${missing}: no such file`);
  }, 60_000);

  it('refuses --stream together with --data-dir: one says where, with exit 2', async () => {
    const cli = runCli('scripts/replay.ts', [
      '--csv',
      bundledSamplePath(),
      '--stream',
      'x',
      '--data-dir',
      runtime.dataDir,
    ]);
    const { code } = await cli.exited;

    expect(code).toBe(2);
    expect(cli.output()).toContain('--stream replaces the runtime of --data-dir');
  });
});

describe('npm start', () => {
  it('reports a port in use before it starts PostgreSQL or an emulator', async () => {
    const port = await takenPort();

    const cli = runCli('local/main.ts', ['--port', String(port), '--data-dir', dataDir, '--no-replay']);
    const { code } = await cli.exited;

    expect(code).not.toBe(0);
    expect(cli.output()).toMatch(new RegExp(`port ${port} .*already in use`));
    expect(cli.output()).not.toMatch(/PostgreSQL on/);
    expect(existsSync(join(dataDir, 'postgres'))).toBe(false);
  });

  it('prints the dashboard URL, keeps runtime.json while it runs, and removes it on Ctrl-C', async () => {
    const cli = runCli('local/main.ts', ['--port', '0', '--data-dir', dataDir, '--no-replay']);
    try {
      await until('the ready line', () => /API: /.test(cli.output()), 90_000);

      const lookup = findRuntime(dataDir);
      expect(lookup.kind).toBe('running');
      const url = /Dashboard: (\S+)/.exec(cli.output())?.[1] ?? '';
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      const page = await fetch(url);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<title>Infected Code pipeline</title>');
      expect(JSON.parse(await readFile(join(dataDir, RUNTIME_FILE), 'utf8'))).toMatchObject({ apiUrl: url });

      // Ctrl-C: the terminal signals the whole process group.
      process.kill(-(cli.child.pid ?? 0), 'SIGINT');
      await cli.exited;

      expect(existsSync(join(dataDir, RUNTIME_FILE))).toBe(false);
    } finally {
      if (cli.child.exitCode === null) process.kill(-(cli.child.pid ?? 0), 'SIGKILL');
    }
  }, 120_000);

  it('prints one notice about the Node.js version and none of the AWS SDK warnings', async () => {
    const cli = runCli('local/main.ts', ['--port', '0', '--data-dir', dataDir, '--limit', '500']);
    try {
      await until('the ready line', () => /API: /.test(cli.output()), 90_000);
    } finally {
      process.kill(-(cli.child.pid ?? 0), 'SIGINT');
      await cli.exited;
    }

    expect(cli.output()).not.toMatch(/NodeVersionSupportWarning/);
    const notices = cli.output().match(/past its end of life/g) ?? [];
    expect(notices).toHaveLength(Number(process.versions.node.split('.')[0]) < 22 ? 1 : 0);
  }, 120_000);
});
