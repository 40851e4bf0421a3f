/**
 * The pipeline: producer → Kinesis → processor → S3 (cold path) and PostgreSQL via the Data API (hot
 * path) → api behind API Gateway. The stack only composes constructs and wires them with L2 grants.
 */
import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { KinesisEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { ENV } from '../functions/shared/env.js';
import { settings } from '../functions/shared/settings.js';
import type { PipelineConfig } from './config.js';
import { ArchiveBucket, SOURCE_PREFIX } from './constructs/archive-bucket.js';
import { ArchiveSql } from './constructs/archive-sql.js';
import { BatchLayer } from './constructs/batch-layer.js';
import { AuroraDatabase, EmulatedDatabase, type PipelineDatabase } from './constructs/database.js';
import { DatabaseMigrations } from './constructs/database-migrations.js';
import { PipelineFunction } from './constructs/pipeline-function.js';
import { PipelineMonitoring } from './constructs/pipeline-monitoring.js';
import { ReadApi } from './constructs/read-api.js';
import { acknowledgeNag } from './nag.js';
import { type FunctionName, functionOutputNames } from './pipeline-functions.js';

export interface PipelineStackProps extends StackProps {
  /** Target and database, read from context by `bin/app.ts`. */
  readonly config: PipelineConfig;
}

const DEAD_LETTER_RETENTION = Duration.days(settings.processor.deadLetterRetentionDays);

/** Descriptions of the function-name outputs the command-line tools invoke. */
const FUNCTION_OUTPUT_DESCRIPTIONS: Partial<Record<FunctionName, string>> = {
  migrator: 'Applies db/migrations when invoked with {} (npm run migrate -- --target deployed)',
  batch: 'Reconciles or rebuilds the views from raw/ (npm run reconcile|rebuild -- --target deployed)',
};

export class PipelineStack extends Stack {
  readonly stream: kinesis.Stream;
  readonly archive: ArchiveBucket;
  readonly deadLetterQueue: sqs.Queue;
  readonly database: PipelineDatabase;
  readonly migrations: DatabaseMigrations;
  readonly producer: PipelineFunction;
  readonly processor: PipelineFunction;
  readonly api: PipelineFunction;
  readonly readApi: ReadApi;
  /** Every function of the pipeline by name, as the stack outputs and the tools name them. */
  readonly functions: Readonly<Record<FunctionName, PipelineFunction>>;
  /** The batch layer's function; scheduled daily on the aws target. */
  readonly batchLayer: BatchLayer;
  /** Glue table and Athena workgroup over raw/: aws target only (LocalStack community has neither). */
  readonly archiveSql?: ArchiveSql;
  /** Alarms, their topic and the dashboard: aws target only (see below). */
  readonly monitoring?: PipelineMonitoring;

  constructor(scope: Construct, id: string, props: PipelineStackProps) {
    super(scope, id, props);
    const { config } = props;
    const onLocalStack = config.target === 'localstack';
    // LocalStack deployments are disposable; on AWS, logs and the archive outlive the stack.
    const logRemovalPolicy = onLocalStack ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;
    const architecture =
      config.architecture === 'arm64' ? lambda.Architecture.ARM_64 : lambda.Architecture.X86_64;
    const functionDefaults = { architecture, logRemovalPolicy, hotReload: config.hotReload };

    this.stream = new kinesis.Stream(this, 'CommitStream', {
      streamMode: kinesis.StreamMode.PROVISIONED,
      shardCount: settings.stream.shardCount,
      retentionPeriod: Duration.hours(settings.stream.retentionHours),
      // LocalStack 4.14 ignores StreamEncryption; the template does not claim what the target does not do.
      encryption: onLocalStack ? kinesis.StreamEncryption.UNENCRYPTED : kinesis.StreamEncryption.MANAGED,
      // The stream only buffers; the archive bucket keeps the data. A retained stream bills shard-hours.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    if (onLocalStack) {
      acknowledgeNag(this.stream, {
        id: 'AwsSolutions-KDS1',
        reason: 'LocalStack 4.14 ignores Kinesis stream encryption; the aws target uses the AWS-managed key.',
      });
    }

    this.archive = new ArchiveBucket(this, 'Archive', { ephemeral: onLocalStack });
    const { bucket } = this.archive;

    this.deadLetterQueue = new sqs.Queue(this, 'ProcessorDeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: DEAD_LETTER_RETENTION,
    });
    acknowledgeNag(this.deadLetterQueue, {
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is itself the on-failure destination of the event source mapping.',
    });

    const database =
      config.database.kind === 'aurora'
        ? new AuroraDatabase(this, 'Database', {
            removalPolicy: onLocalStack ? RemovalPolicy.DESTROY : RemovalPolicy.SNAPSHOT,
          })
        : new EmulatedDatabase(this, 'Database', config.database);
    this.database = database;
    this.migrations = new DatabaseMigrations(this, 'DatabaseMigrations', { database, ...functionDefaults });

    this.producer = new PipelineFunction(this, 'Producer', {
      name: 'producer',
      description: 'Replays a commit-log CSV (an S3 object or the bundled sample) onto the Kinesis stream',
      sizing: settings.functions.producer,
      environment: { [ENV.streamName]: this.stream.streamName, [ENV.bucketName]: bucket.bucketName },
      ...functionDefaults,
    });
    this.stream.grantWrite(this.producer);
    this.archive.grantReadUnder(this.producer, SOURCE_PREFIX);
    // Its reject lists: written, and read, rewritten or deleted when a later run of the source supersedes rows.
    this.archive.grantPutUnder(this.producer, settings.archive.rejectedPrefix);
    this.archive.grantReadUnder(this.producer, settings.archive.rejectedPrefix);
    this.archive.grantDeleteUnder(this.producer, settings.archive.rejectedPrefix);

    this.processor = new PipelineFunction(this, 'Processor', {
      name: 'processor',
      description: 'Archives Kinesis batches to S3 and upserts aggregates through the Data API',
      sizing: settings.functions.processor,
      environment: { [ENV.bucketName]: bucket.bucketName, ...database.environment },
      ...functionDefaults,
    });
    for (const prefix of [settings.archive.rawPrefix, settings.archive.quarantinePrefix]) {
      this.archive.grantPutUnder(this.processor, prefix);
      this.archive.grantDeleteUnder(this.processor, prefix);
    }
    database.grantDataApiAccess(this.processor);
    // Grants the processor read access to the stream and send access to the dead-letter queue.
    this.processor.function.addEventSource(
      new KinesisEventSource(this.stream, {
        startingPosition: lambda.StartingPosition[settings.processor.startingPosition],
        batchSize: settings.processor.batchSize,
        maxBatchingWindow: Duration.seconds(settings.processor.maxBatchingWindowSeconds),
        bisectBatchOnError: settings.processor.bisectBatchOnError,
        retryAttempts: settings.processor.maxRetryAttempts,
        maxRecordAge: Duration.seconds(settings.processor.maxRecordAgeSeconds),
        parallelizationFactor: settings.processor.parallelizationFactor,
        reportBatchItemFailures: true,
        onFailure: new SqsDlq(this.deadLetterQueue),
      }),
    );
    // The processor starts polling only once the schema it writes to exists.
    this.processor.node.addDependency(this.migrations);

    this.api = new PipelineFunction(this, 'Api', {
      name: 'api',
      description: 'Serves the aggregates as JSON, and the dashboard, behind API Gateway',
      sizing: settings.functions.api,
      // The read-only identity: the api never holds the owner's secret.
      environment: database.readerEnvironment,
      ...functionDefaults,
    });
    database.grantReadOnlyDataApiAccess(this.api);

    this.batchLayer = new BatchLayer(this, 'BatchLayer', {
      archive: this.archive,
      database,
      scheduled: !onLocalStack,
      ...functionDefaults,
    });
    this.batchLayer.node.addDependency(this.migrations);
    if (!onLocalStack) this.archiveSql = new ArchiveSql(this, 'ArchiveSql', { archive: bucket });
    this.readApi = new ReadApi(this, 'ReadApi', {
      handler: this.api.function,
      logging: !onLocalStack,
      logRemovalPolicy,
    });

    this.functions = {
      producer: this.producer,
      processor: this.processor,
      api: this.api,
      migrator: this.migrations.migrator,
      batch: this.batchLayer.function,
    };

    // AWS only. On LocalStack 4.14 community the dashboard has no resource provider (it would be skipped
    // as unsupported), percentile and metric-math alarms are stored but never evaluated, and neither
    // the embedded metric format nor Kinesis or API Gateway metrics reach its CloudWatch: most alarms
    // would claim a watch that does not happen there. The functions' metrics stay in their logs (EMF).
    if (!onLocalStack) {
      this.monitoring = new PipelineMonitoring(this, 'Monitoring', {
        stream: this.stream,
        deadLetterQueue: this.deadLetterQueue,
        functions: Object.fromEntries(
          Object.entries(this.functions).map(([name, fn]) => [name, fn.function]),
        ),
        watchReconciliation: true,
        api: this.readApi.api,
        alarmEmail: config.alarmEmail,
      });
      new CfnOutput(this, 'AlarmTopicArn', {
        value: this.monitoring.topic.topicArn,
        description: 'Every alarm notifies this topic (subscribe with -c alarmEmail=… or the SNS console)',
      });
      new CfnOutput(this, 'DashboardName', { value: this.monitoring.dashboard.dashboardName });
    }

    const restApi = this.readApi.api;
    new CfnOutput(this, 'ApiUrl', { value: restApi.url, description: 'Base URL of the read API' });
    if (onLocalStack) {
      new CfnOutput(this, 'ApiPathUrl', {
        value: `${config.localstackGateway}/_aws/execute-api/${restApi.restApiId}/${restApi.deploymentStage.stageName}/`,
        description: 'The read API on LocalStack in the path form, which needs no DNS',
      });
    }
    new CfnOutput(this, 'StreamName', { value: this.stream.streamName });
    new CfnOutput(this, 'BucketName', { value: bucket.bucketName });
    new CfnOutput(this, 'DeadLetterQueueUrl', { value: this.deadLetterQueue.queueUrl });
    for (const [name, fn] of Object.entries(this.functions) as Array<[FunctionName, PipelineFunction]>) {
      const outputNames = functionOutputNames(name);
      new CfnOutput(this, outputNames.functionName, {
        value: fn.function.functionName,
        description: FUNCTION_OUTPUT_DESCRIPTIONS[name],
      });
      new CfnOutput(this, outputNames.logGroupName, {
        // LocalStack 4.14 writes a function's logs to /aws/lambda/<name>, whatever its LoggingConfig says.
        value: onLocalStack ? `/aws/lambda/${fn.function.functionName}` : fn.logGroup.logGroupName,
        description: `Where the ${name} function's logs go (npm run logs -- ${name} --target deployed)`,
      });
    }
    if (this.archiveSql) {
      new CfnOutput(this, 'ArchiveDatabaseName', { value: this.archiveSql.databaseName });
      new CfnOutput(this, 'AthenaWorkGroupName', { value: this.archiveSql.workGroupName });
    }
    new CfnOutput(this, 'Target', {
      value: config.target,
      description: 'Where the stack runs; the deployed-stack scripts pick their endpoint from it',
    });
  }
}
