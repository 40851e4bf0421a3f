import { parseArgs } from 'node:util';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../../functions/shared/errors.js';
import { formatWaiting } from '../../../../local/cli/replay-file.js';
import {
  REPLAY_FLAGS,
  replayRequestOf,
  resumeCommand,
  stoppedMessage,
} from '../../../../local/cli/replay-flags.js';

const flags = (args: string[]) =>
  replayRequestOf(parseArgs({ args, options: REPLAY_FLAGS, allowNegative: true, strict: true }).values);

describe('the replay flags', () => {
  it('become the request the producer event carries too', () => {
    expect(
      flags([
        '--rate',
        '500',
        '--limit',
        '10',
        '--from-line',
        '1234',
        '--encoding',
        'ISO-8859-1',
        '--no-aggregation',
      ]),
    ).toEqual({
      rate: 500,
      speed: undefined,
      limit: 10,
      fromLine: 1234,
      aggregate: false,
      encoding: 'latin1',
    });
  });

  it.each([
    [['--encoding', 'ebcdic'], 'unknown encoding "ebcdic": use one of utf-8, latin1, windows-1252'],
    [['--from-line', '0'], '--from-line must be an integer from 1'],
    [['--from-line', 'ten'], '--from-line must be an integer from 1'],
    [['--rate', '5', '--speed', '2'], 'choose either rate or speed, not both'],
  ])('refuse %j with a message that says what to write', (args, message) => {
    expect(() => flags(args)).toThrow(UsageError);
    expect(() => flags(args)).toThrow(message);
  });
});

describe('a replay that stopped', () => {
  const stop = { reason: 'Kinesis was unreachable for 120 s (connection refused)', resumeFromLine: 40_001 };

  it('is resumed by the same command with --from-line set to the line', () => {
    expect(
      resumeCommand('npm run replay --', ['--csv', 'my log.csv', '--from-line=7', '--rate', '9'], stop),
    ).toBe("npm run replay -- --csv 'my log.csv' --rate 9 --from-line 40001");
    expect(resumeCommand('npm start --', ['--from-line', '7', '--csv', 'x.csv'], stop)).toBe(
      'npm start -- --csv x.csv --from-line 40001',
    );
  });

  it('says why, what is safe and how to go on', () => {
    expect(stoppedMessage(stop, 'npm start -- --from-line 40001')).toBe(
      'the replay stopped: Kinesis was unreachable for 120 s (connection refused). Every row before line 40001 ' +
        'is stored or listed as rejected; resume with\n  npm start -- --from-line 40001\n(rows sent again are counted once)',
    );
  });

  it('says while it waits what it waits for', () => {
    expect(formatWaiting({ cause: 'connection refused', forMs: 12_345, limitMs: 120_000 })).toBe(
      'waiting for Kinesis (connection refused, 12 s of at most 120 s)',
    );
  });
});
