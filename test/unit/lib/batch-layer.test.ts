/**
 * The batch layer in the templates: its function on both targets; on aws its daily schedule, the alarm
 * on its metric, and SQL over the archive (Glue table with partition projection, Athena workgroup,
 * saved queries); least privilege of its role.
 */
import type { CfnElement } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { ARCHIVE_QUERIES } from '../../../functions/batch/archive-queries.js';
import { ARCHIVE_COLUMNS, ARCHIVE_TABLE } from '../../../functions/batch/archive-table.js';
import { ENV } from '../../../functions/shared/env.js';
import { BATCH_LAYER_METRICS, METRICS_NAMESPACE } from '../../../functions/shared/metrics.js';
import { settings } from '../../../functions/shared/settings.js';
import {
  allows,
  bucketArn,
  objectsArn,
  type SynthesizedPipeline,
  statementsOf,
  synthesizePipeline,
  WITHOUT_BUNDLING,
} from '../../support/synthesize.js';

let aws: SynthesizedPipeline;
let localstack: SynthesizedPipeline;
beforeAll(() => {
  aws = synthesizePipeline({ target: 'aws', ...WITHOUT_BUNDLING });
  localstack = synthesizePipeline({ target: 'localstack', ...WITHOUT_BUNDLING });
});

const logicalId = (p: SynthesizedPipeline, element: unknown) => p.stack.getLogicalId(element as CfnElement);
const batchFunctionId = (p: SynthesizedPipeline) =>
  logicalId(p, p.stack.batchLayer.function.function.node.defaultChild);
const resolve = (p: SynthesizedPipeline, value: unknown) => p.stack.resolve(value);

describe('the batch function', () => {
  it.each([
    ['aws', () => aws],
    ['localstack', () => localstack],
  ])(
    'runs on the %s target with the archive bucket and the owner identity, and is an output',
    (_, pipeline) => {
      const p = pipeline();
      const fn = p.stack.batchLayer.function.function;
      p.template.hasResourceProperties('AWS::Lambda::Function', {
        MemorySize: settings.functions.batch.memorySize,
        Timeout: settings.functions.batch.timeoutSeconds,
        Environment: {
          Variables: Match.objectLike({
            [ENV.bucketName]: resolve(p, p.stack.archive.bucket.bucketName),
            [ENV.dbSecretArn]: resolve(p, p.stack.database.environment[ENV.dbSecretArn]),
          }),
        },
      });
      expect(resolve(p, fn.functionName)).toEqual({ Ref: batchFunctionId(p) });
      p.template.hasOutput('BatchFunctionName', { Value: { Ref: batchFunctionId(p) } });
    },
  );

  it('may read and list raw/ only, call the Data API, and write nothing to the archive or the stream', () => {
    for (const p of [aws, localstack]) {
      const granted = statementsOf(p, p.stack.batchLayer.function);
      const s3 = granted.filter((s) => s.action.startsWith('s3:'));
      expect(s3).toEqual(
        expect.arrayContaining([
          { action: 's3:GetObject', resource: objectsArn(p, `${settings.archive.rawPrefix}*`) },
          {
            action: 's3:ListBucket',
            resource: bucketArn(p),
            condition: { StringLike: { 's3:prefix': `${settings.archive.rawPrefix}*` } },
          },
        ]),
      );
      expect(s3).toHaveLength(2);
      const clusterArn = p.stack.database.environment[ENV.dbClusterArn];
      expect(allows(p, granted, 'rds-data:BeginTransaction', clusterArn)).toBe(true);
      expect(
        allows(p, granted, 'secretsmanager:GetSecretValue', p.stack.database.environment[ENV.dbSecretArn]),
      ).toBe(true);
      const services = new Set(granted.map((s) => s.action.split(':')[0]));
      expect([...services].sort()).toEqual(['logs', 'rds-data', 's3', 'secretsmanager']);
      for (const statement of granted) expect(statement.resource).not.toBe('*');
    }
  });
});

describe('the daily reconciliation (aws target)', () => {
  it('runs the batch function every day at the time in settings, once, asking it to reconcile', () => {
    const { hour, minute } = settings.batch.reconcileSchedule;
    aws.template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: `cron(${minute} ${hour} * * ? *)`,
      State: 'ENABLED',
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [batchFunctionId(aws), 'Arn'] },
          Input: JSON.stringify({ action: 'reconcile' }),
          RetryPolicy: { MaximumRetryAttempts: 0 },
        }),
      ],
    });
    aws.template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      Principal: 'events.amazonaws.com',
      FunctionName: { 'Fn::GetAtt': [batchFunctionId(aws), 'Arn'] },
    });
  });

  it('alarms on the differences it publishes, over a day, and on the function failing', () => {
    aws.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: METRICS_NAMESPACE,
      MetricName: BATCH_LAYER_METRICS.reconcileDifferences.name,
      Dimensions: [{ Name: 'service', Value: 'batch' }],
      Statistic: 'Maximum',
      Period: 86_400,
      Threshold: settings.batch.reconcileDifferencesAbove,
      ComparisonOperator: 'GreaterThanThreshold',
    });
    aws.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: batchFunctionId(aws) } }],
    });
  });

  it('is not scheduled on LocalStack, which has neither the alarms nor SQL over the archive', () => {
    localstack.template.resourceCountIs('AWS::Events::Rule', 0);
    localstack.template.resourceCountIs('AWS::Glue::Table', 0);
    localstack.template.resourceCountIs('AWS::Athena::WorkGroup', 0);
  });
});

