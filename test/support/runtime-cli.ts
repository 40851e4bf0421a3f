/**
 * `npm start` driven from a test: started on a data dir of its own, its parts found through
 * runtime.json, its progress read from its API, and what must be true once it has stopped: no
 * runtime.json, no process of its left, no PostgreSQL on its cluster.
 */
import { existsSync } from 'node:fs';
import { chmod, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { PartPids } from '../../local/local-cloud.js';
import { clusterDirFor } from '../../local/postgres/index.js';
import { findRuntime, RUNTIME_FILE, type RuntimeFile } from '../../local/runtime-file.js';
import {
  type CliRun,
  liveProcessesNaming,
  processNameOf,
  runCli,
  stillRunning,
  until,
} from './cli-process.js';

/** The name each part goes by in the console. */
export const PART_NAMES: Readonly<Record<keyof PartPids, string>> = {
  kinesis: 'Kinesis server',
  s3: 'S3 emulator',
  database: 'database service',
  postgres: 'PostgreSQL',
};

/** A fresh folder (reachable by the postgres user when the tests run as root). */
export async function freshDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  await chmod(dir, 0o755);
  return dir;
}

/** Runs `npm start` on `dataDir` with a free API port and the given flags. */
export function startRuntimeCli(dataDir: string, flags: string[]): CliRun {
  return runCli('local/main.ts', ['--port', '0', '--data-dir', dataDir, ...flags]);
}

/** The running runtime's file (it is written before the "Dashboard:" line). */
export function runtimeFileOf(dataDir: string): RuntimeFile & { parts: PartPids } {
  const lookup = findRuntime(dataDir);
  if (lookup.kind !== 'running' || !lookup.runtime.parts) throw new Error(`no running runtime in ${dataDir}`);
  return { ...lookup.runtime, parts: lookup.runtime.parts };
}

/** The commits the API counts now (0 while it cannot answer). */
export async function storedCommits(apiUrl: string): Promise<number> {
  try {
    const response = await fetch(new URL('stats/summary', apiUrl));
    return response.ok ? ((await response.json()) as { commits: number }).commits : 0;
  } catch {
    return 0;
  }
}

/** Resolves once the runtime has stored some commits, but not yet `total`. */
export async function untilSomeStored(dataDir: string, total: number): Promise<number> {
  const { apiUrl } = runtimeFileOf(dataDir);
  let stored = 0;
  await until(
    'the first commits stored',
    async () => {
      stored = await storedCommits(apiUrl);
      return stored > 0;
    },
    120_000,
  );
  expect(stored).toBeLessThan(total);
  return stored;
}

/** The PostgreSQL cluster of a runtime's data dir. */
export function clusterOf(dataDir: string): string {
  return clusterDirFor(join(dataDir, 'postgres'));
}

/** How long esbuild's service may outlive the CLI (it ends on its own once its stdin closes). */
const ESBUILD_SERVICE_EXIT_MS = 3_000;

/**
 * After the runtime ended: no runtime.json, no process it started, none naming its cluster (PostgreSQL).
 *
 * @param graceMs - how long the parts may take to wind down by themselves (after a forced exit)
 */
export async function expectNothingLeft(cli: CliRun, dataDir: string, graceMs = 0): Promise<void> {
  await cli.exited;
  const cluster = clusterOf(dataDir);
  const left = () => [...new Set([...stillRunning(cli.descendants()), ...liveProcessesNaming(cluster)])];
  if (graceMs > 0) await until('the parts to wind down', () => left().length === 0, graceMs).catch(() => {});
  // esbuild's service (the TypeScript loader's, the functions' builder's) ends when it reads the end of
  // its stdin, which the CLI's exit closes: a moment after the CLI, longer on a busy machine (its Go
  // runtime winding down, its command line already empty: it is told by name). It must still end.
  const esbuildService = (pid: number) => processNameOf(pid) === 'esbuild';
  await until("esbuild's service to end", () => !left().some(esbuildService), ESBUILD_SERVICE_EXIT_MS).catch(
    () => {},
  );
  expect(left(), `processes left running:\n${cli.output()}`).toEqual([]);
  expect(existsSync(join(dataDir, RUNTIME_FILE)), 'runtime.json').toBe(false);
}
