/**
 * Invokes the deployed producer and prints its result: the replay of the sample bundled with it, or of
 * a CSV uploaded under `sources/` of the archive bucket.
 *
 *   npm run replay:deployed                                   # the bundled sample
 *   npm run replay:deployed -- --key sources/my-log.csv       # an upload in the stack's archive bucket
 *   npm run replay:deployed -- --bucket other --key x.csv --outputs other-outputs.json --stack MyCopy
 *
 * The producer is found in the stack outputs written by `cdk deploy --outputs-file` (cdk-outputs.json);
 * the endpoint follows the stack's `Target` output (see scripts/deployed-stack.ts). Exits 1 when the
 * producer fails (its error and log tail are printed), 2 on a usage or lookup error.
 */
import { parseArgs } from 'node:util';
import { settings } from '../functions/shared/settings.js';
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
    options: {
      ...STACK_OPTIONS,
      bucket: { type: 'string' },
      key: { type: 'string' },
    },
  });
  if (values.bucket && !values.key) throw new DeployedStackError('--bucket needs --key');
  const outputs = await readStackOutputs(values.outputs, values.stack);
  const producer = requireOutput(outputs, 'ProducerFunctionName');
  const source = values.key
    ? { bucket: values.bucket ?? requireOutput(outputs, 'BucketName'), key: values.key }
    : undefined;

  console.error(
    `invoking ${producer} on ${source ? `s3://${source.bucket}/${source.key}` : 'the bundled sample'}…`,
  );
  const client = lambdaClientFor(outputs, settings.functions.producer.timeoutSeconds);
  return reportInvocation(await invokeDeployed(client, producer, source ? { source } : {}));
});
