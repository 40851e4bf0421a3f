/**
 * How the embedded runtime scales with the stream's shards and the mapping's parallelization factor,
 * and how long the processor's transactions wait for each other's row locks. Each configuration
 * replays the same file into a fresh runtime (a stream keeps its shard count in its data dir). Figures
 * are printed, never asserted.
 *
 *   npm run bench:shards                                        # 1,000,000 generated rows
 *   npm run bench:shards -- --rows 200000 --shards 1,4 --factors 1
 *
 * Lock waits come from PostgreSQL's own log (bench/support/lock-waits.ts): every wait over 1 ms, as
 * the server timed it, summed, and divided by the processor's invocations (one transaction per batch).
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { dataApiDatabaseFromEnv } from '../functions/shared/database/data-api.js';
import { POSTGRES_LOG_FILE } from '../local/local-cloud.js';
import { withFreshRuntime } from './support/fresh-runtime.js';
import { generatedCsv } from './support/generated-csv.js';
import { formatLoadAverage, type LoadAverageSpan, startLoadAverageSpan } from './support/load-average.js';
import { formatTableShares, LOCK_WAIT_LOGGING, type LockWaits, readLockWaits } from './support/lock-waits.js';
import { printTable } from './support/markdown-table.js';
import { type ReplayMeasure, replayUntilExact } from './support/replay-until-exact.js';

const { values } = parseArgs({
  options: {
    csv: { type: 'string' },
    rows: { type: 'string', default: '1000000' },
    seed: { type: 'string', default: '7' },
    shards: { type: 'string', default: '1,2,4' },
    factors: { type: 'string', default: '1,2' },
  },
});
const counts = (option: 'shards' | 'factors', most: number) =>
  (values[option] ?? '').split(',').map((text) => {
    const count = Number(text);
    if (!Number.isInteger(count) || count < 1 || count > most) {
      throw new Error(`--${option} takes whole numbers from 1 to ${most}, separated by commas`);
    }
    return count;
  });
// Lambda's parallelization factor goes up to 10; more shards than that make no sense on two cores.
const shardCounts = counts('shards', 16);
const factors = counts('factors', 10);
const csv = values.csv ?? generatedCsv(Number(values.rows), Number(values.seed));

interface Run {
  shards: number;
  factor: number;
  replay: ReplayMeasure;
  lockWaits: LockWaits;
  load: LoadAverageSpan;
}

async function run(shards: number, factor: number): Promise<Run> {
  console.error(`${shards} shard(s), parallelization factor ${factor} …`);
  const loadSpan = startLoadAverageSpan();
  const options = {
    shardCount: shards,
    mapping: { parallelizationFactor: factor },
    postgresSettings: LOCK_WAIT_LOGGING,
  };
  return withFreshRuntime(options, async ({ runtime, dataDir }) => {
    const replay = await replayUntilExact(runtime, csv, { aggregate: true });
    const lockWaits = await readLockWaits(
      join(dataDir, POSTGRES_LOG_FILE),
      dataApiDatabaseFromEnv(runtime.env),
    );
    return { shards, factor, replay, lockWaits, load: loadSpan() };
  });
}

const runs: Run[] = [];
for (const shards of shardCounts) {
  for (const factor of factors) runs.push(await run(shards, factor));
}

printTable(
  [
    'shards',
    'parallelization factor',
    'producer s',
    'replay → exact s',
    'commits/s',
    'invocations',
    'lock waits > 1 ms',
    'lock wait, total s',
    'lock wait per batch ms',
    'longest wait ms',
    'wait time by table',
    'waits never granted',
    'exact',
    'load avg 1 min',
  ],
  runs.map(({ shards, factor, replay, lockWaits, load }) => [
    String(shards),
    String(factor),
    replay.producerS.toFixed(1),
    replay.totalS.toFixed(1),
    String(replay.commitsPerSecond),
    String(replay.invocations),
    String(lockWaits.waits),
    (lockWaits.totalMs / 1000).toFixed(2),
    (lockWaits.totalMs / Math.max(1, replay.invocations)).toFixed(0),
    lockWaits.longestMs.toFixed(0),
    formatTableShares(lockWaits),
    String(lockWaits.unfinished),
    replay.exact ? 'yes' : 'NO',
    formatLoadAverage(load),
  ]),
);
