/**
 * In-memory aggregation of one batch of new commits: per-group deltas, per-window deltas, the
 * suspicious commits and the authors' updated entropy baselines. Pure: no I/O, so it is unit-tested
 * directly and the store writes its output set-based.
 */
import type { CommitRecord } from '../commit-record.js';
import { languageOf, moduleOf } from '../derived-fields.js';
import { settings } from '../settings.js';
import { DIMENSIONS, type Dimension, type SuspicionReason } from '../vocabulary.js';
import { DecimalSum, formatFixedPoint } from './decimal-sum.js';
import { addValue, EMPTY_STATS, type RunningStats, standardDeviation } from './running-stats.js';

export interface GroupDelta {
  dimension: Dimension;
  key: string;
  commits: number;
  linesAdded: number;
  linesDeleted: number;
  /** Exact decimal string. */
  entropySum: string;
  maxEntropy: number;
  suspiciousCommits: number;
  firstEventTime: string;
  lastEventTime: string;
}

export interface WindowDelta {
  windowStart: string;
  commits: number;
  linesAdded: number;
  linesDeleted: number;
  entropySum: string;
  suspiciousCommits: number;
}

/** A commit flagged for one reason, as the hot path stores it in `suspicious_commits`. */
export interface FlaggedCommit {
  commitId: string;
  reason: SuspicionReason;
  author: string;
  filePath: string;
  entropy: number;
  linesAdded: number;
  linesDeleted: number;
  eventTime: string;
}

export interface BatchAggregate {
  groups: GroupDelta[];
  windows: WindowDelta[];
  suspicious: FlaggedCommit[];
  /** Baselines of every author in the batch, after its commits. */
  baselines: Map<string, RunningStats>;
}

/** Thresholds and window length; the shared settings hold the deployed values. */
export interface SuspicionRules {
  entropyThreshold: number;
  outlierStdDevs: number;
  outlierMinCommits: number;
  windowSeconds: number;
}

/**
 * Why a commit is suspicious, judged against its author's baseline before the commit.
 */
export function suspicionReasons(
  entropy: number,
  baseline: RunningStats,
  rules: SuspicionRules,
): SuspicionReason[] {
  const reasons: SuspicionReason[] = [];
  if (entropy >= rules.entropyThreshold) reasons.push('entropy');
  if (baseline.count >= rules.outlierMinCommits) {
    const deviation = standardDeviation(baseline);
    if (deviation > 0 && entropy > baseline.mean + rules.outlierStdDevs * deviation)
      reasons.push('author-outlier');
  }
  return reasons;
}

interface Accumulator {
  commits: number;
  linesAdded: number;
  linesDeleted: number;
  entropySum: DecimalSum;
  maxEntropy: number;
  suspiciousCommits: number;
  firstEventTime: string;
  lastEventTime: string;
}

/**
 * Aggregates commits that have not been counted before, in stream order.
 *
 * @param commits - new commits (deduplicated), in the order they were read from the shard
 * @param baselines - the stored entropy baselines of their authors (missing = no history)
 * @param rules - thresholds and window length (default: the shared settings)
 */
export function aggregateBatch(
  commits: readonly CommitRecord[],
  baselines: ReadonlyMap<string, RunningStats>,
  rules: SuspicionRules = settings.analytics,
): BatchAggregate {
  // One map per dimension, and windows by their start in ms: no key strings built per commit.
  const groups: Record<Dimension, Map<string, Accumulator>> = {
    author: new Map(),
    module: new Map(),
    language: new Map(),
  };
  const windows = new Map<number, Accumulator>();
  const windowMs = rules.windowSeconds * 1000;
  const suspicious: FlaggedCommit[] = [];
  const updated = new Map<string, RunningStats>();

  for (const commit of commits) {
    const baseline = updated.get(commit.author) ?? baselines.get(commit.author) ?? EMPTY_STATS;
    const reasons = suspicionReasons(commit.entropy, baseline, rules);
    updated.set(commit.author, addValue(baseline, commit.entropy));
    for (const reason of reasons) suspicious.push(toSuspicious(commit, reason));

    const flagged = reasons.length > 0;
    accumulateInto(groups.author, commit.author, commit, flagged);
    accumulateInto(groups.module, moduleOf(commit.filePath), commit, flagged);
    accumulateInto(groups.language, languageOf(commit.filePath), commit, flagged);
    accumulateInto(windows, Math.floor(Date.parse(commit.eventTime) / windowMs) * windowMs, commit, flagged);
  }

  return {
    groups: DIMENSIONS.flatMap((dimension) =>
      [...groups[dimension]].map(([key, totals]) => ({ dimension, key, ...finish(totals) })),
    ),
    windows: [...windows].map(([startMs, totals]) => {
      const { commits, linesAdded, linesDeleted, entropySum, suspiciousCommits } = finish(totals);
      return {
        windowStart: new Date(startMs).toISOString(),
        commits,
        linesAdded,
        linesDeleted,
        entropySum,
        suspiciousCommits,
      };
    }),
    suspicious,
    baselines: updated,
  };
}

function accumulateInto<K>(
  totals: Map<K, Accumulator>,
  key: K,
  commit: CommitRecord,
  flagged: boolean,
): void {
  let group = totals.get(key);
  if (!group) {
    group = {
      commits: 0,
      linesAdded: 0,
      linesDeleted: 0,
      entropySum: new DecimalSum(),
      maxEntropy: 0,
      suspiciousCommits: 0,
      firstEventTime: commit.eventTime,
      lastEventTime: commit.eventTime,
    };
    totals.set(key, group);
  }
  group.commits += 1;
  group.linesAdded += commit.linesAdded;
  group.linesDeleted += commit.linesDeleted;
  group.entropySum.add(commit.entropy);
  if (commit.entropy > group.maxEntropy) group.maxEntropy = commit.entropy;
  if (flagged) group.suspiciousCommits += 1;
  // ISO-8601 UTC strings of one format compare in time order.
  if (commit.eventTime < group.firstEventTime) group.firstEventTime = commit.eventTime;
  if (commit.eventTime > group.lastEventTime) group.lastEventTime = commit.eventTime;
}

function finish(totals: Accumulator) {
  return { ...totals, entropySum: formatFixedPoint(totals.entropySum.total) };
}

function toSuspicious(commit: CommitRecord, reason: SuspicionReason): FlaggedCommit {
  return {
    commitId: commit.commitId,
    reason,
    author: commit.author,
    filePath: commit.filePath,
    entropy: commit.entropy,
    linesAdded: commit.linesAdded,
    linesDeleted: commit.linesDeleted,
    eventTime: commit.eventTime,
  };
}
