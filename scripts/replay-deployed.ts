/**
 * Invokes the deployed producer and prints its result: the replay of the sample bundled with it, or of
 * a CSV uploaded under `sources/` of the archive bucket.
 *
 *   npm run replay:deployed                                   # the bundled sample
 *   npm run replay:deployed -- --key sources/my-log.csv       # an upload in the stack's archive bucket
 *   npm run replay:deployed -- --key sources/old.csv --encoding latin1 --from-line 5001
 *   npm run replay:deployed -- --bucket other --key x.csv --outputs other-outputs.json --stack MyCopy
 *
 * The replay flags (rate, speed, limit, aggregation, from-line, encoding) are those of `npm run replay`,
 * passed on in the producer's event. The producer is found in the stack outputs written by
 * `cdk deploy --outputs-file` (cdk-outputs.json); the endpoint follows the stack's `Target` output (see
 * scripts/deployed-stack.ts). Exits 1 when the producer fails or stops early (the command that resumes
 * it is printed), 2 on a usage or lookup error.
 */
import { parseArgs } from 'node:util';
import type { ReplayResult } from '../functions/producer/replay.js';
import { settings } from '../functions/shared/settings.js';
import { REPLAY_FLAGS, replayRequestOf, resumeCommand, stoppedMessage } from '../local/cli/replay-flags.js';
import {
  DeployedStackError,
  invokeDeployed,
  lambdaClientFor,
  readStackOutputs,
  reportInvocation,
  requireOutput,
  runCli,
  STACK_OPTIONS,
} from './deployed-stack.js';

runCli(async () => {
  const { values } = parseArgs({
    allowNegative: true,
    options: {
      ...STACK_OPTIONS,
      ...REPLAY_FLAGS,
      bucket: { type: 'string' },
      key: { type: 'string' },
    },
  });
  if (values.bucket && !values.key) throw new DeployedStackError('--bucket needs --key');
  const request = replayRequestOf(values);
  const outputs = await readStackOutputs(values.outputs, values.stack);
  const producer = requireOutput(outputs, 'ProducerFunctionName');
  const source = values.key
    ? { bucket: values.bucket ?? requireOutput(outputs, 'BucketName'), key: values.key }
    : undefined;

  console.error(
    `invoking ${producer} on ${source ? `s3://${source.bucket}/${source.key}` : 'the bundled sample'}…`,
  );
  const client = lambdaClientFor(outputs, settings.functions.producer.timeoutSeconds);
  const invocation = await invokeDeployed(client, producer, { ...(source && { source }), ...request });
  const code = reportInvocation(invocation);
  const stopped = invocation.ok ? stopOf(invocation.payload) : undefined;
  if (!stopped) return code;
  const resume = resumeCommand('npm run replay:deployed --', process.argv.slice(2), stopped);
  console.error(stoppedMessage(stopped, resume));
  return 1;
});

function stopOf(payload: string): ReplayResult['stopped'] {
  try {
    return (JSON.parse(payload) as Partial<ReplayResult>).stopped;
  } catch {
    return undefined;
  }
}
