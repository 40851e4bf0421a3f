/**
 * How `npm run logs` prints an event: one line with its time, level and message, then the other fields
 * as `key=value`. Fields that only repeat which function it is (Powertools adds them to every line)
 * and the X-Ray trace id are left out; `--json` prints everything.
 */
import type { LogEvent } from './log-event.js';

/** Shown in the line's first columns rather than as fields. */
const LEADING_FIELDS = new Set(['timestamp', 'level', 'message']);
/** The same on every line of one function, or only of use to X-Ray. */
const FUNCTION_FIELDS = new Set([
  'service',
  'function_name',
  'function_arn',
  'function_memory_size',
  'sampling_rate',
  'xray_trace_id',
]);

/** A value that needs no quotes: no spaces, quotes or `=`. */
const BARE = /^[^\s"=]+$/;

/**
 * The readable line of an event.
 *
 * @example
 * formatLogEvent(parseLogLine('{"level":"INFO","message":"replay finished","timestamp":"2026-12-07T03:43:23.576Z","service":"producer","sent":20000}', 0))
 * // '2026-12-07T03:43:23.576Z INFO  replay finished sent=20000'
 *
 * @param event - from `parseLogLine`
 */
export function formatLogEvent(event: LogEvent): string {
  const { level, message } = event.fields;
  const rest = Object.entries(event.fields)
    .filter(([key, value]) => !LEADING_FIELDS.has(key) && !FUNCTION_FIELDS.has(key) && value !== undefined)
    .map(([key, value]) => `${key}=${compact(value)}`);
  const head = `${new Date(event.timestamp).toISOString()} ${String(level).toUpperCase().padEnd(5)} ${oneLine(String(message))}`;
  return rest.length > 0 ? `${head} ${rest.join(' ')}` : head;
}

function compact(value: unknown): string {
  if (typeof value === 'string') return BARE.test(value) ? value : JSON.stringify(value);
  return JSON.stringify(value) ?? String(value);
}

/** A multi-line message (a stack trace) stays on the event's line. */
function oneLine(text: string): string {
  return text.replace(/\r?\n/g, '\\n');
}
