/**
 * A fault-injecting HTTP proxy, for the integration suites and for `npm start -- --chaos` (chaos.ts). It stands between an SDK client and a real
 * server (the Data API server, the S3 emulator, the Kinesis server) and passes every call through,
 * except the calls a rule matches, which it breaks on purpose:
 *
 * - `lose-response`: the server acts, then the client's connection is reset before any byte of the
 *   answer (a connection reset or a proxy dropping the answer: the outcome is unknown to the caller);
 * - `respond`: answer with a given error instead of the server (`after: true`: once the server acted);
 * - `delay`: the server acts, the answer is held back (past the caller's timeout);
 * - `reset`: the connection is reset before the server sees the call;
 * - `break-body`: the server's answer starts (status, headers, its full length announced), then the
 *   connection is reset after `afterBytes` bytes of the body (a stream cut off mid-download);
 * - `go-down`: the connection is reset before the server sees the call, and the proxy stops
 *   listening, dropping every open connection (answers of calls in flight are lost): every later
 *   connection is refused, as by a server that died, until `comeBack()` listens on the same port again.
 *
 * Rules match on what a call says (path, headers, body), so a test can pick "the ledger claim" or "the
 * PutRecords carrying commit c_7" precisely, and can count how often each rule fired.
 */
import {
  createServer,
  request as httpRequest,
  type IncomingHttpHeaders,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ProxiedCall {
  method: string;
  /** Path and query, as the client sent it. */
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface CannedResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export type Fault =
  | { kind: 'lose-response' }
  | { kind: 'reset' }
  | { kind: 'respond'; response: CannedResponse; after?: boolean }
  | { kind: 'delay'; ms: number }
  /** `afterBytes`: a count, or a function of the body's length (e.g. half of it). */
  | { kind: 'break-body'; afterBytes: number | ((bodyLength: number) => number) }
  | { kind: 'go-down' };

export interface FaultRule {
  /** For messages and `hits`. */
  name: string;
  match: (call: ProxiedCall) => boolean;
  fault: Fault;
  /** How many matching calls to break. @default 1 */
  times?: number;
  /** Matching calls to let through before breaking any. @default 0 */
  skip?: number;
}

export interface FaultProxy {
  /** Base URL to give the client instead of the server's. */
  readonly url: string;
  /** Points the proxy at a server (for a client that must know the proxy's URL before the server runs). */
  setTarget(target: string): void;
  /** Every call seen, in arrival order, with the rule that broke it (if one did); empty without `keepCalls`. */
  readonly calls: ReadonlyArray<ProxiedCall & { fault?: string }>;
  /** How many calls it has seen. */
  readonly callCount: number;
  /** Adds a rule; rules are tried in the order added. */
  inject(rule: FaultRule): { hits(): number };
  /** Removes every rule (calls then pass through). */
  clear(): void;
  /** True while the proxy refuses connections (after a `go-down` fault or `goDown()`). */
  readonly down: boolean;
  /** Stops listening: every open connection is dropped, every new one refused. */
  goDown(): Promise<void>;
  /** Listens again, on the same port. */
  comeBack(): Promise<void>;
  close(): Promise<void>;
}

interface ArmedRule extends FaultRule {
  matched: number;
  hits: number;
}

/**
 * @param target - the real server's base URL, e.g. `http://127.0.0.1:4510` (or later, with `setTarget`)
 * @param options.keepCalls - keep every call in `calls` (tests read them; a long run would fill memory)
 */
export async function startFaultProxy(
  target?: string,
  { keepCalls = true }: { keepCalls?: boolean } = {},
): Promise<FaultProxy> {
  let upstream = target ? new URL(target) : undefined;
  const rules: ArmedRule[] = [];
  const calls: Array<ProxiedCall & { fault?: string }> = [];
  let callCount = 0;

  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks);
      const call: ProxiedCall = {
        method: request.method ?? 'GET',
        path: request.url ?? '/',
        headers: request.headers,
        body: body.toString('utf8'),
      };
      const rule = firstArmed(rules, call);
      callCount += 1;
      if (keepCalls) calls.push({ ...call, fault: rule?.name });
      const fault = rule?.fault;

      if (fault?.kind === 'go-down') {
        request.socket.destroy();
        void goDown();
        return;
      }
      if (fault?.kind === 'reset' || !upstream) return request.socket.destroy();
      if (fault?.kind === 'respond' && !fault.after) return reply(response, fault.response);

      const forwarded = httpRequest(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: call.method,
          path: call.path,
          // The Host header stays the client's: SigV4 signatures cover it.
          headers: request.headers,
        },
        (answer) => {
          const parts: Buffer[] = [];
          answer.on('data', (chunk: Buffer) => parts.push(chunk));
          answer.on('end', () => {
            const real: CannedResponse = {
              status: answer.statusCode ?? 502,
              headers: flatHeaders(answer.headers),
              body: Buffer.concat(parts).toString('utf8'),
            };
            if (fault?.kind === 'lose-response') return request.socket.destroy();
            if (fault?.kind === 'respond') return reply(response, fault.response);
            if (fault?.kind === 'break-body')
              return breakBody(response, real, Buffer.concat(parts), fault.afterBytes);
            if (fault?.kind === 'delay') {
              setTimeout(() => reply(response, real, Buffer.concat(parts)), fault.ms).unref();
              return;
            }
            // A HEAD answer announces the length of a body it does not carry.
            if (call.method === 'HEAD') return replyHead(response, real);
            reply(response, real, Buffer.concat(parts));
          });
        },
      );
      forwarded.on('error', () => request.socket.destroy());
      forwarded.end(body);
    });
  });
  // A client that gave up (timeout, reset) must not crash the proxy.
  server.on('clientError', (_error, socket) => socket.destroy());

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  let down = false;
  let closing: Promise<void> | undefined;
  const goDown = (): Promise<void> => {
    if (down) return closing ?? Promise.resolve();
    down = true;
    closing = new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
    return closing;
  };

  return {
    url: `http://127.0.0.1:${port}`,
    setTarget(next) {
      upstream = new URL(next);
    },
    calls,
    get callCount() {
      return callCount;
    },
    inject(rule) {
      const armed: ArmedRule = { ...rule, matched: 0, hits: 0 };
      rules.push(armed);
      return { hits: () => armed.hits };
    },
    clear() {
      rules.length = 0;
    },
    get down() {
      return down;
    },
    goDown,
    async comeBack() {
      await closing;
      await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
      down = false;
    },
    close: () =>
      down
        ? (closing ?? Promise.resolve())
        : new Promise<void>((resolve) => {
            server.closeAllConnections();
            server.close(() => resolve());
          }),
  };
}

