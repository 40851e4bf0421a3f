/**
 * End-to-end throughput of the embedded runtime: replays a CSV through producer → Kinesis emulator →
 * processor → PostgreSQL/S3 and prints how long each phase took. Figures are printed, never asserted.
 *
 *   npx tsx bench/end-to-end.ts [--csv <file> | --rows <n>] [--seed <s>]
 *
 * With --rows, a file is generated first with the sample generator (not timed).
 *
 * Then the batch layer over the archive the replay left: the view computed in memory (reading raw/
 * through the S3 emulator, decoding, de-duplicating, aggregating), a reconciliation and a rebuild
 * (the same plus the staging tables through the Data API, the comparison and the swap).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runBatchLayer } from '../functions/batch/batch-run.js';
import { MemoryViewSink } from '../functions/batch/memory-view-sink.js';
import { S3RawArchive } from '../functions/batch/raw-archive.js';
import { ViewBuilder } from '../functions/batch/view-builder.js';
import { dataApiDatabaseFromEnv } from '../functions/shared/database/data-api.js';
import { settings } from '../functions/shared/settings.js';
import { replayFile } from '../local/cli/replay-file.js';
import { startLocalRuntime } from '../local/runtime.js';

const { values } = parseArgs({
  options: {
    csv: { type: 'string' },
    rows: { type: 'string', default: '200000' },
    seed: { type: 'string', default: '7' },
  },
});

const workDir = await mkdtemp(join(tmpdir(), 'bench-e2e-'));
await chmod(workDir, 0o755);
const csv = values.csv ?? join(workDir, 'input.csv');
if (!values.csv) {
  execFileSync(
    'npx',
    ['tsx', 'scripts/generate-sample.ts', '--rows', values.rows, '--seed', values.seed, '--out', csv],
    {
      stdio: 'ignore',
    },
  );
}
if (!existsSync(csv)) throw new Error(`no such file: ${csv}`);

const t0 = performance.now();
const runtime = await startLocalRuntime({ dataDir: join(workDir, 'data'), apiPort: 0 });
const startedMs = performance.now() - t0;
try {
  const t1 = performance.now();
  const result = await replayFile(csv, { streamName: runtime.streamName, rejectsDir: workDir });
  const producedMs = performance.now() - t1;
  await runtime.waitUntilProcessed({ timeoutMs: 30 * 60_000 });
  const totalMs = performance.now() - t1;
  const summary = (await (await fetch(new URL('stats/summary', runtime.apiUrl))).json()) as {
    commits: number;
  };

  const rows: Array<[string, string]> = [
    ['rows read', String(result.read)],
    ['runtime start-up', `${(startedMs / 1000).toFixed(1)} s`],
    ['producer', `${(producedMs / 1000).toFixed(1)} s (${result.recordsPerSecond} records/s)`],
    [
      'replay → aggregates complete',
      `${(totalMs / 1000).toFixed(1)} s (${Math.round((result.sent * 1000) / totalMs)} records/s)`,
    ],
    ['processor invocations', String(runtime.mapping.snapshot().invocations)],
    ['commits in /stats/summary', String(summary.commits)],
    ['peak RSS of this process', `${Math.round(process.resourceUsage().maxRSS / 1024)} MB`],
  ];

  // The batch layer over the archive the replay left.
  const archive = new S3RawArchive(runtime.s3, runtime.bucketName);
  global.gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  const t2 = performance.now();
  const builder = new ViewBuilder(settings.analytics, new MemoryViewSink(), '');
  await builder.readAll(archive);
  const viewMs = performance.now() - t2;
  const heapAfter = process.memoryUsage().heapUsed;
  const deps = { db: dataApiDatabaseFromEnv(runtime.functionEnv), archive };
  const reconcile = await runBatchLayer(deps, { mode: 'reconcile' });
  const rebuild = await runBatchLayer(deps, { mode: 'rebuild' });
  const perSecond = (records: number, ms: number) => Math.round((records * 1000) / ms);
  const heldParts = ({ catchUpMs, compareMs, swapMs }: typeof rebuild.timings.held) =>
    `catch-up and ledgers ${Math.round(catchUpMs)} ms, other tables ${Math.round(compareMs)} ms, swap ${Math.round(swapMs)} ms`;
  rows.push(
    [
      'batch view, in memory',
      `${(viewMs / 1000).toFixed(1)} s (${perSecond(builder.stats.records, viewMs)} records/s, ${builder.stats.objects} objects)`,
    ],
    [
      '  heap held by the view',
      `${Math.round((heapAfter - heapBefore) / 2 ** 20)} MB (commit-id set included)`,
    ],
    [
      'reconcile',
      `${(reconcile.timings.totalMs / 1000).toFixed(1)} s, processor held ${Math.round(reconcile.timings.heldMs)} ms, ${reconcile.differenceCount} differences`,
    ],
    [
      'rebuild',
      `${(rebuild.timings.totalMs / 1000).toFixed(1)} s, processor held ${Math.round(rebuild.timings.heldMs)} ms, swapped: ${rebuild.swapped}`,
    ],
    ['  held out, reconcile', heldParts(reconcile.timings.held)],
    ['  held out, rebuild', heldParts(rebuild.timings.held)],
    ['peak RSS after the batch layer', `${Math.round(process.resourceUsage().maxRSS / 1024)} MB`],
  );
  for (const [name, value] of rows) console.log(`${name.padEnd(30)} ${value}`);
} finally {
  await runtime.stop();
  await rm(workDir, { recursive: true, force: true });
}
