/**
 * The producer function: replays a CSV (an S3 object, a file on the function's filesystem, or by default
 * the sample bundled beside it: csv-source.ts) onto the stream, logging `replay progress` as it goes.
 *
 * Event: `{ "source"?: { "bucket", "key" } | { "file": "/absolute/path.csv" }, …replay-request.ts }`.
 * Returns the replay result, with `rejectsAt` (`s3://…/rejected/<source>/<run>/`) when rows were not
 * sent, and publishes it as the run's metrics. A replay that must stop early (Kinesis unreachable too
 * long, or the function's timeout near) returns `stopped` with the line to resume from (`"fromLine"`).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import { createKinesisClient, createS3Client } from '../shared/adapters/aws-clients.js';
import { KinesisRecordPublisher } from '../shared/adapters/kinesis-record-publisher.js';
import { S3ObjectStore } from '../shared/adapters/s3-object-store.js';
import { ENV, type FunctionEnvironment, requireEnv } from '../shared/env.js';
import { loadShardMap } from '../shared/kinesis-aggregation/load-shard-map.js';
import { ShardMapCache } from '../shared/kinesis-aggregation/shard-map.js';
import { lambdaEntry } from '../shared/lambda-entry.js';
import { createPipelineMetrics, METRIC_SERVICES, publishRunMetrics } from '../shared/metrics.js';
import { settings } from '../shared/settings.js';
import { csvSourceSchema, openCsvSource } from './csv-source.js';
import { ObjectStoreRejectSink } from './reject-sinks.js';
import { type ReplayDeps, type ReplayResult, replayCsv } from './replay.js';
import { replayRequestSchema, requestedReplay } from './replay-request.js';
import { runMetricsOf } from './run-metrics.js';

/** A PutRecords call silent this long has failed (and is retried like any other failure). */
const PUT_TIMEOUT_MS = 30_000;

const eventSchema = replayRequestSchema.extend({ source: csvSourceSchema.optional() }).strict();

/** The replay's result, and where its rows that were not sent are kept, when there were any. */
export type ProducerResult = ReplayResult & { rejectsAt?: string };

/** The messages of the log lines a replay's caller reads (its progress bar follows them). */
export const REPLAY_LOG = { started: 'replay started', progress: 'replay progress' } as const;

export type ProducerHandler = (event: unknown, context: Context) => Promise<ProducerResult>;

/**
 * The stream a replay sends to (the handler's, and `npm run replay -- --stream`'s), from the function's
 * environment: PutRecords without the SDK's own retries (the replay retries each entry itself) and the
 * shard map, read with ListShards only when a replay aggregates and again when a put shows it went stale.
 *
 * @param env - `STREAM_NAME`, and `AWS_ENDPOINT_URL_KINESIS` where Kinesis is emulated
 */
export function createProducerDeps(env: FunctionEnvironment): Required<Omit<ReplayDeps, 'rejects'>> {
  const client = createKinesisClient(env, { maxAttempts: 1, requestTimeoutMs: PUT_TIMEOUT_MS });
  const streamName = requireEnv(ENV.streamName, env);
  return {
    publisher: new KinesisRecordPublisher(client, streamName),
    shardMaps: new ShardMapCache(() => loadShardMap(client, streamName)),
  };
}

/**
 * Builds the handler and its clients once per cold start.
 *
 * @param env - the function's environment: `STREAM_NAME` and `ARCHIVE_BUCKET`
 */
export function createProducerHandler(env: FunctionEnvironment): ProducerHandler {
  const logger = new Logger({ serviceName: METRIC_SERVICES.producer });
  const metrics = createPipelineMetrics(METRIC_SERVICES.producer);
  const stream = createProducerDeps(env);
  const s3 = createS3Client(env);
  const bucket = requireEnv(ENV.bucketName, env);
  const archive = new S3ObjectStore(s3, bucket);

  return async (event, context) => {
    logger.addContext(context);
    const request = eventSchema.parse(event ?? {});
    const { input, name, bytesRead } = openCsvSource(request.source, s3);
    logger.info(REPLAY_LOG.started, { source: name });
    const rejects = new ObjectStoreRejectSink(archive, name);
    const deadline = stopBeforeTimeout(context);
    try {
      const result = await replayCsv(
        input,
        { ...stream, rejects },
        {
          ...requestedReplay(request),
          signal: deadline.signal,
          onProgress: (progress) =>
            logger.info(REPLAY_LOG.progress, { ...progress, bytesRead: bytesRead?.() }),
        },
      );
      publishRunMetrics(metrics, runMetricsOf(result));
      const kept = rejects.location();
      const finished: ProducerResult = { ...result, ...(kept && { rejectsAt: `s3://${bucket}/${kept}` }) };
      logger.info('replay finished', { ...finished });
      if (result.stopped) {
        logger.warn('replay stopped early: invoke again with fromLine to resume', { ...result.stopped });
      }
      return finished;
    } finally {
      deadline.clear();
      input.destroy();
    }
  };
}

/** The Lambda entry point. */
export const handler = lambdaEntry(() => createProducerHandler(process.env));

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
