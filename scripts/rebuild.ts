/**
 * `npm run rebuild [-- --data-dir <dir> | --target deployed [--outputs <file>] [--stack <name>]]
 * [--drop-unarchived]`: recomputes the serving views (and the ledger) from the archive with the current
 * settings and swaps them in atomically, while the processor keeps ingesting. Exit status 0 once
 * swapped, 1 when it refused (the ledger holds commits the archive lacks), 2 when it could not run.
 */

import { batchCli } from './batch/batch-cli.js';
import { runCli } from './deployed-stack.js';

runCli(() => batchCli('rebuild', process.argv.slice(2)));
