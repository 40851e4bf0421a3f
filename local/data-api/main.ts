/**
 * Container entry of the Data API server (docker/data-api.Dockerfile): serves the RDS Data API in
 * front of an external PostgreSQL, configured by the standard libpq variables.
 *
 *   PGHOST PGPORT PGUSER PGPASSWORD   the PostgreSQL to serve (the database is each request's `database`)
 *   HOST (0.0.0.0) PORT (8080)        where to listen
 *   DATA_API_RESOURCE_ARN DATA_API_SECRET_ARN   the ARNs to accept (defaults in local-arns.ts)
 */
import { localArns } from './local-arns.js';
import { startDataApiServer } from './server.js';

function requireVariable(name: string): string {
  const value = process.env[name]?.trim();
  if (!value) throw new Error(`environment variable ${name} is required`);
  return value;
}

async function main(): Promise<void> {
  const server = await startDataApiServer({
    host: process.env.HOST?.trim() || '0.0.0.0',
    port: Number(process.env.PORT ?? 8080),
    postgres: {
      host: requireVariable('PGHOST'),
      port: Number(process.env.PGPORT ?? 5432),
      user: requireVariable('PGUSER'),
      password: requireVariable('PGPASSWORD'),
    },
    ...localArns(),
  });
  console.log(`RDS Data API listening on port ${process.env.PORT ?? 8080} (${server.url})`);
  const stop = () => void server.close().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error: unknown) => {
  console.error(`data-api failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
