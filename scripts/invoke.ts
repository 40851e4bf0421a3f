/**
 * `npm run invoke`: runs a function once with an event and prints its result, its log and its
 * duration, like `sam local invoke` (`-- --help` prints the usage; scripts/invoke/invoke-options.ts
 * defines it). Both targets make the same InvokeCommand with `LogType: 'Tail'`: against the Invoke API of
 * the embedded runtime, or against the deployed function (scripts/invoke/invocation-target.ts).
 */

import { noticeOldNode } from '../local/cli/node-support.js';
import { runCli } from './cli/run-cli.js';
import { invokeDeployed } from './deployed-stack.js';
import { readEvent } from './invoke/event-input.js';
import { printInvocation } from './invoke/invocation-report.js';
import { invocationTargetOf } from './invoke/invocation-target.js';
import { INVOKE_COMMAND, invokeOptionsOf } from './invoke/invoke-options.js';

runCli(INVOKE_COMMAND, async (commandLine) => {
  noticeOldNode();
  const options = invokeOptionsOf(commandLine);
  // The event is checked before the target is looked for: a bad file is reported at once.
  const event = await readEvent(options.eventSource);
  const target = await invocationTargetOf(options.functionName, options.target);
  console.error(`invoking ${target.description}…`);
  const started = performance.now();
  const invocation = await invokeDeployed(target.client, target.functionName, event);
  return printInvocation(options.functionName, invocation, performance.now() - started);
});
