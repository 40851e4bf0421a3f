/**
 * The embedded local cloud: PostgreSQL, the Data API server, a Kinesis emulator and an S3 emulator
 * on loopback (`local-cloud.ts`, each part supervised: restarted when it dies), with the pipeline's own
 * handlers wired to them under Lambda semantics.
 *
 * A composition root only: the handlers are the deployed modules, configured through the same
 * environment variables the stack sets, so there is no second implementation of the pipeline.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type { S3Client } from '@aws-sdk/client-s3';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { createApiHandler } from '../functions/api/handler.js';
import { createProcessorHandler } from '../functions/processor/handler.js';
import { createKinesisClient, createS3Client } from '../functions/shared/adapters/aws-clients.js';
import { dataApiDatabaseFromEnv } from '../functions/shared/database/data-api.js';
import { applyMigrations, loadMigrations } from '../functions/shared/database/migrations.js';
import { ENV } from '../functions/shared/env.js';
import type { PartUnavailableError } from '../functions/shared/errors.js';
import { settings } from '../functions/shared/settings.js';
import { type ApiFront, startApiFront } from './api-gateway.js';
import { type Chaos, startChaos } from './chaos/chaos.js';
import { chaosResponse, LOCAL_CHAOS_PATH } from './chaos/chaos-route.js';
import type { ChaosRule } from './chaos/chaos-spec.js';
import { DEAD_LETTER_FILE_NAME, DeadLetterFile } from './dead-letter-file.js';
import { KinesisEventSourceMapping, type MappingOptions, type ShardStart } from './event-source-mapping.js';
import { invokeWithTimeout, type LocalFunction } from './lambda-context.js';
import { LOCAL_CLOUD_CREDENTIALS, type PartPids, startLocalCloud } from './local-cloud.js';
import { ProcessorMetricsLog } from './local-metrics.js';
import { LOCAL_ACCOUNT, LOCAL_BUCKET_NAME, LOCAL_REGION, LOCAL_STREAM_NAME } from './local-resources.js';
import { CheckpointFiles } from './mapping-checkpoints.js';
import type { SupervisionEvent, Supervisor } from './supervision/supervisor.js';

export { POSTGRES_DIR, POSTGRES_LOG_FILE } from './local-cloud.js';

export interface LocalRuntimeOptions {
  /** Where PostgreSQL, the archive, the stream and the mapping's checkpoints keep their state. */
  dataDir: string;
  /** Port of the API front; 0 picks a free one. */
  apiPort: number;
  /** Overrides of the event-source mapping settings (tests use small batches, a bench varies the parallelization factor). */
  mapping?: Partial<
    Pick<
      MappingOptions,
      | 'batchSize'
      | 'maxBatchingWindowSeconds'
      | 'maxRetryAttempts'
      | 'retryBackoffMs'
      | 'parallelizationFactor'
    >
  >;
  /** Overrides of the processor's environment (tests point one backend at a fault-injecting proxy). */
  processorEnv?: Readonly<Record<string, string>>;
  /** Overrides of the processor's sizing (tests use a short timeout). */
  processorTimeoutSeconds?: number;
  /** PostgreSQL's `synchronous_commit` (the bench measures both). @default settings.localRuntime.durableCommits */
  durableCommits?: boolean;
  /**
   * Shards of the stream when this start creates it: a stream kept in the data dir keeps its own, so
   * another count needs a fresh data dir. @default settings.stream.shardCount
   */
  shardCount?: number;
  /** PostgreSQL settings for this run (a bench turns on `log_lock_waits`); the log is `POSTGRES_LOG_FILE`. */
  postgresSettings?: Readonly<Record<string, string>>;
  /** Faults to inject on the functions' calls (`npm start -- --chaos`); the runtime's own clients stay direct. */
  chaos?: { rules: readonly ChaosRule[]; seed: number };
  /** Aborts the start-up (a signal arrived): what started is stopped, and the start rejects. */
  signal?: AbortSignal;
  /** Called as each part comes up, for progress output. */
  onStep?: (step: string, elapsedMs: number) => void;
  /** Told of each part that dies, comes back, or cannot come back. */
  onPartEvent?: (event: SupervisionEvent) => void;
}

