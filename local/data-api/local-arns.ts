/**
 * ARNs the local Data API server answers for. They only need to look like AWS's; callers pass
 * them through unchanged (`DB_CLUSTER_ARN`, `DB_SECRET_ARN`).
 */

import { LOCAL_ACCOUNT, LOCAL_REGION } from '../local-resources.js';

/** Default cluster ARN of the local database. */
export const LOCAL_CLUSTER_ARN = `arn:aws:rds:${LOCAL_REGION}:${LOCAL_ACCOUNT}:cluster:infected-code-local`;

/** Default secret ARN of the local database. */
export const LOCAL_SECRET_ARN = `arn:aws:secretsmanager:${LOCAL_REGION}:${LOCAL_ACCOUNT}:secret:infected-code-local`;

/**
 * The ARNs to serve: the defaults, overridden by `DATA_API_RESOURCE_ARN` / `DATA_API_SECRET_ARN`.
 *
 * @param env - the environment to read, `process.env` by default
 */
export function localArns(env: NodeJS.ProcessEnv = process.env): { resourceArn: string; secretArn: string } {
  return {
    resourceArn: env.DATA_API_RESOURCE_ARN?.trim() || LOCAL_CLUSTER_ARN,
    secretArn: env.DATA_API_SECRET_ARN?.trim() || LOCAL_SECRET_ARN,
  };
}
