/**
 * Finds out before anything starts whether the API's port can be had, so that a port in use is
 * reported at once rather than after PostgreSQL and the emulators came up.
 */
import { createServer } from 'node:net';
import { UsageError } from '../../functions/shared/errors.js';

/**
 * @param port - the port `--port` asked for (0 always succeeds)
 * @throws UsageError saying what to do when the port is taken (npm start exits 2)
 */
export function assertPortFree(port: number, host = '127.0.0.1'): Promise<void> {
  if (port === 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new UsageError(
              `port ${port} on ${host} is already in use (another npm start?): stop it, or pass --port <n> (0 picks a free one)`,
            )
          : error,
      ),
    );
    server.listen({ host, port }, () => server.close(() => resolve()));
  });
}
