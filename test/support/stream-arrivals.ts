/**
 * What arrived on a stream, read straight from it: the commit id of every plain record (a replay with
 * `--no-aggregation`), one entry per arrival. A PutRecords whose answer was lost (the Kinesis server
 * killed after it stored the request) is sent again by the producer: its records then arrive twice, and
 * the archive holds each arrival once. This is the expectation of `raw/`, independent of the processor.
 */
import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
  ListShardsCommand,
} from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';

/**
 * @param endpoint - the Kinesis server's URL
 * @param streamName - the stream
 * @param region - the region the server answers for
 * @returns one commit id per record on the stream, every shard read from its trim horizon to its end
 */
export async function streamArrivals(
  endpoint: string,
  streamName: string,
  region: string,
): Promise<string[]> {
  const kinesis = new KinesisClient({
    endpoint,
    region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    requestHandler: new NodeHttpHandler(),
  });
  try {
    const commitIds: string[] = [];
    const { Shards = [] } = await kinesis.send(new ListShardsCommand({ StreamName: streamName }));
    for (const { ShardId } of Shards) {
      let { ShardIterator: iterator } = await kinesis.send(
        new GetShardIteratorCommand({ StreamName: streamName, ShardId, ShardIteratorType: 'TRIM_HORIZON' }),
      );
      while (iterator) {
        const page = await kinesis.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 10_000 }));
        for (const record of page.Records ?? []) {
          const text = Buffer.from(record.Data ?? new Uint8Array()).toString('utf8');
          commitIds.push((JSON.parse(text) as { commitId: string }).commitId);
        }
        // An empty page at the tip of the shard: everything put before the read has been seen.
        iterator = page.Records?.length ? page.NextShardIterator : undefined;
      }
    }
    return commitIds;
  } finally {
    kinesis.destroy();
  }
}
