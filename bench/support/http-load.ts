/**
 * A fixed-rate HTTP load on a loopback URL, in a process of its own (`http-load-process.ts`), bounded in
 * time: it runs until {@link HttpLoad.stop} or its `maxSeconds`, whichever comes first.
 *
 * autocannon's fixed rate is a quota per connection and second: each second begins with the connections
 * sending back to back until the second's requests are out, so the latencies are those of
 * `connections` requests at once, not of evenly spaced ones.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { assertLoopback, type LoadMessage, type LoadReport, type LoadSpec } from './http-load-report.js';

export type { LoadReport, LoadSpec } from './http-load-report.js';

/** A load under way. */
export interface HttpLoad {
  /** Stops it now (or collects it, if its time is up) and gives what it measured. */
  stop(): Promise<LoadReport>;
}

const entry = fileURLToPath(new URL('./http-load-process.ts', import.meta.url));

/**
 * Starts the load; it is running when this resolves (its process takes about a second to start).
 *
 * @param spec - URL, rate, connections, longest duration
 * @example
 * const load = await startHttpLoad({ url, rate: 200, connections: 10, maxSeconds: 10 });
 * const report = await load.stop();
 */
export async function startHttpLoad(spec: LoadSpec): Promise<HttpLoad> {
  assertLoopback(spec.url);
  const child = fork(entry, [JSON.stringify(spec)], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let started: () => void = () => undefined;
  const running = new Promise<void>((resolve) => {
    started = resolve;
  });
  const report = new Promise<LoadReport>((resolve, reject) => {
    child.on('message', (message: LoadMessage) => {
      if (message === 'started') started();
      else resolve(message);
    });
    child.once('error', reject);
    child.once('exit', (code, signal) =>
      reject(new Error(`the load generator ended (${signal ?? `code ${code}`}) without a report`)),
    );
  });
  // A child that fails before it starts rejects here instead.
  await Promise.race([running, report]);
  return {
    stop: async () => {
      if (child.connected) child.send('stop');
      return report;
    },
  };
}
