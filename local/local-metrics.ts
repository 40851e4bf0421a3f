/**
 * The pipeline's metrics on the embedded runtime. On AWS the functions print them as EMF and CloudWatch
 * keeps the statistics; here the runtime reads the processor's batch metrics back from the EMF lines
 * its execution environments hand over (local/execution/emf-metrics.ts), keeps the same statistics per
 * metric name and dimension set, serves them as JSON and prints a summary line after each burst of
 * work. The producer runs in the command that replays a file, so that command prints its run's metrics.
 */
import {
  METRIC_DIMENSIONS,
  METRIC_SERVICES,
  METRICS_NAMESPACE,
  type PipelineMetric,
  PROCESSOR_METRICS,
  PRODUCER_METRICS,
  type RunMetrics,
  type StreamBatchMetrics,
} from '../functions/shared/metrics.js';

/** One metric (name and dimension set) over a time range, in CloudWatch's statistics. */
export interface MetricStatistics {
  name: string;
  unit: PipelineMetric['unit'];
  dimensions: Record<string, string>;
  sampleCount: number;
  sum: number;
  minimum: number;
  maximum: number;
  /** Percentiles, for the ingest lag (within 1 %, as CloudWatch's are approximate too). */
  p50?: number;
  p99?: number;
}

/** What the processor published over a time range. */
export interface MetricsWindow {
  namespace: string;
  /** ISO times of the first and last batch (none before the first). */
  from?: string;
  to?: string;
  batches: number;
  metrics: MetricStatistics[];
}

/** Relative width of a lag bucket: percentiles are read from buckets, within this share. */
const BUCKET_GROWTH = 1.01;

/** Count, sum, extremes and (optionally) a log-bucketed histogram of one metric's values. */
class Statistic {
  private count = 0;
  private sum = 0;
  private minimum = Number.POSITIVE_INFINITY;
  private maximum = Number.NEGATIVE_INFINITY;
  private readonly buckets: Map<number, number> | undefined;

  constructor(
    readonly metric: PipelineMetric,
    readonly dimensions: Record<string, string>,
    percentiles: boolean,
  ) {
    this.buckets = percentiles ? new Map() : undefined;
  }

  add(value: number): void {
    this.count += 1;
    this.sum += value;
    this.minimum = Math.min(this.minimum, value);
    this.maximum = Math.max(this.maximum, value);
    if (this.buckets) {
      const bucket = bucketOf(value);
      this.buckets.set(bucket, (this.buckets.get(bucket) ?? 0) + 1);
    }
  }

  view(): MetricStatistics {
    const view: MetricStatistics = {
      name: this.metric.name,
      unit: this.metric.unit,
      dimensions: this.dimensions,
      sampleCount: this.count,
      sum: this.sum,
      minimum: this.minimum,
      maximum: this.maximum,
    };
    if (!this.buckets) return view;
    return { ...view, p50: this.percentile(0.5), p99: this.percentile(0.99) };
  }

  private percentile(share: number): number {
    const buckets = this.buckets ?? new Map<number, number>();
    const rank = Math.max(1, Math.ceil(share * this.count));
    let seen = 0;
    for (const bucket of [...buckets.keys()].sort((a, b) => a - b)) {
      seen += buckets.get(bucket) ?? 0;
      if (seen < rank) continue;
      return Math.round(Math.min(this.maximum, Math.max(this.minimum, upperBoundOf(bucket))));
    }
    return this.maximum;
  }
}

const bucketOf = (value: number): number =>
  Math.ceil(Math.log1p(Math.max(0, value)) / Math.log(BUCKET_GROWTH));
const upperBoundOf = (bucket: number): number => Math.expm1(bucket * Math.log(BUCKET_GROWTH));

/** The statistics of the processor's metrics over one time range. */
class Window {
  batches = 0;
  private readonly statistics = new Map<string, Statistic>();
  private first = 0;
  private last = 0;

  record(batch: StreamBatchMetrics, now: number): void {
    if (this.batches === 0) this.first = now;
    this.batches += 1;
    this.last = now;
    const m = PROCESSOR_METRICS;
    this.add(m.commitsStored, batch.commitsStored);
    this.add(m.duplicatesSkipped, batch.duplicatesSkipped);
    this.add(m.recordsQuarantined, batch.recordsQuarantined);
    if (batch.ingestLagMs !== undefined) this.add(m.ingestLag, batch.ingestLagMs, true);
    if (batch.failedStep !== undefined) {
      this.add(m.batchFailures, 1, false, { [METRIC_DIMENSIONS.step]: batch.failedStep });
    }
  }

  view(): MetricsWindow {
    return {
      namespace: METRICS_NAMESPACE,
      ...(this.batches > 0 && {
        from: new Date(this.first).toISOString(),
        to: new Date(this.last).toISOString(),
      }),
      batches: this.batches,
      metrics: [...this.statistics.values()].map((statistic) => statistic.view()),
    };
  }

