import { describe, expect, it } from 'vitest';
import { formatFixedPoint, toFixedPoint } from '../../../../functions/shared/aggregation/decimal-sum.js';
import { parseFixedPoint } from '../../../../functions/shared/aggregation/fixed-point-text.js';

describe('parseFixedPoint', () => {
  it('is the inverse of formatFixedPoint', () => {
    for (const amount of [0n, 1n, -1n, 500_000_000_000n, 123_456_789_012_345_678n, -98_765_432_100n]) {
      expect(parseFixedPoint(formatFixedPoint(amount))).toBe(amount);
    }
    expect(parseFixedPoint(formatFixedPoint(toFixedPoint(0.5674) * 3n))).toBe(toFixedPoint(0.5674) * 3n);
  });

  it('refuses text that is not such a decimal', () => {
    for (const text of ['', '1e3', '0.1234567890123', 'NaN', '1.', '.5']) {
      expect(() => parseFixedPoint(text)).toThrow(RangeError);
    }
  });
});
