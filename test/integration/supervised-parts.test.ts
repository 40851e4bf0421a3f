/**
 * The supervised local cloud under `npm start`, as a hostile user meets it: each part (the Kinesis
 * server, the S3 emulator, the database service, PostgreSQL's postmaster) is SIGKILLed in the middle
 * of a replay, and the end state is checked against the independent expectation: every commit counted
 * once, every arrival of an accepted record in raw/ once, nothing counted that is in the rejects or the dead letters,
 * and nothing left running once the runtime stopped. A part that keeps dying stops the runtime loudly.
 */
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { settings } from '../../functions/shared/settings.js';
import { replayThroughProducer } from '../../local/cli/replay-file.js';
import type { PartPids } from '../../local/local-cloud.js';
import { isProcessAlive } from '../../local/process-alive.js';
import { RawArchiveReader } from '../support/archive-reader.js';
import { type CliRun, until } from '../support/cli-process.js';
import { expectExactEndState } from '../support/end-state.js';
import {
  expectNothingLeft,
  freshDir,
  PART_NAMES,
  runtimeFileOf,
  startRuntimeCli,
  untilSomeStored,
} from '../support/runtime-cli.js';
import { expectScenarioAggregates, sampleScenario } from '../support/scenario.js';
import { startTestRuntime } from '../support/test-runtime.js';

/** ~5,800 commits; without aggregation, ~90 batches: the processor works for seconds after the first. */
const AUTHORS = Array.from({ length: 30 }, (_, i) => `person_${i + 1}`);

let dir: string;
let cli: CliRun | undefined;

afterEach(async () => {
  cli?.killAll();
  cli = undefined;
  await rm(dir, { recursive: true, force: true });
});

describe('a part SIGKILLed in the middle of a replay', () => {
  it.each<keyof PartPids>(['s3', 'database', 'postgres', 'kinesis'])(
    '%s: is named, comes back on its ports, and every commit is counted once, each arrival archived once',
    async (part) => {
      dir = await freshDir(`crash-${part}-`);
      const dataDir = join(dir, 'data');
      const scenario = sampleScenario(`crash-${part}`, AUTHORS, dir);
      cli = startRuntimeCli(dataDir, ['--csv', scenario.csvPath, '--no-aggregation']);
      await cli.waitFor(/Dashboard: /);
      const before = runtimeFileOf(dataDir);
      await untilSomeStored(dataDir, scenario.records.length);

      const victim = before.parts[part];
      process.kill(victim, 'SIGKILL');
      const name = PART_NAMES[part];
      await cli.waitFor(new RegExp(`${name} \\(pid ${victim}\\) was killed by SIGKILL`));
      await cli.waitFor(new RegExp(`${name} is back after \\d+\\.\\d s`));
      await cli.waitFor(/processor: \d+ records stored/, 240_000);

      const after = runtimeFileOf(dataDir);
      // The same endpoints: what the functions were given stays valid.
      expect(after.env).toEqual(before.env);
      expect(after.parts[part]).not.toBe(victim);
      // The postmaster of a killed database service was ended, not left holding the data dir.
      if (part === 'database') expect(isProcessAlive(before.parts.postgres)).toBe(false);
      await expectExactEndState(dataDir, scenario, cli.output(), dir);

      cli.signalGroup('SIGINT');
      expect((await cli.exited).code).toBe(0);
      await expectNothingLeft(cli, dataDir);
    },
    300_000,
  );
});

describe('while a part is restarting', () => {
  it('the mapping holds its deliveries: a retry budget shorter than the restart sends nothing to the dead letters', async () => {
    dir = await freshDir('crash-held-');
    const scenario = sampleScenario('held', AUTHORS.slice(0, 10), dir);
    // One retry, 10 ms apart: without the hold, a batch in flight when the archive dies is dead-lettered.
    const runtime = await startTestRuntime({ mapping: { maxRetryAttempts: 1, retryBackoffMs: 10 } });
    try {
      await replayThroughProducer(runtime.environments, scenario.csvPath, { aggregate: false });
      await until('the first batches stored', () => runtime.mapping.snapshot().delivered > 0, 60_000);
      process.kill(runtime.parts().s3, 'SIGKILL');
      await runtime.waitUntilProcessed({ timeoutMs: 120_000 });

      expect(runtime.mapping.snapshot().failed).toBe(0);
      expect(existsSync(runtime.deadLetterPath)).toBe(false);
      await expectScenarioAggregates(runtime, scenario);
      const archived = (await new RawArchiveReader(runtime.s3, runtime.bucketName).read()).commitIds;
      expect(archived.sort()).toEqual(scenario.records.map((record) => record.commitId).sort());
    } finally {
      await runtime.stop();
    }
  }, 180_000);
});

describe('a part that keeps dying', () => {
  it('stops the runtime with exit code 1 and a message that names it and says what to do', async () => {
    dir = await freshDir('crash-loop-');
    const dataDir = join(dir, 'data');
    cli = startRuntimeCli(dataDir, ['--no-replay']);
    await cli.waitFor(/API: /);
    const { maxRestarts, windowSeconds } = settings.localRuntime.supervision;

    // Kill the S3 emulator each time it comes back, until the runtime gives up on it.
    const killed = new Set<number>();
    const running = cli;
    for (;;) {
      const pid = safeParts(dataDir)?.s3;
      if (pid === undefined || running.child.exitCode !== null) break;
      if (!killed.has(pid)) {
        killed.add(pid);
        process.kill(pid, 'SIGKILL');
      }
      await until(
        'a new S3 emulator, or the end of the runtime',
        () => running.child.exitCode !== null || safeParts(dataDir)?.s3 !== pid,
        60_000,
      );
    }

    expect((await cli.exited).code).toBe(1);
    expect(killed.size).toBe(maxRestarts + 1);
    expect(cli.output()).toMatch(
      new RegExp(
        `S3 emulator cannot come back: it ended ${maxRestarts + 1} times within ${windowSeconds} s ` +
          '\\(the last time: was killed by SIGKILL\\)\\. The runtime stops; fix that and start it again',
      ),
    );
    await expectNothingLeft(cli, dataDir);
  }, 180_000);
});

/** The parts' pids, or undefined once the runtime is gone. */
function safeParts(dataDir: string): PartPids | undefined {
  try {
    return runtimeFileOf(dataDir).parts;
  } catch {
    return undefined;
  }
}
