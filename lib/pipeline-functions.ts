/**
 * The pipeline's functions by name, and where each one's logs are: the stack outputs that name its
 * deployed function and log group, and the file the embedded runtime writes. The stack writes those
 * outputs, the embedded runtime that file; `npm run logs` reads both. Free of CDK imports: command-line
 * tools load it without the CDK.
 */
import { join } from 'node:path';

/** Every function of the pipeline: the folder under `functions/` that holds its `handler.ts`. */
export const FUNCTION_NAMES = ['producer', 'processor', 'api', 'batch', 'migrator'] as const;
export type FunctionName = (typeof FUNCTION_NAMES)[number];

/** The stack outputs of one function. */
export interface FunctionOutputNames {
  /** The deployed function's name, e.g. `ProducerFunctionName`. */
  readonly functionName: string;
  /** The log group its logs go to on the stack's target, e.g. `ProducerLogGroupName`. */
  readonly logGroupName: string;
}

/**
 * Whether a text names one of the pipeline's functions.
 *
 * @param name - e.g. a command-line argument
 */
export function isFunctionName(name: string): name is FunctionName {
  return (FUNCTION_NAMES as readonly string[]).includes(name);
}

/**
 * The output keys of a function, e.g. `{ functionName: 'ApiFunctionName', logGroupName: 'ApiLogGroupName' }`.
 *
 * @param name - the function
 */
export function functionOutputNames(name: FunctionName): FunctionOutputNames {
  const prefix = `${name.charAt(0).toUpperCase()}${name.slice(1)}`;
  return { functionName: `${prefix}FunctionName`, logGroupName: `${prefix}LogGroupName` };
}

/**
 * The file the embedded runtime writes a function's log to: one JSON object per line, the function's
 * own structured lines as they are, plain text lines as `{"timestamp","level":"INFO","message"}`.
 *
 * @param dataDir - the runtime's `--data-dir`
 * @param name - the function
 */
export function embeddedLogFile(dataDir: string, name: FunctionName): string {
  return join(dataDir, 'logs', `${name}.ndjson`);
}
