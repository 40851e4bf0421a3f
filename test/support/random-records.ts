/**
 * Seeded random user records for property-style tests: reproducible, with the awkward cases mixed in
 * (empty data, unicode and integer-like keys, lengths across varint boundaries).
 */
import type { StreamEntry } from '../../functions/shared/ports.js';
import { seededRandom } from '../../local/chaos/seeded-random.js';

export { seededRandom };

const UNICODE = ['ключ', '🦀', 'é', '中文', '\u0000', ' ', 'ß'];

export interface RecordShape {
  /** Allow keys such as "7" (the reference encoder mislabels them, see the compatibility tests). */
  integerLikeKeys?: boolean;
  /** Share of records with an explicit hash key. */
  explicitHashKeyShare?: number;
  maxDataBytes?: number;
  distinctKeys?: number;
}

export function randomRecords(random: () => number, count: number, shape: RecordShape = {}): StreamEntry[] {
  const { integerLikeKeys = true, explicitHashKeyShare = 0.3, maxDataBytes = 400, distinctKeys = 40 } = shape;
  const int = (below: number) => Math.floor(random() * below);
  const keys = Array.from({ length: distinctKeys }, (_, i) => {
    const pick = int(4);
    if (pick === 0 && integerLikeKeys) return String(i);
    if (pick === 1) return `${UNICODE[int(UNICODE.length)]}-${i}`;
    if (pick === 2) return `k${i}-${'x'.repeat(int(300))}`;
    return `person_${i}`;
  });
  return Array.from({ length: count }, () => {
    const lengthPick = int(12);
    // Lengths around the one- and two-byte varint limits, empty data and the usual sizes.
    const length =
      lengthPick === 0
        ? 0
        : lengthPick === 1
          ? 126 + int(4)
          : lengthPick === 2
            ? 16_382 + int(4)
            : int(maxDataBytes);
    const data = new Uint8Array(length);
    const salt = int(256);
    for (let i = 0; i < length; i += 1) data[i] = (salt + i * 31) & 0xff;
    const record: StreamEntry = { partitionKey: keys[int(keys.length)] as string, data };
    if (random() < explicitHashKeyShare) record.explicitHashKey = String(BigInt(int(2 ** 31)) ** 4n);
    return record;
  });
}
