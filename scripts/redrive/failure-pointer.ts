/**
 * A failure pointer: the record Lambda sends to a Kinesis mapping's on-failure destination (the SQS
 * dead-letter queue; locally a line of `dead-letters.ndjson`). It names a batch by shard and sequence
 * range, not by content: the records are still on the stream, for as long as it retains them.
 *
 * Pointers are read from outside the process (a queue others may write to, a file anyone may edit), so
 * each is validated whole before anything is done with it; one that does not pass is reported with the
 * reason and left where it is.
 */
import { z } from 'zod';
import type { FailedBatchRecord } from '../../local/event-source-mapping.js';

/** Larger than any pointer Lambda writes (about 700 bytes), far smaller than anything harmful. */
const MAX_POINTER_CHARS = 64 * 1024;

/** Kinesis API patterns: a sequence number is up to 129 digits, a shard id up to 128 characters. */
const SEQUENCE_NUMBER = /^(0|[1-9]\d{0,128})$/;
const SHARD_ID = /^[a-zA-Z0-9_.-]{1,128}$/;
const STREAM_ARN = /^arn:aws[a-z-]*:kinesis:[a-z0-9-]+:\d{12}:stream\/[a-zA-Z0-9_.-]{1,128}$/;

const pointerSchema = z.object({
  timestamp: z.string().optional(),
  requestContext: z
    .object({
      functionArn: z.string().optional(),
      condition: z.string().optional(),
      approximateInvokeCount: z.number().optional(),
    })
    .optional(),
  KinesisBatchInfo: z
    .object({
      shardId: z.string().regex(SHARD_ID, 'not a shard id'),
      startSequenceNumber: z.string().regex(SEQUENCE_NUMBER, 'not a sequence number'),
      endSequenceNumber: z.string().regex(SEQUENCE_NUMBER, 'not a sequence number'),
      batchSize: z.number().int().min(1).max(10_000),
      streamArn: z.string().regex(STREAM_ARN, 'not a Kinesis stream ARN'),
      approximateArrivalOfFirstRecord: z.string().optional(),
      approximateArrivalOfLastRecord: z.string().optional(),
    })
    // Zod runs this also when a field failed: compare only numbers that are numbers.
    .refine(
      ({ startSequenceNumber: start, endSequenceNumber: end }) =>
        !SEQUENCE_NUMBER.test(start) || !SEQUENCE_NUMBER.test(end) || BigInt(start) <= BigInt(end),
      { message: 'startSequenceNumber is after endSequenceNumber' },
    ),
});

/** What a redrive needs of a pointer: where its records are, and what to say about it. */
export interface FailurePointer {
  shardId: string;
  startSequenceNumber: string;
  endSequenceNumber: string;
  /** Records in the batch when it failed. */
  batchSize: number;
  streamArn: string;
  /** Why Lambda gave the batch up: `RetryAttemptsExhausted` or `RecordAgeExceeded`. */
  condition?: string;
  /** When it gave the batch up (ISO). */
  failedAt?: string;
}

// What the local mapping writes must be a pointer this module reads.
type Writable = FailedBatchRecord extends z.input<typeof pointerSchema> ? true : never;
const localPointersAreReadable: Writable = true;
void localPointersAreReadable;

export type PointerParse = { ok: true; pointer: FailurePointer } | { ok: false; error: string };

/**
 * Reads one pointer.
 *
 * @param text - a message body or a line of the dead-letter file
 * @returns the pointer, or what is wrong with it (one line, naming the field)
 */
export function parseFailurePointer(text: string): PointerParse {
  if (text.length > MAX_POINTER_CHARS) {
    return {
      ok: false,
      error: `${text.length} characters, more than any pointer has (${MAX_POINTER_CHARS})`,
    };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, error: 'not JSON' };
  }
  const parsed = pointerSchema.safeParse(json);
  if (!parsed.success) {
    const [issue] = parsed.error.issues;
    const path = issue?.path.length ? issue.path.join('.') : '(the whole record)';
    return { ok: false, error: `not an on-failure record of a Kinesis batch: ${path}: ${issue?.message}` };
  }
  const { KinesisBatchInfo: info, requestContext, timestamp } = parsed.data;
  return {
    ok: true,
    pointer: {
      shardId: info.shardId,
      startSequenceNumber: info.startSequenceNumber,
      endSequenceNumber: info.endSequenceNumber,
      batchSize: info.batchSize,
      streamArn: info.streamArn,
      condition: requestContext?.condition,
      failedAt: timestamp,
    },
  };
}

/**
 * Stream order: by shard, then by sequence number (a redrive stores each shard's batches in order).
 */
export function compareByStreamPosition(a: FailurePointer, b: FailurePointer): number {
  if (a.shardId !== b.shardId) return a.shardId < b.shardId ? -1 : 1;
  const x = BigInt(a.startSequenceNumber);
  const y = BigInt(b.startSequenceNumber);
  return x < y ? -1 : x > y ? 1 : 0;
}
