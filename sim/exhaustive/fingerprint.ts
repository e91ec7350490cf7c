/**
 * A global state's fingerprint: what two runs must agree on to be the same
 * state, hashed (see `hash.ts`). A state is
 *
 * - each node's status, its actor's `inspect()` (the contract's plain-data
 *   view of its state), its durable storage, how far its `ctx.random()`
 *   stream has got (the checker keeps the seed's draws, so the position is
 *   state), and the links cut from it;
 * - the pending events as a multiset: messages (sender, receiver, body),
 *   timers (node, value), starts, scheduled faults and scripted calls;
 *   under `strict` timing with their windows and the time now, since they
 *   decide what can happen next;
 * - the client history (what the end-of-run checks judge);
 * - the scenario's own state (`ScenarioSetup.inspect`: a script's progress,
 *   what a history-keeping check remembers);
 * - the checker's bookkeeping (fault budget left, liveness counters).
 *
 * What none of these show is not state: two runs that differ only there
 * count as one. So an actor's `inspect()` must show everything its future
 * depends on, as a Stateright model's state must.
 *
 * With symmetry, the fingerprint is the least over every renaming of the
 * interchangeable nodes (see `symmetry.ts`).
 *
 * @module
 */

import type { NodeId } from "../../actors/mod.ts";
import type { Operation } from "../history.ts";
import type { NodeStatus, PendingEvent, Simulation } from "../simulation.ts";
import { StateHash } from "./hash.ts";

/**
 * One node's part of a state.
 *
 * @example
 * ```ts
 * import type { NodePart } from "./fingerprint.ts";
 * import assert from "node:assert/strict";
 * const p: NodePart = { id: "n1", status: "up", view: { term: 2 }, storage: {}, draws: 0, cut: [], flag: 0 };
 * assert.equal(p.status, "up");
 * ```
 */
export interface NodePart {
  /** The node's id. */
  id: NodeId;
  /** Up, crashed or paused. */
  status: NodeStatus;
  /** `inspect()` of its actor (undefined while crashed, or without `inspect`). */
  view: unknown;
  /** Its durable storage, by key. */
  storage: Record<string, unknown>;
  /** Its `ctx.random()` stream's position. */
  draws: number;
  /** The nodes it cannot send to. */
  cut: NodeId[];
  /** The checker's mark on the node (1: the checker crashed it). */
  flag: number;
}

/**
 * Everything a state's fingerprint is made of, gathered once and hashed
 * once per renaming.
 *
 * @example
 * ```ts
 * import { fingerprintOf, type StateParts } from "./fingerprint.ts";
 * import assert from "node:assert/strict";
 * const parts: StateParts = {
 *   nowMs: null, nodes: [], pending: [], history: [], scenario: undefined, bookkeeping: [0],
 * };
 * assert.equal(fingerprintOf(parts, [null]), fingerprintOf({ ...parts }, [null]));
 * ```
 */
export interface StateParts {
  /** Virtual time now (`strict` timing), or null (`any`: time is no part of the state). */
  nowMs: number | null;
  /** Each node's part. */
  nodes: NodePart[];
  /** What may happen next. */
  pending: readonly PendingEvent[];
  /** The client history. */
  history: readonly Operation[];
  /** `ScenarioSetup.inspect` of the run. */
  scenario: unknown;
  /** The checker's own numbers: budget left, liveness counters. */
  bookkeeping: readonly number[];
}

/**
 * Gathers the parts of `sim`'s current state. `flags` marks nodes for the
 * checker (which ones it crashed).
 *
 * @example
 * ```ts
 * import { gatherState } from "./fingerprint.ts";
 * import { Simulation } from "../simulation.ts";
 * import assert from "node:assert/strict";
 * const sim = new Simulation({ seed: 1 });
 * sim.spawn("n1", () => ({ onMessage() {}, inspect: () => ({ n: 1 }) }));
 * const before = gatherState(sim, sim.pending(), { timing: "strict" });
 * assert.equal(before.pending[0].kind, "start");
 * assert.equal(before.nodes[0].view, undefined); // not started: as its factory made it
 * sim.step({ event: 0 });
 * assert.deepEqual(gatherState(sim, sim.pending(), { timing: "strict" }).nodes[0].view, { n: 1 });
 * ```
 */
