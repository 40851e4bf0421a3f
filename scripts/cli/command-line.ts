/**
 * Command lines described once. A command's definition holds each flag's `node:util` parseArgs settings
 * beside its line of help, the targets it acts on (target-flags.ts) and what its exit status 1 means:
 * this module parses by it, usage-text.ts writes the usage `--help` prints from it, so the two cannot
 * drift apart.
 */
import { parseArgs } from 'node:util';
import { UsageError } from '../../functions/shared/errors.js';
import {
  type TargetName,
  type TargetOf,
  type TargetSupport,
  targetFlagHint,
  targetFlags,
  targetOf,
} from './target-flags.js';

/** One flag: what parseArgs needs, and what the usage says of it. */
export interface FlagDefinition {
  readonly type: 'string' | 'boolean';
  readonly short?: string;
  readonly default?: string | boolean;
  /** The value in the usage, e.g. `<dir>` (string flags; default `<value>`). */
  readonly value?: string;
  /**
   * One line of help. A boolean that defaults to true is shown as `--no-<name>`: say what that does.
   * A string's default is added to it.
   */
  readonly help: string;
  /** A flag of that target only: given with the other target, it is refused. */
  readonly appliesTo?: TargetName;
  /** A string flag that may be given several times: its value is the list of what was given. */
  readonly multiple?: boolean;
}

/** A command's flags by name (the name without `--`). */
export type Flags = Readonly<Record<string, FlagDefinition>>;

/** An argument without a flag, e.g. the function whose log `npm run logs` prints. */
export interface PositionalDefinition {
  /** As the usage shows it, e.g. `<function>`. */
  readonly name: string;
  readonly help: string;
}

/** Everything a command's parser and its usage are made from. */
export interface CommandDefinition<F extends Flags = Flags, T extends TargetSupport | undefined = undefined> {
  /** How a person runs it, e.g. `npm run reconcile` (the usage adds ` -- `). */
  readonly command: string;
  /** What it does, in a sentence or two. */
  readonly summary: string;
  readonly positionals?: readonly PositionalDefinition[];
  /** Its own flags; `--help` and the target flags are added. */
  readonly flags: F;
  /** The targets it acts on; absent for a command that acts on no pipeline (e.g. generate-sample). */
  readonly targets?: T;
  /** What exit status 1 means for it, e.g. `the layers differ`. */
  readonly problem: string;
  readonly examples?: readonly string[];
}

type FlagValue<D extends FlagDefinition> = D['type'] extends 'boolean'
  ? boolean
  : D extends { readonly multiple: true }
    ? string[]
    : string;

type DefaultedKeys<F extends Flags> = {
  [K in keyof F]: F[K] extends { readonly default: string | boolean } ? K : never;
}[keyof F];

/** The values of a command's own flags: those with a default are always there, the others when given. */
export type FlagValues<F extends Flags> = {
  readonly [K in DefaultedKeys<F>]: FlagValue<F[K]>;
} & {
  readonly [K in Exclude<keyof F, DefaultedKeys<F>>]?: FlagValue<F[K]> | undefined;
};

/** A command line as parsed and checked. */
export interface CommandLine<F extends Flags, T extends TargetSupport | undefined> {
  readonly values: FlagValues<F>;
  readonly positionals: readonly string[];
  /** Where it acts, when the command acts on a pipeline. */
  readonly target: T extends TargetSupport ? TargetOf<T> : undefined;
  /** The flags given on the command line (not defaulted), by name. */
  readonly given: ReadonlySet<string>;
  /** The arguments as given (e.g. for the command that resumes a replay). */
  readonly argv: readonly string[];
}

/** Added to every command. */
export const HELP_FLAG = {
  help: { type: 'boolean', short: 'h', help: 'show this help' },
} as const satisfies Flags;

/**
 * Keeps the literal types of a definition, so that the values of its flags are typed.
 *
 * @param definition - the command's definition
 * @example
 * const RECONCILE = defineCommand({ command: 'npm run reconcile', summary: '…', targets: 'any', flags: {}, problem: 'the layers differ' });
 */
