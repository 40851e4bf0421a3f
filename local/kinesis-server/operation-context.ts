/**
 * What every operation handler gets, and the stream look-up they share (by StreamName or StreamARN,
 * wherever the model allows either).
 */
import { invalidArgument, resourceNotFound } from './errors.js';
import type { ShardIteratorCodec } from './shard-iterators.js';
import type { TokenSigner } from './signed-tokens.js';
import type { Stream, StreamStore } from './stream-store.js';
import { type InputReader, STREAM_ARN, STREAM_NAME } from './validation.js';

export interface OperationContext {
  store: StreamStore;
  iterators: ShardIteratorCodec;
  /** Signs pagination tokens (ListShards, ListStreams). */
  tokens: TokenSigner;
  /** Current time, epoch ms. */
  now(): number;
}

/**
 * An operation: reads and validates its input, applies it, and returns the response object (undefined
 * for an empty 200 response), or its JSON already encoded ({@link PreSerialized}).
 */
export type Operation = (input: InputReader, context: OperationContext) => unknown;

/** A response body an operation built itself (GetRecords copies stored JSON into it). */
export class PreSerialized {
  constructor(readonly body: Buffer) {}
}

export interface StreamReference {
  name: string | undefined;
  arn: string | undefined;
}

/** Reads (and validates) the optional StreamName / StreamARN pair. */
export function readStreamReference(input: InputReader): StreamReference {
  return { name: input.string('StreamName', STREAM_NAME), arn: input.string('StreamARN', STREAM_ARN) };
}

/** The stream a validated reference names. */
export function findStream(context: OperationContext, reference: StreamReference): Stream {
  const { name, arn } = reference;
  const { accountId } = context.store.options;
  if (arn === undefined) {
    if (name === undefined) throw invalidArgument('Either StreamName or StreamARN must be provided.');
    const stream = context.store.get(name);
    if (!stream) throw resourceNotFound(`Stream ${name} under account ${accountId} not found.`);
    return stream;
  }
  const arnName = arn.slice(arn.indexOf(':stream/') + ':stream/'.length);
  if (name !== undefined && name !== arnName) {
    throw invalidArgument(`StreamARN ${arn} and StreamName ${name} do not refer to the same stream.`);
  }
  const stream = context.store.get(arnName);
  if (!stream || stream.arn !== arn) {
    const arnAccount = arn.split(':')[4] ?? accountId;
    throw resourceNotFound(`Stream ${arnName} under account ${arnAccount} not found.`);
  }
  return stream;
}
