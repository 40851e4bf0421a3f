/**
 * The pipeline's CloudWatch metrics: one contract for the functions that publish them (Powertools
 * Metrics, embedded metric format on stdout) and the alarms and dashboard that read them (the stack).
 *
 * A CloudWatch metric is identified by namespace, name and its whole set of dimensions, so each metric
 * below is published with exactly the dimensions it lists, and the stack reads it with the same ones.
 * `service` is always one of them: Powertools adds it to every metric from `serviceName`.
 */
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { ProcessorStep } from './vocabulary.js';

/** The CloudWatch namespace of every pipeline metric. */
export const METRICS_NAMESPACE = 'InfectedCode/Pipeline';

/** Dimension names. */
export const METRIC_DIMENSIONS = {
  /** The publishing function: a value of {@link METRIC_SERVICES}. */
  service: 'service',
  /** The processor step that failed a stream batch: a value of {@link PROCESSOR_STEPS}. */
  step: 'step',
  /** Why the producer refused a row: its reject reason code, e.g. `invalid-time`. */
  reason: 'reason',
} as const;

/** Values of the `service` dimension (and the Powertools `serviceName` of each function). */
export const METRIC_SERVICES = {
  processor: 'processor',
  producer: 'producer',
  batch: 'batch',
} as const;

export type MetricService = (typeof METRIC_SERVICES)[keyof typeof METRIC_SERVICES];

type DimensionName = (typeof METRIC_DIMENSIONS)[keyof typeof METRIC_DIMENSIONS];

/** One published metric: its name, unit, publisher and dimensions beyond `service`. */
export interface PipelineMetric {
  readonly name: string;
  readonly unit: 'Count' | 'Milliseconds';
  readonly service: MetricService;
  readonly extraDimensions: readonly DimensionName[];
}

/** What the processor publishes once per stream batch (one Kinesis event). */
export const PROCESSOR_METRICS = {
  /** Commits counted into the aggregates by the batch's transaction. */
  commitsStored: { name: 'CommitsStored', unit: 'Count', service: 'processor', extraDimensions: [] },
  /** Commits the ledger had seen before (a retried or replayed batch), skipped. */
  duplicatesSkipped: {
    name: 'DuplicatesSkipped',
    unit: 'Count',
    service: 'processor',
    extraDimensions: [],
  },
  /** Records that could not be decoded into a commit, kept under `quarantine/`. */
  recordsQuarantined: {
    name: 'RecordsQuarantined',
    unit: 'Count',
    service: 'processor',
    extraDimensions: [],
  },
  /** 1 for a batch that was not stored (the mapping retries it), by the step that failed. */
  batchFailures: { name: 'BatchFailures', unit: 'Count', service: 'processor', extraDimensions: ['step'] },
  /**
   * From the arrival on the stream of the batch's oldest record (`approximateArrivalTimestamp`) to
   * the commit of its aggregates, in milliseconds; published only for a stored batch.
   */
  ingestLag: { name: 'IngestLag', unit: 'Milliseconds', service: 'processor', extraDimensions: [] },
} as const satisfies Record<string, PipelineMetric>;

/** What the producer publishes once per run (one CSV file replayed). */
export const PRODUCER_METRICS = {
  /** Data rows read, header excluded, valid or not. */
  rowsRead: { name: 'RowsRead', unit: 'Count', service: 'producer', extraDimensions: [] },
  /** Records Kinesis accepted. */
  rowsSent: { name: 'RowsSent', unit: 'Count', service: 'producer', extraDimensions: [] },
  /** Rows that failed validation, by reject reason; published for each reason that occurred. */
  rowsRejected: { name: 'RowsRejected', unit: 'Count', service: 'producer', extraDimensions: ['reason'] },
  /** Valid rows Kinesis did not accept within the retry budget (kept under `rejected/`). */
  rowsFailed: { name: 'RowsFailed', unit: 'Count', service: 'producer', extraDimensions: [] },
} as const satisfies Record<string, PipelineMetric>;

/** What the batch layer's function publishes once per reconciliation (scheduled daily on AWS). */
export const BATCH_LAYER_METRICS = {
  /**
   * Differences between the serving tables and the view recomputed from the archive (rows and fields
   * that differ, commits counted on one side only); 0 when the two layers agree.
   */
  reconcileDifferences: {
    name: 'ReconcileDifferences',
    unit: 'Count',
    service: 'batch',
    extraDimensions: [],
  },
} as const satisfies Record<string, PipelineMetric>;