export function defineCommand<const F extends Flags, const T extends TargetSupport | undefined = undefined>(
  definition: CommandDefinition<F, T>,
): CommandDefinition<F, T> {
  return definition;
}

/**
 * Parses a command line by its definition.
 *
 * @param definition - the command's definition
 * @param argv - the arguments after the script name
 * @returns the checked command line, or `'help'` when `--help` or `-h` was given
 * @throws UsageError on an unknown flag, a missing or unexpected value, an unexpected argument, an
 *   unknown or refused target, or a flag of the other target
 */
export function parseCommandLine<F extends Flags, T extends TargetSupport | undefined>(
  definition: CommandDefinition<F, T>,
  argv: readonly string[],
): CommandLine<F, T> | 'help' {
  const flags = allFlags(definition);
  refuseUnknownFlags(flags, argv, definition.targets !== undefined);
  const { values, positionals, tokens } = usageChecked(() =>
    parseArgs({
      args: [...argv],
      options: flags,
      strict: true,
      allowPositionals: (definition.positionals?.length ?? 0) > 0,
      allowNegative: true,
      tokens: true,
    }),
  );
  if (values.help === true) return 'help';
  const given = new Set(tokens.flatMap((token) => (token.kind === 'option' ? [token.name] : [])));
  const target = definition.targets === undefined ? undefined : targetOf(values, definition.targets);
  if (target) refuseFlagsOfOtherTarget(flags, given, target.kind);
  return {
    values: values as FlagValues<F>,
    positionals,
    target: target as CommandLine<F, T>['target'],
    given,
    argv,
  };
}

/** A command's flags with the target's and `--help`. */
function allFlags(definition: CommandDefinition<Flags, TargetSupport | undefined>): Flags {
  return {
    ...definition.flags,
    ...(definition.targets !== undefined && targetFlags(definition.targets)),
    ...HELP_FLAG,
  };
}

/**
 * An unknown flag, named plainly (parseArgs' own message would suggest passing it as an argument),
 * and with the `--target` form when it names a target.
 */
function refuseUnknownFlags(flags: Flags, argv: readonly string[], takesTarget: boolean): void {
  const { tokens } = parseArgs({ args: [...argv], options: flags, strict: false, tokens: true });
  const unknown = tokens.flatMap((token) =>
    token.kind === 'option' && !Object.hasOwn(flags, token.name) && !isNegation(flags, token.rawName)
      ? [token.rawName]
      : [],
  );
  const [first] = unknown;
  if (first === undefined) return;
  const hint = takesTarget ? targetFlagHint(first.replace(/^-+/, '')) : '';
  throw new UsageError(`unknown flag ${unknown.join(', ')}${hint}`);
}

/** `--no-<name>` of a boolean flag (parseArgs takes it with `allowNegative`). */
function isNegation(flags: Flags, rawName: string): boolean {
  const name = rawName.startsWith('--no-') ? rawName.slice('--no-'.length) : undefined;
  return name !== undefined && flags[name]?.type === 'boolean';
}

function refuseFlagsOfOtherTarget(flags: Flags, given: ReadonlySet<string>, target: TargetName): void {
  const misplaced = [...given].filter((name) => {
    const appliesTo = flags[name]?.appliesTo;
    return appliesTo !== undefined && appliesTo !== target;
  });
  if (misplaced.length === 0) return;
  const other = target === 'embedded' ? 'deployed' : 'embedded';
  throw new UsageError(
    `${misplaced.map((name) => `--${name}`).join(', ')} ${misplaced.length > 1 ? 'are flags' : 'is a flag'} ` +
      `of --target ${other}, not of --target ${target}`,
  );
}

/** parseArgs' refusals (a missing value, an unexpected argument) become usage errors. */
function usageChecked<R>(parse: () => R): R {
  try {
    return parse();
  } catch (error) {
    if (String((error as NodeJS.ErrnoException).code).startsWith('ERR_PARSE_ARGS')) {
      throw new UsageError((error as Error).message);
    }
    throw error;
  }
}
