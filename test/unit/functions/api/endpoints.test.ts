import { describe, expect, it, vi } from 'vitest';
import { DatabaseUnavailableError } from '../../../../functions/shared/errors.js';
import { settings } from '../../../../functions/shared/settings.js';
import { callApi, emptyData, sampleData, sampleRepository, silentLogger } from '../../../support/api-call.js';
import { FakeStatsRepository } from '../../../support/fake-stats-repository.js';

const JSON_HEADERS = {
  'content-type': 'application/json; charset=utf-8',
  'access-control-allow-origin': '*',
  'cache-control': 'no-store',
};

describe('GET /stats/summary', () => {
  it('returns the totals in camelCase', async () => {
    const response = await callApi(sampleRepository(), '/stats/summary');

    expect(response.statusCode).toBe(200);
    expect(response.body).toEqual(sampleData().summary);
    expect(Object.keys(response.body)).toEqual([
      'commits',
      'authors',
      'linesAdded',
      'linesDeleted',
      'avgEntropy',
      'suspiciousCommits',
      'firstEventTime',
      'lastEventTime',
      'lastIngestedAt',
    ]);
  });

  it('answers an empty database with zeros and nulls, not an error', async () => {
    const response = await callApi(new FakeStatsRepository(emptyData()), '/stats/summary');

    expect(response.statusCode).toBe(200);
    expect(response.body).toEqual({
      commits: 0,
      authors: 0,
      linesAdded: 0,
      linesDeleted: 0,
      avgEntropy: null,
      suspiciousCommits: 0,
      firstEventTime: null,
      lastEventTime: null,
      lastIngestedAt: null,
    });
  });
});

describe('GET /stats/authors, /stats/modules, /stats/languages', () => {
  it('lists authors by commits descending, ties by name ascending, with paging metadata', async () => {
    const response = await callApi(sampleRepository(), '/stats/authors');

    expect(response.statusCode).toBe(200);
    expect(response.body).toMatchObject({ total: 3, limit: 50, offset: 0 });
    expect(response.body.items.map((item: { author: string }) => item.author)).toEqual([
      'person_1',
      'person_2',
      'person 1',
    ]);
    expect(response.body.items[0]).toEqual({
      author: 'person_1',
      commits: 12,
      linesAdded: 10,
      linesDeleted: 5,
      avgEntropy: 0.3,
      maxEntropy: 0.9,
      suspiciousCommits: 0,
      firstEventTime: '2024-01-01T00:00:43.000Z',
      lastEventTime: '2024-01-01T11:59:13.000Z',
    });
  });

  it('pages deterministically: consecutive pages cover the list once', async () => {
    const repository = sampleRepository();

    const pages = await Promise.all(
      [0, 1, 2].map((offset) =>
        callApi(repository, '/stats/authors', {
          query: { sort: 'churn', order: 'asc', limit: '1', offset: String(offset) },
        }),
      ),
    );

    expect(pages.map((page) => page.body.items[0].author)).toEqual(['person_1', 'person_2', 'person 1']);
    expect(pages.every((page) => page.body.total === 3)).toBe(true);
  });

  it('returns an empty page past the end, with the total', async () => {
    const response = await callApi(sampleRepository(), '/stats/authors', { query: { offset: '10' } });

    expect(response.body).toEqual({ items: [], total: 3, limit: 50, offset: 10 });
  });

  it.each([
    ['/stats/modules', 'module', '/security/auth'],
    ['/stats/languages', 'language', 'py'],
  ])('keys the items of %s by %s', async (path, dimension, first) => {
    const response = await callApi(sampleRepository(), path);

    expect(response.statusCode).toBe(200);
    expect(response.body.items[0]).toMatchObject({ [dimension]: first, commits: 20 });
    expect(response.body.items[0]).not.toHaveProperty('author');
    expect(response.body.items[0]).not.toHaveProperty('key');
  });
});

