/**
 * Headless Chromium for the browser suites, driven by playwright-core over the browser already on
 * the machine (no browser download): `CHROME_PATH`, else the first of the usual names on `PATH`.
 */
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { type Browser, chromium } from 'playwright-core';

const CANDIDATES = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable', 'chrome'];

/**
 * Launch flags that keep a root, headless, offline run quiet and self-contained. Playwright adds
 * `--headless` and a fresh `--user-data-dir` of its own (a temporary profile, removed on close).
 */
const FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

/**
 * The Chromium executable to drive.
 *
 * @throws Error naming what was looked for, and how to install one, when none is found
 */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string {
  const override = env.CHROME_PATH;
  if (override) {
    if (!existsSync(override)) throw new Error(`CHROME_PATH=${override} does not exist`);
    return override;
  }
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    for (const name of CANDIDATES) {
      const candidate = join(dir, name);
      if (dir !== '' && existsSync(candidate)) return candidate;
    }
  }
  throw new Error(
    `no Chromium or Chrome found (looked for ${CANDIDATES.join(', ')} on PATH); install one ` +
      '(e.g. apt-get install -y chromium) or set CHROME_PATH',
  );
}

/** Launches headless Chromium with a fresh profile; `browser.close()` removes it. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: findChromium(), headless: true, args: FLAGS });
}
