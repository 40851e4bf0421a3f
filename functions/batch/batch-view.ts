/**
 * The batch view: the serving tables' content recomputed from the archive, built by feeding the shared
 * aggregation (`aggregateBatch`, which the processor runs too) one chunk of new commits after another, in
 * stream order, with the authors' baselines carried from chunk to chunk, exactly as the processor
 * carries them from batch to batch through `author_baselines`. Chunks merge into the view with the
 * semantics of the processor's upserts (sums, maximum, earliest and latest event time).
 *
 * Memory: one entry per author, module, language and window, the suspicious commits, and the changed
 * keys since the last write; not the commits themselves.
 */
import {
  aggregateBatch,
  type FlaggedCommit,
  type GroupDelta,
  type SuspicionRules,
  type WindowDelta,
} from '../shared/aggregation/aggregate.js';
import { formatFixedPoint } from '../shared/aggregation/decimal-sum.js';
import { parseFixedPoint } from '../shared/aggregation/fixed-point-text.js';
import type { RunningStats } from '../shared/aggregation/running-stats.js';
import type { CommitRecord } from '../shared/commit-record.js';
import type { Dimension } from '../shared/vocabulary.js';

interface Totals {
  commits: number;
  linesAdded: number;
  linesDeleted: number;
  entropySum: bigint;
  suspiciousCommits: number;
}

interface GroupTotals extends Totals {
  dimension: Dimension;
  key: string;
  maxEntropy: number;
  firstEventTime: string;
  lastEventTime: string;
}

interface WindowTotals extends Totals {
  windowStart: string;
}

/** The rows of the view that changed since the last {@link BatchView.takeChanges}, in table shape. */
export interface ViewChanges {
  groups: GroupDelta[];
  windows: WindowDelta[];
  baselines: Array<{ author: string } & RunningStats>;
  suspicious: FlaggedCommit[];
}

export class BatchView {
  private readonly groups = new Map<string, GroupTotals>();
  private readonly windows = new Map<string, WindowTotals>();
  private readonly baselines = new Map<string, RunningStats>();
  private readonly changed = {
    groups: new Set<string>(),
    windows: new Set<string>(),
    authors: new Set<string>(),
  };
  private suspicious: FlaggedCommit[] = [];
  private flaggedCommits = 0;
  private commitCount = 0;

  constructor(readonly rules: SuspicionRules) {}

  /** Distinct commits counted. */
  get commits(): number {
    return this.commitCount;
  }

  /** Distinct suspicious commits (a commit flagged for both reasons counts once). */
  get suspiciousCommits(): number {
    return this.flaggedCommits;
  }

  /**
   * Counts commits that were not counted before, after every commit added so far.
   *
   * @param commits - first arrivals only, in stream order
   */
  add(commits: readonly CommitRecord[]): void {
    if (commits.length === 0) return;
    const delta = aggregateBatch(commits, this.baselines, this.rules);
    for (const group of delta.groups) this.mergeGroup(group);
    for (const window of delta.windows) this.mergeWindow(window);
    for (const [author, stats] of delta.baselines) {
      this.baselines.set(author, stats);
      this.changed.authors.add(author);
    }
    this.suspicious.push(...delta.suspicious);
    this.flaggedCommits += new Set(delta.suspicious.map((flagged) => flagged.commitId)).size;
    this.commitCount += commits.length;
  }

  /** The rows changed since the last call (all rows, the first time), and forgets them as changed. */
  takeChanges(): ViewChanges {
    const changes: ViewChanges = {
      groups: [...this.changed.groups].map((id) => finishGroup(this.groups.get(id) as GroupTotals)),
      windows: [...this.changed.windows].map((start) =>
        finishWindow(this.windows.get(start) as WindowTotals),
      ),
      baselines: [...this.changed.authors].map((author) => ({
        author,
        ...(this.baselines.get(author) as RunningStats),
      })),
      suspicious: this.suspicious,
    };
    this.changed.groups.clear();
    this.changed.windows.clear();
    this.changed.authors.clear();
    this.suspicious = [];
    return changes;
  }

  private mergeGroup(delta: GroupDelta): void {
    const id = `${delta.dimension}\u0000${delta.key}`;
    const group = this.groups.get(id);
    this.changed.groups.add(id);
    if (!group) {
      this.groups.set(id, { ...delta, entropySum: parseFixedPoint(delta.entropySum) });
      return;
    }
    addTotals(group, delta);
    group.maxEntropy = Math.max(group.maxEntropy, delta.maxEntropy);
    // ISO-8601 UTC strings of one format compare in time order.
    if (delta.firstEventTime < group.firstEventTime) group.firstEventTime = delta.firstEventTime;
    if (delta.lastEventTime > group.lastEventTime) group.lastEventTime = delta.lastEventTime;
  }

  private mergeWindow(delta: WindowDelta): void {
    const window = this.windows.get(delta.windowStart);
    this.changed.windows.add(delta.windowStart);
    if (!window)
      this.windows.set(delta.windowStart, { ...delta, entropySum: parseFixedPoint(delta.entropySum) });
    else addTotals(window, delta);
  }
}

function addTotals(totals: Totals, delta: Omit<Totals, 'entropySum'> & { entropySum: string }): void {
  totals.commits += delta.commits;
  totals.linesAdded += delta.linesAdded;
  totals.linesDeleted += delta.linesDeleted;
  totals.entropySum += parseFixedPoint(delta.entropySum);
  totals.suspiciousCommits += delta.suspiciousCommits;
}

function finishGroup(group: GroupTotals): GroupDelta {
  return { ...group, entropySum: formatFixedPoint(group.entropySum) };
}

function finishWindow(window: WindowTotals): WindowDelta {
  return { ...window, entropySum: formatFixedPoint(window.entropySum) };
}
