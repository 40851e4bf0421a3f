/**
 * What the runtime's HTTP fronts (the API front, the Invoke API) share: listening on loopback, reading a
 * bounded request body.
 */
import type { IncomingMessage, Server } from 'node:http';

/**
 * The request body as text, or undefined once it exceeds `maxBytes` (the rest is not read).
 *
 * @param request - the incoming request
 * @param maxBytes - the most bytes accepted
 */
export async function readBody(request: IncomingMessage, maxBytes: number): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Resolves once the server listens, rejects when the port cannot be taken. */
export function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}
