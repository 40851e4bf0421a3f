/**
 * CLI: embedded PostgreSQL behind the local Data API server.
 *
 *   tsx local/serve-database.ts --data-dir <dir> --port <dataApiPort> [--host 127.0.0.1] [--pg-port <n>]
 *
 * Prints one JSON line `{"dataApiUrl", "resourceArn", "secretArn", "readerSecretArn", "database"}` on
 * stdout when ready (and sends it over IPC when forked) and shuts both servers down on SIGINT/SIGTERM.
 * The Data API server's caps come from `DATA_API_*` variables (`capsFromEnv`). Set
 * NODE_DEBUG=data-api,local-postgres for logs.
 */
import { parseArgs } from 'node:util';
import { capsFromEnv } from './data-api/limits.js';
import { startLocalDatabase } from './local-database.js';

const USAGE =
  'usage: tsx local/serve-database.ts --data-dir <dir> --port <dataApiPort> [--host 127.0.0.1] [--pg-port <n>]';

function parsePort(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new Error(`${flag} must be a port number`);
  return port;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'data-dir': { type: 'string' },
      port: { type: 'string' },
      host: { type: 'string', default: '127.0.0.1' },
      'pg-port': { type: 'string' },
    },
  });
  const dataDir = values['data-dir'];
  if (!dataDir) throw new Error(`--data-dir is required\n${USAGE}`);

  const database = await startLocalDatabase({
    dataDir,
    host: values.host,
    port: parsePort(values.port, '--port'),
    pgPort: parsePort(values['pg-port'], '--pg-port'),
    caps: capsFromEnv(),
  });
  const { dataApiUrl, resourceArn, secretArn, readerSecretArn } = database;
  const ready = { dataApiUrl, resourceArn, secretArn, readerSecretArn, database: database.database };
  process.stdout.write(`${JSON.stringify(ready)}\n`);

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    database.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(
          `shutdown after ${signal} failed: ${error instanceof Error ? error.message : String(error)}`,
        );
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  // Forked by the embedded runtime: report over IPC too, and never outlive the parent.
  if (process.send) {
    process.send({ ...ready, pgPort: database.pgPort });
    process.on('disconnect', () => stop('SIGTERM'));
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
