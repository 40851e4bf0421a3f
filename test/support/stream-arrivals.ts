/**
 * What arrived on a stream, read straight from it: the commit id of every plain record (a replay with
 * `--no-aggregation`), one entry per arrival. A PutRecords whose answer was lost (the Kinesis server
 * killed after it stored the request) is sent again by the producer: its records then arrive twice, and
 * the archive holds each arrival once. This is the expectation of `raw/`, independent of the processor.
 */
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { wholeStream } from '../../local/whole-stream.js';

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
    for await (const data of wholeStream(kinesis, streamName)) {
      commitIds.push((JSON.parse(Buffer.from(data).toString('utf8')) as { commitId: string }).commitId);
    }
    return commitIds;
  } finally {
    kinesis.destroy();
  }
}
