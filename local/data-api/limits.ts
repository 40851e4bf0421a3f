/**
 * Documented RDS Data API limits, enforced locally so that code failing on Aurora fails here too.
 */

const KIB = 1024;
const MIB = 1024 * KIB;

export const DATA_API_LIMITS = {
  /** `SqlStatement` maximum length in characters. */
  maxSqlLength: 65_536,
  /** `Arn` length bounds. */
  minArnLength: 11,
  maxArnLength: 100,
  /** `DbName` maximum length. */
  maxDatabaseNameLength: 64,
  /** Transaction `Id` maximum length. */
  maxTransactionIdLength: 192,
  /** Request body including headers; the body alone is checked here. */
  maxRequestBytes: 4 * MIB,
  /** Response body; larger results make AWS terminate the call. */
  maxResponseBytes: 1 * MIB,
  /** `formatRecordsAs: JSON` has its own, larger limit. */
  maxFormattedResponseBytes: 10 * MIB,
  /** A single result row. */
  maxRowBytes: 64 * KIB,
  /** Statement timeout of the Data API. */
  statementTimeoutMs: 45_000,
  /** A transaction no call has used for this long is rolled back. */
  transactionIdleTimeoutMs: 3 * 60_000,
  /** Maximum lifetime of a transaction. */
  transactionMaxLifetimeMs: 24 * 60 * 60_000,
} as const;

/**
 * Caps of the local server itself (AWS's are its own and not documented): how much of PostgreSQL a
 * caller can hold. A transaction holds a connection until it ends or its idle timeout rolls it back,
 * so a caller that opens transactions and never ends them could otherwise take every connection.
 */
export interface DataApiCaps {
  /** Roll back a transaction after this long without a call. */
  readonly transactionIdleTimeoutMs: number;
  /** Connections of one pool, i.e. of one (role, database) pair. */
  readonly maxConnectionsPerPool: number;
  /** Open transactions per pool; below the pool size, so autocommit calls always find a connection. */
  readonly maxOpenTransactionsPerPool: number;
  /** Open transactions over all pools. */
  readonly maxOpenTransactions: number;
}

/**
 * Defaults: AWS's 3-minute idle timeout; 2 roles × 2 databases × 20 connections stay under
 * PostgreSQL's default `max_connections` of 100, and at most 32 of them are held by transactions.
 */
export const DEFAULT_CAPS: DataApiCaps = {
  transactionIdleTimeoutMs: DATA_API_LIMITS.transactionIdleTimeoutMs,
  maxConnectionsPerPool: 20,
  maxOpenTransactionsPerPool: 16,
  maxOpenTransactions: 32,
};

/** Environment variable of each cap, for the command-line and container entries. */
const CAP_VARIABLES: Readonly<Record<keyof DataApiCaps, string>> = {
  transactionIdleTimeoutMs: 'DATA_API_TRANSACTION_IDLE_TIMEOUT_MS',
  maxConnectionsPerPool: 'DATA_API_MAX_CONNECTIONS_PER_POOL',
  maxOpenTransactionsPerPool: 'DATA_API_MAX_OPEN_TRANSACTIONS_PER_POOL',
  maxOpenTransactions: 'DATA_API_MAX_OPEN_TRANSACTIONS',
};

/**
 * The caps, each from its `DATA_API_*` variable when set, else {@link DEFAULT_CAPS}.
 *
 * @param env - the environment to read, `process.env` by default
 * @throws Error when a value is not a positive integer or the caps contradict each other
 */
export function capsFromEnv(env: NodeJS.ProcessEnv = process.env): DataApiCaps {
  const caps = { ...DEFAULT_CAPS };
  for (const [key, variable] of Object.entries(CAP_VARIABLES) as [keyof DataApiCaps, string][]) {
    const text = env[variable]?.trim();
    if (!text) continue;
    const value = Number(text);
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new Error(`${variable} must be a positive integer, got "${text}"`);
    }
    caps[key] = value;
  }
  return checkCaps(caps);
}

/**
 * Checks that the caps leave every pool a connection for autocommit calls.
 *
 * @param caps - the caps to check
 * @returns `caps`, when consistent
 */
export function checkCaps(caps: DataApiCaps): DataApiCaps {
  if (caps.maxOpenTransactionsPerPool >= caps.maxConnectionsPerPool) {
    throw new Error(
      `maxOpenTransactionsPerPool (${caps.maxOpenTransactionsPerPool}) must be below ` +
        `maxConnectionsPerPool (${caps.maxConnectionsPerPool})`,
    );
  }
  return caps;
}
