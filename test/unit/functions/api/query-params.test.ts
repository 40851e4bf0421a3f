import { describe, expect, it } from 'vitest';
import { settings } from '../../../../functions/shared/settings.js';
import { callApi, sampleRepository } from '../../../support/api-call.js';

const GROUP_LISTS = ['/stats/authors', '/stats/modules', '/stats/languages'];

/** Asserts a 400 whose message names `parameter`, and that the database was not asked. */
async function expectBadRequest(path: string, query: Record<string, string | string[]>, parameter: string) {
  const repository = sampleRepository();

  const response = await callApi(repository, path, { query });

  expect(response.statusCode).toBe(400);
  expect(response.body).toEqual({ error: 'BadRequest', message: expect.stringContaining(parameter) });
  expect(repository.calls).toEqual([]);
}

describe.each(GROUP_LISTS)('%s parameters', (path) => {
  it('default to the first 50 by commits, descending', async () => {
    const repository = sampleRepository();

    const response = await callApi(repository, path);

    expect(response.statusCode).toBe(200);
    expect(response.body).toMatchObject({ limit: settings.api.defaultPageSize, offset: 0 });
    expect(repository.calls[0]?.args[1]).toEqual({ limit: 50, offset: 0, sort: 'commits', order: 'desc' });
  });

  it.each(['1', '1000'])('accept limit=%s at the bounds', async (limit) => {
    const response = await callApi(sampleRepository(), path, { query: { limit } });

    expect(response.statusCode).toBe(200);
    expect(response.body.limit).toBe(Number(limit));
  });

  it.each(['0', '1001', '-1', 'ten', '1.5', '1e3', ' 5', ''])('reject limit=%j', async (limit) => {
    await expectBadRequest(path, { limit }, 'limit must be an integer from 1 to 1000');
  });

  it.each(['-1', 'x', '0.5', ''])('reject offset=%j', async (offset) => {
    await expectBadRequest(path, { offset }, 'offset');
  });

  it.each(['name', 'COMMITS', 'avg_entropy', ''])(
    'reject sort=%j, listing the accepted values',
    async (sort) => {
      await expectBadRequest(path, { sort }, 'sort must be one of commits, churn, avgEntropy, suspicious');
    },
  );

  it.each(['up', 'DESC', ''])('reject order=%j', async (order) => {
    await expectBadRequest(path, { order }, 'order must be one of asc, desc');
  });

  it('pass every accepted sort and order to the repository', async () => {
    for (const sort of ['commits', 'churn', 'avgEntropy', 'suspicious']) {
      for (const order of ['asc', 'desc']) {
        const repository = sampleRepository();

        const response = await callApi(repository, path, { query: { sort, order, limit: '2', offset: '1' } });

        expect(response.statusCode).toBe(200);
        expect(repository.calls[0]?.args[1]).toEqual({ sort, order, limit: 2, offset: 1 });
      }
    }
  });

  it('ignore parameter names they do not know', async () => {
    const response = await callApi(sampleRepository(), path, { query: { stage: 'x', utm_source: 'y' } });

    expect(response.statusCode).toBe(200);
  });

  it('reject a known parameter given twice', async () => {
    await expectBadRequest(path, { limit: ['5', '10'] }, 'limit must be given at most once');
  });

  it('report every invalid parameter at once', async () => {
    const response = await callApi(sampleRepository(), path, { query: { limit: '0', sort: 'x' } });

    expect(response.body.message).toContain('limit');
    expect(response.body.message).toContain('sort');
  });
});

