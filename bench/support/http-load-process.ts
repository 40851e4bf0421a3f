/**
 * The load generator's own process (forked by `http-load.ts`): autocannon against one loopback URL at a
 * fixed rate, stopped when its parent says so, when the parent goes away, or at its duration at the
 * latest. Every answer's latency is kept (milliseconds, as autocannon measured it) and the summary is
 * sent to the parent. Out of the runtime's process, so that the runtime's busy thread does not delay
 * the client's own timers and inflate what it measures.
 */
import autocannon from 'autocannon';
import {
  assertLoopback,
  type LoadMessage,
  type LoadReport,
  type LoadSpec,
  summariseLatencies,
} from './http-load-report.js';

const spec = JSON.parse(process.argv[2] ?? '{}') as LoadSpec;
assertLoopback(spec.url);

const latencies: number[] = [];
let non2xx = 0;
const started = performance.now();
const instance = autocannon(
  {
    url: spec.url,
    connections: spec.connections,
    overallRate: spec.rate,
    duration: spec.maxSeconds,
    // Latencies are taken from each answer below; autocannon's own correction is not used.
    ignoreCoordinatedOmission: true,
  },
  (error, result) => {
    if (error) throw error;
    const seconds = (performance.now() - started) / 1000;
    const report: LoadReport = {
      answered: latencies.length,
      seconds,
      ...summariseLatencies(latencies),
      errors: result.errors,
      timeouts: result.timeouts,
      non2xx,
    };
    // Exits once the report is out: autocannon may leave a timer behind.
    process.send?.(report satisfies LoadMessage, () => process.exit(0));
  },
);
instance.on('response', (_client, statusCode, _bytes, responseTime) => {
  latencies.push(responseTime);
  if (statusCode < 200 || statusCode > 299) non2xx += 1;
});
instance.on('start', () => process.send?.('started' satisfies LoadMessage));
process.on('message', (message) => {
  if (message === 'stop') instance.stop();
});
process.once('disconnect', () => instance.stop());
