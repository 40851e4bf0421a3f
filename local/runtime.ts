/**
 * The embedded local cloud: PostgreSQL, the Data API server, a Kinesis emulator and an S3 emulator
 * on loopback, with the pipeline's own handlers wired to them under Lambda semantics.
 *
 * A composition root only: the handlers are the deployed modules, configured through the same
 * environment variables the stack sets, so there is no second implementation of the pipeline.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CreateStreamCommand,
  DescribeStreamSummaryCommand,
  type KinesisClient,
} from '@aws-sdk/client-kinesis';
import { CreateBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { apiHandlerFor } from '../functions/api/handler.js';
import { createProcessorHandler } from '../functions/processor/processor-handler.js';
import { createKinesisClient, createS3Client } from '../functions/shared/adapters/aws-clients.js';
import { dataApiDatabaseFromEnv } from '../functions/shared/database/data-api.js';
import { applyMigrations, loadMigrations } from '../functions/shared/database/migrations.js';
import { ENV } from '../functions/shared/env.js';
import { settings } from '../functions/shared/settings.js';
import { type ApiFront, startApiFront } from './api-gateway.js';
import { DEAD_LETTER_FILE_NAME, DeadLetterFile } from './dead-letter-file.js';
import { type ChildService, startChildService } from './emulators/child-service.js';
import { startKinesisEmulator } from './emulators/kinesis.js';
import { startS3Emulator } from './emulators/s3.js';
import { KinesisEventSourceMapping, type MappingOptions, type ShardStart } from './event-source-mapping.js';
import { invokeWithTimeout, type LocalFunction } from './lambda-context.js';
import { ProcessorMetricsLog } from './local-metrics.js';
import { LOCAL_ACCOUNT, LOCAL_BUCKET_NAME, LOCAL_REGION, LOCAL_STREAM_NAME } from './local-resources.js';
import { CheckpointFiles } from './mapping-checkpoints.js';

export interface LocalRuntimeOptions {
  /** Where PostgreSQL, the archive, the stream and the mapping's checkpoints keep their state. */
  dataDir: string;
  /** Port of the API front; 0 picks a free one. */
  apiPort: number;
  /** Overrides of the event-source mapping settings (tests use small batches). */
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
  /** Called as each part comes up, for progress output. */
  onStep?: (step: string, elapsedMs: number) => void;
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
  kinesis: KinesisClient;
  s3: S3Client;
  mapping: KinesisEventSourceMapping;
  /** The processor's metrics, as CloudWatch would keep them; also served at {@link LOCAL_METRICS_PATH}. */
  processorMetrics: ProcessorMetricsLog;
  /** Resolves once every record on the stream has been handed to the processor and checkpointed. */
  waitUntilProcessed(options?: {
    timeoutMs?: number;
    onProgress?: (delivered: number) => void;
  }): Promise<void>;
  stop(): Promise<void>;
}

