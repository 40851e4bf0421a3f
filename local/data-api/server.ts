/**
 * A strict RDS Data API–compatible HTTP server over PostgreSQL, for the local runtime and tests.
 *
 * Point `RDSDataClient` (or `AWS_ENDPOINT_URL_RDS_DATA`) at `url`. Only SDK-shaped calls are served
 * (`caller-check.ts`: JSON, a SigV4 `Authorization` header, no browser `Origin`); each secret ARN
 * logs in as its own PostgreSQL role, none of them a superuser (`database-roles.ts`). Unknown paths
 * answer 404 `UnknownOperationException`, as AWS front ends do for operations they lack.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { debuglog } from 'node:util';
import { listen } from '../http-server.js';
import { checkCaller } from './caller-check.js';
import { DatabasePools, type PostgresAddress, type RoleCredentials } from './database-pools.js';
import { badRequest, DataApiError, toDataApiError } from './errors.js';
import { checkCaps, DATA_API_LIMITS, type DataApiCaps, DEFAULT_CAPS } from './limits.js';
import { type DataApiContext, OPERATIONS } from './operations.js';
import { TransactionRegistry } from './transactions.js';

const log = debuglog('data-api');

/** A secret ARN the server accepts, and the PostgreSQL role it logs in as. */
export interface SecretIdentity extends RoleCredentials {
  readonly secretArn: string;
}

/** Options of `startDataApiServer`. */
export interface DataApiServerOptions {
  /** Interface to listen on. @default '127.0.0.1' (loopback only) */
  readonly host?: string;
  /** TCP port; `0` or absent picks a free one. */
  readonly port?: number;
  /** Where the PostgreSQL server behind the API listens. */
  readonly postgres: PostgresAddress;
  /** The only cluster ARN accepted as `resourceArn`. */
  readonly resourceArn: string;
  /** The secret ARNs accepted as `secretArn`, each with the role it logs in as. */
  readonly secrets: readonly SecretIdentity[];
  /** Pool size, caps on open transactions, idle timeout. @default DEFAULT_CAPS */
  readonly caps?: Partial<DataApiCaps>;
  /** Response size limit of ExecuteStatement records. @default 1 MiB (AWS) */
  readonly maxResponseBytes?: number;
}

/** A running server. */
export interface DataApiServer {
  /** Base URL for the SDK's `endpoint`, e.g. `http://127.0.0.1:40123`. */
  readonly url: string;
  /** Rolls back open transactions, closes the pools and stops listening. */
  close(): Promise<void>;
}

/**
 * Starts the Data API server.
 *
 * Requests without `database` use the role's own database (as libpq does).
 *
 * @param options - where to listen, which PostgreSQL to use, which ARNs to accept as whom
 * @example
 * ```ts
 * const api = await startDataApiServer({
 *   postgres: { host: '127.0.0.1', port: 5432 },
 *   resourceArn,
 *   secrets: [{ secretArn, user: 'pipeline_owner', password }],
 * });
 * const client = new RDSDataClient({ endpoint: api.url, region: 'us-east-1',
 *   credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
 * ```
 */
export async function startDataApiServer(options: DataApiServerOptions): Promise<DataApiServer> {
  const caps = checkCaps({ ...DEFAULT_CAPS, ...options.caps });
  const roles = new Map(
    options.secrets.map(({ secretArn, user, password }) => [secretArn, { user, password }]),
  );
  if (roles.size === 0 || roles.size !== options.secrets.length) {
    throw new Error('the Data API server needs at least one secret, and distinct secret ARNs');
  }
  const context: DataApiContext = {
    arns: { resourceArn: options.resourceArn, secretArns: new Set(roles.keys()) },
    roles,
    pools: new DatabasePools(options.postgres, {
      maxConnections: caps.maxConnectionsPerPool,
      transactionIdleTimeoutMs: caps.transactionIdleTimeoutMs,
    }),
    transactions: new TransactionRegistry({
      idleTimeoutMs: caps.transactionIdleTimeoutMs,
      maxLifetimeMs: DATA_API_LIMITS.transactionMaxLifetimeMs,
      maxOpenPerPool: caps.maxOpenTransactionsPerPool,
      maxOpen: caps.maxOpenTransactions,
    }),
    maxResponseBytes: options.maxResponseBytes ?? DATA_API_LIMITS.maxResponseBytes,
  };
  const inFlight = new Set<Promise<void>>();
  let closing: Promise<void> | undefined;

  const server = createServer((request, response) => {
    const handled = handle(context, request, response, closing !== undefined);
    inFlight.add(handled);
    void handled.finally(() => inFlight.delete(handled));
  });

  const host = options.host ?? '127.0.0.1';
  await listen(server, options.port ?? 0, host);
  const { port } = server.address() as AddressInfo;

  const shutDown = async (): Promise<void> => {
    const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    await Promise.allSettled([...inFlight]);
    await context.transactions.rollbackAll();
    await context.pools.end();
    server.closeAllConnections();
    await stopped;
  };

  return {
    url: `http://${urlHost(host)}:${port}`,
    close: () => {
      closing ??= shutDown();
      return closing;
    },
  };
}

/** Serves one request; never rejects. */
async function handle(
  context: DataApiContext,
  request: IncomingMessage,
  response: ServerResponse,
  closing: boolean,
): Promise<void> {
  const requestId = randomUUID();
  const started = Date.now();
  const path = (request.url ?? '/').split('?')[0] ?? '/';
  try {
    if (closing) {
      throw new DataApiError('ServiceUnavailableError', 'The local Data API server is shutting down.');
    }
    const operation = OPERATIONS[path];
    if (request.method !== 'POST' || !operation) {
      request.resume();
      throw new DataApiError('UnknownOperationException', `Unknown operation: ${request.method} ${path}`);
    }
    try {
      checkCaller(request.headers);
    } catch (refusal) {
      request.resume();
      throw refusal;
    }
    const body = parseJson(await readBody(request, DATA_API_LIMITS.maxRequestBytes));
    send(response, 200, requestId, await operation(context, body));
    log('%s 200 %dms', path, Date.now() - started);
  } catch (thrown) {
    const error = toDataApiError(thrown);
    if (error.code === 'InternalServerErrorException') {
      // Unexpected: keep the details in the server log, never in the response.
      console.error(
        JSON.stringify({
          level: 'error',
          message: 'local Data API failure',
          requestId,
          path,
          error: describe(thrown),
        }),
      );
    }
    log('%s %d %s %dms: %s', path, error.statusCode, error.code, Date.now() - started, error.message);
    send(response, error.statusCode, requestId, { message: error.message, code: error.code }, error.code);
  }
}

function send(
  response: ServerResponse,
  status: number,
  requestId: string,
  body: object,
  errorType?: string,
): void {
  if (response.headersSent) return;
  const payload = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(payload),
    'x-amzn-requestid': requestId,
    ...(errorType ? { 'x-amzn-errortype': errorType } : {}),
  });
  response.end(payload);
}

/** Reads the body, refusing more than `limit` bytes (AWS: 4 MiB per request). */
function readBody(request: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        request.removeAllListeners('data');
        request.resume();
        reject(badRequest(`Request size exceeds the limit of ${limit} bytes.`));
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function parseJson(text: string): unknown {
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text);
  } catch {
    throw badRequest('The request body is not valid JSON.');
  }
}

/** Clients cannot connect to a wildcard address; the URL names loopback instead. */
function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}

function describe(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}
