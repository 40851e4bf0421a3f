/**
 * `npm run redrive`: the batches the processor gave up on, back through its core, from the stream.
 *
 *   npm run redrive                                   # the embedded runtime of .local-data (npm start runs)
 *   npm run redrive -- --data-dir <dir>               # … of another data dir
 *   npm run redrive -- --deployed                     # the stack in cdk-outputs.json (LocalStack or AWS)
 *   npm run redrive -- --deployed --outputs <file> --stack <name>
 *   … --discard-expired                               # also drop pointers whose records have left the stream
 *
 * Each failure pointer (a line of `<data-dir>/dead-letters.ndjson`, a message of the stack's dead-letter
 * queue) names a shard's sequence range; its records are re-read from the stream and stored by
 * `processBatch` with the processor's own adapters, and the pointer is removed once all are stored.
 * Exits 0 when every pointer was recovered (or there was none), 1 when any was not (the report says
 * which and why), 2 on a usage or lookup error.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { noticeOldNode } from '../local/cli/node-support.js';
import { DATA_DIR_OPTION } from './cli-target.js';
import { readStackOutputs, runCli, STACK_OPTIONS } from './deployed-stack.js';
import { redrive } from './redrive/redrive.js';
import { progressLine, summaryLines } from './redrive/report.js';
import { deployedStackTarget, embeddedRuntimeTarget } from './redrive/targets.js';

const USAGE = `Usage: npm run redrive -- [options]

  --data-dir <dir>     the embedded runtime's data dir (default: .local-data); npm start must be running
  --deployed           the deployed stack's dead-letter queue instead (LocalStack or AWS)
  --outputs <file>     with --deployed: the cdk deploy outputs (default: cdk-outputs.json)
  --stack <name>       with --deployed: the stack, when the outputs hold several
  --discard-expired    also remove pointers whose records the stream no longer holds (still reported)
  -h, --help           show this help`;

runCli(async () => {
  noticeOldNode();
  const { values } = parseArgs({
    strict: true,
    options: {
      ...STACK_OPTIONS,
      ...DATA_DIR_OPTION,
      deployed: { type: 'boolean', default: false },
      'discard-expired': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const target = values.deployed
    ? await deployedStackTarget(await readStackOutputs(values.outputs, values.stack))
    : await embeddedRuntimeTarget(resolve(values['data-dir']));

  const started = performance.now();
  const report = await redrive(target, {
    discardExpired: values['discard-expired'],
    onProgress: (event) => console.error(progressLine(event, performance.now() - started)),
  });
  for (const line of summaryLines(report)) console.log(line);
  return report.allRecovered ? 0 : 1;
});
