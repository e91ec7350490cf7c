/**
 * Edges from the order in which transactions ran, not from the data: one
 * client's transactions in sequence (`process`), and "T1 returned before T2
 * was called" (`realtime`). Serializability ignores them; strong session
 * serializability needs the first, strict serializability both.
 *
 * Real-time order relates every pair of non-overlapping transactions, a
 * number of edges quadratic in the history. Only its transitive reduction is
 * added, as Elle does: T1 → T2 only when no T3 fits between them (T1 returned
 * before T3 was called, and T3 returned before T2 was called), which keeps
 * every path and so every cycle.
 *
 * A transaction that never returned (`info`, `pending`) has no successors:
 * it may take effect at any time after its call. A `fail`ed one is not in
 * the graph.
 *
 * @module
 */

import type { DependencyGraph } from "./dependency_graph.ts";
import type { Txn } from "./transactions.ts";

/**
 * Adds `process` edges: each client's committed transaction to that
 * client's next transaction (ordered by call time).
 *
 * @example
 * ```ts
 * import { addProcessEdges } from "./order_edges.ts";
 * import { DependencyGraph, EDGE } from "./dependency_graph.ts";
 * import type { Txn } from "./transactions.ts";
 * import assert from "node:assert/strict";
 * const t = (index: number, client: string, call: number, ret: number): Txn => ({
 *   index, id: index, client, status: "ok", call, ret, mops: [],
 * });
 * const g = new DependencyGraph(3);
 * addProcessEdges([t(0, "a", 0, 1), t(1, "b", 0, 5), t(2, "a", 2, 3)], g);
 * assert.equal(g.kinds(0, 2), EDGE.process);
 * assert.equal(g.kinds(0, 1), 0);
 * ```
 */
export function addProcessEdges(txns: readonly Txn[], graph: DependencyGraph): void {
  const byClient = new Map<string, Txn[]>();
  for (const t of txns) {
    if (t.status === "fail") continue;
    const list = byClient.get(t.client);
    if (list === undefined) byClient.set(t.client, [t]);
    else list.push(t);
  }
  for (const list of byClient.values()) {
    list.sort((a, b) => a.call - b.call || a.index - b.index);
    let previous: Txn | undefined;
    for (const t of list) {
      // A transaction that never returned may still take effect later: it orders nothing.
      if (previous !== undefined && previous.ret < t.call) {
        graph.add(previous.index, t.index, "process");
      }
      if (t.status === "ok") previous = t;
    }
  }
}

/**
 * Adds `realtime` edges, the transitive reduction of "returned before called".
 * Calls at the instant of a return count as concurrent with it (no edge).
 *
 * @example
 * ```ts
 * import { addRealtimeEdges } from "./order_edges.ts";
 * import { DependencyGraph, EDGE } from "./dependency_graph.ts";
 * import type { Txn } from "./transactions.ts";
 * import assert from "node:assert/strict";
 * const t = (index: number, call: number, ret: number): Txn => ({
 *   index, id: index, client: `c${index}`, status: "ok", call, ret, mops: [],
 * });
 * const g = new DependencyGraph(3);
 * addRealtimeEdges([t(0, 0, 1), t(1, 2, 3), t(2, 4, 5)], g);
 * assert.equal(g.kinds(0, 1), EDGE.realtime);
 * assert.equal(g.kinds(1, 2), EDGE.realtime);
 * assert.equal(g.kinds(0, 2), 0); // implied through T1
 * ```
 */
export function addRealtimeEdges(txns: readonly Txn[], graph: DependencyGraph): void {
  // Events by time; at one instant calls come before returns, so they are concurrent.
  const events: { at: number; call: boolean; t: Txn }[] = [];
  for (const t of txns) {
    if (t.status === "fail") continue;
    events.push({ at: t.call, call: true, t });
    if (t.status === "ok") events.push({ at: t.ret, call: false, t });
  }
  events.sort((a, b) =>
    a.at - b.at || (a.call === b.call ? a.t.index - b.t.index : a.call ? -1 : 1)
  );
  // The returned transactions no later-returned one follows: the frontier.
  let frontier = new Set<Txn>();
  const predecessors = new Map<Txn, Txn[]>();
  for (const e of events) {
    if (e.call) {
      const before = [...frontier];
      for (const p of before) graph.add(p.index, e.t.index, "realtime");
      predecessors.set(e.t, before);
    } else {
      // Whatever preceded this one is now reached through it.
      const covered = new Set(predecessors.get(e.t) ?? []);
      const next = new Set<Txn>();
      for (const f of frontier) if (!covered.has(f)) next.add(f);
      next.add(e.t);
      frontier = next;
    }
  }
}
