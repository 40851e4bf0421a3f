/**
 * The hot-path database, reached only through the RDS Data API. Two implementations of one interface:
 * Aurora Serverless v2 created by the stack (AWS, LocalStack Pro), or the Data API server of
 * `docker-compose.localstack.yml` in front of PostgreSQL (LocalStack community, which has no RDS).
 *
 * Two identities, each a secret: the owner (the master user: processor and migrator) and a read-only
 * role for the api, so that a bug or an injection in a read route cannot write.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { ENV } from '../../functions/shared/env.js';
import { settings } from '../../functions/shared/settings.js';
import type { EmulatedDatabaseConfig } from '../config.js';
import { acknowledgeNag } from '../nag.js';
import { LOG_RETENTION } from './pipeline-function.js';

/**
 * The Aurora PostgreSQL engine of the cluster, pinned here and nowhere else. 17.9 is the newest 17.x
 * release aws-cdk-lib knows that AWS still accepts for new clusters (16.6 and older 16.x minors no
 * longer are: `cfn-lint` W3690) and that the Data API supports (17.4 and later). Once the cfn-lint
 * pinned in `scripts/cfn-lint.sh` is bumped to a release that lists this minor as deprecated, CI
 * fails on it: the signal to move this pin.
 */
export const AURORA_ENGINE_VERSION = rds.AuroraPostgresEngineVersion.VER_17_9;

/**
 * The read-only database role the api connects as: created by `db/migrations`, which grant it `SELECT`
 * on the serving tables only. Its secret's `username`.
 */
export const READER_ROLE = 'pipeline_reader';

/** The Data API actions a read-only caller needs: single statements, no transactions or batches. */
const READ_ONLY_DATA_API_ACTIONS = ['rds-data:ExecuteStatement'];

/** The Data API actions of `DatabaseCluster.grantDataApiAccess`. */
const DATA_API_ACTIONS = [
  'rds-data:BatchExecuteStatement',
  'rds-data:BeginTransaction',
  'rds-data:CommitTransaction',
  'rds-data:ExecuteStatement',
  'rds-data:RollbackTransaction',
];

/** What the migrator needs to set the read-only role's password from its secret. */
export interface ReaderPasswordSource {
  /** `DB_READER_SECRET_ARN`. */
  readonly environment: Readonly<Record<string, string>>;
  /** Allows reading the reader's secret. */
  grantRead(grantee: iam.IGrantable): void;
}

/** What the functions need from the database: where it is, and the right to call the Data API on it. */
export interface PipelineDatabase {
  /**
   * The owner identity: `DB_CLUSTER_ARN`, `DB_SECRET_ARN`, `DB_NAME` and, for an emulator,
   * `AWS_ENDPOINT_URL_RDS_DATA`.
   */
  readonly environment: Readonly<Record<string, string>>;
  /** The read-only identity: the same variables, with `DB_SECRET_ARN` the reader's secret. */
  readonly readerEnvironment: Readonly<Record<string, string>>;
  /**
   * Where the migrator finds the reader's password.
   * @default - none: the database maps the read-only identity itself (the emulator)
   */
  readonly readerPasswordSource?: ReaderPasswordSource;
  /** Allows every Data API call on the cluster and reading the owner's secret. */
  grantDataApiAccess(grantee: iam.IGrantable): void;
  /** Allows single Data API statements on the cluster and reading the reader's secret only. */
  grantReadOnlyDataApiAccess(grantee: iam.IGrantable): void;
}

export interface AuroraDatabaseProps {
  /**
   * What happens to the cluster when it leaves the stack.
   * @default RemovalPolicy.SNAPSHOT
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * Aurora Serverless v2 PostgreSQL with the Data API, in a new VPC with isolated subnets only (no NAT:
 * nothing connects to the cluster but the Data API), credentials generated into Secrets Manager.
 */
export class AuroraDatabase extends Construct implements PipelineDatabase {
  readonly cluster: rds.DatabaseCluster;
  /** The read-only role's credentials, attached to the cluster (host, port) like the master's. */
  readonly readerSecret: secretsmanager.ISecret;
  readonly environment: Readonly<Record<string, string>>;
  readonly readerEnvironment: Readonly<Record<string, string>>;
  readonly readerPasswordSource: ReaderPasswordSource;

  constructor(scope: Construct, id: string, props: AuroraDatabaseProps = {}) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.SNAPSHOT;
    const logRemovalPolicy = removalPolicy === RemovalPolicy.DESTROY ? removalPolicy : RemovalPolicy.RETAIN;

