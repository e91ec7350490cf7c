/**
 * The one choice mechanism. Every nondeterministic decision of a run (a
 * latency, a loss, a duplicate, an actor's `random()`, a generated fault) is
 * a draw from a named **stream** at a position: draw `i` of stream
 * `net:n1>n2`, draw `j` of stream `node:n3`. A run is its seed plus, where
 * anything was changed, the values of some draws.
 *
 * Draws are counter-based: the value of draw `i` of a stream is a hash of
 * the stream's key (itself a hash of the seed and the stream's name) and
 * `i`, so any draw can be computed without the ones before it. That is what
 * makes the rest cheap:
 *
 * - a normal run records nothing: the seed reproduces every draw;
 * - streams are independent: removing a node, or a message of one link,
 *   re-rolls nothing on the other streams (shrinking keeps the rest of the
 *   schedule);
 * - a {@linkcode ChoiceLog} can record the values a run used (for
 *   shrinking), or feed edited ones back (replay of a shrunk run, the
 *   studio's "what if"); a draw past the end of a replayed stream is the
 *   seed's own again. (Not 0: an actor that draws until it gets something
 *   new, a peer it has not picked yet, say, would loop forever on zeros.)
 *   0 is the simplest value (the smallest latency, no loss, no duplicate),
 *   so a shrinker lowers draws toward it, explicitly;
 * - the simulator's hot path pays one multiply-and-mix per draw, no object.
 *
 * Values are unsigned 32-bit numbers; {@linkcode unit} turns one into a
 * number in [0, 1).
 *
 * @module
 */

/** 2^32 as a number, for turning 32-bit draws into fractions. */
const TWO_32 = 4294967296;

/**
 * The murmur3 finaliser: spreads every input bit over the 32 output bits.
 *
 * @example
 * ```ts
 * import { mix32 } from "./choices.ts";
 * import assert from "node:assert/strict";
 * assert.notEqual(mix32(1), mix32(2));
 * assert.ok(mix32(7) >= 0 && mix32(7) < 2 ** 32);
 * ```
 */
export function mix32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x >>> 0;
}

/**
 * FNV-1a over the string's UTF-16 code units, as an unsigned 32-bit number.
 * Given the hash of a prefix as `start`, it goes on from there: the hash
 * of `a + b` is `hashString(b, hashString(a))`, so names sharing a prefix
 * need not be built as strings to be hashed.
 *
 * @example
 * ```ts
 * import { hashString } from "./choices.ts";
 * import assert from "node:assert/strict";
 * assert.equal(hashString(""), 0x811c9dc5);
 * assert.notEqual(hashString("net:n1>n2"), hashString("net:n2>n1"));
 * assert.equal(hashString("n2", hashString("net:n1>")), hashString("net:n1>n2"));
 * ```
 */
