/**
 * Where a command-line tool acts, as every one of them spells it: the embedded runtime of a data dir
 * (`npm start`, the default) or a deployed stack (`--target deployed`, found through its outputs file).
 */
import { DeployedStackError, STACK_OPTIONS } from './deployed-stack.js';

/** The embedded runtime's data dir unless `--data-dir` says otherwise (as `npm start` does). */
export const DEFAULT_DATA_DIR = '.local-data';

/** The `--data-dir` flag (`node:util` parseArgs options). */
export const DATA_DIR_OPTION = {
  'data-dir': { type: 'string', default: DEFAULT_DATA_DIR },
} as const;

/** The targets a tool can act on. */
export const TARGETS = ['embedded', 'deployed'] as const;
export type Target = (typeof TARGETS)[number];

/** `--target embedded|deployed` with the flags of either: `--data-dir`, or `--outputs` and `--stack`. */
export const TARGET_OPTIONS = {
  ...STACK_OPTIONS,
  ...DATA_DIR_OPTION,
  target: { type: 'string', default: 'embedded' },
} as const;

/**
 * The parsed `--target`, or a usage error naming the allowed values.
 *
 * @param value - the flag's value
 */
export function targetOf(value: string): Target {
  if (!(TARGETS as readonly string[]).includes(value)) {
    throw new DeployedStackError(`--target must be ${TARGETS.join(' or ')}, got ${value}`);
  }
  return value as Target;
}
