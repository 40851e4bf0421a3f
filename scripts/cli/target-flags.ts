/**
 * Where a command line acts, the same for every command that acts on a pipeline: the embedded runtime
 * that `npm start` runs on a data dir (`--target embedded`, the default, with `--data-dir`) or a
 * deployed stack found through the outputs file `cdk deploy` wrote (`--target deployed`, with `--outputs`
 * and `--stack`). A command declares which targets it takes; command-line.ts adds these flags to its own.
 */
import { UsageError } from '../../functions/shared/errors.js';
import type { FlagDefinition, Flags } from './command-line.js';

/** The data dir of `npm start` and of every command that finds its runtime, unless `--data-dir` says otherwise. */
export const DEFAULT_DATA_DIR = '.local-data';

/** Where `npm run deploy:localstack` and `npm run deploy:aws` write the stack outputs. */
export const DEFAULT_OUTPUTS_FILE = 'cdk-outputs.json';

/** Where a command line can act: the embedded runtime of a data dir, or a deployed stack. */
export const TARGETS = ['embedded', 'deployed'] as const;
export type TargetName = (typeof TARGETS)[number];

/** What a bare command acts on. */
export const DEFAULT_TARGET: TargetName = 'embedded';

/** The target a command line names, with the flags of that target. */
export type Target = EmbeddedTarget | DeployedTarget;

/** The runtime `npm start` runs on a data dir. */
export interface EmbeddedTarget {
  readonly kind: 'embedded';
  /** As given (relative to the working directory). */
  readonly dataDir: string;
}

/** A stack on LocalStack or AWS, found through the outputs file `cdk deploy` wrote. */
export interface DeployedTarget {
  readonly kind: 'deployed';
  readonly outputsFile: string;
  /** Needed only when the outputs file holds several pipeline stacks. */
  readonly stackName: string | undefined;
}

/**
 * The targets a command takes: either, or only one, the other refused with the reason (e.g. `npm start`
 * runs the embedded runtime; the migrations of the embedded runtime are applied as it starts).
 */
export type TargetSupport = 'any' | { readonly only: TargetName; readonly because: string };

/** The target a command of that support acts on. */
export type TargetOf<T> = T extends { readonly only: infer Only } ? Extract<Target, { kind: Only }> : Target;

const DATA_DIR_FLAG = {
  'data-dir': {
    type: 'string',
    default: DEFAULT_DATA_DIR,
    value: '<dir>',
    appliesTo: 'embedded',
    help: "the embedded runtime's data dir, where npm start keeps its state",
  },
} as const satisfies Flags;

const STACK_FLAGS = {
  outputs: {
    type: 'string',
    default: DEFAULT_OUTPUTS_FILE,
    value: '<file>',
    appliesTo: 'deployed',
    help: 'the outputs file cdk deploy wrote; its Target output says LocalStack or AWS',
  },
  stack: {
    type: 'string',
    value: '<name>',
    appliesTo: 'deployed',
    help: 'the stack, when the outputs hold several',
  },
} as const satisfies Flags;

/**
 * The flags that say where a command acts: `--target`, and the flags of each target it takes.
 *
 * @param support - the targets the command takes
 */
export function targetFlags(support: TargetSupport): Flags {
  const only = support === 'any' ? undefined : support.only;
  const target: FlagDefinition =
    support === 'any'
      ? {
          type: 'string',
          default: DEFAULT_TARGET,
          value: '<where>',
          help: 'embedded: the runtime npm start runs; deployed: a stack on LocalStack or AWS',
        }
      : { type: 'string', value: support.only, help: `the only target: ${support.because}` };
  return {
    target,
    ...(only !== 'deployed' && DATA_DIR_FLAG),
    ...(only !== 'embedded' && STACK_FLAGS),
  };
}

/** What parseArgs read for the flags of {@link targetFlags}. */
export interface TargetFlagValues {
  readonly target?: string | boolean | undefined;
  readonly 'data-dir'?: string | boolean | undefined;
  readonly outputs?: string | boolean | undefined;
  readonly stack?: string | boolean | undefined;
}

/**
 * The target a command line names, or a usage error: an unknown target, or one the command refuses.
 *
 * @param values - what parseArgs read
 * @param support - the targets the command takes
 */
export function targetOf(values: TargetFlagValues, support: TargetSupport): Target {
  const name = String(values.target ?? DEFAULT_TARGET);
  if (!isTargetName(name)) {
    throw new UsageError(`--target must be ${TARGETS.join(' or ')}, got ${name}`);
  }
  if (support !== 'any' && name !== support.only) {
    throw new UsageError(`takes only --target ${support.only}, not ${name} (${support.because})`);
  }
  return name === 'embedded'
    ? { kind: 'embedded', dataDir: String(values['data-dir'] ?? DEFAULT_DATA_DIR) }
    : {
        kind: 'deployed',
        outputsFile: String(values.outputs ?? DEFAULT_OUTPUTS_FILE),
        stackName: values.stack === undefined ? undefined : String(values.stack),
      };
}

/**
 * What an unknown flag that names a target is told (`--deployed` is written `--target deployed`).
 *
 * @param flag - the unknown flag without its dashes
 */
export function targetFlagHint(flag: string): string {
  return isTargetName(flag) ? `; write --target ${flag}` : '';
}

function isTargetName(name: string): name is TargetName {
  return (TARGETS as readonly string[]).includes(name);
}
