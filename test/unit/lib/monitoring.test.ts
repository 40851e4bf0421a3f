import { Duration } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { METRICS_NAMESPACE, PROCESSOR_METRICS, PRODUCER_METRICS } from '../../../functions/shared/metrics.js';
import { settings } from '../../../functions/shared/settings.js';
import { contractMetric, type PipelineMonitoring } from '../../../lib/constructs/pipeline-monitoring.js';
import { type SynthesizedPipeline, synthesizePipeline, WITHOUT_BUNDLING } from '../../support/synthesize.js';

const { monitoring } = settings;
const ALARM_EMAIL = 'pipeline-ops@example.com';

let withEmail: SynthesizedPipeline;
let withoutEmail: SynthesizedPipeline;
beforeAll(() => {
  withEmail = synthesizePipeline({ target: 'aws', alarmEmail: ALARM_EMAIL, ...WITHOUT_BUNDLING });
  withoutEmail = synthesizePipeline({ target: 'aws', ...WITHOUT_BUNDLING });
});

const monitoringOf = (p: SynthesizedPipeline) => p.stack.monitoring as PipelineMonitoring;
const ref = (value: unknown) => withEmail.stack.resolve(value);
const topicRef = () => ref(monitoringOf(withEmail).topic.topicArn);

/** An alarm that fires above `threshold` over one period of settings, on ALARM and OK to the topic. */
const alarmOn = (metric: Record<string, unknown>, threshold: number) =>
  withEmail.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
    ...metric,
    Threshold: threshold,
    ComparisonOperator: 'GreaterThanThreshold',
    Period: monitoring.alarmPeriodSeconds,
    EvaluationPeriods: monitoring.alarmEvaluationPeriods,
    AlarmActions: [topicRef()],
    OKActions: [topicRef()],
  });

describe('the alarms of the aws target', () => {
  it('alarm on failed-batch pointers waiting in the dead-letter queue', () => {
    alarmOn(
      {
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Statistic: 'Maximum',
        Dimensions: [{ Name: 'QueueName', Value: ref(withEmail.stack.deadLetterQueue.queueName) }],
      },
      monitoring.deadLetterMessagesAbove,
    );
  });

  it('alarm when the stream iterator is older than the threshold of settings, in milliseconds', () => {
    alarmOn(
      {
        Namespace: 'AWS/Kinesis',
        MetricName: 'GetRecords.IteratorAgeMilliseconds',
        Statistic: 'Maximum',
        Dimensions: [{ Name: 'StreamName', Value: ref(withEmail.stack.stream.streamName) }],
      },
      monitoring.iteratorAgeAboveSeconds * 1000,
    );
    expect(monitoring.iteratorAgeAboveSeconds).toBeLessThan(settings.processor.maxRecordAgeSeconds);
  });

  it('alarm on quarantined records and on rows the producer failed to send, by the metric contract', () => {
    alarmOn(
      {
        Namespace: METRICS_NAMESPACE,
        MetricName: PROCESSOR_METRICS.recordsQuarantined.name,
        Statistic: 'Sum',
        Dimensions: [{ Name: 'service', Value: 'processor' }],
      },
      monitoring.quarantinedRecordsAbove,
    );
    alarmOn(
      {
        Namespace: METRICS_NAMESPACE,
        MetricName: PRODUCER_METRICS.rowsFailed.name,
        Statistic: 'Sum',
        Dimensions: [{ Name: 'service', Value: 'producer' }],
      },
      monitoring.producerFailedRowsAbove,
    );
  });

  it('alarm on errors and throttles of every function', () => {
    const { stack } = withEmail;
    for (const fn of [stack.producer, stack.processor, stack.api, stack.migrations.migrator]) {
      const dimensions = [{ Name: 'FunctionName', Value: ref(fn.function.functionName) }];
      alarmOn(
        { Namespace: 'AWS/Lambda', MetricName: 'Errors', Statistic: 'Sum', Dimensions: dimensions },
        monitoring.functionErrorsAbove,
      );
      alarmOn(
        { Namespace: 'AWS/Lambda', MetricName: 'Throttles', Statistic: 'Sum', Dimensions: dimensions },
        monitoring.functionThrottlesAbove,
      );
    }
  });

  it("alarm on the API's 5xx share and p99 latency, under an API name of this stack's own", () => {
    const apiName = withEmail.stack.readApi.api.restApiName;
    expect(apiName).toBe(`${withEmail.stack.stackName}-read-api`);
    const dimensions = [{ Name: 'ApiName', Value: apiName }];
    alarmOn(
      { Namespace: 'AWS/ApiGateway', MetricName: '5XXError', Statistic: 'Average', Dimensions: dimensions },
      monitoring.api5xxRateAbove,
    );
    alarmOn(
      {
        Namespace: 'AWS/ApiGateway',
        MetricName: 'Latency',
        ExtendedStatistic: 'p99',
        Dimensions: dimensions,
      },
      monitoring.apiP99LatencyAboveMs,
    );
  });

  it('notify the topic from every alarm, and treat missing data (no traffic) as not breaching', () => {
    const alarms = Object.values(withEmail.template.findResources('AWS::CloudWatch::Alarm'));
    expect(alarms).toHaveLength(Object.keys(monitoringOf(withEmail).alarms).length);
    for (const alarm of alarms) {
      expect(alarm.Properties).toMatchObject({
        AlarmActions: [topicRef()],
        OKActions: [topicRef()],
        TreatMissingData: 'notBreaching',
        AlarmDescription: expect.stringMatching(/\w+/),
      });
    }
  });
});

