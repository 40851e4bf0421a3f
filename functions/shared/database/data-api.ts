/**
 * The RDS Data API adapter: the only way the functions reach PostgreSQL.
 *
 * Stays inside the portable subset (see docs/data-api.md): scalar parameters only, every non-text
 * parameter cast in SQL, results read by column label, transactions always closed in `finally`.
 * The endpoint comes from the SDK's own `AWS_ENDPOINT_URL_RDS_DATA` handling, so the same code runs
 * against Aurora, LocalStack and the embedded runtime.
 */
import {
  BeginTransactionCommand,
  CommitTransactionCommand,
  ExecuteStatementCommand,
  type Field,
  RDSDataClient,
  RollbackTransactionCommand,
  type SqlParameter,
} from '@aws-sdk/client-rds-data';
import { ENV, type FunctionEnvironment, requireEnv } from '../env.js';
import { DatabaseUnavailableError } from '../errors.js';

export type SqlValue = string | number | boolean | null;
export type SqlParams = Readonly<Record<string, SqlValue>>;
export type Row = Record<string, SqlValue>;

/** Runs one SQL statement and returns its rows keyed by column label. */
export interface SqlExecutor {
  query<T extends Row = Row>(sql: string, params?: SqlParams): Promise<T[]>;
}

/** A database that can also run a unit of work in one transaction. */
export interface Database extends SqlExecutor {
  transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T>;
}

export interface DataApiTarget {
  resourceArn: string;
  secretArn: string;
  database: string;
}

/** SQL errors the Data API reports for a statement PostgreSQL refused (400s on every engine). */
const SQL_ERROR_NAMES = new Set(['DatabaseErrorException', 'BadRequestException']);

export class DataApiDatabase implements Database {
  constructor(
    private readonly client: RDSDataClient,
    private readonly target: DataApiTarget,
  ) {}

  query<T extends Row = Row>(sql: string, params: SqlParams = {}): Promise<T[]> {
    return this.execute<T>(sql, params, undefined);
  }

  /**
   * Runs `work` in one Data API transaction: committed when it resolves, rolled back when it throws.
   */
  async transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    const { transactionId } = await this.call(() =>
      this.client.send(new BeginTransactionCommand(this.targetFields())),
    );
    if (!transactionId) throw new DatabaseUnavailableError('BeginTransaction returned no transaction id');
    let committed = false;
    try {
      const result = await work({
        query: <R extends Row = Row>(sql: string, params: SqlParams = {}) =>
          this.execute<R>(sql, params, transactionId),
      });
      await this.call(() =>
        this.client.send(
          new CommitTransactionCommand({
            resourceArn: this.target.resourceArn,
            secretArn: this.target.secretArn,
            transactionId,
          }),
        ),
      );
      committed = true;
      return result;
    } finally {
      if (!committed) await this.rollbackQuietly(transactionId);
    }
  }

  private async execute<T extends Row>(
    sql: string,
    params: SqlParams,
    transactionId: string | undefined,
  ): Promise<T[]> {
    const output = await this.call(() =>
      this.client.send(
        new ExecuteStatementCommand({
          ...this.targetFields(),
          sql,
          parameters: toSqlParameters(params),
          transactionId,
          includeResultMetadata: true,
        }),
      ),
    );
    const labels = (output.columnMetadata ?? []).map(
      (column, index) => column.label ?? column.name ?? `${index}`,
    );
    return (output.records ?? []).map((fields) => toRow<T>(labels, fields));
  }

  private targetFields() {
    return {
      resourceArn: this.target.resourceArn,
      secretArn: this.target.secretArn,
      database: this.target.database,
    };
  }

  private async rollbackQuietly(transactionId: string): Promise<void> {
    try {
      await this.client.send(
        new RollbackTransactionCommand({
          resourceArn: this.target.resourceArn,
          secretArn: this.target.secretArn,
          transactionId,
        }),
      );
    } catch {
      // The original error matters more; an unreachable server also drops the transaction itself.
    }
  }

  /** SQL errors pass through unchanged; anything else means the database could not be reached. */
  private async call<T>(send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (error) {
      if (error instanceof Error && SQL_ERROR_NAMES.has(error.name)) throw error;
      const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      throw new DatabaseUnavailableError(`RDS Data API call failed (${reason})`, { cause: error });
    }
  }
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
 * The database named by the standard environment (`DB_CLUSTER_ARN`, `DB_SECRET_ARN`, `DB_NAME`).
 *
 * @param env - the function's environment (default `process.env`)
 * @param client - an RDS Data client; its endpoint comes from `AWS_ENDPOINT_URL_RDS_DATA` when set
 */
export function dataApiDatabaseFromEnv(
  env: FunctionEnvironment = process.env,
  client: RDSDataClient = new RDSDataClient({}),
): DataApiDatabase {
  return new DataApiDatabase(client, {
    resourceArn: requireEnv(ENV.dbClusterArn, env),
    secretArn: requireEnv(ENV.dbSecretArn, env),
    database: requireEnv(ENV.dbName, env),
  });
}
