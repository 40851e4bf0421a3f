/**
 * What `npm run invoke` prints of an invocation, as `sam local invoke` does: the function's log and its
 * duration on stderr, its result or error payload on stdout (so that it can be piped on).
 */

import type { Outcome } from '../cli/exit-codes.js';
import type { Invocation } from '../deployed-stack.js';

/** Lambda's REPORT line: `REPORT RequestId: … Duration: 12.34 ms …`. */
const REPORTED_DURATION = /^REPORT RequestId:.*?\bDuration: ([\d.]+) ms/m;

/**
 * The duration Lambda reported at the end of the log tail, if the tail has its REPORT line.
 *
 * @param logTail - the decoded `X-Amz-Log-Result`
 */
export function reportedDurationMs(logTail: string): number | undefined {
  const match = REPORTED_DURATION.exec(logTail);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

/**
 * Prints the invocation and says how it went: a function error is a problem found (exit status 1).
 *
 * @param name - the function, as the person named it
 * @param invocation - from `invokeDeployed`
 * @param roundTripMs - how long the call took, for a log without a REPORT line
 */
export function printInvocation(name: string, invocation: Invocation, roundTripMs: number): Outcome {
  if (invocation.logTail)
    process.stderr.write(invocation.logTail.endsWith('\n') ? invocation.logTail : `${invocation.logTail}\n`);
  const reported = reportedDurationMs(invocation.logTail);
  const duration = reported === undefined ? `${roundTripMs.toFixed(0)} ms round trip` : `${reported} ms`;
  console.error(`${name}: ${invocation.ok ? 'succeeded' : 'function error'} (duration ${duration})`);
  console.log(invocation.payload);
  return invocation.ok ? 'done' : 'found-problem';
}
