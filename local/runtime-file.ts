/**
 * While `npm start` runs, its endpoints and resource names are written to `<data-dir>/runtime.json`
 * so that other tools (`npm run replay`) can find the embedded runtime. The file names the process
 * that wrote it: a file left behind by a runtime that was killed is recognised as stale.
 */
import { readFileSync, rmSync } from 'node:fs';
import { rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { PartPids } from './local-cloud.js';
import { isProcessAlive } from './process-alive.js';

export const RUNTIME_FILE = 'runtime.json';

export interface RuntimeFile {
  /** The process of `npm start` that serves these endpoints. */
  pid: number;
  apiUrl: string;
  /** The environment the SDK and the handlers need to reach the runtime's emulators. */
  env: Readonly<Record<string, string>>;
  /** The pid of each part of the local cloud, rewritten when one is restarted. */
  parts?: PartPids;
}

/** What is known about the runtime of a data dir. */
export type RuntimeLookup =
  | { kind: 'running'; runtime: RuntimeFile; file: string }
  | { kind: 'missing'; file: string }
  | { kind: 'stale'; runtime: RuntimeFile; file: string };

export const runtimeFilePath = (dataDir: string): string => join(dataDir, RUNTIME_FILE);

/** Writes the file whole or not at all (beside it, then renamed over), so a reader never sees half. */
export async function writeRuntimeFile(dataDir: string, runtime: RuntimeFile): Promise<void> {
  const path = runtimeFilePath(dataDir);
  await writeFile(`${path}.new`, `${JSON.stringify(runtime, null, 2)}\n`);
  await rename(`${path}.new`, path);
}

export async function removeRuntimeFile(dataDir: string): Promise<void> {
  await rm(runtimeFilePath(dataDir), { force: true });
}

/** Synchronous removal, for `process.on('exit')` where nothing asynchronous runs any more. */
export function removeRuntimeFileNow(dataDir: string): void {
  rmSync(runtimeFilePath(dataDir), { force: true });
}

/**
 * Reads the runtime file of a data dir and checks that the process that wrote it is still alive.
 *
 * @param dataDir - the folder `npm start` was given with `--data-dir`
 */
export function findRuntime(dataDir: string): RuntimeLookup {
  const file = runtimeFilePath(dataDir);
  let runtime: RuntimeFile;
  try {
    runtime = JSON.parse(readFileSync(file, 'utf8')) as RuntimeFile;
  } catch {
    return { kind: 'missing', file };
  }
  if (typeof runtime.pid !== 'number' || typeof runtime.env !== 'object' || !isProcessAlive(runtime.pid)) {
    return { kind: 'stale', runtime, file };
  }
  return { kind: 'running', runtime, file };
}
