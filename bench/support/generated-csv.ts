import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A CSV of the sample generator's rows, written once per row count and seed into the temp dir (not
 * timed by the benches) and reused by later runs.
 *
 * @returns its path
 */
export function generatedCsv(rows: number, seed: number): string {
  const path = join(tmpdir(), `infected-code-bench-${rows}-${seed}.csv`);
  if (!existsSync(path)) {
    console.error(`generating ${rows} rows into ${path} …`);
    const args = ['tsx', 'scripts/generate-sample.ts', '--rows', String(rows), '--seed', String(seed)];
    // The generator renames its file into place at the end: an interrupted run leaves no truncated one.
    execFileSync('npx', [...args, '--out', path], { stdio: 'ignore' });
  }
  return path;
}
