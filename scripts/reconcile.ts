/**
 * `npm run reconcile [-- --data-dir <dir> | --target deployed [--outputs <file>] [--stack <name>]]`:
 * compares the serving tables with the view recomputed from the archive and prints every difference.
 * Exit status 0 when the two layers agree, 1 when they differ, 2 when the comparison could not run.
 */

import { batchCli } from './batch/batch-cli.js';
import { runCli } from './deployed-stack.js';

runCli(() => batchCli('reconcile', process.argv.slice(2)));