const repositoryRoot = fileURLToPath(new URL('..', import.meta.url));
const MIGRATIONS_DIR = join(repositoryRoot, 'db', 'migrations');
/** The PostgreSQL cluster's folder inside the data dir. */
export const POSTGRES_DIR = 'postgres';
/** The Kinesis server's folder inside the data dir: the stream, kept across starts. */
export const KINESIS_DIR = 'kinesis';
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
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    stops.length = 0;
  };

  try {
    await mkdir(options.dataDir, { recursive: true });
    const database = await startDatabaseService(join(options.dataDir, POSTGRES_DIR));
    stops.push(() => database.stop());
    step(`PostgreSQL on 127.0.0.1:${database.info.pgPort}, RDS Data API at ${database.info.dataApiUrl}`);

    const [kinesisEmulator, s3Emulator] = await Promise.all([
      startKinesisEmulator({ dataDir: join(options.dataDir, KINESIS_DIR) }),
      startS3Emulator(join(options.dataDir, 's3')),
    ]);
    stops.push(
      () => kinesisEmulator.stop(),
      () => s3Emulator.stop(),
    );
    step(`Kinesis at ${kinesisEmulator.endpoint}, S3 at ${s3Emulator.endpoint}`);

    // The local cloud every function of this process reaches: the SDK reads these itself.
    const cloudEnv = {
      AWS_REGION: LOCAL_REGION,
      // s3rver only accepts its own fixed key pair; the other emulators accept any.
      AWS_ACCESS_KEY_ID: 'S3RVER',
      AWS_SECRET_ACCESS_KEY: 'S3RVER',
      AWS_ENDPOINT_URL_KINESIS: kinesisEmulator.endpoint,
      AWS_ENDPOINT_URL_S3: s3Emulator.endpoint,
      AWS_ENDPOINT_URL_RDS_DATA: database.info.dataApiUrl,
      POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'WARN',
    };
    Object.assign(process.env, cloudEnv);
    // The resources, in the variables the stack sets on the functions.
    const functionEnv = {
      [ENV.streamName]: LOCAL_STREAM_NAME,
      [ENV.bucketName]: LOCAL_BUCKET_NAME,
      [ENV.dbClusterArn]: database.info.resourceArn,
      [ENV.dbSecretArn]: database.info.secretArn,
      [ENV.dbName]: database.info.database,
    };
    // The api function reads through the reader's secret: it can SELECT the serving tables, nothing more.
    const apiEnv = { ...functionEnv, [ENV.dbSecretArn]: database.info.readerSecretArn };
    const env = { ...cloudEnv, ...functionEnv };

    const kinesis = createKinesisClient();
    const s3 = createS3Client();
    await Promise.all([ensureStream(kinesis), createBucket(s3)]);
    const migrations = await applyMigrations(
      dataApiDatabaseFromEnv(functionEnv),
      await loadMigrations(MIGRATIONS_DIR),
    );
    step(`stream, bucket and schema ready (${migrations.applied.length} migrations applied)`);

    // The factories the Lambda entry points call, each with the environment the stack gives it. The
    // processor's metrics come to the runtime instead of stdout (EMF), to be summarised and served.
    const processorMetrics = new ProcessorMetricsLog();
    const processor = createProcessorHandler(
      { ...functionEnv, ...options.processorEnv },
      { publishMetrics: processorMetrics.publish },
    );
    const api = apiHandlerFor(apiEnv);

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
        endpoint: kinesisEmulator.endpoint,
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
    );
    await mapping.start();
    stops.push(() => mapping.stop());
    step(`event-source mapping: ${mapping.starts().map(describeStart).join(', ')}`);

    const apiFunction = localFunction('api', settings.functions.api);
    const front: ApiFront = await startApiFront(
      async (event) =>
        event.path === LOCAL_METRICS_PATH
          ? metricsResponse(processorMetrics)
          : invokeWithTimeout(apiFunction, (context) => api(event, context)),
      options.apiPort,
    );
    stops.push(() => front.close());
    step(`API at ${front.url}`);

    return {
      apiUrl: front.url,
      streamName: LOCAL_STREAM_NAME,
      bucketName: LOCAL_BUCKET_NAME,
      deadLetterPath,
      env,
      functionEnv,
      kinesis,
      s3,
      mapping,
      processorMetrics,
      waitUntilProcessed: (wait) => waitUntilCaughtUp(mapping, wait),
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

interface DatabaseInfo {
  dataApiUrl: string;
  resourceArn: string;
  /** The owner's secret (processor, migrations). */
  secretArn: string;
  /** The reader's secret (api). */
  readerSecretArn: string;
  database: string;
  pgPort: number;
}

/** PostgreSQL and the Data API server, in a process of their own (`serve-database.ts`). */
function startDatabaseService(dataDir: string): Promise<ChildService<DatabaseInfo>> {
  const entry = fileURLToPath(new URL('./serve-database.ts', import.meta.url));
  return startChildService<DatabaseInfo>(entry, ['--data-dir', dataDir, '--port', '0']);
}

async function waitUntilCaughtUp(
  mapping: KinesisEventSourceMapping,
  { timeoutMs = 600_000, onProgress }: { timeoutMs?: number; onProgress?: (delivered: number) => void } = {},
): Promise<void> {
  // Every record put before this call is read once a shard's poll comes back empty after it.
  const since = Date.now();
  const deadline = since + timeoutMs;
  while (!mapping.caughtUpSince(since)) {
    if (Date.now() > deadline) throw new Error(`the processor did not catch up within ${timeoutMs} ms`);
    onProgress?.(mapping.snapshot().delivered);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  onProgress?.(mapping.snapshot().delivered);
}

/** Creates the stream unless the Kinesis server kept it from an earlier start; waits until it is ACTIVE. */
async function ensureStream(kinesis: KinesisClient): Promise<void> {
  try {
    await kinesis.send(
      new CreateStreamCommand({ StreamName: LOCAL_STREAM_NAME, ShardCount: settings.stream.shardCount }),
    );
  } catch (error) {
    // Kept in the data dir since an earlier start (AWS answers a second CreateStream the same way).
    if (!(error instanceof Error && error.name === 'ResourceInUseException')) throw error;
  }
  for (;;) {
    const { StreamDescriptionSummary } = await kinesis.send(
      new DescribeStreamSummaryCommand({ StreamName: LOCAL_STREAM_NAME }),
    );
    if (StreamDescriptionSummary?.StreamStatus === 'ACTIVE') return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function describeStart({ shardId, start }: ShardStart): string {
  return start.type === 'TRIM_HORIZON'
    ? `${shardId} from TRIM_HORIZON`
    : `${shardId} after checkpoint ${start.sequenceNumber}`;
}

async function createBucket(s3: S3Client): Promise<void> {
  try {
    await s3.send(new CreateBucketCommand({ Bucket: LOCAL_BUCKET_NAME }));
  } catch (error) {
    // The archive persists in the data dir, so the bucket usually exists from an earlier run.
    if (!(error instanceof Error && ['BucketAlreadyOwnedByYou', 'BucketAlreadyExists'].includes(error.name)))
      throw error;
  }
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