    const vpc = new ec2.Vpc(this, 'Vpc', {
      maxAzs: 2,
      natGateways: 0,
      subnetConfiguration: [{ name: 'database', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
      // Rejected traffic only: the only interfaces are the cluster's, so this costs next to nothing.
      flowLogs: {
        rejected: {
          trafficType: ec2.FlowLogTrafficType.REJECT,
          destination: ec2.FlowLogDestination.toCloudWatchLogs(
            new logs.LogGroup(this, 'FlowLogs', {
              retention: LOG_RETENTION,
              removalPolicy: logRemovalPolicy,
            }),
          ),
        },
      },
    });

    const engine = rds.DatabaseClusterEngine.auroraPostgres({ version: AURORA_ENGINE_VERSION });
    this.cluster = new rds.DatabaseCluster(this, 'Cluster', {
      engine,
      // A backstop for transactions that set no limits of their own (the hot path's do): one left idle
      // is ended by PostgreSQL, releasing its locks, before the Data API's 3-minute expiry.
      parameterGroup: new rds.ParameterGroup(this, 'ClusterParameters', {
        engine,
        description: 'Infected Code pipeline: ends transactions left idle',
        parameters: {
          idle_in_transaction_session_timeout: String(settings.database.idleInTransactionTimeoutMs),
        },
      }),
      writer: rds.ClusterInstance.serverlessV2('Writer'),
      serverlessV2MinCapacity: settings.database.minCapacity,
      serverlessV2MaxCapacity: settings.database.maxCapacity,
      defaultDatabaseName: settings.database.name,
      enableDataApi: true,
      iamAuthentication: true,
      storageEncrypted: true,
      vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      removalPolicy,
    });

    const secret = this.cluster.secret;
    if (!secret) throw new Error('the Aurora cluster was created without a generated secret');
    this.environment = {
      [ENV.dbClusterArn]: this.cluster.clusterArn,
      [ENV.dbSecretArn]: secret.secretArn,
      [ENV.dbName]: settings.database.name,
    };

    // Generated like the master's (same password rules); `masterSecret` records the master's ARN in
    // it, which a multi-user rotation needs. The migrator gives the role this password.
    const readerSecret = new rds.DatabaseSecret(this, 'ReaderSecret', {
      username: READER_ROLE,
      dbname: settings.database.name,
      masterSecret: secret,
    });
    this.readerSecret = readerSecret.attach(this.cluster);
    this.readerEnvironment = { ...this.environment, [ENV.dbSecretArn]: this.readerSecret.secretArn };
    this.readerPasswordSource = {
      environment: { [ENV.dbReaderSecretArn]: this.readerSecret.secretArn },
      grantRead: (grantee) => this.readerSecret.grantRead(grantee),
    };

    acknowledgeNag(this.cluster, {
      id: 'AwsSolutions-RDS10',
      reason:
        'Deletion protection would block `npm run destroy:aws`; the SNAPSHOT removal policy keeps the data ' +
        'when the stack is deleted.',
    });
    // Neither secret has a rotation schedule, for one reason: the hosted rotation functions connect to
    // the cluster over the network and call Secrets Manager, which from these isolated subnets needs an
    // interface endpoint (or NAT), billed hourly per AZ. The secrets are read only by the Data API on
    // behalf of the functions. The reader is re-keyed by a new secret value and a migration run, which
    // sets the role's password from it (`npm run migrate -- --target deployed`).
    acknowledgeNag(this, {
      id: 'AwsSolutions-SMG4',
      reason:
        'Rotation needs a rotation Lambda that reaches the cluster and Secrets Manager from the isolated ' +
        'subnets (interface endpoint or NAT, billed hourly); the secrets are read only by the Data API on ' +
        'behalf of the functions. Add rotation with an endpoint for long-lived deployments.',
    });
  }

  grantDataApiAccess(grantee: iam.IGrantable): void {
    this.cluster.grantDataApiAccess(grantee);
  }

  grantReadOnlyDataApiAccess(grantee: iam.IGrantable): void {
    iam.Grant.addToPrincipal({
      grantee,
      actions: READ_ONLY_DATA_API_ACTIONS,
      resourceArns: [this.cluster.clusterArn],
    });
    this.readerSecret.grantRead(grantee);
  }
}

/**
 * The Data API–compatible server outside the stack: no resources, only its endpoint and the fixed ARNs
 * it is configured with.
 */
export class EmulatedDatabase extends Construct implements PipelineDatabase {
  readonly environment: Readonly<Record<string, string>>;
  readonly readerEnvironment: Readonly<Record<string, string>>;
  private readonly config: EmulatedDatabaseConfig;

  constructor(scope: Construct, id: string, config: EmulatedDatabaseConfig) {
    super(scope, id);
    this.config = config;
    this.environment = {
      [ENV.dbClusterArn]: config.clusterArn,
      [ENV.dbSecretArn]: config.secretArn,
      [ENV.dbName]: settings.database.name,
      AWS_ENDPOINT_URL_RDS_DATA: config.endpoint,
    };
    this.readerEnvironment = { ...this.environment, [ENV.dbSecretArn]: config.readerSecretArn };
  }

  /**
   * The same statements as `DatabaseCluster.grantDataApiAccess` (Data API actions on the cluster,
   * `ISecret.grantRead` actions on the secret), on the configured ARNs. The secret ARN is used as is:
   * the emulator's ARN has no random suffix, so `Secret.fromSecretCompleteArn` refuses it.
   */
  grantDataApiAccess(grantee: iam.IGrantable): void {
    this.grant(grantee, DATA_API_ACTIONS, this.config.secretArn);
  }

  grantReadOnlyDataApiAccess(grantee: iam.IGrantable): void {
    this.grant(grantee, READ_ONLY_DATA_API_ACTIONS, this.config.readerSecretArn);
  }

  private grant(grantee: iam.IGrantable, actions: string[], secretArn: string): void {
    iam.Grant.addToPrincipal({ grantee, actions, resourceArns: [this.config.clusterArn] });
    iam.Grant.addToPrincipal({
      grantee,
      actions: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
      resourceArns: [secretArn],
    });
  }
}
