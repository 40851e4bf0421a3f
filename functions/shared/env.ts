/**
 * Reads a required environment variable once, failing fast with a clear message.
 *
 * @param name - the variable name, e.g. `STREAM_NAME`
 * @returns its non-empty value
 * @throws ConfigurationError when the variable is missing or empty
 */
import { ConfigurationError } from './errors.js';

export function requireEnv(name: string): string {
  const value = process.env[name];
  if (value === undefined || value.trim() === '') {
    throw new ConfigurationError(`environment variable ${name} is required but not set`);
  }
  return value;
}

/** Names of the environment variables the functions read (filled by the stack and the local runtime). */
export const ENV = {
  streamName: 'STREAM_NAME',
  bucketName: 'ARCHIVE_BUCKET',
  dbClusterArn: 'DB_CLUSTER_ARN',
  dbSecretArn: 'DB_SECRET_ARN',
  dbName: 'DB_NAME',
} as const;
