/**
 * Benchmarks of the transaction checker on list-append histories that are
 * strictly serializable by construction: 10 clients run overlapping
 * transactions of four micro-operations (half appends, half reads) against
 * a real store, each taking effect at its call; keys rotate every 200
 * transactions, as Jepsen's workloads retire a key after a few dozen
 * appends, so lists stay short.
 *
 * Run with `deno bench tests/bench/txncheck_bench.ts`.
 *
 * @module
 */

import type { Operation } from "../../sim/history.ts";
import { checkTransactions } from "../../sim/check/mod.ts";

/** A serializable list-append history of `n` transactions (same `seed`, same history). */
export function listAppendHistory(n: number, seed = 7): Operation[] {
  let a = seed >>> 0;
  const random = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const store = new Map<number, number[]>();
  const ops: Operation[] = [];
  let value = 0;
  for (let i = 0; i < n; i++) {
    const mops: unknown[] = [];
    for (let j = 0; j < 4; j++) {
      const key = Math.floor(i / 200) * 20 + Math.floor(random() * 20);
      if (random() < 0.5) {
        store.set(key, [...(store.get(key) ?? []), ++value]);
        mops.push(["append", key, value]);
      } else {
        mops.push(["r", key, [...(store.get(key) ?? [])]]);
      }
    }
    const call = i * 10;
    ops.push({
      id: i,
      client: `c${i % 10}`,
      f: "txn",
      input: mops,
      output: mops,
      call,
      ret: call + 5 + Math.floor(random() * 30),
      status: "ok",
    });
  }
  return ops;
}

for (const n of [1_000, 10_000, 100_000]) {
  const history = listAppendHistory(n);
  Deno.bench(`txncheck list-append, ${n} transactions`, { group: "txncheck" }, () => {
    const r = checkTransactions(history, { model: "list-append" });
    if (r.valid !== true) throw new Error(`expected a clean history, got ${r.anomalyTypes}`);
  });
}
