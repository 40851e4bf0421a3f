/**
 * What the runtime's HTTP fronts (the API front, the Invoke API) share: a server on loopback that
 * closes promptly, and a bounded read of a request body.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LocalHttpServer {
  /** The port it listens on (the one asked for, or the free one picked for 0). */
  port: number;
  close(): Promise<void>;
}

/**
 * @param handle - serves one request
 * @param onFailure - answers a request whose `handle` rejected, before anything was written
 * @param port - 0 picks a free port
 * @param host - the address to listen on
 */
export async function startHttpServer(
  handle: (request: IncomingMessage, response: ServerResponse) => Promise<void>,
  onFailure: (response: ServerResponse, error: unknown) => void,
  port: number,
  host: string,
): Promise<LocalHttpServer> {
  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (response.headersSent) response.destroy();
      else onFailure(response, error);
    });
  });
  // Keep-alive sockets would hold `close()` open until they time out.
  server.keepAliveTimeout = 1_000;
  await listen(server, port, host);
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

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
