/**
 * What a durable commit costs on this machine: the embedded PostgreSQL with synchronous_commit on and
 * off, each committing the same small transactions one after another (as the processor commits one
 * transaction per batch). Figures are printed, never asserted; the end-to-end effect is in
 * `npm run bench -- --durable-commits on|off`.
 *
 *   npx tsx bench/durable-commits.ts [--commits 2000]
 */
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { startEmbeddedPostgres } from '../local/postgres/index.js';

const { values } = parseArgs({ options: { commits: { type: 'string', default: '2000' } } });
const commits = Number(values.commits);

async function measure(durableCommits: boolean): Promise<{ meanMs: number; p50Ms: number; p99Ms: number }> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-durable-'));
  // Reachable by the postgres user when run as root.
  await chmod(dir, 0o755);
  const postgres = await startEmbeddedPostgres({ dataDir: join(dir, 'postgres'), durableCommits });
  const client = new pg.Client({ ...postgres, database: 'postgres' });
  try {
    await client.connect();
    await client.query('CREATE TABLE ledger (id bigint PRIMARY KEY, at timestamptz NOT NULL)');
    const times: number[] = [];
    for (let i = 0; i < commits; i += 1) {
      const started = performance.now();
      await client.query('BEGIN');
      await client.query('INSERT INTO ledger VALUES ($1, now())', [i]);
      await client.query('COMMIT');
      times.push(performance.now() - started);
    }
    times.sort((a, b) => a - b);
    const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? 0;
    return { meanMs: times.reduce((sum, t) => sum + t, 0) / times.length, p50Ms: at(0.5), p99Ms: at(0.99) };
  } finally {
    await client.end();
    await postgres.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

console.log('| synchronous_commit | transactions | mean ms | p50 ms | p99 ms |');
console.log('| --- | ---: | ---: | ---: | ---: |');
// Alternated, so that a change in the machine's load hits both.
for (const durable of [true, false, true, false]) {
  const { meanMs, p50Ms, p99Ms } = await measure(durable);
  console.log(
    `| ${durable ? 'on' : 'off'} | ${commits} | ${meanMs.toFixed(2)} | ${p50Ms.toFixed(2)} | ${p99Ms.toFixed(2)} |`,
  );
}
