import { describe, expect, it } from 'vitest';
import {
  CommitAggregation,
  type SuspicionRules,
} from '../../../../../functions/shared/aggregation/aggregate.js';
import {
  addValue,
  EMPTY_STATS,
  type RunningStats,
} from '../../../../../functions/shared/aggregation/running-stats.js';
import { aggregated } from '../../../../support/aggregated.js';
import { commitRecord } from '../../../../support/factories.js';

const rules = { entropyThreshold: 0.8, outlierStdDevs: 3, outlierMinCommits: 20, windowSeconds: 300 };

function statsOf(values: number[]): RunningStats {
  return values.reduce(addValue, EMPTY_STATS);
}

/** Why a commit is flagged, judged against its author's baseline before it. */
function suspicionReasons(entropy: number, baseline: RunningStats, rules: SuspicionRules): string[] {
  const rows = aggregated(
    [commitRecord({ author: 'judged', entropy })],
    rules,
    new Map([['judged', baseline]]),
  );
  return rows.suspicious.map((flagged) => flagged.reason);
}

describe('suspicious commits', () => {
  const steadyAuthor = statsOf(Array.from({ length: 20 }, (_, i) => 0.3 + (i % 2) * 0.02));

  it('flags entropy at or above the threshold', () => {
    expect(suspicionReasons(0.8, EMPTY_STATS, rules)).toEqual(['entropy']);
    expect(suspicionReasons(0.7999, EMPTY_STATS, rules)).toEqual([]);
  });

  it("flags a commit more than 3 standard deviations above its author's mean, after 20 commits", () => {
    expect(suspicionReasons(0.5, steadyAuthor, rules)).toEqual(['author-outlier']);
    expect(suspicionReasons(0.33, steadyAuthor, rules)).toEqual([]);
  });

  it('does not judge an author with fewer than 20 commits', () => {
    const newcomer = statsOf(Array.from({ length: 19 }, () => 0.3).map((v, i) => v + i * 0.001));
    expect(suspicionReasons(0.7, newcomer, rules)).toEqual([]);
  });

  it('gives both reasons when both rules match', () => {
    expect(suspicionReasons(0.95, steadyAuthor, rules)).toEqual(['entropy', 'author-outlier']);
  });
});

describe('aggregating a batch', () => {
  it('sums per author, module, language and window, with exact entropy sums', () => {
    const commits = [
      commitRecord({
        author: 'a',
        filePath: '/core/api/x.go',
        entropy: 0.1,
        linesAdded: 3,
        linesDeleted: 1,
        time: 10,
      }),
      commitRecord({
        author: 'a',
        filePath: '/core/api/y.PY',
        entropy: 0.2,
        linesAdded: 5,
        linesDeleted: 0,
        time: 400,
      }),
      commitRecord({
        author: 'b',
        filePath: 'README',
        entropy: 0.85,
        linesAdded: 1,
        linesDeleted: 1,
        time: 20,
      }),
    ];
    const result = aggregated(commits, rules);

    const group = (dimension: string, key: string) =>
      result.groups.find((g) => g.dimension === dimension && g.key === key);
    expect(group('author', 'a')).toMatchObject({
      commits: 2,
      linesAdded: 8,
      linesDeleted: 1,
      entropySum: '0.3',
      maxEntropy: 0.2,
      suspiciousCommits: 0,
      firstEventTime: '2024-01-01T00:00:10.000Z',
      lastEventTime: '2024-01-01T00:06:40.000Z',
    });
    expect(group('author', 'b')).toMatchObject({ commits: 1, suspiciousCommits: 1 });
    expect(group('module', '/core/api')).toMatchObject({ commits: 2 });
    expect(group('module', '(none)')).toMatchObject({ commits: 1 });
    expect(group('language', 'py')).toMatchObject({ commits: 1 });
    expect(group('language', '(none)')).toMatchObject({ commits: 1 });
    expect(result.windows).toEqual([
      expect.objectContaining({
        windowStart: '2024-01-01T00:00:00.000Z',
        commits: 2,
        entropySum: '0.95',
        suspiciousCommits: 1,
      }),
      expect.objectContaining({ windowStart: '2024-01-01T00:05:00.000Z', commits: 1 }),
    ]);
    expect(result.suspicious).toEqual([
      expect.objectContaining({ author: 'b', reason: 'entropy', entropy: 0.85 }),
    ]);
  });

  it("continues each author's baseline from the stored row and returns it updated", () => {
    const stored = statsOf(Array.from({ length: 25 }, () => 0.2).map((v, i) => v + (i % 3) * 0.01));
    const commits = [
      commitRecord({ author: 'a', entropy: 0.6 }),
      commitRecord({ author: 'a', entropy: 0.21 }),
    ];
    const result = aggregated(commits, rules, new Map([['a', stored]]));

    expect(result.suspicious.map((s) => s.reason)).toEqual(['author-outlier']);
    expect(result.baselines).toEqual([{ author: 'a', ...addValue(addValue(stored, 0.6), 0.21) }]);
  });

  it('judges later commits in a batch against the baseline including the earlier ones', () => {
    const history = Array.from({ length: 19 }, (_, i) => 0.3 + (i % 2) * 0.01);
    const commits = [...history, 0.31, 0.9].map((entropy) => commitRecord({ author: 'a', entropy }));
    const result = aggregated(commits, rules);
    // The 21st commit is the first judged by the outlier rule: its author then has 20 commits.
    expect(result.suspicious.map((s) => [s.entropy, s.reason])).toEqual([
      [0.9, 'entropy'],
      [0.9, 'author-outlier'],
    ]);
  });

  it('gives the same rows whether the commits come at once or in chunks, and hands out only what changed', () => {
    const commits = Array.from({ length: 60 }, (_, i) =>
      commitRecord({
        author: `a${i % 3}`,
        filePath: `/m${i % 4}/x/f.${i % 2 ? 'go' : 'py'}`,
        entropy: i % 13 === 12 ? 0.95 : 0.3 + (i % 7) * 0.01,
        time: i * 45,
      }),
    );
    const chunked = new CommitAggregation(rules);
    chunked.add(commits.slice(0, 25));
    chunked.takeChanges();
    chunked.add(commits.slice(25, 26));
    const changed = chunked.takeChanges();
    chunked.add(commits.slice(26));
    const whole = aggregated(commits, rules);

    // One commit changes its author, module, language and window, its author's baseline.
    expect(changed.groups.map((g) => g.dimension)).toEqual(['author', 'module', 'language']);
    expect(changed.windows).toHaveLength(1);
    expect(changed.baselines.map((b) => b.author)).toEqual([commits[25]?.author]);
    const rest = chunked.takeChanges();
    const byKey = (rows: Array<{ dimension: string; key: string }>) =>
      new Map(rows.map((row) => [`${row.dimension}/${row.key}`, row]));
    expect(byKey(rest.groups)).toEqual(byKey(whole.groups));
    const touched = new Set(rest.windows.map((window) => window.windowStart));
    expect(rest.windows).toEqual(whole.windows.filter((window) => touched.has(window.windowStart)));
    expect(touched.size).toBeGreaterThan(2);
    expect(chunked.commits).toBe(60);
    expect(chunked.suspiciousCommits).toBe(new Set(whole.suspicious.map((s) => s.commitId)).size);
    expect(chunked.takeChanges()).toEqual({ groups: [], windows: [], baselines: [], suspicious: [] });
  });
});
