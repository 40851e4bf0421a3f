/**
 * Reads a shard's records for the local event-source mapping with one plain JSON 1.1 call to the
 * emulator, keeping each record's data as the base64 text Kinesis sent. Lambda hands records to the
 * function base64-encoded, so the SDK's decode-then-re-encode of every record would be pure overhead
 * (measured: the largest single cost of the mapping's thread). Loopback emulators only: unsigned.
 */

/** A record as it travels from the stream to the function event. */
export interface StreamRecord {
  sequenceNumber: string;
  partitionKey: string;
  /** Base64, exactly as Kinesis returned it. */
  data: string;
  /** Seconds since the epoch at which Kinesis accepted the record. */
  arrivedAt: number;
}

export interface RecordsPage {
  records: StreamRecord[];
  nextShardIterator: string | undefined;
}

interface GetRecordsOutput {
  Records?: Array<{
    SequenceNumber: string;
    PartitionKey: string;
    Data: string;
    ApproximateArrivalTimestamp: number;
  }>;
  NextShardIterator?: string;
}

/**
 * @param endpoint - the emulator's URL, e.g. `http://127.0.0.1:4567`
 * @param shardIterator - from GetShardIterator or the previous page
 * @param limit - at most this many records (1–10,000)
 */
export async function getRecords(
  endpoint: string,
  shardIterator: string,
  limit: number,
): Promise<RecordsPage> {
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': 'Kinesis_20131202.GetRecords',
    },
    body: JSON.stringify({ ShardIterator: shardIterator, Limit: limit }),
  });
  const body = (await response.json()) as GetRecordsOutput & { __type?: string; message?: string };
  if (!response.ok) {
    throw Object.assign(new Error(body.message ?? `GetRecords failed with HTTP ${response.status}`), {
      name: body.__type?.split('#').pop() ?? 'KinesisError',
    });
  }
  return {
    records: (body.Records ?? []).map((record) => ({
      sequenceNumber: record.SequenceNumber,
      partitionKey: record.PartitionKey,
      data: record.Data,
      arrivedAt: record.ApproximateArrivalTimestamp,
    })),
    nextShardIterator: body.NextShardIterator,
  };
}
