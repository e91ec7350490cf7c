/**
 * Merge cost of the state-based CRDTs as states grow: 1k, 10k and 100k
 * elements (set elements, counter replica entries, text characters).
 *
 * Each case merges two replicas that have diverged (each holds updates the
 * other lacks), so neither merge fast path (`other ≤ this`, `this ≤ other`)
 * applies and the full join runs. A second group times merging an OR-Set with
 * an equal copy, the common case in anti-entropy gossip, which the fast path
 * answers with a read-only scan and no copy.
 *
 * Run with `deno bench bench/crdt_bench.ts`.
 */

import { GSet, OrSet, PNCounter, Rga } from "../../protocols/crdt/mod.ts";

const SIZES = [1_000, 10_000, 100_000] as const;
const label = (n: number) => `${n / 1000}k`;
const names = (from: number, to: number) =>
  Array.from({ length: to - from }, (_, i) => `item-${from + i}`);

for (const n of SIZES) {
  // G-Set: two sets of n elements, overlapping by half.
  const gA = GSet.of(names(0, n));
  const gB = GSet.of(names(n / 2, n + n / 2));
  Deno.bench({
    name: `G-Set merge, ${label(n)} elements`,
    group: "crdt merge",
    baseline: n === SIZES[0],
    fn: () => void gA.merge(gB),
  });

  // OR-Set: a common past of n elements, then replica x adds n/2 more while
  // replica y removes 1% of the common ones.
  const base = OrSet.empty<string>().addAll("a", names(0, n));
  const orX = base.addAll("x", names(n, n + n / 2));
  let orY = base;
  for (let i = 0; i < n; i += 100) orY = orY.remove(`item-${i}`);
  Deno.bench({
    name: `OR-Set merge, ${label(n)} elements`,
    group: "crdt merge",
    fn: () => void orX.merge(orY),
  });

  // PN-Counter: n replica entries on each side; each side is ahead on half of them.
  const entries = (bump: number) =>
    Object.fromEntries(names(0, n).map((r, i) => [r.replace("item", "r"), i + (i % 2) * bump]));
  const pnA = PNCounter.fromJSON({ p: entries(1), n: entries(0) });
  const pnB = PNCounter.fromJSON({ p: entries(0), n: entries(2) });
  Deno.bench({
    name: `PN-Counter merge, ${label(n)} replica entries`,
    group: "crdt merge",
    fn: () => void pnA.merge(pnB),
  });

  // RGA: a text of n characters; one user types 1% more in the middle while
  // another deletes 1% at the start.
  const text = Rga.empty().insert("base", 0, "x".repeat(n));
  const typed = text.insert("alice", n / 2, "y".repeat(n / 100));
  const deleted = text.delete(0, n / 100);
  Deno.bench({
    name: `RGA merge, ${label(n)} characters`,
    group: "crdt merge",
    fn: () => void typed.merge(deleted),
  });

  const orCopy = OrSet.fromJSON<string>(JSON.parse(JSON.stringify(orX)));
  Deno.bench({
    name: `OR-Set merge with an equal copy, ${label(n)} elements`,
    group: "crdt merge, nothing new",
    fn: () => void orX.merge(orCopy),
  });
}
