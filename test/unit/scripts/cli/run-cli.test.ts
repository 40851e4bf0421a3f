import { afterEach, beforeEach, describe, expect, it, type MockInstance, vi } from 'vitest';
import { UsageError } from '../../../../functions/shared/errors.js';
import { defineCommand } from '../../../../scripts/cli/command-line.js';
import { EXIT_CODES } from '../../../../scripts/cli/exit-codes.js';
import { runCli } from '../../../../scripts/cli/run-cli.js';

const COMMAND = defineCommand({
  command: 'npm run example',
  summary: 'Does an example thing.',
  targets: 'any',
  flags: { strict: { type: 'boolean', default: false, help: 'find more' } },
  problem: 'it found a difference',
});

let printed: MockInstance<typeof console.log>;
let reported: MockInstance<typeof console.error>;

beforeEach(() => {
  printed = vi.spyOn(console, 'log').mockImplementation(() => undefined);
  reported = vi.spyOn(console, 'error').mockImplementation(() => undefined);
});

afterEach(() => {
  vi.restoreAllMocks();
  process.exitCode = undefined;
});

const errors = () => reported.mock.calls.map((call) => String(call[0])).join('\n');

describe('the exit status of a command line', () => {
  it('is 0 when it is done, 1 when it found a problem, and becomes the process exit code', async () => {
    expect(await runCli(COMMAND, async () => 'done', [])).toBe(EXIT_CODES.done);
    expect(await runCli(COMMAND, async () => 'found-problem', [])).toBe(EXIT_CODES.foundProblem);
    expect(process.exitCode).toBe(1);
  });

  it('is 2 for a bad command line, without running it, with one message and where the usage is', async () => {
    const run = vi.fn(async () => 'done' as const);
    expect(await runCli(COMMAND, run, ['--strictly'])).toBe(EXIT_CODES.usage);
    expect(run).not.toHaveBeenCalled();
    expect(errors()).toBe(
      'npm run example: unknown flag --strictly\n(npm run example -- --help shows the usage)',
    );
  });

  it('is 2 when the work finds nothing to act on (a usage error it throws)', async () => {
    const missing = async () => {
      throw new UsageError('cannot read stack outputs from o.json (deploy first)');
    };
    expect(await runCli(COMMAND, missing, ['--target', 'deployed', '--outputs', 'o.json'])).toBe(2);
    expect(errors()).toContain('npm run example: cannot read stack outputs from o.json');
  });

  it('is 1 when the work fails on the way, with the message, and the stack only for a programming error', async () => {
    const unreachable = async () => {
      throw new Error('connect ECONNREFUSED 127.0.0.1:4566');
    };
    expect(await runCli(COMMAND, unreachable, [])).toBe(EXIT_CODES.foundProblem);
    expect(errors()).toBe('npm run example failed: connect ECONNREFUSED 127.0.0.1:4566');

    reported.mockClear();
    const bug = async () => {
      throw new TypeError('x is not a function');
    };
    expect(await runCli(COMMAND, bug, [])).toBe(EXIT_CODES.foundProblem);
    expect(errors()).toMatch(/^npm run example failed: TypeError: x is not a function\n\s+at /);
  });

  it('is 0 for --help, which prints the usage and runs nothing', async () => {
    const run = vi.fn(async () => 'found-problem' as const);
    expect(await runCli(COMMAND, run, ['-h'])).toBe(EXIT_CODES.done);
    expect(run).not.toHaveBeenCalled();
    expect(String(printed.mock.calls[0]?.[0])).toMatch(/^Usage: npm run example -- \[options\]/);
  });
});