  private add(metric: PipelineMetric, value: number, percentiles = false, extra = {}): void {
    const dimensions = { [METRIC_DIMENSIONS.service]: metric.service, ...extra };
    const key = `${metric.name}${JSON.stringify(dimensions)}`;
    let statistic = this.statistics.get(key);
    if (!statistic) {
      statistic = new Statistic(metric, dimensions, percentiles);
      this.statistics.set(key, statistic);
    }
    statistic.add(value);
  }
}

/** The processor's metrics since the runtime started, and since the last summary. */
export class ProcessorMetricsLog {
  private readonly total = new Window();
  private run = new Window();
  private lastBatchAt = 0;

  /** A publisher for `createProcessorHandler`'s `publishMetrics`. */
  readonly publish = (batch: StreamBatchMetrics): void => this.record(batch);

  record(batch: StreamBatchMetrics, now = Date.now()): void {
    this.total.record(batch, now);
    this.run.record(batch, now);
    this.lastBatchAt = now;
  }

  /** Everything since the runtime started. */
  totals(): MetricsWindow {
    return this.total.view();
  }

  /** The batches since the last call, or undefined when there were none. */
  takeRun(): MetricsWindow | undefined {
    if (this.run.batches === 0) return undefined;
    const run = this.run.view();
    this.run = new Window();
    return run;
  }

  /** When the batch of an unsummarised run came in, or undefined when there is none. */
  runQuietSince(): number | undefined {
    return this.run.batches > 0 ? this.lastBatchAt : undefined;
  }
}

/**
 * Prints the summary of each burst of processor work once no batch came for `quietMs` (another
 * terminal's `npm run replay`, the mapping's retries). The timer never keeps the process alive.
 *
 * @param log - the runtime's metrics
 * @param print - e.g. the runtime's console logger
 * @returns stops the reports
 */
export function reportQuietRuns(
  log: ProcessorMetricsLog,
  print: (line: string) => void,
  { quietMs = 2_000, checkEveryMs = 500 }: { quietMs?: number; checkEveryMs?: number } = {},
): () => void {
  const timer = setInterval(() => {
    const since = log.runQuietSince();
    if (since === undefined || Date.now() - since < quietMs) return;
    const run = log.takeRun();
    if (run) print(formatProcessorWindow(run));
  }, checkEveryMs);
  timer.unref();
  return () => clearInterval(timer);
}

/**
 * One line: the processor's metrics by their CloudWatch names, e.g.
 * `processor metrics, 10 batches: CommitsStored 19990 · DuplicatesSkipped 0 · … · IngestLag p50 410 ms, p99 1.9 s, max 2.0 s`.
 *
 * @param window - from {@link ProcessorMetricsLog}
 */
export function formatProcessorWindow(window: MetricsWindow): string {
  const m = PROCESSOR_METRICS;
  const sumOf = (metric: PipelineMetric) =>
    window.metrics.filter((s) => s.name === metric.name).reduce((sum, s) => sum + s.sum, 0);
  const failures = window.metrics.filter((s) => s.name === m.batchFailures.name);
  const byStep = failures.map((s) => `${s.dimensions[METRIC_DIMENSIONS.step]} ${s.sum}`).join(', ');
  const lag = window.metrics.find((s) => s.name === m.ingestLag.name);
  const parts = [
    `${m.commitsStored.name} ${sumOf(m.commitsStored)}`,
    `${m.duplicatesSkipped.name} ${sumOf(m.duplicatesSkipped)}`,
    `${m.recordsQuarantined.name} ${sumOf(m.recordsQuarantined)}`,
    `${m.batchFailures.name} ${sumOf(m.batchFailures)}${byStep ? ` (${byStep})` : ''}`,
  ];
  if (lag) {
    parts.push(
      `${m.ingestLag.name} p50 ${duration(lag.p50 ?? 0)}, p99 ${duration(lag.p99 ?? 0)}, max ${duration(lag.maximum)}`,
    );
  }
  const batches = `${window.batches} batch${window.batches === 1 ? '' : 'es'}`;
  return `${METRIC_SERVICES.processor} metrics, ${batches}: ${parts.join(' · ')}`;
}

/**
 * One line: a producer run's metrics by their CloudWatch names, e.g.
 * `producer metrics: RowsRead 20000 · RowsSent 19990 · RowsRejected 10 (invalid-time 7, column-count 3) · RowsFailed 0`.
 *
 * @param run - e.g. `runMetricsOf(result)` of a replay
 */
export function formatRunMetrics(run: RunMetrics): string {
  const p = PRODUCER_METRICS;
  const reasons = Object.entries(run.rowsRejectedByReason).filter(([, count]) => count > 0);
  const rejected = reasons.reduce((sum, [, count]) => sum + count, 0);
  const byReason = reasons.map(([reason, count]) => `${reason} ${count}`).join(', ');
  return `${METRIC_SERVICES.producer} metrics: ${[
    `${p.rowsRead.name} ${run.rowsRead}`,
    `${p.rowsSent.name} ${run.rowsSent}`,
    `${p.rowsRejected.name} ${rejected}${byReason ? ` (${byReason})` : ''}`,
    `${p.rowsFailed.name} ${run.rowsFailed}`,
  ].join(' · ')}`;
}

function duration(ms: number): string {
  return ms < 1_000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}
