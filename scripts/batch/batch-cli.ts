/**
 * `npm run reconcile` and `npm run rebuild`: one command line, two modes.
 *
 *   npm run reconcile [-- --data-dir <dir>]                    the running embedded runtime (npm start)
 *   npm run reconcile -- --target deployed [--outputs <file>] [--stack <name>]
 *   npm run rebuild   [-- … the same … ] [--drop-unarchived]
 *
 * On the embedded runtime the batch layer runs in this process, against the runtime's S3 emulator and
 * Data API server (found through `<data-dir>/runtime.json`). On a deployed stack (LocalStack or AWS,
 * from its outputs file) this invokes the stack's batch function, which runs the same code there.
 * Exit status: reconcile 0 when the layers agree, 1 when they differ; rebuild 0 once swapped, 1 when it
 * refused; 2 when the command could not run.
 */
import { parseArgs } from 'node:util';
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
import { TARGET_OPTIONS, targetOf } from '../cli-target.js';
import {
  DeployedStackError,
  invokeDeployed,
  lambdaClientFor,
  readStackOutputs,
  requireOutput,
} from '../deployed-stack.js';
import { formatReport } from './difference-table.js';

/** The outcome of one run, wherever it ran. */
export type BatchOutcome = { report: BatchRunReport } | { refused: string };

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
  const { env } = await findRunningRuntime(dataDir, 'or pass --target deployed for a deployed stack');
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
  if (!invocation.ok) {
    throw new DeployedStackError(`the batch function failed:\n${invocation.payload}\n${invocation.logTail}`);
  }
  const response = JSON.parse(invocation.payload) as BatchLayerResponse;
  return 'refused' in response ? { refused: response.refused } : { report: response };
}

/**
 * The command line: parses the flags, runs, prints, returns the exit status.
 *
 * @param mode - which command this is
 * @param argv - the arguments after the script name
 */
export async function batchCli(mode: BatchMode, argv: string[]): Promise<number> {
  const { values } = usageChecked(mode, () =>
    parseArgs({
      args: argv,
      strict: true,
      options: {
        ...TARGET_OPTIONS,
        ...(mode === 'rebuild' && { 'drop-unarchived': { type: 'boolean', default: false } }),
      },
    }),
  );
  const dropUnarchived = values['drop-unarchived'] === true;
  const outcome: BatchOutcome =
    targetOf(String(values.target)) === 'embedded'
      ? await runOnEmbeddedRuntime(mode, String(values['data-dir']), dropUnarchived)
      : await runOnDeployedStack(mode, String(values.outputs), values.stack, dropUnarchived);
  if ('refused' in outcome) {
    console.error(`rebuild refused: ${outcome.refused}`);
    return 1;
  }
  console.log(formatReport(outcome.report));
  if (mode === 'reconcile') return outcome.report.differenceCount === 0 ? 0 : 1;
  return outcome.report.swapped ? 0 : 1;
}

/** A flag parseArgs refuses becomes a one-line message with the usage, not a stack trace. */
function usageChecked<T>(mode: BatchMode, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    const extra = mode === 'rebuild' ? ' [--drop-unarchived]' : '';
    throw new DeployedStackError(
      `${(error as Error).message}\nusage: npm run ${mode} -- [--data-dir <dir> | --target deployed ` +
        `[--outputs <file>] [--stack <name>]]${extra}`,
    );
  }
}
