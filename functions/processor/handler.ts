/**
 * Processor Lambda (Kinesis event source): aggregates and archives each batch, and reports the
 * resume point through `batchItemFailures` so the mapping retries only what was not stored.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { Context, KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import { createS3Client } from '../shared/adapters/aws-clients.js';
import { S3ObjectStore } from '../shared/adapters/s3-object-store.js';
import { dataApiDatabaseFromEnv } from '../shared/database/data-api.js';
import { ENV, requireEnv } from '../shared/env.js';
import { DataApiAggregateStore } from './aggregate-store.js';
import { processBatch } from './process-batch.js';
import { shardIdOf } from './stream-batch.js';

const logger = new Logger({ serviceName: 'processor' });
const deps = {
  store: new DataApiAggregateStore(dataApiDatabaseFromEnv()),
  archive: new S3ObjectStore(createS3Client(), requireEnv(ENV.bucketName)),
};

export const handler = async (
  event: KinesisStreamEvent,
  context: Context,
): Promise<KinesisStreamBatchResponse> => {
  logger.addContext(context);
  const first = event.Records[0];
  const batch = first && {
    shardId: shardIdOf(first),
    firstSequence: first.kinesis.sequenceNumber,
    lastSequence: event.Records.at(-1)?.kinesis.sequenceNumber,
  };
  const outcome = await processBatch(event.Records, deps);
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
