/**
 * The convergence checker: once faults are healed and the network is quiet,
 * every replica holds the same state (strong eventual consistency), and that
 * state is what the history of client operations says it must be.
 *
 * What the history says depends on the type, and on what the clients were
 * told. An operation that returned `ok` happened; one that returned `fail`
 * did not; one that timed out (`info`) or never returned may or may not have
 * happened, so it widens what is allowed instead of fixing it:
 *
 * - **Counter:** the value lies between the `ok` increments minus the `ok`
 *   decrements minus every uncertain decrement, and the same plus every
 *   uncertain increment (exactly their difference when nothing is uncertain).
 * - **OR-Set:** an element is in the set exactly when some add of it created
 *   a dot that no remove observed. An add also observes the element's earlier
 *   dots and supersedes them with its own (the element stays). So every dot
 *   the replicas hold must come from an add (an `ok` one, or one of the
 *   uncertain ones, at most one dot each), no dot an `ok` remove or add
 *   observed may come back, and every dot of an `ok` add that no `ok`
 *   operation observed must still be there unless an uncertain operation on
 *   that element could have taken it.
 * - **LWW-Element-Set:** per element, the latest add and the latest remove
 *   timestamps are the largest of the `ok` ones (or larger, from an uncertain
 *   write), and presence follows the bias. The anomaly is reported apart
 *   ({@linkcode lwwLostAdds}): an acknowledged add lost to a remove with a
 *   later timestamp, and the worse case where that remove had returned before
 *   the add began, which only a skewed clock can do.
 * - **Text (RGA):** every visible character was inserted by an `ok` (or
 *   uncertain) insert with that character, none that an `ok` delete deleted
 *   is visible, the characters of one insert keep their order, and every
 *   character of an `ok` insert that was not deleted is visible, up to the
 *   characters the uncertain deletes could have taken.
 *
 * @module
 */

import type { NodeId } from "../../actors/mod.ts";
import type { Operation } from "../../sim/history.ts";
import type { Simulation } from "../../sim/simulation.ts";
import { settle } from "../../sim/settle.ts";
import { canonicalJson, type Json, type StateCrdt } from "./crdt.ts";
import type { Dot } from "./dot_context.ts";
import type { LwwElementSet } from "./lww_element_set.ts";
import type { OrSet } from "./or_set.ts";
import type { Rga, RgaId } from "./rga.ts";
import type {
  CounterOp,
  LwwOutput,
  OrSetAddOutput,
  OrSetRemoveOutput,
  SetOp,
  TextOp,
  TextOutput,
} from "./replicated_types.ts";
import { compareTimestamps, type Timestamp } from "./timestamp.ts";

/**
 * What {@linkcode awaitConvergence} found.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Simulation } from "../../sim/simulation.ts";
 * import { awaitConvergence, type Convergence, replicaState } from "./convergence.ts";
 * import type { PNCounter } from "./pn_counter.ts";
 * import { Replica } from "./replica.ts";
 * import { counterType } from "./replicated_types.ts";
 * const sim = new Simulation({ seed: 1 });
 * sim.spawn("n1", () => new Replica({ type: counterType, peers: ["n2"] }));
 * sim.spawn("n2", () => new Replica({ type: counterType, peers: ["n1"] }));
 * sim.partition(["n1"], ["n2"]);
 * sim.send("c1", "n1", { type: "request", id: 0, op: { type: "increment", amount: 3 } });
 * sim.run({ until: 200 });
 * const stateOf = (id: string) => replicaState<PNCounter>(sim, id);
 * // Given no time after the repair, the replicas still differ.
 * const c: Convergence = awaitConvergence(sim, ["n1", "n2"], stateOf, { maxMs: 0 });
 * assert.deepEqual(c, { converged: false, healedAt: 200, atMs: 200, message: "n1: 3 | n2: 0" });
 * ```
 */
export interface Convergence {
  /** All replicas held equal states. */
  converged: boolean;
  /** Global time at which faults were repaired. */
  healedAt: number;
  /** Global time at which they first held equal states (or gave up). */
  atMs: number;
  /** When not converged: which replicas hold what. */
  message: string;
  /** When not converged: nothing was left to happen (no message in flight, no timer). */
  quiet?: boolean;
}