describe('the alarm topic', () => {
  it('is encrypted with a rotating KMS key that CloudWatch may use, and takes TLS only', () => {
    const key = monitoringOf(withEmail).topicKey;
    withEmail.template.hasResourceProperties('AWS::SNS::Topic', {
      KmsMasterKeyId: ref(key.keyArn),
    });
    withEmail.template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          }),
        ]),
      },
    });
    withEmail.template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it("lets only this account's CloudWatch alarms publish to it", () => {
    withEmail.template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: 'sns:Publish',
            Resource: topicRef(),
            Condition: {
              StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
              ArnLike: { 'aws:SourceArn': Match.objectLike({ 'Fn::Join': Match.anyValue() }) },
            },
          }),
        ]),
      },
    });
  });

  it('e-mails the address of context alarmEmail', () => {
    withEmail.template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: ALARM_EMAIL,
      TopicArn: topicRef(),
    });
  });

  it('has no subscription without alarmEmail, and is an output to subscribe to', () => {
    withoutEmail.template.resourceCountIs('AWS::SNS::Subscription', 0);
    withoutEmail.template.hasOutput('AlarmTopicArn', {
      Value: withoutEmail.stack.resolve(monitoringOf(withoutEmail).topic.topicArn),
    });
  });
});

describe('the dashboard', () => {
  const body = () =>
    JSON.stringify(withEmail.template.toJSON().Resources[dashboardId()].Properties.DashboardBody);
  const dashboardId = () =>
    withEmail.stack.getLogicalId(monitoringOf(withEmail).dashboard.node.defaultChild as never);

  it('shows the state of every alarm', () => {
    for (const alarm of Object.values(monitoringOf(withEmail).alarms)) {
      const logicalId = withEmail.stack.getLogicalId(alarm.node.defaultChild as never);
      expect(body()).toContain(`"${logicalId}"`);
    }
    expect(body()).toContain('\\"type\\":\\"alarm\\"');
  });

  it("graphs the pipeline's own metrics: lag, commits, failed batches by step, rejected rows by reason", () => {
    for (const metric of [
      ...Object.values(PROCESSOR_METRICS),
      PRODUCER_METRICS.rowsRead,
      PRODUCER_METRICS.rowsSent,
      PRODUCER_METRICS.rowsFailed,
    ]) {
      expect(body()).toContain(`\\"${metric.name}\\"`);
    }
    expect(body()).toContain('\\"step\\",\\"aggregate\\"');
    expect(body()).toContain('\\"step\\",\\"archive\\"');
    expect(body()).toContain(`MetricName=\\\\\\"${PRODUCER_METRICS.rowsRejected.name}\\\\\\"`);
  });

  it('opens on the time range of settings and is named by CloudFormation, so copies of the stack do not clash', () => {
    withEmail.template.hasResourceProperties('AWS::CloudWatch::Dashboard', {
      DashboardName: Match.absent(),
    });
    const range = Duration.hours(monitoring.dashboardRangeHours).toIsoString();
    expect(body()).toContain(`\\"start\\":\\"-${range}\\"`);
  });
});

describe('a metric of the contract', () => {
  it('is read with exactly the dimensions it is published with', () => {
    const period = Duration.minutes(5);
    expect(() => contractMetric(PROCESSOR_METRICS.batchFailures, { statistic: 'Sum', period })).toThrow(
      /published with dimensions \[step\]/,
    );
    expect(() =>
      contractMetric(PROCESSOR_METRICS.commitsStored, {
        statistic: 'Sum',
        period,
        dimensions: { step: 'x' },
      }),
    ).toThrow(/not \[step\]/);
    expect(
      contractMetric(PROCESSOR_METRICS.batchFailures, {
        statistic: 'Sum',
        period,
        dimensions: { step: 'archive' },
      }).dimensions,
    ).toEqual({ service: 'processor', step: 'archive' });
  });
});

describe('cdk-nag', () => {
  it('has no unacknowledged findings with the alarms, the topic and its subscription', () => {
    expect(withEmail.nagFindings).toEqual([]);
  });
});
