/**
 * Exact sums of decimal values such as entropies. Binary floating point would make a sum depend on
 * the order and grouping of batches; fixed-point integers (12 decimal places) do not.
 */

const SCALE_DIGITS = 12;
const SCALE = 10 ** SCALE_DIGITS;

/** A decimal as an integer count of 10^-12 units. */
export function toFixedPoint(value: number): bigint {
  return BigInt(Math.round(value * SCALE));
}

/** A fixed-point amount as a decimal string, e.g. `12.3456` (what SQL reads as `numeric`). */
export function formatFixedPoint(amount: bigint): string {
  const negative = amount < 0n;
  const digits = (negative ? -amount : amount).toString().padStart(SCALE_DIGITS + 1, '0');
  const whole = digits.slice(0, -SCALE_DIGITS);
  const fraction = digits.slice(-SCALE_DIGITS).replace(/0+$/, '');
  return `${negative ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''}`;
}
