/**
 * The defaults every pipeline Lambda shares, in one place: runtime, the function's bundle built by the
 * local esbuild from lib/function-bundles.ts (never Docker), source maps, an explicit log group with
 * retention and a role that may write only to that log group.
 */
import {
  Annotations,
  AssetHashType,
  DockerImage,
  Duration,
  type ILocalBundling,
  RemovalPolicy,
  Stack,
} from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { settings } from '../../functions/shared/settings.js';
import {
  BUNDLE_HANDLER,
  buildFunctionBundle,
  bundleFolder,
  LAMBDA_RUNTIME_NAME,
  NODE_MAJOR_VERSION,
} from '../function-bundles.js';
import { acknowledgeNag } from '../nag.js';
import type { FunctionName } from '../pipeline-functions.js';
import { PROJECT_ROOT } from '../project-paths.js';

/** LocalStack's hot-reload bucket: a function's S3 key in it is a local folder its code is read from. */
export const HOT_RELOAD_BUCKET = 'hot-reload';

/** Code taken from LocalStack's hot-reload bucket instead of an uploaded asset. */
export interface HotReload {
  /** The bundles folder: each function runs the folder `<bundlesDir>/<function>/`. */
  readonly bundlesDir: string;
}

export interface PipelineFunctionProps {
  /** Folder under `functions/` whose `handler.ts` exports `handler`; it names the bundle too. */
  readonly name: FunctionName;
  /** Memory and timeout, from `settings.functions`. */
  readonly sizing: { readonly memorySize: number; readonly timeoutSeconds: number };
  /**
   * Environment variables of the function.
   * @default - only `NODE_OPTIONS=--enable-source-maps`
   */
  readonly environment?: Readonly<Record<string, string>>;
  /**
   * CPU architecture.
   * @default lambda.Architecture.X86_64
   */
  readonly architecture?: lambda.Architecture;
  /**
   * What happens to the log group when it leaves the stack.
   * @default RemovalPolicy.RETAIN
   */
  readonly logRemovalPolicy?: RemovalPolicy;
  /**
   * Run the bundle from its local folder through LocalStack's hot-reload bucket (built there during
   * synthesis, rebuilt on save by `npm run watch:localstack`).
   * @default - the bundle is an asset uploaded with the deployment
   */
  readonly hotReload?: HotReload;
  /**
   * @default - none
   */
  readonly description?: string;
}

/** The props a construct that creates a pipeline function passes through to it. */
export type SharedFunctionProps = Pick<
  PipelineFunctionProps,
  'architecture' | 'logRemovalPolicy' | 'hotReload'
>;

/** Retention of every log group of the stack, from `settings.functions.logRetentionDays`. */
export const LOG_RETENTION: logs.RetentionDays = toRetentionDays(settings.functions.logRetentionDays);

/** The runtime the bundles are built for (lib/function-bundles.ts). */
const LAMBDA_RUNTIME = runtimeNamed(LAMBDA_RUNTIME_NAME);

/**
 * A Lambda function with the pipeline's defaults. It is `IGrantable`, so L2 grants take it directly:
 * `stream.grantWrite(producer)`.
 */
export class PipelineFunction extends Construct implements iam.IGrantable {
  readonly function: lambda.Function;
  readonly logGroup: logs.LogGroup;
  readonly grantPrincipal: iam.IPrincipal;

  constructor(scope: Construct, id: string, props: PipelineFunctionProps) {
    super(scope, id);

    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      retention: LOG_RETENTION,
      removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.RETAIN,
    });

    // Instead of the AWSLambdaBasicExecutionRole managed policy: write access to this log group only.
    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of ${this.node.path}`,
    });
    this.logGroup.grantWrite(role);

    this.function = new lambda.Function(this, 'Function', {
      code: props.hotReload ? this.hotReloadCode(props.name, props.hotReload) : assetCode(props.name),
      handler: BUNDLE_HANDLER,
      runtime: LAMBDA_RUNTIME,
      architecture: props.architecture ?? lambda.Architecture.X86_64,
      memorySize: props.sizing.memorySize,
      timeout: Duration.seconds(props.sizing.timeoutSeconds),
      description: props.description,
      role,
      logGroup: this.logGroup,
      environment: { NODE_OPTIONS: '--enable-source-maps', ...props.environment },
    });
    this.grantPrincipal = this.function.grantPrincipal;

    acknowledgeNag(this.function, {
      id: 'AwsSolutions-L1',
      reason:
        `Pinned to ${LAMBDA_RUNTIME_NAME} on purpose: LocalStack 4.14 and the bundle target (node${NODE_MAJOR_VERSION}) are tested with it; ` +
        'moving to a newer runtime is a deliberate change of settings, tests and bundle target together.',
    });
  }

  /**
   * The code from LocalStack's hot-reload bucket, the key being the bundle's folder. The folder is built
   * here when the synthesis bundles this stack (not for `cdk ls` or a test that skips bundling), so a
   * deployment never points at a folder that does not exist yet.
   */
  private hotReloadCode(name: FunctionName, hotReload: HotReload): lambda.Code {
    const folder = bundleFolder(hotReload.bundlesDir, name);
    if (Stack.of(this).bundlingRequired) buildFunctionBundle(name, folder);
    Annotations.of(this).acknowledgeWarning(
      '@aws-cdk/aws-lambda:codeFromBucketObjectVersionNotSpecified',
      'LocalStack reads the folder the key names on every invocation; there is no object to version',
    );
    return lambda.Code.fromBucket(
      s3.Bucket.fromBucketName(this, 'HotReloadBucket', HOT_RELOAD_BUCKET),
      folder,
    );
  }
}

/**
 * The bundle as an asset: built by {@link buildFunctionBundle} into the folder CDK stages, hashed by
 * its content. The Docker image is never used: the local build either succeeds or fails the synthesis.
 */
function assetCode(name: FunctionName): lambda.Code {
  return lambda.Code.fromAsset(PROJECT_ROOT, {
    assetHashType: AssetHashType.OUTPUT,
    // The image is required by the type only: CDK tries the local bundling first, and it never declines.
    bundling: { image: DockerImage.fromRegistry('dummy'), local: new LocalBundle(name) },
  });
}

/** CDK's local bundling hook over the bundle definition; its `name` keeps each function's cache key apart. */
class LocalBundle implements ILocalBundling {
  constructor(readonly name: FunctionName) {}

  tryBundle(outputDir: string): boolean {
    buildFunctionBundle(this.name, outputDir);
    return true;
  }
}

function runtimeNamed(name: string): lambda.Runtime {
  const runtime = lambda.Runtime.ALL.find((candidate) => candidate.name === name);
  if (!runtime) throw new Error(`aws-cdk-lib knows no Lambda runtime ${name}`);
  return runtime;
}

function toRetentionDays(days: number): logs.RetentionDays {
  const allowed = Object.values(logs.RetentionDays).filter((value) => typeof value === 'number');
  if (!allowed.includes(days)) {
    throw new Error(`settings.functions.logRetentionDays=${days} is not a CloudWatch Logs retention period`);
  }
  return days as logs.RetentionDays;
}