describe('/stats/timeline parameters', () => {
  const path = '/stats/timeline';

  it.each([
    ['2024-01-01T00:00:00Z', '2024-01-01T00:00:00.000Z'],
    ['2024-01-01T02:00:00+02:00', '2024-01-01T00:00:00.000Z'],
    ['2024-01-01T02:00:00.5+02:00', '2024-01-01T00:00:00.500Z'],
    ['2024-01-01', '2024-01-01T00:00:00.000Z'],
    // A form encoder turned "+" into a space.
    ['2024-01-01T02:00:00 02:00', '2024-01-01T00:00:00.000Z'],
  ])('accept from=%s and pass it on as UTC %s', async (from, utc) => {
    const repository = sampleRepository();

    const response = await callApi(repository, path, { query: { from } });

    expect(response.statusCode).toBe(200);
    expect(repository.calls[0]?.args[0]).toMatchObject({ from: utc });
  });

  it.each([
    'yesterday',
    '2024-01-01T00:00:00',
    '2024-13-01T00:00:00Z',
    '2024-02-30T00:00:00Z',
    '2023-02-29',
    '1704067200',
    '0001-01-01T00:00:00+01:00',
    '',
  ])('reject from=%j', async (from) => {
    await expectBadRequest(path, { from }, 'from must be');
  });

  it.each(['2024-01-01T00:00:00+25:00', 'now'])('reject to=%j', async (to) => {
    await expectBadRequest(path, { to }, 'to must be');
  });

  it('reject from after to', async () => {
    await expectBadRequest(
      path,
      { from: '2024-01-02T00:00:00Z', to: '2024-01-01T00:00:00Z' },
      'from must not be after to',
    );
  });

  it('compare from and to as instants, not as text', async () => {
    // 01:00+02:00 is 23:00Z the day before: earlier than to despite reading later.
    const response = await callApi(sampleRepository(), path, {
      query: { from: '2024-01-02T01:00:00+02:00', to: '2024-01-02T00:00:00Z' },
    });

    expect(response.statusCode).toBe(200);
  });

  it('accept from equal to to (an empty range)', async () => {
    const response = await callApi(sampleRepository(), path, {
      query: { from: '2024-01-01T00:05:00Z', to: '2024-01-01T00:05:00Z' },
    });

    expect(response.statusCode).toBe(200);
    expect(response.body.items).toEqual([]);
  });

  it.each(['0', '1001', 'all'])('reject limit=%j', async (limit) => {
    await expectBadRequest(path, { limit }, 'limit must be an integer from 1 to 1000');
  });

  it('ask the repository for the configured window length and one window more than the page', async () => {
    const repository = sampleRepository();

    await callApi(repository, path, { query: { limit: '2' } });

    expect(repository.calls[0]?.args[0]).toEqual({
      windowSeconds: settings.analytics.windowSeconds,
      from: undefined,
      to: undefined,
      limit: 3,
    });
  });
});

describe('/commits/suspicious parameters', () => {
  const path = '/commits/suspicious';

  it('default to the latest 50 of every author and reason', async () => {
    const repository = sampleRepository();

    await callApi(repository, path);

    expect(repository.calls[0]?.args[0]).toEqual({ limit: 50 });
  });

  it('pass author (exactly as given) and reason filters on', async () => {
    const repository = sampleRepository();

    await callApi(repository, path, { query: { author: 'person 1', reason: 'author-outlier', limit: '7' } });

    expect(repository.calls[0]?.args[0]).toEqual({ limit: 7, author: 'person 1', reason: 'author-outlier' });
  });

  it.each(['0', '1001', 'x'])('reject limit=%j', async (limit) => {
    await expectBadRequest(path, { limit }, 'limit must be an integer from 1 to 1000');
  });

  it.each(['infected', 'Entropy', 'author_outlier', ''])('reject reason=%j', async (reason) => {
    await expectBadRequest(path, { reason }, 'reason must be one of entropy, author-outlier');
  });

  it('reject an empty author', async () => {
    await expectBadRequest(path, { author: '' }, 'author must not be empty');
  });
});

describe('routes without parameters', () => {
  it.each(['/stats/summary', '/health', '/openapi.json', '/stats/authors/person_1'])(
    '%s ignores any query string',
    async (path) => {
      const response = await callApi(sampleRepository(), path, { query: { limit: 'nonsense' } });

      expect(response.statusCode).toBe(200);
    },
  );
});
