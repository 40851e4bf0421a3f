/**
 * A Lambda `Context` for handlers invoked by the local runtime, made inside the execution environment
 * (local/execution/environment-worker.ts) at the start of each invocation.
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