export function gatherState(
  sim: Simulation,
  pending: readonly PendingEvent[],
  options: {
    timing: "strict" | "any";
    scenario?: unknown;
    bookkeeping?: readonly number[];
    flags?: ReadonlyMap<NodeId, number>;
  },
): StateParts {
  const ids = sim.nodes;
  // A node that has not started yet is as its factory built it, the same in every run:
  // its actor is not asked (it may have no state to show before onStart).
  const unstarted = new Set(pending.filter((e) => e.kind === "start").map((e) => e.node));
  const nodes = ids.map((id): NodePart => {
    const actor = unstarted.has(id) ? undefined : sim.actor<{ inspect?: () => unknown }>(id);
    const storage = sim.storage(id);
    const stored: Record<string, unknown> = {};
    for (const key of storage.keys()) stored[key] = storage.get(key);
    return {
      id,
      status: sim.status(id),
      view: typeof actor?.inspect === "function" ? actor.inspect() : undefined,
      storage: stored,
      draws: sim.randomDraws(id),
      cut: ids.filter((to) => to !== id && sim.isBlocked(id, to)),
      flag: options.flags?.get(id) ?? 0,
    };
  });
  return {
    nowMs: options.timing === "strict" ? sim.now : null,
    nodes,
    pending,
    history: sim.history.operations,
    scenario: options.scenario,
    bookkeeping: options.bookkeeping ?? [],
  };
}

/** A scripted call is known by its source text: closures are no data. */
const sources = new WeakMap<object, string>();

function sourceOf(fn: (sim: Simulation) => void): string {
  let text = sources.get(fn);
  if (text === undefined) sources.set(fn, text = String(fn));
  return text;
}

/**
 * The fingerprint of a state: the least over `renamings` (the identity,
 * `null`, first) of its hash under that renaming.
 *
 * @example
 * ```ts
 * import { fingerprintOf, type NodePart, type StateParts } from "./fingerprint.ts";
 * import assert from "node:assert/strict";
 * const node = (id: string, votedFor: string): NodePart =>
 *   ({ id, status: "up", view: { votedFor }, storage: {}, draws: 0, cut: [], flag: 0 });
 * const state = (a: string, b: string): StateParts => ({
 *   nowMs: null, nodes: [node("n1", a), node("n2", b)], pending: [], history: [],
 *   scenario: undefined, bookkeeping: [],
 * });
 * const swap = new Map([["n1", "n2"], ["n2", "n1"]]);
 * // Each voted for itself: a renaming of each other, so one state under symmetry.
 * assert.notEqual(fingerprintOf(state("n1", "n2"), [null]), fingerprintOf(state("n2", "n1"), [null]));
 * assert.equal(fingerprintOf(state("n1", "n1"), [null, swap]), fingerprintOf(state("n2", "n2"), [null, swap]));
 * // Each voted for the other is not a renaming of each voting for itself.
 * assert.notEqual(fingerprintOf(state("n2", "n1"), [null, swap]), fingerprintOf(state("n1", "n2"), [null, swap]));
 * ```
 */
export function fingerprintOf(
  parts: StateParts,
  renamings: readonly (ReadonlyMap<string, string> | null)[],
): number {
  let least = Infinity;
  for (const rename of renamings) {
    const fp = hashParts(parts, rename);
    if (fp < least) least = fp;
  }
  return least;
}

function hashParts(parts: StateParts, rename: ReadonlyMap<string, string> | null): number {
  const h = new StateHash(rename);
  const now = parts.nowMs;
  // Under strict timing, times relative to now, and now itself.
  const rel = (ms: number) => h.number(now === null ? 0 : ms - now);
  h.number(now ?? -1);
  h.bag(parts.nodes.length, (item) => {
    for (const n of parts.nodes) {
      item((x) => {
        x.string(n.id).string(n.status).value(n.view).value(n.storage).number(n.draws);
        x.bag(n.cut.length, (cut) => {
          for (const to of n.cut) cut((y) => y.string(to));
        });
        x.number(n.flag);
      });
    }
  });
  h.bag(parts.pending.length, (item) => {
    for (const e of parts.pending) {
      item((x) => {
        x.string(e.kind);
        switch (e.kind) {
          case "deliver":
            x.string(e.from!).string(e.node!).value(e.msg);
            rel(e.earliestMs);
            rel(e.latestMs);
            return;
          case "timer":
            x.string(e.node!).value(e.timer);
            break;
          case "start":
          case "ready":
            x.string(e.node!);
            break;
          case "fault":
            x.value(e.action);
            break;
          case "call":
            x.string(sourceOf(e.call!));
            break;
        }
        rel(e.earliestMs);
      });
    }
  });
  h.word(parts.history.length);
  for (const op of parts.history) {
    h.string(op.client).string(op.f).value(op.input).value(op.output).string(op.status);
    h.number(op.call).number(op.ret);
  }
  h.value(parts.scenario);
  h.word(parts.bookkeeping.length);
  for (const x of parts.bookkeeping) h.number(x);
  return h.result();
}
