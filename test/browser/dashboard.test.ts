/**
 * The dashboard in a real browser: headless Chromium (found on the machine, driven by playwright-core)
 * against the embedded runtime on the bundled sample, then while a second file is replayed. Saves the
 * screenshots the README shows (docs/screenshots/).
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDashboard } from '../../functions/api/dashboard/build.js';
import type { Summary, SuspiciousCommitList, Timeline } from '../../functions/api/read-model.js';
import { bundledSamplePath } from '../../functions/producer/csv-source.js';
import { projectPath } from '../../lib/project-paths.js';
import { startTestRuntime, type TestRuntime } from '../support/test-runtime.js';
import { paintedPixels } from './support/canvas-pixels.js';
import { launchChromium } from './support/chromium.js';
import { clippedCells } from './support/clipped-cells.js';
import { type DashboardPage, openDashboard } from './support/dashboard-page.js';

const SCREENSHOTS = projectPath('docs', 'screenshots');
const DESKTOP = { width: 1280, height: 1000 };
const PHONE = { width: 390, height: 844 };
/** Common laptop and desktop window widths: every column of the top lists must show at each. */
const WIDE_WIDTHS = [1280, 1366, 1920];
/** The width whose top lists the docs show. */
const TOP_LISTS_SCREENSHOT_WIDTH = 1366;
const TOP_LIST_CARDS = '#top-lists .panel';
/** Rows of the second file: new commit ids, so every one of them adds to the totals. */
const SECOND_FILE_ROWS = 3_000;

let runtime: TestRuntime;
let browser: Browser;
let desktop: DashboardPage;
let workDir: string;

async function api<T>(path: string): Promise<T> {
  const { status, body } = await runtime.get<T>(path);
  expect(status, path).toBe(200);
  return body;
}

const tileValue = (page: DashboardPage, key: string) =>
  page.page.locator(`[data-tile="${key}"]`).getAttribute('data-value');

/** The sample's first rows under new commit ids (`r_…`): a second file with commits not seen yet. */
async function secondFile(): Promise<string> {
  const [header, ...rows] = (await readFile(bundledSamplePath(), 'utf8')).split('\n');
  const renamed = rows.slice(0, SECOND_FILE_ROWS).map((row) => `r_${row}`);
  const path = join(workDir, 'second.csv');
  await writeFile(path, `${[header, ...renamed].join('\n')}\n`);
  return path;
}

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'dashboard-browser-'));
  await buildDashboard();
  runtime = await startTestRuntime();
  await runtime.replay(bundledSamplePath());
  browser = await launchChromium();
  desktop = await openDashboard(browser, runtime.apiUrl, DESKTOP);
  console.log(`dashboard drawn ${Math.round(desktop.loadMs)} ms after navigation (20,000-row sample)`);
});

