import { describe, expect, it } from 'vitest';
import type { FailurePointer } from '../../../../scripts/redrive/failure-pointer.js';
import type { RedriveReport } from '../../../../scripts/redrive/redrive.js';
import { progressLine, summaryLines } from '../../../../scripts/redrive/report.js';

const pointer: FailurePointer = {
  shardId: 'shardId-000000000001',
  startSequenceNumber: '100',
  endSequenceNumber: '149',
  batchSize: 50,
  streamArn: 'arn:aws:kinesis:us-east-1:000000000000:stream/s',
};
const counts = (records: number) => ({
  records,
  commitsStored: Math.max(0, records - 1),
  duplicatesSkipped: Math.min(1, records),
  recordsQuarantined: 0,
});

const report: RedriveReport = {
  source: 'queue-url',
  allRecovered: false,
  pointers: [
    { location: 'message a', pointer, outcome: { kind: 'recovered', stored: counts(50) } },
    {
      location: 'message b',
      pointer,
      outcome: {
        kind: 'expired',
        missing: 'the stream no longer holds the records from 100 to before 120',
        stored: counts(30),
        discarded: false,
      },
    },
    {
      location: 'message c',
      pointer,
      outcome: { kind: 'expired', missing: 'refused', stored: counts(0), discarded: true },
    },
    {
      location: 'message d',
      pointer,
      outcome: { kind: 'failed', reason: 'the archive step failed: Error: SlowDown' },
    },
    { location: 'message e', outcome: { kind: 'invalid', reason: 'not JSON' } },
  ],
};

describe('what a redrive prints', () => {
  it('counts the pointers by outcome, sums what was stored, and lists each one not recovered with why', () => {
    expect(summaryLines(report)).toEqual([
      'redrive of queue-url: 5 pointers, 1 recovered, 2 with records no longer in the stream, 1 failed, 1 not readable',
      '  80 records re-read, 78 commits stored, 2 duplicates skipped, 0 quarantined',
      'not recovered:',
      '  message b (shardId-000000000001 100–149, 50 records): NOT RECOVERED: the stream no longer holds the records ' +
        'from 100 to before 120; stored what is left: 30 records re-read, 29 commits stored, 1 duplicates skipped, ' +
        '0 quarantined; pointer kept (--discard-expired removes it)',
      '  message c (shardId-000000000001 100–149, 50 records): NOT RECOVERED: refused; nothing of it is left to store; pointer discarded',
      '  message d (shardId-000000000001 100–149, 50 records): NOT RECOVERED: the archive step failed: Error: SlowDown; pointer kept',
      '  message e: NOT READ: not JSON; left untouched',
    ]);
  });

  it('says so when there was nothing to do', () => {
    expect(summaryLines({ source: 'f', pointers: [], allRecovered: true })).toEqual([
      'redrive of f: no failure pointers, nothing to do',
    ]);
  });

  it('shows progress as position, pointer, outcome and time', () => {
    const [first] = report.pointers;
    expect(
      progressLine(
        { kind: 'done', index: 0, total: 12, report: first as RedriveReport['pointers'][0] },
        2_345,
      ),
    ).toBe(
      '[ 1/12] message a (shardId-000000000001 100–149, 50 records): recovered, pointer removed: 50 records re-read, ' +
        '49 commits stored, 1 duplicates skipped, 0 quarantined  (2.3 s)',
    );
  });
});
