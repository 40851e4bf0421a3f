/**
 * The producer's Lambda adapter: replays a CSV (an S3 object, or the bundled sample) onto the stream.
 *
 * Event: `{ "source"?: { "bucket": "…", "key": "…" }, "limit"?: n, "rate"?: n, "speed"?: x,
 * "aggregate"?: false, "fromLine"?: n, "encoding"?: "latin1" }` (replay-request.ts).
 * Returns the replay result and publishes it as the run's metrics; rows that are not sent go to
 * `rejected/<source>/<run>/` in the archive bucket. A replay that must stop early (Kinesis unreachable
 * too long, or the function's timeout near) returns `stopped` with the line to resume from: invoke
 * again with `"fromLine"` set to it.
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
import { createProducer } from './producer.js';
import { ObjectStoreRejectSink } from './reject-sinks.js';
import type { ReplayResult } from './replay.js';
import { replayRequestSchema, requestedReplay } from './replay-request.js';
import { runMetricsOf } from './run-metrics.js';
import { readS3Object } from './s3-object-reader.js';

const eventSchema = replayRequestSchema
  .extend({ source: z.object({ bucket: z.string().min(1), key: z.string().min(1) }).optional() })
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
    const deadline = stopBeforeTimeout(context);
    try {
      const result = await producer.replay(input, rejects, {
        ...requestedReplay(request),
        signal: deadline.signal,
        onProgress: (progress) => logger.info('replay progress', { ...progress }),
      });
      publishRunMetrics(metrics, runMetricsOf(result));
      logger.info('replay finished', { ...result, rejectsAt: rejects.location() });
      if (result.stopped) {
        logger.warn('replay stopped early: invoke again with fromLine to resume', { ...result.stopped });
      }
      return result;
    } finally {
      deadline.clear();
    }
  };
}

/**
 * Aborted `settings.producer.stopBeforeTimeoutSeconds` before the function would time out, or halfway
 * there when it has less than twice that left (a shorter timeout must still leave time to replay).
 */
function stopBeforeTimeout(context: Context): { signal: AbortSignal; clear: () => void } {
  const controller = new AbortController();
  const remaining = context.getRemainingTimeInMillis();
  const ms = Math.max(remaining - settings.producer.stopBeforeTimeoutSeconds * 1000, remaining / 2);
  const timer = setTimeout(() => controller.abort('the function is about to time out'), ms);
  return { signal: controller.signal, clear: () => clearTimeout(timer) };
}
