/**
 * `npm run redrive`: the batches the processor gave up on, back through its core, from the stream.
 * `npm run redrive -- --help` prints the usage, made from the definition below.
 *
 * Each failure pointer (a line of `<data-dir>/dead-letters.ndjson`, a message of the stack's dead-letter
 * queue) names a shard's sequence range; its records are re-read from the stream and stored by
 * `processBatch` with the processor's own adapters, and the pointer is removed once all are stored.
 */
import { resolve } from 'node:path';
import { noticeOldNode } from '../local/cli/node-support.js';
import { defineCommand } from './cli/command-line.js';
import { runCli } from './cli/run-cli.js';
import { readStackOutputs } from './deployed-stack.js';
import { redrive } from './redrive/redrive.js';
import { progressLine, summaryLines } from './redrive/report.js';
import { deployedStackTarget, embeddedRuntimeTarget } from './redrive/targets.js';

const REDRIVE_COMMAND = defineCommand({
  command: 'npm run redrive',
  summary:
    'Brings the batches the processor gave up on back through its core: re-reads the records each failure ' +
    "pointer names from the stream, stores them, and removes the pointer. Embedded: the runtime's " +
    "dead-letters.ndjson (npm start must be running). Deployed: the stack's dead-letter queue.",
  targets: 'any',
  flags: {
    'discard-expired': {
      type: 'boolean',
      default: false,
      help: 'also remove pointers whose records the stream no longer holds (still reported)',
    },
  },
  problem: 'a pointer was not recovered (the report says which and why)',
  examples: [
    'npm run redrive',
    'npm run redrive -- --target deployed --outputs other-outputs.json --stack MyCopy',
  ],
});

runCli(REDRIVE_COMMAND, async ({ values, target }) => {
  noticeOldNode();
  const deps =
    target.kind === 'deployed'
      ? await deployedStackTarget(await readStackOutputs(target.outputsFile, target.stackName))
      : await embeddedRuntimeTarget(resolve(target.dataDir));

  const started = performance.now();
  const report = await redrive(deps, {
    discardExpired: values['discard-expired'],
    onProgress: (event) => console.error(progressLine(event, performance.now() - started)),
  });
  for (const line of summaryLines(report)) console.log(line);
  return report.allRecovered ? 'done' : 'found-problem';
});
