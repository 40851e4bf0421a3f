/**
 * The API's latency under a fixed load on the embedded runtime, idle and while a large replay runs.
 * Figures are printed, never asserted.
 *
 *   npm run bench:api                                          # 1,000,000 generated rows, every route
 *   npm run bench:api -- --rows 200000 --routes summary --idle-seconds 5
 *
 * Each route gets `--rate` requests/s over `--connections` connections from autocannon in a process of
 * its own (bench/support/http-load.ts), at loopback only, each load bounded by `--idle-seconds` or
 * `--max-seconds`:
 * 1. idle, once the bundled sample is loaded (a fresh runtime);
 * 2. a replay of the large file with no load (a fresh runtime), then idle with that file loaded;
 * 3. per route, the same replay in a fresh runtime with that route under load from the replay's start
 *    until the aggregates are exact.
 * The README's targets: p99 ≤ 10 ms idle; p99 ≤ 50 ms and no error under load.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { bundledSamplePath } from '../functions/producer/csv-source.js';
import type { LocalRuntime } from '../local/runtime.js';
import { type FreshRuntime, withFreshRuntime } from './support/fresh-runtime.js';
import { generatedCsv } from './support/generated-csv.js';
import { gzipSeconds } from './support/gzip-yardstick.js';
import { type LoadReport, startHttpLoad } from './support/http-load.js';
import { formatLoadAverage, type LoadAverageSpan, startLoadAverageSpan } from './support/load-average.js';
import { printTable } from './support/markdown-table.js';
import { type ReplayMeasure, replayUntilExact } from './support/replay-until-exact.js';

/** The routes the dashboard leans on, by a short name for `--routes`. */
const ROUTES = {
  summary: 'stats/summary',
  authors: 'stats/authors?limit=50&sort=suspicious',
  suspicious: 'commits/suspicious?limit=100',
} as const;
type RouteName = keyof typeof ROUTES;

const { values } = parseArgs({
  options: {
    csv: { type: 'string' },
    rows: { type: 'string', default: '1000000' },
    seed: { type: 'string', default: '7' },
    routes: { type: 'string', default: Object.keys(ROUTES).join(',') },
    rate: { type: 'string', default: '200' },
    connections: { type: 'string', default: '10' },
    'idle-seconds': { type: 'string', default: '10' },
    'max-seconds': { type: 'string', default: '900' },
  },
});
const routes = (values.routes ?? '').split(',').map((name) => {
  if (!(name in ROUTES)) throw new Error(`--routes takes names among ${Object.keys(ROUTES).join(', ')}`);
  return name as RouteName;
});
const rate = positive('rate');
const connections = positive('connections');
const idleSeconds = positive('idle-seconds');
const maxSeconds = positive('max-seconds');
const large = values.csv ?? generatedCsv(positive('rows'), Number(values.seed));
const largeName = values.csv ? 'your file' : `${values.rows} rows`;

function positive(option: keyof typeof values): number {
  const value = Number(values[option]);
  if (!(value > 0)) throw new Error(`--${option} must be a positive number`);
  return value;
}

interface LatencyRow {
  route: RouteName;
  phase: string;
  report: LoadReport;
  load: LoadAverageSpan;
}
interface ReplayRow {
  underLoad: RouteName | undefined;
  replay: ReplayMeasure;
  load: LoadAverageSpan;
}
const latencyRows: LatencyRow[] = [];
const replayRows: ReplayRow[] = [];

/**
 * Puts one route under load, then runs `during` (the load is up by then), stops the load when `during`
 * settles (or at `--max-seconds`) and keeps what it measured.
 */
async function measureRoute<T>(
  runtime: LocalRuntime,
  route: RouteName,
  phase: string,
  during: () => Promise<T>,
): Promise<T> {
  const loadSpan = startLoadAverageSpan();
  const load = await startHttpLoad({
    url: new URL(ROUTES[route], runtime.apiUrl).href,
    rate,
    connections,
    maxSeconds,
  });
  try {
    return await during();
  } finally {
    latencyRows.push({ route, phase, report: await load.stop(), load: loadSpan() });
  }
}

async function measureIdle({ runtime }: FreshRuntime, phase: string): Promise<void> {
  for (const route of routes) {
    console.error(`${phase}: ${ROUTES[route]} for ${idleSeconds} s …`);
    await measureRoute(runtime, route, phase, () => sleep(idleSeconds * 1000));
  }
}

async function replay(fresh: FreshRuntime, underLoad?: RouteName): Promise<void> {
  const loadSpan = startLoadAverageSpan();
  const replaying = () => replayUntilExact(fresh.runtime, large, { aggregate: true });
  const measured = underLoad
    ? await measureRoute(fresh.runtime, underLoad, `during the ${largeName} replay`, replaying)
    : await replaying();
  replayRows.push({ underLoad, replay: measured, load: loadSpan() });
}

console.error('idle with the bundled sample loaded …');
await withFreshRuntime({}, async (fresh) => {
  await replayUntilExact(fresh.runtime, bundledSamplePath(), { aggregate: true });
  await measureIdle(fresh, 'idle, sample (20k) loaded');
});
console.error(`the ${largeName} replay without load, then idle …`);
await withFreshRuntime({}, async (fresh) => {
  await replay(fresh);
  await measureIdle(fresh, `idle, ${largeName} loaded`);
});
for (const route of routes) {
  console.error(`the ${largeName} replay with ${ROUTES[route]} under load …`);
  await withFreshRuntime({}, (fresh) => replay(fresh, route));
}
const gzipS = await gzipSeconds(large);

const ms = (value: number) => value.toFixed(1);
for (const route of routes) {
  console.log(`\n/${ROUTES[route]} at ${rate} requests/s over ${connections} connections\n`);
  printTable(
    [
      'phase',
      'requests/s achieved',
      'p50 ms',
      'p99 ms',
      'max ms',
      'errors',
      'non-2xx',
      'answered',
      'load avg 1 min',
    ],
    latencyRows
      .filter((row) => row.route === route)
      .map(({ phase, report, load }) => [
        phase,
        String(Math.round(report.answered / report.seconds)),
        ms(report.p50Ms),
        ms(report.p99Ms),
        ms(report.maxMs),
        String(report.errors),
        String(report.non2xx),
        String(report.answered),
        formatLoadAverage(load),
      ]),
  );
}
console.log(`\nThe ${largeName} replay (gzip -6 of the file: ${gzipS.toFixed(2)} s)\n`);
printTable(
  [
    'load on',
    'producer s',
    'replay → exact s',
    'replay → exact / gzip',
    'commits/s',
    'exact',
    'load avg 1 min',
  ],
  replayRows.map(({ underLoad, replay: r, load }) => [
    underLoad ? `/${ROUTES[underLoad]}` : 'none',
    r.producerS.toFixed(1),
    r.totalS.toFixed(1),
    (r.totalS / gzipS).toFixed(1),
    String(r.commitsPerSecond),
    r.exact ? 'yes' : 'NO',
    formatLoadAverage(load),
  ]),
);
