/**
 * A small seeded pseudo-random number generator and the distributions the sample generator draws from.
 *
 * xoshiro128** (Blackman & Vigna) seeded through splitmix32: 32-bit arithmetic only, so it is fast in
 * JavaScript, and the same seed gives the same sequence on every platform and Node version, which is
 * what makes the generated CSV byte-identical from run to run. Not for cryptographic use.
 */
import { fnv1a } from '../../functions/shared/fnv1a.js';

const TWO_POW_32 = 0x1_0000_0000;

/** One step of splitmix32: a well-mixed 32-bit value from a 32-bit counter. */
function splitmix32(state: number): number {
  let z = (state + 0x9e3779b9) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/**
 * Derives an independent 32-bit seed from a parent seed and a path of keys (FNV-1a over the keys,
 * finished with splitmix32), so that each author gets a stream of its own.
 *
 * @param seed - the parent seed
 * @param keys - what the derived stream is for
 * @example deriveSeed(42, 'author', 7)
 */
export function deriveSeed(seed: number, ...keys: readonly (string | number)[]): number {
  return splitmix32(fnv1a(keys.map((key) => `${key}\u0000`).join(''), seed));
}

/** A seeded generator of uniform, normal and log-normal variates. */
export class Prng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  private spareNormal: number | undefined;

  /** @param seed - any 32-bit unsigned integer; equal seeds give equal sequences */
  constructor(seed: number) {
    let state = seed >>> 0;
    const nextSeed = (): number => {
      state = (state + 0x9e3779b9) >>> 0;
      return splitmix32(state);
    };
    this.s0 = nextSeed();
    this.s1 = nextSeed();
    this.s2 = nextSeed();
    this.s3 = nextSeed();
    // The all-zero state is the one state xoshiro never leaves.
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /** A uniform 32-bit unsigned integer. */
  uint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** A uniform number in [0, 1). */
  next(): number {
    return this.uint32() / TWO_POW_32;
  }

  /** A uniform number in [min, max). */
  uniform(min: number, max: number): number {
    return min + (max - min) * this.next();
  }

  /** A uniform integer in [min, max], both ends included. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** True with probability `p`. */
  bernoulli(p: number): boolean {
    return this.next() < p;
  }

  /** A standard normal variate (Box–Muller; the second value of each pair is kept for the next call). */
  normal(): number {
    const spare = this.spareNormal;
    if (spare !== undefined) {
      this.spareNormal = undefined;
      return spare;
    }
    const u1 = 1 - this.next(); // (0, 1]: keeps the logarithm finite
    const u2 = this.next();
    const radius = Math.sqrt(-2 * Math.log(u1));
    const angle = 2 * Math.PI * u2;
    this.spareNormal = radius * Math.sin(angle);
    return radius * Math.cos(angle);
  }

  /** A log-normal variate: `exp(mu + sigma · N(0, 1))`. */
  lognormal(mu: number, sigma: number): number {
    return Math.exp(mu + sigma * this.normal());
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** Draws items with fixed relative weights in O(log n) per draw. */
export class WeightedChoice<T> {
  private readonly items: readonly T[];
  private readonly cumulative: Float64Array;

  /**
   * @param entries - items with their non-negative relative weights (at least one positive)
   */
  constructor(entries: readonly (readonly [item: T, weight: number])[]) {
    this.items = entries.map(([item]) => item);
    this.cumulative = new Float64Array(entries.length);
    let total = 0;
    entries.forEach(([, weight], i) => {
      if (!(weight >= 0)) throw new RangeError(`weight of entry ${i} must be >= 0, got ${weight}`);
      total += weight;
      this.cumulative[i] = total;
    });
    if (!(total > 0)) throw new RangeError('at least one weight must be positive');
  }

  /** One item, chosen with probability proportional to its weight. */
  pick(prng: Prng): T {
    const cumulative = this.cumulative;
    const target = prng.next() * (cumulative[cumulative.length - 1] ?? 0);
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((cumulative[mid] ?? 0) > target) hi = mid;
      else lo = mid + 1;
    }
    return this.items[lo] as T;
  }
}
