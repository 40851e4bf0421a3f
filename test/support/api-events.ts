/**
 * Factories for API Gateway REST proxy events, shaped like the ones API Gateway and the local runtime send.
 */
import type { APIGatewayProxyEvent } from 'aws-lambda';

export interface EventOptions {
  method?: string;
  /** Query parameters as API Gateway decodes them; an array value also fills the multi-value map. */
  query?: Record<string, string | string[]>;
  /** Adds `requestContext.domainName`/`path` as a stage-prefixed API would. */
  stage?: string;
  headers?: Record<string, string>;
}

/**
 * A REST proxy event for `path` (percent-encoded, as in `event.path`).
 *
 * @example restEvent('/stats/authors', { query: { limit: '10' } })
 */
export function restEvent(path: string, options: EventOptions = {}): APIGatewayProxyEvent {
  const entries = Object.entries(options.query ?? {});
  const hasQuery = entries.length > 0;
  const requestContext = {
    requestId: 'req-123',
    stage: options.stage ?? 'local',
    path: options.stage ? `/${options.stage}${path}` : path,
    httpMethod: options.method ?? 'GET',
    ...(options.stage ? { domainName: 'abc.execute-api.eu-west-1.amazonaws.com' } : {}),
  } as APIGatewayProxyEvent['requestContext'];
  return {
    httpMethod: options.method ?? 'GET',
    path,
    resource: '/{proxy+}',
    body: null,
    isBase64Encoded: false,
    headers: options.headers ?? {},
    multiValueHeaders: {},
    pathParameters: null,
    stageVariables: null,
    queryStringParameters: hasQuery
      ? Object.fromEntries(
          entries.map(([name, value]) => [name, Array.isArray(value) ? (value.at(-1) ?? '') : value]),
        )
      : null,
    multiValueQueryStringParameters: hasQuery
      ? Object.fromEntries(entries.map(([name, value]) => [name, Array.isArray(value) ? value : [value]]))
      : null,
    requestContext,
  };
}
