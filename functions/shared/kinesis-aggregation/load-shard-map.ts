/**
 * Reads a stream's shard map with ListShards, page by page. Closed shards are filtered here rather than
 * with ShardFilter, which not every emulator supports.
 */
import {
  type KinesisClient,
  ListShardsCommand,
  type ListShardsCommandInput,
  type Shard,
} from '@aws-sdk/client-kinesis';
import { ShardMap } from './shard-map.js';

/**
 * @param client - a Kinesis client
 * @param stream - the stream's name, or its ARN
 * @param pageSize - shards per ListShards call (MaxResults); default: the service's (1,000)
 */
export async function loadShardMap(
  client: KinesisClient,
  stream: string,
  pageSize?: number,
): Promise<ShardMap> {
  const shards: Shard[] = [];
  const named: ListShardsCommandInput = stream.startsWith('arn:')
    ? { StreamARN: stream }
    : { StreamName: stream };
  let nextToken: string | undefined;
  do {
    // A NextToken names the stream itself; sending the name too is an error.
    const input = nextToken ? { NextToken: nextToken } : named;
    const output = await client.send(new ListShardsCommand({ ...input, MaxResults: pageSize }));
    shards.push(...(output.Shards ?? []));
    nextToken = output.NextToken;
  } while (nextToken);
  return ShardMap.fromShards(shards);
}
