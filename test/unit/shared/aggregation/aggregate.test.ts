import { describe, expect, it } from 'vitest';
import { aggregateBatch, suspicionReasons } from '../../../../functions/shared/aggregation/aggregate.js';
import {
  DecimalSum,
  formatFixedPoint,
  toFixedPoint,
} from '../../../../functions/shared/aggregation/decimal-sum.js';
import {
  addValue,
  EMPTY_STATS,
  type RunningStats,
  standardDeviation,
} from '../../../../functions/shared/aggregation/running-stats.js';
import { commitRecord } from '../../../support/factories.js';

const rules = { entropyThreshold: 0.8, outlierStdDevs: 3, outlierMinCommits: 20, windowSeconds: 300 };

function statsOf(values: number[]): RunningStats {
  return values.reduce(addValue, EMPTY_STATS);
}

describe('running entropy statistics', () => {
  it('match a two-pass mean and sample standard deviation', () => {
    const values = [0.12, 0.5674, 0.33, 0.9, 0.01, 0.45, 0.45, 0.61];
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    const variance = values.reduce((sum, v) => sum + (v - mean) ** 2, 0) / (values.length - 1);

    const stats = statsOf(values);
    expect(stats.count).toBe(values.length);
    expect(stats.mean).toBeCloseTo(mean, 12);
    expect(standardDeviation(stats)).toBeCloseTo(Math.sqrt(variance), 12);
  });

  it('give the same result whether built in one pass or resumed from a stored row', () => {
    const values = Array.from({ length: 50 }, (_, i) => ((i * 37) % 100) / 100);
    const stored = statsOf(values.slice(0, 23));
    const resumed = values.slice(23).reduce(addValue, { ...stored });
    const whole = statsOf(values);
    expect(resumed.mean).toBeCloseTo(whole.mean, 12);
    expect(resumed.m2).toBeCloseTo(whole.m2, 12);
  });

  it('have no spread with fewer than two values', () => {
    expect(standardDeviation(statsOf([0.4]))).toBe(0);
  });
});

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
    const result = aggregateBatch(commits, new Map(), rules);

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
    const result = aggregateBatch(commits, new Map([['a', stored]]), rules);

    expect(result.suspicious.map((s) => s.reason)).toEqual(['author-outlier']);
    expect(result.baselines.get('a')).toEqual(addValue(addValue(stored, 0.6), 0.21));
  });

  it('judges later commits in a batch against the baseline including the earlier ones', () => {
    const history = Array.from({ length: 19 }, (_, i) => 0.3 + (i % 2) * 0.01);
    const commits = [...history, 0.31, 0.9].map((entropy) => commitRecord({ author: 'a', entropy }));
    const result = aggregateBatch(commits, new Map(), rules);
    // The 21st commit is the first judged by the outlier rule: its author then has 20 commits.
    expect(result.suspicious.map((s) => [s.entropy, s.reason])).toEqual([
      [0.9, 'entropy'],
      [0.9, 'author-outlier'],
    ]);
  });
});

describe('exact decimal sums', () => {
  it('add values that binary floating point gets wrong', () => {
    expect(0.1 + 0.2).not.toBe(0.3);
    expect(formatFixedPoint(toFixedPoint(0.1) + toFixedPoint(0.2))).toBe('0.3');
    expect(formatFixedPoint(toFixedPoint(1.0) * 3n)).toBe('3');
    expect(formatFixedPoint(toFixedPoint(0.0001))).toBe('0.0001');
  });

  it('keep a running sum exact past 2^53 units, as BigInt arithmetic would', () => {
    const sum = new DecimalSum();
    let expected = 0n;
    // 20,000 entropies of up to 1.0 are 2e16 units: past 2^53 (9e15), where a Number sum drifts.
    for (let i = 0; i < 20_000; i += 1) {
      const value = ((i * 7_919) % 10_000) / 10_000 + 0.000_000_000_123;
      sum.add(value);
      expected += toFixedPoint(value);
    }
    sum.add(5e9);
    expected += toFixedPoint(5e9);
    expect(sum.total).toBe(expected);
  });
});
