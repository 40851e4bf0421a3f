/**
 * Shard iterators: opaque strings encoding (stream, stream epoch, shard, position, issued-at). They are
 * stateless, so an iterator can be used again (AWS allows re-reading with the same iterator), and each
 * one expires 5 minutes after it was issued, with AWS's ExpiredIteratorException.
 */
import { expiredIterator, invalidArgument } from './errors.js';
import { TokenSigner } from './signed-tokens.js';

export const ITERATOR_TTL_MS = 300_000;
const VERSION = 'i1';

export interface IteratorPosition {
  streamName: string;
  /** Identifies the stream incarnation: an iterator of a deleted stream never reads a re-created one. */
  streamEpoch: number;
  shardIndex: number;
  /** Position in the shard of the next record to read. */
  position: number;
}

export interface DecodedIterator extends IteratorPosition {
  issuedAt: number;
}

export class ShardIteratorCodec {
  constructor(
    private readonly signer = new TokenSigner(),
    private readonly ttlMs = ITERATOR_TTL_MS,
  ) {}

  encode(position: IteratorPosition, issuedAt: number): string {
    const { streamEpoch, shardIndex, streamName } = position;
    return this.signer.sign(
      `${VERSION}|${issuedAt}|${streamEpoch}|${shardIndex}|${position.position}|${streamName}`,
    );
  }

  /**
   * @throws InvalidArgumentException for anything this server did not issue,
   *   ExpiredIteratorException for an iterator older than 5 minutes
   */
  decode(iterator: string, now: number): DecodedIterator {
    const payload = this.signer.verify(iterator);
    const parts = payload?.split('|');
    if (parts?.length !== 6 || parts[0] !== VERSION) throw invalidArgument('Invalid ShardIterator.');
    const [, issuedAt, streamEpoch, shardIndex, position] = parts.map(Number) as number[];
    const decoded = {
      issuedAt: issuedAt as number,
      streamEpoch: streamEpoch as number,
      shardIndex: shardIndex as number,
      position: position as number,
      streamName: parts[5] as string,
    };
    if (now - decoded.issuedAt > this.ttlMs) {
      throw expiredIterator(
        `Iterator expired. The iterator was created at time ${amzUtc(decoded.issuedAt)} while right now it is ` +
          `${amzUtc(now)} which is further in the future than the tolerated delay of ${this.ttlMs} milliseconds.`,
      );
    }
    return decoded;
  }
}

/** AWS's rendering of times in this message, e.g. "Thu Jan 22 01:22:02 UTC 2015". */
function amzUtc(ms: number): string {
  const [weekday, day, month, year, time] = new Date(ms).toUTCString().replace(',', '').split(' ');
  return `${weekday} ${month} ${day} ${time} UTC ${year}`;
}
