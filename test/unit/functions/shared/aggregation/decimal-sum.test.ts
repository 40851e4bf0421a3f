import { describe, expect, it } from 'vitest';
import { DecimalSum, formatFixedPoint } from '../../../../../functions/shared/aggregation/decimal-sum.js';

/** A decimal as an integer count of 10^-12 units, in BigInt arithmetic throughout. */
const units = (value: number) => BigInt(Math.round(value * 1e12));

function sumOf(values: number[]): DecimalSum {
  const sum = new DecimalSum();
  for (const value of values) sum.add(value);
  return sum;
}

describe('exact decimal sums', () => {
  it('add values that binary floating point gets wrong', () => {
    expect(0.1 + 0.2).not.toBe(0.3);
    expect(formatFixedPoint(sumOf([0.1, 0.2]).total)).toBe('0.3');
    expect(formatFixedPoint(sumOf([1, 1, 1]).total)).toBe('3');
    expect(formatFixedPoint(sumOf([0.0001]).total)).toBe('0.0001');
    expect(formatFixedPoint(-1_500_000_000_000n)).toBe('-1.5');
  });

  it('keep a running sum exact past 2^53 units, as BigInt arithmetic would', () => {
    const sum = new DecimalSum();
    let expected = 0n;
    // 20,000 entropies of up to 1.0 are 2e16 units: past 2^53 (9e15), where a Number sum drifts.
    for (let i = 0; i < 20_000; i += 1) {
      const value = ((i * 7_919) % 10_000) / 10_000 + 0.000_000_000_123;
      sum.add(value);
      expected += units(value);
    }
    sum.add(5e9);
    expected += units(5e9);
    expect(sum.total).toBe(expected);
  });
});
