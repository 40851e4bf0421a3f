import { describe, expect, it } from 'vitest';
import { parseLogLine } from '../../../../scripts/logs/log-event.js';
import { formatLogEvent } from '../../../../scripts/logs/log-format.js';

const RECEIVED = Date.parse('2026-12-07T03:43:30.000Z');

const powertoolsLine = JSON.stringify({
  level: 'INFO',
  message: 'replay finished',
  timestamp: '2026-12-07T03:43:23.576Z',
  service: 'producer',
  sampling_rate: 0,
  cold_start: true,
  function_name: 'InfectedCodePipeline-ProducerFunction',
  function_request_id: 'c0ffee',
  xray_trace_id: '1-abc',
  read: 20000,
  rejectedByReason: {},
  rejectsAt: 's3://bucket/rejected/run 1',
});

describe('reading a log line', () => {
  it('takes a structured line as it is, its time from its own timestamp', () => {
    const event = parseLogLine(`${powertoolsLine}\n`, RECEIVED);
    expect(event.timestamp).toBe(Date.parse('2026-12-07T03:43:23.576Z'));
    expect(event.fields).toMatchObject({ level: 'INFO', message: 'replay finished', read: 20000 });
    expect(event.json).toBe(powertoolsLine);
    expect(event.line).toBe(powertoolsLine);
  });

  it("reads the Lambda runtime's text format: time, request id, level, message", () => {
    const event = parseLogLine('2026-12-07T03:43:23.577Z\treq-1\tERROR\tsomething broke\n', RECEIVED);
    expect(event.timestamp).toBe(Date.parse('2026-12-07T03:43:23.577Z'));
    expect(JSON.parse(event.json)).toEqual({
      timestamp: '2026-12-07T03:43:23.577Z',
      level: 'ERROR',
      message: 'something broke',
      requestId: 'req-1',
    });
  });

  it('wraps any other line as an INFO message at the time it was received', () => {
    const event = parseLogLine('START RequestId: req-1 Version: $LATEST\n', RECEIVED);
    expect(event.timestamp).toBe(RECEIVED);
    expect(JSON.parse(event.json)).toEqual({
      timestamp: '2026-12-07T03:43:30.000Z',
      level: 'INFO',
      message: 'START RequestId: req-1 Version: $LATEST',
    });
  });

  it('wraps JSON that is not an object, and a line that only looks like JSON, as text', () => {
    expect(parseLogLine('[1,2]', RECEIVED).fields.message).toBe('[1,2]');
    expect(parseLogLine('{not json', RECEIVED).fields.message).toBe('{not json');
  });

  it('takes the time of a line written by the embedded runtime as epoch milliseconds too', () => {
    const event = parseLogLine('{"timestamp":1796615003671,"level":"WARN","message":"slow"}', RECEIVED);
    expect(event.timestamp).toBe(1796615003671);
  });
});

describe('printing a log event', () => {
  it('shows time, level and message, then the other fields compactly, without the per-function ones', () => {
    expect(formatLogEvent(parseLogLine(powertoolsLine, RECEIVED))).toBe(
      '2026-12-07T03:43:23.576Z INFO  replay finished cold_start=true function_request_id=c0ffee ' +
        'read=20000 rejectedByReason={} rejectsAt="s3://bucket/rejected/run 1"',
    );
  });

  it('prints a line with no other fields as time, level and message only', () => {
    expect(formatLogEvent(parseLogLine('REPORT RequestId: r\tDuration: 1 ms', RECEIVED))).toBe(
      '2026-12-07T03:43:30.000Z INFO  REPORT RequestId: r\tDuration: 1 ms',
    );
  });

  it('keeps a multi-line message on one line, and upper-cases the level', () => {
    const line = JSON.stringify({
      level: 'error',
      message: 'failed\n    at handler (index.mjs:1:2)',
      timestamp: '2026-12-07T03:43:23.000Z',
      error: { name: 'Error', message: 'boom' },
    });
    expect(formatLogEvent(parseLogLine(line, RECEIVED))).toBe(
      '2026-12-07T03:43:23.000Z ERROR failed\\n    at handler (index.mjs:1:2) error={"name":"Error","message":"boom"}',
    );
  });
});
