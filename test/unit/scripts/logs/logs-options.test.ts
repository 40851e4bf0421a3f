import { describe, expect, it } from 'vitest';
import { parseCommandLine } from '../../../../scripts/cli/command-line.js';
import { DEFAULT_DATA_DIR } from '../../../../scripts/cli/target-flags.js';
import { LOGS_COMMAND, logsOptionsOf } from '../../../../scripts/logs/logs-options.js';

const NOW = Date.parse('2026-12-07T12:00:00.000Z');
const parse = (...argv: string[]) => {
  const commandLine = parseCommandLine(LOGS_COMMAND, argv);
  return commandLine === 'help' ? 'help' : logsOptionsOf(commandLine, NOW);
};

describe('the command line of npm run logs', () => {
  it('reads the embedded runtime of the default data dir, the last 10 minutes, by default', () => {
    expect(parse('producer')).toEqual({
      functionName: 'producer',
      follow: false,
      since: NOW - 10 * 60_000,
      json: false,
      target: { kind: 'embedded', dataDir: DEFAULT_DATA_DIR },
    });
  });

  it('takes every flag', () => {
    expect(
      parse(
        'api',
        '-f',
        '--since',
        '2h',
        '--filter',
        'request failed',
        '--json',
        '--target',
        'deployed',
        '--outputs',
        'o.json',
        '--stack',
        'Copy',
      ),
    ).toMatchObject({
      functionName: 'api',
      follow: true,
      since: NOW - 2 * 3_600_000,
      filter: 'request failed',
      json: true,
      target: { kind: 'deployed', outputsFile: 'o.json', stackName: 'Copy' },
    });
  });

  it('answers --help', () => {
    expect(parse('--help')).toBe('help');
  });

  it('refuses an unknown or missing function, a bad --since or --target and unknown flags', () => {
    expect(() => parse('ingest')).toThrow(/unknown function "ingest"/);
    expect(() => parse()).toThrow(/name the function/);
    expect(() => parse('api', 'batch')).toThrow(/one function at a time/);
    expect(() => parse('api', '--since', 'soon')).toThrow(/--since must be a duration/);
    expect(() => parse('api', '--target', 'aws')).toThrow(/--target must be embedded or deployed/);
    expect(() => parse('api', '--tail')).toThrow(/unknown flag --tail/);
  });
});
