/**
 * The yardstick of the end-to-end figures: how long `gzip -6` takes over the same file on the same
 * machine in the same hour. A replay's time divided by it compares runs across machines and loads
 * better than seconds alone (it is CPU-bound, reads the file once and is single-threaded).
 */
import { spawn } from 'node:child_process';

/**
 * The best of `runs` timings of `gzip -6 -c file > /dev/null`, in seconds.
 *
 * @param file - the CSV the replay reads
 * @param runs - how many timings to take the best of
 * @throws Error when gzip cannot be run or fails
 */
export async function gzipSeconds(file: string, runs = 3): Promise<number> {
  let best = Number.POSITIVE_INFINITY;
  for (let run = 0; run < runs; run++) best = Math.min(best, await timeGzip(file));
  return best;
}

function timeGzip(file: string): Promise<number> {
  const started = performance.now();
  // stdout 'ignore' is /dev/null: the compressed bytes are written and dropped, as with `> /dev/null`.
  const child = spawn('gzip', ['-6', '-c', file], { stdio: ['ignore', 'ignore', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (code === 0) resolve((performance.now() - started) / 1000);
      else reject(new Error(`gzip -6 ${file} ended with ${signal ?? `code ${code}`}`));
    });
  });
}
