/**
 * Applies the database migrations of a deployed stack by invoking its migrator function directly.
 *
 *   tsx scripts/migrate-deployed.ts [--outputs cdk-outputs.json] [--stack InfectedCodePipeline]
 *
 * On AWS (and LocalStack Pro) the stack's custom resource already runs the migrator at deploy time.
 * LocalStack community (4.14) has no custom resources, so `npm run deploy:localstack` runs this right
 * after the deployment: the same function, the same routine, idempotent. Exits 1 when it fails.
 */
import { parseArgs } from 'node:util';
import { settings } from '../functions/shared/settings.js';
import {
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
    },
  });
  const outputs = await readStackOutputs(values.outputs, values.stack);
  const migrator = requireOutput(outputs, 'MigratorFunctionName');
  console.error(`applying migrations with ${migrator}…`);
  const client = lambdaClientFor(outputs, settings.functions.migrator.timeoutSeconds);
  return reportInvocation(await invokeDeployed(client, migrator, {}));
});
