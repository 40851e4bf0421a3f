/**
 * A {@link ViewSink} that keeps the batch view in memory, keyed as the tables are: for the tests, which
 * compare it with other computations, and for the benchmark, which times the computation alone.
 */

import type { ViewSink } from '../../functions/batch/view-builder.js';
import type { RunningStats } from '../../functions/shared/aggregation/running-stats.js';
import type {
  GroupStatsRow,
  ServingRows,
  SuspiciousCommitRow,
  WindowStatsRow,
} from '../../functions/shared/aggregation/serving-tables.js';

export class MemoryViewSink implements ViewSink {
  /** By `<dimension>\u0000<key>`. */
  readonly groups = new Map<string, GroupStatsRow>();
  readonly windows = new Map<string, WindowStatsRow>();
  readonly baselines = new Map<string, RunningStats>();
  readonly suspicious: SuspiciousCommitRow[] = [];
  ledgerIds = 0;

  async addLedgerIds(ids: readonly string[]): Promise<void> {
    this.ledgerIds += ids.length;
  }

  async write(changes: ServingRows): Promise<void> {
    for (const group of changes.groups) this.groups.set(`${group.dimension}\u0000${group.key}`, group);
    for (const window of changes.windows) this.windows.set(window.windowStart, window);
    for (const { author, ...stats } of changes.baselines) this.baselines.set(author, stats);
    this.suspicious.push(...changes.suspicious);
  }

  /** The view's rows of one dimension, by key. */
  dimension(dimension: GroupStatsRow['dimension']): Map<string, GroupStatsRow> {
    return new Map(
      [...this.groups.values()]
        .filter((group) => group.dimension === dimension)
        .map((group) => [group.key, group]),
    );
  }
}
