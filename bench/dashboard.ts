/**
 * `npx tsx bench/dashboard.ts [--runs <n>]`: what the dashboard costs. Prints the built assets' sizes
 * (raw and gzipped), then loads the page in headless Chromium against the embedded runtime on the
 * bundled 20,000-row sample, `runs` times in fresh browser contexts (cold cache), and prints the time
 * from navigation until every panel has drawn, and the requests one load makes.
 */
import { parseArgs } from 'node:util';
import { buildDashboard } from '../functions/api/dashboard/build.js';
import { bundledSamplePath } from '../functions/producer/csv-source.js';
import { launchChromium } from '../test/browser/support/chromium.js';
import { waitUntilDrawn } from '../test/browser/support/dashboard-page.js';
import { startTestRuntime } from '../test/support/test-runtime.js';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' } } });
const runs = Number(values.runs);

const built = await buildDashboard();
console.log('asset                          bytes   gzipped');
for (const asset of built.assets) {
  console.log(
    `${asset.file.padEnd(28)} ${String(asset.bytes).padStart(8)} ${String(asset.gzipBytes).padStart(9)}`,
  );
}

const runtime = await startTestRuntime();
try {
  await runtime.replay(bundledSamplePath());
  const browser = await launchChromium();
  try {
    const times: number[] = [];
    let requests = 0;
    for (let run = 0; run < runs; run += 1) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
      const page = await context.newPage();
      let count = 0;
      page.on('request', () => {
        count += 1;
      });
      const started = performance.now();
      await page.goto(runtime.apiUrl);
      await waitUntilDrawn(page);
      times.push(performance.now() - started);
      requests = count;
      await context.close();
    }
    times.sort((a, b) => a - b);
    const median = times[Math.floor(times.length / 2)] ?? 0;
    console.log(
      `page drawn after navigation (20,000-row sample, ${runs} cold loads): median ${Math.round(median)} ms, ` +
        `min ${Math.round(times[0] ?? 0)} ms, max ${Math.round(times.at(-1) ?? 0)} ms; ${requests} requests per load`,
    );
  } finally {
    await browser.close();
  }
} finally {
  await runtime.stop();
}
