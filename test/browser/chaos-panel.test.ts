/**
 * The dashboard's "Faults injected" panel in a real browser: shown with one row per service, its
 * counts those of `/_local/chaos`, when the runtime runs with chaos; hidden when it does not.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDashboard } from '../../functions/api/dashboard/build.js';
import { bundledSamplePath } from '../../functions/producer/csv-source.js';
import type { ChaosStatus } from '../../local/chaos/chaos-spec.js';
import { startTestRuntime, type TestRuntime } from '../support/test-runtime.js';
import { launchChromium } from './support/chromium.js';
import { openDashboard } from './support/dashboard-page.js';

const VIEWPORT = { width: 1280, height: 1000 };

let browser: Browser;
const runtimes: TestRuntime[] = [];

beforeAll(async () => {
  await buildDashboard();
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  for (const runtime of runtimes) await runtime.stop();
});

describe('the Faults injected panel', () => {
  it('shows the faults of each service as /_local/chaos counts them', async () => {
    const runtime = await startTestRuntime({
      chaos: {
        rules: [
          { service: 'data-api', kind: '5xx', rate: 0.05 },
          { service: 's3', kind: 'reset', rate: 0.05 },
        ],
        seed: 3,
      },
    });
    runtimes.push(runtime);
    await runtime.replay(bundledSamplePath(), { limit: 2_000, aggregate: false });

    const dashboard = await openDashboard(browser, runtime.apiUrl, VIEWPORT);
    const panel = dashboard.page.locator('#chaos-panel');
    await panel.locator('tbody tr').first().waitFor();
    const { body: status } = await runtime.get<ChaosStatus>('_local/chaos');
    if (!status.enabled) throw new Error('chaos is off');

    expect(await panel.isVisible()).toBe(true);
    await expect(panel.locator('h2').textContent()).resolves.toBe('Faults injected');
    for (const service of ['kinesis', 's3', 'data-api'] as const) {
      const total = Object.values(status.injected[service]).reduce((sum, count) => sum + (count ?? 0), 0);
      const row = panel.locator(`tr[data-service="${service}"]`);
      expect(await row.getAttribute('data-value'), service).toBe(String(total));
    }
    expect(
      Number(await panel.locator('tr[data-service="data-api"]').getAttribute('data-value')),
    ).toBeGreaterThan(0);
    await expect(panel.locator('.note').textContent()).resolves.toContain('seed 3');
    expect(dashboard.problems).toEqual([]);
  });

  it('is hidden, and never asks for /_local/chaos, when the runtime runs without chaos', async () => {
    const runtime = await startTestRuntime();
    runtimes.push(runtime);
    await runtime.replay(bundledSamplePath(), { limit: 200 });

    const dashboard = await openDashboard(browser, runtime.apiUrl, VIEWPORT);
    await dashboard.page.waitForTimeout(500);
    expect(await dashboard.page.locator('#chaos-panel').isHidden()).toBe(true);
    expect(dashboard.problems).toEqual([]);
    // No answer carried the chaos header: the route a deployed API lacks is never asked.
    expect(dashboard.requests.some((url) => url.includes('_local/chaos'))).toBe(false);
    expect(dashboard.requests.some((url) => url.includes('stats/summary'))).toBe(true);
  });
});