/** One stream batch the processor handled, as its metrics report it. */
export interface StreamBatchMetrics {
  commitsStored: number;
  duplicatesSkipped: number;
  recordsQuarantined: number;
  /** See {@link PROCESSOR_METRICS}`.ingestLag`; omitted for a batch that was not stored. */
  ingestLagMs?: number;
  /** The step that failed, for a batch that was not stored. */
  failedStep?: ProcessorStep;
}

/** One producer run, as its metrics report it. */
export interface RunMetrics {
  rowsRead: number;
  rowsSent: number;
  rowsRejectedByReason: Readonly<Record<string, number>>;
  rowsFailed: number;
}

/**
 * The Powertools `Metrics` of one function: the pipeline namespace and the function's `service`.
 * Create it once per cold start, like the logger.
 *
 * @param service - `processor`, `producer` or `batch`
 * @example
 * ```ts
 * const metrics = createPipelineMetrics('processor');
 * publishStreamBatchMetrics(metrics, { commitsStored: 1998, duplicatesSkipped: 0, recordsQuarantined: 2, ingestLagMs: 840 });
 * ```
 */
export function createPipelineMetrics(service: MetricService): Metrics {
  return new Metrics({ namespace: METRICS_NAMESPACE, serviceName: service });
}

/**
 * Publishes the metrics of one stream batch: one EMF line for the counts (and lag), and one more
 * with the `step` dimension when the batch failed.
 *
 * @param metrics - from {@link createPipelineMetrics}`('processor')`
 * @param batch - the batch's counts
 */
export function publishStreamBatchMetrics(metrics: Metrics, batch: StreamBatchMetrics): void {
  const m = PROCESSOR_METRICS;
  add(metrics, m.commitsStored, batch.commitsStored);
  add(metrics, m.duplicatesSkipped, batch.duplicatesSkipped);
  add(metrics, m.recordsQuarantined, batch.recordsQuarantined);
  if (batch.ingestLagMs !== undefined) add(metrics, m.ingestLag, batch.ingestLagMs);
  metrics.publishStoredMetrics();
  if (batch.failedStep !== undefined) {
    publishWith(metrics, m.batchFailures, { [METRIC_DIMENSIONS.step]: batch.failedStep }, 1);
  }
}

/**
 * Publishes the metrics of one producer run: the counts, and `RowsRejected` once per reason that
 * occurred (each its own EMF line, as each has its own `reason` dimension).
 *
 * @param metrics - from {@link createPipelineMetrics}`('producer')`
 * @param run - the run's counts, e.g. from the replay result
 */
export function publishRunMetrics(metrics: Metrics, run: RunMetrics): void {
  const m = PRODUCER_METRICS;
  add(metrics, m.rowsRead, run.rowsRead);
  add(metrics, m.rowsSent, run.rowsSent);
  add(metrics, m.rowsFailed, run.rowsFailed);
  metrics.publishStoredMetrics();
  for (const [reason, count] of Object.entries(run.rowsRejectedByReason)) {
    if (count > 0) publishWith(metrics, m.rowsRejected, { [METRIC_DIMENSIONS.reason]: reason }, count);
  }
}

/**
 * Publishes the outcome of one reconciliation.
 *
 * @param metrics - from {@link createPipelineMetrics}`('batch')`
 * @param differences - how many differences the reconciliation found
 */
export function publishReconcileMetrics(metrics: Metrics, differences: number): void {
  add(metrics, BATCH_LAYER_METRICS.reconcileDifferences, differences);
  metrics.publishStoredMetrics();
}

function add(metrics: Metrics, metric: PipelineMetric, value: number): void {
  metrics.addMetric(metric.name, MetricUnit[metric.unit], value);
}

/** A metric with dimensions of its own goes out alone, so the others keep their dimension set. */
function publishWith(
  metrics: Metrics,
  metric: PipelineMetric,
  dimensions: Record<string, string>,
  value: number,
): void {
  const single = metrics.singleMetric();
  single.addDimensions(dimensions);
  add(single, metric, value);
}
