/**
 * ARNs the local Data API server answers for. They only need to look like AWS's; callers pass
 * them through unchanged (`DB_CLUSTER_ARN`, `DB_SECRET_ARN`).
 *
 * Two secrets, as on AWS: the owner's (processor, migrations) and the reader's (the api function),
 * each mapped to its own PostgreSQL role (`database-roles.ts`).
 */

import { LOCAL_ACCOUNT, LOCAL_REGION } from '../local-resources.js';

/** Default cluster ARN of the local database. */
export const LOCAL_CLUSTER_ARN = `arn:aws:rds:${LOCAL_REGION}:${LOCAL_ACCOUNT}:cluster:infected-code-local`;

/** Default secret ARN of the local database's owner role (`pipeline_owner`). */
export const LOCAL_SECRET_ARN = `arn:aws:secretsmanager:${LOCAL_REGION}:${LOCAL_ACCOUNT}:secret:infected-code-local`;

/** Default secret ARN of the local database's read-only role (`pipeline_reader`). */
export const LOCAL_READER_SECRET_ARN = `arn:aws:secretsmanager:${LOCAL_REGION}:${LOCAL_ACCOUNT}:secret:infected-code-local-reader`;

/** The cluster and secret ARNs a local database serves. */
export interface LocalArns {
  readonly resourceArn: string;
  /** The owner's secret. */
  readonly secretArn: string;
  /** The reader's secret. */
  readonly readerSecretArn: string;
}

/**
 * The ARNs to serve: the defaults, overridden by `DATA_API_RESOURCE_ARN`, `DATA_API_SECRET_ARN`
 * and `DATA_API_READER_SECRET_ARN`.
 *
 * @param env - the environment to read, `process.env` by default
 */
export function localArns(env: NodeJS.ProcessEnv = process.env): LocalArns {
  return {
    resourceArn: env.DATA_API_RESOURCE_ARN?.trim() || LOCAL_CLUSTER_ARN,
    secretArn: env.DATA_API_SECRET_ARN?.trim() || LOCAL_SECRET_ARN,
    readerSecretArn: env.DATA_API_READER_SECRET_ARN?.trim() || LOCAL_READER_SECRET_ARN,
  };
}
