/**
 * The aggregation of commits into the serving tables' rows: per-group and per-window totals, the
 * suspicious commits and the authors' entropy baselines. Pure: no I/O, so it is unit-tested directly.
 *
 * Both layers run it. The processor aggregates each batch of new commits, starting from the stored
 * baselines of their authors, and adds the rows to the tables as deltas; the batch layer feeds it the
 * whole archive in stream order and writes the rows as totals. Rows merge by their tables' rules
 * (`table-totals.ts`), the rules the processor's upserts apply, so the two layers agree.
 */
import type { CommitRecord } from '../commit-record.js';
import { isoInstantOf, languageOf, moduleOf, windowStartMsOf } from '../derived-fields.js';
import { settings } from '../settings.js';
import { DIMENSIONS, type Dimension, type SuspicionReason } from '../vocabulary.js';
import type { Contribution } from './columns.js';
import { addValue, EMPTY_STATS, type RunningStats, standardDeviation } from './running-stats.js';
import { groupStats, type ServingRows, type SuspiciousCommitRow, windowStats } from './serving-tables.js';
import { TableTotals } from './table-totals.js';

/** Thresholds and window length; the shared settings hold the deployed values. */
export interface SuspicionRules {
  entropyThreshold: number;
  outlierStdDevs: number;
  outlierMinCommits: number;
  windowSeconds: number;
}

/** Why a commit is suspicious, judged against its author's baseline before the commit. */
function suspicionReasons(entropy: number, baseline: RunningStats, rules: SuspicionRules): SuspicionReason[] {
  const reasons: SuspicionReason[] = [];
  if (entropy >= rules.entropyThreshold) reasons.push('entropy');
  if (baseline.count >= rules.outlierMinCommits) {
    const deviation = standardDeviation(baseline);
    if (deviation > 0 && entropy > baseline.mean + rules.outlierStdDevs * deviation)
      reasons.push('author-outlier');
  }
  return reasons;
}

/**
 * Commits aggregated in stream order, into rows of every serving table.
 *
 * @example
 * ```ts
 * const batch = new CommitAggregation(settings.analytics, storedBaselines);
 * batch.add(newCommits);
 * await writeServingRows(tx, batch.takeChanges(), { mode: 'add' });
 * ```
 */
export class CommitAggregation {
  private readonly groups: Record<Dimension, TableTotals<typeof groupStats, string>>;
  private readonly windows = new TableTotals(windowStats, (startMs: number) => ({
    windowSeconds: this.rules.windowSeconds,
    windowStart: new Date(startMs).toISOString(),
  }));
  private readonly baselines = new Map<string, RunningStats>();
  private readonly changedAuthors = new Set<string>();
  private suspicious: SuspiciousCommitRow[] = [];
  private commitCount = 0;
  private flaggedCount = 0;

  /**
   * @param rules - thresholds and window length (default: the shared settings)
   * @param storedBaselines - the entropy baselines the commits' authors start from (missing = no history)
   */
  constructor(
    readonly rules: SuspicionRules = settings.analytics,
    private readonly storedBaselines: ReadonlyMap<string, RunningStats> = new Map(),
  ) {
    const groupTotals = (dimension: Dimension) =>
      new TableTotals(groupStats, (key: string) => ({ dimension, key }));
    this.groups = {
      author: groupTotals('author'),
      module: groupTotals('module'),
      language: groupTotals('language'),
    };
  }

  /** Distinct commits aggregated. */
  get commits(): number {
    return this.commitCount;
  }

  /** Of those, the commits flagged for at least one reason. */
  get suspiciousCommits(): number {
    return this.flaggedCount;
  }

  /**
   * Aggregates commits after every commit added so far.
   *
   * @param commits - commits not counted before (deduplicated), in the order they were read from the shard
   */
  add(commits: readonly CommitRecord[]): void {
    for (const commit of commits) {
      const { commitId, author, filePath, entropy, linesAdded, linesDeleted } = commit;
      // One text form of every instant, so that instants compare as text in time order.
      const eventTime = isoInstantOf(commit.eventTime);
      const baseline = this.baselines.get(author) ?? this.storedBaselines.get(author) ?? EMPTY_STATS;
      const reasons = suspicionReasons(entropy, baseline, this.rules);
      this.baselines.set(author, addValue(baseline, entropy));
      this.changedAuthors.add(author);
      if (reasons.length > 0) {
        this.flaggedCount += 1;
        const flagged = { commitId, author, filePath, entropy, linesAdded, linesDeleted, eventTime };
        for (const reason of reasons) this.suspicious.push({ ...flagged, reason });
      }

      const contribution: Contribution<typeof groupStats> = {
        commits: 1,
        linesAdded,
        linesDeleted,
        entropySum: entropy,
        maxEntropy: entropy,
        suspiciousCommits: reasons.length > 0 ? 1 : 0,
        firstEventTime: eventTime,
        lastEventTime: eventTime,
      };
      this.groups.author.add(author, contribution);
      this.groups.module.add(moduleOf(filePath), contribution);
      this.groups.language.add(languageOf(filePath), contribution);
      this.windows.add(windowStartMsOf(eventTime, this.rules.windowSeconds), contribution);
    }
    this.commitCount += commits.length;
  }

  /** The rows changed since the last call (every row, the first time), which then count as unchanged. */
  takeChanges(): ServingRows {
    const rows: ServingRows = {
      groups: DIMENSIONS.flatMap((dimension) => this.groups[dimension].takeChanges()),
      windows: this.windows.takeChanges(),
      baselines: [...this.changedAuthors].map((author) => ({
        author,
        ...(this.baselines.get(author) ?? EMPTY_STATS),
      })),
      suspicious: this.suspicious,
    };
    this.changedAuthors.clear();
    this.suspicious = [];
    return rows;
  }
}
