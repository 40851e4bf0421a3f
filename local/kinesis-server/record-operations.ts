/**
 * Data-plane operations: PutRecord, PutRecords, GetShardIterator, GetRecords — the hot path. Records are
 * validated in one pass, routed by MD5 of the partition key (memoised per key), and stored as the JSON
 * text GetRecords returns, Data still the base64 text received; a read copies one range of the shard's log
 * into the response, with no record parsed or serialised.
 */
import { invalidArgument, resourceNotFound, serializationError } from './errors.js';
import { MAX_HASH_KEY } from './hash-ranges.js';
import { findStream, type Operation, PreSerialized, readStreamReference } from './operation-context.js';
import { partitionKeyJson } from './record-json.js';
import { parseSequenceNumber } from './sequence-numbers.js';
import { type Page, type RecordToStore, type Shard, type Stream, shardIdOf } from './stream-store.js';
import {
  base64ByteLength,
  blobValue,
  checkString,
  HASH_KEY,
  type JsonObject,
  MAX_DATA_BYTES,
  PARTITION_KEY,
  SEQUENCE_NUMBER,
  SHARD_ID,
  SHARD_ITERATOR,
  STREAM_ARN,
  unvaluedViolation,
  validationFailure,
  violation,
} from './validation.js';

export const MAX_RECORDS_PER_PUT = 500;
/** Data plus partition keys of one PutRecords request. */
export const MAX_PUT_RECORDS_BYTES = 5 * 1024 * 1024;
/** Data plus partition key of one record. */
export const MAX_RECORD_BYTES = 1024 * 1024;
export const MAX_GET_RECORDS_LIMIT = 10_000;
/** Most data one GetRecords response carries. */
export const MAX_GET_RECORDS_BYTES = 10 * 1024 * 1024;

const ITERATOR_TYPES = [
  'AT_SEQUENCE_NUMBER',
  'AFTER_SEQUENCE_NUMBER',
  'TRIM_HORIZON',
  'LATEST',
  'AT_TIMESTAMP',
] as const;

/** A record as the request carries it, once {@link checkRecord} has passed it. */
interface RecordInput {
  Data: string;
  PartitionKey: string;
  ExplicitHashKey?: string | null;
}

/** Where a record member is named in messages: `data` for PutRecord, `records.3.member.data` for PutRecords. */
function memberPath(index: number | undefined, member: string): string {
  return index === undefined ? member : `records.${index + 1}.member.${member}`;
}

/**
 * Checks one record's members in place, appending violations (`index` is its place in a PutRecords
 * request), and returns its size: data bytes (from the base64 length) plus partition key bytes. Type
 * errors throw SerializationException at once, as AWS's deserializer does.
 */
function checkRecord(raw: unknown, index: number | undefined, violations: string[]): number {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw serializationError(
      Array.isArray(raw) ? 'Start of list found where not expected' : 'Expected a structure for each record',
    );
  }
  const { Data: data, PartitionKey: partitionKey, ExplicitHashKey: explicitHashKey } = raw as JsonObject;
  let dataBytes = 0;
  if (data === undefined || data === null) {
    violations.push(violation(undefined, memberPath(index, 'data'), 'Member must not be null'));
  } else if (typeof data !== 'string') {
    throw serializationError('Data must be a base64 string');
  } else {
    dataBytes = base64ByteLength(data);
    if (dataBytes > MAX_DATA_BYTES) {
      violations.push(
        violation(
          blobValue(dataBytes),
          memberPath(index, 'data'),
          `Member must have length less than or equal to ${MAX_DATA_BYTES}`,
        ),
      );
    }
  }
  if (partitionKey !== undefined && partitionKey !== null && typeof partitionKey !== 'string') {
    throw serializationError('PartitionKey must be a string');
  }
  if (explicitHashKey !== undefined && explicitHashKey !== null && typeof explicitHashKey !== 'string') {
    throw serializationError('ExplicitHashKey must be a string');
  }
  const key = partitionKey ?? undefined;
  // Fast path: the common valid key needs no rule walk (and builds no path strings).
  if (key === undefined || key.length < 1 || key.length > 256) {
    checkString(key, memberPath(index, 'partitionKey'), PARTITION_KEY, violations);
  }
  if (explicitHashKey !== undefined && explicitHashKey !== null) {
    checkString(explicitHashKey, memberPath(index, 'explicitHashKey'), HASH_KEY, violations);
  }
  const keyBytes = key === undefined ? 0 : key.length < 86 ? utf8Length(key) : Buffer.byteLength(key, 'utf8');
  return dataBytes + keyBytes;
}

