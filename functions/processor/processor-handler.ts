/**
 * The processor's Lambda adapter (Kinesis event source): aggregates and archives each batch, and
 * reports the resume point through `batchItemFailures` so the mapping retries only what was not stored.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { Context, KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import { createS3Client } from '../shared/adapters/aws-clients.js';
import { S3ObjectStore } from '../shared/adapters/s3-object-store.js';
import { dataApiDatabaseFromEnv } from '../shared/database/data-api.js';
import { ENV, type FunctionEnvironment, requireEnv } from '../shared/env.js';
import { settings } from '../shared/settings.js';
import { DataApiAggregateStore } from './aggregate-store.js';
import { type ProcessorDeps, processBatch } from './process-batch.js';
import { shardIdOf } from './stream-batch.js';

export type ProcessorHandler = (
  event: KinesisStreamEvent,
  context: Context,
) => Promise<KinesisStreamBatchResponse>;

/**
 * Builds the handler and its clients once (per cold start in Lambda, per runtime locally).
 *
 * @param env - the function's environment: `ARCHIVE_BUCKET` and the `DB_*` variables
 */
export function createProcessorHandler(env: FunctionEnvironment): ProcessorHandler {
  const logger = new Logger({ serviceName: 'processor' });
  const deps: ProcessorDeps = {
    store: new DataApiAggregateStore(dataApiDatabaseFromEnv(env)),
    archive: new S3ObjectStore(createS3Client(env), requireEnv(ENV.bucketName, env)),
  };

  return async (event, context) => {
    logger.addContext(context);
    const first = event.Records[0];
    const batch = first && {
      shardId: shardIdOf(first),
      firstSequence: first.kinesis.sequenceNumber,
      lastSequence: event.Records.at(-1)?.kinesis.sequenceNumber,
    };
    const outcome = await processBatch(event.Records, deps, { signal: deadlineOf(context) });
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

/**
 * Aborted `deadlineMarginMs` before the function times out: the batch then fails cleanly (its
 * transaction rolled back, no write left in flight) and is retried, instead of being cut off mid-way.
 */
function deadlineOf(context: Context): AbortSignal | undefined {
  const remaining = context.getRemainingTimeInMillis?.();
  if (remaining === undefined) return undefined;
  return AbortSignal.timeout(Math.max(0, remaining - settings.processor.deadlineMarginMs));
}
