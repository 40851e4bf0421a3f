/**
 * End-to-end throughput of the embedded runtime: replays CSV files through producer → Kinesis emulator
 * → processor → PostgreSQL/S3, with KPL aggregation on and off, and prints a table. Each run gets a
 * fresh runtime and data dir. Figures are printed, never asserted.
 *
 *   npm run bench                                   # the 20k sample and 1,000,000 generated rows
 *   npm run bench -- --rows 200000 --aggregation on # fewer rows, one mode
 *   npm run bench -- --csv <file>                   # your own file instead of the generated one
 *   npm run bench -- --durable-commits off          # PostgreSQL with synchronous_commit off (default: on)
 *
 * The generated file is written once by the sample generator (not timed) and kept in the temp dir.
 *
 * Beside each run: the yardstick, `gzip -6` over the same file timed right after the run (best of
 * three), and replay → exact divided by it; and the machine's 1-minute load average at the run's start
 * and end. The README's target for 1,000,000 rows is replay → exact ≤ 4.5 × gzip.
 *
 * After the first replay of each input, the batch layer over the archive it left: the view computed
 * in memory (reading raw/ through the S3 emulator, decoding, de-duplicating, aggregating), a
 * reconciliation and a rebuild (the same plus the staging tables through the Data API, the comparison
 * and the swap). `--batch off` leaves it out.
 */
import { parseArgs } from 'node:util';
import { runBatchLayer } from '../functions/batch/batch-run.js';
import { S3RawArchive } from '../functions/batch/raw-archive.js';
import { ViewBuilder } from '../functions/batch/view-builder.js';
import { bundledSamplePath } from '../functions/producer/csv-source.js';
import { dataApiDatabaseFromEnv } from '../functions/shared/database/data-api.js';
import { settings } from '../functions/shared/settings.js';
import type { LocalRuntime } from '../local/runtime.js';
import { MemoryViewSink } from '../test/support/memory-view-sink.js';
import { withFreshRuntime } from './support/fresh-runtime.js';
import { generatedCsv } from './support/generated-csv.js';
import { gzipSeconds } from './support/gzip-yardstick.js';
import { formatLoadAverage, type LoadAverageSpan, startLoadAverageSpan } from './support/load-average.js';
import { printTable } from './support/markdown-table.js';
import { type ReplayMeasure, replayUntilExact } from './support/replay-until-exact.js';

const { values } = parseArgs({
  options: {
    csv: { type: 'string' },
    rows: { type: 'string', default: '1000000' },
    seed: { type: 'string', default: '7' },
    aggregation: { type: 'string', default: 'both' },
    batch: { type: 'string', default: 'on' },
    'durable-commits': { type: 'string', default: settings.localRuntime.durableCommits ? 'on' : 'off' },
  },
});

const modes = { on: [true], off: [false], both: [true, false] }[values.aggregation ?? 'both'];
if (!modes) throw new Error('--aggregation must be on, off or both');
if (values.batch !== 'on' && values.batch !== 'off') throw new Error('--batch must be on or off');
const durableCommits = { on: true, off: false }[values['durable-commits'] ?? 'on'];
if (durableCommits === undefined) throw new Error('--durable-commits must be on or off');

const generated = values.csv ?? generatedCsv(Number(values.rows), Number(values.seed));

interface Run extends ReplayMeasure {
  input: string;
  aggregation: boolean;
  startupS: number;
  gzipS: number;
  load: LoadAverageSpan;
  peakRssMb: number;
}

interface BatchRun {
  input: string;
  commits: number;
  objects: number;
  viewS: number;
  viewRecordsPerSecond: number;
  viewHeapMb: number;
  reconcileS: number;
  reconcileHeldMs: number;
  differences: number;
  rebuildS: number;
  rebuildHeldMs: number;
  rebuildHeld: string;
  swapped: boolean;
  peakRssMb: number;
}

