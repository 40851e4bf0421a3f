/**
 * `npm start` and the signals that end it, whatever it is doing: SIGTERM, SIGINT and SIGHUP during
 * start-up (initdb running, the postmaster starting, the emulators starting) and during a replay each
 * end in the graceful shutdown: exit code 0, no runtime.json, no process of the runtime left, no
 * PostgreSQL on its cluster, no password file. A second signal forces the exit. A SIGTERM sent to npm's
 * own pid, which npm's shell does not pass on, still ends the runtime gracefully.
 */
import { existsSync, readdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type CliRun, postmastersOf, runCli, until } from '../support/cli-process.js';
import {
  clusterOf,
  expectNothingLeft,
  freshDir,
  startRuntimeCli,
  untilSomeStored,
} from '../support/runtime-cli.js';
import { sampleScenario } from '../support/scenario.js';

const AUTHORS = Array.from({ length: 15 }, (_, i) => `person_${i + 1}`);

let dir: string;
let cli: CliRun | undefined;

afterEach(async () => {
  cli?.killAll();
  cli = undefined;
  await rm(dir, { recursive: true, force: true });
});

type Target = 'its pid' | 'its process group';

function send(run: CliRun, signal: NodeJS.Signals, target: Target): void {
  if (target === 'its pid') process.kill(run.pid, signal);
  else run.signalGroup(signal);
}

/** Neither the superuser's password file nor a half-made cluster is left beside the cluster. */
function expectNoInitdbLeftovers(dataDir: string): void {
  const beside = dirname(clusterOf(dataDir));
  const names = existsSync(beside) ? readdirSync(beside) : [];
  expect(names.filter((name) => /password|\.initdb$/.test(name))).toEqual([]);
}

describe('a signal during start-up', () => {
  const moments: Array<[NodeJS.Signals, Target, string, (dataDir: string, run: CliRun) => Promise<void>]> = [
    [
      'SIGTERM',
      'its pid',
      'while initdb creates the cluster',
      async (dataDir) => until('initdb at work', () => existsSync(`${clusterOf(dataDir)}.initdb`), 120_000),
    ],
    [
      'SIGINT',
      'its process group',
      'while the postmaster starts',
      async (dataDir) => until('a postmaster', () => postmastersOf(clusterOf(dataDir)).length > 0, 120_000),
    ],
    [
      'SIGHUP',
      'its process group',
      'while the emulators start',
      async (_, run) => void (await run.waitFor(/PostgreSQL on /)),
    ],
  ];

  it.each(moments)(
    '%s to %s %s: aborts it, stops what started, exits 0',
    async (signal, target, _, moment) => {
      dir = await freshDir('signal-start-');
      const dataDir = join(dir, 'data');
      cli = startRuntimeCli(dataDir, ['--no-replay']);
      await moment(dataDir, cli);

      send(cli, signal, target);

      expect((await cli.exited).code).toBe(0);
      expect(cli.output()).toContain(`${signal}: stopping…`);
      expect(cli.output()).not.toMatch(/Dashboard: /);
      await expectNothingLeft(cli, dataDir);
      expectNoInitdbLeftovers(dataDir);
    },
    180_000,
  );
});

describe('a signal during a replay', () => {
  it.each<[NodeJS.Signals, Target]>([
    ['SIGTERM', 'its pid'],
    ['SIGINT', 'its process group'],
    ['SIGHUP', 'its process group'],
  ])(
    '%s to %s: stops the runtime gracefully, exit 0',
    async (signal, target) => {
      dir = await freshDir('signal-replay-');
      const dataDir = join(dir, 'data');
      const scenario = sampleScenario('signal', AUTHORS, dir);
      cli = startRuntimeCli(dataDir, ['--csv', scenario.csvPath, '--no-aggregation']);
      await cli.waitFor(/Dashboard: /);
      await untilSomeStored(dataDir, scenario.records.length);

      send(cli, signal, target);

      expect((await cli.exited).code).toBe(0);
      expect(cli.output()).toContain(`${signal}: stopping…`);
      // PostgreSQL shares the process group: a Ctrl-C that reaches it is not a death to announce.
      expect(cli.output()).not.toMatch(/restarting it/);
      await expectNothingLeft(cli, dataDir);
    },
    180_000,
  );

  it('a second signal forces the exit, says so, and the parts still wind down by themselves', async () => {
    dir = await freshDir('signal-force-');
    const dataDir = join(dir, 'data');
    const scenario = sampleScenario('force', AUTHORS, dir);
    cli = startRuntimeCli(dataDir, ['--csv', scenario.csvPath, '--no-aggregation']);
    await cli.waitFor(/Dashboard: /);
    await untilSomeStored(dataDir, scenario.records.length);

    process.kill(cli.pid, 'SIGTERM');
    await cli.waitFor(/SIGTERM: stopping…/);
    process.kill(cli.pid, 'SIGTERM');

    expect((await cli.exited).code).toBe(128 + 15);
    expect(cli.output()).toMatch(/SIGTERM again: forcing the exit now/);
    await expectNothingLeft(cli, dataDir, 60_000);
  }, 180_000);
});

describe('npm start', () => {
  it('stops gracefully when npm itself gets SIGTERM (its shell does not pass the signal on)', async () => {
    dir = await freshDir('signal-npm-');
    const dataDir = join(dir, 'data');
    cli = runCli('', ['--port', '0', '--data-dir', dataDir, '--no-replay'], ['npm', 'start', '--']);
    await cli.waitFor(/API: /);

    process.kill(cli.pid, 'SIGTERM');

    // npm exits at once; the runtime, left without its launcher, says why it stops and stops.
    const running = cli;
    await until(
      'the runtime to notice',
      () => /launched this one \(pid \d+\) is gone: stopping…/.test(running.output()),
      30_000,
    );
    await expectNothingLeft(cli, dataDir, 60_000);
    expect(cli.output()).not.toMatch(/failed/);
  }, 180_000);
});
