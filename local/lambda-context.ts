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

/** How long a timed-out handler may take to wind down before the runtime stops waiting for it. */
const WIND_DOWN_MS = 30_000;

/**
 * Runs a handler with its function timeout, as Lambda would: a handler still running at the deadline
 * counts as failed. Lambda then discards the execution environment, so nothing of that invocation
 * acts after it; a handler cannot be killed in-process, so the timeout is only reported once the
 * handler has settled (its late result ignored), and a retry never overlaps with it.
 */
export async function invokeWithTimeout<T>(
  fn: LocalFunction,
  run: (context: Context) => Promise<T>,
): Promise<T> {
  const context = createLambdaContext(fn);
  const running = run(context);
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), fn.timeoutSeconds * 1000);
  });
  try {
    const first = await Promise.race([
      running.then(
        () => 'settled' as const,
        () => 'settled' as const,
      ),
      timedOut,
    ]);
    if (first === 'settled') return await running;
  } finally {
    clearTimeout(timer);
  }
  const settled = await Promise.race([
    running.then(
      () => true,
      () => true,
    ),
    new Promise<false>((resolve) => setTimeout(() => resolve(false), WIND_DOWN_MS).unref()),
  ]);
  if (!settled)
    process.emitWarning(`${fn.name}: a timed-out invocation is still running after ${WIND_DOWN_MS} ms`);
  throw new Error(`Task timed out after ${fn.timeoutSeconds}.00 seconds`);
}
