/**
 * `npm run dev`'s loop on the embedded runtime: saves the api handler of a scratch copy of functions/
 * `--saves` times, the way an editor saves, and times each save until the rebuild is reported and until
 * the api answers with the change. Figures are printed, never asserted.
 *
 *   npm run bench:dev-reload -- [--saves 10]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { ReloadReport } from '../local/execution/function-builds.js';
import { SAVE_HEADER, ScratchFunctions } from '../test/support/hot-reload.js';
import { withFreshRuntime } from './support/fresh-runtime.js';
import { formatLoadAverage, startLoadAverageSpan } from './support/load-average.js';
import { printTable } from './support/markdown-table.js';

const { values } = parseArgs({ options: { saves: { type: 'string', default: '10' } } });
const saves = Number(values.saves);
if (!Number.isInteger(saves) || saves < 1) throw new Error('--saves must be a positive whole number');

/** How often the api is asked whether the change is served yet. */
const POLL_MS = 10;
/** A save not served by then is reported as such, not waited for. */
const SAVE_DEADLINE_MS = 30_000;
/** Between saves: what a person takes at least, and it keeps one save's rebuild apart from the next. */
const PAUSE_MS = 1_000;

const workDir = await mkdtemp(join(tmpdir(), 'bench-dev-reload-'));
const scratch = new ScratchFunctions(join(workDir, 'scratch'));
let reloadedAt: number | undefined;
const onReload = (report: ReloadReport) => {
  if (report.kind === 'reloaded' && report.functions.includes('api')) reloadedAt = performance.now();
};

try {
  const rows = await withFreshRuntime(
    { functionsDir: scratch.functionsDir, onReload },
    async ({ runtime }) => {
      const summary = new URL('stats/summary', runtime.apiUrl);
      const header = async () => {
        const response = await fetch(summary);
        await response.arrayBuffer();
        return response.headers.get(SAVE_HEADER);
      };
      await header();
      const measured: string[][] = [];
      const load = startLoadAverageSpan();
      for (let save = 1; save <= saves; save += 1) {
        const mark = `save-${save}`;
        reloadedAt = undefined;
        const savedAt = performance.now();
        scratch.saveApiHandlerMarking(mark);
        let answeredAt: number | undefined;
        while (performance.now() - savedAt < SAVE_DEADLINE_MS) {
          if ((await header()) === mark) {
            answeredAt = performance.now();
            break;
          }
          await new Promise((resolve) => setTimeout(resolve, POLL_MS));
        }
        const ms = (at: number | undefined) =>
          at === undefined ? 'not within 30 s' : String(Math.round(at - savedAt));
        measured.push([String(save), ms(reloadedAt), ms(answeredAt)]);
        await new Promise((resolve) => setTimeout(resolve, PAUSE_MS));
      }
      console.log(`load avg 1 min: ${formatLoadAverage(load())}`);
      return measured;
    },
  );
  printTable(['save', 'save → reloaded ms', 'save → answered with the change ms'], rows);
  const answered = rows
    .map((row) => Number(row[2]))
    .filter(Number.isFinite)
    .sort((a, b) => a - b);
  if (answered.length > 0) {
    console.log(
      `save → answered: median ${answered[Math.floor((answered.length - 1) / 2)]} ms, ` +
        `min ${answered[0]} ms, max ${answered.at(-1)} ms over ${answered.length} of ${rows.length} saves`,
    );
  }
} finally {
  await rm(workDir, { recursive: true, force: true });
}
