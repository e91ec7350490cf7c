/**
 * Benchmarks of the linearizability checker on generated key-value histories
 * that are linearizable by construction: 10 clients run overlapping
 * get/put/cas operations against a real map, each taking effect at a random
 * instant between its call and its return.
 *
 * Run with `deno bench bench/linearizability_bench.ts`.
 *
 * @module
 */

import type { Operation } from "../../sim/history.ts";
import { checkLinearizability } from "../../sim/check/linearizability.ts";
import { kvModel } from "../../sim/check/models.ts";

/**
 * Options of {@linkcode generateKvHistory}.
 *
 * @example
 * ```ts
 * import type { KvHistoryOptions } from "./linearizability_bench.ts";
 * const o: KvHistoryOptions = { ops: 1000, keys: 10, clients: 10, seed: 1 };
 * ```
 */
export interface KvHistoryOptions {
  /** How many operations. */
  ops: number;
  /** How many distinct keys. */
  keys: number;
  /** How many concurrent clients (each runs one operation at a time). */
  clients: number;
  /** Seed of the generator; the same seed gives the same history. */
  seed: number;
}

/** mulberry32: tiny, seeded, and good enough to shape a workload. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A linearizable key-value history: every operation's effect is applied to
 * a real map at a random instant inside its [call, ret] interval, in the
 * order of those instants, so the effects' order is a linearization.
 * Clients overlap one another; values are small so reads are ambiguous.
 *
 * @example
 * ```ts
 * import { generateKvHistory } from "./linearizability_bench.ts";
 * const h = generateKvHistory({ ops: 100, keys: 10, clients: 10, seed: 7 });
 * h.length; // 100
 * ```
 */
export function generateKvHistory(opts: KvHistoryOptions): Operation[] {
  const rand = prng(opts.seed);
  const int = (n: number) => Math.floor(rand() * n);
  const clock = new Array<number>(opts.clients).fill(0);
  const ops: (Operation & { at: number })[] = [];
  for (let i = 0; i < opts.ops; i++) {
    const c = i % opts.clients;
    const call = clock[c] + int(3);
    const at = call + 1 + int(10);
    const ret = at + 1 + int(10);
    clock[c] = ret;
    const key = `k${int(opts.keys)}`;
    const dice = rand();
    const base = { id: 0, client: `c${c}`, call, ret, status: "ok" as const, output: undefined };
    if (dice < 0.45) ops.push({ ...base, f: "get", input: { key }, at });
    else if (dice < 0.9) ops.push({ ...base, f: "put", input: { key, value: int(5) }, at });
    else ops.push({ ...base, f: "cas", input: { key, from: int(5), to: int(5) }, at });
  }
  // Apply effects in linearization order to the real map to learn each output.
  const store = new Map<string, number>();
  for (const op of [...ops].sort((a, b) => a.at - b.at)) {
    const input = op.input as { key: string; value?: number; from?: number; to?: number };
    switch (op.f) {
      case "get":
        op.output = store.get(input.key) ?? null;
        break;
      case "put":
        store.set(input.key, input.value!);
        break;
      case "cas":
        op.output = store.get(input.key) === input.from;
        if (op.output) store.set(input.key, input.to!);
        break;
    }
  }
  ops.sort((a, b) => a.call - b.call);
  return ops.map(({ at: _at, ...op }, id) => ({ ...op, id }));
}

const sizes = [1_000, 10_000, 100_000];
const histories = sizes.map((n) => generateKvHistory({ ops: n, keys: 10, clients: 10, seed: 42 }));
const oneKey = generateKvHistory({ ops: 10_000, keys: 1, clients: 10, seed: 42 });

for (const [i, n] of sizes.entries()) {
  Deno.bench({
    name: `kv ${n / 1000}k ops, 10 keys, 10 clients`,
    group: "linearizability",
    baseline: n === 10_000,
    fn() {
      const r = checkLinearizability(histories[i], kvModel);
      if (r.result !== "ok") throw new Error(`expected ok, got ${r.result}`);
    },
  });
}

Deno.bench({
  name: "kv 10k ops, 1 key, 10 clients",
  group: "linearizability",
  fn() {
    const r = checkLinearizability(oneKey, kvModel);
    if (r.result !== "ok") throw new Error(`expected ok, got ${r.result}`);
  },
});
