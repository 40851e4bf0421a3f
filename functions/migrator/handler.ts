/**
 * Migrator Lambda: applies the `.sql` files bundled beside it with the same routine the local runtime
 * uses, through the Data API.
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
import { ENV } from '../shared/env.js';
import { DatabaseUnavailableError } from '../shared/errors.js';
import { applyReaderPassword } from './reader-password.js';

const logger = new Logger({ serviceName: 'migrator' });
const MIGRATIONS_DIR = join(
  import.meta.dirname ?? dirname(fileURLToPath(import.meta.url)),
  MIGRATIONS_BUNDLE_FOLDER,
);
/** A freshly created Aurora cluster may refuse Data API calls for a short while. */
const ATTEMPTS = 5;
const RETRY_DELAY_MS = 10_000;

/** A direct invocation: no CloudFormation fields. */
type DirectInvocation = { RequestType?: undefined };

export const handler = async (
  event: CdkCustomResourceEvent | DirectInvocation,
  context: Context,
): Promise<CdkCustomResourceResponse | MigrationReport> => {
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

async function migrate(trigger: string): Promise<MigrationReport> {
  const migrations = await loadMigrations(MIGRATIONS_DIR);
  const db = dataApiDatabaseFromEnv();
  // On AWS the read-only role's password lives in a secret of its own (not on LocalStack, where the
  // local Data API server owns the roles).
  const readerSecretArn = process.env[ENV.dbReaderSecretArn];
  for (let attempt = 1; ; attempt++) {
    try {
      const report = await applyMigrations(db, migrations);
      logger.info('migrations applied', { ...report, trigger });
      if (readerSecretArn) {
        const role = await applyReaderPassword(db, new SecretsManagerClient({}), readerSecretArn);
        logger.info('read-only role given its secret', { role });
      }
      return report;
    } catch (error) {
      if (!(error instanceof DatabaseUnavailableError) || attempt >= ATTEMPTS) throw error;
      logger.warn('database unavailable; retrying', { attempt, error });
      await new Promise((resolve) => setTimeout(resolve, RETRY_DELAY_MS));
    }
  }
}
