/**
 * The LocalStack the end-to-end test runs against: where it answers, whether it is healthy, and the
 * environment that points the AWS SDK and cdklocal at it.
 */
import { DEFAULT_LOCALSTACK_GATEWAY } from '../../scripts/localstack-gateway.js';

/** `LOCALSTACK_ENDPOINT`, or LocalStack's default gateway; no trailing slash. */
export function localStackEndpoint(env: NodeJS.ProcessEnv = process.env): string {
  const raw = env.LOCALSTACK_ENDPOINT?.trim() || DEFAULT_LOCALSTACK_GATEWAY;
  const url = new URL(raw);
  return url.origin;
}

/** The services the stack and the test use; each must be available (not disabled) in LocalStack. */
const REQUIRED_SERVICES = [
  'apigateway',
  'cloudformation',
  'iam',
  'kinesis',
  'lambda',
  'logs',
  's3',
  'sqs',
  'ssm',
  'sts',
] as const;

export interface LocalStackInfo {
  version: string;
  /** True when LocalStack runs in a container (its functions too); false in host mode. */
  isDocker: boolean | undefined;
}

const START_HINT =
  'Start it first: `npm run localstack:host` (no Docker: LocalStack on the host with the process Lambda ' +
  'executor) or `npm run localstack:up` (Docker compose), or point LOCALSTACK_ENDPOINT at a running one.';

/**
 * Fails with a message telling the user what to start when nothing healthy answers at the endpoint.
 *
 * @param endpoint - from {@link localStackEndpoint}
 */
export async function checkLocalStack(endpoint: string): Promise<LocalStackInfo> {
  let health: { services?: Record<string, string>; version?: string };
  try {
    const response = await fetch(`${endpoint}/_localstack/health`, { signal: AbortSignal.timeout(5_000) });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    health = (await response.json()) as typeof health;
  } catch (error) {
    throw new Error(`no LocalStack answers at ${endpoint} (${errorText(error)}). ${START_HINT}`);
  }
  const services = health.services ?? {};
  const missing = REQUIRED_SERVICES.filter(
    (name) => !['available', 'running'].includes(services[name] ?? ''),
  );
  if (missing.length > 0) {
    const states = missing.map((name) => `${name}=${services[name] ?? 'absent'}`).join(', ');
    throw new Error(`LocalStack at ${endpoint} lacks services the stack needs: ${states}`);
  }
  let isDocker: boolean | undefined;
  try {
    const response = await fetch(`${endpoint}/_localstack/info`, { signal: AbortSignal.timeout(5_000) });
    if (response.ok) isDocker = ((await response.json()) as { is_docker?: boolean }).is_docker;
  } catch {
    // older or trimmed-down images may not serve /_localstack/info; the endpoint rules then apply as is
  }
  return { version: health.version ?? 'unknown', isDocker };
}

/**
 * The variables that point the AWS SDK (in the test and in cdklocal's child processes) at LocalStack,
 * with LocalStack's fixed test account and region.
 *
 * @param endpoint - from {@link localStackEndpoint}
 */
export function localStackAwsEnvironment(endpoint: string): Record<string, string> {
  return {
    AWS_ENDPOINT_URL: endpoint,
    AWS_ENDPOINT_URL_S3: endpoint,
    AWS_S3_FORCE_PATH_STYLE: '1',
    AWS_REGION: 'us-east-1',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
  };
}

export function errorText(error: unknown): string {
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
    return `${error.message}${cause}`;
  }
  return String(error);
}