describe('SQL over the archive (aws target)', () => {
  const archiveSql = () => aws.stack.archiveSql ?? expect.fail('no ArchiveSql on the aws target');

  it('describes raw/ as a Glue table with the columns of archive-table.ts and the JSON SerDe mapping them', () => {
    const bucket = resolve(aws, aws.stack.archive.bucket.bucketName);
    aws.template.hasResourceProperties('AWS::Glue::Database', {
      DatabaseInput: { Name: archiveSql().databaseName },
    });
    aws.template.hasResourceProperties('AWS::Glue::Table', {
      DatabaseName: archiveSql().databaseName,
      TableInput: Match.objectLike({
        Name: ARCHIVE_TABLE,
        TableType: 'EXTERNAL_TABLE',
        PartitionKeys: [
          Match.objectLike({ Name: 'dt', Type: 'string' }),
          Match.objectLike({ Name: 'hour', Type: 'string' }),
        ],
        StorageDescriptor: Match.objectLike({
          Location: { 'Fn::Join': ['', ['s3://', bucket, `/${settings.archive.rawPrefix}`]] },
          Columns: ARCHIVE_COLUMNS.map((column) =>
            Match.objectLike({ Name: column.name, Type: column.glueType }),
          ),
          SerdeInfo: {
            SerializationLibrary: 'org.openx.data.jsonserde.JsonSerDe',
            Parameters: Match.objectLike({ 'case.insensitive': 'FALSE', 'mapping.commit_id': 'commitId' }),
          },
        }),
      }),
    });
  });

  it('projects the dt and hour partitions from the key layout, with no crawler', () => {
    const bucket = resolve(aws, aws.stack.archive.bucket.bucketName);
    aws.template.hasResourceProperties('AWS::Glue::Table', {
      TableInput: Match.objectLike({
        Parameters: Match.objectLike({
          'projection.enabled': 'true',
          'projection.dt.type': 'date',
          'projection.dt.format': 'yyyy-MM-dd',
          'projection.dt.range': `NOW-${settings.batch.sql.projectionYears}YEARS,NOW`,
          'projection.hour.type': 'integer',
          'projection.hour.range': '0,23',
          'projection.hour.digits': '2',
          'storage.location.template': {
            'Fn::Join': ['', ['s3://', bucket, `/${settings.archive.rawPrefix}dt=\${dt}/hour=\${hour}/`]],
          },
        }),
      }),
    });
    aws.template.resourceCountIs('AWS::Glue::Crawler', 0);
  });

  it('has an Athena workgroup that enforces engine 3, a scan limit and SSE-S3 results in its own bucket', () => {
    const results = logicalId(aws, archiveSql().resultsBucket.node.defaultChild);
    aws.template.hasResourceProperties('AWS::Athena::WorkGroup', {
      Name: archiveSql().workGroupName,
      RecursiveDeleteOption: true,
      WorkGroupConfiguration: {
        EnforceWorkGroupConfiguration: true,
        PublishCloudWatchMetricsEnabled: true,
        BytesScannedCutoffPerQuery: settings.batch.sql.bytesScannedCutoffPerQuery,
        EngineVersion: { SelectedEngineVersion: 'Athena engine version 3' },
        ResultConfiguration: {
          OutputLocation: { 'Fn::Join': ['', ['s3://', { Ref: results }, '/']] },
          EncryptionConfiguration: { EncryptionOption: 'SSE_S3' },
          ExpectedBucketOwner: { Ref: 'AWS::AccountId' },
        },
      },
    });
    const bucket = aws.template.findResources('AWS::S3::Bucket')[results];
    expect(bucket?.Properties).toMatchObject({
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, RestrictPublicBuckets: true },
      LifecycleConfiguration: {
        Rules: [expect.objectContaining({ ExpirationInDays: settings.batch.sql.resultsExpirationDays })],
      },
    });
  });

  it('saves each query of archive-queries.ts in the workgroup, on the archive database', () => {
    for (const query of ARCHIVE_QUERIES) {
      aws.template.hasResourceProperties('AWS::Athena::NamedQuery', {
        Name: query.name,
        Database: archiveSql().databaseName,
        WorkGroup: archiveSql().workGroupName,
        QueryString: query.sql,
      });
    }
  });

  it('leaves no cdk-nag finding unacknowledged on either target', () => {
    expect(aws.nagFindings).toEqual([]);
    expect(localstack.nagFindings).toEqual([]);
  });
});
