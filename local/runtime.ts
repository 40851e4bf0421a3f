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
import { CHAOS_HEADER } from '../functions/api/dashboard/chaos-header.js';
import { createKinesisClient, createS3Client } from '../functions/shared/adapters/aws-clients.js';
import { dataApiDatabaseFromEnv } from '../functions/shared/database/data-api.js';
import { applyMigrations, loadMigrations } from '../functions/shared/database/migrations.js';
import { ENV } from '../functions/shared/env.js';
import type { PartUnavailableError } from '../functions/shared/errors.js';
import { settings } from '../functions/shared/settings.js';
import { type ApiFront, startApiFront } from './api-gateway.js';
import { type Chaos, startChaos } from './chaos/chaos.js';
import { chaosResponse, LOCAL_CHAOS_PATH, localJson } from './chaos/chaos-route.js';
import type { ChaosRule } from './chaos/chaos-spec.js';
import { SDK_WARNING_SWITCH } from './cli/node-support.js';
import { DEAD_LETTER_FILE_NAME, DeadLetterFile } from './dead-letter-file.js';
import { KinesisEventSourceMapping, type MappingOptions, type ShardStart } from './event-source-mapping.js';
import { streamBatchMetricsOfLogs } from './execution/emf-metrics.js';
import { type EnvironmentEvent, ExecutionEnvironments } from './execution/execution-environments.js';
import { buildEnvironmentWorker, buildFunctions, type ReloadReport } from './execution/function-builds.js';
import { FunctionLogFiles } from './execution/function-log-files.js';
import { hostedFunctions } from './execution/hosted-functions.js';
import type { EmbeddedFunctionName, FunctionInvoker } from './execution/invocation.js';
import { startInvokeApi } from './lambda-invoke-api.js';
import { LOCAL_CLOUD_CREDENTIALS, type PartPids, startLocalCloud } from './local-cloud.js';
import { ProcessorMetricsLog } from './local-metrics.js';
import {
  LOCAL_BUCKET_NAME,
  LOCAL_REGION,
  LOCAL_STREAM_ARN,
  LOCAL_STREAM_NAME,
  localFunctionArn,
} from './local-resources.js';
import { CheckpointFiles } from './mapping-checkpoints.js';
import type { SupervisionEvent, Supervisor } from './supervision/supervisor.js';

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
  /** Override of the producer's timeout (a test stops a replay with it). */
  producerTimeoutSeconds?: number;
  /** The functions' sources the environments' bundles are built from. @default FUNCTIONS_SOURCE_DIR */
  functionsDir?: string;
  /** Rebuilds a function on save and retires its environments (`npm run dev`); told of each rebuild. */
  onReload?: (report: ReloadReport) => void;
  /** Opens an inspector in each execution environment, on this port and the next free ones. */
  inspectPort?: number;
  /** Told of each execution environment that starts (with its inspector's URL) or ends. */
  onEnvironment?: (event: EnvironmentEvent) => void;
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
  /**
   * The local cloud (endpoints, credentials) and every resource (names, ARNs, the owner's secret), in
   * the variables the functions read: what a client of this runtime needs. Each function's environment
   * holds only its own share of it.
   */
  env: Readonly<Record<string, string>>;
  /** The faults injected on the functions' calls, when the runtime started with `chaos`. */
  chaos?: Chaos;
  kinesis: KinesisClient;
  s3: S3Client;
  mapping: KinesisEventSourceMapping;
  /** The processor's metrics, as CloudWatch would keep them; also served at {@link LOCAL_METRICS_PATH}. */
  processorMetrics: ProcessorMetricsLog;
  /** The functions' execution environments: each invocation runs in one. */
  environments: ExecutionEnvironments;
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
/**
 * The functions the runtime runs in execution environments: the producer (a replay of a local CSV is
 * an invocation of it, with a file source), the processor and the api.
 */
