import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  createPipelineMetrics,
  publishStreamBatchMetrics,
  type StreamBatchMetrics,
} from '../../../../functions/shared/metrics.js';
import { streamBatchMetricsOfLogs } from '../../../../local/execution/emf-metrics.js';

afterEach(() => vi.restoreAllMocks());

/** The lines Powertools prints for a batch, as the processor's environment hands them over. */
function emfLinesOf(batch: StreamBatchMetrics): string[] {
  const written: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    written.push(chunk.toString());
    return true;
  });
  publishStreamBatchMetrics(createPipelineMetrics('processor'), batch);
  vi.restoreAllMocks();
  return written.join('').split('\n').filter(Boolean);
}

describe("the processor's batch metrics read back from its EMF lines", () => {
  it('gives the counts and the lag of a stored batch', () => {
    const batch = { commitsStored: 40, duplicatesSkipped: 2, recordsQuarantined: 1, ingestLagMs: 830 };
    expect(
      streamBatchMetricsOfLogs(['{"level":"INFO","message":"batch stored"}', ...emfLinesOf(batch)]),
    ).toEqual(batch);
  });

  it('gives the step of a batch that was not stored', () => {
    const batch = {
      commitsStored: 0,
      duplicatesSkipped: 0,
      recordsQuarantined: 0,
      failedStep: 'archive' as const,
    };
    expect(streamBatchMetricsOfLogs(emfLinesOf(batch))).toEqual(batch);
  });

  it('gives nothing for an invocation that published no metrics', () => {
    expect(streamBatchMetricsOfLogs(['START RequestId: 1', '{"_aws": broken'])).toBeUndefined();
  });
});
