/**
 * Producer Lambda: replays a CSV (an S3 object, or the bundled sample) onto the Kinesis stream.
 *
 * Event: `{ "source"?: { "bucket": "…", "key": "…" }, "limit"?: n, "rate"?: n, "speed"?: x }`.
 * Returns the replay result; rows that fail validation go to `rejected/` in the archive bucket.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import { z } from 'zod';
import { createKinesisClient, createS3Client } from '../shared/adapters/aws-clients.js';
import { KinesisRecordPublisher } from '../shared/adapters/kinesis-record-publisher.js';
import { S3ObjectStore } from '../shared/adapters/s3-object-store.js';
import { ENV, requireEnv } from '../shared/env.js';
import { settings } from '../shared/settings.js';
import { bundledSamplePath, openLocalFile, openS3Object } from './csv-input.js';
import { readCommitCsv } from './csv-source.js';
import { pacingOf } from './pacing-options.js';
import { ObjectStoreRejectSink } from './reject-sinks.js';
import { type ReplayResult, replayRows } from './replay.js';

const logger = new Logger({ serviceName: 'producer' });
const s3 = createS3Client();
const publisher = new KinesisRecordPublisher(createKinesisClient(), requireEnv(ENV.streamName));
const archive = new S3ObjectStore(s3, requireEnv(ENV.bucketName));

const eventSchema = z
  .object({
    source: z.object({ bucket: z.string().min(1), key: z.string().min(1) }).optional(),
    limit: z.number().int().positive().optional(),
    rate: z.number().positive().optional(),
    speed: z.number().positive().optional(),
  })
  .strict();

export const handler = async (event: unknown, context: Context): Promise<ReplayResult> => {
  logger.addContext(context);
  const request = eventSchema.parse(event ?? {});
  const source = request.source;
  const input = source
    ? await openS3Object(s3, source.bucket, source.key)
    : openLocalFile(bundledSamplePath());
  logger.info('replay started', { source: source ?? 'bundled sample' });

  const rejects = new ObjectStoreRejectSink(archive, settings.archive.rejectedPrefix);
  const result = await replayRows(
    readCommitCsv(input),
    { publisher, rejects },
    {
      pacing: pacingOf(request),
      limit: request.limit,
      onProgress: (progress) => logger.info('replay progress', { ...progress }),
    },
  );
  logger.info('replay finished', { ...result, rejectsAt: rejects.location() });
  return result;
};