/**
 * Options of {@linkcode awaitConvergence}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Simulation } from "../../sim/simulation.ts";
 * import { awaitConvergence, type ConvergenceOptions, replicaState } from "./convergence.ts";
 * import type { PNCounter } from "./pn_counter.ts";
 * import { Replica } from "./replica.ts";
 * import { counterType } from "./replicated_types.ts";
 * const sim = new Simulation({ seed: 1 });
 * sim.spawn("n1", () => new Replica({ type: counterType, peers: ["n2"] }));
 * sim.spawn("n2", () => new Replica({ type: counterType, peers: ["n1"] }));
 * sim.partition(["n1"], ["n2"]);
 * sim.send("c1", "n1", { type: "request", id: 0, op: { type: "increment", amount: 3 } });
 * sim.run({ until: 200 });
 * // Compare every virtual ms, for at most 1 s after the repair.
 * const o: ConvergenceOptions = { maxMs: 1_000, stepMs: 1 };
 * const c = awaitConvergence(sim, ["n1", "n2"], (id) => replicaState<PNCounter>(sim, id), o);
 * assert.ok(c.converged);
 * assert.ok(c.atMs > c.healedAt && c.atMs <= c.healedAt + 1_000);
 * ```
 */
export interface ConvergenceOptions {
  /** Virtual ms to wait for convergence after the repair (default 10,000). */
  maxMs?: number;
  /** How often to compare the replicas, virtual ms (default 10). */
  stepMs?: number;
}

/**
 * Repairs every fault now (heal, restart, resume, as `settle` does), then
 * runs until the `replicas`' states are all equal, or `maxMs` passes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Simulation } from "../../sim/simulation.ts";
 * import { awaitConvergence, replicaState } from "./convergence.ts";
 * import { Replica } from "./replica.ts";
 * import { counterType } from "./replicated_types.ts";
 * import type { PNCounter } from "./pn_counter.ts";
 * const sim = new Simulation({ seed: 1 });
 * sim.spawn("n1", () => new Replica({ type: counterType, peers: ["n2"] }));
 * sim.spawn("n2", () => new Replica({ type: counterType, peers: ["n1"] }));
 * sim.crash("n2");
 * sim.send("c1", "n1", { type: "request", id: 0, op: { type: "increment", amount: 3 } });
 * sim.run({ until: 200 });
 * // n2 is restarted at 200 ms, and gossip brings it n1's increment.
 * const c = awaitConvergence(sim, ["n1", "n2"], (id) => replicaState<PNCounter>(sim, id));
 * assert.ok(c.converged);
 * assert.equal(c.healedAt, 200);
 * assert.equal(sim.status("n2"), "up");
 * assert.equal(replicaState<PNCounter>(sim, "n2").value(), 3);
 * ```
 */
export function awaitConvergence<S extends StateCrdt<S, unknown>>(
  sim: Simulation,
  replicas: readonly NodeId[],
  stateOf: (id: NodeId) => S,
  options: ConvergenceOptions = {},
): Convergence {
  const maxMs = options.maxMs ?? 10_000;
  const stepMs = options.stepMs ?? 10;
  settle(sim, 0);
  const healedAt = sim.now;
  for (;;) {
    const message = divergence(replicas.map((id) => [id, stateOf(id)] as const));
    if (message === undefined) return { converged: true, healedAt, atMs: sim.now, message: "" };
    if (sim.now - healedAt >= maxMs || sim.violations.length > 0) {
      return { converged: false, healedAt, atMs: sim.now, message };
    }
    // Quiet: nothing is left to happen, so nothing will change.
    if (sim.run({ until: sim.now + stepMs }).stop === "quiet") {
      const still = divergence(replicas.map((id) => [id, stateOf(id)] as const));
      if (still === undefined) return { converged: true, healedAt, atMs: sim.now, message: "" };
      return { converged: false, healedAt, atMs: sim.now, message: still, quiet: true };
    }
  }
}

/**
 * The current state of replica `id` of a simulation: the `state` field of its
 * actor (both replica kinds have one). Throws if it is down.
 *
 * @example
 * ```ts
 * import { Simulation } from "../../sim/simulation.ts";
 * import { replicaState } from "./convergence.ts";
 * import { Replica } from "./replica.ts";
 * import { counterType } from "./replicated_types.ts";
 * import type { PNCounter } from "./pn_counter.ts";
 * import assert from "node:assert/strict";
 * const sim = new Simulation({ seed: 1 });
 * sim.spawn("n1", () => new Replica({ type: counterType, peers: [] }));
 * sim.send("c1", "n1", { type: "request", id: 0, op: { type: "increment", amount: 2 } });
 * sim.run({ until: 10 });
 * assert.equal(replicaState<PNCounter>(sim, "n1").value(), 2);
 * sim.crash("n1");
 * assert.throws(() => replicaState(sim, "n1"), /replica n1 is crashed and has no state to read/);
 * ```
 */
