/**
 * How fast `npm run redrive` brings dead-lettered batches back: the embedded runtime's processor is
 * pointed at a database endpoint nothing listens on, so every batch of a replay goes to the dead-letter
 * file; then the redrive (its core, with the runtime's own target) re-reads and stores them all. Prints
 * the time to dead-letter (not the point) and the redrive's pointers, records, commits and rate.
 * Figures are printed, never asserted.
 *
 *   npx tsx bench/redrive.ts                          # the 20k sample, aggregated and not
 *   npx tsx bench/redrive.ts --csv <file> --aggregation off
 */
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { bundledSamplePath } from '../functions/producer/csv-source.js';
import { replayThroughProducer } from '../local/cli/replay-file.js';
import { startLocalRuntime } from '../local/runtime.js';
import { writeRuntimeFile } from '../local/runtime-file.js';
import { redrive } from '../scripts/redrive/redrive.js';
import { embeddedRuntimeTarget } from '../scripts/redrive/targets.js';

const { values } = parseArgs({
  options: {
    csv: { type: 'string', default: bundledSamplePath() },
    aggregation: { type: 'string', default: 'both' },
  },
});
const modes = { on: [true], off: [false], both: [true, false] }[values.aggregation];
if (!modes) throw new Error('--aggregation must be on, off or both');

/** A loopback port nothing listens on: every Data API call of the processor is refused at once. */
const NOBODY = 'http://127.0.0.1:9';

interface Row {
  aggregation: string;
  rows: number;
  deadLetterS: number;
  pointers: number;
  records: number;
  commits: number;
  redriveS: number;
  commitsPerSecond: number;
}

const rows: Row[] = [];
for (const aggregate of modes) {
  const dataDir = await mkdtemp(join(tmpdir(), 'infected-code-bench-redrive-'));
  await chmod(dataDir, 0o755);
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  const runtime = await startLocalRuntime({
    dataDir,
    apiPort: 0,
    mapping: { maxRetryAttempts: 0, retryBackoffMs: 10 },
    processorEnv: { AWS_ENDPOINT_URL_RDS_DATA: NOBODY },
  });
  try {
    const started = performance.now();
    const replay = await replayThroughProducer(runtime.environments, values.csv, { aggregate });
    await runtime.waitUntilProcessed();
    const deadLetterS = (performance.now() - started) / 1000;

    await writeRuntimeFile(dataDir, { pid: process.pid, apiUrl: runtime.apiUrl, env: runtime.env });
    const target = await embeddedRuntimeTarget(dataDir);
    const redriveStarted = performance.now();
    const report = await redrive(target);
    const redriveS = (performance.now() - redriveStarted) / 1000;
    if (!report.allRecovered) throw new Error('the redrive did not recover everything');

    const stored = report.pointers.flatMap(({ outcome }) =>
      outcome.kind === 'recovered' ? [outcome.stored] : [],
    );
    const commits = stored.reduce((sum, counts) => sum + counts.commitsStored, 0);
    rows.push({
      aggregation: aggregate ? 'on' : 'off',
      rows: replay.read,
      deadLetterS: round(deadLetterS),
      pointers: report.pointers.length,
      records: stored.reduce((sum, counts) => sum + counts.records, 0),
      commits,
      redriveS: round(redriveS),
      commitsPerSecond: Math.round(commits / redriveS),
    });
  } finally {
    await runtime.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}
console.table(rows);

function round(seconds: number): number {
  return Math.round(seconds * 10) / 10;
}
