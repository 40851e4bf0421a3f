/**
 * Migrator Lambda: the onEvent handler of the stack's `Custom::DatabaseMigrations` resource.
 *
 * On Create and Update (the resource carries a hash of the migration files, so a changed migration
 * updates it) it applies the `.sql` files bundled beside it with the same routine the local runtime
 * uses, through the Data API. Delete is a no-op: the schema stays with the database.
 */

import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Logger } from '@aws-lambda-powertools/logger';
import type { CdkCustomResourceEvent, CdkCustomResourceResponse, Context } from 'aws-lambda';
import { dataApiDatabaseFromEnv } from '../shared/database/data-api.js';
import { applyMigrations, loadMigrations } from '../shared/database/migrations.js';
import { DatabaseUnavailableError } from '../shared/errors.js';

const logger = new Logger({ serviceName: 'migrator' });
const MIGRATIONS_DIR = join(import.meta.dirname ?? dirname(fileURLToPath(import.meta.url)), 'migrations');
/** A freshly created cluster may refuse Data API calls for a short while. */
const ATTEMPTS = 5;
const RETRY_DELAY_MS = 10_000;

export const handler = async (
  event: CdkCustomResourceEvent,
  context: Context,
): Promise<CdkCustomResourceResponse> => {
  logger.addContext(context);
  const physicalResourceId =
    event.RequestType === 'Create' ? `migrations:${event.LogicalResourceId}` : event.PhysicalResourceId;
  if (event.RequestType === 'Delete') return { PhysicalResourceId: physicalResourceId };

  const migrations = await loadMigrations(MIGRATIONS_DIR);
  const db = dataApiDatabaseFromEnv();
  for (let attempt = 1; ; attempt++) {
    try {
      const report = await applyMigrations(db, migrations);
      logger.info('migrations applied', { ...report, requestType: event.RequestType });
      return {
        PhysicalResourceId: physicalResourceId,
        Data: { Applied: report.applied.join(','), Skipped: report.skipped.join(',') },
      };
    } catch (error) {
      if (!(error instanceof DatabaseUnavailableError) || attempt >= ATTEMPTS) throw error;
      logger.warn('database unavailable; retrying', { attempt, error });
      await new Promise((resolve) => setTimeout(resolve, RETRY_DELAY_MS));
    }
  }
};
