import { describe, expect, it } from 'vitest';
import { reportedDurationMs } from '../../../../scripts/invoke/invocation-report.js';

describe('the duration of an invocation', () => {
  it('is read from the REPORT line Lambda ends the log tail with', () => {
    const tail = [
      'START RequestId: 1f0 Version: $LATEST',
      '{"level":"INFO","message":"Duration: 5 ms is not the report"}',
      'END RequestId: 1f0',
      'REPORT RequestId: 1f0\tDuration: 812.45 ms\tBilled Duration: 813 ms\tMemory Size: 512 MB',
    ].join('\n');
    expect(reportedDurationMs(tail)).toBe(812.45);
  });

  it('is unknown when the tail has no REPORT line', () => {
    expect(reportedDurationMs('START RequestId: 1f0 Version: $LATEST\n')).toBeUndefined();
  });
});
