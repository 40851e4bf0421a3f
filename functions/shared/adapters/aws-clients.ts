/**
 * AWS SDK clients, configured from a function's environment. On AWS the endpoints are the SDK's own;
 * on LocalStack and the local runtime they come from the standard `AWS_ENDPOINT_URL*` variables, so one
 * bundle runs everywhere. Retries are chosen per use: a caller that retries itself (the producer, a
 * transaction) gets a client that does not retry behind its back.
 */
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { RDSDataClient } from '@aws-sdk/client-rds-data';
import { S3Client } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { FunctionEnvironment } from '../env.js';

export interface ClientOptions {
  /** Attempts per call, the first included. @default 3 (the SDK's standard retry strategy) */
  maxAttempts?: number;
  /** Socket inactivity after which a call fails. @default - none (the caller's abort signal bounds it) */
  requestTimeoutMs?: number;
}

const CONNECTION_TIMEOUT_MS = 5_000;

/**
 * What every client shares: the endpoint for its service (`AWS_ENDPOINT_URL_<SERVICE>`, else
 * `AWS_ENDPOINT_URL`, else the SDK's default), the attempts, and the HTTP handler with its timeouts.
 */
function clientConfig(
  env: FunctionEnvironment,
  service: 'KINESIS' | 'S3' | 'RDS_DATA',
  options: ClientOptions,
) {
  return {
    endpoint: env[`AWS_ENDPOINT_URL_${service}`] || env.AWS_ENDPOINT_URL || undefined,
    maxAttempts: options.maxAttempts,
    requestHandler: new NodeHttpHandler({
      connectionTimeout: CONNECTION_TIMEOUT_MS,
      requestTimeout: options.requestTimeoutMs,
      // Without it the handler only logs a warning when the timeout passes, and the call waits on.
      throwOnRequestTimeout: true,
    }),
  };
}

/** Kinesis defaults to HTTP/2, which plain-HTTP emulators do not speak; HTTP/1.1 works everywhere. */
export function createKinesisClient(
  env: FunctionEnvironment = process.env,
  options: ClientOptions = {},
): KinesisClient {
  return new KinesisClient(clientConfig(env, 'KINESIS', options));
}

/** Path-style addressing works with every emulator and needs no wildcard DNS; AWS accepts it too. */
export function createS3Client(
  env: FunctionEnvironment = process.env,
  options: ClientOptions = {},
): S3Client {
  const config = clientConfig(env, 'S3', options);
  return new S3Client({ ...config, forcePathStyle: config.endpoint !== undefined });
}

export function createRdsDataClient(
  env: FunctionEnvironment = process.env,
  options: ClientOptions = {},
): RDSDataClient {
  return new RDSDataClient(clientConfig(env, 'RDS_DATA', options));
}
