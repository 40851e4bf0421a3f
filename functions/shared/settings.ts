/**
 * The single source of truth for pipeline names and tunables.
 *
 * The CDK stack, the Lambda functions and the embedded local runtime all import this module, so a
 * value changed here changes everywhere at once. Nothing in it reads the environment: settings are
 * part of the build, resource names and endpoints are not (see `env.ts`).
 */

const MIB = 1024 * 1024;

/**
 * How long the stream keeps a record (the Kinesis default, which costs no extended retention). It is
 * also how long a dead-letter pointer is kept: see `processor.deadLetterRetentionDays`.
 */
const STREAM_RETENTION_HOURS = 24;

export const settings = {
  /** Kinesis data stream that carries commit records from the producer to the processor. */
  stream: {
    shardCount: 2,
    retentionHours: STREAM_RETENTION_HOURS,
  },

  /** Put requests (PutRecords calls): their size, concurrency and retry policy; the producer's reading. */
  producer: {
    /** Kinesis hard limits per put request. */
    maxRecordsPerRequest: 500,
    maxBytesPerRequest: 5 * MIB,
    /** Kinesis hard limit per record (data + partition key). */
    maxBytesPerRecord: 1 * MIB,
    /** Put requests in flight at once. */
    maxInFlightRequests: 4,
    /**
     * When Kinesis answers but does not take a record (throttling, an entry's internal failure):
     * attempts per record (first try included) before it counts as failed, and the bounds of the waits
     * between them (full jitter, `functions/shared/retry.ts`).
     */
    putRetry: { attempts: 8, baseDelayMs: 50, maxDelayMs: 5_000 },
    /**
     * How long the stream may stay unreachable (connections refused or reset, the endpoint answering
     * 5xx to whole requests) before the replay stops, naming the line to resume from. Meanwhile every
     * request is retried with the waits of `putRetry` and nothing is counted as failed: a restarted
     * service, a failover or a network blip is waited for.
     */
    unreachableWaitSeconds: 120,
    /**
     * In Lambda, the replay stops this long before the function's timeout (it names the line to resume
     * from), so that requests in flight (`PutRecords` times out after 30 s) and the reject lists are
     * settled; halfway to the timeout when the function has less than twice this left.
     */
    stopBeforeTimeoutSeconds: 60,
    /** How often the CLI progress bar and Lambda progress log are refreshed. */
    progressIntervalMs: 1_000,
    /**
     * Longest CSV record read into memory. A row inside the record bounds is at most ~21,000 characters
     * (record-bounds.ts); a longer record is malformed (e.g. an unclosed quote) and is rejected alone.
     */
    maxCsvRecordChars: 65_536,
    /**
     * How the CSV is read from S3: in ranges of `rangeBytes`, each its own GET, resumed at the byte it
     * broke off at; the read fails after `retry.attempts` GETs in a row that bring no byte. A replay
     * paced by the stream reads slowly (about 1 MiB/s per shard), and a server or proxy may close a
     * long-lived, slowly read response (LocalStack's closed one after 83 s and 14 MB); a range is read
     * in seconds.
     */
    sourceRead: { rangeBytes: 8 * MIB, retry: { attempts: 5, baseDelayMs: 200, maxDelayMs: 2_000 } },
    /** Rejected rows buffered before they are written out as one object (Lambda: `rejected/` parts). */
    maxRejectBufferBytes: 4 * MIB,
    /**
     * KPL record aggregation (see functions/producer/record-packer.ts). On by default; off (the
     * `--no-aggregation` flag, `"aggregate": false` in the producer's event) for consumers that cannot
     * de-aggregate.
     */
    aggregation: {
      enabled: true,
      /** Most bytes of one aggregated record; with `processor.batchSize` it bounds a batch's payload. */
      maxAggregateBytes: 64 * 1024,
      /** One shard takes 1 MiB/s of writes on AWS, so a request for one shard is kept to that. */
      maxBytesPerRequest: 1 * MIB,
    },
  },

  /** Kinesis event-source mapping of the processor (Lambda semantics, also used by the local poller). */
  processor: {
    /**
     * Kinesis records per stream batch (aggregates, not commits). Chosen with `maxAggregateBytes`: 64 records
     * of 64 KiB are 5.6 MB once base64-encoded in the event, under Lambda's 6 MB payload limit (and
     * LocalStack's), and ~12,000 commits per invocation. LocalStack's poller delivers at most one stream batch
     * per shard poll and second, so this also sets its throughput.
     */
    batchSize: 64,
    maxBatchingWindowSeconds: 1,
    startingPosition: 'TRIM_HORIZON',
    bisectBatchOnError: true,
    /** Retries of a failing stream batch before it goes to the on-failure destination. */
    maxRetryAttempts: 10,
    maxRecordAgeSeconds: 6 * 60 * 60,
    parallelizationFactor: 1,
    /**
     * How long failed-batch pointers wait in the dead-letter queue for a redrive: exactly the stream's
     * retention, derived from it. A pointer names records; once they leave the stream it can only
     * report a loss. A pointer is written when its batch fails, after its records arrived, so it is
     * kept for as long as they can be redriven, and it outlives them at most by the age its records had
     * at the failure (up to `maxRecordAgeSeconds`): in that tail the redrive reports them as expired.
     * Raise `STREAM_RETENTION_HOURS` for a longer redrive window; SQS keeps 14 days at most.
     */
    deadLetterRetentionDays: STREAM_RETENTION_HOURS / 24,
    /**
     * Bounds of the hot path's transaction. A lock wait fails fast instead of stalling the shard; a
     * transaction its caller abandoned (a timeout between two calls) is ended by PostgreSQL in seconds,
     * releasing the shared module, language and window rows for every other shard.
     */
    transactionTimeouts: { lockTimeoutMs: 5_000, statementTimeoutMs: 20_000, idleTimeoutMs: 10_000 },
    /**
     * A stream batch's transaction after a transient failure (the database unreachable, a lost answer, a
     * deadlock or lock timeout), within one invocation: attempts (first included) and the bounds of the
     * waits between them (full jitter, `functions/shared/retry.ts`).
     */
    hotPathRetry: { attempts: 3, baseDelayMs: 100, maxDelayMs: 1_000 },
    /** Reserve before the function timeout: no step starts inside it, and calls in flight are aborted. */
    deadlineMarginMs: 5_000,
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

  /**
   * The batch layer (`functions/batch/`): the serving views recomputed from `raw/`, compared with the
   * speed layer's tables (`npm run reconcile`, daily on AWS) or swapped in for them (`npm run rebuild`).
   */
  batch: {
    /** Archive objects downloaded and decompressed ahead of the one being aggregated. */
    readAheadObjects: 8,
    /** New commits handed to the shared aggregation at once (the speed layer's stream batches are up to 2000). */
    chunkCommits: 5_000,
    /** Differences listed per view table (the count is always complete). */
    maxListedDifferences: 200,
    /**
     * Holding the processor out: the longest wait for the processor's transaction in flight to finish
     * (it is bounded by `processor.transactionTimeouts.statementTimeoutMs` per statement).
     */
    lockTimeoutMs: 30_000,
    /**
     * While the processor is held out, how long to wait for commits it counted but had not archived yet
     * (its archive write follows its commit). Below `processor.transactionTimeouts.lockTimeoutMs`, so that a
     * processor transaction waiting meanwhile still gets through instead of failing and retrying.
     */
    archiveCatchUpMs: 3_000,
    /**
     * A commit in the ledger but not in the archive after this long is not an archive write in flight:
     * its batch is being retried, went to the dead-letter queue, or its object was removed. Twice the
     * processor's timeout: an invocation that counts a batch archives it within its own timeout.
     */
    unarchivedAfterSeconds: 120,
    /** Staging tables left by a run that died are dropped by the next run after this long. */
    staleStageHours: 6,
    /** The scheduled reconciliation on the aws target: every day at this UTC time. */
    reconcileSchedule: { hour: 3, minute: 15 },
    /** The alarm on its `ReconcileDifferences` metric fires above this many differences. */
    reconcileDifferencesAbove: 0,
    /** SQL over the archive (Glue table, Athena workgroup, `npm run archive:sql`). */
    sql: {
      /** The table over `raw/`, in Glue and in DuckDB alike. */
      tableName: 'raw_commits',
      /** Partition projection covers arrival dates back this many years. */
      projectionYears: 5,
      /** Athena refuses a query that would scan more than this. */
      bytesScannedCutoffPerQuery: 10 * 1024 * MIB,
      /** Query results are kept this long in the results bucket. */
      resultsExpirationDays: 7,
    },
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
    /**
     * Most JSON bytes of rows in one set-based statement (both layers): a quarter of the Data API's
     * 4 MiB request limit, so that escaping (at most doubling) and the request's other fields never matter.
     */
    maxJsonParameterBytes: 1 * MIB,
    /**
     * Most commit ids one ledger statement adds: its answer is a row holding one flag byte per id, and
     * the Data API refuses rows over 64 KB (short ids fit ~90,000 to the JSON bound above).
     */
    maxLedgerIdsPerStatement: 50_000,
    /** Aurora ends any transaction idle this long (the hot path bounds its own to seconds). */
    idleInTransactionTimeoutMs: 60_000,
    /**
     * The migrator's attempts while the database is unavailable (a freshly created or resuming Aurora
     * cluster refuses Data API calls for a while): attempts and the bounds of the waits between them
     * (full jitter, `functions/shared/retry.ts`; about 35 s in all on average, at most 70 s).
     */
    migrationRetry: { attempts: 5, baseDelayMs: 10_000, maxDelayMs: 20_000 },
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

  /**
   * Alarms and dashboard of the aws target (`lib/constructs/pipeline-monitoring.ts`). Every alarm fires
   * when its statistic over one period is above its threshold (`…Above`).
   */
  monitoring: {
    alarmPeriodSeconds: 300,
    /** Consecutive periods above the threshold before an alarm fires. */
    alarmEvaluationPeriods: 1,
    /** Failed-batch pointers waiting in the dead-letter queue: any is a batch to redrive. */
    deadLetterMessagesAbove: 0,
    /**
     * Age of the oldest record the processor has not read yet. Far below
     * `processor.maxRecordAgeSeconds`, after which the mapping gives records up to the dead-letter
     * queue, so that the alarm comes while the backlog can still be worked off.
     */
    iteratorAgeAboveSeconds: 15 * 60,
    /** Records the processor could not decode (kept under `quarantine/`). */
    quarantinedRecordsAbove: 0,
    /** Valid rows the producer could not put on the stream (kept under `rejected/`). */
    producerFailedRowsAbove: 0,
    /** Lambda `Errors` and `Throttles` of each function. */
    functionErrorsAbove: 0,
    functionThrottlesAbove: 0,
    /** Share of API requests answered with a 5xx status (0.01 = 1 %). */
    api5xxRateAbove: 0.01,
    /** 99th percentile of the API's latency, API Gateway to response. */
    apiP99LatencyAboveMs: 2_000,
    /** Time range the dashboard opens with. */
    dashboardRangeHours: 24,
  },

  /** `npm run redrive`: failure pointers back through the processor's core. */
  redrive: {
    /**
     * How long pointers taken from the dead-letter queue stay hidden from other readers while a redrive
     * runs (those it keeps are made visible again when it ends; after a crash they return by themselves).
     */
    queueVisibilitySeconds: 30 * 60,
    /** Long poll of one ReceiveMessage: an empty answer after it means the queue is drained. */
    queueWaitSeconds: 2,
    /** Attempts of each Kinesis call: the shard's read throughput is shared with the mapping's poller. */
    kinesisMaxAttempts: 10,
  },

  /** The embedded local runtime (`npm start`): how it keeps its parts running. */
  localRuntime: {
    /**
     * A part (the Kinesis server, the S3 emulator, the database service, PostgreSQL) that dies is
     * started again on the same ports and state. One that dies more than `maxRestarts` times within
     * `windowSeconds` is not restarted again: the runtime stops with a message that names it.
     */
    supervision: {
      maxRestarts: 5,
      windowSeconds: 60,
      /** Wait before the n-th restart within the window: `firstDelayMs` × 2^(n−1), at most `maxDelayMs`. */
      firstDelayMs: 250,
      maxDelayMs: 4_000,
      /** How long a part may take to stop when asked (SIGTERM, or a fast shutdown) before it is killed. */
      stopTimeoutMs: 10_000,
    },
    /**
     * PostgreSQL's `synchronous_commit`: on, a commit is on disk before it is acknowledged, so the
     * mapping's checkpoint never passes a commit a crash could lose. `npm run bench -- --durable-commits
     * off` measures what it costs (README, Benchmarks).
     */
    durableCommits: true,
    /**
     * The api's execution environments: at most this many serve requests at the same time, each reused
     * warm (the processor's follow the stream: one per shard × parallelization-factor lane).
     */
    apiConcurrency: 4,
    /** `npm start -- --chaos <spec>`: faults injected on the functions' calls (local/chaos/). */
    chaos: {
      /**
       * How long a `timeout` fault holds an answer: past every caller's deadline (the producer's 30 s
       * PutRecords timeout, the processor's invocation deadline), so the caller gives up first.
       */
      timeoutHoldMs: 65_000,
      /** Where a `cut-body` fault stops an answer, as a share of its body. */
      cutBodyAt: 0.5,
    },
  },

  /** Lambda sizing. */
  functions: {
    producer: { memorySize: 1024, timeoutSeconds: 900 },
    processor: { memorySize: 512, timeoutSeconds: 60 },
    api: { memorySize: 256, timeoutSeconds: 10 },
    migrator: { memorySize: 256, timeoutSeconds: 300 },
    /** The batch layer's function: a pass over the whole archive (Lambda's 15-minute maximum). */
    batch: { memorySize: 1024, timeoutSeconds: 900 },
    logRetentionDays: 14,
  },
} as const;
