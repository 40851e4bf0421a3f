/**
 * Control-plane operations: CreateStream, DeleteStream, DescribeStream, DescribeStreamSummary,
 * ListStreams, ListShards. Streams are ACTIVE as soon as CreateStream returns and gone as soon as
 * DeleteStream returns (AWS passes through CREATING / DELETING for a few seconds).
 */
import {
  expiredNextToken,
  invalidArgument,
  limitExceeded,
  resourceInUse,
  validationError,
} from './errors.js';
import {
  findStream,
  type Operation,
  type OperationContext,
  readStreamReference,
} from './operation-context.js';
import type { Shard, Stream, StreamMode } from './stream-store.js';
import { NEXT_TOKEN, SHARD_ID, STREAM_NAME } from './validation.js';

/** Shards of an ON_DEMAND stream at creation (AWS's documented initial capacity). */
export const ON_DEMAND_SHARDS = 4;
/** ListShards / NextToken lifetime. */
const NEXT_TOKEN_TTL_MS = 300_000;

const STREAM_MODES = ['PROVISIONED', 'ON_DEMAND'] as const;
const SHARD_FILTER_TYPES = [
  'AFTER_SHARD_ID',
  'AT_TRIM_HORIZON',
  'FROM_TRIM_HORIZON',
  'AT_LATEST',
  'AT_TIMESTAMP',
  'FROM_TIMESTAMP',
] as const;

export const createStream: Operation = (input, context) => {
  const name = input.string('StreamName', { ...STREAM_NAME, required: true }) as string;
  const shardCount = input.integer('ShardCount', { min: 1, max: 100_000 });
  const mode = input
    .structure('StreamModeDetails')
    ?.string('StreamMode', { required: true, values: STREAM_MODES });
  // Accepted for the model's sake, not emulated: tags, warm throughput, larger records.
  input.map('Tags');
  input.integer('WarmThroughputMiBps', { min: 0 });
  input.integer('MaxRecordSizeInKiB', { min: 1024, max: 10_240 });
  input.throwIfInvalid();

  const { store } = context;
  const { accountId, region, shardLimit } = store.options;
  if (store.has(name)) throw resourceInUse(`Stream ${name} under account ${accountId} already exists.`);
  // No ShardCount and no mode: AWS accepts the request; taken here as on-demand (4 shards), an assumption.
  const streamMode: StreamMode =
    (mode as StreamMode | undefined) ?? (shardCount === undefined ? 'ON_DEMAND' : 'PROVISIONED');
  if (streamMode === 'ON_DEMAND' && shardCount !== undefined) {
    throw validationError('ShardCount is not expected when StreamMode=ON_DEMAND');
  }
  if (streamMode === 'PROVISIONED' && shardCount === undefined) {
    throw invalidArgument('ShardCount is required when StreamMode=PROVISIONED');
  }
  const shards = shardCount ?? ON_DEMAND_SHARDS;
  const open = store.openShardCount();
  if (open + shards > shardLimit) {
    throw limitExceeded(
      `This request would exceed the shard limit for the account ${accountId} in ${region}. Current shard count ` +
        `for the account: ${open}. Limit: ${shardLimit}. Number of additional shards that would have resulted ` +
        `from this request: ${shards}. Refer to the AWS Service Limits page ` +
        '(http://docs.aws.amazon.com/general/latest/gr/aws_service_limits.html) for current limits and how to ' +
        'request higher limits.',
    );
  }
  store.create(name, shards, streamMode, context.now());
  return undefined;
};

export const deleteStream: Operation = (input, context) => {
  const reference = readStreamReference(input);
  input.boolean('EnforceConsumerDeletion');
  input.string('StreamId');
  input.throwIfInvalid();
  context.store.delete(findStream(context, reference).name);
  return undefined;
};

export const describeStream: Operation = (input, context) => {
  const reference = readStreamReference(input);
  const limit = input.integer('Limit', { min: 1, max: 10_000 });
  const exclusiveStartShardId = input.string('ExclusiveStartShardId', SHARD_ID);
  input.string('StreamId');
  input.throwIfInvalid();
  const stream = findStream(context, reference);
  stream.trim(context.now());
  const after =
    exclusiveStartShardId === undefined ? stream.shards : shardsAfter(stream, exclusiveStartShardId);
  const page = after.slice(0, Math.min(limit ?? 100, 100));
  return {
    StreamDescription: {
      ...describeStreamFields(stream),
      Shards: page.map(describeShard),
      HasMoreShards: page.length < after.length,
    },
  };
};

export const describeStreamSummary: Operation = (input, context) => {
  const reference = readStreamReference(input);
  input.string('StreamId');
  input.throwIfInvalid();
  const stream = findStream(context, reference);
  return {
    StreamDescriptionSummary: {
      ...describeStreamFields(stream),
      OpenShardCount: stream.shards.length,
      ConsumerCount: 0,
    },
  };
};

export const listStreams: Operation = (input, context) => {
  const limit = input.integer('Limit', { min: 1, max: 10_000 });
  const exclusiveStart = input.string('ExclusiveStartStreamName', STREAM_NAME);
  const nextToken = input.string('NextToken', NEXT_TOKEN);
  input.throwIfInvalid();
  let after = exclusiveStart;
  if (nextToken !== undefined) {
    const parts = context.tokens.verify(nextToken)?.split('|');
    if (parts?.length !== 2 || parts[0] !== 'ls') throw invalidArgument('Invalid NextToken.');
    after = parts[1];
  }
  const streams = context.store.list().filter((stream) => after === undefined || stream.name > after);
  const page = streams.slice(0, Math.min(limit ?? 100, 100));
  const hasMore = page.length < streams.length;
  const last = page.at(-1);
  return {
    StreamNames: page.map((stream) => stream.name),
    HasMoreStreams: hasMore,
    StreamSummaries: page.map((stream) => ({
      StreamName: stream.name,
      StreamARN: stream.arn,
      StreamStatus: stream.status,
      StreamModeDetails: { StreamMode: stream.mode },
      StreamCreationTimestamp: stream.createdAt / 1000,
    })),
    ...(hasMore && last ? { NextToken: context.tokens.sign(`ls|${last.name}`) } : {}),
  };
};

