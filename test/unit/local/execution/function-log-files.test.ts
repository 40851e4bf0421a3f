import { describe, expect, it } from 'vitest';
import { logObjectLine } from '../../../../local/execution/function-log-files.js';

const at = new Date('2026-12-07T12:00:00.000Z');

describe('a line of a function log file', () => {
  it('keeps a JSON object line as the function wrote it', () => {
    const line = '{"level":"INFO","message":"batch stored","service":"processor"}';
    expect(logObjectLine(line, at)).toBe(line);
  });

  it('wraps a text line as timestamp, level INFO and the line as message', () => {
    expect(JSON.parse(logObjectLine('START RequestId: 1 Version: $LATEST', at))).toEqual({
      timestamp: '2026-12-07T12:00:00.000Z',
      level: 'INFO',
      message: 'START RequestId: 1 Version: $LATEST',
    });
  });

  it('wraps a line that only looks like JSON, or is a JSON array', () => {
    expect(JSON.parse(logObjectLine('{not json', at)).message).toBe('{not json');
    expect(JSON.parse(logObjectLine('[1,2]', at)).message).toBe('[1,2]');
  });
});
