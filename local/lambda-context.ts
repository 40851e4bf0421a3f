/**
 * A Lambda `Context` for handlers invoked by the local runtime.
 */
import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import { LOCAL_ACCOUNT } from './local-resources.js';

export interface LocalFunction {
  name: string;
  memorySize: number;
  timeoutSeconds: number;
  region: string;
}

export function createLambdaContext(fn: LocalFunction): Context {
  const deadline = Date.now() + fn.timeoutSeconds * 1000;
  const notSupported = () => {
    throw new Error('callback-style completion is not supported by the local runtime');
  };
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: fn.name,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${fn.region}:${LOCAL_ACCOUNT}:function:${fn.name}`,
    memoryLimitInMB: String(fn.memorySize),
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${fn.name}`,
    logStreamName: `local/${fn.name}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: notSupported,
    fail: notSupported,
    succeed: notSupported,
  };
}

/**
 * Runs a handler with its function timeout, as Lambda would: a handler still running at the deadline
 * counts as failed (it cannot be killed in-process; its late result is ignored).
 */
export async function invokeWithTimeout<T>(
  fn: LocalFunction,
  run: (context: Context) => Promise<T>,
): Promise<T> {
  const context = createLambdaContext(fn);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`Task timed out after ${fn.timeoutSeconds}.00 seconds`)),
      fn.timeoutSeconds * 1000,
    );
  });
  try {
    return await Promise.race([run(context), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
