import { createServer } from 'node:net';

/**
 * Asks the kernel for a currently free TCP port on the loopback interface.
 *
 * The port is released before this resolves, so another process could take it in between; that
 * window is short enough for local runtimes and tests.
 *
 * @returns a port number that was free a moment ago
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0 }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('could not determine a free port'))));
    });
  });
}
