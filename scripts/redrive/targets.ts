/**
 * What a redrive works with, for each place the pipeline runs: where the pointers are, the stream, and
 * the processor's own environment (from which `createProcessorDeps` builds exactly the adapters the
 * handler runs with).
 *
 * - The embedded runtime: `<data-dir>/dead-letters.ndjson`, and the runtime's environment from its
 *   `runtime.json` (it must be running: its emulators hold the stream and the database).
 * - A deployed stack (LocalStack, AWS): the `DeadLetterQueueUrl` and `StreamName` outputs; the
 *   processor is the function the stream's event-source mapping invokes, and its environment is read
 *   from its configuration, so nothing about the database needs to be an output.
 */
import { join } from 'node:path';
import { DescribeStreamSummaryCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import {
  GetFunctionConfigurationCommand,
  LambdaClient,
  ListEventSourceMappingsCommand,
} from '@aws-sdk/client-lambda';
import { SQSClient } from '@aws-sdk/client-sqs';
import { createProcessorDeps } from '../../functions/processor/handler.js';
import { createKinesisClient } from '../../functions/shared/adapters/aws-clients.js';
import { ENV, type FunctionEnvironment, requireEnv } from '../../functions/shared/env.js';
import { UsageError } from '../../functions/shared/errors.js';
import { settings } from '../../functions/shared/settings.js';
import { findRunningRuntime } from '../../local/cli/embedded-runtime.js';
import { DEAD_LETTER_FILE_NAME, DeadLetterFile } from '../../local/dead-letter-file.js';
import { requireOutput, type StackOutputs, useTargetEndpoints } from '../deployed-stack.js';
import { onLocalStackGateway } from '../localstack-gateway.js';
import { DeadLetterFileSource } from './dead-letter-file-source.js';
import { DeadLetterQueueSource } from './dead-letter-queue-source.js';
import type { RedriveDeps } from './redrive.js';
import { StreamRangeReader } from './stream-range-reader.js';

/**
 * The embedded runtime of a data dir.
 *
 * @param dataDir - the `--data-dir` of `npm start`
 */
export async function embeddedRuntimeTarget(dataDir: string): Promise<RedriveDeps> {
  const { env } = await findRunningRuntime(dataDir);
  // The SDK's credentials and region come from the process environment.
  Object.assign(process.env, env);
  const streamName = requireEnv(ENV.streamName, env);
  const kinesis = createKinesisClient(env, { maxAttempts: settings.redrive.kinesisMaxAttempts });
  return {
    source: new DeadLetterFileSource(new DeadLetterFile(join(dataDir, DEAD_LETTER_FILE_NAME))),
    reader: new StreamRangeReader(kinesis, streamName),
    processor: createProcessorDeps(env),
    streamArn: await streamArnOf(kinesis, streamName),
  };
}

/**
 * A deployed stack.
 *
 * @param outputs - its outputs (`readStackOutputs`)
 */
export async function deployedStackTarget(outputs: StackOutputs): Promise<RedriveDeps> {
  useTargetEndpoints(outputs);
  const streamName = requireOutput(outputs, 'StreamName');
  // LocalStack's host-name form would send the queue's calls to that host, which needs public DNS.
  const queueUrl = onLocalStackGateway(requireOutput(outputs, 'DeadLetterQueueUrl'));
  const kinesis = createKinesisClient(process.env, { maxAttempts: settings.redrive.kinesisMaxAttempts });
  const streamArn = await streamArnOf(kinesis, streamName);
  const env = {
    ...(await processorEnvironment(new LambdaClient({}), streamArn)),
    // The operator's endpoints win: a function's own endpoint may be one only its network resolves.
    ...awsVariablesOf(process.env),
  };
  return {
    source: new DeadLetterQueueSource(new SQSClient({}), queueUrl),
    reader: new StreamRangeReader(kinesis, streamName),
    processor: createProcessorDeps(env),
    streamArn,
  };
}

async function streamArnOf(kinesis: KinesisClient, streamName: string): Promise<string> {
  const { StreamDescriptionSummary } = await kinesis.send(
    new DescribeStreamSummaryCommand({ StreamName: streamName }),
  );
  return StreamDescriptionSummary?.StreamARN ?? '';
}

/** The environment of the one function the stream's event-source mapping invokes. */
async function processorEnvironment(lambda: LambdaClient, streamArn: string): Promise<FunctionEnvironment> {
  const { EventSourceMappings = [] } = await lambda.send(
    new ListEventSourceMappingsCommand({ EventSourceArn: streamArn }),
  );
  const functions = [...new Set(EventSourceMappings.map((mapping) => mapping.FunctionArn ?? ''))];
  const [functionArn, ...others] = functions.filter(Boolean);
  if (!functionArn || others.length > 0) {
    throw new UsageError(
      `expected one function reading ${streamArn}, found ${functions.length ? functions.join(', ') : 'none'}`,
    );
  }
  const configuration = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: functionArn }));
  return configuration.Environment?.Variables ?? {};
}

function awsVariablesOf(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter(
      (entry): entry is [string, string] => entry[0].startsWith('AWS_ENDPOINT_URL') && !!entry[1],
    ),
  );
}
