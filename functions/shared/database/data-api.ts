/**
 * The RDS Data API adapter: the only way the functions reach PostgreSQL.
 *
 * Stays inside the portable subset (see docs/data-api.md): scalar parameters only, every non-text
 * parameter cast in SQL, results read by column label, transactions always closed in `finally`.
 *
 * Retries happen at the level that can make them safe. A call inside a transaction is never re-sent by
 * the SDK: if its answer was lost, the server may have run it, and a second run in the same transaction
 * would count twice (or see its own inserts). Such a failure rolls the transaction back and the caller
 * retries the whole unit of work, which its own idempotence (the ledger) makes exact. Calls outside a
 * transaction keep the SDK's bounded retries.
 */
import {
  BeginTransactionCommand,
  CommitTransactionCommand,
  ExecuteStatementCommand,
  type Field,
  type RDSDataClient,
  RollbackTransactionCommand,
  type SqlParameter,
} from '@aws-sdk/client-rds-data';
import { createRdsDataClient } from '../adapters/aws-clients.js';
import { ENV, type FunctionEnvironment, requireEnv } from '../env.js';
import { DatabaseUnavailableError, nameAndMessageOf, SqlStatementError } from '../errors.js';

export type SqlValue = string | number | boolean | null;
export type SqlParams = Readonly<Record<string, SqlValue>>;
export type Row = Record<string, SqlValue>;

/** Runs one SQL statement and returns its rows keyed by column label. */
export interface SqlExecutor {
  query<T extends Row = Row>(sql: string, params?: SqlParams): Promise<T[]>;
}

/** Timeouts PostgreSQL enforces on one transaction, so that none outlives its caller. */
export interface TransactionTimeouts {
  /** A lock wait longer than this fails the statement (SQLSTATE 55P03) instead of stalling. */
  lockTimeoutMs: number;
  /** A statement running longer than this is cancelled. */
  statementTimeoutMs: number;
  /**
   * A transaction left idle this long (its caller died or timed out between two calls) is ended by
   * PostgreSQL itself, releasing its locks, long before the Data API's own 3-minute expiry.
   */
  idleTimeoutMs: number;
}

export interface TransactionOptions {
  /** Aborts the call in flight and every later one; the transaction is then rolled back. */
  signal?: AbortSignal;
  /** @default - the server's defaults */
  timeouts?: TransactionTimeouts;
}

/** A database that can also run a unit of work in one transaction. */
export interface Database extends SqlExecutor {
  transaction<T>(work: (tx: SqlExecutor) => Promise<T>, options?: TransactionOptions): Promise<T>;
}

export interface DataApiTarget {
  resourceArn: string;
  secretArn: string;
  database: string;
}

/** The two clients of the adapter: one for autocommit calls, one that never retries (transactions). */
export interface DataApiClients {
  autocommit: RDSDataClient;
  transactional: RDSDataClient;
}

/** SQL errors the Data API reports for a statement PostgreSQL refused (400s on every engine). */
const SQL_ERROR_NAMES = new Set(['DatabaseErrorException', 'BadRequestException']);
/** How long a rollback may take once the work failed; past it PostgreSQL's idle timeout ends the transaction. */
const ROLLBACK_TIMEOUT_MS = 3_000;
/** Above the Data API's 45-second statement timeout, so an autocommit call is not cut short. */
const AUTOCOMMIT_REQUEST_TIMEOUT_MS = 50_000;

export class DataApiDatabase implements Database {
  constructor(
    private readonly clients: DataApiClients,
    private readonly target: DataApiTarget,
  ) {}

  query<T extends Row = Row>(sql: string, params: SqlParams = {}): Promise<T[]> {
    return this.execute<T>(this.clients.autocommit, sql, params, {});
  }

  /**
   * Runs `work` in one Data API transaction: committed when it resolves, rolled back when it throws.
   *
   * @throws DatabaseUnavailableError when a call failed without an answer (the outcome of a failed
   *   commit is then unknown: the caller must be able to repeat the work), SqlStatementError when
   *   PostgreSQL refused a statement
   */
  async transaction<T>(work: (tx: SqlExecutor) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
    const { signal } = options;
    const client = this.clients.transactional;
    const { transactionId } = await this.call(
      () => client.send(new BeginTransactionCommand(this.targetFields()), { abortSignal: signal }),
      signal,
    );
    if (!transactionId) throw new DatabaseUnavailableError('BeginTransaction returned no transaction id');
    const call = { transactionId, signal };
    let committed = false;
    try {
      if (options.timeouts) await this.execute(client, TIMEOUTS_SQL, timeoutParams(options.timeouts), call);
      const result = await work({
        query: <R extends Row = Row>(sql: string, params: SqlParams = {}) =>
          this.execute<R>(client, sql, params, call),
      });
      await this.call(
        () =>
          client.send(new CommitTransactionCommand({ ...this.arns(), transactionId }), {
            abortSignal: signal,
          }),
        signal,
      );
      committed = true;
      return result;
    } finally {
      if (!committed) await this.rollbackQuietly(transactionId);
    }
  }

