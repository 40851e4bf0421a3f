/**
 * The messages between the runtime and one execution environment (a worker thread): what the runtime
 * starts it with, asks it to run, and what it answers.
 */
import type { FunctionError } from './invocation.js';

/** What an environment is started with (its `workerData`); its variables are its `env`. */
export interface EnvironmentSpec {
  /** `processor-3`: the function and a number unique in this runtime. */
  readonly environmentId: string;
  readonly functionName: string;
  /** The function's bundle, `<bundles>/<function>/index.mjs`, loaded once. */
  readonly entryPath: string;
  readonly memorySize: number;
  readonly timeoutSeconds: number;
  readonly region: string;
  /** Opens the inspector on this port (`--inspect`), before the function's module loads. */
  readonly inspectPort?: number;
}

/** The runtime asks for one invocation. */
export interface InvokeMessage {
  readonly kind: 'invoke';
  readonly event: unknown;
}

/** What an environment tells the runtime. */
export type EnvironmentMessage =
  | { readonly kind: 'ready'; readonly inspectorUrl?: string }
  /** Lines written so far by an invocation under way: kept even if it then times out. */
  | { readonly kind: 'log'; readonly lines: readonly string[] }
  | { readonly kind: 'init-failed'; readonly error: FunctionError; readonly logs: readonly string[] }
  | {
      readonly kind: 'done';
      readonly ok: boolean;
      readonly result?: unknown;
      readonly error?: FunctionError;
      /** What the function wrote since the last invocation ended, line by line. */
      readonly logs: readonly string[];
      readonly durationMs: number;
    };

/** A thrown value in the shape Lambda reports a function error. */
export function functionErrorOf(error: unknown): FunctionError {
  if (error instanceof Error) {
    return {
      errorType: error.name,
      errorMessage: error.message,
      stackTrace: error.stack
        ?.split('\n')
        .slice(1)
        .map((line) => line.trim()),
    };
  }
  return { errorType: 'Error', errorMessage: String(error) };
}
