/**
 * The Data API–compatible database the deployed functions use on LocalStack community (which has no
 * RDS): which endpoint to give the stack, and how the test empties it before a run.
 *
 * Only the local emulator is ever touched: a reset goes to a loopback address, and only after the
 * server there answered a query for the local cluster and secret ARNs (`local/data-api/local-arns.ts`).
 */
import { ExecuteStatementCommand, RDSDataClient } from '@aws-sdk/client-rds-data';
import { PIPELINE_SCHEMA } from '../../functions/shared/database/migrations.js';
import { settings } from '../../functions/shared/settings.js';
import { CONTEXT_DEFAULTS } from '../../lib/config.js';
import { LOCAL_CLUSTER_ARN, LOCAL_SECRET_ARN } from '../../local/data-api/local-arns.js';

/** Where `npm run localstack:host` serves the database (scripts/localstack-host/start.sh, DATA_API_PORT). */
export const HOST_MODE_DATA_API = 'http://127.0.0.1:4510';

/** The compose file publishes the `data-api` service here (DATA_API_HOST_PORT, default 8080). */
function composeHostEndpoint(env: NodeJS.ProcessEnv): string {
  return `http://127.0.0.1:${env.DATA_API_HOST_PORT?.trim() || '8080'}`;
}

export interface DataApiChoice {
  /** Passed to the stack as `-c dataApiEndpoint=…`: where the functions call the Data API. */
  forFunctions: string;
  /** Why this one, for the log. */
  reason: string;
}

/**
 * The Data API endpoint for the deployed functions:
 * 1. `LOCALSTACK_DATA_API_ENDPOINT` when set;
 * 2. the host-mode database at http://127.0.0.1:4510 when it answers and LocalStack does not run in a
 *    container (host mode: the functions are host processes and reach the host's loopback);
 * 3. `http://data-api:8080`, the compose service that Lambda containers resolve (Docker mode).
 *
 * @param isDocker - `is_docker` of LocalStack's `/_localstack/info`, when known
 */
export async function chooseDataApiEndpoint(
  isDocker: boolean | undefined,
  env: NodeJS.ProcessEnv = process.env,
): Promise<DataApiChoice> {
  const configured = env.LOCALSTACK_DATA_API_ENDPOINT?.trim();
  if (configured) return { forFunctions: configured, reason: 'LOCALSTACK_DATA_API_ENDPOINT' };
  if (isDocker !== true && (await answersAsLocalDatabase(HOST_MODE_DATA_API))) {
    return { forFunctions: HOST_MODE_DATA_API, reason: 'the host-mode database answers there' };
  }
  return {
    forFunctions: CONTEXT_DEFAULTS.dataApiEndpoint,
    reason:
      isDocker === true
        ? 'LocalStack runs in a container: the compose service name'
        : `nothing answers at ${HOST_MODE_DATA_API}: the compose service name`,
  };
}

/**
 * The endpoint through which the test itself reaches the same database, if it can: the functions'
 * endpoint when it is a loopback address, the compose port when the functions use the compose name.
 *
 * @param forFunctions - from {@link chooseDataApiEndpoint}
 */
export async function reachableFromTest(
  forFunctions: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string | undefined> {
  const candidate = isLoopback(forFunctions)
    ? forFunctions
    : forFunctions === CONTEXT_DEFAULTS.dataApiEndpoint
      ? composeHostEndpoint(env)
      : undefined;
  if (candidate && (await answersAsLocalDatabase(candidate))) return candidate;
  return undefined;
}

/**
 * Drops the pipeline's schema (tables, ledger, applied-migrations record) of the local emulated
 * database, so that the migrator recreates it empty and the aggregates can be compared exactly.
 *
 * @param endpoint - from {@link reachableFromTest}: loopback, verified to serve the local ARNs
 */
export async function dropPipelineSchema(endpoint: string): Promise<void> {
  if (!isLoopback(endpoint)) throw new Error(`refusing to reset a database that is not local: ${endpoint}`);
  await execute(endpoint, `DROP SCHEMA IF EXISTS ${PIPELINE_SCHEMA} CASCADE`);
}

/**
 * Runs one statement as the owner on the local emulated database (the end-to-end test corrupts a
 * serving row with it, to see the batch layer find and repair it).
 *
 * @param endpoint - from {@link reachableFromTest}: loopback, verified to serve the local ARNs
 * @param sql - one statement
 */
export async function runOnLocalDatabase(endpoint: string, sql: string): Promise<void> {
  if (!isLoopback(endpoint))
    throw new Error(`refusing to write to a database that is not local: ${endpoint}`);
  await execute(endpoint, sql);
}

async function answersAsLocalDatabase(endpoint: string): Promise<boolean> {
  try {
    await execute(endpoint, 'SELECT 1', 3_000);
    return true;
  } catch {
    return false;
  }
}

async function execute(endpoint: string, sql: string, timeoutMs = 30_000): Promise<void> {
  const client = new RDSDataClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
    requestHandler: { connectionTimeout: timeoutMs, requestTimeout: timeoutMs },
  });
  try {
    await client.send(
      new ExecuteStatementCommand({
        resourceArn: LOCAL_CLUSTER_ARN,
        secretArn: LOCAL_SECRET_ARN,
        database: settings.database.name,
        sql,
      }),
    );
  } finally {
    client.destroy();
  }
}

function isLoopback(endpoint: string): boolean {
  try {
    const { hostname } = new URL(endpoint);
    return ['127.0.0.1', 'localhost', '[::1]', '::1'].includes(hostname);
  } catch {
    return false;
  }
}
