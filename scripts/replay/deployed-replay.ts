/**
 * `npm run replay -- --target deployed`: invokes the deployed producer and prints its result, the replay
 * of the sample bundled with it or of a CSV uploaded under `sources/` of the archive bucket. The replay
 * flags go into the producer's event (functions/producer/replay-request.ts); the endpoint follows the
 * stack's `Target` output (scripts/deployed-stack.ts).
 */
import type { ReplayResult } from '../../functions/producer/replay.js';
import type { ReplayRequest } from '../../functions/producer/replay-request.js';
import { UsageError } from '../../functions/shared/errors.js';
import { settings } from '../../functions/shared/settings.js';
import { resumeCommand, stoppedMessage } from '../../local/cli/replay-flags.js';
import type { Outcome } from '../cli/exit-codes.js';
import type { DeployedTarget } from '../cli/target-flags.js';
import {
  invokeDeployed,
  lambdaClientFor,
  readStackOutputs,
  reportInvocation,
  requireOutput,
} from '../deployed-stack.js';

export interface DeployedReplayOptions {
  readonly request: ReplayRequest;
  /** A CSV under `sources/` of the bucket; absent: the sample bundled with the producer. */
  readonly key: string | undefined;
  /** Another bucket than the stack's archive bucket (with `key` only). */
  readonly bucket: string | undefined;
  /** The arguments as given, for the command that resumes a stopped replay. */
  readonly argv: readonly string[];
}

/**
 * @param target - the stack, from `--outputs` and `--stack`
 * @param options - what to replay, and how
 * @returns `found-problem` when the producer failed or stopped early (the resuming command is printed)
 * @throws UsageError on `--bucket` without `--key`, or outputs that do not name the producer
 */
export async function replayOnDeployedStack(
  target: DeployedTarget,
  options: DeployedReplayOptions,
): Promise<Outcome> {
  if (options.bucket !== undefined && options.key === undefined) throw new UsageError('--bucket needs --key');
  const outputs = await readStackOutputs(target.outputsFile, target.stackName);
  const producer = requireOutput(outputs, 'ProducerFunctionName');
  const source =
    options.key === undefined
      ? undefined
      : { bucket: options.bucket ?? requireOutput(outputs, 'BucketName'), key: options.key };

  console.error(
    `invoking ${producer} on ${source ? `s3://${source.bucket}/${source.key}` : 'the bundled sample'}…`,
  );
  const client = lambdaClientFor(outputs, settings.functions.producer.timeoutSeconds);
  const invocation = await invokeDeployed(client, producer, {
    ...(source && { source }),
    ...options.request,
  });
  const outcome = reportInvocation(invocation);
  const stopped = invocation.ok ? stopOf(invocation.payload) : undefined;
  if (!stopped) return outcome;
  console.error(stoppedMessage(stopped, resumeCommand('npm run replay --', options.argv, stopped)));
  return 'found-problem';
}

function stopOf(payload: string): ReplayResult['stopped'] {
  try {
    return (JSON.parse(payload) as Partial<ReplayResult>).stopped;
  } catch {
    return undefined;
  }
}
