/**
 * `npm run logs`: prints a function's structured log, from the embedded runtime or a deployed stack.
 *
 *   npm run logs -- producer                          # the embedded runtime of .local-data, last 10 minutes
 *   npm run logs -- processor --follow                # and what it logs next (Ctrl-C to stop)
 *   npm run logs -- api --since 2h --filter "request failed"
 *   npm run logs -- producer --target deployed        # the stack in cdk-outputs.json (LocalStack or AWS)
 *   npm run logs -- batch --target deployed --outputs other.json --stack MyCopy --json
 *
 * One line per log event: time, level, message, then the other fields as key=value; `--json` prints
 * each as its JSON object. Exits 0 when done (or stopped), 1 when the log cannot be read (no file or
 * log group yet without --follow, an endpoint error), 2 on a usage error (unknown function, bad --since,
 * no outputs).
 */
import { runCli } from './deployed-stack.js';
import { formatLogEvent } from './logs/log-format.js';
import { deployedLogSource, embeddedLogSource } from './logs/log-sources.js';
import { parseLogsOptions, USAGE } from './logs/logs-options.js';

runCli(async () => {
  const options = parseLogsOptions(process.argv.slice(2));
  if (options === 'help') {
    console.log(USAGE);
    return 0;
  }
  const source =
    options.target === 'deployed' ? await deployedLogSource(options) : embeddedLogSource(options);
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
    if (stop.signal.aborted) return 0;
    console.error(error instanceof Error ? error.message : String(error));
    return 1;
  }
  return 0;
});
