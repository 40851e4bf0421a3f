/**
 * Where `npm run invoke` sends its InvokeCommand, the same call for both targets: the Invoke API the
 * embedded runtime serves (its `AWS_ENDPOINT_URL_LAMBDA` in `<data-dir>/runtime.json`), or the stack's
 * function on LocalStack or AWS, named by its `<Function>FunctionName` output.
 */
import { LambdaClient } from '@aws-sdk/client-lambda';
import { UsageError } from '../../functions/shared/errors.js';
import { settings } from '../../functions/shared/settings.js';
import { type FunctionName, functionOutputNames } from '../../lib/pipeline-functions.js';
import { findRunningRuntime } from '../../local/cli/embedded-runtime.js';
import { LOCAL_REGION } from '../../local/local-resources.js';
import type { Target } from '../cli/target-flags.js';
import { lambdaClientFor, readStackOutputs, requireOutput } from '../deployed-stack.js';

export interface InvocationTarget {
  /** Never retries: a retried invocation would run the function twice. */
  readonly client: LambdaClient;
  /** The name Lambda knows the function by. */
  readonly functionName: string;
  /** Where it runs, for the person reading the output. */
  readonly description: string;
}

/**
 * @param name - the pipeline's function
 * @param target - the embedded runtime of a data dir, or a deployed stack
 * @throws UsageError when no runtime runs on the data dir (or it serves no Invoke API), or the outputs
 *   are missing or name no such function
 */
export async function invocationTargetOf(name: FunctionName, target: Target): Promise<InvocationTarget> {
  const { timeoutSeconds } = settings.functions[name];
  if (target.kind === 'deployed') {
    const outputs = await readStackOutputs(target.outputsFile, target.stackName);
    const functionName = requireOutput(outputs, functionOutputNames(name).functionName);
    return {
      client: lambdaClientFor(outputs, timeoutSeconds),
      functionName,
      description: `${functionName} on ${outputs.Target ?? 'the deployed stack'}`,
    };
  }
  const { env } = await findRunningRuntime(target.dataDir);
  const endpoint = env.AWS_ENDPOINT_URL_LAMBDA;
  if (!endpoint) {
    throw new UsageError(
      `the embedded runtime of ${target.dataDir} serves no Invoke API (it was started by an older version): restart npm start`,
    );
  }
  return {
    client: new LambdaClient({
      endpoint,
      region: env.AWS_REGION ?? LOCAL_REGION,
      credentials: {
        accessKeyId: env.AWS_ACCESS_KEY_ID ?? 'local',
        secretAccessKey: env.AWS_SECRET_ACCESS_KEY ?? 'local',
      },
      maxAttempts: 1,
      requestHandler: { requestTimeout: (timeoutSeconds + 30) * 1000 },
    }),
    functionName: name,
    description: `${name} in the embedded runtime of ${target.dataDir} (${endpoint})`,
  };
}
