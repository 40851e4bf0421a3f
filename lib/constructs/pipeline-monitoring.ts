/**
 * What tells an operator that the pipeline is losing or delaying data: alarms on an encrypted SNS topic
 * (optionally e-mailed) and a dashboard of the pipeline's health. Thresholds from
 * `settings.monitoring`; the pipeline's own metrics by the contract of `functions/shared/metrics.ts`.
 *
 * Plain L2 alarms rather than `cdk-monitoring-constructs` (which fits aws-cdk-lib 2.276): here each
 * alarm is one metric against one threshold from settings, as the template shows it. The library wraps
 * every alarm in a metric-math query, gives alarms and dashboards fixed physical names from a prefix,
 * and has threshold semantics of its own (its API Gateway "fault rate" compares the raw 5XXError
 * average, a 0–1 share, with a percent-like threshold); its generic widgets would not show the
 * pipeline's own metrics without custom sections anyway.
 *
 * The processor never throws (a failed batch is a `batchItemFailures` answer), so Lambda `Errors`
 * cannot show lost batches: the dead-letter queue, the iterator age and the pipeline's metrics do.
 */
import { ArnFormat, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  BATCH_LAYER_METRICS,
  METRIC_DIMENSIONS,
  METRICS_NAMESPACE,
  type PipelineMetric,
  PROCESSOR_METRICS,
  PRODUCER_METRICS,
} from '../../functions/shared/metrics.js';
import { settings } from '../../functions/shared/settings.js';
import { PROCESSOR_STEPS } from '../../functions/shared/vocabulary.js';

export interface PipelineMonitoringProps {
  readonly stream: kinesis.IStream;
  readonly deadLetterQueue: sqs.IQueue;
  /** The pipeline's functions by name (`producer`, `processor`, …): errors and throttles of each. */
  readonly functions: Readonly<Record<string, lambda.IFunction>>;
  /** The read API: 5xx share and p99 latency. */
  readonly api: apigateway.RestApi;
  /**
   * An e-mail address subscribed to the alarm topic.
   * @default - no subscription
   */
  readonly alarmEmail?: string;
  /**
   * Alarm on the daily reconciliation's `ReconcileDifferences` (the batch layer's schedule).
   * @default false
   */
  readonly watchReconciliation?: boolean;
}

/** The alarms by what they watch; a function's are `<name>Errors` and `<name>Throttles`. */
export type PipelineAlarms = Readonly<Record<string, cloudwatch.Alarm>>;

/** The metrics the alarms other than the functions' watch. */
type WatchedMetrics = Readonly<
  Record<
    | 'deadLetterMessages'
    | 'iteratorAgeMs'
    | 'quarantined'
    | 'producerFailed'
    | 'api5xxRate'
    | 'apiP99Latency',
    cloudwatch.Metric
  >
>;

type ContractMetricOf = (
  metric: PipelineMetric,
  statistic: string,
  dimensions?: Readonly<Record<string, string>>,
) => cloudwatch.Metric;

