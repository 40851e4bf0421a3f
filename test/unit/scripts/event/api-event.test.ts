import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../../functions/shared/errors.js';
import { LOCAL_ACCOUNT } from '../../../../local/local-resources.js';
import { apiEventOf } from '../../../../scripts/event/api-event.js';

describe('the API Gateway event of a request', () => {
  it('has the proxy integration’s fields for the path', () => {
    const event = apiEventOf('get', '/stats/summary');

    expect(event).toMatchObject({
      resource: '/{proxy+}',
      httpMethod: 'GET',
      path: '/stats/summary',
      pathParameters: { proxy: 'stats/summary' },
      queryStringParameters: null,
      multiValueQueryStringParameters: null,
      body: null,
      isBase64Encoded: false,
      requestContext: {
        accountId: LOCAL_ACCOUNT,
        httpMethod: 'GET',
        stage: 'local',
        path: '/local/stats/summary',
        resourcePath: '/{proxy+}',
      },
    });
    expect(event.requestContext.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('carries query parameters, the last of a repeated one single-valued and all of them multi-valued', () => {
    const event = apiEventOf('GET', '/stats/authors', ['limit=5', 'sort=commits', 'limit=7']);

    expect(event.queryStringParameters).toEqual({ limit: '7', sort: 'commits' });
    expect(event.multiValueQueryStringParameters).toEqual({ limit: ['5', '7'], sort: ['commits'] });
  });

  it('has no proxy path parameter at the root', () => {
    expect(apiEventOf('GET', '/').pathParameters).toBeNull();
  });

  it.each([
    ['FETCH', '/stats/summary', [], /unknown HTTP method "FETCH"/],
    ['GET', 'stats/summary', [], /the path starts with \//],
    ['GET', '/stats/authors?limit=5', [], /give it with --query/],
    ['GET', '/stats/authors', ['limit'], /--query takes name=value, got "limit"/],
  ])('refuses %s %s %j with a usage error', (method, path, query, message) => {
    expect(() => apiEventOf(method, path, query)).toThrow(UsageError);
    expect(() => apiEventOf(method, path, query)).toThrow(message);
  });
});