export function replicaState<S>(sim: Simulation, id: NodeId): S {
  const actor = sim.actor<{ state?: S }>(id);
  if (actor?.state === undefined) {
    throw new Error(`replica ${id} is ${sim.status(id)} and has no state to read`);
  }
  return actor.state;
}

/**
 * `undefined` when all states are equal; otherwise which replicas hold
 * which value, grouped (`n1, n2: 5 | n3: 4`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { divergence } from "./convergence.ts";
 * import { GCounter } from "./g_counter.ts";
 * const one = GCounter.empty().increment("n1");
 * const zero = GCounter.empty();
 * assert.equal(divergence([["n1", one], ["n2", one], ["n3", zero]]), "n1, n2: 1 | n3: 0");
 * assert.equal(divergence([["n1", one], ["n2", one]]), undefined);
 * // Same value is not same state: these two counters differ.
 * assert.equal(divergence([["n1", one], ["n2", zero.increment("n2")]]), "n1: 1 | n2: 1");
 * ```
 */
export function divergence<S extends StateCrdt<S, unknown>>(
  states: readonly (readonly [NodeId, S])[],
): string | undefined {
  const groups: { state: S; value: string; ids: NodeId[] }[] = [];
  for (const [id, state] of states) {
    // Equal states must read the same too: what a user sees is what converges.
    const value = canonicalJson(state.value() as Json);
    const group = groups.find((g) => g.state.equals(state) && g.value === value);
    if (group) group.ids.push(id);
    else groups.push({ state, value, ids: [id] });
  }
  if (groups.length <= 1) return undefined;
  return groups.map((g) => `${g.ids.join(", ")}: ${show(g.state.value())}`).join(" | ");
}

/**
 * How a history's operations ended, counted.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { History } from "../../sim/history.ts";
 * import { type OpCounts, opCounts } from "./convergence.ts";
 * const h = new History();
 * const add = h.invoke("c1", "add", { element: "x" }, 0);
 * h.complete(add, { dot: ["n1", 1], observed: [] }, "ok", 4);
 * h.invoke("c2", "remove", { element: "x" }, 2); // never returns
 * const c: OpCounts = opCounts(h.operations);
 * assert.deepEqual(c, { ok: 1, fail: 0, uncertain: 1 });
 * ```
 */
export interface OpCounts {
  /** Updates that returned `ok`: they happened. */
  ok: number;
  /** Updates that returned `fail`: they did not happen. */
  fail: number;
  /** Timed out (`info`) or never returned. */
  uncertain: number;
}

/**
 * Counts the updates (not reads) of `ops` by how they ended.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { History } from "../../sim/history.ts";
 * import { opCounts } from "./convergence.ts";
 * const h = new History();
 * h.complete(h.invoke("c1", "increment", { amount: 1 }, 0), { value: 1 }, "ok", 3);
 * h.complete(h.invoke("c1", "read", null, 4), { value: 1 }, "ok", 6);
 * h.complete(h.invoke("c1", "decrement", { amount: 1 }, 7), null, "info", 9);
 * // Reads are not counted; a timed-out update is uncertain.
 * assert.deepEqual(opCounts(h.operations), { ok: 1, fail: 0, uncertain: 1 });
 * assert.deepEqual(opCounts([]), { ok: 0, fail: 0, uncertain: 0 });
 * ```
 */
export function opCounts(ops: readonly Operation[]): OpCounts {
  const counts: OpCounts = { ok: 0, fail: 0, uncertain: 0 };
  for (const op of ops) {
    if (op.f === "read") continue;
    if (op.status === "ok") counts.ok++;
    else if (op.status === "fail") counts.fail++;
    else counts.uncertain++;
  }
  return counts;
}

