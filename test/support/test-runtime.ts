/**
 * Starts the embedded local runtime for an integration suite: real PostgreSQL, Data API server,
 * Kinesis and S3 emulators on free loopback ports, in a fresh temporary data dir.
 */
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RequestedReplay } from '../../functions/producer/replay-request.js';
import { type ReplayFileResult, replayFile } from '../../local/cli/replay-file.js';
import { type LocalRuntime, type LocalRuntimeOptions, startLocalRuntime } from '../../local/runtime.js';

export interface TestRuntime extends LocalRuntime {
  dataDir: string;
  /** Replays a CSV through the producer (as `npm run replay` does) and waits until the processor has caught up. */
  replay(csvPath: string, options?: Partial<RequestedReplay>): Promise<ReplayFileResult>;
  /** GETs an API path (without leading slash) and returns status and parsed JSON. */
  get<T = unknown>(path: string): Promise<{ status: number; body: T }>;
}

/** What a suite may change of the runtime: small batches, a processor pointed at a fault proxy, … */
export type TestRuntimeOptions = Pick<
  LocalRuntimeOptions,
  'mapping' | 'processorEnv' | 'processorTimeoutSeconds'
>;

export async function startTestRuntime(options: TestRuntimeOptions = {}): Promise<TestRuntime> {
  // Under the system temp dir: when run as root, the embedded PostgreSQL runs as another user that
  // must be able to reach its data directory.
  const dataDir = await mkdtemp(join(tmpdir(), 'infected-code-test-'));
  await chmod(dataDir, 0o755);
  const runtime = await startLocalRuntime({ dataDir, apiPort: 0, ...options });
  return {
    ...runtime,
    dataDir,
    async replay(csvPath, options = {}) {
      const result = await replayFile(csvPath, {
        streamName: runtime.streamName,
        rejectsDir: join(dataDir, 'rejected'),
        ...options,
      });
      await runtime.waitUntilProcessed({ timeoutMs: 120_000 });
      return result;
    },
    async get<T>(path: string) {
      const response = await fetch(new URL(path, runtime.apiUrl));
      return { status: response.status, body: (await response.json()) as T };
    },
    async stop() {
      await runtime.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
