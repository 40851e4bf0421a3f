/**
 * Method + path → route. Routes on `event.path` alone, so the same handler works behind a `{proxy+}`
 * resource and behind explicit resources (REST APIs leave the stage prefix out of `path`).
 */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { BadRequestError, NotFoundError } from '../shared/errors.js';
import { DIMENSIONS, type Dimension } from '../shared/vocabulary.js';
import type { JsonRoute } from './endpoints.js';
import { COLLECTIONS } from './listing-vocabulary.js';

/** The JSON routes of `endpoints.ts`, and the dashboard's page and files. */
export type Route = JsonRoute | { name: 'dashboard' } | { name: 'asset'; file: string };

/** What to do with a request whose path is known; `allow` is the method the path serves. */
export type Dispatch =
  | { kind: 'route'; route: Route }
  | { kind: 'preflight'; allow: string }
  | { kind: 'method-not-allowed'; method: string; allow: string };

/** The only method the API serves (OPTIONS preflights are answered separately). */
const ALLOWED_METHOD = 'GET';

/** Collection segment under `/stats/` → dimension. */
const DIMENSION_OF: Readonly<Record<string, Dimension>> = Object.fromEntries(
  DIMENSIONS.map((dimension) => [COLLECTIONS[dimension], dimension]),
);

const FIXED_ROUTES: Readonly<Record<string, Route>> = {
  '/': { name: 'dashboard' },
  '/health': { name: 'health' },
  '/openapi.json': { name: 'openapi' },
  '/stats/summary': { name: 'summary' },
  ...Object.fromEntries(
    DIMENSIONS.map((dimension): [string, Route] => [
      `/stats/${COLLECTIONS[dimension]}`,
      { name: 'groups', dimension },
    ]),
  ),
  '/stats/timeline': { name: 'timeline' },
  '/commits/suspicious': { name: 'suspicious' },
};

/** `/stats/{collection}/{key}`; the key is the (still encoded) rest of the path. */
const GROUP_ITEM = /^\/stats\/(authors|modules|languages)\/(.+)$/;

/** `/assets/{file}`: the dashboard's hashed files; no path separators, no encoding. */
const ASSET = /^\/assets\/([A-Za-z0-9_-][A-Za-z0-9._-]*)$/;

/**
 * Finds the route of a path.
 *
 * One trailing slash is tolerated. The key of `/stats/{collection}/{key}` is the rest of the path,
 * percent-decoded, so a module such as `/security/auth` is reachable both as `%2Fsecurity%2Fauth` and
 * as `/security/auth` (when a proxy has already decoded `%2F`).
 *
 * @param path - `event.path`, percent-encoded as received
 * @returns the route, or undefined when no route has this path
 * @throws BadRequestError when the key is not valid percent-encoding
 */
export function matchPath(path: string): Route | undefined {
  const trimmed = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
  const fixed = Object.hasOwn(FIXED_ROUTES, trimmed) ? FIXED_ROUTES[trimmed] : undefined;
  if (fixed) return fixed;
  const asset = ASSET.exec(trimmed)?.[1];
  if (asset) return { name: 'asset', file: asset };
  const item = GROUP_ITEM.exec(trimmed);
  const dimension = item?.[1] === undefined ? undefined : DIMENSION_OF[item[1]];
  if (!item?.[2] || !dimension) return undefined;
  return { name: 'group', dimension, key: decodePathSegment(item[2]) };
}

/**
 * Decides how to serve a request: a route for GET, a preflight answer for OPTIONS, 405 otherwise.
 *
 * @param method - `event.httpMethod`
 * @param path - `event.path`
 * @throws NotFoundError when no route has this path (whatever the method)
 * @throws BadRequestError when the path is not valid percent-encoding
 */
export function dispatch(method: string, path: string): Dispatch {
  const route = matchPath(path);
  if (!route) throw new NotFoundError(`no route for ${path}`);
  const upper = method.toUpperCase();
  if (upper === ALLOWED_METHOD) return { kind: 'route', route };
  if (upper === 'OPTIONS') return { kind: 'preflight', allow: ALLOWED_METHOD };
  return { kind: 'method-not-allowed', method: upper, allow: ALLOWED_METHOD };
}

function decodePathSegment(encoded: string): string {
  let decoded: string;
  try {
    decoded = decodeURIComponent(encoded);
  } catch {
    throw new BadRequestError('the path is not valid percent-encoding');
  }
  // No stored key can hold NUL (PostgreSQL text cannot); refuse it before it reaches SQL.
  if (decoded.includes('\0')) throw new BadRequestError('the path must not contain NUL characters');
  return decoded;
}

/**
 * The absolute base URL the client used to reach the API, stage or custom-domain base path included:
 * `requestContext.path` minus `event.path`. Undefined when the event does not tell (e.g. a bare test event).
 *
 * @example serverUrlOf(event) === 'https://abc.execute-api.eu-west-1.amazonaws.com/prod'
 */
export function serverUrlOf(
  event: Pick<APIGatewayProxyEvent, 'path' | 'headers' | 'requestContext'>,
): string | undefined {
  const context: Partial<APIGatewayProxyEvent['requestContext']> | undefined = event.requestContext;
  const host = context?.domainName;
  const fullPath = context?.path;
  if (!host || !fullPath || !event.path || !fullPath.endsWith(event.path)) return undefined;
  const forwarded = Object.entries(event.headers ?? {}).find(
    ([name]) => name.toLowerCase() === 'x-forwarded-proto',
  );
  const protocol = forwarded?.[1] === 'http' ? 'http' : 'https';
  return `${protocol}://${host}${fullPath.slice(0, fullPath.length - event.path.length)}`;
}
