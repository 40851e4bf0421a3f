import { describe, expect, it } from 'vitest';
import {
  addValue,
  EMPTY_STATS,
  type RunningStats,
  standardDeviation,
} from '../../../../../functions/shared/aggregation/running-stats.js';

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
