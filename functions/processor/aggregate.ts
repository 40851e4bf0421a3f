/**
 * In-memory aggregation of one batch of new commits: per-group deltas, per-window deltas, the
 * suspicious commits and the authors' updated entropy baselines. Pure: no I/O, so it is unit-tested
 * directly and the store writes its output set-based.
 */
import type { CommitRecord } from '../shared/commit-record.js';
import { languageOf, moduleOf, windowStartOf } from '../shared/derived-fields.js';
import { settings } from '../shared/settings.js';
import type { Dimension, SuspicionReason } from '../shared/vocabulary.js';
import { formatFixedPoint, toFixedPoint } from './decimal-sum.js';
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
  entropySum: bigint;
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
  const groups = new Map<string, Accumulator & { dimension: Dimension; key: string }>();
  const windows = new Map<string, Accumulator>();
  const suspicious: FlaggedCommit[] = [];
  const updated = new Map<string, RunningStats>();

  for (const commit of commits) {
    const baseline = updated.get(commit.author) ?? baselines.get(commit.author) ?? EMPTY_STATS;
    const reasons = suspicionReasons(commit.entropy, baseline, rules);
    updated.set(commit.author, addValue(baseline, commit.entropy));
    for (const reason of reasons) suspicious.push(toSuspicious(commit, reason));

    const flagged = reasons.length > 0;
    const keys: Array<[Dimension, string]> = [
      ['author', commit.author],
      ['module', moduleOf(commit.filePath)],
      ['language', languageOf(commit.filePath)],
    ];
    for (const [dimension, key] of keys) {
      const id = `${dimension}\u0000${key}`;
      const group = groups.get(id) ?? { dimension, key, ...emptyAccumulator(commit.eventTime) };
      groups.set(id, accumulate(group, commit, flagged));
    }
    const windowStart = windowStartOf(commit.eventTime, rules.windowSeconds);
    windows.set(
      windowStart,
      accumulate(windows.get(windowStart) ?? emptyAccumulator(commit.eventTime), commit, flagged),
    );
  }

  return {
    groups: [...groups.values()].map(({ dimension, key, ...totals }) => ({
      dimension,
      key,
      ...finish(totals),
    })),
    windows: [...windows.entries()].map(([windowStart, totals]) => {
      const { commits, linesAdded, linesDeleted, entropySum, suspiciousCommits } = finish(totals);
      return { windowStart, commits, linesAdded, linesDeleted, entropySum, suspiciousCommits };
    }),
    suspicious,
    baselines: updated,
  };
}

function emptyAccumulator(eventTime: string): Accumulator {
  return {
    commits: 0,
    linesAdded: 0,
    linesDeleted: 0,
    entropySum: 0n,
    maxEntropy: 0,
    suspiciousCommits: 0,
    firstEventTime: eventTime,
    lastEventTime: eventTime,
  };
}

function accumulate<T extends Accumulator>(totals: T, commit: CommitRecord, flagged: boolean): T {
  totals.commits += 1;
  totals.linesAdded += commit.linesAdded;
  totals.linesDeleted += commit.linesDeleted;
  totals.entropySum += toFixedPoint(commit.entropy);
  totals.maxEntropy = Math.max(totals.maxEntropy, commit.entropy);
  if (flagged) totals.suspiciousCommits += 1;
  // ISO-8601 UTC strings of one format compare in time order.
  if (commit.eventTime < totals.firstEventTime) totals.firstEventTime = commit.eventTime;
  if (commit.eventTime > totals.lastEventTime) totals.lastEventTime = commit.eventTime;
  return totals;
}

function finish(totals: Accumulator) {
  return { ...totals, entropySum: formatFixedPoint(totals.entropySum) };
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
