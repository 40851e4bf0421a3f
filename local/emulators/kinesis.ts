/**
 * The Kinesis emulator of the local runtime: the project's own in-memory Kinesis server
 * (`local/kinesis-server/`) in a child process on loopback.
 *
 * Chosen by measurement (`bench/kinesis-emulators.ts`, docs/local-runtime.md): kinesalite caps the
 * pipeline at ~7.5k records/s (PutRecords ~12–19k/s, GetRecords ~20–37k/s) and kinesis-mock slows down
 * as shards fill; this server sustains ~150k records/s each way through the official SDK.
 */
import { fileURLToPath } from 'node:url';
import { type ChildService, startChildService } from './child-service.js';

export interface KinesisEmulator extends ChildService<{ port: number }> {
  endpoint: string;
}

/** The emulators that can serve the runtime; kinesalite stays for conformance tests and benchmarks. */
const ENTRIES = {
  'kinesis-server': fileURLToPath(new URL('../kinesis-server/child.ts', import.meta.url)),
  kinesalite: fileURLToPath(new URL('./kinesalite-child.ts', import.meta.url)),
} as const;

export type KinesisEngine = keyof typeof ENTRIES;

/**
 * @param port - 0 picks a free port
 * @param engine - which emulator to run (default: the project's own server)
 * @param signal - aborts the start-up
 */
export async function startKinesisEmulator(
  port = 0,
  engine: KinesisEngine = 'kinesis-server',
  signal?: AbortSignal,
): Promise<KinesisEmulator> {
  const service = await startChildService<{ port: number }>(ENTRIES[engine], [String(port)], { signal });
  return { ...service, endpoint: `http://127.0.0.1:${service.info.port}` };
}
