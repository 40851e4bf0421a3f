import { describe, expect, it } from 'vitest';
import { createApiHandler } from '../../../../functions/api/handler.js';
import { matchPath, serverUrlOf } from '../../../../functions/api/router.js';
import { callApi, sampleRepository, silentLogger } from '../../../support/api-call.js';
import { restEvent } from '../../../support/api-events.js';

describe('routing', () => {
  it('GET /health answers {"status":"ok"} when the database answers', async () => {
    // Prepare
    const repository = sampleRepository();

    // Act
    const response = await callApi(repository, '/health');

    // Assess
    expect(response.statusCode).toBe(200);
    expect(response.body).toEqual({ status: 'ok' });
    expect(repository.calls.map((call) => call.method)).toEqual(['ping']);
  });

  it.each([
    '/stats',
    '/stats/unknown',
    '/commits',
    '/Stats/Summary',
    '/stats//summary',
    '/health/x',
    '/index.html',
    '/assets',
    '/assets/a/b.js',
    '/assets/..%2Fpackage.json',
    '/assets/.hidden',
  ])('an unknown path %s is a 404 with the error shape', async (path) => {
    const response = await callApi(sampleRepository(), path);

    expect(response.statusCode).toBe(404);
    expect(response.body).toEqual({ error: 'NotFound', message: expect.stringContaining('no route') });
  });

  it.each(['POST', 'PUT', 'PATCH', 'DELETE', 'HEAD'])(
    '%s on a known path is a 405 that names the allowed method',
    async (method) => {
      const repository = sampleRepository();

      const response = await callApi(repository, '/stats/authors', { method });

      expect(response.statusCode).toBe(405);
      expect(response.headers.allow).toBe('GET');
      expect(response.body).toEqual({ error: 'MethodNotAllowed', message: expect.stringContaining(method) });
      expect(repository.calls).toEqual([]);
    },
  );

  it('a non-GET method on an unknown path is a 404, not a 405', async () => {
    const response = await callApi(sampleRepository(), '/nope', { method: 'POST' });

    expect(response.statusCode).toBe(404);
  });

  it('an OPTIONS preflight on a known path is answered 204 with CORS headers and no body', async () => {
    const repository = sampleRepository();

    const response = await callApi(repository, '/stats/authors/person_1', { method: 'OPTIONS' });

    expect(response.statusCode).toBe(204);
    expect(response.rawBody).toBe('');
    expect(response.headers).toMatchObject({
      'access-control-allow-origin': '*',
      'access-control-allow-methods': expect.stringContaining('GET'),
      'access-control-allow-headers': expect.stringContaining('content-type'),
    });
    expect(repository.calls).toEqual([]);
  });

  it.each([
    ['/health/', 'health'],
    ['/stats/summary/', 'summary'],
    ['/stats/authors/', 'groups'],
    ['/stats/timeline/', 'timeline'],
    ['/commits/suspicious/', 'suspicious'],
    ['/openapi.json/', 'openapi'],
    ['/stats/authors/person_1/', 'group'],
  ])('a trailing slash is tolerated: %s', (path, name) => {
    expect(matchPath(path)?.name).toBe(name);
  });

  it('the collection path with a trailing slash lists authors rather than looking up an empty name', async () => {
    const response = await callApi(sampleRepository(), '/stats/authors/');

    expect(response.statusCode).toBe(200);
    expect(response.body.items).toHaveLength(3);
  });

  it('a URL-encoded author (person%201) is decoded before the lookup', async () => {
    const repository = sampleRepository();

    const response = await callApi(repository, '/stats/authors/person%201');

    expect(response.statusCode).toBe(200);
    expect(response.body.author).toBe('person 1');
    expect(repository.calls).toEqual([{ method: 'findGroup', args: ['author', 'person 1'] }]);
  });

  it('a module holding slashes is reachable encoded (%2F) and, after a proxy decoded it, raw', () => {
    expect(matchPath('/stats/modules/%2Fsecurity%2Fauth')).toEqual({
      name: 'group',
      dimension: 'module',
      key: '/security/auth',
    });
    expect(matchPath('/stats/modules//security/auth')).toEqual({
      name: 'group',
      dimension: 'module',
      key: '/security/auth',
    });
    expect(matchPath('/stats/languages/py')).toEqual({ name: 'group', dimension: 'language', key: 'py' });
  });

  it.each(['/stats/authors/%', '/stats/authors/person%2', '/stats/authors/%E0%A4%A', '/stats/modules/%FF'])(
    'malformed percent-encoding in %s is a 400, not a crash',
    async (path) => {
      const repository = sampleRepository();

      const response = await callApi(repository, path);

      expect(response.statusCode).toBe(400);
      expect(response.body).toEqual({
        error: 'BadRequest',
        message: expect.stringContaining('percent-encoding'),
      });
      expect(repository.calls).toEqual([]);
    },
  );

  it('routes on event.path alone, whatever resource and pathParameters API Gateway filled in', async () => {
    const handle = createApiHandler({}, { repository: sampleRepository(), logger: silentLogger() });
    const event = {
      ...restEvent('/stats/authors/person%201'),
      resource: '/stats/authors/{author}',
      pathParameters: { author: 'something else' },
    };

    const response = await handle(event);

    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body).author).toBe('person 1');
  });
});

describe('serverUrlOf', () => {
  it('keeps the stage the client used, which event.path leaves out', () => {
    expect(serverUrlOf(restEvent('/stats/summary', { stage: 'prod' }))).toBe(
      'https://abc.execute-api.eu-west-1.amazonaws.com/prod',
    );
  });

  it('follows x-forwarded-proto for a local http front', () => {
    const event = restEvent('/openapi.json', { stage: 'local', headers: { 'X-Forwarded-Proto': 'http' } });

    expect(serverUrlOf(event)).toBe('http://abc.execute-api.eu-west-1.amazonaws.com/local');
  });

  it('is undefined when the event does not say where the API was reached', () => {
    expect(serverUrlOf(restEvent('/openapi.json'))).toBeUndefined();
  });
});
