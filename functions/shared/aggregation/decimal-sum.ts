/**
 * Exact sums of decimal values such as entropies. Binary floating point would make a sum depend on
 * the order and grouping of batches; fixed-point integers (12 decimal places) do not.
 */

const SCALE_DIGITS = 12;
const SCALE = 10 ** SCALE_DIGITS;

/** A fixed-point amount as a decimal string, e.g. `12.3456` (what SQL reads as `numeric`). */
export function formatFixedPoint(amount: bigint): string {
  const negative = amount < 0n;
  const digits = (negative ? -amount : amount).toString().padStart(SCALE_DIGITS + 1, '0');
  const whole = digits.slice(0, -SCALE_DIGITS);
  const fraction = digits.slice(-SCALE_DIGITS).replace(/0+$/, '');
  return `${negative ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''}`;
}

/** Above this, a running sum of units moves into its BigInt part (below 2^53 less one entropy's units). */
const SAFE_RUN = 2 ** 52;

/**
 * An exact running sum of decimals at 12 places. Adding a BigInt per value costs an allocation each
 * time; here the units run up in a Number while that is exact, and move into a BigInt only past 2^52.
 */
export class DecimalSum {
  private run = 0;
  private carried = 0n;

  /** @param first - the first value, if any */
  constructor(first?: number) {
    if (first !== undefined) this.add(first);
  }

  add(value: number): void {
    const units = Math.round(value * SCALE);
    if (Math.abs(units) >= SAFE_RUN) {
      this.carried += BigInt(units);
      return;
    }
    this.run += units;
    if (Math.abs(this.run) >= SAFE_RUN) {
      this.carried += BigInt(this.run);
      this.run = 0;
    }
  }

  /** The sum, as an integer count of 10^-12 units. */
  get total(): bigint {
    return this.carried + BigInt(this.run);
  }
}
