/**
 * End-to-end throughput of the embedded runtime: replays CSV files through producer → Kinesis emulator
 * → processor → PostgreSQL/S3, with KPL aggregation on and off, and prints a table. Each run gets a
 * fresh runtime and data dir. Figures are printed, never asserted.
 *
 *   npm run bench                                   # the 20k sample and 1,000,000 generated rows
 *   npm run bench -- --rows 200000 --aggregation on # fewer rows, one mode
 *   npm run bench -- --csv <file>                   # your own file instead of the generated one
 *
 * The generated file is written once by the sample generator (not timed) and kept in the temp dir.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { bundledSamplePath } from '../functions/producer/csv-input.js';
import { replayFile } from '../local/cli/replay-file.js';
import { startLocalRuntime } from '../local/runtime.js';

const { values } = parseArgs({
  options: {
    csv: { type: 'string' },
    rows: { type: 'string', default: '1000000' },
    seed: { type: 'string', default: '7' },
    aggregation: { type: 'string', default: 'both' },
  },
});

const modes = { on: [true], off: [false], both: [true, false] }[values.aggregation ?? 'both'];
if (!modes) throw new Error('--aggregation must be on, off or both');

const generated = values.csv ?? join(tmpdir(), `infected-code-bench-${values.rows}-${values.seed}.csv`);
if (!existsSync(generated)) {
  console.error(`generating ${values.rows} rows into ${generated} …`);
  execFileSync(
    'npx',
    [
      'tsx',
      'scripts/generate-sample.ts',
      '--rows',
      String(values.rows),
      '--seed',
      String(values.seed),
      '--out',
      generated,
    ],
    { stdio: 'ignore' },
  );
}

interface Run {
  input: string;
  aggregation: boolean;
  rows: number;
  startupS: number;
  producerS: number;
  totalS: number;
  commitsPerSecond: number;
  kinesisRecordsPer1k: number;
  payloadUnitsPer1k: number;
  invocations: number;
  exact: boolean;
  peakRssMb: number;
}

async function run(input: string, csv: string, aggregation: boolean): Promise<Run> {
  const workDir = await mkdtemp(join(tmpdir(), 'bench-e2e-'));
  await chmod(workDir, 0o755);
  const t0 = performance.now();
  const runtime = await startLocalRuntime({ dataDir: join(workDir, 'data'), apiPort: 0 });
  const startupS = (performance.now() - t0) / 1000;
  try {
    const t1 = performance.now();
    const result = await replayFile(csv, {
      streamName: runtime.streamName,
      rejectsDir: workDir,
      aggregate: aggregation,
    });
    const producerS = (performance.now() - t1) / 1000;
    await runtime.waitUntilProcessed({ timeoutMs: 60 * 60_000 });
    const totalS = (performance.now() - t1) / 1000;
    const summary = (await (await fetch(new URL('stats/summary', runtime.apiUrl))).json()) as {
      commits: number;
    };
    return {
      input,
      aggregation,
      rows: result.read,
      startupS,
      producerS,
      totalS,
      commitsPerSecond: Math.round(result.sent / totalS),
      kinesisRecordsPer1k: (result.kinesisRecords * 1000) / result.sent,
      payloadUnitsPer1k: (result.payloadUnits * 1000) / result.sent,
      invocations: runtime.mapping.snapshot().invocations,
      exact: summary.commits === result.sent,
      peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    };
  } finally {
    await runtime.stop();
    await rm(workDir, { recursive: true, force: true });
  }
}

const inputs: Array<[string, string]> = [
  ['sample (20k)', bundledSamplePath()],
  [values.csv ? 'your file' : `generated (${values.rows})`, generated],
];
const runs: Run[] = [];
for (const [input, csv] of inputs) {
  for (const aggregation of modes) {
    console.error(`running ${input}, aggregation ${aggregation ? 'on' : 'off'} …`);
    runs.push(await run(input, csv, aggregation));
  }
}

const header = [
  'input',
  'aggregation',
  'rows',
  'start-up s',
  'producer s',
  'replay → exact s',
  'commits/s',
  'Kinesis records / 1k commits',
  'PUT units / 1k commits',
  'invocations',
  'exact',
  'peak RSS MB (this process)',
];
const table = runs.map((r) => [
  r.input,
  r.aggregation ? 'on' : 'off',
  String(r.rows),
  r.startupS.toFixed(1),
  r.producerS.toFixed(1),
  r.totalS.toFixed(1),
  String(r.commitsPerSecond),
  r.kinesisRecordsPer1k.toFixed(1),
  r.payloadUnitsPer1k.toFixed(1),
  String(r.invocations),
  r.exact ? 'yes' : 'NO',
  String(r.peakRssMb),
]);
console.log(`| ${header.join(' | ')} |`);
console.log(`| ${header.map(() => '---').join(' | ')} |`);
for (const row of table) console.log(`| ${row.join(' | ')} |`);
