import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { SAMPLE_FILE_NAME } from '../../../functions/producer/csv-source.js';
import { ENV } from '../../../functions/shared/env.js';
import { settings } from '../../../functions/shared/settings.js';
import { hashMigrations } from '../../../lib/constructs/database-migrations.js';
import type { PipelineFunction } from '../../../lib/constructs/pipeline-function.js';
import { FUNCTION_NAMES, functionOutputNames } from '../../../lib/pipeline-functions.js';
import { projectPath } from '../../../lib/project-paths.js';
import {
  LOCAL_CLUSTER_ARN,
  LOCAL_READER_SECRET_ARN,
  LOCAL_SECRET_ARN,
} from '../../../local/data-api/local-arns.js';
import { describeLeastPrivilege } from '../../support/least-privilege.js';
import {
  bundleDirectory,
  functionResource,
  type SynthesizedPipeline,
  synthesizePipeline,
} from '../../support/synthesize.js';

let pipeline: SynthesizedPipeline;
beforeAll(() => {
  pipeline = synthesizePipeline({ target: 'localstack' });
});

const ref = (fn: (p: SynthesizedPipeline) => unknown) => pipeline.stack.resolve(fn(pipeline));
const functionProps = (fn: PipelineFunction) => functionResource(pipeline, fn);
const assetDirectory = (fn: PipelineFunction) => bundleDirectory(pipeline, fn);

const dataApiEnvironment = {
  [ENV.dbClusterArn]: LOCAL_CLUSTER_ARN,
  [ENV.dbSecretArn]: LOCAL_SECRET_ARN,
  [ENV.dbName]: settings.database.name,
  AWS_ENDPOINT_URL_RDS_DATA: 'http://data-api:8080',
};

