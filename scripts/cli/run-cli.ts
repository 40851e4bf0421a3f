/**
 * The one entry-point wrapper of the command lines: parses the arguments by the command's definition,
 * answers `--help` with the usage made from it, runs the command, and applies the exit-code scheme
 * (exit-codes.ts): a usage error is one message and exit 2, any other failure its message and exit 1.
 */
import { UsageError } from '../../functions/shared/errors.js';
import { type CommandDefinition, type CommandLine, type Flags, parseCommandLine } from './command-line.js';
import { EXIT_CODES, type ExitCode, exitCodeOfError, exitCodeOfOutcome, type Outcome } from './exit-codes.js';
import type { TargetSupport } from './target-flags.js';
import { usageOf } from './usage-text.js';

/** A command's work, given its parsed command line. */
export type CommandRun<F extends Flags, T extends TargetSupport | undefined> = (
  commandLine: CommandLine<F, T>,
) => Promise<Outcome>;

/**
 * Runs a command line as the process's entry point: parses its arguments, prints the usage for
 * `--help`, runs it, and sets the process's exit status (exit-codes.ts). It never rejects: a failure is
 * printed and becomes the exit status.
 *
 * @param definition - the command's definition (command-line.ts)
 * @param run - its work
 * @param argv - the arguments after the script name
 * @returns the exit status it set
 * @example runCli(RECONCILE_COMMAND, ({ target }) => runBatchCommand('reconcile', target));
 */
export async function runCli<F extends Flags, T extends TargetSupport | undefined>(
  definition: CommandDefinition<F, T>,
  run: CommandRun<F, T>,
  argv: readonly string[] = process.argv.slice(2),
): Promise<ExitCode> {
  let code: ExitCode;
  try {
    const commandLine = parseCommandLine(definition, argv);
    if (commandLine === 'help') console.log(usageOf(definition));
    code = commandLine === 'help' ? EXIT_CODES.done : exitCodeOfOutcome(await run(commandLine));
  } catch (error) {
    console.error(failureMessage(definition.command, error));
    code = exitCodeOfError(error);
  }
  process.exitCode = code;
  return code;
}

/** Errors that point at a bug rather than at the input or the environment. */
const PROGRAMMING_ERRORS = [TypeError, ReferenceError, RangeError, SyntaxError];

/**
 * A usage error: its message and where the usage is. Another failure: what failed, with the stack when
 * it is a programming error (a TypeError and the like), which the message alone would not locate.
 */
function failureMessage(command: string, error: unknown): string {
  if (error instanceof UsageError) {
    return `${command}: ${error.message}\n(${command} -- --help shows the usage)`;
  }
  if (!(error instanceof Error)) return `${command} failed: ${String(error)}`;
  const programmingError = PROGRAMMING_ERRORS.some((type) => error instanceof type);
  return `${command} failed: ${programmingError ? (error.stack ?? error.message) : error.message}`;
}
