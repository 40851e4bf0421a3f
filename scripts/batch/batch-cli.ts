/**
 * `npm run reconcile` and `npm run rebuild`: one command line, two modes (`-- --help` prints the usage).
 *
 * On the embedded runtime the batch layer runs in this process, against the runtime's S3 emulator and
 * Data API server (found through `<data-dir>/runtime.json`). On a deployed stack (LocalStack or AWS,
 * from its outputs file) this invokes the stack's batch function, which runs the same code there.
 */
import {
  type BatchMode,
  type BatchRunReport,
  runBatchLayer,
  UnarchivedCommitsError,
} from '../../functions/batch/batch-run.js';
import type { BatchLayerResponse } from '../../functions/batch/handler.js';
import { S3RawArchive } from '../../functions/batch/raw-archive.js';
import { createS3Client } from '../../functions/shared/adapters/aws-clients.js';
import { dataApiDatabaseFromEnv } from '../../functions/shared/database/data-api.js';
import { ENV, requireEnv } from '../../functions/shared/env.js';
import { settings } from '../../functions/shared/settings.js';
import { findRunningRuntime } from '../../local/cli/embedded-runtime.js';
import { defineCommand } from '../cli/command-line.js';
import type { Outcome } from '../cli/exit-codes.js';
import type { Target } from '../cli/target-flags.js';
import {
  type Invocation,
  invokeDeployed,
  lambdaClientFor,
  readStackOutputs,
  reportInvocation,
  requireOutput,
} from '../deployed-stack.js';
import { formatReport } from './difference-table.js';

/** The outcome of one run, wherever it ran: its report, a refused rebuild, or a batch function that failed. */
export type BatchOutcome = { report: BatchRunReport } | { refused: string } | { failed: Invocation };

/**
 * Runs the batch layer on the embedded runtime of a data dir, in this process.
 *
 * @param mode - reconcile or rebuild
 * @param dataDir - the `--data-dir` of `npm start`
 * @param dropUnarchived - see `BatchRunOptions.dropUnarchived`
 */
export async function runOnEmbeddedRuntime(
  mode: BatchMode,
  dataDir: string,
  dropUnarchived = false,
): Promise<BatchOutcome> {
  const { env } = await findRunningRuntime(dataDir);
  // The SDK's credentials and region come from the environment, as for the runtime's own functions.
  Object.assign(process.env, env);
  const deps = {
    db: dataApiDatabaseFromEnv(env),
    archive: new S3RawArchive(createS3Client(env), requireEnv(ENV.bucketName, env)),
  };
  try {
    return {
      report: await runBatchLayer(deps, { mode, dropUnarchived, log: (line) => console.error(line) }),
    };
  } catch (error) {
    if (error instanceof UnarchivedCommitsError) return { refused: error.message };
    throw error;
  }
}

/**
 * Invokes the batch function of a deployed stack.
 *
 * @param mode - reconcile or rebuild
 * @param outputsFile - the stack outputs (`cdk deploy --outputs-file`)
 * @param stackName - needed when the file holds several pipeline stacks
 * @param dropUnarchived - see `BatchRunOptions.dropUnarchived`
 */
export async function runOnDeployedStack(
  mode: BatchMode,
  outputsFile: string,
  stackName?: string,
  dropUnarchived = false,
): Promise<BatchOutcome> {
  const outputs = await readStackOutputs(outputsFile, stackName);
  const client = lambdaClientFor(outputs, settings.functions.batch.timeoutSeconds);
  const invocation = await invokeDeployed(client, requireOutput(outputs, 'BatchFunctionName'), {
    action: mode,
    dropUnarchived,
  });
  if (!invocation.ok) return { failed: invocation };
  const response = JSON.parse(invocation.payload) as BatchLayerResponse;
  return 'refused' in response ? { refused: response.refused } : { report: response };
}

/** `npm run reconcile`: compares, changes nothing. */
export const RECONCILE_COMMAND = defineCommand({
  command: 'npm run reconcile',
  summary:
    'Compares the serving tables with the view recomputed from the archive (raw/) and prints every ' +
    "difference. Embedded: in this process, against the runtime's emulators. Deployed: the stack's batch function.",
  targets: 'any',
  flags: {},
  problem: 'the two layers differ, or the batch function failed',
  examples: ['npm run reconcile', 'npm run reconcile -- --target deployed'],
});

/** `npm run rebuild`: recomputes and swaps in. */
export const REBUILD_COMMAND = defineCommand({
  command: 'npm run rebuild',
  summary:
    'Recomputes the serving views (and the ledger) from the archive with the current settings and swaps ' +
    'them in atomically, while the processor keeps ingesting. Embedded or deployed, as reconcile.',
  targets: 'any',
  flags: {
    'drop-unarchived': {
      type: 'boolean',
      default: false,
      help: 'rebuild even when the ledger holds commits the archive lacks (they leave the ledger)',
    },
  },
  problem: 'it refused (the ledger holds commits the archive lacks), or the batch function failed',
  examples: ['npm run rebuild', 'npm run rebuild -- --target deployed --drop-unarchived'],
});

/**
 * The work of `npm run reconcile` and `npm run rebuild`: runs the batch layer where the target says
 * and prints its report.
 *
 * @param mode - which command this is
 * @param target - from the command line
 * @param dropUnarchived - see `BatchRunOptions.dropUnarchived`
 * @returns `found-problem` when the layers differ (reconcile), when it refused (rebuild), or when the
 *   deployed batch function failed
 */
export async function runBatchCommand(
  mode: BatchMode,
  target: Target,
  dropUnarchived = false,
): Promise<Outcome> {
  const outcome =
    target.kind === 'embedded'
      ? await runOnEmbeddedRuntime(mode, target.dataDir, dropUnarchived)
      : await runOnDeployedStack(mode, target.outputsFile, target.stackName, dropUnarchived);
  if ('failed' in outcome) return reportInvocation(outcome.failed);
  if ('refused' in outcome) {
    console.error(`rebuild refused: ${outcome.refused}`);
    return 'found-problem';
  }
  console.log(formatReport(outcome.report));
  if (mode === 'reconcile') return outcome.report.differenceCount === 0 ? 'done' : 'found-problem';
  return outcome.report.swapped ? 'done' : 'found-problem';
}
