/**
 * `npm run reconcile`: compares the serving tables with the view recomputed from the archive and prints
 * every difference (`-- --help` prints the usage; scripts/batch/batch-cli.ts defines it).
 */
import { RECONCILE_COMMAND, runBatchCommand } from './batch/batch-cli.js';
import { runCli } from './cli/run-cli.js';

runCli(RECONCILE_COMMAND, ({ target }) => runBatchCommand('reconcile', target));
