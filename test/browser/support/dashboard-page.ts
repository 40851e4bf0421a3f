/**
 * Opens the dashboard in a browser page and records everything that went wrong on the way: console
 * errors, uncaught exceptions, failed requests and error answers (CSP violations are console errors).
 */
import type { Browser, Page } from 'playwright-core';

export interface DashboardPage {
  page: Page;
  /** What went wrong since the page was opened; empty when all is well. */
  problems: string[];
  /** The URL of every request the page made, from its navigation on. */
  requests: string[];
  /** Milliseconds from navigation until the tiles, the chart and the tables are all drawn. */
  loadMs: number;
}

/** Resolves once every panel has drawn from the API at least once. */
export async function waitUntilDrawn(page: Page): Promise<void> {
  await page.waitForSelector('[data-tile="commits"]');
  await page.waitForSelector('#timeline-chart canvas');
  await page.waitForSelector('#timeline-chart[data-windows]');
  await page.waitForSelector('#top-authors table tbody tr');
  await page.waitForSelector('#top-modules table tbody tr');
  await page.waitForSelector('#top-languages table tbody tr');
  await page.waitForSelector('#suspicious-panel table tbody tr, #suspicious-panel .empty');
}

/**
 * @param url - the page's URL (the API's base URL, e.g. `http://127.0.0.1:3000/`)
 * @param viewport - the window size
 */
export async function openDashboard(
  browser: Browser,
  url: string,
  viewport: { width: number; height: number },
): Promise<DashboardPage> {
  const page = await browser.newPage({ viewport });
  const problems: string[] = [];
  const requests: string[] = [];
  page.on('request', (request) => requests.push(request.url()));
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') {
      problems.push(`console ${message.type()}: ${message.text()}`);
    }
  });
  page.on('pageerror', (error) => problems.push(`uncaught: ${error.message}`));
  page.on('requestfailed', (request) =>
    problems.push(`request failed: ${request.url()} (${request.failure()?.errorText})`),
  );
  page.on('response', (response) => {
    if (response.status() >= 400) problems.push(`HTTP ${response.status()}: ${response.url()}`);
  });
  const started = performance.now();
  await page.goto(url);
  await waitUntilDrawn(page);
  return { page, problems, requests, loadMs: performance.now() - started };
}
