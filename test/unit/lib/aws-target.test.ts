import type { CfnElement } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { ENV } from '../../../functions/shared/env.js';
import { settings } from '../../../functions/shared/settings.js';
import { AURORA_ENGINE_VERSION, type AuroraDatabase, READER_ROLE } from '../../../lib/constructs/database.js';
import type { PipelineFunction } from '../../../lib/constructs/pipeline-function.js';
import { FUNCTION_NAMES, functionOutputNames } from '../../../lib/pipeline-functions.js';
import { describeLeastPrivilege } from '../../support/least-privilege.js';
import {
  allows,
  functionResource,
  type SynthesizedPipeline,
  statementsOf,
  synthesizePipeline,
} from '../../support/synthesize.js';

let pipeline: SynthesizedPipeline;
beforeAll(() => {
  pipeline = synthesizePipeline({ target: 'aws' });
});

const cluster = () => (pipeline.stack.database as AuroraDatabase).cluster;
const readerSecret = () => (pipeline.stack.database as AuroraDatabase).readerSecret;
const clusterLogicalId = () => pipeline.stack.getLogicalId(cluster().node.defaultChild as CfnElement);
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

  it('ends transactions left idle on the cluster, with the timeout from settings', () => {
    pipeline.template.hasResourceProperties('AWS::RDS::DBClusterParameterGroup', {
      Family: Match.stringLikeRegexp('^aurora-postgresql'),
      Parameters: {
        idle_in_transaction_session_timeout: String(settings.database.idleInTransactionTimeoutMs),
      },
    });
    pipeline.template.hasResourceProperties('AWS::RDS::DBCluster', {
      DBClusterParameterGroupName: Match.anyValue(),
    });
  });

  it('keeps the owner and the read-only credentials in two generated secrets, both attached to the cluster', () => {
    pipeline.template.resourceCountIs('AWS::SecretsManager::Secret', 2);
    pipeline.template.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: {
        SecretStringTemplate: '{"username":"postgres"}',
        GenerateStringKey: 'password',
      },
    });
    const attachments = pipeline.template.findResources('AWS::SecretsManager::SecretTargetAttachment', {
      Properties: { TargetType: 'AWS::RDS::DBCluster', TargetId: { Ref: clusterLogicalId() } },
    });
    expect(Object.keys(attachments)).toHaveLength(2);
  });

  it('names the read-only role and records the master secret in the reader secret, as a multi-user rotation needs', () => {
    pipeline.template.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: {
        GenerateStringKey: 'password',
        SecretStringTemplate: {
          'Fn::Join': [
            '',
            Match.arrayWith([
              Match.stringLikeRegexp(`"username":"${READER_ROLE}".*"masterarn":"$`),
              resolve(cluster().secret?.secretArn),
            ]),
          ],
        },
      },
    });
  });

  it('puts the cluster in a new VPC with isolated subnets only: no internet or NAT gateway', () => {
    pipeline.template.resourceCountIs('AWS::EC2::VPC', 1);
    pipeline.template.resourceCountIs('AWS::EC2::NatGateway', 0);
    pipeline.template.resourceCountIs('AWS::EC2::InternetGateway', 0);
    pipeline.template.allResourcesProperties('AWS::EC2::Subnet', { MapPublicIpOnLaunch: false });
  });

  it('gives the processor and migrator the owner secret, the api the reader secret, and none an endpoint override', () => {
    const { stack } = pipeline;
    const identities: [PipelineFunction, unknown][] = [
      [stack.processor, cluster().secret?.secretArn],
      [stack.migrations.migrator, cluster().secret?.secretArn],
      [stack.api, readerSecret().secretArn],
    ];
    for (const [fn, secretArn] of identities) {
      const variables = functionResource(pipeline, fn).Properties.Environment.Variables;
      expect(variables).toMatchObject({
        [ENV.dbClusterArn]: resolve(cluster().clusterArn),
        [ENV.dbSecretArn]: resolve(secretArn),
        [ENV.dbName]: settings.database.name,
      });
      expect(variables).not.toHaveProperty('AWS_ENDPOINT_URL_RDS_DATA');
    }
  });

  it('tells the migrator where the reader password is, and lets it read that secret', () => {
    const { stack } = pipeline;
    const migrator = stack.migrations.migrator;
    expect(functionResource(pipeline, migrator).Properties.Environment.Variables).toMatchObject({
      [ENV.dbReaderSecretArn]: resolve(readerSecret().secretArn),
    });
    const granted = statementsOf(pipeline, migrator);
    expect(allows(pipeline, granted, 'secretsmanager:GetSecretValue', readerSecret().secretArn)).toBe(true);
    for (const fn of [stack.processor, stack.api]) {
      expect(functionResource(pipeline, fn).Properties.Environment.Variables).not.toHaveProperty(
        ENV.dbReaderSecretArn,
      );
    }
  });

  it('does not let the api read the master secret, nor the processor the reader secret', () => {
    const { stack } = pipeline;
    const secretsOf = (fn: PipelineFunction) =>
      statementsOf(pipeline, fn)
        .filter((s) => s.action.startsWith('secretsmanager:'))
        .map((s) => s.resource);
    expect(secretsOf(stack.api)).not.toContainEqual(resolve(cluster().secret?.secretArn));
    expect(secretsOf(stack.api)).toContainEqual(resolve(readerSecret().secretArn));
    expect(secretsOf(stack.processor)).not.toContainEqual(resolve(readerSecret().secretArn));
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

  it('outputs the API URL, stream, bucket, producer, migrator, dead-letter queue, alarm topic and dashboard, and no LocalStack path URL', () => {
    for (const name of [
      'ApiUrl',
      'StreamName',
      'BucketName',
      'ProducerFunctionName',
      'DeadLetterQueueUrl',
      'MigratorFunctionName',
      'AlarmTopicArn',
      'DashboardName',
    ]) {
      pipeline.template.hasOutput(name, {});
    }
    pipeline.template.hasOutput('Target', { Value: 'aws' });
    expect(pipeline.template.findOutputs('ApiPathUrl')).toEqual({});
  });

  it("outputs every function's name and its explicit log group", () => {
    for (const name of FUNCTION_NAMES) {
      const fn = pipeline.stack.functions[name];
      const outputNames = functionOutputNames(name);
      pipeline.template.hasOutput(outputNames.functionName, {
        Value: pipeline.stack.resolve(fn.function.functionName),
      });
      pipeline.template.hasOutput(outputNames.logGroupName, {
        Value: pipeline.stack.resolve(fn.logGroup.logGroupName),
      });
    }
  });

  it('has no unacknowledged cdk-nag AwsSolutions findings', () => {
    expect(pipeline.nagFindings).toEqual([]);
  });
});

describeLeastPrivilege(() => pipeline);