export interface LocalRuntime {
  apiUrl: string;
  streamName: string;
  bucketName: string;
  deadLetterPath: string;
  /** Environment the handlers run with (endpoints, names, ARNs). */
  env: Readonly<Record<string, string>>;
  /** What the runtime's local cloud serves, in the variables each function reads. */
  functionEnv: Readonly<Record<string, string>>;
  /** The endpoints the functions reach: the chaos proxies' with `chaos`, else the local cloud's. */
  functionEndpoints: Readonly<Record<string, string>>;
  /** The faults injected on the functions' calls, when the runtime started with `chaos`. */
  chaos?: Chaos;
  kinesis: KinesisClient;
  s3: S3Client;
  mapping: KinesisEventSourceMapping;
  /** The processor's metrics, as CloudWatch would keep them; also served at {@link LOCAL_METRICS_PATH}. */
  processorMetrics: ProcessorMetricsLog;
  /** The pid of each part now (they change when a part is restarted). */
  parts(): PartPids;
  /** Resolves once a part cannot come back; the runtime has then stopped, or is stopping. */
  failed: Promise<PartUnavailableError>;
  /**
   * Resolves once every record on the stream has been handed to the processor and checkpointed; rejects
   * if a part cannot come back, or at the timeout (naming the part that is down, if one is).
   */
  waitUntilProcessed(options?: {
    timeoutMs?: number;
    /** `waitingFor` names the part that is down while one is. */
    onProgress?: (delivered: number, waitingFor?: string) => void;
  }): Promise<void>;
  stop(): Promise<void>;
}

const repositoryRoot = fileURLToPath(new URL('..', import.meta.url));
const MIGRATIONS_DIR = join(repositoryRoot, 'db', 'migrations');
/** The event-source mapping's checkpoints inside the data dir. */
export const CHECKPOINTS_DIR = 'checkpoints';
/** Where the API front serves the processor's metrics (JSON): outside every route of the api. */
export const LOCAL_METRICS_PATH = '/_local/metrics';

/**
 * Starts everything, in dependency order; stops what already started if a later part fails.
 */