/** UTF-8 length of a short string without calling into C++. */
function utf8Length(text: string): number {
  let bytes = text.length;
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (code >= 0x80) bytes += code >= 0x800 && (code < 0xd800 || code > 0xdfff) ? 2 : 1;
  }
  return bytes;
}

function checkRecordSize(bytes: number): void {
  if (bytes > MAX_RECORD_BYTES) {
    throw invalidArgument(
      `Record size (data + partition key) of ${bytes} bytes exceeds the limit of ${MAX_RECORD_BYTES} bytes.`,
    );
  }
}

/**
 * Which shard a record goes to: by ExplicitHashKey when given, else by the partition key's MD5 (the
 * router's memoised entry, so routing a known key allocates nothing).
 */
function route(stream: Stream, record: RecordInput): number {
  const explicitHashKey = record.ExplicitHashKey;
  if (explicitHashKey === undefined || explicitHashKey === null) {
    return stream.router.route(record.PartitionKey).shardIndex;
  }
  const hashKey = BigInt(explicitHashKey);
  if (hashKey > MAX_HASH_KEY) {
    throw invalidArgument(
      'Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. ' +
        `Specified value was ${explicitHashKey}`,
    );
  }
  return stream.router.routeHashKey(hashKey);
}

function toStore(record: RecordInput, bytes: number): RecordToStore {
  return { data: record.Data, keyJson: partitionKeyJson(record.PartitionKey), bytes };
}

export const putRecord: Operation = (input, context) => {
  const reference = readStreamReference(input);
  const ordering = input.string('SequenceNumberForOrdering', SEQUENCE_NUMBER);
  input.string('StreamId');
  const record = {
    Data: input.raw('Data'),
    PartitionKey: input.raw('PartitionKey'),
    ExplicitHashKey: input.raw('ExplicitHashKey'),
  };
  const bytes = checkRecord(record, undefined, input.violations);
  input.throwIfInvalid();
  checkRecordSize(bytes);
  const stream = findStream(context, reference);
  if (ordering !== undefined) {
    // Our numbers only grow, so ordering holds; the value must still be one this stream issued.
    const decoded = parseSequenceNumber(ordering);
    if (!decoded || decoded.streamEpoch !== stream.epoch) {
      throw invalidArgument(
        `ExclusiveMinimumSequenceNumber ${ordering} used in PutRecord on stream ${stream.name} under account ` +
          `${context.store.options.accountId} is invalid.`,
      );
    }
  }
  const shard = stream.shards[route(stream, record as RecordInput)] as Shard;
  const now = context.now();
  stream.trim(now);
  const [sequenceNumber] = shard.append(
    [toStore(record as RecordInput, bytes)],
    context.store.arrivalSeconds(now),
  );
  return { ShardId: shard.id, SequenceNumber: sequenceNumber };
};

