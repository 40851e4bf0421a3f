/**
 * Opaque, tamper-evident tokens (shard iterators, ListShards NextTokens): a text payload plus a
 * truncated HMAC-SHA256, base64-encoded. The key is random per server, so a token from another server
 * instance (or one edited by hand) is rejected rather than misread.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

const MAC_BYTES = 16;

export class TokenSigner {
  constructor(private readonly key: Buffer = randomBytes(32)) {}

  sign(payload: string): string {
    const body = Buffer.from(payload, 'utf8');
    return Buffer.concat([body, this.mac(body)]).toString('base64');
  }

  /** The payload of a token this signer issued, or undefined when it is not one. */
  verify(token: string): string | undefined {
    const bytes = Buffer.from(token, 'base64');
    // Buffer.from ignores invalid characters; a canonical round trip rejects anything but real base64.
    if (bytes.length <= MAC_BYTES || bytes.toString('base64') !== token) return undefined;
    const body = bytes.subarray(0, bytes.length - MAC_BYTES);
    if (!timingSafeEqual(bytes.subarray(bytes.length - MAC_BYTES), this.mac(body))) return undefined;
    return body.toString('utf8');
  }

  private mac(body: Buffer): Buffer {
    return createHmac('sha256', this.key).update(body).digest().subarray(0, MAC_BYTES);
  }
}
