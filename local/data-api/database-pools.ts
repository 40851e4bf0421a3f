/**
 * One `pg.Pool` per (role, database), created on first use and capped in size, with the session
 * settings Aurora's Data API runs under and parsers that leave every value as PostgreSQL's text.
 */
import { debuglog } from 'node:util';
import pg from 'pg';
import { DATA_API_LIMITS } from './limits.js';
import { TypeCatalog } from './type-catalog.js';

const log = debuglog('data-api');

/** Where PostgreSQL listens. */
export interface PostgresAddress {
  readonly host: string;
  readonly port: number;
}

/** Who to log in as. */
export interface RoleCredentials {
  readonly user: string;
  readonly password: string;
}

/** The pool of one role on one database, and its type cache. */
export interface DatabaseHandle {
  /** Identifies the pool: the role and the database. */
  readonly key: string;
  readonly name: string;
  readonly pool: pg.Pool;
  readonly types: TypeCatalog;
}

/** Every value stays text; `result-mapping.ts` decides what it becomes (no local-time Dates). */
const RAW_TEXT: pg.CustomTypesConfig = {
  getTypeParser: (() => (value: string) => value) as unknown as pg.CustomTypesConfig['getTypeParser'],
};

/**
 * Session defaults: UTC and ISO output like Aurora, hex bytea for `decodeByteaHex`, the Data API's
 * 45-second statement timeout, and PostgreSQL ending a session left idle in a transaction a minute
 * after the server's own idle timeout should have rolled it back (a backstop, never the rule).
 */
function sessionOptions(transactionIdleTimeoutMs: number): string {
  return [
    '-c TimeZone=UTC',
    '-c DateStyle=ISO,MDY',
    '-c IntervalStyle=postgres',
    '-c bytea_output=hex',
    '-c extra_float_digits=1',
    `-c statement_timeout=${DATA_API_LIMITS.statementTimeoutMs}`,
    `-c idle_in_transaction_session_timeout=${transactionIdleTimeoutMs + 60_000}`,
  ].join(' ');
}

/** Pool settings shared by every (role, database). */
export interface PoolSettings {
  /** Connections per pool. */
  readonly maxConnections: number;
  /** The server's transaction idle timeout, for PostgreSQL's backstop. */
  readonly transactionIdleTimeoutMs: number;
}

/** Lazily created pools, one per (role, database). */
export class DatabasePools {
  private readonly handles = new Map<string, DatabaseHandle>();
  private readonly options: string;

  /**
   * @param address - where PostgreSQL listens
   * @param settings - pool size and idle timeout
   */
  constructor(
    private readonly address: PostgresAddress,
    private readonly settings: PoolSettings,
  ) {
    this.options = sessionOptions(settings.transactionIdleTimeoutMs);
  }

  /**
   * The handle of `role` on `database`, creating its pool on first use.
   *
   * @param role - the credentials of the request's secret
   * @param database - the request's `database`, or `undefined` for the role's own (as libpq does)
   */
  get(role: RoleCredentials, database: string | undefined): DatabaseHandle {
    const name = database ?? role.user;
    const key = JSON.stringify([role.user, name]);
    let handle = this.handles.get(key);
    if (!handle) {
      const pool = new pg.Pool({
        ...this.address,
        ...role,
        database: name,
        types: RAW_TEXT,
        options: this.options,
        application_name: 'local-data-api',
        max: this.settings.maxConnections,
        idleTimeoutMillis: 10_000,
        connectionTimeoutMillis: 10_000,
        allowExitOnIdle: true,
      });
      // An idle pooled connection that dies (e.g. PostgreSQL restarts) must not crash the server.
      pool.on('error', (error) => log('idle connection to %s failed: %s', key, error.message));
      handle = { key, name, pool, types: new TypeCatalog() };
      this.handles.set(key, handle);
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
