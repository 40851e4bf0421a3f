/**
 * The pipeline: producer → Kinesis → processor → S3 (cold path) and PostgreSQL via the Data API (hot
 * path) → api behind API Gateway. The stack only composes constructs and wires them with L2 grants.
 */
import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { KinesisEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { NagSuppressions } from 'cdk-nag';
import type { Construct } from 'constructs';
import { ENV } from '../functions/shared/env.js';
import { settings } from '../functions/shared/settings.js';
import type { PipelineConfig } from './config.js';
import { ArchiveBucket, SOURCE_PREFIX } from './constructs/archive-bucket.js';
import { AuroraDatabase, EmulatedDatabase } from './constructs/database.js';
import { DatabaseMigrations } from './constructs/database-migrations.js';
import { PipelineFunction } from './constructs/pipeline-function.js';
import { ReadApi } from './constructs/read-api.js';

export interface PipelineStackProps extends StackProps {
  /** Target and database, read from context by `bin/app.ts`. */
  readonly config: PipelineConfig;
}

/** The longest retention SQS allows: failed batches wait as long as possible for a redrive. */
const DEAD_LETTER_RETENTION = Duration.days(14);

/** The producer reads this file (bundled beside `index.mjs`) when its event names no S3 source. */
const SAMPLE = { source: 'data/infected_code_sample.csv', target: 'infected_code_sample.csv' } as const;

export class PipelineStack extends Stack {
  constructor(scope: Construct, id: string, props: PipelineStackProps) {
    super(scope, id, props);
    const { config } = props;
    const onLocalStack = config.target === 'localstack';
    // LocalStack deployments are disposable; on AWS, logs and the archive outlive the stack.
    const logRemovalPolicy = onLocalStack ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;
    const architecture = config.architecture === 'arm64' ? lambda.Architecture.ARM_64 : lambda.Architecture.X86_64;
    const functionDefaults = { architecture, logRemovalPolicy };

    const stream = new kinesis.Stream(this, 'CommitStream', {
      streamMode: kinesis.StreamMode.PROVISIONED,
      shardCount: settings.stream.shardCount,
      retentionPeriod: Duration.hours(settings.stream.retentionHours),
      // LocalStack 4.14 ignores StreamEncryption; the template does not claim what the target does not do.
      encryption: onLocalStack ? kinesis.StreamEncryption.UNENCRYPTED : kinesis.StreamEncryption.MANAGED,
      // The stream only buffers; the archive bucket keeps the data. A retained stream bills shard-hours.
      removalPolicy: RemovalPolicy.DESTROY,
    });

    const archive = new ArchiveBucket(this, 'Archive', { ephemeral: onLocalStack });
    const { bucket } = archive;

    const deadLetterQueue = new sqs.Queue(this, 'ProcessorDeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: DEAD_LETTER_RETENTION,
    });

    const database =
      config.database.kind === 'aurora'
        ? new AuroraDatabase(this, 'Database', {
            removalPolicy: onLocalStack ? RemovalPolicy.DESTROY : RemovalPolicy.SNAPSHOT,
          })
        : new EmulatedDatabase(this, 'Database', config.database);

    const migrations = new DatabaseMigrations(this, 'DatabaseMigrations', { database, ...functionDefaults });

    const producer = new PipelineFunction(this, 'Producer', {
      name: 'producer',
      description: 'Replays a commit-log CSV (an S3 object or the bundled sample) onto the Kinesis stream',
      sizing: settings.functions.producer,
      environment: { [ENV.streamName]: stream.streamName, [ENV.bucketName]: bucket.bucketName },
      bundledFiles: [SAMPLE],
      ...functionDefaults,
    });
    stream.grantWrite(producer);
    bucket.grantRead(producer, `${SOURCE_PREFIX}*`);
    bucket.grantPut(producer, `${settings.archive.rejectedPrefix}*`);

    const processor = new PipelineFunction(this, 'Processor', {
      name: 'processor',
      description: 'Archives Kinesis batches to S3 and upserts aggregates through the Data API',
      sizing: settings.functions.processor,
      environment: { [ENV.bucketName]: bucket.bucketName, ...database.environment },
      ...functionDefaults,
    });
    bucket.grantPut(processor, `${settings.archive.rawPrefix}*`);
    bucket.grantPut(processor, `${settings.archive.quarantinePrefix}*`);
    database.grantDataApiAccess(processor);
    processor.function.addEventSource(
      new KinesisEventSource(stream, {
        startingPosition: lambda.StartingPosition[settings.processor.startingPosition],
        batchSize: settings.processor.batchSize,
        maxBatchingWindow: Duration.seconds(settings.processor.maxBatchingWindowSeconds),
        bisectBatchOnError: settings.processor.bisectBatchOnError,
        retryAttempts: settings.processor.maxRetryAttempts,
        maxRecordAge: Duration.seconds(settings.processor.maxRecordAgeSeconds),
        parallelizationFactor: settings.processor.parallelizationFactor,
        reportBatchItemFailures: true,
        onFailure: new SqsDlq(deadLetterQueue),
      }),
    );
    // The processor starts polling only once the schema it writes to exists.
    processor.node.addDependency(migrations);

    const api = new PipelineFunction(this, 'Api', {
      name: 'api',
      description: 'Serves the aggregates as JSON behind API Gateway',
      sizing: settings.functions.api,
      environment: database.environment,
      ...functionDefaults,
    });
    database.grantDataApiAccess(api);
    const readApi = new ReadApi(this, 'ReadApi', {
      handler: api.function,
      logging: !onLocalStack,
      logRemovalPolicy,
    });

    new CfnOutput(this, 'ApiUrl', { value: readApi.api.url, description: 'Base URL of the read API' });
    if (onLocalStack) {
      new CfnOutput(this, 'ApiPathUrl', {
        value: `http://localhost:4566/_aws/execute-api/${readApi.api.restApiId}/${readApi.api.deploymentStage.stageName}/`,
        description: 'The read API on LocalStack in the path form, which needs no DNS',
      });
    }
    new CfnOutput(this, 'StreamName', { value: stream.streamName });
    new CfnOutput(this, 'BucketName', { value: bucket.bucketName });
    new CfnOutput(this, 'ProducerFunctionName', { value: producer.function.functionName });
    new CfnOutput(this, 'DeadLetterQueueUrl', { value: deadLetterQueue.queueUrl });
    new CfnOutput(this, 'Target', {
      value: config.target,
      description: 'Where this stack was deployed (scripts/replay-deployed.ts picks its endpoint from it)',
    });

    this.suppressGrantWildcards({ producer, processor, api, migrator: migrations.migrator });
    NagSuppressions.addResourceSuppressions(deadLetterQueue, [
      {
        id: 'AwsSolutions-SQS3',
        reason: 'This queue is itself the on-failure destination of the event source mapping.',
      },
    ]);
    if (onLocalStack) {
      NagSuppressions.addResourceSuppressions(stream, [
        {
          id: 'AwsSolutions-KDS1',
          reason: 'LocalStack 4.14 ignores Kinesis stream encryption; the aws target uses the AWS-managed key.',
        },
      ]);
    }
  }

  /**
   * The wildcards L2 grants produce, each named: object keys under a prefix, the action families of
   * `grantPut`/`grantRead`, and log streams of the function's own log group.
   */
  private suppressGrantWildcards(functions: Record<string, PipelineFunction>): void {
    for (const fn of Object.values(functions)) {
      NagSuppressions.addResourceSuppressions(
        fn,
        [
          {
            id: 'AwsSolutions-IAM5',
            reason:
              'Wildcards from L2 grants, each scoped: object keys under one prefix of the archive bucket ' +
              '(grantPut/grantRead), their action families (s3:Abort*, s3:GetObject*, s3:GetBucket*, s3:List*), ' +
              'and log streams of the function’s own log group.',
            appliesTo: [
              'Action::s3:Abort*',
              'Action::s3:GetObject*',
              'Action::s3:GetBucket*',
              'Action::s3:List*',
              { regex: '/^Resource::<ArchiveBucket[A-Za-z0-9]+\\.Arn>\\/[a-z]+\\/\\*$/g' },
              { regex: '/^Resource::<[A-Za-z0-9]+LogGroup[A-Za-z0-9]+\\.Arn>:\\*$/g' },
            ],
          },
        ],
        true,
      );
    }
  }
}
