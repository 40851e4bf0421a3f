/**
 * `npm run rebuild`: recomputes the serving views (and the ledger) from the archive with the current
 * settings and swaps them in atomically, while the processor keeps ingesting (`-- --help` prints the
 * usage; scripts/batch/batch-cli.ts defines it).
 */
import { REBUILD_COMMAND, runBatchCommand } from './batch/batch-cli.js';
import { runCli } from './cli/run-cli.js';

runCli(REBUILD_COMMAND, ({ values, target }) =>
  runBatchCommand('rebuild', target, values['drop-unarchived']),
);
