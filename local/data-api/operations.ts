/**
 * The five Data API operations: validate, bind, run on the right connection, answer.
 */
import type pg from 'pg';
import type { DatabaseHandle, DatabasePools, RoleCredentials } from './database-pools.js';
import { isConnectionFailure } from './errors.js';
import { parseNamedParameters } from './named-parameters.js';
import { bindParameters } from './parameter-binding.js';
import {
  parseBatchExecuteRequest,
  parseBeginTransactionRequest,
  parseEndTransactionRequest,
  parseExecuteRequest,
  type ServedArns,
} from './request-validation.js';
import {
  executeStatement,
  mayLeaveSessionState,
  type ResultFormat,
  runStatement,
} from './statement-execution.js';
import type { TransactionRegistry } from './transactions.js';
import type { BatchExecuteStatementResponse, ExecuteStatementResponse } from './wire-types.js';

/** Everything an operation needs; created once per server. */
export interface DataApiContext {
  readonly arns: ServedArns;
  /** The role each served secret logs in as. */
  readonly roles: ReadonlyMap<string, RoleCredentials>;
  readonly pools: DatabasePools;
  readonly transactions: TransactionRegistry;
  readonly maxResponseBytes: number;
}

/** An operation: a parsed JSON body in, a response body out (or a thrown error). */
export type Operation = (context: DataApiContext, body: unknown) => Promise<object>;

/** Operations by request path, as the SDK's restJson1 protocol posts them. */
export const OPERATIONS: Readonly<Record<string, Operation>> = {
  '/Execute': executeStatementOperation,
  '/BatchExecute': batchExecuteStatementOperation,
  '/BeginTransaction': beginTransactionOperation,
  '/CommitTransaction': commitTransactionOperation,
  '/RollbackTransaction': rollbackTransactionOperation,
};

async function executeStatementOperation(
  context: DataApiContext,
  body: unknown,
): Promise<ExecuteStatementResponse> {
  const request = parseExecuteRequest(body, context.arns);
  const statement = bindParameters(parseNamedParameters(request.sql), request.parameters);
  const format: ResultFormat = {
    includeResultMetadata: request.includeResultMetadata,
    formatRecordsAs: request.formatRecordsAs,
    resultSetOptions: request.resultSetOptions,
    maxResponseBytes: context.maxResponseBytes,
  };

  if (request.transactionId !== undefined) {
    return context.transactions.run(
      request.transactionId,
      request.secretArn,
      request.database,
      async (tx) => {
        const { types } = databaseOf(context, request.secretArn, tx.database);
        const outcome = await executeStatement(tx.client, types, statement, format);
        if (mayLeaveSessionState(outcome.command)) tx.sessionDirty = true;
        return outcome.response;
      },
    );
  }
  const database = databaseOf(context, request.secretArn, request.database);
  return withPooledClient(database.pool, async (client, session) => {
    const outcome = await executeStatement(client, database.types, statement, format);
    session.discard = mayLeaveSessionState(outcome.command);
    return outcome.response;
  });
}

/**
 * Runs the statement once per parameter set, all or nothing: inside the caller's transaction, or
 * else inside one of its own (AWS does not document atomicity; an explicit transaction is safe).
 */
async function batchExecuteStatementOperation(
  context: DataApiContext,
  body: unknown,
): Promise<BatchExecuteStatementResponse> {
  const request = parseBatchExecuteRequest(body, context.arns);
  const parsed = parseNamedParameters(request.sql);
  // Bind every set first so a bad parameter refuses the whole batch before any SQL runs.
  const statements = request.parameterSets.map((set) => bindParameters(parsed, set));
  const response = { updateResults: statements.map(() => ({ generatedFields: [] })) };

  const runAll = async (client: pg.ClientBase): Promise<boolean> => {
    let leavesState = false;
    for (const statement of statements) {
      const result = await runStatement(client, statement);
      leavesState ||= mayLeaveSessionState(result.command ?? '');
    }
    return leavesState;
  };

  if (request.transactionId !== undefined) {
    await context.transactions.run(request.transactionId, request.secretArn, request.database, async (tx) => {
      if (await runAll(tx.client)) tx.sessionDirty = true;
    });
    return response;
  }
  if (statements.length === 0) return response;
  const database = databaseOf(context, request.secretArn, request.database);
  await withPooledClient(database.pool, async (client, session) => {
    await client.query('BEGIN');
    try {
      session.discard = await runAll(client);
      await client.query('COMMIT');
    } catch (error) {
      const rolledBack = await client.query('ROLLBACK').then(
        () => true,
        () => false,
      );
      session.discard ||= !rolledBack;
      throw error;
    }
  });
  return response;
}

async function beginTransactionOperation(context: DataApiContext, body: unknown): Promise<object> {
  const request = parseBeginTransactionRequest(body, context.arns);
  const database = databaseOf(context, request.secretArn, request.database);
  return { transactionId: await context.transactions.begin(database, request.secretArn) };
}

async function commitTransactionOperation(context: DataApiContext, body: unknown): Promise<object> {
  const request = parseEndTransactionRequest(body, context.arns);
  await context.transactions.commit(request.transactionId, request.secretArn);
  return { transactionStatus: 'Transaction Committed' };
}

async function rollbackTransactionOperation(context: DataApiContext, body: unknown): Promise<object> {
  const request = parseEndTransactionRequest(body, context.arns);
  await context.transactions.rollback(request.transactionId, request.secretArn);
  return { transactionStatus: 'Rollback Complete' };
}

/** The pool of the secret's role on `database` (`undefined`: the role's own, as libpq does). */
function databaseOf(
  context: DataApiContext,
  secretArn: string,
  database: string | undefined,
): DatabaseHandle {
  const role = context.roles.get(secretArn);
  // Validation only lets served secrets through, and each has a role.
  if (!role) throw new Error(`no role for secret ${secretArn}`);
  return context.pools.get(role, database);
}

/**
 * Runs `work` on a pooled connection (autocommit), then returns the connection to the pool, or
 * destroys it when it broke or `work` left session state behind.
 */
async function withPooledClient<T>(
  pool: pg.Pool,
  work: (client: pg.PoolClient, session: { discard: boolean }) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  const session = { discard: false };
  try {
    return await work(client, session);
  } catch (error) {
    session.discard ||= isConnectionFailure(error);
    throw error;
  } finally {
    client.release(session.discard ? new Error('connection discarded by the local Data API') : undefined);
  }
}
