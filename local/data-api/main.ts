/**
 * Container entry of the Data API server (docker/data-api.Dockerfile): serves the RDS Data API in
 * front of an external PostgreSQL.
 *
 *   PGHOST PGPORT (5432)                   the PostgreSQL to serve
 *   PG_SUPERUSER PG_SUPERUSER_PASSWORD     used once at start-up to prepare the owner and reader
 *                                          roles and the pipeline database, never for a request
 *   PGDATABASE (settings.database.name)    the pipeline database to prepare
 *   HOST (127.0.0.1) PORT (8080)           where to listen; the image sets HOST=0.0.0.0, and the
 *                                          compose file publishes the port on 127.0.0.1 only
 *   DATA_API_RESOURCE_ARN DATA_API_SECRET_ARN DATA_API_READER_SECRET_ARN   ARNs (local-arns.ts)
 *   DATA_API_TRANSACTION_IDLE_TIMEOUT_MS DATA_API_MAX_CONNECTIONS_PER_POOL
 *   DATA_API_MAX_OPEN_TRANSACTIONS_PER_POOL DATA_API_MAX_OPEN_TRANSACTIONS   caps (limits.ts)
 */
import { messageOf } from '../../functions/shared/errors.js';
import { settings } from '../../functions/shared/settings.js';
import { pipelineSecrets, preparePipelineDatabase, preparePipelineRoles } from './database-roles.js';
import { capsFromEnv } from './limits.js';
import { localArns } from './local-arns.js';
import { startDataApiServer } from './server.js';

function requireVariable(name: string): string {
  const value = process.env[name]?.trim();
  if (!value) throw new Error(`environment variable ${name} is required`);
  return value;
}

async function main(): Promise<void> {
  const caps = capsFromEnv();
  const postgres = { host: requireVariable('PGHOST'), port: Number(process.env.PGPORT ?? 5432) };
  const superuser = {
    ...postgres,
    user: requireVariable('PG_SUPERUSER'),
    password: requireVariable('PG_SUPERUSER_PASSWORD'),
  };
  const roles = await preparePipelineRoles(superuser);
  await preparePipelineDatabase(superuser, process.env.PGDATABASE?.trim() || settings.database.name);
  // Nothing after start-up needs the superuser.
  delete process.env.PG_SUPERUSER_PASSWORD;

  const arns = localArns();
  const server = await startDataApiServer({
    host: process.env.HOST?.trim() || '127.0.0.1',
    port: Number(process.env.PORT ?? 8080),
    postgres,
    resourceArn: arns.resourceArn,
    secrets: pipelineSecrets(arns, roles),
    caps,
  });
  console.log(`RDS Data API listening on port ${process.env.PORT ?? 8080} (${server.url})`);
  const stop = () => void server.close().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error: unknown) => {
  console.error(`data-api failed to start: ${messageOf(error)}`);
  process.exit(1);
});
