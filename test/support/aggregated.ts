/**
 * The serving rows of commits aggregated in one go, as the tests compare them with other computations.
 */
import { CommitAggregation, type SuspicionRules } from '../../functions/shared/aggregation/aggregate.js';
import type { RunningStats } from '../../functions/shared/aggregation/running-stats.js';
import type { ServingRows } from '../../functions/shared/aggregation/serving-tables.js';
import type { CommitRecord } from '../../functions/shared/commit-record.js';

/**
 * @param commits - first arrivals, in stream order
 * @param rules - thresholds and window length
 * @param stored - the baselines the authors start from (default: none)
 */
export function aggregated(
  commits: readonly CommitRecord[],
  rules: SuspicionRules,
  stored: ReadonlyMap<string, RunningStats> = new Map(),
): ServingRows {
  const aggregation = new CommitAggregation(rules, stored);
  aggregation.add(commits);
  return aggregation.takeChanges();
}

/** The baselines of aggregated rows, by author: what the next batch starts from. */
export function baselinesOf(rows: ServingRows): Map<string, RunningStats> {
  return new Map(rows.baselines.map(({ author, ...stats }) => [author, stats]));
}
