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
  const segments = filePath.split('/').filter((segment) => segment !== '');
  // A module needs two directories above the file name.
  if (segments.length < 3) return NONE;
  return `/${segments[0]}/${segments[1]}`;
}

/**
 * The language of a file: the lower-cased extension of its name.
 *
 * @example languageOf('/core/api/Server.GO') === 'go'
 */
export function languageOf(filePath: string): string {
  const fileName = filePath.slice(filePath.lastIndexOf('/') + 1);
  const dot = fileName.lastIndexOf('.');
  // A leading dot (".bashrc") names a hidden file, not an extension.
  if (dot <= 0 || dot === fileName.length - 1) return NONE;
  return fileName.slice(dot + 1).toLowerCase();
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
