/**
 * The producer's Lambda adapter: replays a CSV (an S3 object, or the bundled sample) onto the stream.
 *
 * Event: `{ "source"?: { "bucket": "…", "key": "…" }, "limit"?: n, "rate"?: n, "speed"?: x, "aggregate"?: false }`.
 * Returns the replay result and publishes it as the run's metrics; rows that are not sent go to
 * `rejected/<source>/<run>/` in the archive bucket.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import { z } from 'zod';
import { createS3Client } from '../shared/adapters/aws-clients.js';
import { S3ObjectStore } from '../shared/adapters/s3-object-store.js';
import { ENV, type FunctionEnvironment, requireEnv } from '../shared/env.js';
import { createPipelineMetrics, METRIC_SERVICES, publishRunMetrics } from '../shared/metrics.js';
import { settings } from '../shared/settings.js';
import { bundledSamplePath, openLocalFile, SAMPLE_FILE_NAME } from './csv-input.js';
import { pacingOf } from './pacing-options.js';
import { createProducer } from './producer.js';
import { ObjectStoreRejectSink } from './reject-sinks.js';
import type { ReplayResult } from './replay.js';
import { runMetricsOf } from './run-metrics.js';
import { readS3Object } from './s3-object-reader.js';

const eventSchema = z
  .object({
    source: z.object({ bucket: z.string().min(1), key: z.string().min(1) }).optional(),
    limit: z.number().int().positive().optional(),
    rate: z.number().positive().optional(),
    speed: z.number().positive().optional(),
    /** `false` sends one Kinesis record per commit, for consumers that cannot de-aggregate. */
    aggregate: z.boolean().optional(),
  })
  .strict();

export type ProducerHandler = (event: unknown, context: Context) => Promise<ReplayResult>;

/**
 * Builds the handler and its clients once (per cold start in Lambda).
 *
 * @param env - the function's environment: `STREAM_NAME` and `ARCHIVE_BUCKET`
 */
export function createProducerHandler(env: FunctionEnvironment): ProducerHandler {
  const logger = new Logger({ serviceName: METRIC_SERVICES.producer });
  const metrics = createPipelineMetrics(METRIC_SERVICES.producer);
  const s3 = createS3Client(env);
  const producer = createProducer(env);
  const archive = new S3ObjectStore(s3, requireEnv(ENV.bucketName, env));

  return async (event, context) => {
    logger.addContext(context);
    const request = eventSchema.parse(event ?? {});
    const source = request.source;
    const input = source
      ? readS3Object(s3, source.bucket, source.key, settings.producer.sourceRead)
      : openLocalFile(bundledSamplePath());
    logger.info('replay started', { source: source ?? 'bundled sample' });

    const sourceName = source ? `s3://${source.bucket}/${source.key}` : `bundled/${SAMPLE_FILE_NAME}`;
    const rejects = new ObjectStoreRejectSink(archive, sourceName);
    const result = await producer.replay(input, rejects, {
      pacing: pacingOf(request),
      limit: request.limit,
      aggregate: request.aggregate,
      onProgress: (progress) => logger.info('replay progress', { ...progress }),
    });
    publishRunMetrics(metrics, runMetricsOf(result));
    logger.info('replay finished', { ...result, rejectsAt: rejects.location() });
    return result;
  };
}
