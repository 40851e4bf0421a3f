import type { KinesisStreamEvent } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AggregateStore } from '../../../../functions/processor/aggregate-store.js';
import { createProcessorHandler } from '../../../../functions/processor/handler.js';
import { DatabaseUnavailableError } from '../../../../functions/shared/errors.js';
import { METRICS_NAMESPACE, PROCESSOR_METRICS } from '../../../../functions/shared/metrics.js';
import type { ObjectStore } from '../../../../functions/shared/ports.js';
import { lambdaContext } from '../../../support/deliver.js';
import { captureEmf, type IndexedEmf } from '../../../support/emf.js';
import { commitRecord, kinesisRecord } from '../../../support/factories.js';

const m = PROCESSOR_METRICS;
/** Seconds since the epoch at which the batch's oldest record arrived. */
const OLDEST_ARRIVAL = 1_767_225_600;
const at = (msAfterOldest: number) => new Date(OLDEST_ARRIVAL * 1000 + msAfterOldest);

let emfLines: () => IndexedEmf[];
beforeEach(() => {
  // The handler's log lines are not under test (the logger reads its level when the handler is built).
  vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'SILENT');
  emfLines = captureEmf();
  // Only the clock is faked: the handler's timers (backoff, deadline) run for real.
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(at(0));
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

/**
 * A batch of three commits (the last repeats the first), one undecodable record, arriving over two
 * seconds with the oldest not first: the lag is measured from the oldest, wherever it is.
 */
function batch(): KinesisStreamEvent {
  const first = commitRecord();
  const second = commitRecord();
  return {
    Records: [
      kinesisRecord(first, '1000', 'shardId-000000000000', OLDEST_ARRIVAL + 1),
      kinesisRecord(second, '1001', 'shardId-000000000000', OLDEST_ARRIVAL),
      kinesisRecord('not json', '1002', 'shardId-000000000000', OLDEST_ARRIVAL + 2),
      kinesisRecord(first, '1003', 'shardId-000000000000', OLDEST_ARRIVAL + 2),
    ],
  };
}

/**
 * Fault injection only (the real store and archive run in the integration suites): a store whose
 * transaction commits `commitAfterMs` after the oldest arrival, and an archive that takes 3 s more.
 */
function fakes(options: { commitAfterMs?: number; storeFails?: boolean; archiveFails?: boolean } = {}) {
  const store: AggregateStore = {
    ingest: async (commits) => {
      if (options.storeFails) throw new DatabaseUnavailableError('the database is unreachable');
      vi.setSystemTime(at(options.commitAfterMs ?? 0));
      const distinct = new Set(commits.map((commit) => commit.commitId)).size;
      return { counted: distinct, duplicates: commits.length - distinct, suspicious: 0 };
    },
  };
  const archive: ObjectStore = {
    put: async () => {
      vi.setSystemTime(at((options.commitAfterMs ?? 0) + 3_000));
      if (options.archiveFails) throw new Error('S3 is unavailable');
    },
    delete: async () => undefined,
  };
  return { store, archive };
}

describe('the processor handler publishes each batch as CloudWatch metrics', () => {
  it('a stored batch: commits stored, duplicates, quarantined, and the lag from the oldest arrival to the commit', async () => {
    const handler = createProcessorHandler({}, { deps: fakes({ commitAfterMs: 840 }) });
    const response = await handler(batch(), lambdaContext());

    expect(response.batchItemFailures).toEqual([]);
    expect(emfLines()).toEqual([
      {
        namespace: METRICS_NAMESPACE,
        dimensions: { service: 'processor' },
        values: {
          [m.commitsStored.name]: [2, 'Count'],
          [m.duplicatesSkipped.name]: [1, 'Count'],
          [m.recordsQuarantined.name]: [1, 'Count'],
          // Not 3,840: the archive's 3 s after the commit are not ingest lag.
          [m.ingestLag.name]: [840, 'Milliseconds'],
        },
      },
    ]);
  });

  it('a batch the hot path could not store: a failure of the aggregate step, nothing stored, no lag', async () => {
    const handler = createProcessorHandler({}, { deps: fakes({ storeFails: true }) });
    const response = await handler(batch(), lambdaContext());

    expect(response.batchItemFailures).toEqual([{ itemIdentifier: '1000' }]);
    const [counts, failure] = emfLines();
    expect(counts?.values).toEqual({
      [m.commitsStored.name]: [0, 'Count'],
      [m.duplicatesSkipped.name]: [0, 'Count'],
      [m.recordsQuarantined.name]: [0, 'Count'],
    });
    expect(failure).toEqual({
      namespace: METRICS_NAMESPACE,
      dimensions: { service: 'processor', step: 'aggregate' },
      values: { [m.batchFailures.name]: [1, 'Count'] },
    });
  });

  it('a batch whose archive failed: its committed commits count as stored, the failure as the archive step', async () => {
    const handler = createProcessorHandler({}, { deps: fakes({ commitAfterMs: 100, archiveFails: true }) });
    const response = await handler(batch(), lambdaContext());

    expect(response.batchItemFailures).toEqual([{ itemIdentifier: '1000' }]);
    const [counts, failure] = emfLines();
    expect(counts?.values).toEqual({
      [m.commitsStored.name]: [2, 'Count'],
      [m.duplicatesSkipped.name]: [1, 'Count'],
      [m.recordsQuarantined.name]: [0, 'Count'],
    });
    expect(failure?.dimensions).toEqual({ service: 'processor', step: 'archive' });
  });

  it('hands the same numbers to a publisher of its own instead, and prints no EMF then', async () => {
    const published: unknown[] = [];
    const handler = createProcessorHandler(
      {},
      { deps: fakes({ commitAfterMs: 840 }), publishMetrics: (metrics) => published.push(metrics) },
    );
    await handler(batch(), lambdaContext());

    expect(published).toEqual([
      { commitsStored: 2, duplicatesSkipped: 1, recordsQuarantined: 1, ingestLagMs: 840 },
    ]);
    expect(emfLines()).toEqual([]);
  });

  it('publishes nothing for an empty event', async () => {
    const handler = createProcessorHandler({}, { deps: fakes() });
    await handler({ Records: [] }, lambdaContext());
    expect(emfLines()).toEqual([]);
  });
});
