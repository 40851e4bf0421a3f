/**
 * The flags of every command that replays a CSV (`npm start`, `npm run replay` on either target),
 * defined once: their parseArgs settings with their help (scripts/cli/command-line.ts), and how they
 * become the replay request the producer's Lambda event carries too (functions/producer/replay-request.ts).
 */
import { CSV_ENCODINGS, parseCsvEncoding } from '../../functions/producer/csv-encoding.js';
import { pacingOf } from '../../functions/producer/pacer.js';
import type { ReplayStop } from '../../functions/producer/replay.js';
import type { ReplayRequest } from '../../functions/producer/replay-request.js';
import { UsageError } from '../../functions/shared/errors.js';
import { settings } from '../../functions/shared/settings.js';
import type { Flags, FlagValues } from '../../scripts/cli/command-line.js';

/** The replay flags (`--no-aggregation` is the negation of `aggregation`). */
export const REPLAY_FLAGS = {
  rate: { type: 'string', value: '<n>', help: 'replay at n records per second' },
  speed: { type: 'string', value: '<x>', help: "replay the log's time axis x times faster than real time" },
  limit: { type: 'string', value: '<n>', help: 'stop after n rows' },
  aggregation: {
    type: 'boolean',
    default: settings.producer.aggregation.enabled,
    help: settings.producer.aggregation.enabled
      ? 'one Kinesis record per commit (for consumers that cannot de-aggregate)'
      : 'pack commits into aggregated Kinesis records',
  },
  'from-line': {
    type: 'string',
    value: '<n>',
    help: 'skip the rows before line n (resume a replay that stopped there)',
  },
  encoding: {
    type: 'string',
    value: '<name>',
    help: `the CSV's encoding: ${CSV_ENCODINGS.join(', ')} (latin1 is ISO-8859-1; default utf-8)`,
  },
} as const satisfies Flags;

/** The values parsed for {@link REPLAY_FLAGS}. */
export type ReplayFlagValues = FlagValues<typeof REPLAY_FLAGS>;

/**
 * @param values - what parseArgs read for the replay flags
 * @returns the request, validated with messages that name the flag
 * @throws UsageError on a value out of range, an unknown encoding, or `--rate` with `--speed`
 */
export function replayRequestOf(values: ReplayFlagValues): ReplayRequest {
  const request: ReplayRequest = {
    rate: positiveNumber('rate', values.rate),
    speed: positiveNumber('speed', values.speed),
    limit: optionalInteger('limit', values.limit, 1),
    fromLine: optionalInteger('from-line', values['from-line'], 1),
    aggregate: values.aggregation,
    encoding: values.encoding === undefined ? undefined : parseCsvEncoding(values.encoding),
  };
  pacingOf(request);
  return request;
}

/**
 * The command that resumes a stopped replay: the same arguments, with `--from-line` set to the line.
 *
 * @param command - how the command is run, e.g. `npm run replay --`
 * @param args - the arguments it was given (`process.argv.slice(2)`)
 * @param stop - where the replay stopped
 */
export function resumeCommand(command: string, args: readonly string[], stop: ReplayStop): string {
  const kept: string[] = [];
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i] ?? '';
    if (arg === '--from-line') i += 1;
    else if (!arg.startsWith('--from-line=')) kept.push(arg);
  }
  return [command, ...[...kept, '--from-line', String(stop.resumeFromLine)].map(shellWord)].join(' ');
}

/**
 * What a person is told when a replay stopped early: why, what is safe, and how to go on.
 *
 * @param stop - from the replay's result
 * @param resume - the command that resumes it ({@link resumeCommand})
 */
export function stoppedMessage(stop: ReplayStop, resume: string): string {
  return (
    `the replay stopped: ${stop.reason}. Every row before line ${stop.resumeFromLine} is stored or listed ` +
    `as rejected; resume with\n  ${resume}\n(rows sent again are counted once)`
  );
}

function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`;
}

/**
 * @param name - the flag, without `--`
 * @throws UsageError naming the flag and its range
 */
export function integerFlag(name: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max) {
    throw new UsageError(`--${name} must be an integer from ${min} to ${max}, got "${text}"`);
  }
  return value;
}

function optionalInteger(name: string, text: string | undefined, min: number): number | undefined {
  return text === undefined ? undefined : integerFlag(name, text, min, Number.MAX_SAFE_INTEGER);
}

function positiveNumber(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0)
    throw new UsageError(`--${name} must be a positive number, got "${text}"`);
  return value;
}
