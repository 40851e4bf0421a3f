/**
 * The stream record: one commit, as the producer writes it to Kinesis and the processor reads it back.
 * Versioned so that the format can evolve without breaking consumers of the archive. `messageChars`
 * came later as an optional field within version 1: a reader that does not know it still reads the
 * record (it is set only when the message was cut to its bound).
 */
import { z } from 'zod';
import { boundViolation } from './record-bounds.js';

export const COMMIT_RECORD_VERSION = 1;

const isoTimestamp = z.iso.datetime({ offset: true });

export const commitRecordSchema = z
  .object({
    v: z.literal(COMMIT_RECORD_VERSION),
    commitId: z.string().min(1),
    author: z.string().min(1),
    time: z.number().int().nonnegative(),
    eventTime: isoTimestamp,
    filePath: z.string(),
    linesAdded: z.number().int().nonnegative(),
    linesDeleted: z.number().int().nonnegative(),
    entropy: z.number().min(0).max(1),
    /** At most `MAX_MESSAGE_CHARS` characters: a longer message is cut, its length in `messageChars`. */
    message: z.string(),
    /** The message's length before it was cut; present only when it was. */
    messageChars: z.number().int().optional(),
    ingestedAt: isoTimestamp,
  })
  // The bounds the backends can hold (record-bounds.ts), the same ones the producer enforces; a record
  // beyond them (a NUL, say) is quarantined instead of failing its batch forever.
  .superRefine((record, context) => {
    const violation = boundViolation(record);
    if (violation) context.addIssue({ code: 'custom', path: [violation.field], message: violation.detail });
    if (record.messageChars !== undefined && record.messageChars <= record.message.length) {
      context.addIssue({
        code: 'custom',
        path: ['messageChars'],
        message: `messageChars is ${record.messageChars}: a cut message's length must exceed the ${record.message.length} characters kept`,
      });
    }
  });

export type CommitRecord = z.infer<typeof commitRecordSchema>;

/** The Kinesis partition key: one author's commits land on one shard, in order. */
export function partitionKeyOf(record: Pick<CommitRecord, 'author'>): string {
  return record.author;
}

/** Outcome of decoding one stream record. */
export type DecodeResult = { ok: true; record: CommitRecord } | { ok: false; reason: string };

/**
 * Parses and validates a serialized commit record.
 *
 * @param text - the record's JSON text (already base64-decoded)
 * @returns the record, or the reason it is invalid
 */
export function decodeCommitRecord(text: string): DecodeResult {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'not valid JSON' };
  }
  const parsed = commitRecordSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, reason: `${issue?.path.join('.') || 'record'}: ${issue?.message ?? 'invalid'}` };
  }
  return { ok: true, record: parsed.data };
}