/**
 * The values a counter may end at, given its history.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { History } from "../../sim/history.ts";
 * import { type CounterBounds, counterBounds } from "./convergence.ts";
 * const h = new History();
 * h.complete(h.invoke("c1", "increment", { amount: 5 }, 0), { value: 5 }, "ok", 3);
 * h.invoke("c2", "increment", { amount: 2 }, 1); // never returns: it may or may not happen
 * const b: CounterBounds = counterBounds(h.operations);
 * assert.deepEqual(b, { min: 5, max: 7 });
 * ```
 */
export interface CounterBounds {
  /** The smallest value allowed (included). */
  min: number;
  /** The largest value allowed (included). */
  max: number;
}

/**
 * The counter's allowed final values: `ok` increments minus `ok` decrements,
 * widened by every uncertain one.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { counterBounds } from "./convergence.ts";
 * const op = (f: string, amount: number, status: "ok" | "fail" | "info") => ({
 *   id: 0, client: "c1", f, input: { amount }, output: undefined, call: 0, ret: 1, status,
 * });
 * // +5 happened, -2 may have, +1 did not.
 * const ops = [op("increment", 5, "ok"), op("decrement", 2, "info"), op("increment", 1, "fail")];
 * assert.deepEqual(counterBounds(ops), { min: 3, max: 5 });
 * ```
 */
export function counterBounds(ops: readonly Operation[]): CounterBounds {
  let min = 0, max = 0;
  for (const op of ops) {
    if (op.f !== "increment" && op.f !== "decrement") continue;
    if (op.status === "fail") continue;
    const amount = (op.input as Args<CounterOp>).amount;
    const sign = op.f === "increment" ? 1 : -1;
    if (op.status === "ok") {
      min += sign * amount;
      max += sign * amount;
    } else if (sign > 0) {
      max += amount;
    } else {
      min -= amount;
    }
  }
  return { min, max };
}

/**
 * Problems with a converged counter `value` given its history (none: `[]`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { History } from "../../sim/history.ts";
 * import { checkCounter } from "./convergence.ts";
 * const h = new History();
 * h.complete(h.invoke("c1", "increment", { amount: 5 }, 0), { value: 5 }, "ok", 3);
 * h.complete(h.invoke("c2", "decrement", { amount: 2 }, 1), null, "info", 9);
 * assert.deepEqual(checkCounter(3, h.operations), []);
 * assert.deepEqual(checkCounter(5, h.operations), []);
 * assert.deepEqual(checkCounter(6, h.operations), [
 *   "counter is 6, but the acknowledged operations allow 3..5",
 * ]);
 * ```
 */
export function checkCounter(value: number, ops: readonly Operation[]): string[] {
  const { min, max } = counterBounds(ops);
  if (value >= min && value <= max) return [];
  const allowed = min === max ? `exactly ${min}` : `${min}..${max}`;
  return [`counter is ${value}, but the acknowledged operations allow ${allowed}`];
}

/**
 * Problems with a converged OR-Set given its history (none: `[]`); see the
 * module documentation for the rules.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { History } from "../../sim/history.ts";
 * import { checkOrSet } from "./convergence.ts";
 * import { OrSet } from "./or_set.ts";
 * import { orSetType } from "./replicated_types.ts";
 * const type = orSetType();
 * const add = { type: "add", element: "milk" } as const;
 * const added = type.update(type.empty(), add, { replica: "n1", now: 0 });
 * const h = new History();
 * h.complete(h.invoke("c1", "add", { element: "milk" }, 0), added.output, "ok", 1);
 * assert.deepEqual(checkOrSet(added.state, h.operations), []);
 * // A replica that ends without the acknowledged add lost it.
 * assert.deepEqual(checkOrSet(OrSet.empty(), h.operations), [
 *   '"milk" lost dot n1:1 of an acknowledged add that nothing observed',
 * ]);
 * ```
 */
