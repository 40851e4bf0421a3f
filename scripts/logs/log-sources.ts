/**
 * Where `npm run logs` reads a function's log: the embedded runtime's file
 * (`<data-dir>/logs/<function>.ndjson`) or the deployed function's log group, named by the stack outputs.
 */
import { resolve } from 'node:path';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { embeddedLogFile, functionOutputNames } from '../../lib/pipeline-functions.js';
import type { DeployedTarget, EmbeddedTarget } from '../cli/target-flags.js';
import { readStackOutputs, requireOutput, useTargetEndpoints } from '../deployed-stack.js';
import { readLogGroup } from './cloudwatch-reader.js';
import { type LogEvent, parseLogLine } from './log-event.js';
import { readLogFile } from './log-file-reader.js';
import type { LogsOptions } from './logs-options.js';

/** How a reading ends, and what it says about itself on the way. */
export interface ReadControl {
  readonly signal: AbortSignal;
  /** A one-line note for the user (on stderr), e.g. that a log is waited for. */
  readonly note: (text: string) => void;
}

/** A function's log, ready to be read. */
export interface LogSource {
  /** What is read, for the first note: a file or a log group. */
  readonly description: string;
  events(control: ReadControl): AsyncIterable<LogEvent>;
}

/**
 * The embedded runtime's log file of the function.
 *
 * @param options - the function, follow or not
 * @param target - the data dir
 */
export function embeddedLogSource(options: LogsOptions, target: EmbeddedTarget): LogSource {
  const path = resolve(embeddedLogFile(target.dataDir, options.functionName));
  return {
    description: path,
    async *events({ signal, note }) {
      try {
        const lines = readLogFile(path, {
          follow: options.follow,
          signal,
          onWaiting: () => note(`waiting for ${path}: the embedded runtime writes it when the function logs`),
        });
        for await (const { line, readAt } of lines) yield parseLogLine(line, readAt);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
        throw new Error(
          `no log at ${path}: the embedded runtime writes it when the function logs (is npm start ` +
            `running with --data-dir ${target.dataDir}?); --follow waits for it`,
        );
      }
    },
  };
}

/**
 * The log group of the deployed function, from the stack outputs (read now, so that a missing outputs
 * file or output is a usage error before anything is read).
 *
 * @param options - the function, follow or not
 * @param target - the outputs file and stack
 */
export async function deployedLogSource(options: LogsOptions, target: DeployedTarget): Promise<LogSource> {
  const outputs = await readStackOutputs(target.outputsFile, target.stackName);
  const logGroupName = requireOutput(outputs, functionOutputNames(options.functionName).logGroupName);
  useTargetEndpoints(outputs);
  return {
    description: `${logGroupName} (${outputs.Target ?? 'deployed'})`,
    async *events({ signal, note }) {
      // LocalStack serves every operation on its gateway; AWS needs the `stream-` host of StartLiveTail.
      const client = new CloudWatchLogsClient({ disableHostPrefix: outputs.Target === 'localstack' });
      try {
        const events = readLogGroup(client, {
          logGroupName,
          startTime: options.since,
          follow: options.follow,
          signal,
          onWaiting: () => note(`waiting for ${logGroupName}: it appears when the function first logs`),
          onNote: note,
        });
        for await (const event of events) yield parseLogLine(event.message, event.timestamp);
      } finally {
        client.destroy();
      }
    },
  };
}
