import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  BATCH_LAYER_METRICS,
  createPipelineMetrics,
  METRICS_NAMESPACE,
  PROCESSOR_METRICS,
  PRODUCER_METRICS,
  publishReconcileMetrics,
  publishRunMetrics,
  publishStreamBatchMetrics,
} from '../../../../functions/shared/metrics.js';
import { captureEmf, type IndexedEmf } from '../../../support/emf.js';

let emfLines: () => IndexedEmf[];
beforeEach(() => {
  emfLines = captureEmf();
});
afterEach(() => vi.restoreAllMocks());

describe('the processor batch metrics', () => {
  it('publishes the counts and the ingest lag of a stored batch under the service dimension only', () => {
    publishStreamBatchMetrics(createPipelineMetrics('processor'), {
      commitsStored: 1995,
      duplicatesSkipped: 3,
      recordsQuarantined: 2,
      ingestLagMs: 840,
    });
    expect(emfLines()).toEqual([
      {
        namespace: METRICS_NAMESPACE,
        dimensions: { service: 'processor' },
        values: {
          [PROCESSOR_METRICS.commitsStored.name]: [1995, 'Count'],
          [PROCESSOR_METRICS.duplicatesSkipped.name]: [3, 'Count'],
          [PROCESSOR_METRICS.recordsQuarantined.name]: [2, 'Count'],
          [PROCESSOR_METRICS.ingestLag.name]: [840, 'Milliseconds'],
        },
      },
    ]);
  });

  it('publishes a failed batch once more, alone, with the step that failed', () => {
    publishStreamBatchMetrics(createPipelineMetrics('processor'), {
      commitsStored: 0,
      duplicatesSkipped: 0,
      recordsQuarantined: 0,
      failedStep: 'archive',
    });
    const [counts, failure] = emfLines();
    expect(Object.keys(counts?.values ?? {})).not.toContain(PROCESSOR_METRICS.ingestLag.name);
    expect(failure).toEqual({
      namespace: METRICS_NAMESPACE,
      dimensions: { service: 'processor', step: 'archive' },
      values: { [PROCESSOR_METRICS.batchFailures.name]: [1, 'Count'] },
    });
  });
});

describe('the producer run metrics', () => {
  it('publishes read, sent and failed rows, then the rejected rows once per reason that occurred', () => {
    publishRunMetrics(createPipelineMetrics('producer'), {
      rowsRead: 1000,
      rowsSent: 990,
      rowsFailed: 1,
      rowsRejectedByReason: { 'invalid-time': 7, 'column-count': 2, 'missing-author': 0 },
    });
    const [counts, ...rejected] = emfLines();
    expect(counts).toEqual({
      namespace: METRICS_NAMESPACE,
      dimensions: { service: 'producer' },
      values: {
        [PRODUCER_METRICS.rowsRead.name]: [1000, 'Count'],
        [PRODUCER_METRICS.rowsSent.name]: [990, 'Count'],
        [PRODUCER_METRICS.rowsFailed.name]: [1, 'Count'],
      },
    });
    expect(rejected).toEqual([
      {
        namespace: METRICS_NAMESPACE,
        dimensions: { service: 'producer', reason: 'invalid-time' },
        values: { [PRODUCER_METRICS.rowsRejected.name]: [7, 'Count'] },
      },
      {
        namespace: METRICS_NAMESPACE,
        dimensions: { service: 'producer', reason: 'column-count' },
        values: { [PRODUCER_METRICS.rowsRejected.name]: [2, 'Count'] },
      },
    ]);
  });
});

describe('the reconciliation metric', () => {
  it('publishes the number of differences under the batch service, zero included', () => {
    publishReconcileMetrics(createPipelineMetrics('batch'), 0);
    publishReconcileMetrics(createPipelineMetrics('batch'), 3);
    expect(emfLines()).toEqual(
      [0, 3].map((value) => ({
        namespace: METRICS_NAMESPACE,
        dimensions: { service: 'batch' },
        values: { [BATCH_LAYER_METRICS.reconcileDifferences.name]: [value, 'Count'] },
      })),
    );
  });
});

describe('the metric contract', () => {
  it('gives every metric of the namespace a distinct name', () => {
    const all = [
      ...Object.values(PROCESSOR_METRICS),
      ...Object.values(PRODUCER_METRICS),
      ...Object.values(BATCH_LAYER_METRICS),
    ];
    expect(new Set(all.map((m) => m.name)).size).toBe(all.length);
  });
});
