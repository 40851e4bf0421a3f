/**
 * Applies `db/migrations` at deploy time: a custom resource backed by the migrator function, which runs
 * the same migration routine as the local runtime through the Data API. The custom resource carries a
 * hash of the migration files, so CloudFormation updates it (and the migrations run) when they change.
 *
 * LocalStack 4.14 community runs no custom resources (it deploys them as no-ops): there,
 * `npm run deploy:localstack` invokes the same migrator directly after the deployment
 * (`npm run migrate -- --target deployed`, with the `MigratorFunctionName` output).
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CustomResource, RemovalPolicy } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct, type IConstruct } from 'constructs';
import { MIGRATIONS_REPOSITORY_PATH } from '../../functions/shared/database/migrations.js';
import { settings } from '../../functions/shared/settings.js';
import { acknowledgeNag, arnFinding } from '../nag.js';
import { projectPath } from '../project-paths.js';
import type { PipelineDatabase } from './database.js';
import { LOG_RETENTION, PipelineFunction, type SharedFunctionProps } from './pipeline-function.js';

export interface DatabaseMigrationsProps extends SharedFunctionProps {
  /** The database to migrate; the migrations run after everything in this construct is deployed. */
  readonly database: PipelineDatabase & IConstruct;
}

export class DatabaseMigrations extends Construct {
  /** Deploy-time hash of the migration files, also a property of the custom resource. */
  readonly migrationsHash: string;
  readonly migrator: PipelineFunction;

  constructor(scope: Construct, id: string, props: DatabaseMigrationsProps) {
    super(scope, id);
    this.migrationsHash = hashMigrations(projectPath(MIGRATIONS_REPOSITORY_PATH));

    this.migrator = new PipelineFunction(this, 'Migrator', {
      name: 'migrator',
      description: 'Applies db/migrations through the RDS Data API (custom resource, or invoked with {})',
      sizing: settings.functions.migrator,
      architecture: props.architecture,
      // The owner identity, and where the read-only role's password is, where the migrator sets it.
      environment: { ...props.database.environment, ...props.database.readerPasswordSource?.environment },
      logRemovalPolicy: props.logRemovalPolicy,
      hotReload: props.hotReload,
    });
    props.database.grantDataApiAccess(this.migrator);
    props.database.readerPasswordSource?.grantRead(this.migrator);

    // Without isCompleteHandler the provider framework is one Lambda and no Step Functions state machine.
    const provider = new cr.Provider(this, 'Provider', {
      onEventHandler: this.migrator.function,
      logGroup: new logs.LogGroup(this, 'ProviderLogGroup', {
        retention: LOG_RETENTION,
        removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.RETAIN,
      }),
    });

    const migrations = new CustomResource(this, 'Resource', {
      serviceToken: provider.serviceToken,
      resourceType: 'Custom::DatabaseMigrations',
      properties: { MigrationsHash: this.migrationsHash },
    });
    migrations.node.addDependency(props.database);

    acknowledgeNag(
      provider,
      {
        id: 'AwsSolutions-IAM4',
        reason: 'The CDK provider framework function uses AWSLambdaBasicExecutionRole for its own logs.',
        findings: ['Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole'],
      },
      {
        id: 'AwsSolutions-IAM5',
        reason:
          'The provider framework may invoke every version of the migrator function (`<arn>:*`), and only it.',
        findings: [arnFinding(this.migrator.function, ':*')],
      },
    );
  }
}

/**
 * A SHA-256 over the names and contents of the `.sql` files, in the order the migration routine applies
 * them (by name).
 *
 * @param directory - absolute path of the migrations folder
 */
export function hashMigrations(directory: string): string {
  const hash = createHash('sha256');
  const names = readdirSync(directory)
    .filter((name) => name.endsWith('.sql'))
    .sort();
  if (names.length === 0) throw new Error(`no .sql migrations in ${directory}`);
  for (const name of names) {
    hash
      .update(name)
      .update('\0')
      .update(readFileSync(join(directory, name)))
      .update('\0');
  }
  return hash.digest('hex');
}
