/**
 * CLI: embedded PostgreSQL behind the local Data API server.
 *
 *   tsx local/serve-database.ts --data-dir <dir> --port <dataApiPort> [--host 127.0.0.1] [--pg-port <n>]
 *                               [--no-durable-commits] [--log-file <file>] [--setting <name>=<value> …]
 *
 * Prints one JSON line `{"dataApiUrl", "resourceArn", "secretArn", "readerSecretArn", "database",
 * "pgPort"}` on stdout when ready and shuts both servers down on SIGINT, SIGTERM or SIGHUP. Forked by
 * the embedded runtime, it speaks over IPC instead (`emulators/child-service.ts`): it reports the
 * postmaster's pid as soon as it exists, so that the runtime can end it should this process be killed,
 * and it exits, saying why, when PostgreSQL dies, so that the runtime starts both again. PostgreSQL
 * shares this process's group: a SIGKILL of the whole group (a terminal's, a service manager's) ends it
 * too, instead of leaving it to hold the data directory. The Data API
 * server's caps come from `DATA_API_*` variables (`capsFromEnv`). `--log-file` appends PostgreSQL's log to
 * a file, `--setting` passes a server setting (repeatable). Set NODE_DEBUG=data-api,local-postgres for
 * logs on stderr.
 */
import { parseArgs } from 'node:util';
import { settings } from '../functions/shared/settings.js';
import { capsFromEnv } from './data-api/limits.js';
import { runChildService } from './emulators/child-service.js';
import { startLocalDatabase } from './local-database.js';

const USAGE =
  'usage: tsx local/serve-database.ts --data-dir <dir> --port <dataApiPort> [--host 127.0.0.1] [--pg-port <n>] [--no-durable-commits] [--log-file <file>] [--setting <name>=<value> …]';

/** What the database service reports once ready. */
export interface DatabaseServiceInfo {
  dataApiUrl: string;
  resourceArn: string;
  /** The owner's secret (processor, migrations). */
  secretArn: string;
  /** The reader's secret (api). */
  readerSecretArn: string;
  database: string;
  pgPort: number;
}

/** What the database service reports while it runs. */
export interface DatabaseServiceStatus {
  postmasterPid: number;
}

function parsePort(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new Error(`${flag} must be a port number`);
  return port;
}

/** `name=value` pairs of `--setting`, as PostgreSQL settings. */
function parseSettings(pairs: readonly string[]): Record<string, string> {
  return Object.fromEntries(
    pairs.map((pair) => {
      const match = /^([a-z_.]+)=(.*)$/.exec(pair);
      if (!match) throw new Error(`--setting must be <name>=<value>, not ${pair}\n${USAGE}`);
      return [match[1], match[2]];
    }),
  );
}

runChildService<DatabaseServiceInfo, DatabaseServiceStatus>(
  async (signal, report) => {
    const { values } = parseArgs({
      allowNegative: true,
      options: {
        'data-dir': { type: 'string' },
        port: { type: 'string' },
        host: { type: 'string', default: '127.0.0.1' },
        'pg-port': { type: 'string' },
        'durable-commits': { type: 'boolean', default: settings.localRuntime.durableCommits },
        'log-file': { type: 'string' },
        setting: { type: 'string', multiple: true, default: [] },
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
      durableCommits: values['durable-commits'],
      serverSettings: parseSettings(values.setting),
      logFile: values['log-file'],
      signal,
      onPostmaster: (postmasterPid) => report({ postmasterPid }),
    });
    const { dataApiUrl, resourceArn, secretArn, readerSecretArn, pgPort } = database;
    return {
      info: { dataApiUrl, resourceArn, secretArn, readerSecretArn, database: database.database, pgPort },
      stop: () => database.close(),
      ended: database.ended,
    };
  },
  (info) => process.stdout.write(`${JSON.stringify(info)}\n`),
);
