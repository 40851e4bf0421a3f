import { afterEach, describe, expect, it, vi } from 'vitest';
import { METRICS_NAMESPACE, PROCESSOR_METRICS } from '../../../functions/shared/metrics.js';
import {
  formatProcessorWindow,
  formatRunMetrics,
  ProcessorMetricsLog,
  reportQuietRuns,
} from '../../../local/local-metrics.js';

const m = PROCESSOR_METRICS;
const stored = (commitsStored: number, ingestLagMs: number) => ({
  commitsStored,
  duplicatesSkipped: 1,
  recordsQuarantined: 2,
  ingestLagMs,
});

afterEach(() => vi.useRealTimers());

describe('the processor metrics on the embedded runtime', () => {
  it('keeps CloudWatch statistics per metric name and dimension set, failures by step', () => {
    const log = new ProcessorMetricsLog();
    log.record(stored(100, 400), Date.UTC(2026, 0, 1, 12));
    log.record({ commitsStored: 0, duplicatesSkipped: 0, recordsQuarantined: 0, failedStep: 'aggregate' });
    log.record({ commitsStored: 50, duplicatesSkipped: 0, recordsQuarantined: 0, failedStep: 'archive' });
    log.record({ commitsStored: 0, duplicatesSkipped: 0, recordsQuarantined: 0, failedStep: 'aggregate' });
    log.record(stored(20, 1_600), Date.UTC(2026, 0, 1, 12, 5));

    const totals = log.totals();
    expect(totals).toMatchObject({
      namespace: METRICS_NAMESPACE,
      batches: 5,
      from: '2026-01-01T12:00:00.000Z',
      to: '2026-01-01T12:05:00.000Z',
    });
    const of = (name: string, dimensions: Record<string, string> = { service: 'processor' }) =>
      totals.metrics.find(
        (s) => s.name === name && JSON.stringify(s.dimensions) === JSON.stringify(dimensions),
      );
    expect(of(m.commitsStored.name)).toMatchObject({ sampleCount: 5, sum: 170, minimum: 0, maximum: 100 });
    expect(of(m.duplicatesSkipped.name)).toMatchObject({ sum: 2 });
    expect(of(m.recordsQuarantined.name)).toMatchObject({ sum: 4 });
    expect(of(m.batchFailures.name, { service: 'processor', step: 'aggregate' })).toMatchObject({ sum: 2 });
    expect(of(m.batchFailures.name, { service: 'processor', step: 'archive' })).toMatchObject({ sum: 1 });
    expect(of(m.ingestLag.name)).toMatchObject({
      unit: 'Milliseconds',
      sampleCount: 2,
      minimum: 400,
      maximum: 1_600,
    });
  });

  it('reads the lag percentiles within 1 %', () => {
    const log = new ProcessorMetricsLog();
    // 1..1000 ms: p50 is 500, p99 is 990.
    for (let lag = 1; lag <= 1_000; lag += 1) log.record(stored(1, lag));
    const lag = log.totals().metrics.find((s) => s.name === m.ingestLag.name);
    expect(Math.abs((lag?.p50 ?? 0) - 500) / 500).toBeLessThanOrEqual(0.01);
    expect(Math.abs((lag?.p99 ?? 0) - 990) / 990).toBeLessThanOrEqual(0.01);
    expect(lag?.maximum).toBe(1_000);
  });

  it('hands out each run once, while the totals keep everything', () => {
    const log = new ProcessorMetricsLog();
    log.record(stored(10, 100));
    expect(log.takeRun()?.batches).toBe(1);
    expect(log.takeRun()).toBeUndefined();
    log.record(stored(5, 100));
    expect(log.takeRun()?.metrics.find((s) => s.name === m.commitsStored.name)?.sum).toBe(5);
    expect(log.totals().batches).toBe(2);
  });

  it('says nothing of a time range before the first batch', () => {
    expect(new ProcessorMetricsLog().totals()).toEqual({
      namespace: METRICS_NAMESPACE,
      batches: 0,
      metrics: [],
    });
  });

  it('summarises a run in one line by metric name', () => {
    const log = new ProcessorMetricsLog();
    log.record(stored(1_998, 410));
    log.record(stored(2_000, 1_900));
    log.record({ commitsStored: 0, duplicatesSkipped: 0, recordsQuarantined: 0, failedStep: 'archive' });
    // p50 410 ms within 1 %, shown rounded.
    expect(formatProcessorWindow(log.totals())).toMatch(
      new RegExp(
        '^processor metrics, 3 batches: CommitsStored 3998 · DuplicatesSkipped 2 · RecordsQuarantined 4 · ' +
          'BatchFailures 1 \\(archive 1\\) · IngestLag p50 41[0-4] ms, p99 1\\.9 s, max 1\\.9 s$',
      ),
    );
  });

  it('summarises a producer run by metric name, rejected rows by reason', () => {
    expect(
      formatRunMetrics({
        rowsRead: 1_000,
        rowsSent: 990,
        rowsRejectedByReason: { 'invalid-time': 7, 'column-count': 2, 'missing-author': 0 },
        rowsFailed: 1,
      }),
    ).toBe(
      'producer metrics: RowsRead 1000 · RowsSent 990 · RowsRejected 9 (invalid-time 7, column-count 2) · RowsFailed 1',
    );
  });

  it('prints a run once no batch came for the quiet period, and only then', () => {
    vi.useFakeTimers();
    const log = new ProcessorMetricsLog();
    const printed: string[] = [];
    const stop = reportQuietRuns(log, (line) => printed.push(line), { quietMs: 2_000, checkEveryMs: 500 });

    log.record(stored(10, 100));
    vi.advanceTimersByTime(1_500);
    log.record(stored(10, 100));
    vi.advanceTimersByTime(1_500);
    expect(printed).toEqual([]);
    vi.advanceTimersByTime(1_000);
    expect(printed).toEqual([expect.stringMatching(/^processor metrics, 2 batches: CommitsStored 20 /)]);
    vi.advanceTimersByTime(10_000);
    expect(printed).toHaveLength(1);
    stop();
  });
});
