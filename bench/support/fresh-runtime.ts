/**
 * A runtime of its own for one measured run: a new data dir in the temp folder (so the stream is created
 * with the shard count asked for, and nothing of an earlier run is counted), removed afterwards.
 */
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type LocalRuntime, type LocalRuntimeOptions, startLocalRuntime } from '../../local/runtime.js';

/** A started runtime, where it keeps its state, and how long it took to start. */
export interface FreshRuntime {
  runtime: LocalRuntime;
  dataDir: string;
  /** Beside the data dir: the replays' reject lists. */
  workDir: string;
  startupS: number;
}

/** What a run may choose of the runtime; the data dir and the API port are the bench's. */
export type FreshRuntimeOptions = Omit<LocalRuntimeOptions, 'dataDir' | 'apiPort'>;

/**
 * Starts a runtime on a new data dir, hands it to `use`, then stops it and removes the data dir,
 * whether `use` succeeded or not.
 *
 * @param options - shard count, parallelization factor, PostgreSQL settings, …
 * @param use - the measurement
 */
export async function withFreshRuntime<T>(
  options: FreshRuntimeOptions,
  use: (fresh: FreshRuntime) => Promise<T>,
): Promise<T> {
  const workDir = await mkdtemp(join(tmpdir(), 'bench-runtime-'));
  // PostgreSQL runs as its own user when the bench runs as root: it must be able to reach the data dir.
  await chmod(workDir, 0o755);
  const dataDir = join(workDir, 'data');
  try {
    const started = performance.now();
    const runtime = await startLocalRuntime({ ...options, dataDir, apiPort: 0 });
    const startupS = (performance.now() - started) / 1000;
    try {
      return await use({ runtime, dataDir, workDir, startupS });
    } finally {
      await runtime.stop();
    }
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}
