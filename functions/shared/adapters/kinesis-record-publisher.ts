import { type KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import type { PutOutcome, RecordPublisher, StreamEntry } from '../ports.js';

/** {@link RecordPublisher} over Kinesis PutRecords: one call, per-entry outcome. */
export class KinesisRecordPublisher implements RecordPublisher {
  constructor(
    private readonly client: KinesisClient,
    private readonly streamName: string,
  ) {}

  async put(entries: readonly StreamEntry[]): Promise<PutOutcome> {
    const output = await this.client.send(
      new PutRecordsCommand({
        StreamName: this.streamName,
        Records: entries.map((entry) => ({
          PartitionKey: entry.partitionKey,
          ExplicitHashKey: entry.explicitHashKey,
          Data: entry.data,
        })),
      }),
    );
    const failed: PutOutcome['failed'] = [];
    const records = output.Records ?? [];
    records.forEach((result, index) => {
      if (result.ErrorCode) {
        failed.push({ index, errorCode: result.ErrorCode, errorMessage: result.ErrorMessage });
      }
    });
    return { failed, shardIds: records.map((result) => (result.ErrorCode ? undefined : result.ShardId)) };
  }
}
