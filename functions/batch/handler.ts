/**
 * The batch layer's function. Two callers:
 * - the daily EventBridge schedule (aws target): reconciles, and publishes the number of differences
 *   (`ReconcileDifferences`), which an alarm watches;
 * - a direct invocation (`npm run reconcile|rebuild -- --target deployed`):
 *   `{"action": "reconcile" | "rebuild", "dropUnarchived"?: boolean}`.
 * It answers with the run's report; a rebuild that refused to swap answers `{ "refused": … }`.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import { z } from 'zod';
import { createS3Client } from '../shared/adapters/aws-clients.js';
import { dataApiDatabaseFromEnv } from '../shared/database/data-api.js';
import { ENV, type FunctionEnvironment, requireEnv } from '../shared/env.js';
import { lambdaEntry } from '../shared/lambda-entry.js';
import { createPipelineMetrics, METRIC_SERVICES, publishReconcileMetrics } from '../shared/metrics.js';
import {
  type BatchLayerDeps,
  type BatchRunReport,
  runBatchLayer,
  UnarchivedCommitsError,
} from './batch-run.js';
import { S3RawArchive } from './raw-archive.js';

/** What a direct invocation may ask; an EventBridge scheduled event reconciles. */
const batchRequestSchema = z.union([
  z.object({ source: z.literal('aws.events') }).transform(() => ({ action: 'reconcile' as const })),
  z.object({
    action: z.enum(['reconcile', 'rebuild']).default('reconcile'),
    dropUnarchived: z.boolean().optional(),
  }),
]);

/** The function's answer: the report, or why a rebuild did not swap. */
export type BatchLayerResponse =
  | BatchRunReport
  | { refused: string; unarchived: UnarchivedCommitsError['unarchived'] };

export type BatchLayerHandler = (event: unknown, context: Context) => Promise<BatchLayerResponse>;

export interface BatchLayerOverrides {
  /** @default - the Data API database and the S3 archive the environment names */
  deps?: BatchLayerDeps;
}

/**
 * Builds the handler and its clients once per cold start.
 *
 * @param env - the function's environment: `ARCHIVE_BUCKET` and the owner's `DB_*` variables
 * @param overrides - other adapters
 */
export function createBatchLayerHandler(
  env: FunctionEnvironment,
  overrides: BatchLayerOverrides = {},
): BatchLayerHandler {
  const deps = overrides.deps ?? {
    db: dataApiDatabaseFromEnv(env),
    archive: new S3RawArchive(createS3Client(env), requireEnv(ENV.bucketName, env)),
  };
  const logger = new Logger({ serviceName: METRIC_SERVICES.batch });
  const metrics = createPipelineMetrics(METRIC_SERVICES.batch);

  return async (event, context) => {
    logger.addContext(context);
    const request = batchRequestSchema.parse(event);
    const options = {
      mode: request.action,
      dropUnarchived: 'dropUnarchived' in request ? request.dropUnarchived : undefined,
      log: (message: string) => logger.info(message),
    };
    try {
      const report = await runBatchLayer(deps, options);
      if (report.mode === 'reconcile') publishReconcileMetrics(metrics, report.differenceCount);
      logger.info(`${report.mode} done`, {
        differences: report.differenceCount,
        swapped: report.swapped,
        commits: report.view.commits,
        timings: report.timings,
      });
      return report;
    } catch (error) {
      if (!(error instanceof UnarchivedCommitsError)) throw error;
      logger.warn('rebuild refused', { unarchived: error.unarchived });
      return { refused: error.message, unarchived: error.unarchived };
    }
  };
}

/** The Lambda entry point. */
export const handler = lambdaEntry(() => createBatchLayerHandler(process.env));
