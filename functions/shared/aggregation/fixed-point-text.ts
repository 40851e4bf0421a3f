/**
 * The inverse of `formatFixedPoint` (`decimal-sum.ts`): a decimal string such as
 * `12.3456` back to an integer count of 10^-12 units, so that the batch layer can go on summing the
 * shared aggregation's exact sums without passing through binary floating point.
 */

const SCALE_DIGITS = 12;
const DECIMAL = /^(-?)(\d+)(?:\.(\d{1,12}))?$/;

/**
 * @param text - a decimal with at most 12 fractional digits, e.g. `formatFixedPoint(...)`'s output
 * @throws RangeError for any other text
 * @example parseFixedPoint('0.5') === 500_000_000_000n
 */
export function parseFixedPoint(text: string): bigint {
  const match = DECIMAL.exec(text);
  if (!match) throw new RangeError(`not a decimal with up to ${SCALE_DIGITS} fractional digits: ${text}`);
  const [, sign, whole = '0', fraction = ''] = match;
  const amount = BigInt(whole + fraction.padEnd(SCALE_DIGITS, '0'));
  return sign === '-' ? -amount : amount;
}