export const putRecords: Operation = (input, context) => {
  const reference = readStreamReference(input);
  input.string('StreamId');
  const raw = input.list('Records');
  const violations = input.violations;
  if (raw === undefined) {
    violations.push(violation(undefined, 'records', 'Member must not be null'));
  } else if (raw.length < 1) {
    violations.push(unvaluedViolation('records', 'Member must have length greater than or equal to 1'));
  } else if (raw.length > MAX_RECORDS_PER_PUT) {
    violations.push(
      unvaluedViolation('records', `Member must have length less than or equal to ${MAX_RECORDS_PER_PUT}`),
    );
  }
  let totalBytes = 0;
  let largest = 0;
  const sizes: number[] = [];
  if (raw !== undefined && raw.length <= MAX_RECORDS_PER_PUT) {
    for (let i = 0; i < raw.length; i += 1) {
      const bytes = checkRecord(raw[i], i, violations);
      sizes.push(bytes);
      totalBytes += bytes;
      if (bytes > largest) largest = bytes;
    }
  }
  if (violations.length > 0) throw validationFailure(violations.slice(0, 10));
  if (totalBytes > MAX_PUT_RECORDS_BYTES) throw invalidArgument('Records size exceeds 5 MB limit');
  checkRecordSize(largest);
  const records = raw as RecordInput[];

  const stream = findStream(context, reference);
  // Route everything first, so a bad ExplicitHashKey rejects the request before any record is stored.
  const shardOfRecord = records.map((record) => route(stream, record));
  const now = context.now();
  stream.trim(now);
  const arrival = context.store.arrivalSeconds(now);
  // One append per shard, in request order within it; the results go back in request order.
  const perShard = new Map<number, number[]>();
  shardOfRecord.forEach((shardIndex, i) => {
    const indexes = perShard.get(shardIndex);
    if (indexes) indexes.push(i);
    else perShard.set(shardIndex, [i]);
  });
  const results = new Array<{ SequenceNumber: string; ShardId: string }>(records.length);
  for (const [shardIndex, indexes] of perShard) {
    const shard = stream.shards[shardIndex] as Shard;
    const batch = indexes.map((i) => toStore(records[i] as RecordInput, sizes[i] as number));
    const sequenceNumbers = shard.append(batch, arrival);
    indexes.forEach((i, k) => {
      results[i] = { SequenceNumber: sequenceNumbers[k] as string, ShardId: shard.id };
    });
  }
  return { FailedRecordCount: 0, Records: results };
};

export const getShardIterator: Operation = (input, context) => {
  const reference = readStreamReference(input);
  const shardId = input.string('ShardId', { ...SHARD_ID, required: true }) as string;
  const type = input.string('ShardIteratorType', { required: true, values: ITERATOR_TYPES }) as string;
  const startingSequenceNumber = input.string('StartingSequenceNumber', SEQUENCE_NUMBER);
  const timestamp = input.timestamp('Timestamp');
  input.string('StreamId');
  input.throwIfInvalid();

  const { accountId } = context.store.options;
  const stream = findStream(context, reference);
  const shard = findShard(stream, shardId);
  if (!shard) {
    throw resourceNotFound(
      `Shard ${shardId} in stream ${stream.name} under account ${accountId} does not exist`,
    );
  }
  const now = context.now();
  stream.trim(now);
  const bySequence = type === 'AT_SEQUENCE_NUMBER' || type === 'AFTER_SEQUENCE_NUMBER';
  if (bySequence !== (startingSequenceNumber !== undefined) && type !== 'AT_TIMESTAMP') {
    throw invalidArgument(
      'Must either specify (1) AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER and StartingSequenceNumber or ' +
        '(2) TRIM_HORIZON or LATEST and no StartingSequenceNumber. ' +
        `Request specified ${type} and ${bySequence ? 'no' : 'also a'} StartingSequenceNumber.`,
    );
  }
  let position: number;
  if (type === 'TRIM_HORIZON') {
    position = shard.trimHorizon;
  } else if (type === 'LATEST') {
    position = shard.nextPosition;
  } else if (type === 'AT_TIMESTAMP') {
    if (timestamp === undefined) {
      throw invalidArgument(
        'Must specify timestampInMillis parameter for iterator of type AT_TIMESTAMP. ' +
          'Current request has no timestamp parameter.',
      );
    }
    const timestampMs = Math.round(timestamp * 1000);
    if (timestampMs > now) {
      throw invalidArgument(
        'The timestampInMillis parameter cannot be greater than the currentTimestampInMillis. ' +
          `timestampInMillis: ${timestampMs}, currentTimestampInMillis: ${now}`,
      );
    }
    position = shard.positionAtTimestamp(timestampMs / 1000);
  } else {
    const sequenceNumber = startingSequenceNumber as string;
    const invalid = (reason = '') =>
      invalidArgument(
        `StartingSequenceNumber ${sequenceNumber} used in GetShardIterator on shard ${shard.id} in stream ` +
          `${stream.name} under account ${accountId} is invalid${reason}.`,
      );
    const decoded = parseSequenceNumber(sequenceNumber);
    if (!decoded) throw invalid();
    if (decoded.streamEpoch !== stream.epoch) throw invalid(' because it did not come from this stream');
    if (decoded.shardIndex !== shard.index) {
      throw invalidArgument(
        `Invalid StartingSequenceNumber. It encodes ${shardIdOf(decoded.shardIndex)}, while it was used in a ` +
          `call to a shard with ${shard.id}`,
      );
    }
    // Only numbers this shard has issued (AWS could not know of any others either).
    if (decoded.position >= shard.nextPosition) throw invalid();
    position = type === 'AT_SEQUENCE_NUMBER' ? decoded.position : decoded.position + 1;
  }
  const iterator = context.iterators.encode(
    { streamName: stream.name, streamEpoch: stream.epoch, shardIndex: shard.index, position },
    now,
  );
  return { ShardIterator: iterator };
};

