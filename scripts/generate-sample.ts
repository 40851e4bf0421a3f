/**
 * `npm run generate-sample -- --rows <n> --seed <s> --out <file>`: writes a deterministic Infected Code
 * commit-log CSV. Streams the rows to disk (any size, bounded memory), with a progress bar on a terminal.
 * `-- --help` prints the usage (scripts/sample/cli-options.ts defines it).
 */

import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import cliProgress from 'cli-progress';
import { runCli } from './cli/run-cli.js';
import { GENERATE_SAMPLE_COMMAND, sampleOptionsOf } from './sample/cli-options.js';
import { csvChunks } from './sample/csv-writer.js';
import { generateCommits } from './sample/sample-generator.js';

runCli(GENERATE_SAMPLE_COMMAND, async ({ values }) => {
  const options = sampleOptionsOf(values);
  const started = performance.now();
  const bar = process.stderr.isTTY
    ? new cliProgress.SingleBar(
        {
          stream: process.stderr,
          format: 'generating [{bar}] {percentage}% | {value}/{total} rows | ETA {eta}s',
        },
        cliProgress.Presets.shades_classic,
      )
    : undefined;
  bar?.start(options.rows, 0);

  // Written beside the target and renamed at the end, so a failed run never leaves a truncated sample.
  const partial = `${options.out}.partial`;
  await mkdir(dirname(options.out), { recursive: true });
  try {
    const chunks = csvChunks(generateCommits(options), { onRows: (rows) => bar?.update(rows) });
    await pipeline(Readable.from(chunks), createWriteStream(partial));
    await rename(partial, options.out);
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  } finally {
    bar?.stop();
  }

  const { size } = await stat(options.out);
  const seconds = (performance.now() - started) / 1000;
  console.log(
    `wrote ${options.rows} rows (${(size / 1e6).toFixed(2)} MB) to ${options.out} ` +
      `in ${seconds.toFixed(2)} s with seed ${options.seed}`,
  );
  return 'done';
});
