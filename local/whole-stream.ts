/**
 * Every record a stream holds, shard by shard from its trim horizon to its tip: what a check of the end
 * state holds the archive and the serving tables to (the chaos run's statement, the crash tests).
 */
import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  type KinesisClient,
  ListShardsCommand,
} from '@aws-sdk/client-kinesis';

/**
 * @param kinesis - a client of the stream
 * @param streamName - the stream
 * @returns each record's data, in each shard's order
 */
export async function* wholeStream(kinesis: KinesisClient, streamName: string): AsyncGenerator<Uint8Array> {
  const { Shards = [] } = await kinesis.send(new ListShardsCommand({ StreamName: streamName }));
  for (const { ShardId } of Shards) {
    let { ShardIterator: iterator } = await kinesis.send(
      new GetShardIteratorCommand({ StreamName: streamName, ShardId, ShardIteratorType: 'TRIM_HORIZON' }),
    );
    while (iterator) {
      const page = await kinesis.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 10_000 }));
      for (const record of page.Records ?? []) yield record.Data ?? new Uint8Array();
      // An empty page at the tip of the shard: everything put before the read has been seen.
      iterator = page.Records?.length ? page.NextShardIterator : undefined;
    }
  }
}
