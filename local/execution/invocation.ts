/**
 * One invocation of a function the embedded runtime hosts, as Lambda's Invoke API reports it: the
 * handler's result or its error, what the function logged meanwhile, and how long it ran.
 *
 * The runtime's execution environments produce it; `npm run invoke` and the runtime's Invoke endpoint
 * consume it.
 */

/** The functions the embedded runtime runs; the batch layer and the migrator run as scripts locally. */
export const EMBEDDED_FUNCTIONS = ['producer', 'processor', 'api'] as const;
export type EmbeddedFunctionName = (typeof EMBEDDED_FUNCTIONS)[number];

/** A handler's error, in the shape Lambda puts in the payload of a function error. */
export interface FunctionError {
  errorType: string;
  errorMessage: string;
  stackTrace?: string[];
}

export type InvocationOutcome =
  | { ok: true; result: unknown; logs: readonly string[]; durationMs: number }
  | { ok: false; error: FunctionError; logs: readonly string[]; durationMs: number };

/** Runs one invocation of a hosted function with an event, in an execution environment of that function. */
export interface FunctionInvoker {
  invoke(
    name: EmbeddedFunctionName,
    event: unknown,
    onLines?: (lines: readonly string[]) => void,
  ): Promise<InvocationOutcome>;
}

export function isEmbeddedFunction(name: string): name is EmbeddedFunctionName {
  return (EMBEDDED_FUNCTIONS as readonly string[]).includes(name);
}
