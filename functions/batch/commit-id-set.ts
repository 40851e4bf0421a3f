/**
 * The set of commit ids seen so far, in bounded memory whatever the ids' length: each id is kept as a
 * 128-bit fingerprint (the first half of its SHA-256) in an open-addressing table of 16-byte slots,
 * at most half full. A million ids take 32 MiB (2^21 slots); a `Set<string>` of the same ids takes
 * about three times that for 9-character ids, and grows with their length.
 *
 * Two different ids with the same 128-bit fingerprint would be taken for one (the second counted as a
 * repeat): SHA-256 makes that as likely as guessing a random 128-bit number, adversarial ids included.
 */
import { createHash } from 'node:crypto';

const WORDS_PER_SLOT = 4;
const INITIAL_SLOTS = 1 << 16;

export class CommitIdSet {
  private slots = new Uint32Array(INITIAL_SLOTS * WORDS_PER_SLOT);
  private mask = INITIAL_SLOTS - 1;
  private count = 0;

  /** How many distinct ids were added. */
  get size(): number {
    return this.count;
  }

  /** Bytes held by the table. */
  get bytes(): number {
    return this.slots.byteLength;
  }

  /**
   * Adds an id.
   *
   * @returns true when the id was not in the set before
   */
  add(id: string): boolean {
    const digest = createHash('sha256').update(id).digest();
    // Word 0 is never zero, so an all-zero slot means empty.
    const a = digest.readUInt32LE(0) | 1;
    const b = digest.readUInt32LE(4);
    const c = digest.readUInt32LE(8);
    const d = digest.readUInt32LE(12);
    if (this.insert(a, b, c, d)) {
      this.count += 1;
      if (this.count * 2 > this.mask + 1) this.grow();
      return true;
    }
    return false;
  }

  private insert(a: number, b: number, c: number, d: number): boolean {
    const slots = this.slots;
    for (let slot = (b ^ c) & this.mask; ; slot = (slot + 1) & this.mask) {
      const at = slot * WORDS_PER_SLOT;
      const word = slots[at] ?? 0;
      if (word === 0) {
        slots[at] = a;
        slots[at + 1] = b;
        slots[at + 2] = c;
        slots[at + 3] = d;
        return true;
      }
      if (word === a >>> 0 && slots[at + 1] === b && slots[at + 2] === c && slots[at + 3] === d) {
        return false;
      }
    }
  }

  private grow(): void {
    const old = this.slots;
    this.slots = new Uint32Array(old.length * 2);
    this.mask = this.slots.length / WORDS_PER_SLOT - 1;
    for (let at = 0; at < old.length; at += WORDS_PER_SLOT) {
      const a = old[at] ?? 0;
      if (a !== 0) this.insert(a, old[at + 1] ?? 0, old[at + 2] ?? 0, old[at + 3] ?? 0);
    }
  }
}
