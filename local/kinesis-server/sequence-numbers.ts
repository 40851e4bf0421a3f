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

const scratch = Buffer.alloc(SEQUENCE_NUMBER_DIGITS);

/** The sequence number of the record at `position` in the shard whose prefix is given. */
export function formatSequenceNumber(prefix: string, position: number): string {
  const digits = String(position);
  if (prefix.length !== PREFIX_DIGITS || digits.length > POSITION_DIGITS) {
    throw new RangeError(`cannot number position ${digits} after prefix ${prefix}`);
  }
  // Built in a buffer so that V8 makes one flat 56-byte string: a concatenation would be kept as a rope
  // of its pieces (~220 bytes instead of ~80) for as long as the record is held.
  scratch.write(prefix, 0, 'latin1');
  scratch.fill(0x30, PREFIX_DIGITS, SEQUENCE_NUMBER_DIGITS - digits.length);
  scratch.write(digits, SEQUENCE_NUMBER_DIGITS - digits.length, 'latin1');
  return scratch.toString('latin1', 0, SEQUENCE_NUMBER_DIGITS);
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
