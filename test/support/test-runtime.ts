/**
 * Starts the embedded local runtime for an integration suite: real PostgreSQL, Data API server,
 * Kinesis and S3 emulators on free loopback ports, in a fresh temporary data dir.
 */
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ProducerResult } from '../../functions/producer/handler.js';
import type { ReplayRequest } from '../../functions/producer/replay-request.js';
import { replayThroughProducer } from '../../local/cli/replay-file.js';
import { type LocalRuntime, type LocalRuntimeOptions, startLocalRuntime } from '../../local/runtime.js';

export interface TestRuntime extends LocalRuntime {
  dataDir: string;
  /**
   * Replays a CSV as `npm start` does (an invocation of the producer on the file; its rejects under
   * `rejected/` of the local bucket) and waits until the processor has caught up.
   */
  replay(csvPath: string, options?: ReplayRequest): Promise<ProducerResult>;
  /** GETs an API path (without leading slash) and returns status and parsed JSON. */
  get<T = unknown>(path: string): Promise<{ status: number; body: T }>;
  /** Stops this runtime and starts another on the same data dir (stream, checkpoints, database, archive). */
  restart(options?: TestRuntimeOptions): Promise<TestRuntime>;
}

/** What a suite may change of the runtime: small batches, a processor pointed at a fault proxy, … */
export type TestRuntimeOptions = Pick<
  LocalRuntimeOptions,
  | 'mapping'
  | 'processorEnv'
  | 'processorTimeoutSeconds'
  | 'producerTimeoutSeconds'
  | 'functionsDir'
  | 'onReload'
  | 'onEnvironment'
  | 'chaos'
>;

/**
 * @param options - what the suite changes of the runtime
 * @param dataDir - the data dir of a runtime stopped before (default: a new temporary one)
 */
async function newDataDir(): Promise<string> {
  // Under the system temp dir: when run as root, the embedded PostgreSQL runs as another user that
  // must be able to reach its data directory.
  const dataDir = await mkdtemp(join(tmpdir(), 'infected-code-test-'));
  await chmod(dataDir, 0o755);
  return dataDir;
}

export async function startTestRuntime(
  options: TestRuntimeOptions = {},
  dataDir?: string,
): Promise<TestRuntime> {
  const runtimeDir = dataDir ?? (await newDataDir());
  const runtime = await startLocalRuntime({ dataDir: runtimeDir, apiPort: 0, ...options });
  return {
    ...runtime,
    dataDir: runtimeDir,
    async replay(csvPath, options = {}) {
      const result = await replayThroughProducer(runtime.environments, csvPath, options);
      await runtime.waitUntilProcessed({ timeoutMs: 120_000 });
      return result;
    },
    async get<T>(path: string) {
      const response = await fetch(new URL(path, runtime.apiUrl));
      return { status: response.status, body: (await response.json()) as T };
    },
    async restart(next = {}) {
      await runtime.stop();
      return startTestRuntime(next, runtimeDir);
    },
    async stop() {
      await runtime.stop();
      await rm(runtimeDir, { recursive: true, force: true });
    },
  };
}
