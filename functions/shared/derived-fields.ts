/**
 * Fields derived from a commit that the aggregates are keyed by.
 */
import { settings } from './settings.js';

export const NONE = '(none)';

/**
 * The module of a file: its first two path segments.
 *
 * @example moduleOf('/security/auth/utils/payment_60743.py') === '/security/auth'
 */
export function moduleOf(filePath: string): string {
  // Index arithmetic instead of split(): this runs for every commit on both sides of the stream.
  const first = segmentAt(filePath, 0);
  const second = first && segmentAt(filePath, first.end);
  // A module needs two directories above the file name.
  if (!second || !segmentAt(filePath, second.end)) return NONE;
  // The usual `/a/b/...` is its own prefix; doubled or missing slashes are normalised.
  if (first.start === 1 && second.start === first.end + 1) return filePath.slice(0, second.end);
  return `/${filePath.slice(first.start, first.end)}/${filePath.slice(second.start, second.end)}`;
}

/** The next non-empty `/`-separated segment at or after `from`. */
function segmentAt(path: string, from: number): { start: number; end: number } | undefined {
  let start = from;
  while (start < path.length && path.charCodeAt(start) === SLASH) start += 1;
  if (start >= path.length) return undefined;
  const end = path.indexOf('/', start);
  return { start, end: end === -1 ? path.length : end };
}

const SLASH = 0x2f;

/**
 * The language of a file: the lower-cased extension of its name.
 *
 * @example languageOf('/core/api/Server.GO') === 'go'
 */
export function languageOf(filePath: string): string {
  const nameStart = filePath.lastIndexOf('/') + 1;
  const dot = filePath.lastIndexOf('.');
  // No dot in the file name, a leading dot (".bashrc": a hidden file) or a trailing one: no extension.
  if (dot <= nameStart || dot === filePath.length - 1) return NONE;
  return filePath.slice(dot + 1).toLowerCase();
}

const logEpochMs = Date.parse(settings.analytics.logEpoch);

/** The wall-clock time of a commit: the log epoch plus its `time` offset in seconds. */
export function eventTimeOf(timeSeconds: number): string {
  return isoTimeOf(logEpochMs + timeSeconds * 1000);
}

/** An event time in one text form, `toISOString`'s, whatever ISO-8601 form it came in. */
export function isoInstantOf(eventTime: string): string {
  return isoTimeOf(Date.parse(eventTime));
}

/** Start of the tumbling window (of `windowSeconds`) that holds an event time, in ms since the epoch. */
export function windowStartMsOf(eventTime: string, windowSeconds: number): number {
  const windowMs = windowSeconds * 1000;
  return Math.floor(Date.parse(eventTime) / windowMs) * windowMs;
}

const DAY_MS = 86_400_000;
/** `YYYY-MM-DD` by day number since the epoch: commits of one replay fall on few days. */
const dates = new Map<number, string>();

/**
 * `Date.prototype.toISOString` for times of years 0–9999, several times faster: the date part is
 * remembered per day, the time of day is plain arithmetic. Runs for every commit on both sides.
 */
function isoTimeOf(ms: number): string {
  const day = Math.floor(ms / DAY_MS);
  let date = dates.get(day);
  if (date === undefined) {
    const iso = new Date(day * DAY_MS).toISOString();
    // Other years (e.g. +010000) are rare: formatted by the built-in every time.
    if (iso.length !== 24) return new Date(ms).toISOString();
    date = iso.slice(0, 10);
    if (dates.size >= 10_000) dates.clear();
    dates.set(day, date);
  }
  const rest = ms - day * DAY_MS;
  const hours = Math.floor(rest / 3_600_000);
  const minutes = Math.floor(rest / 60_000) % 60;
  const seconds = Math.floor(rest / 1000) % 60;
  const millis = rest % 1000;
  return `${date}T${pad2(hours)}:${pad2(minutes)}:${pad2(seconds)}.${String(millis).padStart(3, '0')}Z`;
}

function pad2(value: number): string {
  return value < 10 ? `0${value}` : String(value);
}
