/**
 * The exit status of every command line, so that a script or CI job can rely on it whichever it runs:
 * 0 done; 1 it ran and found a problem (differences, unrecovered pointers, rows not sent, a function that
 * failed) or failed on the way; 2 it did not run: a usage error or nothing to act on (no runtime, no
 * outputs), always a `UsageError` whose message says what to do.
 */
import { UsageError } from '../../functions/shared/errors.js';

/** The three exit statuses, by what they mean. */
export const EXIT_CODES = { done: 0, foundProblem: 1, usage: 2 } as const;
export type ExitCode = (typeof EXIT_CODES)[keyof typeof EXIT_CODES];

/** How a command that ran to its end went: its exit status is 0 or 1. */
export type Outcome = 'done' | 'found-problem';

/**
 * @param outcome - what the command's work returned
 */
export function exitCodeOfOutcome(outcome: Outcome): ExitCode {
  return outcome === 'done' ? EXIT_CODES.done : EXIT_CODES.foundProblem;
}

/**
 * 2 for a usage error (nothing ran), 1 for any other failure (it failed on the way).
 *
 * @param error - what the command threw
 */
export function exitCodeOfError(error: unknown): ExitCode {
  return error instanceof UsageError ? EXIT_CODES.usage : EXIT_CODES.foundProblem;
}

/**
 * The exit-status paragraph of a command's usage.
 *
 * @param problem - what exit status 1 means for this command, e.g. `the layers differ`
 * @param actsOnPipeline - whether it looks for a target (a runtime, an outputs file) that may be missing
 */
export function exitStatusHelp(problem: string, actsOnPipeline: boolean): string {
  const usage = actsOnPipeline
    ? 'a usage error, or nothing to act on (no runtime, no outputs file)'
    : 'a usage error';
  return `Exit status: ${EXIT_CODES.done} done; ${EXIT_CODES.foundProblem} ${problem}, or it failed on the way; ${EXIT_CODES.usage} ${usage}.`;
}
