/**
 * A function's configuration comes from its environment: names and ARNs the stack (or the local
 * runtime) fills in. Factories take the environment as a value so the local runtime can give each
 * function its own, as Lambda does; the Lambda entry points pass `process.env`.
 */
import { ConfigurationError } from './errors.js';

/** A function's environment variables, e.g. `process.env`. */
export type FunctionEnvironment = Readonly<Record<string, string | undefined>>;

/** Names of the environment variables the functions read (filled by the stack and the local runtime). */
export const ENV = {
  streamName: 'STREAM_NAME',
  bucketName: 'ARCHIVE_BUCKET',
  dbClusterArn: 'DB_CLUSTER_ARN',
  dbSecretArn: 'DB_SECRET_ARN',
  dbName: 'DB_NAME',
  /**
   * The read-only role's secret, given to the migrator on AWS so that it sets that role's password from
   * it (the api gets it as its `DB_SECRET_ARN`). Unset where the database maps that identity itself.
   */
  dbReaderSecretArn: 'DB_READER_SECRET_ARN',
} as const;

/**
 * Reads a required environment variable, failing fast with a clear message.
 *
 * @param name - the variable name, e.g. `STREAM_NAME`
 * @param env - the function's environment (default `process.env`)
 * @returns its non-empty value
 * @throws ConfigurationError when the variable is missing or empty
 */
export function requireEnv(name: string, env: FunctionEnvironment = process.env): string {
  const value = env[name];
  if (value === undefined || value.trim() === '') {
    throw new ConfigurationError(`environment variable ${name} is required but not set`);
  }
  return value;
}
