import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../../functions/shared/errors.js';
import { parseCommandLine } from '../../../../scripts/cli/command-line.js';
import { DEFAULT_DATA_DIR, DEFAULT_OUTPUTS_FILE } from '../../../../scripts/cli/target-flags.js';
import { INVOKE_COMMAND, invokeOptionsOf } from '../../../../scripts/invoke/invoke-options.js';

const parse = (...argv: string[]) => {
  const commandLine = parseCommandLine(INVOKE_COMMAND, argv);
  return commandLine === 'help' ? 'help' : invokeOptionsOf(commandLine);
};

describe('the command line of npm run invoke', () => {
  it('invokes in the embedded runtime of the default data dir by default', () => {
    expect(parse('processor', '--event', '-')).toEqual({
      functionName: 'processor',
      eventSource: '-',
      target: { kind: 'embedded', dataDir: DEFAULT_DATA_DIR },
    });
  });

  it('invokes any of the stack’s functions on the deployed target', () => {
    expect(parse('batch', '--event', 'e.json', '--target', 'deployed')).toEqual({
      functionName: 'batch',
      eventSource: 'e.json',
      target: { kind: 'deployed', outputsFile: DEFAULT_OUTPUTS_FILE, stackName: undefined },
    });
  });

  it.each([
    [['--event', 'e.json'], 'name the function to invoke: producer, processor, api, batch, migrator'],
    [['poller', '--event', 'e.json'], 'unknown function "poller"'],
    [['api', 'processor', '--event', 'e.json'], 'one function at a time'],
    [['api'], '--event <file | -> is required'],
    [['batch', '--event', 'e.json'], 'the embedded runtime hosts producer, processor, api, not batch'],
    [['migrator', '--event', 'e.json'], 'npm start applies the migrations'],
    [['api', '--event', 'e.json', '--outputs', 'o.json'], '--outputs is a flag of --target deployed'],
  ])('%j is a usage error: %s', (argv, message) => {
    expect(() => parse(...argv)).toThrow(UsageError);
    expect(() => parse(...argv)).toThrow(message);
  });
});
