/**
 * A deployed pipeline stack seen from the developer's machine: its outputs (written by
 * `cdk deploy --outputs-file`) and its functions, invoked on LocalStack or AWS.
 * Used by the command lines with `--target deployed` (scripts/cli/target-flags.ts).
 */
import { readFile } from 'node:fs/promises';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { UsageError } from '../functions/shared/errors.js';
import type { Outcome } from './cli/exit-codes.js';
import { localStackGateway } from './localstack-gateway.js';

export type StackOutputs = Readonly<Record<string, string | undefined>>;

const LOCALSTACK_REGION = 'us-east-1';

/**
 * The outputs of the named stack, or of the only pipeline stack (one with a `Target` output) in the file.
 *
 * @param path - e.g. `cdk-outputs.json`
 * @param stackName - needed only when the file holds several pipeline stacks
 * @throws UsageError when the file, the stack or a pipeline stack is missing, or the stack is ambiguous
 */
export async function readStackOutputs(path: string, stackName?: string): Promise<StackOutputs> {
  let all: Record<string, StackOutputs>;
  try {
    all = JSON.parse(await readFile(path, 'utf8')) as Record<string, StackOutputs>;
  } catch (error) {
    throw new UsageError(
      `cannot read stack outputs from ${path} (deploy first, or pass --outputs <file>): ${(error as Error).message}`,
    );
  }
  if (stackName) {
    const outputs = all[stackName];
    if (!outputs) throw new UsageError(`${path} has no stack ${stackName}`);
    return outputs;
  }
  const pipelines = Object.entries(all).filter(([, outputs]) => outputs.Target);
  const [only, ...others] = pipelines;
  if (!only) throw new UsageError(`${path} has no pipeline stack (no Target output)`);
  if (others.length > 0) {
    const names = pipelines.map(([name]) => name).join(', ');
    throw new UsageError(`${path} has several pipeline stacks (${names}); pick one with --stack`);
  }
  return only[1];
}

/**
 * The value of a stack output, or an error naming it.
 *
 * @param outputs - from {@link readStackOutputs}
 * @param name - e.g. `ProducerFunctionName`
 * @throws UsageError naming the output (the stack deployed is older than this code)
 */
export function requireOutput(outputs: StackOutputs, name: string): string {
  const value = outputs[name];
  if (!value) throw new UsageError(`the stack outputs have no ${name}; deploy the current stack`);
  return value;
}

/**
 * On LocalStack, points every SDK client created afterwards with its default configuration at LocalStack:
 * `AWS_ENDPOINT_URL` and the region unless already set, and LocalStack's `test` credentials (as
 * {@link lambdaClientFor}: the access key id selects the account cdklocal deployed to). On AWS it changes
 * nothing (the SDK's usual endpoints, credentials and region).
 *
 * @param outputs - the stack outputs; `Target` picks the endpoint
 */
export function useTargetEndpoints(outputs: StackOutputs): void {
  if (outputs.Target !== 'localstack') return;
  process.env.AWS_ENDPOINT_URL = localStackGateway();
  process.env.AWS_REGION ??= process.env.AWS_DEFAULT_REGION ?? LOCALSTACK_REGION;
  process.env.AWS_ACCESS_KEY_ID = 'test';
  process.env.AWS_SECRET_ACCESS_KEY = 'test';
  delete process.env.AWS_SESSION_TOKEN;
  delete process.env.AWS_PROFILE;
}

/**
 * A Lambda client for the stack's target that waits `timeoutSeconds` and never retries (a retried
 * invocation would run the function twice). On LocalStack: `AWS_ENDPOINT_URL` or http://localhost:4566,
 * with LocalStack's `test` credentials (its access key id selects the account cdklocal deployed to).
 * On AWS: the SDK's usual endpoint, credentials and region.
 *
 * @param outputs - the stack outputs; `Target` picks the endpoint
 * @param timeoutSeconds - the function's timeout
 */
export function lambdaClientFor(outputs: StackOutputs, timeoutSeconds: number): LambdaClient {
  return new LambdaClient({
    maxAttempts: 1,
    requestHandler: { requestTimeout: (timeoutSeconds + 30) * 1000 },
    ...(outputs.Target === 'localstack' && {
      endpoint: localStackGateway(),
      region: process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? LOCALSTACK_REGION,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    }),
  });
}

export interface Invocation {
  /** False when the function threw (`FunctionError`). */
  ok: boolean;
  /** The result or error payload, pretty-printed when it is JSON. */
  payload: string;
  /** The end of the function's log, for errors. */
  logTail: string;
}

/**
 * Invokes a function synchronously and returns its result.
 *
 * @param client - from {@link lambdaClientFor}
 * @param functionName - e.g. the `ProducerFunctionName` output
 * @param event - the event, serialised as JSON
 */
export async function invokeDeployed(
  client: LambdaClient,
  functionName: string,
  event: unknown,
): Promise<Invocation> {
  const response = await client.send(
    new InvokeCommand({
      FunctionName: functionName,
      InvocationType: 'RequestResponse',
      LogType: 'Tail',
      Payload: new TextEncoder().encode(JSON.stringify(event)),
    }),
  );
  return {
    ok: !response.FunctionError,
    payload: pretty(response.Payload ? new TextDecoder().decode(response.Payload) : ''),
    logTail: response.LogResult ? Buffer.from(response.LogResult, 'base64').toString('utf8') : '',
  };
}

/**
 * Prints an invocation: its result, or its error and the end of its log (a function that failed is a
 * problem found, exit status 1).
 *
 * @param invocation - from {@link invokeDeployed}
 */
export function reportInvocation(invocation: Invocation): Outcome {
  if (invocation.ok) {
    console.log(invocation.payload);
    return 'done';
  }
  console.error(`the function failed:\n${invocation.payload}`);
  if (invocation.logTail) console.error(invocation.logTail);
  return 'found-problem';
}

function pretty(payload: string): string {
  try {
    return JSON.stringify(JSON.parse(payload), null, 2);
  } catch {
    return payload;
  }
}