export function checkOrSet(state: OrSet<Json>, ops: readonly Operation[]): string[] {
  type Facts = {
    element: Json;
    added: Dot[];
    uncertainAdds: number;
    observed: Set<string>;
    uncertainRemoves: number;
  };
  const facts = new Map<string, Facts>();
  const factsOf = (element: Json) => {
    const key = canonicalJson(element);
    let f = facts.get(key);
    if (f === undefined) {
      f = { element, added: [], uncertainAdds: 0, observed: new Set(), uncertainRemoves: 0 };
      facts.set(key, f);
    }
    return f;
  };
  for (const op of ops) {
    if ((op.f !== "add" && op.f !== "remove") || op.status === "fail") continue;
    const f = factsOf((op.input as Args<SetOp>).element);
    const uncertain = op.status !== "ok";
    if (uncertain) {
      if (op.f === "add") f.uncertainAdds++;
      else f.uncertainRemoves++;
      continue;
    }
    if (op.f === "add") f.added.push((op.output as OrSetAddOutput).dot);
    // Observed by a remove (removed) or by a later add (superseded): gone for good.
    for (const d of (op.output as OrSetAddOutput | OrSetRemoveOutput).observed) {
      f.observed.add(dotKey(d));
    }
  }
  const problems: string[] = [];
  for (const element of state.value()) {
    if (!facts.has(canonicalJson(element))) {
      problems.push(`${show(element)} is in the set but no client ever added it`);
    }
  }
  for (const f of facts.values()) {
    const held = new Set(state.dots(f.element as Json).map(dotKey));
    const added = new Set(f.added.map(dotKey));
    const name = show(f.element);
    const resurrected = [...held].filter((d) => f.observed.has(d));
    if (resurrected.length > 0) {
      problems.push(
        `${name} holds dot ${resurrected[0]}, which an acknowledged remove or add observed`,
      );
    }
    const unknown = [...held].filter((d) => !added.has(d));
    if (unknown.length > f.uncertainAdds) {
      problems.push(
        `${name} holds ${unknown.length} dot(s) no acknowledged add created ` +
          `(${unknown.join(" ")}), but only ${f.uncertainAdds} add(s) are uncertain`,
      );
    }
    const survivors = [...added].filter((d) => !f.observed.has(d));
    const lost = survivors.filter((d) => !held.has(d));
    if (lost.length > 0 && f.uncertainRemoves + f.uncertainAdds === 0) {
      problems.push(
        `${name} lost dot ${lost[0]} of an acknowledged add that nothing observed`,
      );
    }
  }
  return problems;
}

/**
 * Problems with a converged LWW-Element-Set given its history (none: `[]`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { History } from "../../sim/history.ts";
 * import { checkLwwSet } from "./convergence.ts";
 * import { lwwSetType } from "./replicated_types.ts";
 * const type = lwwSetType();
 * const add = { type: "add", element: "x" } as const;
 * const remove = { type: "remove", element: "x" } as const;
 * const added = type.update(type.empty(), add, { replica: "n1", now: 10 });
 * const removed = type.update(type.empty(), remove, { replica: "n2", now: 12 });
 * const h = new History();
 * h.complete(h.invoke("c1", "add", { element: "x" }, 0), added.output, "ok", 1);
 * h.complete(h.invoke("c2", "remove", { element: "x" }, 0), removed.output, "ok", 1);
 * assert.deepEqual(checkLwwSet(added.state.merge(removed.state), h.operations), []);
 * // A replica that never got the remove is not converged to what the history says.
 * assert.deepEqual(checkLwwSet(added.state, h.operations), [
 *   '"x": latest remove is none, but the acknowledged removes say 12@n2',
 * ]);
 * ```
 */
export function checkLwwSet(state: LwwElementSet<Json>, ops: readonly Operation[]): string[] {
  type Facts = {
    element: Json;
    add?: Timestamp;
    remove?: Timestamp;
    uncertain: { add: number; remove: number };
  };
  const facts = new Map<string, Facts>();
  for (const op of ops) {
    if ((op.f !== "add" && op.f !== "remove") || op.status === "fail") continue;
    const element = (op.input as Args<SetOp>).element;
    const key = canonicalJson(element);
    let f = facts.get(key);
    if (f === undefined) facts.set(key, f = { element, uncertain: { add: 0, remove: 0 } });
    const kind = op.f;
    if (op.status !== "ok") {
      f.uncertain[kind]++;
      continue;
    }
    const ts = (op.output as LwwOutput).ts;
    const best = f[kind];
    if (best === undefined || compareTimestamps(ts, best) > 0) f[kind] = ts;
  }
  const problems: string[] = [];
  for (const element of state.value()) {
    if (!facts.has(canonicalJson(element))) {
      problems.push(`${show(element)} is in the set but no client ever added it`);
    }
  }
  for (const f of facts.values()) {
    const final = state.timestamps(f.element);
    for (const kind of ["add", "remove"] as const) {
      const want = f[kind], got = final[kind];
      const ok = want === undefined
        ? got === undefined || f.uncertain[kind] > 0
        : got !== undefined &&
          (compareTimestamps(got, want) === 0 ||
            (compareTimestamps(got, want) > 0 && f.uncertain[kind] > 0));
      if (!ok) {
        problems.push(
          `${show(f.element)}: latest ${kind} is ${showTs(got)}, but the acknowledged ` +
            `${kind}s say ${showTs(want)}`,
        );
      }
    }
  }
  return problems;
}

