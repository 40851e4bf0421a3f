/**
 * Embedded PostgreSQL as the database service starts it (`local/postgres/`), against the real
 * binaries: where the superuser's password goes while initdb runs, what a leftover of a killed
 * start-up turns into, a data directory held by a live postmaster or named by a stale lock file, and
 * whether commits are durable.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { type FSWatcher, watch } from 'node:fs';
import { mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { clusterOwner } from '../../local/postgres/binaries.js';
import {
  type EmbeddedPostgresHandle,
  postmasterPidOf,
  startEmbeddedPostgres,
} from '../../local/postgres/index.js';
import { processInfo } from '../../local/process-alive.js';
import { freshDir } from '../support/runtime-cli.js';

let dir: string;
const running: EmbeddedPostgresHandle[] = [];
const watchers: FSWatcher[] = [];
const savedTmpdir = process.env.TMPDIR;

afterEach(async () => {
  for (const watcher of watchers.splice(0)) watcher.close();
  for (const postgres of running.splice(0)) await postgres.stop();
  if (savedTmpdir === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = savedTmpdir;
  await rm(dir, { recursive: true, force: true });
});

async function until(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function start(dataDir: string, durableCommits?: boolean): Promise<EmbeddedPostgresHandle> {
  const postgres = await startEmbeddedPostgres({ dataDir, durableCommits });
  running.push(postgres);
  return postgres;
}

/** Every file created in `folder` while watched, with its mode when it was seen. */
function filesCreatedIn(folder: string): Map<string, number | undefined> {
  const seen = new Map<string, number | undefined>();
  watchers.push(
    watch(folder, (_, name) => {
      if (!name || seen.get(name) !== undefined) return;
      seen.set(name, undefined);
      stat(join(folder, name)).then(
        (stats) => seen.set(name, stats.mode & 0o777),
        () => undefined,
      );
    }),
  );
  return seen;
}

async function setting(postgres: EmbeddedPostgresHandle, name: string): Promise<string> {
  const client = new pg.Client({ ...postgres, database: 'postgres' });
  await client.connect();
  try {
    return (await client.query<{ value: string }>(`SELECT current_setting($1) AS value`, [name])).rows[0]
      ?.value as string;
  } finally {
    await client.end();
  }
}

describe('the superuser password while the cluster is created', () => {
  it('is in a 0600 file beside the cluster, in the data dir, never in the temporary folder, and gone once it runs', async () => {
    dir = await freshDir('postgres-password-');
    const temporary = join(dir, 'tmp');
    const dataDir = join(dir, 'data');
    await mkdir(temporary);
    await mkdir(dataDir, { mode: 0o755 });
    // os.tmpdir() reads TMPDIR: a file put in "the temporary folder" would land here.
    process.env.TMPDIR = temporary;
    const inTemporary = filesCreatedIn(temporary);
    const inDataDir = filesCreatedIn(dataDir);

    await start(join(dataDir, 'postgres'));

    expect([...inTemporary.keys()]).toEqual([]);
    const passwordFiles = [...inDataDir].filter(([name]) => name.includes('password'));
    expect(passwordFiles).toEqual([['.postgres.password', 0o600]]);
    expect((await readdir(dataDir)).sort()).toEqual(['postgres']);
  });

  it('is removed with the half-made cluster a killed start-up left, and the cluster is created again', async () => {
    dir = await freshDir('postgres-leftovers-');
    const clusterDir = join(dir, 'postgres');
    await mkdir(`${clusterDir}.initdb`);
    await writeFile(join(`${clusterDir}.initdb`, 'PG_VERSION'), '18\n');
    await writeFile(join(dir, '.postgres.password'), 'local-postgres\n', { mode: 0o600 });

    const postgres = await start(clusterDir);

    expect(await setting(postgres, 'server_version_num')).toMatch(/^18/);
    expect((await readdir(dir)).sort()).toEqual(['postgres']);
  });
});

describe("the data directory's lock file", () => {
  it('held by a live postmaster: the start fails at once, naming its pid, as not retryable', async () => {
    dir = await freshDir('postgres-held-');
    const clusterDir = join(dir, 'postgres');
    const holder = await start(clusterDir);

    const second = startEmbeddedPostgres({ dataDir: clusterDir });

    await expect(second).rejects.toThrow(
      new RegExp(`in use by process ${holder.pid}\\b.*kill ${holder.pid}`),
    );
    await expect(second).rejects.toMatchObject({ name: 'PartUnavailableError', retryable: false });
    expect(await setting(holder, 'port')).toBe(String(holder.port));
  });

  it('left by a postmaster whose pid now belongs to another program: recovered', async () => {
    dir = await freshDir('postgres-stale-');
    const clusterDir = join(dir, 'postgres');
    await (await start(clusterDir)).stop();
    running.length = 0;
    // A SIGKILLed postmaster's file, its pid since given to this test's own process.
    await writeFile(join(clusterDir, 'postmaster.pid'), `${process.pid}\n${clusterDir}\n`);

    const postgres = await start(clusterDir);

    expect(postmasterPidOf(clusterDir)).toBe(postgres.pid);
  });

  it('left by a postmaster that ended but was not reaped yet (a zombie): recovered', async () => {
    dir = await freshDir('postgres-zombie-');
    const clusterDir = join(dir, 'postgres');
    await (await start(clusterDir)).stop();
    running.length = 0;
    // A child that exits under a parent that never waits for it stays a zombie while the parent runs:
    // as a SIGKILLed postmaster does until whoever inherited it reaps it.
    // It runs as the cluster's owner (PostgreSQL does not take another user's process for a postmaster).
    const parent = spawn('sh', ['-c', 'sleep 0 & echo $!; exec sleep 60'], {
      ...(await clusterOwner()),
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    try {
      const zombie = Number((await once(parent.stdout, 'data'))[0]);
      await until(() => processInfo(zombie)?.zombie === true);
      await writeFile(join(clusterDir, 'postmaster.pid'), `${zombie}\n${clusterDir}\n`);

      const postgres = await start(clusterDir);

      expect(postmasterPidOf(clusterDir)).toBe(postgres.pid);
    } finally {
      parent.kill('SIGKILL');
    }
  });

  it('left by a SIGKILLed postmaster: the next start recovers the cluster', async () => {
    dir = await freshDir('postgres-killed-');
    const clusterDir = join(dir, 'postgres');
    const killed = await start(clusterDir);
    running.length = 0;
    process.kill(killed.pid, 'SIGKILL');
    expect((await killed.exited).signal).toBe('SIGKILL');

    // Its backends may still hold the shared memory for a moment: the start waits for them.
    const postgres = await start(clusterDir);

    expect(postmasterPidOf(clusterDir)).toBe(postgres.pid);
  });
});

describe('commits', () => {
  it('are durable by default (synchronous_commit on), and asynchronous when asked', async () => {
    dir = await freshDir('postgres-durable-');
    const durable = await start(join(dir, 'durable'));
    const asynchronous = await start(join(dir, 'asynchronous'), false);

    expect(await setting(durable, 'synchronous_commit')).toBe('on');
    expect(await setting(asynchronous, 'synchronous_commit')).toBe('off');
  });
});
