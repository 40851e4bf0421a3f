/**
 * How numbers and times read on the dashboard. Event times are shown in UTC, as the API gives them.
 */

const counts = new Intl.NumberFormat('en');

export const formatCount = (value: number): string => counts.format(value);

export const formatEntropy = (value: number | null): string => (value === null ? '–' : value.toFixed(3));

/** `2024-01-01T00:05:00.000Z` → `2024-01-01 00:05:00 UTC`. */
export function formatInstant(iso: string | null): string {
  if (iso === null) return '–';
  const match = /^(\d{4,})-(\d{2})-(\d{2})T(\d{2}:\d{2}:\d{2})/.exec(iso);
  return match ? `${match[1]}-${match[2]}-${match[3]} ${match[4]} UTC` : iso;
}

/** A short clock time of this browser, for "refreshed at". */
export const formatClock = (ms: number): string =>
  new Date(ms).toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit', second: '2-digit' });

/**
 * How long ago, in the largest unit that fits: `just now`, `42 s ago`, `3 min ago`, `5 h ago`, `2 d ago`.
 *
 * @param elapsedMs - milliseconds since the moment (negative values, from clock skew, read as now)
 */
export function formatAgo(elapsedMs: number): string {
  const seconds = Math.max(0, Math.round(elapsedMs / 1000));
  if (seconds < 2) return 'just now';
  if (seconds < 60) return `${seconds} s ago`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ago`;
  return `${Math.floor(hours / 24)} d ago`;
}

/** A window length: 300 → `5-minute`, 3600 → `1-hour`, 45 → `45-second`. */
export function formatWindow(seconds: number): string {
  if (seconds % 3600 === 0) return `${seconds / 3600}-hour`;
  if (seconds % 60 === 0) return `${seconds / 60}-minute`;
  return `${seconds}-second`;
}
