/**
 * The processor's batch metrics read back from its EMF lines: the environment prints them as on AWS
 * (the deployed handler, unchanged), and the runtime keeps the statistics CloudWatch would keep.
 */
import {
  METRIC_DIMENSIONS,
  PROCESSOR_METRICS,
  type StreamBatchMetrics,
} from '../../functions/shared/metrics.js';
import type { ProcessorStep } from '../../functions/shared/vocabulary.js';

/**
 * The batch metrics of one invocation's log lines, or undefined when it published none (an empty batch).
 *
 * @param lines - the invocation's output
 */
export function streamBatchMetricsOfLogs(lines: readonly string[]): StreamBatchMetrics | undefined {
  let batch: StreamBatchMetrics | undefined;
  let failedStep: ProcessorStep | undefined;
  for (const line of lines) {
    if (!line.includes('"_aws"')) continue;
    let document: Record<string, unknown>;
    try {
      document = JSON.parse(line) as Record<string, unknown>;
    } catch {
      continue;
    }
    const m = PROCESSOR_METRICS;
    const count = (name: string) =>
      typeof document[name] === 'number' ? (document[name] as number) : undefined;
    const stored = count(m.commitsStored.name);
    if (stored !== undefined) {
      const lag = count(m.ingestLag.name);
      batch = {
        commitsStored: stored,
        duplicatesSkipped: count(m.duplicatesSkipped.name) ?? 0,
        recordsQuarantined: count(m.recordsQuarantined.name) ?? 0,
        ...(lag !== undefined && { ingestLagMs: lag }),
      };
    }
    const step = document[METRIC_DIMENSIONS.step];
    if (count(m.batchFailures.name) !== undefined && typeof step === 'string')
      failedStep = step as ProcessorStep;
  }
  return batch && (failedStep ? { ...batch, failedStep } : batch);
}
