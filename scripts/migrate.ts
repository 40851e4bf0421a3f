/**
 * `npm run migrate -- --target deployed`: applies the database migrations of a deployed stack by invoking
 * its migrator function (`-- --help` prints the usage, made from the definition below).
 *
 * On AWS (and LocalStack Pro) the stack's custom resource already runs the migrator at deploy time.
 * LocalStack community (4.14) has no custom resources, so `npm run deploy:localstack` runs this right
 * after the deployment: the same function, the same routine, idempotent.
 */
import { settings } from '../functions/shared/settings.js';
import { defineCommand } from './cli/command-line.js';
import { runCli } from './cli/run-cli.js';
import {
  invokeDeployed,
  lambdaClientFor,
  readStackOutputs,
  reportInvocation,
  requireOutput,
} from './deployed-stack.js';

const MIGRATE_COMMAND = defineCommand({
  command: 'npm run migrate',
  summary: "Applies db/migrations to a deployed stack's database by invoking its migrator function.",
  targets: {
    only: 'deployed',
    because: "npm start applies db/migrations to the embedded runtime's database each time it starts",
  },
  flags: {},
  problem: 'the migrator function failed',
  examples: ['npm run migrate -- --target deployed', 'npm run migrate:deployed -- --stack MyCopy'],
});

runCli(MIGRATE_COMMAND, async ({ target }) => {
  const outputs = await readStackOutputs(target.outputsFile, target.stackName);
  const migrator = requireOutput(outputs, 'MigratorFunctionName');
  console.error(`applying migrations with ${migrator}…`);
  const client = lambdaClientFor(outputs, settings.functions.migrator.timeoutSeconds);
  return reportInvocation(await invokeDeployed(client, migrator, {}));
});
