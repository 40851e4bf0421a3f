/**
 * The processor function (Kinesis event source): aggregates and archives each stream batch, publishes
 * the batch's metrics, and reports the resume point through `batchItemFailures` so the mapping retries
 * only what was not stored.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { Context, KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import { createS3Client } from '../shared/adapters/aws-clients.js';
import { S3ObjectStore } from '../shared/adapters/s3-object-store.js';
import { dataApiDatabaseFromEnv } from '../shared/database/data-api.js';
import { ENV, type FunctionEnvironment, requireEnv } from '../shared/env.js';
import { lambdaEntry } from '../shared/lambda-entry.js';
import {
  createPipelineMetrics,
  METRIC_SERVICES,
  publishStreamBatchMetrics,
  type StreamBatchMetrics,
} from '../shared/metrics.js';
import { settings } from '../shared/settings.js';
import { DataApiAggregateStore } from './aggregate-store.js';
import { type ProcessorDeps, processBatch, shardIdOf } from './process-batch.js';
import { streamBatchMetricsOf } from './stream-batch-metrics.js';

export type ProcessorHandler = (
  event: KinesisStreamEvent,
  context: Context,
) => Promise<KinesisStreamBatchResponse>;

/** Receives the metrics of each stream batch. */
export type StreamBatchMetricsPublisher = (batch: StreamBatchMetrics) => void;

export interface ProcessorOverrides {
  /** @default - {@link createProcessorDeps} of the environment */
  deps?: ProcessorDeps;
  /**
   * Where each batch's metrics go (the local runtime keeps them itself).
   * @default - CloudWatch embedded metric format on stdout (Powertools Metrics)
   */
  publishMetrics?: StreamBatchMetricsPublisher;
}

/**
 * The processor's adapters (aggregate store, archive), from the function's environment: what the
 * handler runs `processBatch` with, and what a redrive must run it with too.
 *
 * @param env - `ARCHIVE_BUCKET` and the `DB_*` variables (endpoints from `AWS_ENDPOINT_URL*`)
 */
export function createProcessorDeps(env: FunctionEnvironment): ProcessorDeps {
  return {
    store: new DataApiAggregateStore(dataApiDatabaseFromEnv(env)),
    archive: new S3ObjectStore(createS3Client(env), requireEnv(ENV.bucketName, env)),
  };
}

/**
 * Builds the handler and its collaborators once per cold start (per runtime, locally).
 *
 * @param env - the function's environment: `ARCHIVE_BUCKET` and the `DB_*` variables
 * @param overrides - other adapters (fault injection in unit tests), where the batch metrics go
 */
export function createProcessorHandler(
  env: FunctionEnvironment,
  overrides: ProcessorOverrides = {},
): ProcessorHandler {
  const logger = new Logger({ serviceName: METRIC_SERVICES.processor });
  const deps = overrides.deps ?? createProcessorDeps(env);
  const publishMetrics = overrides.publishMetrics ?? emfPublisher();

  return async (event, context) => {
    logger.addContext(context);
    const first = event.Records[0];
    const batch = first && {
      shardId: shardIdOf(first),
      firstSequence: first.kinesis.sequenceNumber,
      lastSequence: event.Records.at(-1)?.kinesis.sequenceNumber,
    };
    const outcome = await processBatch(event.Records, deps, { signal: deadlineOf(context) });
    if (event.Records.length > 0) publishMetrics(streamBatchMetricsOf(event.Records, outcome));
    if (outcome.failure) {
      logger.error('batch not stored; the mapping will retry it', {
        ...batch,
        step: outcome.failure.step,
        error: outcome.failure.error as Error,
      });
    } else {
      logger.info('batch stored', {
        ...batch,
        records: outcome.records,
        quarantined: outcome.quarantined,
        ...outcome.ingest,
      });
    }
    return outcome.response;
  };
}

/** The Lambda entry point. */
export const handler = lambdaEntry(() => createProcessorHandler(process.env));

function emfPublisher(): StreamBatchMetricsPublisher {
  const metrics = createPipelineMetrics(METRIC_SERVICES.processor);
  return (batch) => publishStreamBatchMetrics(metrics, batch);
}

/**
 * Aborted `deadlineMarginMs` before the function times out: the batch then fails cleanly (its
 * transaction rolled back, no write left in flight) and is retried, instead of being cut off mid-way.
 */
function deadlineOf(context: Context): AbortSignal | undefined {
  const remaining = context.getRemainingTimeInMillis?.();
  if (remaining === undefined) return undefined;
  return AbortSignal.timeout(Math.max(0, remaining - settings.processor.deadlineMarginMs));
}
