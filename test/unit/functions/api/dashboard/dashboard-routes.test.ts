import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDashboard, type DashboardBuild } from '../../../../../functions/api/dashboard/build.js';
import { dashboardAssetsIn } from '../../../../../functions/api/dashboard/dashboard-assets.js';
import { createApiHandler } from '../../../../../functions/api/handler.js';
import { silentLogger } from '../../../../support/api-call.js';
import { restEvent } from '../../../../support/api-events.js';
import { FakeStatsRepository } from '../../../../support/fake-stats-repository.js';

let outDir: string;
let built: DashboardBuild;

beforeAll(async () => {
  outDir = await mkdtemp(join(tmpdir(), 'dashboard-build-'));
  built = await buildDashboard(outDir);
});

afterAll(async () => {
  await rm(outDir, { recursive: true, force: true });
});

function handlerOver(dirs: string[]) {
  return createApiHandler(
    {},
    {
      repository: new FakeStatsRepository(),
      logger: silentLogger(),
      dashboard: dashboardAssetsIn(dirs),
    },
  );
}

/** The URLs the page's markup refers to (src and href attributes). */
function referencedUrls(html: string): string[] {
  return [...html.matchAll(/\b(?:src|href)="([^"]*)"/g)].map((match) => match[1] ?? '');
}

describe('GET / (the dashboard page)', () => {
  it('serves the page as HTML with a strict Content-Security-Policy and no caching of the page itself', async () => {
    const response = await handlerOver([outDir])(restEvent('/'));

    expect(response.statusCode).toBe(200);
    expect(response.headers).toMatchObject({
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-cache',
      'x-content-type-options': 'nosniff',
    });
    const csp = String(response.headers?.['content-security-policy']);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|https?:/);
  });

  it('refers only to relative URLs, with no inline script or style, so it works under any stage path', async () => {
    const { body } = await handlerOver([outDir])(restEvent('/'));

    for (const url of referencedUrls(body)) expect(url, url).not.toMatch(/^(\/|[a-z]+:\/\/)/i);
    expect(body).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(body).not.toMatch(/\bstyle=|<style/);
    expect(referencedUrls(body)).toEqual(
      expect.arrayContaining([built.manifest.script, built.manifest.stylesheet]),
    );
  });

  it('serves every asset the page links, under its content hash, cacheable for ever', async () => {
    const handler = handlerOver([outDir]);
    const { body } = await handler(restEvent('/'));

    const assets = referencedUrls(body).filter((url) => url.startsWith('assets/'));
    expect(assets).toHaveLength(2);
    for (const url of assets) {
      const response = await handler(restEvent(`/${url}`));
      expect(response.statusCode, url).toBe(200);
      expect(response.headers?.['cache-control']).toBe('public, max-age=31536000, immutable');
      expect(response.headers?.['content-type']).toMatch(
        url.endsWith('.js') ? /^text\/javascript/ : /^text\/css/,
      );
      expect(url).toMatch(/\.[A-Z0-9]{8}\.(js|css)$/);
      expect(response.body.length).toBeGreaterThan(1000);
    }
  });

  it('redirects a stage root reached without its trailing slash, relative to where it was asked', async () => {
    const event = restEvent('/', { stage: 'prod' });
    event.requestContext.path = '/prod';

    const response = await handlerOver([outDir])(event);

    expect(response.statusCode).toBe(302);
    expect(response.headers?.location).toBe('prod/');
  });

  it('serves the page under a stage when the trailing slash is there', async () => {
    const response = await handlerOver([outDir])(restEvent('/', { stage: 'prod' }));

    expect(response.statusCode).toBe(200);
  });

  it('answers an asset the build does not have with a 404 in the error shape', async () => {
    const response = await handlerOver([outDir])(restEvent('/assets/main.AAAAAAAA.js'));

    expect(response.statusCode).toBe(404);
    expect(JSON.parse(response.body)).toEqual({
      error: 'NotFound',
      message: expect.stringContaining('asset'),
    });
  });

  it('says how to build the dashboard when no build is found, instead of a blank page', async () => {
    const handler = handlerOver([join(outDir, 'nowhere')]);

    const response = await handler(restEvent('/'));

    expect(response.statusCode).toBe(503);
    expect(JSON.parse(response.body).message).toContain('npm run build:dashboard');
  });

  it('keeps the JSON API unchanged beside the page', async () => {
    const response = await handlerOver([outDir])(restEvent('/stats/summary'));

    expect(response.statusCode).toBe(200);
    expect(response.headers?.['content-type']).toMatch(/^application\/json/);
  });
});

describe('the dashboard build', () => {
  it('bundles uPlot and the styles, and nothing of zod, into two small files', async () => {
    const script = built.assets.find((asset) => asset.file.endsWith('.js'));
    const stylesheet = built.assets.find((asset) => asset.file.endsWith('.css'));
    const code = await readFile(join(outDir, built.manifest.script), 'utf8');

    expect(code).toContain('uplot');
    expect(code).not.toMatch(/ZodError|\$ZodType/);
    expect(script?.gzipBytes).toBeLessThan(60_000);
    expect(stylesheet?.gzipBytes).toBeLessThan(10_000);
  });
});
