/**
 * `npm run logs`: prints a function's structured log, from the embedded runtime or a deployed stack
 * (`-- --help` prints the usage; scripts/logs/logs-options.ts defines it). Stopped with Ctrl-C, or by
 * the reader of a pipe going away (`| head`), it is done.
 */
import { runCli } from './cli/run-cli.js';
import { formatLogEvent } from './logs/log-format.js';
import { deployedLogSource, embeddedLogSource } from './logs/log-sources.js';
import { LOGS_COMMAND, logsOptionsOf } from './logs/logs-options.js';

runCli(LOGS_COMMAND, async (commandLine) => {
  const options = logsOptionsOf(commandLine);
  const { target } = options;
  const source =
    target.kind === 'deployed'
      ? await deployedLogSource(options, target)
      : embeddedLogSource(options, target);
  const stop = new AbortController();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => stop.abort());
  // `npm run logs … | head` closes the pipe: that ends the reading, it is no failure.
  process.stdout.on('error', () => stop.abort());
  const note = (text: string) => console.error(`(${text})`);

  note(`${options.functionName}: ${source.description}`);
  try {
    for await (const event of source.events({ signal: stop.signal, note })) {
      if (event.timestamp < options.since) continue;
      if (options.filter !== undefined && !event.line.includes(options.filter)) continue;
      console.log(options.json ? event.json : formatLogEvent(event));
    }
  } catch (error) {
    // Stopped (Ctrl-C, a closed pipe) while reading: that is done, whatever the reading threw.
    if (stop.signal.aborted) return 'done';
    throw error;
  }
  return 'done';
});
