/**
 * The flags of every command that replays a CSV (`npm start`, `npm run replay`, `npm run replay:deployed`),
 * defined once: their `node:util` parseArgs options, their help text, and how they become the replay
 * request the producer's Lambda event carries too (functions/producer/replay-request.ts).
 */
import { parseCsvEncoding } from '../../functions/producer/csv-encoding.js';
import { pacingOf } from '../../functions/producer/pacer.js';
import type { ReplayStop } from '../../functions/producer/replay.js';
import type { ReplayRequest } from '../../functions/producer/replay-request.js';
import { BadRequestError } from '../../functions/shared/errors.js';
import { settings } from '../../functions/shared/settings.js';

/** The replay flags, as `node:util` parseArgs options (`--no-aggregation` needs `allowNegative`). */
export const REPLAY_FLAGS = {
  rate: { type: 'string' },
  speed: { type: 'string' },
  limit: { type: 'string' },
  aggregation: { type: 'boolean', default: settings.producer.aggregation.enabled },
  'from-line': { type: 'string' },
  encoding: { type: 'string' },
} as const;

/** Their lines of a usage text. */
export const REPLAY_FLAGS_USAGE = `  --rate <n>          replay at n records per second
  --speed <x>         replay the log's time axis x times faster than real time
  --limit <n>         stop after n rows
  --from-line <n>     skip the rows before line n (resume a replay that stopped there)
  --encoding <name>   the CSV's encoding: utf-8 (default), latin1 (ISO-8859-1) or windows-1252
  --no-aggregation    one Kinesis record per commit (for consumers that cannot de-aggregate)`;

/** The values parseArgs gives for {@link REPLAY_FLAGS}. */
export interface ReplayFlagValues {
  rate?: string | undefined;
  speed?: string | undefined;
  limit?: string | undefined;
  aggregation?: boolean | undefined;
  'from-line'?: string | undefined;
  encoding?: string | undefined;
}

/**
 * @param values - what parseArgs read for the replay flags
 * @returns the request, validated with messages that name the flag
 * @throws BadRequestError on a value out of range, an unknown encoding, or `--rate` with `--speed`
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
 * @throws BadRequestError naming the flag and its range
 */
export function integerFlag(name: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max) {
    throw new BadRequestError(`--${name} must be an integer from ${min} to ${max}, got "${text}"`);
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
    throw new BadRequestError(`--${name} must be a positive number, got "${text}"`);
  return value;
}