export const listShards: Operation = (input, context) => {
  const reference = readStreamReference(input);
  const nextToken = input.string('NextToken', NEXT_TOKEN);
  const exclusiveStartShardId = input.string('ExclusiveStartShardId', SHARD_ID);
  const maxResults = input.integer('MaxResults', { min: 1, max: 10_000 });
  const creationTimestamp = input.timestamp('StreamCreationTimestamp');
  const filterInput = input.structure('ShardFilter');
  const filter = filterInput && {
    type: filterInput.string('Type', { required: true, values: SHARD_FILTER_TYPES }),
    shardId: filterInput.string('ShardId', SHARD_ID),
    timestamp: filterInput.timestamp('Timestamp'),
  };
  input.string('StreamId');
  input.throwIfInvalid();

  const pageSize = Math.min(maxResults ?? 1000, 1000);
  const now = context.now();
  if (nextToken !== undefined) {
    if (reference.name !== undefined) {
      throw invalidArgument('NextToken and StreamName cannot be provided together.');
    }
    if (exclusiveStartShardId !== undefined || creationTimestamp !== undefined || filter !== undefined) {
      throw invalidArgument(
        'ExclusiveStartShardId, StreamCreationTimestamp and ShardFilter cannot be provided with NextToken.',
      );
    }
    const { stream, from } = readShardsToken(context, nextToken, now);
    if (reference.arn !== undefined && reference.arn !== stream.arn) {
      throw invalidArgument('NextToken was not issued for this StreamARN.');
    }
    return shardPage(context, stream, stream.shards.slice(from), pageSize, now);
  }
  if (reference.name === undefined && reference.arn === undefined) {
    throw invalidArgument('Either NextToken or StreamName should be provided.');
  }
  const stream = findStream(context, reference);
  let shards =
    exclusiveStartShardId === undefined ? stream.shards : shardsAfter(stream, exclusiveStartShardId);
  if (filter?.type === 'AFTER_SHARD_ID') {
    if (filter.shardId === undefined) throw invalidArgument('ShardId must be specified for AFTER_SHARD_ID.');
    const afterId = filter.shardId;
    shards = shards.filter((shard) => shard.id > afterId);
  } else if (
    (filter?.type === 'AT_TIMESTAMP' || filter?.type === 'FROM_TIMESTAMP') &&
    filter.timestamp === undefined
  ) {
    throw invalidArgument(`Timestamp must be specified for ${filter.type}.`);
  }
  // Every shard is open (no resharding), so the other filters select all of them.
  return shardPage(context, stream, shards, pageSize, now);
};

function shardPage(
  context: OperationContext,
  stream: Stream,
  shards: Shard[],
  pageSize: number,
  now: number,
) {
  stream.trim(now);
  const page = shards.slice(0, pageSize);
  const last = page.at(-1);
  const hasMore = page.length < shards.length && last !== undefined;
  return {
    Shards: page.map(describeShard),
    ...(hasMore
      ? { NextToken: context.tokens.sign(`sh|${now}|${stream.name}|${stream.epoch}|${last.index + 1}`) }
      : {}),
  };
}

function readShardsToken(
  context: OperationContext,
  token: string,
  now: number,
): { stream: Stream; from: number } {
  const parts = context.tokens.verify(token)?.split('|');
  if (parts?.length !== 5 || parts[0] !== 'sh') throw invalidArgument('Invalid NextToken.');
  const [, issuedAt, name, epoch, from] = parts as [string, string, string, string, string];
  if (now - Number(issuedAt) > NEXT_TOKEN_TTL_MS) {
    throw expiredNextToken('The NextToken has expired. NextTokens are valid for 300 seconds.');
  }
  const stream = context.store.get(name);
  if (!stream || stream.epoch !== Number(epoch)) {
    throw invalidArgument('NextToken refers to a stream that no longer exists.');
  }
  return { stream, from: Number(from) };
}

function shardsAfter(stream: Stream, shardId: string): Shard[] {
  // Shard ids are zero-padded, so their string order is their index order.
  return stream.shards.filter((shard) => shard.id > shardId);
}

/** The fields DescribeStream and DescribeStreamSummary share. */
function describeStreamFields(stream: Stream) {
  return {
    StreamName: stream.name,
    StreamARN: stream.arn,
    StreamStatus: stream.status,
    StreamModeDetails: { StreamMode: stream.mode },
    RetentionPeriodHours: stream.retentionHours,
    StreamCreationTimestamp: stream.createdAt / 1000,
    EnhancedMonitoring: [{ ShardLevelMetrics: [] }],
    EncryptionType: 'NONE',
  };
}

function describeShard(shard: Shard) {
  return {
    ShardId: shard.id,
    HashKeyRange: { StartingHashKey: shard.startingHashKey, EndingHashKey: shard.endingHashKey },
    SequenceNumberRange: { StartingSequenceNumber: shard.startingSequenceNumber },
  };
}