export const getRecords: Operation = (input, context) => {
  const iterator = input.string('ShardIterator', SHARD_ITERATOR) as string;
  const limit = input.integer('Limit', { min: 1, max: MAX_GET_RECORDS_LIMIT });
  const streamArn = input.string('StreamARN', STREAM_ARN);
  input.string('StreamId');
  input.throwIfInvalid();

  const now = context.now();
  const decoded = context.iterators.decode(iterator, now);
  const stream = context.store.get(decoded.streamName);
  const shard = stream?.epoch === decoded.streamEpoch ? stream.shards[decoded.shardIndex] : undefined;
  if (!stream || !shard) {
    throw resourceNotFound(
      `Shard ${shardIdOf(decoded.shardIndex)} in stream ${decoded.streamName} under account ` +
        `${context.store.options.accountId} does not exist`,
    );
  }
  if (streamArn !== undefined && streamArn !== stream.arn) {
    throw invalidArgument(`StreamARN ${streamArn} does not match the stream of the shard iterator.`);
  }
  stream.trim(now);
  const page = shard.page(decoded.position, limit ?? MAX_GET_RECORDS_LIMIT, MAX_GET_RECORDS_BYTES);
  const nextIterator = context.iterators.encode({ ...decoded, position: page.end }, now);
  // The records' JSON is copied from the log straight into the body, between these two parts.
  const head = '{"Records":[';
  const tail = `],"NextShardIterator":${JSON.stringify(nextIterator)},"MillisBehindLatest":${millisBehind(shard, page, now)}}`;
  const recordsLength = shard.jsonLength(page);
  const body = Buffer.allocUnsafe(head.length + recordsLength + Buffer.byteLength(tail));
  body.write(head, 0, 'latin1');
  shard.writeJson(page, body, head.length);
  body.write(tail, head.length + recordsLength, 'utf8');
  return new PreSerialized(body);
};

/** How far the reader is from the tip: 0 at the tip, else the age of the last record returned. */
function millisBehind(shard: Shard, page: Page, now: number): number {
  if (page.end >= shard.nextPosition) return 0;
  const last = shard.arrivalAt(page.end > page.from ? page.end - 1 : page.end);
  return last === undefined ? 0 : Math.max(0, Math.round(now - last * 1000));
}

function findShard(stream: Stream, shardId: string): Shard | undefined {
  const match = /^shardId-(\d{12})$/.exec(shardId);
  return match ? stream.shards[Number(match[1])] : undefined;
}
