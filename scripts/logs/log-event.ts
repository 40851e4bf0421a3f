/**
 * One line of a function's log as `npm run logs` shows it, from either place logs are kept: a line of
 * the embedded runtime's `<data-dir>/logs/<function>.ndjson`, or the message of a CloudWatch Logs event.
 *
 * Three shapes are recognised: a JSON object (a Powertools log line: `level`, `message`, `timestamp`,
 * `service`, …); a line of the Lambda runtime's text format (`<time>\t<request id>\t<LEVEL>\t<message>`,
 * what `console.log` writes in a Lambda function); anything else (`START`, `REPORT`, plain text), which
 * becomes `{ timestamp, level: "INFO", message }`, the object the embedded runtime writes for such a line.
 */

export interface LogEvent {
  /** The line as it was read. */
  readonly line: string;
  /** Epoch milliseconds: the line's own `timestamp` when it has one, else when it was received. */
  readonly timestamp: number;
  /** The line's fields; `level` and `message` are always there. */
  readonly fields: Readonly<Record<string, unknown>>;
  /** The line as one JSON object: the line itself when it was one. */
  readonly json: string;
}

/** `2026-12-07T03:43:23.577Z\t<request id>\tINFO\t<message>` */
const RUNTIME_TEXT_LINE = /^(\d{4}-\d{2}-\d{2}T[\d:.]+Z)\t([^\t]*)\t([A-Z]+)\t([\s\S]*)$/;

/**
 * Reads one log line.
 *
 * @param line - without its line break (a trailing one is ignored)
 * @param receivedAt - when it was written or ingested, for lines that carry no time themselves
 */
export function parseLogLine(line: string, receivedAt: number): LogEvent {
  const text = line.replace(/\r?\n$/, '');
  const object = jsonObject(text);
  if (object) {
    const fields = { level: 'INFO', message: '', ...object };
    return { line: text, timestamp: timeOf(object.timestamp) ?? receivedAt, fields, json: text };
  }
  const runtimeLine = RUNTIME_TEXT_LINE.exec(text);
  if (runtimeLine) {
    const [, time = '', requestId = '', level = 'INFO', message = ''] = runtimeLine;
    const fields = { timestamp: time, level, message, ...(requestId && { requestId }) };
    return { line: text, timestamp: timeOf(time) ?? receivedAt, fields, json: JSON.stringify(fields) };
  }
  const fields = { timestamp: new Date(receivedAt).toISOString(), level: 'INFO', message: text };
  return { line: text, timestamp: receivedAt, fields, json: JSON.stringify(fields) };
}

function jsonObject(text: string): Record<string, unknown> | undefined {
  if (!text.startsWith('{')) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** An ISO 8601 text or epoch milliseconds, as log lines carry their time. */
function timeOf(value: unknown): number | undefined {
  const time = typeof value === 'number' ? value : typeof value === 'string' ? Date.parse(value) : Number.NaN;
  return Number.isFinite(time) ? time : undefined;
}