export class PipelineMonitoring extends Construct {
  /** Every alarm notifies it, on ALARM and back to OK. */
  readonly topic: sns.Topic;
  readonly topicKey: kms.Key;
  readonly alarms: PipelineAlarms;
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: PipelineMonitoringProps) {
    super(scope, id);
    const { monitoring } = settings;
    if (monitoring.iteratorAgeAboveSeconds >= settings.processor.maxRecordAgeSeconds) {
      throw new Error(
        'settings.monitoring.iteratorAgeAboveSeconds must be below settings.processor.maxRecordAgeSeconds: ' +
          'past that age the mapping gives records up to the dead-letter queue',
      );
    }
    const period = Duration.seconds(monitoring.alarmPeriodSeconds);

    this.topicKey = new kms.Key(this, 'AlarmTopicKey', {
      description: 'Encrypts the pipeline alarm topic',
      enableKeyRotation: true,
      // It protects notifications in flight only: nothing kept outlives the topic and needs it.
      removalPolicy: RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(7),
    });
    // CloudWatch publishes to an encrypted topic only if the key lets it encrypt for SNS. The key is this
    // topic's alone; the topic policy below scopes who may publish.
    this.topicKey.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
      }),
    );
    this.topic = new sns.Topic(this, 'AlarmTopic', {
      displayName: 'Infected Code pipeline alarms',
      masterKey: this.topicKey,
      enforceSSL: true,
    });
    // `enforceSSL` gives the topic a policy of its own, which replaces the default one: allow the alarms
    // of this account and region explicitly (and no other account's, the confused-deputy guard).
    const stack = Stack.of(this);
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: {
            'aws:SourceArn': stack.formatArn({
              service: 'cloudwatch',
              resource: 'alarm',
              resourceName: '*',
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          },
        },
      }),
    );
    if (props.alarmEmail !== undefined) {
      this.topic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));
    }

    const pipelineMetric: ContractMetricOf = (metric, statistic, dimensions = {}) =>
      contractMetric(metric, { statistic, period, dimensions });
    const metrics: WatchedMetrics = {
      deadLetterMessages: props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        statistic: 'Maximum',
        period,
      }),
      iteratorAgeMs: props.stream.metricGetRecordsIteratorAgeMilliseconds({ statistic: 'Maximum', period }),
      quarantined: pipelineMetric(PROCESSOR_METRICS.recordsQuarantined, 'Sum'),
      producerFailed: pipelineMetric(PRODUCER_METRICS.rowsFailed, 'Sum'),
      // 5XXError is 0 or 1 per request: its average is the share of 5xx answers.
      api5xxRate: props.api.metricServerError({ statistic: 'Average', period }),
      apiP99Latency: props.api.metricLatency({ statistic: 'p99', period }),
    };

    const alarm = (alarmId: string, metric: cloudwatch.IMetric, threshold: number, description: string) => {
      const created = new cloudwatch.Alarm(this, alarmId, {
        metric,
        threshold,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: monitoring.alarmEvaluationPeriods,
        // No data is no traffic (or no failure), not a breach.
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        alarmDescription: description,
      });
      created.addAlarmAction(new SnsAction(this.topic));
      created.addOkAction(new SnsAction(this.topic));
      return created;
    };

    const alarms: Record<string, cloudwatch.Alarm> = {
      deadLetterMessages: alarm(
        'DeadLetterMessagesAlarm',
        metrics.deadLetterMessages,
        monitoring.deadLetterMessagesAbove,
        'Batches the processor gave up on wait in the dead-letter queue: their aggregates are missing. ' +
          'Fix the cause (processor logs: "batch not stored"), then run the redrive while the stream ' +
          'still holds the records.',
      ),
      iteratorAge: alarm(
        'IteratorAgeAlarm',
        metrics.iteratorAgeMs,
        monitoring.iteratorAgeAboveSeconds * 1000,
        'The processor is falling behind the stream; past the maximum record age its batches go to ' +
          'the dead-letter queue. Look for failing batches (BatchFailures) or throttling.',
      ),
      quarantinedRecords: alarm(
        'QuarantinedRecordsAlarm',
        metrics.quarantined,
        monitoring.quarantinedRecordsAbove,
        'Stream records that are not valid commits were set aside under quarantine/ of the archive.',
      ),
      producerFailedRows: alarm(
        'ProducerFailedRowsAlarm',
        metrics.producerFailed,
        monitoring.producerFailedRowsAbove,
        'Kinesis did not accept valid rows within the retry budget; they are kept under rejected/ for a ' +
          'replay.',
      ),
      api5xxRate: alarm(
        'Api5xxRateAlarm',
        metrics.api5xxRate,
        monitoring.api5xxRateAbove,
        'The read API answers 5xx: the database is unreachable or a route fails (api logs).',
      ),
      apiP99Latency: alarm(
        'ApiP99LatencyAlarm',
        metrics.apiP99Latency,
        monitoring.apiP99LatencyAboveMs,
        'The read API is slow at the 99th percentile (database capacity, cold starts).',
      ),
    };
    if (props.watchReconciliation) {
      // Published once a day: a period of a day keeps the alarm in its state until the next run.
      alarms.reconcileDifferences = alarm(
        'ReconcileDifferencesAlarm',
        contractMetric(BATCH_LAYER_METRICS.reconcileDifferences, {
          statistic: 'Maximum',
          period: Duration.days(1),
        }),
        settings.batch.reconcileDifferencesAbove,
        'The daily reconciliation found the serving tables differ from the view recomputed from the archive: ' +
          'list the differences with `npm run reconcile -- --target deployed`, repair them with ' +
          '`npm run rebuild -- --target deployed` (the batch function logs the same table).',
      );
    }
    for (const [name, fn] of Object.entries(props.functions)) {
      const id = name.charAt(0).toUpperCase() + name.slice(1);
      alarms[`${name}Errors`] = alarm(
        `${id}ErrorsAlarm`,
        fn.metricErrors({ statistic: 'Sum', period }),
        monitoring.functionErrorsAbove,
        `The ${name} function failed (threw, timed out or ran out of memory): see its log group.`,
      );
      alarms[`${name}Throttles`] = alarm(
        `${id}ThrottlesAlarm`,
        fn.metricThrottles({ statistic: 'Sum', period }),
        monitoring.functionThrottlesAbove,
        `Invocations of the ${name} function were throttled (account or reserved concurrency).`,
      );
    }
    this.alarms = alarms;

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      defaultInterval: Duration.hours(monitoring.dashboardRangeHours),
      widgets: healthWidgets(props, alarms, metrics, pipelineMetric),
    });
  }
}

