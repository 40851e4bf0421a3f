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
  return new Date(logEpochMs + timeSeconds * 1000).toISOString();
}

/** Start of the tumbling window (of `windowSeconds`) that holds an event time. */
export function windowStartOf(
  eventTime: string,
  windowSeconds: number = settings.analytics.windowSeconds,
): string {
  const ms = Date.parse(eventTime);
  const windowMs = windowSeconds * 1000;
  return new Date(Math.floor(ms / windowMs) * windowMs).toISOString();
}
