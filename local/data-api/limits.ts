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