/**
 * An acknowledged add that the LWW-Element-Set lost to a remove that never
 * saw it: the OR-Set would have kept it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { History } from "../../sim/history.ts";
 * import { type LostAdd, lwwLostAdds } from "./convergence.ts";
 * import { lwwSetType } from "./replicated_types.ts";
 * const type = lwwSetType();
 * const add = { type: "add", element: "x" } as const;
 * const remove = { type: "remove", element: "x" } as const;
 * // n2's clock is some 50 ms ahead: its remove, done first, outranks n1's later add.
 * const removed = type.update(type.empty(), remove, { replica: "n2", now: 60 });
 * const added = type.update(type.empty(), add, { replica: "n1", now: 20 });
 * const h = new History();
 * h.complete(h.invoke("c2", "remove", { element: "x" }, 5), removed.output, "ok", 8);
 * h.complete(h.invoke("c1", "add", { element: "x" }, 20), added.output, "ok", 22);
 * const [lost]: LostAdd[] = lwwLostAdds(added.state.merge(removed.state), h.operations);
 * assert.equal(lost.element, "x");
 * assert.equal(lost.add.client, "c1");
 * assert.equal(lost.remove.client, "c2");
 * assert.equal(lost.afterRemove, true); // the remove returned at 8 ms, the add began at 20
 * ```
 */
export interface LostAdd {
  /** The element whose add was lost. */
  element: Json;
  /** The add that was lost. */
  add: Operation;
  /** The acknowledged remove with the latest timestamp, which beat it. */
  remove: Operation;
  /** The remove had returned before the add was invoked: only clock skew does that. */
  afterRemove: boolean;
}

/**
 * The acknowledged adds that no acknowledged remove saw (each remove reports
 * the latest add its replica had seen), of elements the LWW-Element-Set does
 * not hold at the end: adds lost to a concurrent remove with a later
 * timestamp. With skewed clocks even an add that began after the remove had
 * returned can be lost ({@linkcode LostAdd.afterRemove}).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { History } from "../../sim/history.ts";
 * import { lwwLostAdds } from "./convergence.ts";
 * import { lwwSetType } from "./replicated_types.ts";
 * const type = lwwSetType();
 * const add = { type: "add", element: "x" } as const;
 * const remove = { type: "remove", element: "x" } as const;
 * const added = type.update(type.empty(), add, { replica: "n1", now: 10 });
 * // Concurrent: the remove at n2 has not seen the add, but its timestamp is later.
 * const removed = type.update(type.empty(), remove, { replica: "n2", now: 12 });
 * const h = new History();
 * h.complete(h.invoke("c1", "add", { element: "x" }, 0), added.output, "ok", 1);
 * h.complete(h.invoke("c2", "remove", { element: "x" }, 0), removed.output, "ok", 1);
 * const final = added.state.merge(removed.state);
 * assert.deepEqual(final.value(), []);
 * assert.deepEqual(lwwLostAdds(final, h.operations).map((l) => l.add.client), ["c1"]);
 * ```
 */
export function lwwLostAdds(state: LwwElementSet<Json>, ops: readonly Operation[]): LostAdd[] {
  const lost: LostAdd[] = [];
  const ok = ops.filter((op) => op.status === "ok" && (op.f === "add" || op.f === "remove"));
  for (const add of ok) {
    if (add.f !== "add") continue;
    const element = (add.input as Args<SetOp>).element;
    if (state.has(element)) continue;
    const key = canonicalJson(element);
    const addTs = (add.output as LwwOutput).ts;
    const removes = ok.filter((op) =>
      op.f === "remove" && canonicalJson((op.input as Args<SetOp>).element) === key
    );
    const saw = (op: Operation) => {
      const seen = (op.output as LwwOutput).seen;
      return seen != null && compareTimestamps(seen, addTs) >= 0;
    };
    if (removes.length === 0 || removes.some(saw)) continue;
    const winner = removes.reduce((a, b) =>
      compareTimestamps((b.output as LwwOutput).ts, (a.output as LwwOutput).ts) > 0 ? b : a
    );
    if (compareTimestamps((winner.output as LwwOutput).ts, addTs) < 0) continue;
    lost.push({ element, add, remove: winner, afterRemove: winner.ret < add.call });
  }
  return lost;
}

