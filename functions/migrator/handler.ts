/**
 * The migrator function: applies the `.sql` files bundled beside it with the same routine the local
 * runtime uses, through the Data API.
 *
 * Two callers, one behaviour:
 * - the stack's `Custom::DatabaseMigrations` resource (AWS, LocalStack Pro): Create and Update apply the
 *   migrations (the resource carries a hash of the files, so a changed migration updates it); Delete is
 *   a no-op, the schema stays with the database;
 * - a direct invocation with an empty event (`npm run deploy:localstack`, because LocalStack community
 *   does not run custom resources): applies the migrations and returns the report.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Logger } from '@aws-lambda-powertools/logger';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { CdkCustomResourceEvent, CdkCustomResourceResponse, Context } from 'aws-lambda';
import { dataApiDatabaseFromEnv } from '../shared/database/data-api.js';
import {
  applyMigrations,
  loadMigrations,
  MIGRATIONS_BUNDLE_FOLDER,
  type MigrationReport,
} from '../shared/database/migrations.js';
import { ENV, type FunctionEnvironment } from '../shared/env.js';
import { DatabaseUnavailableError } from '../shared/errors.js';
import { lambdaEntry } from '../shared/lambda-entry.js';
import { retry } from '../shared/retry.js';
import { settings } from '../shared/settings.js';
import { applyReaderPassword } from './reader-password.js';

const MIGRATIONS_DIR = join(
  import.meta.dirname ?? dirname(fileURLToPath(import.meta.url)),
  MIGRATIONS_BUNDLE_FOLDER,
);

/** A direct invocation: no CloudFormation fields. */
type DirectInvocation = { RequestType?: undefined };

export type MigratorHandler = (
  event: CdkCustomResourceEvent | DirectInvocation,
  context: Context,
) => Promise<CdkCustomResourceResponse | MigrationReport>;

/**
 * Builds the handler and its clients once per cold start.
 *
 * @param env - the function's environment: the owner's `DB_*` variables, and on AWS
 *   `DB_READER_SECRET_ARN`, the read-only role's secret
 */
export function createMigratorHandler(env: FunctionEnvironment): MigratorHandler {
  const logger = new Logger({ serviceName: 'migrator' });
  const db = dataApiDatabaseFromEnv(env);
  // On AWS the read-only role's password lives in a secret of its own (not on LocalStack, where the
  // local Data API server owns the roles).
  const readerSecretArn = env[ENV.dbReaderSecretArn];
  const secrets = readerSecretArn ? new SecretsManagerClient({}) : undefined;

  const migrate = async (trigger: string): Promise<MigrationReport> => {
    const migrations = await loadMigrations(MIGRATIONS_DIR);
    return retry(
      async () => {
        const report = await applyMigrations(db, migrations);
        logger.info('migrations applied', { ...report, trigger });
        if (readerSecretArn && secrets) {
          const role = await applyReaderPassword(db, secrets, readerSecretArn);
          logger.info('read-only role given its secret', { role });
        }
        return report;
      },
      settings.database.migrationRetry,
      {
        retryable: (error) => error instanceof DatabaseUnavailableError,
        onRetry: ({ attempt, delayMs, error }) =>
          logger.warn('database unavailable; retrying', { attempt, delayMs, error }),
      },
    );
  };

  return async (event, context) => {
    logger.addContext(context);
    if (event.RequestType === undefined) return migrate('direct');
    if (event.RequestType === 'Delete') return { PhysicalResourceId: event.PhysicalResourceId };

    const report = await migrate(event.RequestType);
    return {
      PhysicalResourceId:
        event.RequestType === 'Create' ? `migrations:${event.LogicalResourceId}` : event.PhysicalResourceId,
      Data: { Applied: report.applied.join(','), Skipped: report.skipped.join(',') },
    };
  };
}

/** The Lambda entry point. */
export const handler = lambdaEntry(() => createMigratorHandler(process.env));
