import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { ENV } from '../../../functions/shared/env.js';
import { settings } from '../../../functions/shared/settings.js';
import { AURORA_ENGINE_VERSION, type AuroraDatabase } from '../../../lib/constructs/database.js';
import { describeLeastPrivilege } from './least-privilege.js';
import { functionResource, type SynthesizedPipeline, synthesizePipeline } from './synthesize.js';

let pipeline: SynthesizedPipeline;
beforeAll(() => {
  pipeline = synthesizePipeline({ target: 'aws' });
});

const cluster = () => (pipeline.stack.database as AuroraDatabase).cluster;
const resolve = (value: unknown) => pipeline.stack.resolve(value);

describe('the aws target', () => {
  it('creates Aurora Serverless v2 PostgreSQL with the Data API, capacity from settings and encrypted storage', () => {
    pipeline.template.hasResourceProperties('AWS::RDS::DBCluster', {
      Engine: 'aurora-postgresql',
      EngineVersion: AURORA_ENGINE_VERSION.auroraPostgresFullVersion,
      EnableHttpEndpoint: true,
      DatabaseName: settings.database.name,
      StorageEncrypted: true,
      ServerlessV2ScalingConfiguration: {
        MinCapacity: settings.database.minCapacity,
        MaxCapacity: settings.database.maxCapacity,
      },
    });
    pipeline.template.hasResourceProperties('AWS::RDS::DBInstance', { DBInstanceClass: 'db.serverless' });
    pipeline.template.hasResource('AWS::RDS::DBCluster', { DeletionPolicy: 'Snapshot' });
  });

  it('keeps the database credentials in Secrets Manager', () => {
    pipeline.template.resourceCountIs('AWS::SecretsManager::Secret', 1);
    pipeline.template.hasResourceProperties('AWS::SecretsManager::SecretTargetAttachment', {
      TargetType: 'AWS::RDS::DBCluster',
    });
  });

  it('puts the cluster in a new VPC with isolated subnets only: no internet or NAT gateway', () => {
    pipeline.template.resourceCountIs('AWS::EC2::VPC', 1);
    pipeline.template.resourceCountIs('AWS::EC2::NatGateway', 0);
    pipeline.template.resourceCountIs('AWS::EC2::InternetGateway', 0);
    pipeline.template.allResourcesProperties('AWS::EC2::Subnet', { MapPublicIpOnLaunch: false });
  });

  it('gives the processor, api and migrator the cluster ARN, secret ARN and database name, and no endpoint override', () => {
    const { stack } = pipeline;
    for (const fn of [stack.processor, stack.api, stack.migrations.migrator]) {
      const variables = functionResource(pipeline, fn).Properties.Environment.Variables;
      expect(variables).toMatchObject({
        [ENV.dbClusterArn]: resolve(cluster().clusterArn),
        [ENV.dbSecretArn]: resolve(cluster().secret?.secretArn),
        [ENV.dbName]: settings.database.name,
      });
      expect(variables).not.toHaveProperty('AWS_ENDPOINT_URL_RDS_DATA');
    }
  });

  it('runs the migrations against the cluster only once it exists', () => {
    const [resource] = Object.values(pipeline.template.findResources('Custom::DatabaseMigrations'));
    expect(resource?.DependsOn).toEqual(
      expect.arrayContaining([pipeline.stack.getLogicalId(cluster().node.defaultChild as never)]),
    );
  });

  it('encrypts the stream with the AWS-managed Kinesis key', () => {
    pipeline.template.hasResourceProperties('AWS::Kinesis::Stream', {
      ShardCount: settings.stream.shardCount,
      StreamEncryption: { EncryptionType: 'KMS', KeyId: 'alias/aws/kinesis' },
    });
  });

  it('retains the archive bucket when the stack is deleted, objects included', () => {
    pipeline.template.hasResource('AWS::S3::Bucket', { DeletionPolicy: 'Retain' });
    pipeline.template.resourceCountIs('Custom::S3AutoDeleteObjects', 0);
  });

  it('writes API access logs and throttles the stage', () => {
    pipeline.template.hasResourceProperties('AWS::ApiGateway::Stage', {
      AccessLogSetting: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('requestId') },
      MethodSettings: Match.arrayWith([
        Match.objectLike({
          LoggingLevel: 'ERROR',
          ThrottlingRateLimit: settings.api.throttlingRateLimit,
          ThrottlingBurstLimit: settings.api.throttlingBurstLimit,
        }),
      ]),
    });
    pipeline.template.resourceCountIs('AWS::ApiGateway::Account', 1);
  });

  it('outputs the API URL, stream, bucket, producer, migrator and dead-letter queue, and no LocalStack path URL', () => {
    for (const name of [
      'ApiUrl',
      'StreamName',
      'BucketName',
      'ProducerFunctionName',
      'DeadLetterQueueUrl',
      'MigratorFunctionName',
    ]) {
      pipeline.template.hasOutput(name, {});
    }
    pipeline.template.hasOutput('Target', { Value: 'aws' });
    expect(pipeline.template.findOutputs('ApiPathUrl')).toEqual({});
  });

  it('has no unacknowledged cdk-nag AwsSolutions findings', () => {
    expect(pipeline.nagFindings).toEqual([]);
  });
});

describeLeastPrivilege(() => pipeline);
