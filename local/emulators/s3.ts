/**
 * The S3 emulator of the local runtime: s3rver in a child process on loopback, storing objects under
 * the data dir so the archive persists across runs (and across a restart of the emulator). Clients must
 * use path-style addressing.
 */
import { fileURLToPath } from 'node:url';
import { type ChildService, startChildService } from './child-service.js';

export interface S3Emulator extends ChildService<{ port: number }> {
  endpoint: string;
}

const entry = fileURLToPath(new URL('./s3-child.ts', import.meta.url));

/**
 * @param directory - where objects are kept
 * @param port - 0 picks a free port
 * @param signal - aborts the start-up
 */
export async function startS3Emulator(
  directory: string,
  port = 0,
  signal?: AbortSignal,
): Promise<S3Emulator> {
  const service = await startChildService<{ port: number }>(entry, [directory, String(port)], { signal });
  return { ...service, endpoint: `http://127.0.0.1:${service.info.port}` };
}