describe('GET /stats/{collection}/{key}', () => {
  it('returns one author in the item shape', async () => {
    const response = await callApi(sampleRepository(), '/stats/authors/person_2');

    expect(response.statusCode).toBe(200);
    expect(response.body).toMatchObject({ author: 'person_2', commits: 12, suspiciousCommits: 1 });
  });

  it('answers an unknown author with 404 naming it', async () => {
    const response = await callApi(sampleRepository(), '/stats/authors/person_999');

    expect(response.statusCode).toBe(404);
    expect(response.body).toEqual({ error: 'NotFound', message: 'author "person_999" not found' });
  });

  it('returns one module addressed with an encoded slash', async () => {
    const response = await callApi(sampleRepository(), '/stats/modules/%2Fcore%2Fapi');

    expect(response.statusCode).toBe(200);
    expect(response.body).toMatchObject({ module: '/core/api' });
  });
});

describe('GET /stats/timeline', () => {
  it('returns the configured window length and the windows oldest first', async () => {
    const response = await callApi(sampleRepository(), '/stats/timeline');

    expect(response.statusCode).toBe(200);
    expect(response.body.windowSeconds).toBe(settings.analytics.windowSeconds);
    expect(response.body.items.map((w: { windowStart: string }) => w.windowStart)).toEqual([
      '2024-01-01T00:00:00.000Z',
      '2024-01-01T00:05:00.000Z',
      '2024-01-01T00:10:00.000Z',
      '2024-01-01T00:15:00.000Z',
      '2024-01-01T00:20:00.000Z',
    ]);
    expect(response.body.nextFrom).toBeNull();
    expect(response.body.items[1]).toEqual({
      windowStart: '2024-01-01T00:05:00.000Z',
      commits: 3,
      linesAdded: 30,
      linesDeleted: 9,
      avgEntropy: 0.5,
      suspiciousCommits: 2,
    });
  });

  it('treats from as inclusive and to as exclusive', async () => {
    const response = await callApi(sampleRepository(), '/stats/timeline', {
      query: { from: '2024-01-01T00:05:00Z', to: '2024-01-01T00:15:00Z' },
    });

    expect(response.body.items.map((w: { windowStart: string }) => w.windowStart)).toEqual([
      '2024-01-01T00:05:00.000Z',
      '2024-01-01T00:10:00.000Z',
    ]);
  });

  it('pages with nextFrom until every window was seen once', async () => {
    const repository = sampleRepository();
    const seen: string[] = [];
    let from: string | null = '2024-01-01T00:00:00Z';

    while (from !== null) {
      const page = await callApi(repository, '/stats/timeline', { query: { from, limit: '2' } });
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.items.map((w: { windowStart: string }) => w.windowStart));
      from = page.body.nextFrom;
    }

    expect(seen).toEqual(sampleData().windows.map((w) => w.windowStart));
  });
});

describe('GET /commits/suspicious', () => {
  it('lists the latest event first, then by commit id, one item per commit and reason', async () => {
    const response = await callApi(sampleRepository(), '/commits/suspicious');

    expect(response.statusCode).toBe(200);
    expect(
      response.body.items.map((c: { commitId: string; reason: string }) => `${c.commitId}:${c.reason}`),
    ).toEqual(['c_0000003:entropy', 'c_0000001:entropy', 'c_0000002:author-outlier', 'c_0000002:entropy']);
    expect(Object.keys(response.body.items[0]).sort()).toEqual(
      [
        'author',
        'commitId',
        'entropy',
        'eventTime',
        'filePath',
        'linesAdded',
        'linesDeleted',
        'reason',
      ].sort(),
    );
  });

  it('shows a commit flagged for both reasons once when a reason is given', async () => {
    const response = await callApi(sampleRepository(), '/commits/suspicious', {
      query: { author: 'person_1', reason: 'entropy' },
    });

    expect(response.body).toEqual({
      items: [expect.objectContaining({ commitId: 'c_0000002', reason: 'entropy', author: 'person_1' })],
    });
  });

  it('honours limit', async () => {
    const response = await callApi(sampleRepository(), '/commits/suspicious', { query: { limit: '1' } });

    expect(response.body.items).toHaveLength(1);
  });
});

