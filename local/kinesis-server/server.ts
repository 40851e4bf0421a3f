/**
 * The HTTP face of the Kinesis server: AWS JSON 1.1 over plain HTTP/1.1 with keep-alive. Every call is
 * `POST /` with `X-Amz-Target: Kinesis_20131202.<Operation>` and a JSON body; the answer is the output
 * shape as JSON, or `{"__type": "<Error>", "message": "…"}` with status 400. SigV4 signatures are not
 * checked. Each request is handled synchronously once its body is in, so operations never interleave.
 */
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { LOCAL_ACCOUNT } from '../local-resources.js';
import { KinesisError, serializationError, unknownOperation } from './errors.js';
import { type Operation, type OperationContext, PreSerialized } from './operation-context.js';
import { getRecords, getShardIterator, putRecord, putRecords } from './record-operations.js';
import { ShardIteratorCodec } from './shard-iterators.js';
import { TokenSigner } from './signed-tokens.js';
import {
  createStream,
  deleteStream,
  describeStream,
  describeStreamSummary,
  listShards,
  listStreams,
} from './stream-operations.js';
import { DurableStorage, TemporaryStorage } from './stream-storage.js';
import { StreamStore } from './stream-store.js';
import { InputReader } from './validation.js';

export interface KinesisServerOptions {
  /** Interface to listen on. Default 127.0.0.1. */
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** Region in stream ARNs. Default us-east-1. */
  region?: string;
  /** Account in stream ARNs and messages. Default: the local runtime's account. */
  accountId?: string;
  /** Open shards allowed across all streams (AWS's default account quota). Default 500. */
  shardLimit?: number;
  /** Retention of new streams. Default 24 (AWS's default). */
  retentionHours?: number;
  /**
   * Folder where the streams are kept: a server started again on it recovers them, records, sequence
   * numbers and all (stream-storage.ts). Default: none, the records live in temporary files that no
   * exit leaves behind, and every start is empty.
   */
  dataDirectory?: string;
  /**
   * With a data directory: flush writes to the device (fdatasync, in groups: group-sync.ts) before any
   * response after them goes out, so that acknowledged records survive a crash of the machine, not only
   * of the process. Default true.
   */
  syncWrites?: boolean;
  /** Size at which a shard's log starts a new file; trimming frees whole files. Default 64 MiB. */
  segmentBytes?: number;
}

export interface KinesisServer {
  /** e.g. http://127.0.0.1:4567 */
  endpoint: string;
  close(): Promise<void>;
}

const SERVICE = 'Kinesis_20131202';
const DEFAULT_SEGMENT_BYTES = 64 * 1024 * 1024;
const JSON_1_1 = 'application/x-amz-json-1.1';
/** Larger than any valid request (5 MiB of data is ~6.7 MiB of base64); AWS answers 413 too. */
const MAX_BODY_BYTES = 16 * 1024 * 1024;

const OPERATIONS: ReadonlyMap<string, Operation> = new Map([
  ['CreateStream', createStream],
  ['DeleteStream', deleteStream],
  ['DescribeStream', describeStream],
  ['DescribeStreamSummary', describeStreamSummary],
  ['ListStreams', listStreams],
  ['ListShards', listShards],
  ['PutRecord', putRecord],
  ['PutRecords', putRecords],
  ['GetShardIterator', getShardIterator],
  ['GetRecords', getRecords],
]);

export async function startKinesisServer(options: KinesisServerOptions = {}): Promise<KinesisServer> {
  const { host = '127.0.0.1', port = 0 } = options;
  const segmentBytes = options.segmentBytes ?? DEFAULT_SEGMENT_BYTES;
  const store = new StreamStore({
    region: options.region ?? 'us-east-1',
    accountId: options.accountId ?? LOCAL_ACCOUNT,
    shardLimit: options.shardLimit ?? 500,
    retentionHours: options.retentionHours ?? 24,
    storage:
      options.dataDirectory === undefined
        ? new TemporaryStorage(tmpdir(), segmentBytes)
        : new DurableStorage(options.dataDirectory, segmentBytes, options.syncWrites ?? true),
  });
  const context: OperationContext = {
    store,
    iterators: new ShardIteratorCodec(),
    tokens: new TokenSigner(),
    now: () => Date.now(),
  };
  const server = createServer((request, response) => receive(request, response, context));
  // Longer than the SDK's idle sockets live, so it never reuses a socket the server is closing.
  server.keepAliveTimeout = 120_000;
  server.headersTimeout = 125_000;
  try {
    server.listen(port, host);
    await once(server, 'listening');
  } catch (error) {
    store.close();
    throw error;
  }
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    endpoint: `http://${shownHost}:${address.port}`,
    close: async () => {
      const closed = once(server, 'close');
      server.close();
      server.closeAllConnections();
      await closed;
      store.close();
    },
  };
}