  private async execute<T extends Row>(
    client: RDSDataClient,
    sql: string,
    params: SqlParams,
    call: { transactionId?: string; signal?: AbortSignal | undefined },
  ): Promise<T[]> {
    const output = await this.call(
      () =>
        client.send(
          new ExecuteStatementCommand({
            ...this.targetFields(),
            sql,
            parameters: toSqlParameters(params),
            transactionId: call.transactionId,
            includeResultMetadata: true,
          }),
          { abortSignal: call.signal },
        ),
      call.signal,
    );
    const labels = (output.columnMetadata ?? []).map(
      (column, index) => column.label ?? column.name ?? `${index}`,
    );
    return (output.records ?? []).map((fields) => toRow<T>(labels, fields));
  }

  private arns() {
    return { resourceArn: this.target.resourceArn, secretArn: this.target.secretArn };
  }

  private targetFields() {
    return { ...this.arns(), database: this.target.database };
  }

  private async rollbackQuietly(transactionId: string): Promise<void> {
    try {
      await this.clients.transactional.send(
        new RollbackTransactionCommand({ ...this.arns(), transactionId }),
        {
          abortSignal: AbortSignal.timeout(ROLLBACK_TIMEOUT_MS),
        },
      );
    } catch {
      // The original error matters more. A transaction whose rollback did not arrive is ended by
      // PostgreSQL's idle timeout (TransactionTimeouts) or the Data API's own expiry.
    }
  }

  /** SQL errors become `SqlStatementError`; anything else means the outcome is unknown. */
  private async call<T>(send: () => Promise<T>, signal: AbortSignal | undefined): Promise<T> {
    try {
      return await send();
    } catch (error) {
      if (error instanceof Error && SQL_ERROR_NAMES.has(error.name)) {
        throw new SqlStatementError(error.message, sqlStateOf(error.message), { cause: error });
      }
      const reason = signal?.aborted ? `aborted: ${String(signal.reason)}` : nameAndMessageOf(error);
      throw new DatabaseUnavailableError(`RDS Data API call failed (${reason})`, { cause: error });
    }
  }
}

/** Transaction-local settings (`set_config(..., true)`), so they end with the transaction. */
const TIMEOUTS_SQL = `SELECT set_config('lock_timeout', :lockTimeout, true) AS lock_timeout,
  set_config('statement_timeout', :statementTimeout, true) AS statement_timeout,
  set_config('idle_in_transaction_session_timeout', :idleTimeout, true) AS idle_timeout`;

function timeoutParams(timeouts: TransactionTimeouts): SqlParams {
  return {
    lockTimeout: `${timeouts.lockTimeoutMs}ms`,
    statementTimeout: `${timeouts.statementTimeoutMs}ms`,
    idleTimeout: `${timeouts.idleTimeoutMs}ms`,
  };
}

/** The SQLSTATE in a Data API error message: `…; SQLState: 23505` (Aurora, the local server). */
export function sqlStateOf(message: string): string | undefined {
  return /SQLState:\s*([0-9A-Z]{5})/.exec(message)?.[1];
}

/**
 * Encodes named values as Data API parameters. Integers become `longValue`, other numbers
 * `doubleValue`; the SQL casts each one (`:n::int`, `:x::numeric`), which the portable subset requires.
 */
export function toSqlParameters(params: SqlParams): SqlParameter[] {
  return Object.entries(params).map(([name, value]) => ({ name, value: toField(value) }));
}

function toField(value: SqlValue): Field {
  if (value === null) return { isNull: true };
  if (typeof value === 'string') return { stringValue: value };
  if (typeof value === 'boolean') return { booleanValue: value };
  if (Number.isSafeInteger(value)) return { longValue: value };
  if (Number.isFinite(value)) return { doubleValue: value };
  throw new RangeError(`cannot send ${value} as a SQL parameter`);
}

function toRow<T extends Row>(labels: string[], fields: Field[]): T {
  const row: Row = {};
  fields.forEach((field, index) => {
    row[labels[index] ?? `${index}`] = fromField(field);
  });
  return row as T;
}

function fromField(field: Field): SqlValue {
  if (field.isNull) return null;
  if (field.stringValue !== undefined) return field.stringValue;
  if (field.longValue !== undefined) return field.longValue;
  if (field.doubleValue !== undefined) return field.doubleValue;
  if (field.booleanValue !== undefined) return field.booleanValue;
  // Arrays and blobs are normalised to text in SQL (to_jsonb(...)::text, encode(...)) by convention.
  throw new TypeError('unsupported Data API field type; normalise the column to text in SQL');
}

/**
 * The clients of {@link DataApiDatabase}: bounded SDK retries outside transactions, none inside.
 *
 * @param env - the function's environment (`AWS_ENDPOINT_URL_RDS_DATA` when emulated)
 */
export function createDataApiClients(env: FunctionEnvironment = process.env): DataApiClients {
  return {
    autocommit: createRdsDataClient(env, { requestTimeoutMs: AUTOCOMMIT_REQUEST_TIMEOUT_MS }),
    transactional: createRdsDataClient(env, { maxAttempts: 1 }),
  };
}

/**
 * The database named by the function's environment (`DB_CLUSTER_ARN`, `DB_SECRET_ARN`, `DB_NAME`).
 *
 * @param env - the function's environment (default `process.env`)
 * @param clients - default: {@link createDataApiClients} of the same environment
 */
export function dataApiDatabaseFromEnv(
  env: FunctionEnvironment = process.env,
  clients: DataApiClients = createDataApiClients(env),
): DataApiDatabase {
  return new DataApiDatabase(clients, {
    resourceArn: requireEnv(ENV.dbClusterArn, env),
    secretArn: requireEnv(ENV.dbSecretArn, env),
    database: requireEnv(ENV.dbName, env),
  });
}
