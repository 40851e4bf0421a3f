/**
 * The deployment configuration: which target the stack is for and how it reaches its database.
 *
 * Everything here comes from CDK context (`-c key=value` or `cdk.json`), read once by `bin/app.ts`.
 * Tunables (sizes, batching, retention) are not context: they live in `functions/shared/settings.ts`.
 */
import { isAbsolute } from 'node:path';
import type { Node } from 'constructs';
import {
  LOCAL_CLUSTER_ARN,
  LOCAL_READER_SECRET_ARN,
  LOCAL_SECRET_ARN,
} from '../local/data-api/local-arns.js';
import type { HotReload } from './constructs/pipeline-function.js';
import { DEFAULT_BUNDLES_DIR } from './function-bundles.js';
import { projectPath } from './project-paths.js';

/** Where the stack is deployed. */
export type DeploymentTarget = 'localstack' | 'aws';

/** CPU architecture of the functions. */
export type FunctionArchitecture = 'x86_64' | 'arm64';

/** An Aurora Serverless v2 PostgreSQL cluster with the Data API, created by the stack. */
export interface AuroraDatabaseConfig {
  readonly kind: 'aurora';
}

/**
 * A Data API–compatible server outside the stack (the compose `data-api` service on LocalStack):
 * no RDS resources, the functions are pointed at its endpoint and the fixed ARNs it accepts.
 */
export interface EmulatedDatabaseConfig {
  readonly kind: 'emulator';
  /** Passed to the functions as `AWS_ENDPOINT_URL_RDS_DATA`. */
  readonly endpoint: string;
  readonly clusterArn: string;
  /** The secret the server maps to the owner role (processor, migrator). */
  readonly secretArn: string;
  /** The secret the server maps to the read-only role (api). */
  readonly readerSecretArn: string;
}

export type DatabaseConfig = AuroraDatabaseConfig | EmulatedDatabaseConfig;

export interface PipelineConfig {
  readonly target: DeploymentTarget;
  readonly stackName: string;
  readonly architecture: FunctionArchitecture;
  readonly database: DatabaseConfig;
  /** LocalStack's gateway as seen by users, for the path-form `ApiPathUrl` output. */
  readonly localstackGateway: string;
  /**
   * The functions run from local folders through LocalStack's hot-reload bucket (`-c hotReload=true`),
   * localstack target only.
   * @default - the bundles are uploaded assets
   */
  readonly hotReload?: HotReload;
  /**
   * Where the alarm topic sends e-mail (`-c alarmEmail=ops@example.com`), aws target only.
   * @default - no subscription: subscribe to the `AlarmTopicArn` output by other means
   */
  readonly alarmEmail?: string;
}

/**
 * Context keys and their defaults; the single place they are spelled. `database` has no fixed default:
 * `emulator` on the localstack target, `aurora` on aws (`-c database=aurora` also works on LocalStack Pro).
 */
export const CONTEXT_DEFAULTS = {
  target: 'localstack',
  stackName: 'InfectedCodePipeline',
  architecture: 'x86_64',
  /** The compose service name: Lambda containers on the compose network resolve it. */
  dataApiEndpoint: 'http://data-api:8080',
  dbClusterArn: LOCAL_CLUSTER_ARN,
  dbSecretArn: LOCAL_SECRET_ARN,
  dbReaderSecretArn: LOCAL_READER_SECRET_ARN,
  localstackGateway: 'http://localhost:4566',
  hotReload: 'false',
  /** Relative paths are taken from the repository root. */
  hotReloadDir: DEFAULT_BUNDLES_DIR,
} as const;

/**
 * The CDK context flags of a hot-reload deployment, for `cdklocal deploy`: `npm run deploy:localstack --
 * --hot-reload` and the end-to-end test pass them.
 *
 * @param bundlesDir - where the functions' folders are built
 */
export function hotReloadContext(bundlesDir: string = CONTEXT_DEFAULTS.hotReloadDir): string[] {
  return ['-c', 'hotReload=true', '-c', `hotReloadDir=${bundlesDir}`];
}