function receive(request: IncomingMessage, response: ServerResponse, context: OperationContext): void {
  const declared = Number(request.headers['content-length'] ?? 0);
  if (declared > MAX_BODY_BYTES) {
    response.writeHead(413, { connection: 'close' }).end();
    request.destroy();
    return;
  }
  const chunks: Buffer[] = [];
  let received = 0;
  request.on('data', (chunk: Buffer) => {
    if (response.headersSent) return;
    received += chunk.length;
    if (received > MAX_BODY_BYTES) {
      response.writeHead(413, { connection: 'close' }).end();
      request.destroy();
      return;
    }
    chunks.push(chunk);
  });
  request.on('end', () => {
    if (response.headersSent) return;
    const body = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, received);
    const reply = dispatch(request, body, context);
    // Out only once every write before it is as durable as the storage promises: a PutRecords is
    // acknowledged, and a record served, only when a crash can no longer take it back.
    context.store.options.storage.flushed().then(
      () => respond(response, reply),
      (error: unknown) => respond(response, internalFailure(error)),
    );
  });
}

interface Reply {
  status: number;
  body: string | Buffer;
}

function dispatch(request: IncomingMessage, body: Buffer, context: OperationContext): Reply {
  try {
    const operation = resolveOperation(request);
    const contentType = (request.headers['content-type'] ?? '').split(';')[0]?.trim();
    if (contentType !== JSON_1_1) {
      throw serializationError(
        `Content-Type ${contentType || '(none)'} is not supported: this server speaks ${JSON_1_1} only`,
      );
    }
    let input: unknown;
    try {
      input = JSON.parse(body.toString('utf8'));
    } catch {
      throw serializationError('Request body is not valid JSON');
    }
    const output = operation(InputReader.fromBody(input), context);
    if (output instanceof PreSerialized) return { status: 200, body: output.body };
    return { status: 200, body: output === undefined ? '' : JSON.stringify(output) };
  } catch (error) {
    if (error instanceof KinesisError) return { status: error.statusCode, body: JSON.stringify(error) };
    return internalFailure(error);
  }
}

/** AWS's answer to a failure of its own; the cause goes to the server's log, not to the client. */
function internalFailure(error: unknown): Reply {
  process.emitWarning(
    `kinesis-server: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
  );
  return {
    status: 500,
    body: JSON.stringify({ __type: 'InternalFailure', message: 'Internal service failure' }),
  };
}

function resolveOperation(request: IncomingMessage): Operation {
  const target = request.headers['x-amz-target'];
  if (request.method !== 'POST' || typeof target !== 'string') {
    throw unknownOperation('Expected POST with an X-Amz-Target header');
  }
  const dot = target.indexOf('.');
  const operation =
    dot > 0 && target.slice(0, dot) === SERVICE ? OPERATIONS.get(target.slice(dot + 1)) : undefined;
  if (!operation) throw unknownOperation(`Operation ${target} is not supported by this server`);
  return operation;
}

function respond(response: ServerResponse, reply: Reply): void {
  // The client may have gone while the writes before this reply were flushed.
  if (response.destroyed) return;
  // Encoded once, rather than measured with Buffer.byteLength and then encoded again by the socket.
  const body = typeof reply.body === 'string' ? Buffer.from(reply.body, 'utf8') : reply.body;
  response.writeHead(reply.status, {
    'content-type': JSON_1_1,
    'content-length': body.length,
    'x-amzn-requestid': randomUUID(),
  });
  response.end(body);
}