const HOSTED_FUNCTIONS = ['producer', 'processor', 'api'] as const satisfies readonly EmbeddedFunctionName[];
/** The hosted functions' bundles inside the data dir, built at each start. */
export const BUNDLES_DIR = 'bundles';
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
    // The functions are built by esbuild's process while the cloud starts.
    const bundlesDir = join(options.dataDir, BUNDLES_DIR);
    let environments: ExecutionEnvironments | undefined;
    const building = buildFunctions(HOSTED_FUNCTIONS, {
      bundlesDir,
      functionsDir: options.functionsDir,
      // A rebuild retires the environments of the functions it changed, then is reported.
      onReload:
        options.onReload &&
        ((reload) => {
          if (reload.kind === 'reloaded') environments?.retire(reload.functions);
          options.onReload?.(reload);
        }),
    });
    stops.push(async () => (await building.catch(() => undefined))?.dispose());
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

    // The local cloud every function reaches: the SDK reads these itself.
    const cloudEnv = {
      ...LOCAL_CLOUD_CREDENTIALS,
      AWS_ENDPOINT_URL_KINESIS: cloud.kinesisEndpoint,
      AWS_ENDPOINT_URL_S3: cloud.s3Endpoint,
      AWS_ENDPOINT_URL_RDS_DATA: database.dataApiUrl,
      POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'WARN',
      // The SDK's notice about this Node.js version was given once by npm start (local/cli/node-support.ts).
      ...(process.env[SDK_WARNING_SWITCH] && { [SDK_WARNING_SWITCH]: process.env[SDK_WARNING_SWITCH] }),
    };
    // The resources, in the variables the stack sets on the functions, beside the endpoints.
    const functionEnv = {
      ...cloudEnv,
      [ENV.streamName]: LOCAL_STREAM_NAME,
      [ENV.bucketName]: LOCAL_BUCKET_NAME,
      [ENV.dbClusterArn]: database.resourceArn,
      [ENV.dbSecretArn]: database.secretArn,
      [ENV.dbName]: database.database,
    };
    const chaos = options.chaos
      ? await startChaos(options.chaos.rules, options.chaos.seed, {
          kinesis: cloud.kinesisEndpoint,
          s3: cloud.s3Endpoint,
          'data-api': database.dataApiUrl,
        })
      : undefined;
    if (chaos) stops.push(() => chaos.close());
    // The one place the functions' endpoints are chosen: through the chaos proxies when chaos is on.
    // The runtime's own clients (the mapping, the migrations, the CLIs) reach the cloud directly.
    const functionEndpoints = {
      AWS_ENDPOINT_URL_KINESIS: chaos?.endpoints.kinesis ?? cloud.kinesisEndpoint,
      AWS_ENDPOINT_URL_S3: chaos?.endpoints.s3 ?? cloud.s3Endpoint,
      AWS_ENDPOINT_URL_RDS_DATA: chaos?.endpoints['data-api'] ?? database.dataApiUrl,
    };

    const kinesis = createKinesisClient(functionEnv);
    const s3 = createS3Client(functionEnv);
    aborted();
    const migrations = await applyMigrations(
      dataApiDatabaseFromEnv(functionEnv),
      await loadMigrations(MIGRATIONS_DIR),
    );
    step(`stream, bucket and schema ready (${migrations.applied.length} migrations applied)`);
    aborted();

    // The deployed bundles, each run in execution environments with the environment the stack gives
    // its function. The processor's metrics (EMF lines in its output) come to the runtime, to be
    // summarised and served.
    await building;
    step(`functions built${options.onReload ? ', rebuilt on save' : ''}`);
    aborted();
    const logs = new FunctionLogFiles(options.dataDir);
    stops.push(() => logs.close());
    const parallelizationFactor =
      options.mapping?.parallelizationFactor ?? settings.processor.parallelizationFactor;
    environments = new ExecutionEnvironments({
      functions: hostedFunctions({
        cloudEnv,
        functionEndpoints,
        database,
        processorEnv: options.processorEnv,
        processorTimeoutSeconds: options.processorTimeoutSeconds,
        producerTimeoutSeconds: options.producerTimeoutSeconds,
        // The mapping invokes each lane one batch at a time.
        processorConcurrency: () => Math.max(1, mapping.starts().length) * parallelizationFactor,
        debugging: options.inspectPort !== undefined,
      }),
      bundlesDir,
      workerScript: buildEnvironmentWorker(bundlesDir),
      region: LOCAL_REGION,
      logs,
      inspectPort: options.inspectPort,
      onEnvironment: options.onEnvironment,
    });
    stops.push(() => environments.stop());
    const processorMetrics = new ProcessorMetricsLog();
    environments.observe(({ name, outcome }) => {
      const batch = name === 'processor' ? streamBatchMetricsOfLogs(outcome.logs) : undefined;
      if (batch) processorMetrics.publish(batch);
    });

    const deadLetterPath = join(options.dataDir, DEAD_LETTER_FILE_NAME);
    const mapping: KinesisEventSourceMapping = new KinesisEventSourceMapping(
      kinesis,
      (event) => resultOf(environments, 'processor', event),
      new DeadLetterFile(deadLetterPath),
      {
        endpoint: cloud.kinesisEndpoint,
        streamName: LOCAL_STREAM_NAME,
        streamArn: LOCAL_STREAM_ARN,
        region: LOCAL_REGION,
        functionArn: localFunctionArn('processor'),
        batchSize: settings.processor.batchSize,
        maxBatchingWindowSeconds: settings.processor.maxBatchingWindowSeconds,
        bisectBatchOnError: settings.processor.bisectBatchOnError,
        maxRetryAttempts: settings.processor.maxRetryAttempts,
        maxRecordAgeSeconds: settings.processor.maxRecordAgeSeconds,
        parallelizationFactor: settings.processor.parallelizationFactor,
        checkpoints: new CheckpointFiles(join(options.dataDir, CHECKPOINTS_DIR), LOCAL_STREAM_ARN),
        ...options.mapping,
      },
      cloud.supervisor,
    );
    await mapping.start();
    stops.push(() => mapping.stop());
    aborted();
    step(`event-source mapping: ${mapping.starts().map(describeStart).join(', ')}`);

    const front: ApiFront = await startApiFront(async (event) => {
      // The processor's metrics since the runtime started, by CloudWatch name and dimensions.
      if (event.path === LOCAL_METRICS_PATH) return localJson(200, { processor: processorMetrics.totals() });
      if (event.path === LOCAL_CHAOS_PATH) return chaosResponse(event, chaos);
      const result = await resultOf<APIGatewayProxyResult>(environments, 'api', event);
      return chaos ? { ...result, headers: { ...result.headers, [CHAOS_HEADER]: 'on' } } : result;
    }, options.apiPort);
    stops.push(() => front.close());
    step(`API at ${front.url}`);
    aborted();

    // Lambda's Invoke API for `npm run invoke` and any Lambda client: the same execution environments.
    const invokeApi = await startInvokeApi(environments);
    stops.push(() => invokeApi.close());
    step(`Lambda Invoke API at ${invokeApi.url}`);

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
      env: { ...functionEnv, AWS_ENDPOINT_URL_LAMBDA: invokeApi.url },
      chaos,
      kinesis,
      s3,
      mapping,
      processorMetrics,
      environments,
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

/**
 * Invokes a function and hands back its result; a function error is thrown with Lambda's type and
 * message, as the event-source mapping and API Gateway see it.
 */
async function resultOf<T>(invoker: FunctionInvoker, name: EmbeddedFunctionName, event: unknown): Promise<T> {
  const outcome = await invoker.invoke(name, event);
  if (outcome.ok) return outcome.result as T;
  const error = new Error(outcome.error.errorMessage);
  error.name = outcome.error.errorType;
  throw error;
}