export function hashString(s: string, start: number = 0x811c9dc5): number {
  let h = start;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * The key of stream `name` in the run with `seed` (any seed up to 2^53 - 1).
 *
 * @example
 * ```ts
 * import { streamKey } from "./choices.ts";
 * import assert from "node:assert/strict";
 * assert.equal(streamKey(7, "node:n1"), streamKey(7, "node:n1"));
 * assert.notEqual(streamKey(7, "node:n1"), streamKey(8, "node:n1"));
 * ```
 */
export function streamKey(seed: number, name: string): number {
  return keyOfHash(hashString(name), seedMix(seed));
}

/**
 * The part of every stream key that comes from the seed: with it, the key
 * of a stream whose name hashes to `nameHash` is `keyOfHash(nameHash, mix)`.
 *
 * @example
 * ```ts
 * import { hashString, keyOfHash, seedMix, streamKey } from "./choices.ts";
 * import assert from "node:assert/strict";
 * assert.equal(keyOfHash(hashString("node:n1"), seedMix(7)), streamKey(7, "node:n1"));
 * ```
 */
export function seedMix(seed: number): number {
  const lo = seed >>> 0, hi = Math.floor(seed / TWO_32) >>> 0;
  return mix32(lo ^ 0x9e3779b9) ^ mix32(hi + 0x6a09e667);
}

/**
 * The key of the stream whose name hashes to `nameHash` ({@linkcode hashString}),
 * given the seed's part ({@linkcode seedMix}): {@linkcode streamKey} without
 * the string.
 *
 * @example
 * ```ts
 * import { hashString, keyOfHash, seedMix, streamKey } from "./choices.ts";
 * import assert from "node:assert/strict";
 * const linkPrefix = hashString("net:n1>");
 * assert.equal(keyOfHash(hashString("n2", linkPrefix), seedMix(3)), streamKey(3, "net:n1>n2"));
 * ```
 */
export function keyOfHash(nameHash: number, seedPart: number): number {
  return mix32(nameHash ^ seedPart);
}

/**
 * Draw `index` of the stream with key `key`: a 32-bit value. SplitMix32:
 * the golden-ratio step walks the key's sequence, the finaliser mixes it.
 * Indexes up to 2^53 are distinct (the high part is folded in).
 *
 * @example
 * ```ts
 * import { draw, streamKey } from "./choices.ts";
 * import assert from "node:assert/strict";
 * const key = streamKey(1, "net:a>b");
 * assert.equal(draw(key, 5), draw(key, 5));
 * assert.notEqual(draw(key, 5), draw(key, 6));
 * ```
 */
export function draw(key: number, index: number): number {
  if (index < TWO_32) return mix32((key + Math.imul(index, 0x9e3779b9)) | 0);
  return drawFar(key, index);
}

/** {@linkcode draw} for indexes from 2^32 on, kept out of the hot path. */
function drawFar(key: number, index: number): number {
  const hi = Math.floor(index / TWO_32);
  return mix32((key + Math.imul(index >>> 0, 0x9e3779b9) + Math.imul(hi, 0x7f4a7c15)) | 0);
}

/**
 * A 32-bit draw as a number in [0, 1).
 *
 * @example
 * ```ts
 * import { unit } from "./choices.ts";
 * import assert from "node:assert/strict";
 * assert.equal(unit(0), 0);
 * assert.ok(unit(0xffffffff) < 1);
 * ```
 */
export function unit(value: number): number {
  return value / TWO_32;
}

/**
 * The draws of one run, stream by stream: recorded while a run makes them,
 * or given to a run to use instead of its seed's (a draw past the end of a
 * stream, or of a stream not named, is the seed's own when replaying).
 *
 * @example
 * ```ts
 * import { ChoiceLog } from "./choices.ts";
 * import assert from "node:assert/strict";
 * const log = new ChoiceLog();
 * log.record("net:n1>n2", 2, 1234);
 * assert.deepEqual([...log.values("net:n1>n2")], [0, 0, 1234]);
 * assert.equal(log.get("net:n1>n2", 2), 1234);
 * assert.equal(log.get("net:n1>n2", 9), -1);
 * assert.equal(log.size, 3);
 * ```
 */
export class ChoiceLog {
  #streams = new Map<string, Uint32Array>();
  #lengths = new Map<string, number>();

  /** Builds a log from plain arrays (a choice file's `streams`). */
  static from(streams: Record<string, readonly number[]>): ChoiceLog {
    const log = new ChoiceLog();
    for (const [name, values] of Object.entries(streams)) log.set(name, values);
    return log;
  }

  /** Stream names, in the order they were first written. */
  names(): string[] {
    return [...this.#streams.keys()];
  }

  /** The values of one stream (empty when it has none). */
  values(name: string): Uint32Array {
    const data = this.#streams.get(name);
    return data === undefined ? new Uint32Array(0) : data.subarray(0, this.#lengths.get(name)!);
  }

  /** Draw `index` of stream `name`, or -1 when the log does not have it. */
  get(name: string, index: number): number {
    const data = this.#streams.get(name);
    return data !== undefined && index < this.#lengths.get(name)! ? data[index] : -1;
  }

  /** Replaces a whole stream. */
  set(name: string, values: ArrayLike<number>): void {
    const data = new Uint32Array(Math.max(4, values.length));
    for (let i = 0; i < values.length; i++) data[i] = values[i] >>> 0;
    this.#streams.set(name, data);
    this.#lengths.set(name, values.length);
  }

  /** Notes that draw `index` of stream `name` was `value` (earlier gaps read as 0). */
  record(name: string, index: number, value: number): void {
    let data = this.#streams.get(name);
    if (data === undefined) {
      data = new Uint32Array(Math.max(16, index + 1));
      this.#streams.set(name, data);
      this.#lengths.set(name, 0);
    } else if (index >= data.length) {
      const grown = new Uint32Array(Math.max(index + 1, data.length * 2));
      grown.set(data);
      data = grown;
      this.#streams.set(name, data);
    }
    data[index] = value >>> 0;
    if (index >= this.#lengths.get(name)!) this.#lengths.set(name, index + 1);
  }

  /** How many draws the log holds, over all streams. */
  get size(): number {
    let n = 0;
    for (const length of this.#lengths.values()) n += length;
    return n;
  }

  /** A copy, to edit without touching this one. */
  clone(): ChoiceLog {
    const log = new ChoiceLog();
    for (const name of this.#streams.keys()) log.set(name, this.values(name));
    return log;
  }

  /** Plain arrays by stream name, for a choice file. */
  toJSON(): Record<string, number[]> {
    const out: Record<string, number[]> = {};
    for (const name of this.#streams.keys()) out[name] = [...this.values(name)];
    return out;
  }
}

/**
 * A sequential stream of draws with a cursor: the convenience form for
 * code outside the simulator's hot path (fault generation, scenario plans,
 * strategies). The same seed and name give the same numbers everywhere.
 *
 * @example
 * ```ts
 * import { Random } from "./choices.ts";
 * import assert from "node:assert/strict";
 * const a = Random.stream(42, "plan"), b = Random.stream(42, "plan");
 * assert.equal(a.next(), b.next());
 * const x = a.uniform(1, 10);
 * assert.ok(x >= 1 && x < 10);
 * assert.ok([1, 2, 3].includes(a.pick([1, 2, 3])));
 * ```
 */
export class Random {
  /** The stream's key: the seed and the stream's name mixed. */
  readonly key: number;
  /** Draws taken so far; the next draw is draw number `position`. */
  position = 0;

  private constructor(key: number) {
    this.key = key;
  }

  /** The stream called `name` of run `seed`. */
  static stream(seed: number, name: string): Random {
    return new Random(streamKey(seed, name));
  }

  /** A uniform number in [0, 1) with 53 bits of randomness (two draws). */
  next(): number {
    const hi = draw(this.key, this.position++) >>> 5; // 27 bits
    const lo = draw(this.key, this.position++) >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** True with probability `p`. Draws nothing when `p` is 0 or 1. */
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
