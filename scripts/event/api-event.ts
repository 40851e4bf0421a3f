/**
 * The API Gateway REST proxy event of one request to the api, as the local API front builds it
 * (local/api-gateway-event.ts), from a method, a path and query parameters given on the command line.
 */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { UsageError } from '../../functions/shared/errors.js';
import { proxyEventOf } from '../../local/api-gateway-event.js';

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

/**
 * @param method - an HTTP method, any case
 * @param path - from the API's root, e.g. `/stats/summary`
 * @param query - `name=value` pairs, in order (a name may repeat)
 * @throws UsageError on an unknown method, a path without a leading `/`, or a pair without `=`
 * @example apiEventOf('GET', '/stats/authors', ['limit=5'])
 */
export function apiEventOf(
  method: string,
  path: string,
  query: readonly string[] = [],
): APIGatewayProxyEvent {
  const verb = method.toUpperCase();
  if (!(METHODS as readonly string[]).includes(verb)) {
    throw new UsageError(`unknown HTTP method ${JSON.stringify(method)}: one of ${METHODS.join(', ')}`);
  }
  if (!path.startsWith('/') || path.includes('?')) {
    throw new UsageError(
      `the path starts with / and has no query (give it with --query), got ${JSON.stringify(path)}`,
    );
  }
  const params = new URLSearchParams();
  for (const pair of query) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new UsageError(`--query takes name=value, got ${JSON.stringify(pair)}`);
    params.append(pair.slice(0, at), pair.slice(at + 1));
  }
  const search = params.size > 0 ? `?${params}` : '';
  return proxyEventOf({
    method: verb,
    url: `${path}${search}`,
    headers: { accept: 'application/json' },
    body: '',
  });
}