/**
 * Reads the pipeline configuration from CDK context, validating every value.
 *
 * @param node - the app's node, e.g. `app.node`
 * @returns the configuration, defaults filled in
 * @throws Error naming the context key when a value is not one of the allowed ones
 * @example
 * ```ts
 * const app = new App();
 * const config = readPipelineConfig(app.node); // -c target=aws -c stackName=MyCopy
 * ```
 */
export function readPipelineConfig(node: Node): PipelineConfig {
  const target = oneOf(node, 'target', ['localstack', 'aws'], CONTEXT_DEFAULTS.target);
  const databaseKind = oneOf(
    node,
    'database',
    ['emulator', 'aurora'],
    target === 'aws' ? 'aurora' : 'emulator',
  );
  if (target === 'aws' && databaseKind === 'emulator') {
    throw new Error('context database=emulator is only possible with target=localstack; AWS needs Aurora');
  }
  const hotReload = oneOf(node, 'hotReload', ['true', 'false'], CONTEXT_DEFAULTS.hotReload) === 'true';
  if (hotReload && target !== 'localstack') {
    throw new Error(
      "context hotReload=true is only possible with target=localstack: the functions' code comes from " +
        "LocalStack's hot-reload bucket, which AWS does not have",
    );
  }
  const alarmEmail = optionalEmail(node, 'alarmEmail');
  if (alarmEmail !== undefined && target !== 'aws') {
    throw new Error('context alarmEmail is only possible with target=aws, where the stack has alarms');
  }
  return {
    target,
    stackName: text(node, 'stackName', CONTEXT_DEFAULTS.stackName),
    localstackGateway: text(node, 'localstackGateway', CONTEXT_DEFAULTS.localstackGateway).replace(
      /\/+$/,
      '',
    ),
    architecture: oneOf(node, 'architecture', ['x86_64', 'arm64'], CONTEXT_DEFAULTS.architecture),
    database:
      databaseKind === 'aurora'
        ? { kind: 'aurora' }
        : {
            kind: 'emulator',
            endpoint: text(node, 'dataApiEndpoint', CONTEXT_DEFAULTS.dataApiEndpoint),
            clusterArn: text(node, 'dbClusterArn', CONTEXT_DEFAULTS.dbClusterArn),
            secretArn: text(node, 'dbSecretArn', CONTEXT_DEFAULTS.dbSecretArn),
            readerSecretArn: text(node, 'dbReaderSecretArn', CONTEXT_DEFAULTS.dbReaderSecretArn),
          },
    ...(hotReload && {
      hotReload: { bundlesDir: absolutePath(text(node, 'hotReloadDir', CONTEXT_DEFAULTS.hotReloadDir)) },
    }),
    ...(alarmEmail !== undefined && { alarmEmail }),
  };
}

/** One address, as SNS e-mail subscriptions take it: no display name, no list. */
const EMAIL_ADDRESS = /^[^\s@,;<>"]+@[^\s@,;<>"]+\.[^\s@,;<>".]+$/;

function optionalEmail(node: Node, key: string): string | undefined {
  if (node.tryGetContext(key) === undefined) return undefined;
  const value = text(node, key, '');
  if (!EMAIL_ADDRESS.test(value)) {
    throw new Error(`context ${key} must be one e-mail address, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** LocalStack reads a hot-reload folder by its absolute path. */
function absolutePath(path: string): string {
  return isAbsolute(path) ? path : projectPath(path);
}

function text(node: Node, key: string, fallback: string): string {
  const value: unknown = node.tryGetContext(key);
  if (value === undefined || value === null) return fallback;
  // A boolean from cdk.json reads as the text -c key=value gives.
  if (typeof value === 'boolean') return String(value);
  if (typeof value !== 'string' || value.trim() === '') {
    throw new Error(`context ${key} must be a non-empty string, got ${JSON.stringify(value)}`);
  }
  return value.trim();
}

function oneOf<const T extends string>(node: Node, key: string, allowed: readonly T[], fallback: T): T {
  const value = text(node, key, fallback);
  if (!(allowed as readonly string[]).includes(value)) {
    throw new Error(`context ${key} must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`);
  }
  return value as T;
}
