/**
 * The Kinesis emulator of the local runtime: the project's own Kinesis server (`local/kinesis-server/`)
 * in a child process on loopback, its streams kept in a data directory when given one.
 *
 * Chosen by measurement (`bench/kinesis-emulators.ts`, docs/local-runtime.md): kinesalite caps the
 * pipeline at ~7.5k records/s (PutRecords ~12–19k/s, GetRecords ~20–37k/s) and kinesis-mock slows down
 * as shards fill; this server sustains ~150k records/s each way through the official SDK.
 */
import { fileURLToPath } from 'node:url';
import { type ChildService, startChildService } from './child-service.js';
import { kinesisChildArgs } from './kinesis-child-args.js';

export interface KinesisEmulator extends ChildService<{ port: number }> {
  endpoint: string;
}

/** The emulators that can serve the runtime; kinesalite stays for conformance tests and benchmarks. */
export const KINESIS_CHILD_ENTRIES = {
  'kinesis-server': fileURLToPath(new URL('../kinesis-server/child.ts', import.meta.url)),
  kinesalite: fileURLToPath(new URL('./kinesalite-child.ts', import.meta.url)),
} as const;

export type KinesisEngine = keyof typeof KINESIS_CHILD_ENTRIES;

export interface KinesisEmulatorOptions {
  /** 0 (default) picks a free port; a restarted emulator is given its predecessor's. */
  port?: number;
  /**
   * Where the streams are kept, so that an emulator started again on it serves the same state
   * (kinesis-server only). Default: none, nothing outlives the process.
   */
  dataDir?: string;
  /** Which emulator to run. Default: the project's own server. */
  engine?: KinesisEngine;
}

/**
 * Starts a Kinesis emulator in a child process.
 *
 * @param options - port, data dir and engine; `signal` aborts the start-up
 * @example
 * const kinesis = await startKinesisEmulator({ port: 0, dataDir: join(dataDir, 'kinesis') });
 */
export async function startKinesisEmulator(
  options: KinesisEmulatorOptions & { signal?: AbortSignal } = {},
): Promise<KinesisEmulator> {
  const { port = 0, dataDir, engine = 'kinesis-server', signal } = options;
  const service = await startChildService<{ port: number }>(
    KINESIS_CHILD_ENTRIES[engine],
    kinesisChildArgs({ port, dataDir }),
    { signal },
  );
  return { ...service, endpoint: `http://127.0.0.1:${service.info.port}` };
}