afterAll(async () => {
  await browser?.close();
  await runtime?.stop();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

describe('the dashboard on the sample', () => {
  it('loads with no console error, no uncaught exception and no failed request', () => {
    expect(desktop.problems).toEqual([]);
  });

  it('saves the desktop screenshot as first drawn', async () => {
    await mkdir(SCREENSHOTS, { recursive: true });
    await desktop.page.screenshot({ path: join(SCREENSHOTS, 'dashboard-desktop.png') });
  });

  it('shows in its tiles exactly the numbers /stats/summary returns', async () => {
    const summary = await api<Summary>('stats/summary');

    for (const key of ['commits', 'authors', 'linesAdded', 'linesDeleted', 'suspiciousCommits'] as const) {
      expect(await tileValue(desktop, key), key).toBe(String(summary[key]));
    }
    expect(Number(await tileValue(desktop, 'avgEntropy'))).toBe(summary.avgEntropy);
    expect(await tileValue(desktop, 'firstEventTime')).toBe(summary.firstEventTime);
    expect(await tileValue(desktop, 'lastEventTime')).toBe(summary.lastEventTime);
    expect(await tileValue(desktop, 'lastIngestedAt')).toBe(summary.lastIngestedAt);
    expect(summary.commits).toBe(20_000);
  });

  it('draws the timeline: one point per window on a painted canvas, and says it in words', async () => {
    const timeline = await api<Timeline>('stats/timeline');
    const chart = desktop.page.locator('#timeline-chart');

    expect(await chart.getAttribute('data-windows')).toBe(String(timeline.items.length));
    expect(await paintedPixels(desktop.page)).toBeGreaterThan(1_000);
    expect(await chart.getAttribute('aria-label')).toContain(`${timeline.items.length} 5-minute windows`);
    await expect(desktop.page.locator('#timeline-window').textContent()).resolves.toContain('5-minute');
  });

  it('zooms the timeline from the keyboard and back', async () => {
    const rows = () => desktop.page.locator('#timeline-table tbody tr').count();
    const all = await rows();

    await desktop.page.locator('button[data-zoom="in"]').focus();
    await desktop.page.keyboard.press('Enter');
    const zoomed = await rows();
    await desktop.page.locator('button[data-zoom="reset"]').click();

    expect(zoomed).toBeLessThan(all);
    expect(await rows()).toBe(all);
  });

  it('sorts a top list by each of the API sorts, and toggles the order', async () => {
    const authors = desktop.page.locator('#top-authors');
    const firstAuthor = () => authors.locator('tbody tr th').first().textContent();
    const byCommits = await firstAuthor();

    await authors.locator('button[data-sort="avgEntropy"]').click();
    await expect
      .poll(() => authors.locator('th[aria-sort="descending"] button').getAttribute('data-sort'))
      .toBe('avgEntropy');
    const byEntropy = await firstAuthor();
    const expected = await api<{ items: Array<{ author: string }> }>(
      'stats/authors?sort=avgEntropy&order=desc&limit=1',
    );
    await authors.locator('button[data-sort="avgEntropy"]').click();
    await expect
      .poll(() => authors.locator('th[aria-sort="ascending"] button').getAttribute('data-sort'))
      .toBe('avgEntropy');

    expect(byEntropy).toBe(expected.items[0]?.author);
    expect(byEntropy).not.toBe(byCommits);
    expect(await firstAuthor()).not.toBe(byEntropy);
  });

  it('pages a top list', async () => {
    const modules = desktop.page.locator('#top-modules');
    const firstPage = await modules.locator('tbody tr th').allTextContents();

    await modules.getByRole('button', { name: 'Next →' }).click();
    await expect.poll(() => modules.locator('.range').textContent()).toMatch(/^11–/);

    const secondPage = await modules.locator('tbody tr th').allTextContents();
    expect(secondPage.length).toBeGreaterThan(0);
    expect(secondPage.some((key) => firstPage.includes(key))).toBe(false);
  });

  it('filters the suspicious commits by reason', async () => {
    const panel = desktop.page.locator('#suspicious-panel');
    const expected = await api<SuspiciousCommitList>('commits/suspicious?reason=author-outlier&limit=50');

    await panel.locator('#suspicious-reason').selectOption('author-outlier');

    await expect
      .poll(() => panel.locator('tbody tr[data-reason="entropy"]').count(), { timeout: 10_000 })
      .toBe(0);
    await expect.poll(() => panel.locator('tbody tr').count()).toBe(expected.items.length);
    expect(await panel.locator('tbody tr td.key').first().textContent()).toBe(expected.items[0]?.commitId);
  });

  it('opens the author view from an author link, with their numbers and suspicious commits', async () => {
    const link = desktop.page.locator('#top-authors tbody tr th a').first();
    const author = (await link.textContent()) ?? '';

    await link.click();
    const view = desktop.page.locator('#author-view');
    await expect.poll(() => view.isVisible()).toBe(true);
    await expect.poll(() => view.locator('table.suspicious tbody tr, .empty').count()).toBeGreaterThan(0);

    const stats = await api<{ commits: number }>(`stats/authors/${encodeURIComponent(author)}`);
    const suspicious = await api<SuspiciousCommitList>(
      `commits/suspicious?author=${encodeURIComponent(author)}&limit=100`,
    );
    expect(await view.locator('h2').textContent()).toBe(`Author: ${author}`);
    expect(await view.locator('[data-author-tiles] dd').first().textContent()).toBe(
      stats.commits.toLocaleString('en'),
    );
    expect(await view.locator('table.suspicious tbody tr').count()).toBe(suspicious.items.length);
    expect(await view.locator('.comparison figcaption').textContent()).toMatch(/for everyone/);
    await expect.poll(() => desktop.page.evaluate(() => document.activeElement?.id)).toBe('author-heading');

    await mkdir(SCREENSHOTS, { recursive: true });
    await desktop.page.screenshot({ path: join(SCREENSHOTS, 'dashboard-author.png') });
    await view.getByRole('link', { name: 'Close author view' }).click();
    await expect.poll(() => view.isVisible()).toBe(false);
  });

  it.each(WIDE_WIDTHS)('shows every column of the top lists within its card at %i px', async (width) => {
    const wide = await openDashboard(browser, runtime.apiUrl, { width, height: DESKTOP.height });

    const clipped = await clippedCells(wide.page, TOP_LIST_CARDS);
    const cards = await wide.page.locator(TOP_LIST_CARDS).count();
    if (width === TOP_LISTS_SCREENSHOT_WIDTH) {
      await wide.page
        .locator('#top-lists')
        .screenshot({ path: join(SCREENSHOTS, 'dashboard-top-lists.png') });
    }
    await wide.page.close();

    expect(wide.problems).toEqual([]);
    expect(cards).toBe(3);
    expect(clipped).toEqual([]);
  });

  it('reads on a phone: no sideways scrolling, the top lists stacked with every column shown', async () => {
    const phone = await openDashboard(browser, runtime.apiUrl, PHONE);

    const width = await phone.page.evaluate(() => document.documentElement.scrollWidth);
    const clipped = await clippedCells(phone.page, TOP_LIST_CARDS);
    const cardBoxes = await phone.page
      .locator(TOP_LIST_CARDS)
      .evaluateAll((cards) => cards.map((card) => card.getBoundingClientRect().toJSON() as DOMRect));
    await phone.page.screenshot({ path: join(SCREENSHOTS, 'dashboard-phone.png') });
    await phone.page
      .locator('#top-authors')
      .screenshot({ path: join(SCREENSHOTS, 'dashboard-phone-top-list.png') });
    await phone.page.close();

    expect(phone.problems).toEqual([]);
    expect(width).toBeLessThanOrEqual(PHONE.width);
    expect(clipped).toEqual([]);
    expect(cardBoxes).toHaveLength(3);
    cardBoxes.slice(1).forEach((box, index) => {
      const above = cardBoxes[index] as DOMRect;
      expect(box.left).toBe(above.left);
      expect(box.top).toBeGreaterThanOrEqual(above.bottom);
    });
  });
});

describe('while a second file is replayed', () => {
  it('refreshes itself without a reload, then says the data stopped changing', async () => {
    const page = desktop.page;
    await page.evaluate(() => {
      (window as unknown as { notReloaded: boolean }).notReloaded = true;
    });
    const before = Number(await tileValue(desktop, 'commits'));

    const replay = runtime.replay(await secondFile());
    await expect
      .poll(async () => Number(await tileValue(desktop, 'commits')), { timeout: 60_000, interval: 500 })
      .toBeGreaterThan(before);
    await expect.poll(() => page.locator('#live-status').getAttribute('data-freshness')).toBe('changing');
    await replay;
    await expect
      .poll(async () => Number(await tileValue(desktop, 'commits')), { timeout: 60_000, interval: 500 })
      .toBe(before + SECOND_FILE_ROWS);
    await expect
      .poll(() => page.locator('#live-status').getAttribute('data-freshness'), {
        timeout: 60_000,
        interval: 1_000,
      })
      .toBe('stopped');

    expect(await page.locator('#live-status').textContent()).toMatch(/stopped changing/);
    expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(
      true,
    );
    expect(desktop.problems).toEqual([]);
  });
});
