/**
 * The defaults every pipeline Lambda shares, in one place: runtime, ESM bundle built by the local
 * esbuild (never Docker), source maps, an explicit log group with retention and a role that may write
 * only to that log group.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { settings } from '../../functions/shared/settings.js';
import { acknowledgeNag } from '../nag.js';
import { PROJECT_ROOT, projectPath } from '../project-paths.js';

/** A file or folder of the repository copied into the function's bundle. */
export interface BundledFile {
  /** Path relative to the repository root, e.g. `db/migrations`. */
  readonly source: string;
  /** Path relative to the bundle root (beside `index.mjs`), e.g. `migrations`. */
  readonly target: string;
}

export interface PipelineFunctionProps {
  /** Folder under `functions/` whose `handler.ts` exports `handler`, e.g. `producer`. */
  readonly name: string;
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
   * Files copied beside the bundle, read by the handler relative to `import.meta.dirname`.
   * @default - none
   */
  readonly bundledFiles?: readonly BundledFile[];
  /**
   * Commands that write generated files into the bundle folder, run after esbuild (e.g. a build of
   * browser assets the handler serves).
   * @default - none
   */
  readonly generateFiles?: (bundleDir: string) => string[];
  /**
   * What happens to the log group when it leaves the stack.
   * @default RemovalPolicy.RETAIN
   */
  readonly logRemovalPolicy?: RemovalPolicy;
  /**
   * @default - none
   */
  readonly description?: string;
}

/** Retention of every log group of the stack, from `settings.functions.logRetentionDays`. */
export const LOG_RETENTION: logs.RetentionDays = toRetentionDays(settings.functions.logRetentionDays);

/** Lets ESM bundles load the CommonJS dependencies esbuild keeps as `require` calls. */
const ESM_REQUIRE_SHIM =
  "import { createRequire as __pipelineCreateRequire } from 'node:module';" +
  'const require = __pipelineCreateRequire(import.meta.url);';

/**
 * A `NodejsFunction` with the pipeline's defaults. It is `IGrantable`, so L2 grants take it directly:
 * `stream.grantWrite(producer)`.
 */
export class PipelineFunction extends Construct implements iam.IGrantable {
  readonly function: NodejsFunction;
  readonly logGroup: logs.LogGroup;
  readonly grantPrincipal: iam.IPrincipal;

  constructor(scope: Construct, id: string, props: PipelineFunctionProps) {
    super(scope, id);

    const bundledFiles = props.bundledFiles ?? [];
    for (const file of bundledFiles) {
      if (!existsSync(projectPath(file.source))) {
        throw new Error(`${this.node.path}: ${file.source} is missing; it is bundled with the function`);
      }
    }

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

    this.function = new NodejsFunction(this, 'Function', {
      entry: projectPath('functions', props.name, 'handler.ts'),
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: projectPath('package-lock.json'),
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: props.architecture ?? lambda.Architecture.X86_64,
      memorySize: props.sizing.memorySize,
      timeout: Duration.seconds(props.sizing.timeoutSeconds),
      description: props.description,
      role,
      logGroup: this.logGroup,
      environment: { NODE_OPTIONS: '--enable-source-maps', ...props.environment },
      bundling: {
        format: OutputFormat.ESM,
        banner: ESM_REQUIRE_SHIM,
        mainFields: ['module', 'main'],
        minify: true,
        sourceMap: true,
        sourcesContent: false,
        // Bundle the AWS SDK too: the same bundle runs where the Lambda runtime's SDK is absent.
        externalModules: [],
        forceDockerBundling: false,
        commandHooks: {
          beforeBundling: () => [],
          beforeInstall: () => [],
          afterBundling: (inputDir, outputDir) => [
            ...bundledFiles.map((file) =>
              copyCommand(join(inputDir, file.source), join(outputDir, file.target)),
            ),
            ...(props.generateFiles?.(outputDir) ?? []),
          ],
        },
      },
    });
    this.grantPrincipal = this.function.grantPrincipal;

    acknowledgeNag(this.function, {
      id: 'AwsSolutions-L1',
      reason:
        'Pinned to nodejs22.x on purpose: LocalStack 4.14 and the bundle target (node22) are tested with it; ' +
        'moving to a newer runtime is a deliberate change of settings, tests and bundle target together.',
    });
  }
}

/**
 * A shell command (bash or cmd) that copies a file or folder with Node itself, so no `cp` is needed.
 */
function copyCommand(from: string, to: string): string {
  const script = "require('node:fs').cpSync(process.argv[1], process.argv[2], { recursive: true })";
  return `node -e "${script}" ${JSON.stringify(from)} ${JSON.stringify(to)}`;
}

function toRetentionDays(days: number): logs.RetentionDays {
  const allowed = Object.values(logs.RetentionDays).filter((value) => typeof value === 'number');
  if (!allowed.includes(days)) {
    throw new Error(`settings.functions.logRetentionDays=${days} is not a CloudWatch Logs retention period`);
  }
  return days as logs.RetentionDays;
}
