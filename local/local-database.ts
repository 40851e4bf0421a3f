/**
 * The local database service: embedded PostgreSQL plus the Data API server in front of it.
 *
 * Composition root shared by `serve-database.ts` (CLI, host-mode LocalStack, containers) and the
 * embedded runtime, so they all start the database the same way.
 */
import { settings } from '../functions/shared/settings.js';
import { localArns } from './data-api/local-arns.js';
import { startDataApiServer } from './data-api/server.js';
import { createDatabaseIfMissing, type EmbeddedPostgresHandle, startEmbeddedPostgres } from './postgres.js';

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
}

/** What callers need to reach the local database through the Data API. */
export interface LocalDatabase {
  readonly dataApiUrl: string;
  readonly resourceArn: string;
  readonly secretArn: string;
  readonly database: string;
  readonly postgres: Omit<EmbeddedPostgresHandle, 'stop'>;
  /** Stops the Data API server, then PostgreSQL. */
  close(): Promise<void>;
}

/**
 * Starts PostgreSQL from `dataDir`, creates the pipeline database if missing and serves the Data
 * API over it. ARNs come from `localArns()` (overridable by environment).
 *
 * @param options - data directory and ports
 */
export async function startLocalDatabase(options: LocalDatabaseOptions): Promise<LocalDatabase> {
  const database = options.database ?? settings.database.name;
  const postgres = await startEmbeddedPostgres({ dataDir: options.dataDir, port: options.pgPort });
  try {
    await createDatabaseIfMissing(postgres, database);
    const arns = localArns();
    const api = await startDataApiServer({ host: options.host, port: options.port, postgres, ...arns });
    const { stop: _stop, ...connection } = postgres;
    return {
      dataApiUrl: api.url,
      ...arns,
      database,
      postgres: connection,
      close: async () => {
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
