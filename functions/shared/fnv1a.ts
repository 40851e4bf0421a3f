/**
 * FNV-1a (32 bits) over a string's UTF-16 code units: cheap, stable, and it spreads similar keys
 * (person_1, person_2, …). `seed` is mixed into the offset basis, for hashes that must differ per seed.
 */
export function fnv1a(text: string, seed = 0): number {
  let hash = 0x811c9dc5 ^ seed;
  for (let i = 0; i < text.length; i += 1) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}
