/**
 * Gives the read-only role (created by the migrations, without a password) the password of its own
 * Secrets Manager secret, so that the api function can log in as it through the Data API.
 */
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { z } from 'zod';
import type { Database } from '../shared/database/data-api.js';

const secretSchema = z.object({ username: z.string().min(1), password: z.string().min(1) });

/**
 * @param db - the database, as a role allowed to alter the reader (the cluster's master user)
 * @param secrets - a Secrets Manager client
 * @param secretArn - the reader's secret (`username` and `password`, as RDS secrets hold them)
 * @returns the role whose password was set
 */
export async function applyReaderPassword(
  db: Database,
  secrets: SecretsManagerClient,
  secretArn: string,
): Promise<string> {
  const { SecretString } = await secrets.send(new GetSecretValueCommand({ SecretId: secretArn }));
  const { username, password } = secretSchema.parse(JSON.parse(SecretString ?? '{}'));
  await setRolePassword(db, username, password);
  return username;
}

/**
 * Sets a role's password. `ALTER ROLE` takes no bind parameters, so the values travel as
 * transaction-local settings and PostgreSQL itself quotes them into the statement (`format('%I', '%L')`):
 * no SQL text is assembled from the secret.
 *
 * @param db - the database, as a role allowed to alter `role`
 * @param role - e.g. `pipeline_reader`
 * @param password - the new password
 */
export async function setRolePassword(db: Database, role: string, password: string): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.query(
      `SELECT set_config('pipeline.role_name', :role, true) AS role_name,
         set_config('pipeline.role_password', :password, true) AS role_password`,
      { role, password },
    );
    await tx.query(
      `DO $$ BEGIN
         EXECUTE format('ALTER ROLE %I WITH LOGIN PASSWORD %L',
           current_setting('pipeline.role_name'), current_setting('pipeline.role_password'));
       END $$`,
    );
  });
}
