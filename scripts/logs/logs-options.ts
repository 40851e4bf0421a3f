/**
 * The command line of `npm run logs`, parsed and checked: a usage error is a `DeployedStackError`,
 * which `runCli` prints in one line with exit status 2.
 */
import { parseArgs } from 'node:util';
import { FUNCTION_NAMES, type FunctionName, isFunctionName } from '../../lib/pipeline-functions.js';
import { TARGET_OPTIONS, type Target, targetOf } from '../cli-target.js';
import { DeployedStackError } from '../deployed-stack.js';
import { parseSince } from './since.js';

export const USAGE = `Usage: npm run logs -- <function> [options]

  <function>            ${FUNCTION_NAMES.join(', ')}
  -f, --follow          keep printing new lines (Ctrl-C to stop)
  --since <when>        from 30s, 10m, 2h, 1d ago, or an ISO 8601 time (default: 10m)
  --filter <text>       only lines that contain the text (case-sensitive)
  --json                print each line as its JSON object instead of the readable form
  --target <where>      embedded (default: the runtime of --data-dir) or deployed (the stack's outputs)
  --data-dir <dir>      the embedded runtime's data dir (default: .local-data)
  --outputs <file>      with --target deployed: the cdk deploy outputs (default: cdk-outputs.json)
  --stack <name>        with --target deployed: the stack, when the outputs hold several
  -h, --help            show this help`;

const DEFAULT_SINCE = '10m';

export interface LogsOptions {
  readonly functionName: FunctionName;
  readonly follow: boolean;
  /** Epoch milliseconds of the first lines to print. */
  readonly since: number;
  readonly filter?: string;
  readonly json: boolean;
  readonly target: Target;
  readonly dataDir: string;
  readonly outputs: string;
  readonly stack?: string;
}

/**
 * Parses the arguments of `npm run logs`.
 *
 * @param argv - the arguments after the script name
 * @param now - the present, for `--since`
 * @returns the options, or `'help'` for `--help`
 * @throws DeployedStackError on an unknown flag or function, a missing function or a bad `--since`
 */
export function parseLogsOptions(argv: readonly string[], now: number = Date.now()): LogsOptions | 'help' {
  const { values, positionals } = usageChecked(() =>
    parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        ...TARGET_OPTIONS,
        follow: { type: 'boolean', short: 'f', default: false },
        since: { type: 'string', default: DEFAULT_SINCE },
        filter: { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }),
  );
  if (values.help) return 'help';
  const [name, ...extra] = positionals;
  if (name === undefined) throw usageError('name the function whose logs to print');
  if (!isFunctionName(name)) throw usageError(`unknown function ${JSON.stringify(name)}`);
  if (extra.length > 0) throw usageError(`one function at a time, got also ${extra.join(', ')}`);
  return {
    functionName: name,
    follow: values.follow,
    since: usageChecked(() => parseSince(values.since, now)),
    ...(values.filter !== undefined && { filter: values.filter }),
    json: values.json,
    target: usageChecked(() => targetOf(values.target)),
    dataDir: values['data-dir'],
    outputs: values.outputs,
    ...(values.stack !== undefined && { stack: values.stack }),
  };
}

function usageError(message: string): DeployedStackError {
  return new DeployedStackError(`${message}\n${USAGE}`);
}

/** Any refusal while parsing becomes a usage error that shows the usage. */
function usageChecked<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    throw usageError((error as Error).message);
  }
}