describe('response headers', () => {
  it.each([
    '/stats/summary',
    '/stats/authors',
    '/health',
    '/openapi.json',
    '/nope',
    '/stats/authors?limit=0',
  ])('%s is JSON, CORS-enabled and not cached', async (path) => {
    const [pathname, query] = path.split('?');
    const response = await callApi(sampleRepository(), pathname ?? path, {
      query: query ? Object.fromEntries(new URLSearchParams(query)) : {},
    });

    expect(response.headers).toMatchObject(JSON_HEADERS);
    expect(() => JSON.parse(response.rawBody)).not.toThrow();
  });
});

describe('failures', () => {
  it('GET /health answers 503 {"status":"unavailable"} when the database cannot be reached, and logs why', async () => {
    // Prepare
    const repository = sampleRepository();
    repository.failure = new DatabaseUnavailableError('RDS Data API call failed (ECONNREFUSED 10.0.0.1:443)');
    const logger = silentLogger();
    const logError = vi.spyOn(logger, 'error');

    // Act
    const response = await callApi(repository, '/health', { logger });

    // Assess
    expect(response.statusCode).toBe(503);
    expect(response.body).toEqual({ status: 'unavailable' });
    expect(logError).toHaveBeenCalledWith(
      'request degraded',
      expect.objectContaining({ error: repository.failure }),
    );
  });

  it('a data route answers 503 ServiceUnavailable without the internal reason', async () => {
    const repository = sampleRepository();
    repository.failure = new DatabaseUnavailableError('RDS Data API call failed (ECONNREFUSED 10.0.0.1:443)');

    const response = await callApi(repository, '/stats/summary');

    expect(response.statusCode).toBe(503);
    expect(response.body).toEqual({ error: 'ServiceUnavailable', message: expect.any(String) });
    expect(response.rawBody).not.toContain('10.0.0.1');
  });

  it('an unexpected error is a 500 whose body carries neither its message nor its stack, but is logged', async () => {
    // Prepare
    const repository = sampleRepository();
    repository.failure = new TypeError('column avg_entropy is not a number (SELECT secret FROM pipeline.x)');
    const logger = silentLogger();
    const logError = vi.spyOn(logger, 'error');

    // Act
    const response = await callApi(repository, '/stats/authors', { logger });

    // Assess
    expect(response.statusCode).toBe(500);
    expect(response.body).toEqual({ error: 'InternalError', message: 'internal error' });
    expect(response.rawBody).not.toMatch(/avg_entropy|secret|TypeError|at .*\.ts|stack/);
    expect(logError).toHaveBeenCalledWith(
      'request failed',
      expect.objectContaining({ error: repository.failure }),
    );
  });

  it('every error body has exactly error and message, and no stack trace', async () => {
    const failing = sampleRepository();
    failing.failure = new Error('boom');
    const responses = await Promise.all([
      callApi(sampleRepository(), '/nope'),
      callApi(sampleRepository(), '/stats/authors', { query: { limit: '0' } }),
      callApi(sampleRepository(), '/stats/authors/%'),
      callApi(sampleRepository(), '/stats/authors/nobody'),
      callApi(sampleRepository(), '/stats/summary', { method: 'POST' }),
      callApi(failing, '/stats/timeline'),
    ]);

    for (const response of responses) {
      expect(response.statusCode).toBeGreaterThanOrEqual(400);
      expect(Object.keys(response.body).sort()).toEqual(['error', 'message']);
      expect(response.rawBody).not.toMatch(/\n\s+at |stack/);
    }
  });

  it('sets the request id as the correlation id of the logs', async () => {
    const logger = silentLogger();
    const setCorrelationId = vi.spyOn(logger, 'setCorrelationId');

    await callApi(sampleRepository(), '/health', { logger });

    expect(setCorrelationId).toHaveBeenCalledWith('req-123');
  });
});