/**
 * A metric of the contract, with exactly the dimensions it is published with.
 *
 * @param metric - e.g. `PROCESSOR_METRICS.recordsQuarantined`
 * @param options.dimensions - values of its dimensions beyond `service`, e.g. `{ step: 'archive' }`
 */
export function contractMetric(
  metric: PipelineMetric,
  options: { statistic: string; period: Duration; dimensions?: Readonly<Record<string, string>> },
): cloudwatch.Metric {
  const dimensions = options.dimensions ?? {};
  const given = Object.keys(dimensions).sort();
  if (given.join() !== [...metric.extraDimensions].sort().join()) {
    throw new Error(
      `${metric.name} is published with dimensions [${metric.extraDimensions.join(', ')}], not [${given.join(', ')}]`,
    );
  }
  return new cloudwatch.Metric({
    namespace: METRICS_NAMESPACE,
    metricName: metric.name,
    dimensionsMap: { [METRIC_DIMENSIONS.service]: metric.service, ...dimensions },
    statistic: options.statistic,
    period: options.period,
  });
}

/** The dashboard: alarm states, then one row per stage of the pipeline. */
function healthWidgets(
  props: PipelineMonitoringProps,
  alarms: PipelineAlarms,
  metrics: WatchedMetrics,
  pipelineMetric: ContractMetricOf,
): cloudwatch.IWidget[][] {
  const graph = (title: string, left: cloudwatch.IMetric[], annotated?: cloudwatch.Alarm) =>
    new cloudwatch.GraphWidget({
      title,
      left,
      width: 8,
      ...(annotated && { leftAnnotations: [annotated.toAnnotation()] }),
    });
  const processor = PROCESSOR_METRICS;
  const producer = PRODUCER_METRICS;
  const period = Duration.seconds(settings.monitoring.alarmPeriodSeconds);
  const rejectedByReason = new cloudwatch.MathExpression({
    expression:
      `SEARCH('{${METRICS_NAMESPACE},${METRIC_DIMENSIONS.service},${METRIC_DIMENSIONS.reason}} ` +
      `MetricName="${producer.rowsRejected.name}"', 'Sum', ${period.toSeconds()})`,
    label: 'Rejected rows by reason',
    period,
  });
  const functions = Object.entries(props.functions);

  return [
    [
      new cloudwatch.AlarmStatusWidget({
        title: 'Alarms',
        alarms: Object.values(alarms),
        width: 24,
      }),
    ],
    [
      graph('Stream: records in', [props.stream.metricIncomingRecords({ statistic: 'Sum', period })]),
      graph('Stream: iterator age (ms)', [metrics.iteratorAgeMs], alarms.iteratorAge),
      graph('Processor: ingest lag (ms)', [
        pipelineMetric(processor.ingestLag, 'p50'),
        pipelineMetric(processor.ingestLag, 'p99'),
        pipelineMetric(processor.ingestLag, 'Maximum'),
      ]),
    ],
    [
      graph('Processor: commits', [
        pipelineMetric(processor.commitsStored, 'Sum'),
        pipelineMetric(processor.duplicatesSkipped, 'Sum'),
      ]),
      graph(
        'Processor: failed batches by step',
        PROCESSOR_STEPS.map((step) =>
          pipelineMetric(processor.batchFailures, 'Sum', { [METRIC_DIMENSIONS.step]: step }),
        ),
      ),
      graph('Dead-letter queue: pointers', [metrics.deadLetterMessages], alarms.deadLetterMessages),
    ],
    [
      graph('Processor: quarantined records', [metrics.quarantined], alarms.quarantinedRecords),
      graph('Producer: rows', [
        pipelineMetric(producer.rowsRead, 'Sum'),
        pipelineMetric(producer.rowsSent, 'Sum'),
        pipelineMetric(producer.rowsFailed, 'Sum'),
      ]),
      graph('Producer: rejected rows by reason', [rejectedByReason]),
    ],
    [
      graph(
        'Functions: errors',
        functions.map(([name, fn]) => fn.metricErrors({ statistic: 'Sum', period, label: name })),
      ),
      graph(
        'Functions: throttles',
        functions.map(([name, fn]) => fn.metricThrottles({ statistic: 'Sum', period, label: name })),
      ),
      graph(
        'Functions: duration p99 (ms)',
        functions.map(([name, fn]) => fn.metricDuration({ statistic: 'p99', period, label: name })),
      ),
    ],
    [
      graph('API: requests', [props.api.metricCount({ statistic: 'Sum', period })]),
      graph('API: 5xx share', [metrics.api5xxRate], alarms.api5xxRate),
      graph('API: p99 latency (ms)', [metrics.apiP99Latency], alarms.apiP99Latency),
    ],
  ];
}
