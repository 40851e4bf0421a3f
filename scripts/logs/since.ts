/**
 * `--since` of `npm run logs`: how far back to start, as a duration before now or as a point in time.
 */
import { UsageError } from '../../functions/shared/errors.js';

const UNIT_MS: Readonly<Record<string, number>> = {
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

const DURATION = /^(\d+)([smhd])$/;
/** A date, optionally with a time and a zone, as `Date.parse` reads ISO 8601. */
const ISO_TIME = /^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * The epoch milliseconds `--since` names.
 *
 * @example
 * parseSince('10m', Date.parse('2026-12-07T12:00:00Z')) // Date.parse('2026-12-07T11:50:00Z')
 * parseSince('2026-12-07T09:30:00Z')                     // Date.parse('2026-12-07T09:30:00Z')
 *
 * @param text - a whole number with a unit (`30s`, `10m`, `2h`, `1d`) or an ISO 8601 date or time
 * @param now - the present, in epoch milliseconds
 * @throws UsageError when the text is neither
 */
export function parseSince(text: string, now: number = Date.now()): number {
  const value = text.trim();
  const duration = DURATION.exec(value);
  if (duration) return now - Number(duration[1]) * (UNIT_MS[duration[2] ?? ''] ?? 0);
  if (ISO_TIME.test(value)) {
    const time = Date.parse(value);
    if (Number.isFinite(time)) return time;
  }
  throw new UsageError(
    `--since must be a duration such as 30s, 10m, 2h or 1d, or an ISO 8601 time such as ` +
      `2026-12-07T09:30:00Z; got ${JSON.stringify(text)}`,
  );
}
