/**
 * The command line of `npm run logs`, described once (scripts/cli/command-line.ts) and turned into
 * checked options: a bad function name or `--since` is a usage error (exit status 2).
 */
import { UsageError } from '../../functions/shared/errors.js';
import { FUNCTION_NAMES, type FunctionName, isFunctionName } from '../../lib/pipeline-functions.js';
import { type CommandLine, defineCommand } from '../cli/command-line.js';
import type { Target } from '../cli/target-flags.js';
import { parseSince } from './since.js';

const DEFAULT_SINCE = '10m';

/** The definition of `npm run logs`. */
export const LOGS_COMMAND = defineCommand({
  command: 'npm run logs',
  summary:
    "Prints a function's structured log, one line per event (time, level, message, then the other fields " +
    "as key=value). Embedded: <data-dir>/logs/<function>.ndjson. Deployed: the function's log group.",
  positionals: [{ name: '<function>', help: FUNCTION_NAMES.join(', ') }],
  targets: 'any',
  flags: {
    follow: { type: 'boolean', short: 'f', default: false, help: 'keep printing new lines (Ctrl-C to stop)' },
    since: {
      type: 'string',
      default: DEFAULT_SINCE,
      value: '<when>',
      help: 'from 30s, 10m, 2h, 1d ago, or an ISO 8601 time',
    },
    filter: { type: 'string', value: '<text>', help: 'only lines that contain the text (case-sensitive)' },
    json: {
      type: 'boolean',
      default: false,
      help: 'print each line as its JSON object instead of the readable form',
    },
  },
  problem: 'the log cannot be read (no file or log group yet without --follow, an endpoint error)',
  examples: [
    'npm run logs -- producer',
    'npm run logs -- processor --follow',
    'npm run logs -- api --since 2h --filter "request failed"',
    'npm run logs -- batch --target deployed --outputs other-outputs.json --stack MyCopy --json',
  ],
});

export interface LogsOptions {
  readonly functionName: FunctionName;
  readonly follow: boolean;
  /** Epoch milliseconds of the first lines to print. */
  readonly since: number;
  readonly filter?: string;
  readonly json: boolean;
  readonly target: Target;
}

/**
 * The options of a parsed `npm run logs` command line.
 *
 * @param commandLine - parsed by {@link LOGS_COMMAND}
 * @param now - the present, for `--since`
 * @throws UsageError on an unknown or missing function, or a bad `--since`
 */
export function logsOptionsOf(
  { values, positionals, target }: CommandLine<(typeof LOGS_COMMAND)['flags'], 'any'>,
  now: number = Date.now(),
): LogsOptions {
  const [name, ...extra] = positionals;
  if (name === undefined) throw new UsageError('name the function whose logs to print');
  if (!isFunctionName(name)) throw new UsageError(`unknown function ${JSON.stringify(name)}`);
  if (extra.length > 0) throw new UsageError(`one function at a time, got also ${extra.join(', ')}`);
  return {
    functionName: name,
    follow: values.follow,
    since: parseSince(values.since, now),
    ...(values.filter !== undefined && { filter: values.filter }),
    json: values.json,
    target,
  };
}