describe('the localstack target (default)', () => {
  it('creates no alarms, alarm topic, key or dashboard: LocalStack would not evaluate them', () => {
    expect(pipeline.stack.monitoring).toBeUndefined();
    for (const type of [
      'AWS::CloudWatch::Alarm',
      'AWS::CloudWatch::Dashboard',
      'AWS::SNS::Topic',
      'AWS::KMS::Key',
    ]) {
      pipeline.template.resourceCountIs(type, 0);
    }
    expect(pipeline.template.findOutputs('AlarmTopicArn')).toEqual({});
  });

  it('creates no RDS, Secrets Manager or VPC resources: LocalStack community has no RDS', () => {
    for (const type of ['AWS::RDS::DBCluster', 'AWS::SecretsManager::Secret', 'AWS::EC2::VPC']) {
      pipeline.template.resourceCountIs(type, 0);
    }
  });

  it('sizes the stream from settings and claims no encryption LocalStack would ignore', () => {
    pipeline.template.hasResourceProperties('AWS::Kinesis::Stream', {
      ShardCount: settings.stream.shardCount,
      RetentionPeriodHours: settings.stream.retentionHours,
      StreamEncryption: Match.absent(),
    });
  });

  it('keeps the archive private, S3-encrypted and on a lifecycle for raw/, rejected/ and quarantine/', () => {
    pipeline.template.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
      LifecycleConfiguration: {
        Rules: Match.arrayWith([
          Match.objectLike({
            Prefix: settings.archive.rawPrefix,
            Transitions: [
              {
                StorageClass: 'STANDARD_IA',
                TransitionInDays: settings.archive.rawInfrequentAccessAfterDays,
              },
            ],
          }),
          Match.objectLike({
            Prefix: settings.archive.rejectedPrefix,
            ExpirationInDays: settings.archive.rejectedExpirationDays,
          }),
          Match.objectLike({
            Prefix: settings.archive.quarantinePrefix,
            ExpirationInDays: settings.archive.quarantineExpirationDays,
          }),
        ]),
      },
    });
  });

  it('denies every request to the archive that does not use TLS', () => {
    pipeline.template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 's3:*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
  });

  it('deletes the archive and its objects with the stack', () => {
    pipeline.template.hasResource('AWS::S3::Bucket', { DeletionPolicy: 'Delete' });
    pipeline.template.resourceCountIs('Custom::S3AutoDeleteObjects', 1);
  });

  it('maps the stream to the processor with the settings, partial batch responses, bisect and a dead-letter queue', () => {
    pipeline.template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: ref((p) => p.stack.stream.streamArn),
      FunctionName: ref((p) => p.stack.processor.function.functionName),
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: settings.processor.batchSize,
      MaximumBatchingWindowInSeconds: settings.processor.maxBatchingWindowSeconds,
      BisectBatchOnFunctionError: settings.processor.bisectBatchOnError,
      MaximumRetryAttempts: settings.processor.maxRetryAttempts,
      MaximumRecordAgeInSeconds: settings.processor.maxRecordAgeSeconds,
      ParallelizationFactor: settings.processor.parallelizationFactor,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      DestinationConfig: { OnFailure: { Destination: ref((p) => p.stack.deadLetterQueue.queueArn) } },
    });
  });

  it('bounds retries and record age, so LocalStack also delivers exhausted batches to the queue', () => {
    const mapping = Object.values(pipeline.template.findResources('AWS::Lambda::EventSourceMapping'))[0];
    expect(mapping?.Properties.MaximumRetryAttempts).toBeGreaterThanOrEqual(0);
    expect(mapping?.Properties.MaximumRecordAgeInSeconds).toBeGreaterThan(0);
  });

  it('encrypts the dead-letter queue and keeps a failed-batch pointer exactly as long as the stream keeps records', () => {
    const [stream] = Object.values(pipeline.template.findResources('AWS::Kinesis::Stream'));
    const retentionSeconds = (stream?.Properties.RetentionPeriodHours as number) * 3600;
    pipeline.template.hasResourceProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: retentionSeconds,
    });
    // The pointer outlives its records by at most their age at the failure, bounded by the mapping.
    expect(settings.processor.maxRecordAgeSeconds).toBeLessThan(retentionSeconds);
  });

  it('runs every function on nodejs22.x, x86_64, with the memory and timeout of settings', () => {
    const { stack } = pipeline;
    const sized: [PipelineFunction, { memorySize: number; timeoutSeconds: number }][] = [
      [stack.producer, settings.functions.producer],
      [stack.processor, settings.functions.processor],
      [stack.api, settings.functions.api],
      [stack.migrations.migrator, settings.functions.migrator],
    ];
    for (const [fn, sizing] of sized) {
      expect(functionProps(fn).Properties).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['x86_64'],
        Handler: 'index.handler',
        MemorySize: sizing.memorySize,
        Timeout: sizing.timeoutSeconds,
        Environment: { Variables: { NODE_OPTIONS: '--enable-source-maps' } },
        LoggingConfig: { LogGroup: ref(() => fn.logGroup.logGroupName) },
      });
    }
  });

  it('keeps function logs for the retention of settings', () => {
    pipeline.template.allResourcesProperties('AWS::Logs::LogGroup', {
      RetentionInDays: settings.functions.logRetentionDays,
    });
  });

  it('tells the producer its stream and bucket', () => {
    expect(functionProps(pipeline.stack.producer).Properties.Environment.Variables).toEqual({
      NODE_OPTIONS: '--enable-source-maps',
      [ENV.streamName]: ref((p) => p.stack.stream.streamName),
      [ENV.bucketName]: ref((p) => p.stack.archive.bucket.bucketName),
    });
  });

  it('points the processor, api and migrator at the compose Data API server with its fixed ARNs', () => {
    const { stack } = pipeline;
    expect(functionProps(stack.processor).Properties.Environment.Variables).toEqual({
      NODE_OPTIONS: '--enable-source-maps',
      [ENV.bucketName]: ref((p) => p.stack.archive.bucket.bucketName),
      ...dataApiEnvironment,
    });
    // The server maps the reader secret to the read-only role itself: the migrator sets no password.
    expect(functionProps(stack.migrations.migrator).Properties.Environment.Variables).toEqual({
      NODE_OPTIONS: '--enable-source-maps',
      ...dataApiEnvironment,
    });
    expect(functionProps(stack.api).Properties.Environment.Variables).toEqual({
      NODE_OPTIONS: '--enable-source-maps',
      ...dataApiEnvironment,
      [ENV.dbSecretArn]: LOCAL_READER_SECRET_ARN,
    });
  });

  it('bundles each handler as an ES module with its source map, the sample beside the producer and the migrations beside the migrator', () => {
    const { stack } = pipeline;
    for (const fn of [stack.producer, stack.processor, stack.api, stack.migrations.migrator]) {
      expect(existsSync(join(assetDirectory(fn), 'index.mjs'))).toBe(true);
      expect(existsSync(join(assetDirectory(fn), 'index.mjs.map'))).toBe(true);
    }
    expect(existsSync(join(assetDirectory(stack.producer), SAMPLE_FILE_NAME))).toBe(true);
    expect(
      existsSync(join(assetDirectory(stack.migrations.migrator), 'migrations', '001_aggregates.sql')),
    ).toBe(true);
  });

  it('runs the migrations at deploy time, again whenever a migration file changes, before the processor polls', () => {
    const migrations = pipeline.template.findResources('Custom::DatabaseMigrations');
    const [logicalId, resource] = Object.entries(migrations)[0] ?? [];
    expect(resource?.Properties.MigrationsHash).toBe(hashMigrations(projectPath('db', 'migrations')));
    expect(functionProps(pipeline.stack.processor).DependsOn).toContain(logicalId);
  });

  it('sends every method on / and /{proxy+} to the api function through a Lambda proxy integration', () => {
    const methods = Object.values(pipeline.template.findResources('AWS::ApiGateway::Method'));
    expect(methods).toHaveLength(2);
    for (const method of methods) {
      expect(method.Properties).toMatchObject({
        HttpMethod: 'ANY',
        AuthorizationType: 'NONE',
        Integration: { Type: 'AWS_PROXY', IntegrationHttpMethod: 'POST' },
      });
    }
    pipeline.template.hasResourceProperties('AWS::ApiGateway::Resource', { PathPart: '{proxy+}' });
  });

  it('throttles the stage with the limits of settings and writes no access logs on LocalStack', () => {
    pipeline.template.hasResourceProperties('AWS::ApiGateway::Stage', {
      MethodSettings: Match.arrayWith([
        Match.objectLike({
          HttpMethod: '*',
          ResourcePath: '/*',
          ThrottlingRateLimit: settings.api.throttlingRateLimit,
          ThrottlingBurstLimit: settings.api.throttlingBurstLimit,
        }),
      ]),
      AccessLogSetting: Match.absent(),
    });
    pipeline.template.resourceCountIs('AWS::ApiGateway::Account', 0);
  });

  it('outputs the API URL (also in the DNS-free path form), stream, bucket, producer, migrator and dead-letter queue', () => {
    for (const name of [
      'ApiUrl',
      'ApiPathUrl',
      'StreamName',
      'BucketName',
      'ProducerFunctionName',
      'DeadLetterQueueUrl',
      'MigratorFunctionName',
      'Target',
    ]) {
      pipeline.template.hasOutput(name, {});
    }
    pipeline.template.hasOutput('Target', { Value: 'localstack' });
    pipeline.template.hasOutput('ApiPathUrl', {
      Value: {
        'Fn::Join': [
          '',
          Match.arrayWith([Match.stringLikeRegexp('^http://localhost:4566/_aws/execute-api/')]),
        ],
      },
    });
  });

  it("outputs every function's name, and as its log group /aws/lambda/<name>, where LocalStack writes its logs", () => {
    for (const name of FUNCTION_NAMES) {
      const fn = pipeline.stack.functions[name];
      const outputNames = functionOutputNames(name);
      pipeline.template.hasOutput(outputNames.functionName, { Value: ref(() => fn.function.functionName) });
      pipeline.template.hasOutput(outputNames.logGroupName, {
        Value: { 'Fn::Join': ['', ['/aws/lambda/', ref(() => fn.function.functionName)]] },
      });
    }
  });

  it('has no unacknowledged cdk-nag AwsSolutions findings', () => {
    expect(pipeline.nagFindings).toEqual([]);
  });
});

describeLeastPrivilege(() => pipeline);
