/**
 * An HTTP front for the api function: turns each request into an API Gateway REST proxy event and
 * the handler's result back into an HTTP response, as API Gateway's Lambda proxy integration does.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { proxyEventOf } from './api-gateway-event.js';
import { readBody, startHttpServer } from './http-server.js';

export type ProxyHandler = (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;

export interface ApiFront {
  url: string;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 10 * 1024 * 1024;

/**
 * @param handler - invoked once per request
 * @param port - 0 picks a free port
 */
export async function startApiFront(
  handler: ProxyHandler,
  port: number,
  host = '127.0.0.1',
): Promise<ApiFront> {
  const server = await startHttpServer(
    (request, response) => serve(handler, request, response),
    (response) => writeJson(response, 502, { error: 'BadGateway', message: 'internal server error' }),
    port,
    host,
  );
  return { url: `http://${host}:${server.port}/`, close: server.close };
}

async function serve(
  handler: ProxyHandler,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const body = await readBody(request, MAX_BODY_BYTES);
  if (body === undefined) {
    writeJson(response, 413, {
      error: 'PayloadTooLarge',
      message: `request body exceeds ${MAX_BODY_BYTES} bytes`,
    });
    return;
  }
  const result = await handler(toProxyEvent(request, body));
  const headers: Record<string, string | string[]> = { ...stringHeaders(result.headers) };
  for (const [name, values] of Object.entries(result.multiValueHeaders ?? {}))
    headers[name] = values.map(String);
  response.writeHead(result.statusCode, headers);
  response.end(result.isBase64Encoded ? Buffer.from(result.body, 'base64') : result.body);
}

/** The REST (v1) proxy event API Gateway would send for this request. */
function toProxyEvent(request: IncomingMessage, body: string): APIGatewayProxyEvent {
  return proxyEventOf({
    method: request.method ?? 'GET',
    url: request.url ?? '/',
    headers: request.headers,
    body,
    sourceIp: request.socket.remoteAddress,
    httpVersion: request.httpVersion,
  });
}

function stringHeaders(headers: APIGatewayProxyResult['headers']): Record<string, string> {
  return Object.fromEntries(Object.entries(headers ?? {}).map(([name, value]) => [name, String(value)]));
}

function writeJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  response.end(JSON.stringify(body));
}
