/**
 * How fast the producer reads a CSV into validated rows (functions/producer/commit-row.ts), without the
 * stream: the generated file as UTF-8 (every chunk checked whole), the same bytes with a Latin-1 byte
 * in every 1,000th row (the chunks holding one are checked line by line, those rows rejected), and the
 * file read as latin1 and as windows-1252. Best of `--runs`; figures are printed, never asserted.
 *
 *   npx tsx bench/csv-read.ts [--rows 1000000] [--runs 3]
 */
import { createReadStream, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { readCommitRows } from '../functions/producer/commit-row.js';
import type { CsvEncoding } from '../functions/producer/csv-encoding.js';
import { generatedCsv } from './support/generated-csv.js';

const { values } = parseArgs({
  options: { rows: { type: 'string', default: '1000000' }, runs: { type: 'string', default: '3' } },
});
const valid = generatedCsv(Number(values.rows), 7);

/** The generated file with the `e` of every 1,000th row's message replaced by a Latin-1 é (0xE9). */
function withLatin1Bytes(path: string): string {
  const out = join(tmpdir(), `infected-code-bench-latin1-${values.rows}.csv`);
  const bytes = Buffer.from(readFileSync(path));
  let line = 0;
  let replaced = false;
  for (let i = 0; i < bytes.length; i += 1) {
    if (bytes[i] === 0x0a) {
      line += 1;
      replaced = false;
    } else if (!replaced && line > 0 && line % 1_000 === 0 && bytes[i] === 0x65) {
      bytes[i] = 0xe9;
      replaced = true;
    }
  }
  writeFileSync(out, bytes);
  return out;
}

async function timeRead(
  path: string,
  encoding: CsvEncoding,
): Promise<{ s: number; rows: number; rejected: number }> {
  const started = performance.now();
  let rows = 0;
  let rejected = 0;
  for await (const batch of readCommitRows(createReadStream(path), { encoding })) {
    rows += batch.length;
    for (const row of batch) if (!row.ok) rejected += 1;
  }
  return { s: (performance.now() - started) / 1000, rows, rejected };
}

const cases: Array<[string, string, CsvEncoding]> = [
  ['valid UTF-8', valid, 'utf-8'],
  ['UTF-8 with a Latin-1 byte in every 1,000th row', withLatin1Bytes(valid), 'utf-8'],
  ['read as latin1', valid, 'latin1'],
  ['read as windows-1252', valid, 'windows-1252'],
];
console.log('| input | rows | rejected | best s | rows/s | MB/s |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
for (const [label, path, encoding] of cases) {
  const runs = [];
  for (let run = 0; run < Number(values.runs); run += 1) runs.push(await timeRead(path, encoding));
  const best = runs.reduce((a, b) => (b.s < a.s ? b : a));
  const mb = statSync(path).size / 1024 / 1024;
  console.log(
    `| ${label} | ${best.rows} | ${best.rejected} | ${best.s.toFixed(2)} | ${Math.round(best.rows / best.s)} | ${Math.round(mb / best.s)} |`,
  );
}
