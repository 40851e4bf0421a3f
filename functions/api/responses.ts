/**
 * REST proxy responses: JSON bodies with the API's common headers, and errors mapped to HTTP in one place.
 */
import type { APIGatewayProxyResult } from 'aws-lambda';
import { httpStatusOf } from '../shared/errors.js';
import type { ErrorBody } from './read-model.js';

export type { ErrorBody } from './read-model.js';

const COMMON_HEADERS = {
  'access-control-allow-origin': '*',
  'cache-control': 'no-store',
} as const;

/** How long a browser may cache a preflight answer. */
const PREFLIGHT_MAX_AGE_SECONDS = 86_400;

/** 5xx messages: the underlying error's message is not shown (it may name hosts, ARNs or SQL). */
const GENERIC_MESSAGES: Readonly<Record<number, string>> = {
  503: 'the database is unavailable; try again later',
};

/**
 * A JSON response with the common headers.
 *
 * @param statusCode - the HTTP status
 * @param body - any JSON-serialisable value
 */
export function json(
  statusCode: number,
  body: unknown,
  headers: Record<string, string> = {},
): APIGatewayProxyResult {
  return {
    statusCode,
    headers: { 'content-type': 'application/json; charset=utf-8', ...COMMON_HEADERS, ...headers },
    body: JSON.stringify(body),
  };
}

/**
 * The response for an error thrown while serving a request. 4xx messages are the error's own (typed
 * errors carry caller-safe messages); 5xx bodies carry a fixed message, never the error's.
 *
 * @param error - anything thrown
 */
export function errorResponse(error: unknown): APIGatewayProxyResult {
  const { statusCode, code } = httpStatusOf(error);
  const message =
    statusCode < 500 && error instanceof Error
      ? error.message
      : (GENERIC_MESSAGES[statusCode] ?? 'internal error');
  return json(statusCode, { error: code as ErrorBody['error'], message } satisfies ErrorBody);
}

/**
 * 405 for a method the path does not serve.
 *
 * @param method - the method asked for
 * @param allow - the method the path serves (the router's)
 */
export function methodNotAllowed(method: string, allow: string): APIGatewayProxyResult {
  const body: ErrorBody = {
    error: 'MethodNotAllowed',
    message: `method ${method} is not allowed; use ${allow}`,
  };
  return json(405, body, { allow });
}

/**
 * 204 answer to a CORS preflight on a known path.
 *
 * @param allow - the method the path serves (the router's)
 */
export function preflight(allow: string): APIGatewayProxyResult {
  return {
    statusCode: 204,
    headers: {
      ...COMMON_HEADERS,
      allow,
      'access-control-allow-methods': `${allow}, OPTIONS`,
      'access-control-allow-headers': 'content-type, authorization, x-api-key',
      'access-control-max-age': String(PREFLIGHT_MAX_AGE_SECONDS),
    },
    body: '',
  };
}
