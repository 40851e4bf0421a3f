/** What one producer run's metrics say (the contract in `functions/shared/metrics.ts`). */
import type { RunMetrics } from '../shared/metrics.js';
import type { ReplayResult } from './replay.js';

/**
 * @param result - the replay's result
 */
export function runMetricsOf(
  result: Pick<ReplayResult, 'read' | 'sent' | 'rejectedByReason' | 'failed'>,
): RunMetrics {
  return {
    rowsRead: result.read,
    rowsSent: result.sent,
    rowsRejectedByReason: result.rejectedByReason,
    rowsFailed: result.failed,
  };
}
