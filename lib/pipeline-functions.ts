/**
 * The pipeline's functions by name: the stack, the bundle builds and the command-line tools name them
 * the same way. Free of CDK imports: command-line tools load it without the CDK.
 */

/** Every function of the pipeline: the folder under `functions/` that holds its `handler.ts`. */
export const FUNCTION_NAMES = ['producer', 'processor', 'api', 'batch', 'migrator'] as const;
export type FunctionName = (typeof FUNCTION_NAMES)[number];

/**
 * Whether a text names one of the pipeline's functions.
 *
 * @param name - e.g. a command-line argument
 */
export function isFunctionName(name: string): name is FunctionName {
  return (FUNCTION_NAMES as readonly string[]).includes(name);
}