export async function startLocalRuntime(options: LocalRuntimeOptions): Promise<LocalRuntime> {
  const started = performance.now();
  const step = (name: string) => options.onStep?.(name, Math.round(performance.now() - started));
  const stops: Array<() => Promise<unknown>> = [];
  let stopping: Promise<void> | undefined;
  let standDown: (() => void) | undefined;
  // Once, whoever asks first (a signal, a part that cannot come back, a failed start-up).
  const stopAll = () => {
    stopping ??= (async () => {
      // First of all: a part that ends while the rest winds down is not brought back.
      standDown?.();
      for (const stop of stops.splice(0).reverse()) await stop().catch(() => undefined);
    })();
    return stopping;
  };

  const aborted = () => options.signal?.throwIfAborted();

  try {
    await mkdir(options.dataDir, { recursive: true });
    const cloud = await startLocalCloud({
      dataDir: options.dataDir,
      durableCommits: options.durableCommits,
      shardCount: options.shardCount,
      postgresSettings: options.postgresSettings,
      signal: options.signal,
      onEvent: options.onPartEvent,
      onStep: step,
    });
    stops.push(() => cloud.stop());
    standDown = () => cloud.supervisor.standDown();
    const database = cloud.database;

    // The local cloud every function of this process reaches: the SDK reads these itself.
    const cloudEnv = {
      ...LOCAL_CLOUD_CREDENTIALS,
      AWS_ENDPOINT_URL_KINESIS: cloud.kinesisEndpoint,
      AWS_ENDPOINT_URL_S3: cloud.s3Endpoint,
      AWS_ENDPOINT_URL_RDS_DATA: database.dataApiUrl,
      POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'WARN',
    };
    Object.assign(process.env, cloudEnv);
    // The resources, in the variables the stack sets on the functions.
    const functionEnv = {
      [ENV.streamName]: LOCAL_STREAM_NAME,
      [ENV.bucketName]: LOCAL_BUCKET_NAME,
      [ENV.dbClusterArn]: database.resourceArn,
      [ENV.dbSecretArn]: database.secretArn,
      [ENV.dbName]: database.database,
    };
    // The api function reads through the reader's secret: it can SELECT the serving tables, nothing more.
    const apiEnv = { ...functionEnv, [ENV.dbSecretArn]: database.readerSecretArn };
    const env = { ...cloudEnv, ...functionEnv };
    const chaos = options.chaos
      ? await startChaos(options.chaos.rules, options.chaos.seed, {
          kinesis: cloud.kinesisEndpoint,
          s3: cloud.s3Endpoint,
          'data-api': database.dataApiUrl,
        })
      : undefined;
    if (chaos) stops.push(() => chaos.close());
    // The one place the functions' endpoints are chosen: through the chaos proxies when chaos is on.
    const functionEndpoints = {
      AWS_ENDPOINT_URL_KINESIS: chaos?.endpoints.kinesis ?? cloud.kinesisEndpoint,
      AWS_ENDPOINT_URL_S3: chaos?.endpoints.s3 ?? cloud.s3Endpoint,
      AWS_ENDPOINT_URL_RDS_DATA: chaos?.endpoints['data-api'] ?? database.dataApiUrl,
    };

    const kinesis = createKinesisClient();
    const s3 = createS3Client();
    aborted();
    const migrations = await applyMigrations(
      dataApiDatabaseFromEnv(functionEnv),
      await loadMigrations(MIGRATIONS_DIR),
    );
    step(`stream, bucket and schema ready (${migrations.applied.length} migrations applied)`);
    aborted();

    // The factories the Lambda entry points call, each with the environment the stack gives it. The
    // processor's metrics come to the runtime instead of stdout (EMF), to be summarised and served.
    const processorMetrics = new ProcessorMetricsLog();
    const processor = createProcessorHandler(
      { ...functionEnv, ...functionEndpoints, ...options.processorEnv },
      { publishMetrics: processorMetrics.publish },
    );
    const api = createApiHandler(apiEnv);

    const deadLetterPath = join(options.dataDir, DEAD_LETTER_FILE_NAME);
    const streamArn = `arn:aws:kinesis:${LOCAL_REGION}:${LOCAL_ACCOUNT}:stream/${LOCAL_STREAM_NAME}`;
    const processorFunction = localFunction('processor', {
      ...settings.functions.processor,
      timeoutSeconds: options.processorTimeoutSeconds ?? settings.functions.processor.timeoutSeconds,
    });
    const mapping = new KinesisEventSourceMapping(
      kinesis,
      (event) => invokeWithTimeout(processorFunction, (context) => processor(event, context)),
      new DeadLetterFile(deadLetterPath),
      {
        endpoint: cloud.kinesisEndpoint,
        streamName: LOCAL_STREAM_NAME,
        streamArn,
        region: LOCAL_REGION,
        functionArn: `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:processor`,
        batchSize: settings.processor.batchSize,
        maxBatchingWindowSeconds: settings.processor.maxBatchingWindowSeconds,
        bisectBatchOnError: settings.processor.bisectBatchOnError,
        maxRetryAttempts: settings.processor.maxRetryAttempts,
        maxRecordAgeSeconds: settings.processor.maxRecordAgeSeconds,
        parallelizationFactor: settings.processor.parallelizationFactor,
        checkpoints: new CheckpointFiles(join(options.dataDir, CHECKPOINTS_DIR), streamArn),
        ...options.mapping,
      },
      cloud.supervisor,
    );
    await mapping.start();
    stops.push(() => mapping.stop());
    aborted();
    step(`event-source mapping: ${mapping.starts().map(describeStart).join(', ')}`);

    const apiFunction = localFunction('api', settings.functions.api);
    const front: ApiFront = await startApiFront(async (event) => {
      if (event.path === LOCAL_METRICS_PATH) return metricsResponse(processorMetrics);
      if (event.path === LOCAL_CHAOS_PATH) return chaosResponse(event, chaos);
      return invokeWithTimeout(apiFunction, (context) => api(event, context));
    }, options.apiPort);
    stops.push(() => front.close());
    step(`API at ${front.url}`);
    aborted();

    // A part that cannot come back stops the runtime: nothing would be stored any more.
    const failed = cloud.supervisor.failed.then(async (error) => {
      await stopAll();
      return error;
    });

    return {
      apiUrl: front.url,
      streamName: LOCAL_STREAM_NAME,
      bucketName: LOCAL_BUCKET_NAME,
      deadLetterPath,
      env,
      functionEnv,
      functionEndpoints,
      chaos,
      kinesis,
      s3,
      mapping,
      processorMetrics,
      parts: () => cloud.pids(),
      failed,
      waitUntilProcessed: (wait) => waitUntilCaughtUp(mapping, cloud.supervisor, wait),
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

async function waitUntilCaughtUp(
  mapping: KinesisEventSourceMapping,
  supervisor: Supervisor,
  {
    timeoutMs = 600_000,
    onProgress,
  }: { timeoutMs?: number; onProgress?: (delivered: number, waitingFor?: string) => void } = {},
): Promise<void> {
  // Every record put before this call is read once a shard's poll comes back empty after it.
  const since = Date.now();
  const deadline = since + timeoutMs;
  let failure: PartUnavailableError | undefined;
  void supervisor.failed.then((error) => {
    failure = error;
  });
  while (!mapping.caughtUpSince(since)) {
    if (failure) throw failure;
    const down = supervisor.blockedBy();
    if (Date.now() > deadline) {
      const why = down ? `: ${down} is down, and not back yet` : '';
      throw new Error(`the processor did not catch up within ${timeoutMs / 1000} s${why}`);
    }
    onProgress?.(mapping.snapshot().delivered, down);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  onProgress?.(mapping.snapshot().delivered);
}

function describeStart({ shardId, start }: ShardStart): string {
  return start.type === 'TRIM_HORIZON'
    ? `${shardId} from TRIM_HORIZON`
    : `${shardId} after checkpoint ${start.sequenceNumber}`;
}
/** The processor's metrics since the runtime started, by CloudWatch name and dimensions. */
function metricsResponse(metrics: ProcessorMetricsLog): APIGatewayProxyResult {
  return {
    statusCode: 200,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
    body: JSON.stringify({ processor: metrics.totals() }),
  };
}

function localFunction(name: string, sizing: { memorySize: number; timeoutSeconds: number }): LocalFunction {
  return { name, region: LOCAL_REGION, ...sizing };
}
