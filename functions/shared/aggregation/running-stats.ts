/**
 * Running mean and variance of a series, updated one value at a time (Welford's algorithm), so an
 * author's entropy baseline can be kept in one row and extended batch after batch.
 */

export interface RunningStats {
  count: number;
  mean: number;
  /** Sum of squared differences from the mean. */
  m2: number;
}

export const EMPTY_STATS: RunningStats = { count: 0, mean: 0, m2: 0 };

/** The stats extended by one value. */
export function addValue(stats: RunningStats, value: number): RunningStats {
  const count = stats.count + 1;
  const delta = value - stats.mean;
  const mean = stats.mean + delta / count;
  return { count, mean, m2: stats.m2 + delta * (value - mean) };
}

/** Sample standard deviation (n - 1); 0 with fewer than two values. */
export function standardDeviation(stats: RunningStats): number {
  return stats.count < 2 ? 0 : Math.sqrt(stats.m2 / (stats.count - 1));
}
