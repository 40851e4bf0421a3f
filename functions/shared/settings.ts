/**
 * The single source of truth for pipeline names and tunables.
 *
 * The CDK stack, the Lambda functions and the embedded local runtime all import this module, so a
 * value changed here changes everywhere at once. Nothing in it reads the environment: settings are
 * part of the build, resource names and endpoints are not (see `env.ts`).
 */

const MIB = 1024 * 1024;

export const settings = {
  /** Kinesis data stream that carries commit records from the producer to the processor. */
  stream: {
    shardCount: 2,
    retentionHours: 24,
  },

  /** PutRecords batching, concurrency and retry policy of the producer. */
  producer: {
    /** Kinesis hard limits per PutRecords request. */
    maxRecordsPerRequest: 500,
    maxBytesPerRequest: 5 * MIB,
    /** Kinesis hard limit per record (data + partition key). */
    maxBytesPerRecord: 1 * MIB,
    /** PutRecords requests in flight at once. */
    maxInFlightRequests: 4,
    /** Attempts per record (first try included) before it counts as failed. */
    maxAttempts: 8,
    backoffBaseMs: 50,
    backoffMaxMs: 5_000,
    /** How often the CLI progress bar and Lambda progress log are refreshed. */
    progressIntervalMs: 1_000,
  },

  /** Kinesis event-source mapping of the processor (Lambda semantics, also used by the local poller). */
  processor: {
    batchSize: 2000,
    maxBatchingWindowSeconds: 1,
    startingPosition: 'TRIM_HORIZON',
    bisectBatchOnError: true,
    /** Retries of a failing batch before it goes to the on-failure destination. */
    maxRetryAttempts: 10,
    maxRecordAgeSeconds: 6 * 60 * 60,
    parallelizationFactor: 1,
    /** How long failed-batch pointers wait in the dead-letter queue for a redrive (the SQS maximum). */
    deadLetterRetentionDays: 14,
  },

  /** How commits are aggregated and which ones are flagged as suspicious. */
  analytics: {
    /** `eventTime` = logEpoch + `time` seconds. */
    logEpoch: '2024-01-01T00:00:00Z',
    /** Length of the tumbling event-time windows of the timeline. */
    windowSeconds: 300,
    /** A commit with entropy at or above this is suspicious (`entropy`). */
    entropyThreshold: 0.8,
    /** A commit this many standard deviations above its author's running mean is suspicious (`author-outlier`). */
    outlierStdDevs: 3,
    /** Commits an author needs before the outlier rule applies. */
    outlierMinCommits: 20,
  },

  /** Object keys in the archive bucket and their lifecycle. */
  archive: {
    /** Where CSV files are uploaded for the deployed producer to replay; the only prefix it may read. */
    sourcePrefix: 'sources/',
    rawPrefix: 'raw/',
    quarantinePrefix: 'quarantine/',
    rejectedPrefix: 'rejected/',
    rawInfrequentAccessAfterDays: 30,
    rejectedExpirationDays: 90,
    quarantineExpirationDays: 90,
  },

  /** RDS Data API database. */
  database: {
    name: 'infected_code',
    /** Aurora Serverless v2 capacity range (ACUs), AWS target only. */
    minCapacity: 0.5,
    maxCapacity: 4,
  },

  /** Read API paging and throttling. */
  api: {
    defaultPageSize: 50,
    maxPageSize: 1000,
    throttlingRateLimit: 50,
    throttlingBurstLimit: 100,
    /**
     * Estimated bytes of rows one Data API call may return: half its 1 MiB response limit, so that the
     * estimate's slack can never matter. A page needing more is read in several calls.
     */
    dataApiResponseBudgetBytes: 512 * 1024,
    /** How often the dashboard reloads its numbers while the tab is visible. */
    dashboardRefreshSeconds: 5,
  },

  /** Lambda sizing. */
  functions: {
    producer: { memorySize: 1024, timeoutSeconds: 900 },
    processor: { memorySize: 512, timeoutSeconds: 60 },
    api: { memorySize: 256, timeoutSeconds: 10 },
    migrator: { memorySize: 256, timeoutSeconds: 300 },
    logRetentionDays: 14,
  },
} as const;

export type Settings = typeof settings;
