/**
 * One `pg.Pool` per database, created on first use, with the session settings Aurora's Data API
 * runs under and parsers that leave every value as PostgreSQL's text.
 */
import { debuglog } from 'node:util';
import pg from 'pg';
import { DATA_API_LIMITS } from './limits.js';
import { TypeCatalog } from './type-catalog.js';

const log = debuglog('data-api');

/** Where PostgreSQL listens and who to log in as. */
export interface PostgresConnection {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
}

/** A database's pool and its type cache. */
export interface DatabaseHandle {
  readonly name: string;
  readonly pool: pg.Pool;
  readonly types: TypeCatalog;
}

/** Every value stays text; `result-mapping.ts` decides what it becomes (no local-time Dates). */
const RAW_TEXT: pg.CustomTypesConfig = {
  getTypeParser: (() => (value: string) => value) as unknown as pg.CustomTypesConfig['getTypeParser'],
};

/**
 * Session defaults: UTC and ISO output like Aurora, hex bytea for `decodeByteaHex`, and the
 * Data API's 45-second statement timeout.
 */
const SESSION_OPTIONS = [
  '-c TimeZone=UTC',
  '-c DateStyle=ISO,MDY',
  '-c IntervalStyle=postgres',
  '-c bytea_output=hex',
  '-c extra_float_digits=1',
  `-c statement_timeout=${DATA_API_LIMITS.statementTimeoutMs}`,
].join(' ');

/** Lazily created pools, one per database name. */
export class DatabasePools {
  private readonly handles = new Map<string, DatabaseHandle>();

  /**
   * @param connection - PostgreSQL address and credentials
   * @param defaultDatabase - used when a request names no database
   */
  constructor(
    private readonly connection: PostgresConnection,
    private readonly defaultDatabase: string,
  ) {}

  /**
   * The handle of `database`, creating its pool on first use.
   *
   * @param database - the request's `database`, or `undefined` for the default
   */
  get(database: string | undefined): DatabaseHandle {
    const name = database ?? this.defaultDatabase;
    let handle = this.handles.get(name);
    if (!handle) {
      const { host, port, user, password } = this.connection;
      const pool = new pg.Pool({
        host,
        port,
        user,
        password,
        database: name,
        types: RAW_TEXT,
        options: SESSION_OPTIONS,
        application_name: 'local-data-api',
        max: 20,
        idleTimeoutMillis: 10_000,
        connectionTimeoutMillis: 10_000,
        allowExitOnIdle: true,
      });
      // An idle pooled connection that dies (e.g. PostgreSQL restarts) must not crash the server.
      pool.on('error', (error) => log('idle connection to %s failed: %s', name, error.message));
      handle = { name, pool, types: new TypeCatalog() };
      this.handles.set(name, handle);
    }
    return handle;
  }

  /** Ends every pool; idle connections close, checked-out clients must be released first. */
  async end(): Promise<void> {
    const pools = [...this.handles.values()].map((handle) => handle.pool);
    this.handles.clear();
    await Promise.allSettled(pools.map((pool) => pool.end()));
  }
}
