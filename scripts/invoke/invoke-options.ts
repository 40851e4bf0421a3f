/**
 * The command line of `npm run invoke`, described once (scripts/cli/command-line.ts) and turned into
 * checked options: an unknown function, one the embedded runtime does not host, or a missing `--event`
 * is a usage error (exit status 2).
 */
import { UsageError } from '../../functions/shared/errors.js';
import { FUNCTION_NAMES, type FunctionName, isFunctionName } from '../../lib/pipeline-functions.js';
import { EMBEDDED_FUNCTIONS, isEmbeddedFunction } from '../../local/execution/invocation.js';
import { type CommandLine, defineCommand } from '../cli/command-line.js';
import type { Target } from '../cli/target-flags.js';

/** The definition of `npm run invoke`. */
export const INVOKE_COMMAND = defineCommand({
  command: 'npm run invoke',
  summary:
    'Invokes a function once with an event, as sam local invoke does, and prints its result (JSON) on ' +
    'stdout, its log and its duration on stderr. Embedded: the function in the runtime npm start runs ' +
    `(${EMBEDDED_FUNCTIONS.join(', ')}). Deployed: the stack's function, through Lambda's Invoke API.`,
  positionals: [{ name: '<function>', help: FUNCTION_NAMES.join(', ') }],
  targets: 'any',
  flags: {
    event: {
      type: 'string',
      value: '<file | ->',
      help: 'the event, a JSON file (npm run event writes them), or - to read it from stdin (required)',
    },
  },
  problem: 'the function returned an error (its error payload is printed)',
  examples: [
    'npm run event -- kinesis --csv data/infected_code_sample.csv | npm run invoke -- processor --event -',
    'npm run event -- api GET /stats/summary --out summary.json && npm run invoke -- api --event summary.json',
    'npm run invoke -- producer --event replay.json --target deployed',
  ],
});

export interface InvokeOptions {
  readonly functionName: FunctionName;
  /** A file, or `-` for stdin. */
  readonly eventSource: string;
  readonly target: Target;
}

/** Where each function the embedded runtime does not host runs locally instead. */
const NOT_EMBEDDED_BECAUSE: Readonly<Record<string, string>> = {
  batch: 'the batch layer runs locally as npm run rebuild and npm run reconcile',
  migrator: 'npm start applies the migrations as it starts',
};

/**
 * @param commandLine - parsed by {@link INVOKE_COMMAND}
 * @throws UsageError on a missing, unknown or (embedded) unhosted function, extra arguments, or no `--event`
 */
export function invokeOptionsOf({
  values,
  positionals,
  target,
}: CommandLine<(typeof INVOKE_COMMAND)['flags'], 'any'>): InvokeOptions {
  const [name, ...extra] = positionals;
  if (name === undefined) throw new UsageError(`name the function to invoke: ${FUNCTION_NAMES.join(', ')}`);
  if (!isFunctionName(name)) {
    throw new UsageError(`unknown function ${JSON.stringify(name)}: one of ${FUNCTION_NAMES.join(', ')}`);
  }
  if (extra.length > 0) throw new UsageError(`one function at a time, got also ${extra.join(', ')}`);
  if (target.kind === 'embedded' && !isEmbeddedFunction(name)) {
    throw new UsageError(
      `the embedded runtime hosts ${EMBEDDED_FUNCTIONS.join(', ')}, not ${name}: ${NOT_EMBEDDED_BECAUSE[name] ?? ''}` +
        ' (or pass --target deployed)',
    );
  }
  if (values.event === undefined) throw new UsageError('--event <file | -> is required');
  return { functionName: name, eventSource: values.event, target };
}
