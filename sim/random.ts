/**
 * Seeded randomness. Every choice the simulator makes (latency, loss,
 * duplication, generated faults, each node's `ctx.random()`) comes from a
 * stream derived from the run's one seed, so a seed replays a run exactly.
 *
 * Streams are derived by name (`"network"`, `"node:n1"`), not by creation
 * order, so adding a node or a fault generator does not shift any other
 * stream's numbers.
 *
 * @module
 */

import { xoroshiro128plus } from "npm:pure-rand@8.4.2/generator/xoroshiro128plus";
import type { RandomGenerator } from "npm:pure-rand@8.4.2/types/RandomGenerator";

/** Largest seed accepted: seeds are whole numbers from 0 to 2^53 - 1. */
export const MAX_SEED: number = Number.MAX_SAFE_INTEGER;

/**
 * A seeded stream of uniform numbers (xoroshiro128+ from `pure-rand`).
 *
 * @example
 * ```ts
 * import { Random } from "./random.ts";
 * const a = Random.stream(42, "network");
 * const b = Random.stream(42, "network");
 * a.next() === b.next(); // true
 * ```
 */
export class Random {
  #gen: RandomGenerator;

  private constructor(gen: RandomGenerator) {
    this.#gen = gen;
  }

  /** The stream called `name` of run `seed`. */
  static stream(seed: number, name: string): Random {
    const mixed = mix32(hashString(name) ^ mix32(seed >>> 0) ^ mix32(Math.floor(seed / 2 ** 32)));
    const gen = xoroshiro128plus(mixed);
    // xoroshiro seeded from one 32-bit word starts with correlated outputs;
    // a few draws decorrelate neighbouring seeds.
    for (let i = 0; i < 8; i++) gen.next();
    return new Random(gen);
  }

  /** A uniform number in [0, 1) with 53 bits of randomness. */
  next(): number {
    const g = this.#gen;
    const hi = (g.next() >>> 0) >>> 6; // 26 bits
    const lo = (g.next() >>> 0) >>> 5; // 27 bits
    return (hi * 134217728 + lo) / 9007199254740992;
  }

  /** True with probability `p`. Draws nothing when `p` is 0 or 1, which keeps fault-free runs cheap. */
  chance(p: number): boolean {
    if (p <= 0) return false;
    if (p >= 1) return true;
    return this.next() < p;
  }

  /** A whole number in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** A uniform number in [min, max). */
  uniform(min: number, max: number): number {
    return min + this.next() * (max - min);
  }

  /** An exponentially distributed number with the given mean. */
  exponential(mean: number): number {
    return -mean * Math.log(1 - this.next());
  }

  /** One element of a non-empty array. */
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }
}

/** FNV-1a over the string's UTF-16 code units, as an unsigned 32-bit number. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** The murmur3 finaliser: spreads every input bit over the output. */
function mix32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x >>> 0;
}