function firstArmed(rules: ArmedRule[], call: ProxiedCall): ArmedRule | undefined {
  for (const rule of rules) {
    if (rule.hits >= (rule.times ?? 1) || !rule.match(call)) continue;
    rule.matched += 1;
    if (rule.matched <= (rule.skip ?? 0)) continue;
    rule.hits += 1;
    return rule;
  }
  return undefined;
}

function reply(
  response: ServerResponse,
  answer: CannedResponse,
  raw: Buffer = Buffer.from(answer.body),
): void {
  if (response.destroyed) return;
  const { 'transfer-encoding': _chunked, ...rest } = answer.headers;
  const headers = { ...rest, 'content-length': String(raw.length) };
  response.writeHead(answer.status, headers);
  response.end(raw);
}

function replyHead(response: ServerResponse, answer: CannedResponse): void {
  if (response.destroyed) return;
  response.writeHead(answer.status, answer.headers);
  response.end();
}

function breakBody(
  response: ServerResponse,
  answer: CannedResponse,
  raw: Buffer,
  cutAt: number | ((bodyLength: number) => number),
): void {
  const afterBytes = typeof cutAt === 'number' ? cutAt : cutAt(raw.length);
  const { 'transfer-encoding': _chunked, ...rest } = answer.headers;
  response.writeHead(answer.status, { ...rest, 'content-length': String(raw.length) });
  response.write(raw.subarray(0, afterBytes), () => response.socket?.destroy());
}

function flatHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}

// Canned errors in each service's protocol, as the SDKs parse them.

/** A Data API (restJson1) error, e.g. `dataApiError(503, 'ServiceUnavailableError')`. */
export function dataApiError(status: number, code: string, message = 'injected fault'): CannedResponse {
  return {
    status,
    headers: { 'content-type': 'application/json', 'x-amzn-errortype': code },
    body: JSON.stringify({ message, code }),
  };
}

/** A Kinesis (JSON 1.1) error, e.g. `kinesisError(400, 'ProvisionedThroughputExceededException')`. */
export function kinesisError(status: number, type: string, message = 'injected fault'): CannedResponse {
  return {
    status,
    headers: { 'content-type': 'application/x-amz-json-1.1' },
    body: JSON.stringify({ __type: type, message }),
  };
}

/** An S3 (REST-XML) error, e.g. `s3Error(503, 'SlowDown')`. */
export function s3Error(status: number, code: string, message = 'injected fault'): CannedResponse {
  return {
    status,
    headers: { 'content-type': 'application/xml' },
    body: `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`,
  };
}

// Matchers for the calls the pipeline makes.

/** A Data API operation (`Execute`, `BeginTransaction`, …), optionally whose SQL contains `sql`. */
export function dataApiCall(operation: string, sql?: string): (call: ProxiedCall) => boolean {
  return (call) => {
    if (call.path !== `/${operation}`) return false;
    if (sql === undefined) return true;
    try {
      return String((JSON.parse(call.body) as { sql?: unknown }).sql ?? '').includes(sql);
    } catch {
      return false;
    }
  };
}

/** A Kinesis operation by its `X-Amz-Target` (`PutRecords`, `GetRecords`, …). */
export function kinesisCall(operation: string): (call: ProxiedCall) => boolean {
  return (call) => call.headers['x-amz-target'] === `Kinesis_20131202.${operation}`;
}

/** An S3 call by method and key prefix within the bucket, e.g. `s3Call('PUT', 'raw/')`. */
export function s3Call(method: string, keyPrefix = ''): (call: ProxiedCall) => boolean {
  return (call) => {
    if (call.method !== method) return false;
    const key = decodeURIComponent(new URL(call.path, 'http://x').pathname).split('/').slice(2).join('/');
    return key.startsWith(keyPrefix);
  };
}