/**
 * Problems with a converged text given its history (none: `[]`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { History } from "../../sim/history.ts";
 * import { checkText } from "./convergence.ts";
 * import { textType } from "./replicated_types.ts";
 * const typed = textType.update(textType.empty(), { type: "insert", index: 0, text: "hi" }, {
 *   replica: "n1",
 *   now: 0,
 * });
 * const h = new History();
 * h.complete(h.invoke("c1", "insert", { index: 0, text: "hi" }, 0), typed.output, "ok", 1);
 * assert.deepEqual(checkText(typed.state, h.operations), []);
 * // A character no delete removed has vanished.
 * assert.deepEqual(checkText(typed.state.delete(0), h.operations), [
 *   "1 character(s) of acknowledged inserts are gone (e.g. 1@n1), " +
 *   "but uncertain deletes removed at most 0",
 * ]);
 * ```
 */
export function checkText(state: Rga, ops: readonly Operation[]): string[] {
  const visible = new Map<string, number>();
  for (let i = 0; i < state.length; i++) visible.set(idKey(state.idAt(i)), i);
  const document = [...state.text()];
  const inserted = new Map<string, string>();
  const deleted = new Set<string>();
  let uncertainChars = 0, uncertainDeletes = 0;
  const problems: string[] = [];
  for (const op of ops) {
    if (op.status === "fail" || (op.f !== "insert" && op.f !== "delete")) continue;
    if (op.status !== "ok") {
      if (op.f === "insert") uncertainChars += [...(op.input as InsertArgs).text].length;
      else uncertainDeletes += (op.input as DeleteArgs).count;
      continue;
    }
    const ids = (op.output as TextOutput).ids.map(idKey);
    if (op.f === "delete") {
      for (const id of ids) deleted.add(id);
      continue;
    }
    const text = (op.input as InsertArgs).text;
    const chars = [...text];
    ids.forEach((id, i) => inserted.set(id, chars[i]));
    // What one insert typed stays in the order it was typed.
    const positions = ids.map((id) => visible.get(id)).filter((p) => p !== undefined);
    if (positions.some((p, i) => i > 0 && p <= positions[i - 1])) {
      problems.push(`the characters of insert ${show(text)} are out of order`);
    }
  }
  let unexplained = 0;
  for (const [id, at] of visible) {
    if (deleted.has(id)) problems.push(`character ${id} is visible but was deleted`);
    const char = inserted.get(id);
    if (char === undefined) unexplained++;
    else if (char !== document[at]) {
      problems.push(
        `character ${id} reads ${show(document[at])}, but was inserted as ${show(char)}`,
      );
    }
  }
  if (unexplained > uncertainChars) {
    problems.push(
      `${unexplained} visible character(s) come from no acknowledged insert, ` +
        `but uncertain inserts typed only ${uncertainChars}`,
    );
  }
  const missing = [...inserted.keys()].filter((id) => !deleted.has(id) && !visible.has(id));
  if (missing.length > uncertainDeletes) {
    problems.push(
      `${missing.length} character(s) of acknowledged inserts are gone (e.g. ${missing[0]}), ` +
        `but uncertain deletes removed at most ${uncertainDeletes}`,
    );
  }
  return problems;
}

/** An operation's arguments as the client records them: the operation without its `type`. */
type Args<Op> = Omit<Op, "type">;
type InsertArgs = Args<Extract<TextOp, { type: "insert" }>>;
type DeleteArgs = Args<Extract<TextOp, { type: "delete" }>>;

function dotKey([replica, counter]: Dot): string {
  return `${replica}:${counter}`;
}

function idKey([counter, replica]: RgaId): string {
  return `${counter}@${replica}`;
}

function showTs(ts: Timestamp | undefined): string {
  return ts === undefined ? "none" : `${ts.time}@${ts.node}`;
}

function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
