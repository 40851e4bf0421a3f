/**
 * The one migration routine: applies `db/migrations/*.sql` in name order through the Data API.
 *
 * Used by the embedded runtime at start-up and by the stack's deploy-time migration function.
 * Each file runs in its own transaction under an advisory lock, is recorded with a checksum, and is
 * skipped once applied; an applied file whose content changed is an error (migrations are immutable).
 */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Database } from './data-api.js';
import { splitSqlStatements } from './sql-statements.js';

export interface Migration {
  /** File name, e.g. `001_aggregates.sql`; also the version recorded once applied. */
  name: string;
  sql: string;
}

export interface MigrationReport {
  applied: string[];
  skipped: string[];
}

/** The migrations folder, relative to the repository root. */
export const MIGRATIONS_REPOSITORY_PATH = 'db/migrations';
/** The copy of that folder beside the migrator's bundle, where its handler reads it. */
export const MIGRATIONS_BUNDLE_FOLDER = 'migrations';

/** Arbitrary but fixed key of the advisory lock that serialises concurrent migration runs. */
const MIGRATION_LOCK_KEY = 7_391_402_211;

/**
 * The schema that holds every table of the pipeline. Fixed: the SQL of `db/migrations` and of the
 * functions spells it out, so it is a name to find, not a setting to change.
 */
export const PIPELINE_SCHEMA = 'pipeline';

const BOOTSTRAP_STATEMENTS = [
  `CREATE SCHEMA IF NOT EXISTS ${PIPELINE_SCHEMA}`,
  `CREATE TABLE IF NOT EXISTS ${PIPELINE_SCHEMA}.schema_migrations (
     name       text PRIMARY KEY,
     checksum   text NOT NULL,
     applied_at timestamptz NOT NULL DEFAULT now()
   )`,
];

/**
 * Reads the `.sql` files of a migrations folder, sorted by name.
 *
 * @param directory - e.g. `db/migrations`, or the folder bundled beside the migration function
 */
export async function loadMigrations(directory: string): Promise<Migration[]> {
  const names = (await readdir(directory)).filter((name) => name.endsWith('.sql')).sort();
  return Promise.all(
    names.map(async (name) => ({ name, sql: await readFile(join(directory, name), 'utf8') })),
  );
}

/**
 * Applies the migrations not applied yet.
 *
 * @param db - the database, reached through the Data API
 * @param migrations - in the order to apply, as returned by {@link loadMigrations}
 */
export async function applyMigrations(
  db: Database,
  migrations: readonly Migration[],
): Promise<MigrationReport> {
  await db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock(:key::int8)', { key: MIGRATION_LOCK_KEY });
    for (const statement of BOOTSTRAP_STATEMENTS) await tx.query(statement);
  });

  const report: MigrationReport = { applied: [], skipped: [] };
  for (const migration of migrations) {
    const checksum = createHash('sha256').update(migration.sql).digest('hex');
    const applied = await db.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock(:key::int8)', { key: MIGRATION_LOCK_KEY });
      const [existing] = await tx.query<{ checksum: string }>(
        'SELECT checksum FROM pipeline.schema_migrations WHERE name = :name',
        { name: migration.name },
      );
      if (existing) {
        if (existing.checksum !== checksum) {
          throw new Error(
            `migration ${migration.name} was changed after it was applied; add a new file instead`,
          );
        }
        return false;
      }
      for (const statement of splitSqlStatements(migration.sql)) await tx.query(statement);
      await tx.query('INSERT INTO pipeline.schema_migrations (name, checksum) VALUES (:name, :checksum)', {
        name: migration.name,
        checksum,
      });
      return true;
    });
    (applied ? report.applied : report.skipped).push(migration.name);
  }
  return report;
}