/** The batch layer over the archive a replay left in this runtime. */
async function runBatch(input: string, runtime: LocalRuntime): Promise<BatchRun> {
  const archive = new S3RawArchive(runtime.s3, runtime.bucketName);
  global.gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  const t0 = performance.now();
  const builder = new ViewBuilder(settings.analytics, new MemoryViewSink(), '');
  await builder.readAll(archive);
  const viewMs = performance.now() - t0;
  // With --expose-gc (npm run bench) the garbage of the read is collected first; the view stays alive.
  global.gc?.();
  const viewHeapMb = Math.round((process.memoryUsage().heapUsed - heapBefore) / 2 ** 20);
  const deps = { db: dataApiDatabaseFromEnv(runtime.env), archive };
  const reconcile = await runBatchLayer(deps, { mode: 'reconcile' });
  const rebuild = await runBatchLayer(deps, { mode: 'rebuild' });
  const { catchUpMs, compareMs, swapMs } = rebuild.timings.held;
  return {
    input,
    commits: builder.stats.records,
    objects: builder.stats.objects,
    viewS: viewMs / 1000,
    viewRecordsPerSecond: Math.round((builder.stats.records * 1000) / viewMs),
    viewHeapMb,
    reconcileS: reconcile.timings.totalMs / 1000,
    reconcileHeldMs: Math.round(reconcile.timings.heldMs),
    differences: reconcile.differenceCount,
    rebuildS: rebuild.timings.totalMs / 1000,
    rebuildHeldMs: Math.round(rebuild.timings.heldMs),
    rebuildHeld: `${Math.round(catchUpMs)} / ${Math.round(compareMs)} / ${Math.round(swapMs)}`,
    swapped: rebuild.swapped,
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
  };
}

async function run(input: string, csv: string, aggregation: boolean, withBatch: boolean): Promise<Run> {
  const loadSpan = startLoadAverageSpan();
  const measured = await withFreshRuntime({ durableCommits }, async ({ runtime, startupS }) => {
    const replay = await replayUntilExact(runtime, csv, { aggregate: aggregation });
    if (withBatch) batchRuns.push(await runBatch(input, runtime));
    return { ...replay, startupS };
  });
  const load = loadSpan();
  // After the runtime stopped, so that gzip has the machine as the replay had it, less the pipeline.
  const gzipS = await gzipSeconds(csv);
  return {
    ...measured,
    input,
    aggregation,
    gzipS,
    load,
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
  };
}

const inputs: Array<[string, string]> = [
  ['sample (20k)', bundledSamplePath()],
  [values.csv ? 'your file' : `generated (${values.rows})`, generated],
];
const runs: Run[] = [];
const batchRuns: BatchRun[] = [];
for (const [input, csv] of inputs) {
  for (const [index, aggregation] of modes.entries()) {
    console.error(
      `running ${input}, aggregation ${aggregation ? 'on' : 'off'}, durable commits ${durableCommits ? 'on' : 'off'} …`,
    );
    runs.push(await run(input, csv, aggregation, values.batch === 'on' && index === 0));
  }
}

const header = [
  'input',
  'aggregation',
  'durable commits',
  'rows',
  'start-up s',
  'producer s',
  'replay → exact s',
  'gzip -6 s',
  'replay → exact / gzip',
  'commits/s',
  'Kinesis records / 1k commits',
  'PUT units / 1k commits',
  'invocations',
  'exact',
  'peak RSS MB (this process)',
  'load avg 1 min (start → end)',
];
const table = runs.map((r) => [
  r.input,
  r.aggregation ? 'on' : 'off',
  durableCommits ? 'on' : 'off',
  String(r.rows),
  r.startupS.toFixed(1),
  r.producerS.toFixed(1),
  r.totalS.toFixed(1),
  r.gzipS.toFixed(2),
  (r.totalS / r.gzipS).toFixed(1),
  String(r.commitsPerSecond),
  ((r.kinesisRecords * 1000) / r.sent).toFixed(1),
  ((r.payloadUnits * 1000) / r.sent).toFixed(1),
  String(r.invocations),
  r.exact ? 'yes' : 'NO',
  String(r.peakRssMb),
  formatLoadAverage(r.load),
]);
printTable(header, table);

if (batchRuns.length > 0) {
  console.log('');
  printTable(
    [
      'batch layer over',
      'commits',
      'raw/ objects',
      'view in memory s',
      'records/s',
      'view heap MB',
      'reconcile s',
      'reconcile: processor held ms',
      'differences',
      'rebuild s',
      'rebuild: processor held ms',
      'held: catch-up and ledgers / other tables / swap ms',
      'swapped',
      'peak RSS MB',
    ],
    batchRuns.map((b) => [
      b.input,
      String(b.commits),
      String(b.objects),
      b.viewS.toFixed(1),
      String(b.viewRecordsPerSecond),
      String(b.viewHeapMb),
      b.reconcileS.toFixed(1),
      String(b.reconcileHeldMs),
      String(b.differences),
      b.rebuildS.toFixed(1),
      String(b.rebuildHeldMs),
      b.rebuildHeld,
      b.swapped ? 'yes' : 'no',
      String(b.peakRssMb),
    ]),
  );
}
