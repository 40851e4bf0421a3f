/**
 * The local database service: embedded PostgreSQL plus the Data API server in front of it.
 *
 * Composition root shared by `serve-database.ts` (CLI, host-mode LocalStack, containers) and the
 * embedded runtime, so they all start the database the same way. The superuser stays here: it
 * prepares the owner and reader roles, and the Data API server logs in only as those.
 */
import { settings } from '../functions/shared/settings.js';
import { pipelineSecrets, preparePipelineDatabase, preparePipelineRoles } from './data-api/database-roles.js';
import type { DataApiCaps } from './data-api/limits.js';
import { localArns } from './data-api/local-arns.js';
import { startDataApiServer } from './data-api/server.js';
import type { ProcessDeath } from './emulators/child-service.js';
import { startEmbeddedPostgres } from './postgres/index.js';
import { describeExit } from './process-alive.js';

/** Options of `startLocalDatabase`. */
export interface LocalDatabaseOptions {
  /** PostgreSQL data directory; kept across runs. */
  readonly dataDir: string;
  /** Data API interface. @default '127.0.0.1' */
  readonly host?: string;
  /** Data API port; `0` or absent picks a free one. */
  readonly port?: number;
  /** PostgreSQL port on 127.0.0.1; `0` or absent picks a free one. */
  readonly pgPort?: number;
  /** Database to create if missing. @default settings.database.name */
  readonly database?: string;
  /** The Data API server's pool size, transaction caps and idle timeout. @default DEFAULT_CAPS */
  readonly caps?: Partial<DataApiCaps>;
  /** PostgreSQL's `synchronous_commit`. @default settings.localRuntime.durableCommits */
  readonly durableCommits?: boolean;
  /** PostgreSQL settings beside the embedded cluster's own, e.g. `{ log_lock_waits: 'on' }`. */
  readonly serverSettings?: Readonly<Record<string, string>>;
  /** Where PostgreSQL's log is appended. */
  readonly logFile?: string;
  /** Aborting it during start-up stops what was started. */
  readonly signal?: AbortSignal;
  /** Called with the postmaster's pid as soon as it exists, before the service is ready. */
  readonly onPostmaster?: (pid: number) => void;
}

/** What callers need to reach the local database through the Data API. */
export interface LocalDatabase {
  readonly dataApiUrl: string;
  readonly resourceArn: string;
  /** The owner's secret: the processor and the migrations. */
  readonly secretArn: string;
  /** The reader's secret: the api function. */
  readonly readerSecretArn: string;
  readonly database: string;
  /** PostgreSQL's port on 127.0.0.1, for diagnostics. */
  readonly pgPort: number;
  /** The postmaster's pid. */
  readonly postmasterPid: number;
  /** Resolves if PostgreSQL ends while the service runs (it was killed, or crashed). */
  readonly ended: Promise<ProcessDeath>;
  /** Stops the Data API server, then PostgreSQL. */
  close(): Promise<void>;
}

/**
 * Starts PostgreSQL from `dataDir`, prepares the owner and reader roles and the pipeline database
 * (created if missing, its ownership mended if an older run left it to the superuser) and serves
 * the Data API over it. ARNs come from `localArns()` (overridable by environment).
 *
 * @param options - data directory, ports and caps
 */
export async function startLocalDatabase(options: LocalDatabaseOptions): Promise<LocalDatabase> {
  const database = options.database ?? settings.database.name;
  const postgres = await startEmbeddedPostgres({
    dataDir: options.dataDir,
    port: options.pgPort,
    durableCommits: options.durableCommits,
    serverSettings: options.serverSettings,
    logFile: options.logFile,
    signal: options.signal,
    onPostmaster: options.onPostmaster,
  });
  let closing = false;
  try {
    const roles = await preparePipelineRoles(postgres);
    await preparePipelineDatabase(postgres, database);
    options.signal?.throwIfAborted();
    const arns = localArns();
    const api = await startDataApiServer({
      host: options.host,
      port: options.port,
      postgres: { host: postgres.host, port: postgres.port },
      resourceArn: arns.resourceArn,
      secrets: pipelineSecrets(arns, roles),
      caps: options.caps,
    });
    // A postmaster that ends while nobody asked it to: a death the caller must hear of.
    const ended = postgres.exited.then((status) =>
      closing
        ? new Promise<never>(() => undefined)
        : { part: 'PostgreSQL', pid: postgres.pid, how: describeExit(status) },
    );
    return {
      dataApiUrl: api.url,
      ...arns,
      database,
      pgPort: postgres.port,
      postmasterPid: postgres.pid,
      ended,
      close: async () => {
        closing = true;
        try {
          await api.close();
        } finally {
          await postgres.stop();
        }
      },
    };
  } catch (error) {
    await postgres.stop();
    throw error;
  }
}
