/**
 * Lambda's Invoke API (`POST /2015-03-31/functions/<name>/invocations`) for the functions the embedded
 * runtime hosts, so that `npm run invoke` and any Lambda client (`@aws-sdk/client-lambda`, the AWS CLI
 * with `--endpoint-url`) invoke them as they would a deployed function. Backed by a `FunctionInvoker`.
 *
 * RequestResponse answers 200 with the result, or with `{errorType,errorMessage,stackTrace}` and
 * `X-Amz-Function-Error: Unhandled`; `X-Amz-Log-Type: Tail` adds the last 4 KB of the invocation's log,
 * base64, in `X-Amz-Log-Result`, ending in Lambda's REPORT line with the duration. Event answers 202
 * and invokes in the background; DryRun answers 204. Only SigV4-signed calls without a browser `Origin`
 * are served (sdk-caller.ts), as by the Data API server.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { messageOf } from '../functions/shared/errors.js';
import {
  EMBEDDED_FUNCTIONS,
  type FunctionInvoker,
  type InvocationOutcome,
  isEmbeddedFunction,
} from './execution/invocation.js';
import { readBody, startHttpServer } from './http-server.js';
import { browserRefusal, signatureRefusal } from './sdk-caller.js';

/** Lambda returns at most the last 4 KB of the log with `LogType: Tail`. */
export const LOG_TAIL_BYTES = 4096;
/** Lambda's limit on a synchronous invocation's request payload. */
export const MAX_PAYLOAD_BYTES = 6 * 1024 * 1024;
const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;

export interface InvokeApi {
  /** To be given to Lambda clients as their endpoint (`AWS_ENDPOINT_URL_LAMBDA`). */
  url: string;
  close(): Promise<void>;
}

/**
 * @param invoker - runs the invocations
 * @param port - 0 picks a free port
 */
export async function startInvokeApi(
  invoker: FunctionInvoker,
  port = 0,
  host = '127.0.0.1',
): Promise<InvokeApi> {
  const server = await startHttpServer(
    (request, response) => serve(invoker, request, response),
    (response, error) => writeError(response, 500, 'ServiceException', messageOf(error)),
    port,
    host,
  );
  return { url: `http://${host}:${server.port}`, close: server.close };
}

async function serve(
  invoker: FunctionInvoker,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://localhost');
  const match = INVOKE_PATH.exec(url.pathname);
  if (request.method !== 'POST' || !match?.[1]) {
    writeError(
      response,
      404,
      'UnknownOperationException',
      `${request.method} ${url.pathname} is not served here`,
    );
    return;
  }
  // Only SDK calls: a web page the developer opens must not feed the processor or start a replay.
  const refusal = browserRefusal(request.headers) ?? signatureRefusal(request.headers, 'lambda');
  if (refusal) {
    writeError(response, 403, refusal.code, refusal.message);
    return;
  }
  const name = functionNameOf(decodeURIComponent(match[1]));
  if (!isEmbeddedFunction(name)) {
    writeError(
      response,
      404,
      'ResourceNotFoundException',
      `Function not found: ${name} (the embedded runtime hosts ${EMBEDDED_FUNCTIONS.join(', ')})`,
    );
    return;
  }
  const body = await readBody(request, MAX_PAYLOAD_BYTES);
  if (body === undefined) {
    writeError(response, 413, 'RequestTooLargeException', `the payload exceeds ${MAX_PAYLOAD_BYTES} bytes`);
    return;
  }
  let event: unknown;
  try {
    event = body === '' ? {} : JSON.parse(body);
  } catch (error) {
    writeError(
      response,
      400,
      'InvalidRequestContentException',
      `the payload is not JSON: ${(error as Error).message}`,
    );
    return;
  }
  const requestId = randomUUID();
  const invocationType = request.headers['x-amz-invocation-type'] ?? 'RequestResponse';
  if (invocationType === 'DryRun') {
    response.writeHead(204, { 'x-amzn-requestid': requestId }).end();
    return;
  }
  if (invocationType === 'Event') {
    void invoker.invoke(name, event);
    response.writeHead(202, { 'x-amzn-requestid': requestId }).end();
    return;
  }
  const outcome = await invoker.invoke(name, event);
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'x-amzn-requestid': requestId,
    'x-amz-executed-version': '$LATEST',
  };
  if (!outcome.ok) headers['x-amz-function-error'] = 'Unhandled';
  if (request.headers['x-amz-log-type'] === 'Tail') {
    headers['x-amz-log-result'] = logTailOf(outcome).toString('base64');
  }
  const payload = outcome.ok ? outcome.result : outcome.error;
  response.writeHead(200, headers).end(JSON.stringify(payload ?? null));
}

/** A name, a partial ARN (`function:processor`) or a full ARN of the function: its name. */
function functionNameOf(nameOrArn: string): string {
  const parts = nameOrArn.split(':');
  const at = parts.indexOf('function');
  return at === -1 ? nameOrArn : (parts[at + 1] ?? '');
}

/**
 * The end of an invocation's log as Lambda tails it: its last {@link LOG_TAIL_BYTES} bytes. The execution
 * environment's log already holds Lambda's START, END and REPORT lines, and the runtime's error line.
 */
export function logTailOf(outcome: InvocationOutcome): Buffer {
  const bytes = Buffer.from(`${outcome.logs.join('\n')}\n`, 'utf8');
  return bytes.subarray(Math.max(0, bytes.length - LOG_TAIL_BYTES));
}

/** An error as Lambda's REST JSON protocol answers it: its type in a header and in the body. */
function writeError(response: ServerResponse, status: number, type: string, message: string): void {
  response.writeHead(status, { 'content-type': 'application/json', 'x-amzn-errortype': type });
  response.end(JSON.stringify({ Type: 'User', message }));
}
