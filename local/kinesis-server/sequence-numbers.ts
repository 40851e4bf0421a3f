/**
 * Sequence numbers: 56-digit decimal strings like AWS's, laid out as
 *
 *     4 | stream epoch (15 digits) | shard index (6 digits) | position in the shard (34 digits)
 *
 * The first 22 digits are fixed per shard (the stream epoch is unique per stream incarnation, so a
 * number from a deleted stream never matches a re-created one), and the position counts the shard's
 * records from 0. All numbers have the same length and a non-zero first digit, so within a shard they
 * are strictly increasing both as big integers and as strings. The shard's StartingSequenceNumber is
 * position 0, which is also its first record's number.
 */

export const SEQUENCE_NUMBER_DIGITS = 56;
const EPOCH_DIGITS = 15;
const SHARD_DIGITS = 6;
const PREFIX_DIGITS = 1 + EPOCH_DIGITS + SHARD_DIGITS;
const POSITION_DIGITS = SEQUENCE_NUMBER_DIGITS - PREFIX_DIGITS;
const SHAPE = /^4\d{55}$/;

export const MAX_SHARDS_PER_STREAM = 10 ** SHARD_DIGITS;

export interface DecodedSequenceNumber {
  streamEpoch: number;
  shardIndex: number;
  position: number;
}

/** The fixed leading digits of every sequence number of one shard. */
export function sequencePrefix(streamEpoch: number, shardIndex: number): string {
  return `4${String(streamEpoch).padStart(EPOCH_DIGITS, '0')}${String(shardIndex).padStart(SHARD_DIGITS, '0')}`;
}

/** The sequence number of the record at `position` in the shard whose prefix is given. */
export function formatSequenceNumber(prefix: string, position: number): string {
  return prefix + String(position).padStart(POSITION_DIGITS, '0');
}

/** Parts of a sequence number this server issued, or undefined for anything else. */
export function parseSequenceNumber(sequenceNumber: string): DecodedSequenceNumber | undefined {
  if (!SHAPE.test(sequenceNumber)) return undefined;
  const position = Number(sequenceNumber.slice(PREFIX_DIGITS));
  if (!Number.isSafeInteger(position)) return undefined;
  return {
    streamEpoch: Number(sequenceNumber.slice(1, 1 + EPOCH_DIGITS)),
    shardIndex: Number(sequenceNumber.slice(1 + EPOCH_DIGITS, PREFIX_DIGITS)),
    position,
  };
}

/** Numeric comparison of two decimal sequence numbers (any lengths), as AWS clients do it. */
export function compareSequenceNumbers(a: string, b: string): -1 | 0 | 1 {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}
