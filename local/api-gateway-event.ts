/**
 * The REST (v1) proxy event API Gateway sends the api function for one request. The local API front
 * (api-gateway.ts) builds it for each HTTP request, `npm run event -- api` for a request on the command
 * line: one builder, so a generated event is what the function receives behind the front.
 */
import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { LOCAL_ACCOUNT } from './local-resources.js';

/** The stage the local API is served under. */
export const LOCAL_STAGE = 'local';

/** What the event is made from: an HTTP request, as the front read it. */
export interface ProxyRequest {
  method: string;
  /** The path and query, e.g. `/stats/authors?limit=5`. */
  url: string;
  /** Header names in lower case; a repeated header has several values. */
  headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  /** The body as text; empty for none. */
  body: string;
  /** @default '127.0.0.1' */
  sourceIp?: string;
  /** @default '1.1' */
  httpVersion?: string;
}

/**
 * @param request - the method, path and query, headers and body
 * @example proxyEventOf({ method: 'GET', url: '/stats/summary', headers: {}, body: '' })
 */
export function proxyEventOf(request: ProxyRequest): APIGatewayProxyEvent {
  const url = new URL(request.url, 'http://localhost');
  const method = request.method;
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined) continue;
    const values = typeof value === 'string' ? [value] : [...value];
    headers[name] = values.join(',');
    multiValueHeaders[name] = values;
  }
  const query: Record<string, string> = {};
  const multiQuery: Record<string, string[]> = {};
  for (const [name, value] of url.searchParams) {
    query[name] = value;
    multiQuery[name] = [...(multiQuery[name] ?? []), value];
  }
  const hasQuery = Object.keys(query).length > 0;
  return {
    resource: '/{proxy+}',
    path: url.pathname,
    httpMethod: method,
    headers,
    multiValueHeaders,
    queryStringParameters: hasQuery ? query : null,
    multiValueQueryStringParameters: hasQuery ? multiQuery : null,
    pathParameters: url.pathname === '/' ? null : { proxy: url.pathname.slice(1) },
    stageVariables: null,
    body: request.body === '' ? null : request.body,
    isBase64Encoded: false,
    requestContext: {
      accountId: LOCAL_ACCOUNT,
      apiId: 'local',
      authorizer: undefined,
      protocol: `HTTP/${request.httpVersion ?? '1.1'}`,
      httpMethod: method,
      identity: localIdentity(request.sourceIp ?? '127.0.0.1', headers['user-agent'] ?? null),
      path: `/${LOCAL_STAGE}${url.pathname}`,
      stage: LOCAL_STAGE,
      requestId: randomUUID(),
      requestTimeEpoch: Date.now(),
      resourceId: 'local',
      resourcePath: '/{proxy+}',
    },
  };
}

function localIdentity(
  sourceIp: string,
  userAgent: string | null,
): APIGatewayProxyEvent['requestContext']['identity'] {
  return {
    accessKey: null,
    accountId: null,
    apiKey: null,
    apiKeyId: null,
    caller: null,
    clientCert: null,
    cognitoAuthenticationProvider: null,
    cognitoAuthenticationType: null,
    cognitoIdentityId: null,
    cognitoIdentityPoolId: null,
    principalOrgId: null,
    sourceIp,
    user: null,
    userAgent,
    userArn: null,
  };
}
