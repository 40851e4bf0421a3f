/**
 * Invokes the deployed producer and prints its result: the replay of the bundled sample, or of a CSV
 * uploaded to the archive bucket.
 *
 *   npm run replay:deployed                                   # the sample bundled with the producer
 *   npm run replay:deployed -- --key sources/my-log.csv       # an upload in the stack's archive bucket
 *   npm run replay:deployed -- --bucket other --key x.csv --outputs ./other-outputs.json --stack Copy
 *
 * The producer is found in the stack outputs written by `cdk deploy --outputs-file` (cdk-outputs.json).
 * Endpoint: for a stack whose `Target` output is `localstack`, `AWS_ENDPOINT_URL` or else
 * http://localhost:4566 (with LocalStack's test credentials); for an AWS stack, the SDK's usual chain
 * (`AWS_ENDPOINT_URL` if set, else AWS itself, with your credentials and region).
 * Exits with 1 when the producer fails (its error is printed), 2 on a usage or lookup error.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { settings } from '../functions/shared/settings.js';

const LOCALSTACK_ENDPOINT = 'http://localhost:4566';
const LOCALSTACK_REGION = 'us-east-1';

type StackOutputs = Record<string, string | undefined>;

class UsageError extends Error {
  override readonly name = 'UsageError';
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      outputs: { type: 'string', default: 'cdk-outputs.json' },
      stack: { type: 'string' },
      bucket: { type: 'string' },
      key: { type: 'string' },
    },
  });
  const outputs = await stackOutputs(values.outputs, values.stack);
  const functionName = outputs.ProducerFunctionName;
  if (!functionName) throw new UsageError('the stack outputs have no ProducerFunctionName');
  if (values.bucket && !values.key) throw new UsageError('--bucket needs --key');
  const source = values.key ? { bucket: values.bucket ?? outputs.BucketName, key: values.key } : undefined;
  if (source && !source.bucket) throw new UsageError('--key needs --bucket (the outputs have no BucketName)');

  const client = lambdaClient(outputs.Target);
  console.error(
    `invoking ${functionName} on ${source ? `s3://${source.bucket}/${source.key}` : 'the bundled sample'}…`,
  );
  const response = await client.send(
    new InvokeCommand({
      FunctionName: functionName,
      InvocationType: 'RequestResponse',
      LogType: 'Tail',
      Payload: new TextEncoder().encode(JSON.stringify(source ? { source } : {})),
    }),
  );
  const payload = response.Payload ? new TextDecoder().decode(response.Payload) : '';
  if (response.FunctionError) {
    console.error(`the producer failed (${response.FunctionError}):`);
    console.error(pretty(payload));
    if (response.LogResult) console.error(Buffer.from(response.LogResult, 'base64').toString('utf8'));
    return 1;
  }
  console.log(pretty(payload));
  return 0;
}

/** The outputs of the named stack, or of the only stack with a producer in the outputs file. */
async function stackOutputs(path: string, stackName: string | undefined): Promise<StackOutputs> {
  let all: Record<string, StackOutputs>;
  try {
    all = JSON.parse(await readFile(path, 'utf8')) as Record<string, StackOutputs>;
  } catch (error) {
    throw new UsageError(
      `cannot read stack outputs from ${path} (deploy first): ${(error as Error).message}`,
    );
  }
  if (stackName) {
    const outputs = all[stackName];
    if (!outputs) throw new UsageError(`${path} has no stack ${stackName}`);
    return outputs;
  }
  const candidates = Object.entries(all).filter(([, outputs]) => outputs.ProducerFunctionName);
  const [only, ...others] = candidates;
  if (!only) throw new UsageError(`${path} has no stack with a ProducerFunctionName output`);
  if (others.length > 0) {
    throw new UsageError(
      `${path} has several pipeline stacks; pick one with --stack (${candidates.map(([n]) => n)})`,
    );
  }
  return only[1];
}

/**
 * A Lambda client that waits as long as the producer may run and never retries: a retried invocation
 * would replay the file a second time.
 */
function lambdaClient(target: string | undefined): LambdaClient {
  const requestTimeout = (settings.functions.producer.timeoutSeconds + 30) * 1000;
  return new LambdaClient({
    maxAttempts: 1,
    requestHandler: { requestTimeout },
    // LocalStack maps the access key id to its account: `test` is the account cdklocal deployed to.
    ...(target === 'localstack' && {
      endpoint: process.env.AWS_ENDPOINT_URL ?? LOCALSTACK_ENDPOINT,
      region: process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? LOCALSTACK_REGION,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    }),
  });
}

function pretty(payload: string): string {
  try {
    return JSON.stringify(JSON.parse(payload), null, 2);
  } catch {
    return payload;
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error instanceof UsageError ? error.message : error);
    process.exitCode = 2;
  },
);
