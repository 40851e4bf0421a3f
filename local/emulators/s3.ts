/**
 * The S3 emulator of the local runtime: s3rver on loopback, storing objects under the data dir so
 * the archive persists across runs. Clients must use path-style addressing.
 */
import S3rver from 's3rver';

export interface S3Emulator {
  endpoint: string;
  stop(): Promise<void>;
}

/**
 * @param directory - where objects are kept
 * @param port - 0 picks a free port
 */
export async function startS3Emulator(directory: string, port = 0): Promise<S3Emulator> {
  const server = new S3rver({ address: '127.0.0.1', port, directory, silent: true, vhostBuckets: false });
  const address = await server.run();
  return { endpoint: `http://127.0.0.1:${address.port}`, stop: () => server.close() };
}
