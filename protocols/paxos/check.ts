/**
 * What consensus promises, checked while the run goes on:
 *
 * - **agreement**: no two nodes decide differently (for Multi-Paxos: in any
 *   slot);
 * - **validity**: a decided value is one that was proposed (for
 *   Multi-Paxos: a broadcast value, or a leader's no-op);
 *
 * both after every event, and, after the run,
 *
 * - **termination**: once faults heal, every node decides (every broadcast
 *   value reaches every node's log), within a bound in virtual time.
 *
 * The checkers read the nodes' state through `inspect`-like fields and keep
 * a cursor per node, so the check after each event costs only the new
 * decisions.
 *
 * @module
 */

import type { NodeId } from "../../actors/mod.ts";
import type { Fault } from "../../sim/faults.ts";
import type { Simulation, Violation } from "../../sim/simulation.ts";
import type { LogEntry, MultiPaxos } from "./multi_paxos.ts";
import type { PaxosNode } from "./single_decree.ts";

/**
 * Installs agreement and validity for single-decree Paxos on `nodes`:
 * every decided value is the same, and one of `proposed`.
 *
 * @example
 * ```ts
 * import { Simulation } from "../../sim/simulation.ts";
 * import { PaxosNode } from "./single_decree.ts";
 * import { checkSingleDecree } from "./check.ts";
 * import assert from "node:assert/strict";
 * const sim = new Simulation({ seed: 1 });
 * const nodes = ["n1", "n2", "n3"];
 * for (const id of nodes) {
 *   sim.spawn(id, () => new PaxosNode({ nodes, propose: { value: `v-${id}`, atMs: 5 } }));
 * }
 * checkSingleDecree(sim, nodes, nodes.map((id) => `v-${id}`));
 * assert.equal(sim.run({ until: 2000 }).ok, true);
 * ```
 */
export function checkSingleDecree(
  sim: Simulation,
  nodes: readonly NodeId[],
  proposed: readonly string[],
): void {
  const allowed = new Set(proposed);
  // Decisions are durable, so the first seen stays the reference for the run.
  let first: { node: NodeId; value: string } | undefined;
  sim.invariant("agreement", (s) => {
    for (const id of nodes) {
      const value = s.actor<PaxosNode>(id)?.decided ?? null;
      if (value === null) continue;
      if (first === undefined) first = { node: id, value };
      else if (value !== first.value) {
        return {
          message: `${id} decided ${value} but ${first.node} decided ${first.value}`,
          node: id,
        };
      }
    }
  });
  sim.invariant("validity", (s) => {
    for (const id of nodes) {
      const value = s.actor<PaxosNode>(id)?.decided ?? null;
      if (value !== null && !allowed.has(value)) {
        return { message: `${id} decided ${value}, which no one proposed`, node: id };
      }
    }
  });
}

/**
 * Installs agreement (no slot decided differently on two nodes) and
 * validity (`valid(entry)` says why a decided entry is not one that was
 * broadcast, or `undefined`) for a Multi-Paxos log on `nodes`. `logOf`
 * finds a node's layer (undefined while it is down).
 *
 * @example
 * ```ts
 * import { Simulation } from "../../sim/simulation.ts";
 * import { checkLog } from "./check.ts";
 * import { PaxosLogNode } from "./log_node.ts";
 * import assert from "node:assert/strict";
 * const sim = new Simulation({ seed: 2 });
 * const nodes = ["n1", "n2", "n3"];
 * for (const id of nodes) {
 *   sim.spawn(id, () => new PaxosLogNode({ nodes, plan: [{ atMs: 300, value: `${id}.1` }] }));
 * }
 * checkLog(sim, nodes, (s, id) => s.actor<PaxosLogNode>(id)?.paxos.layer, () => undefined);
 * assert.equal(sim.run({ until: 2000 }).ok, true);
 * assert.equal(sim.actor<PaxosLogNode>("n1")!.values.length, 3);
 * ```
 */
export function checkLog<V>(
  sim: Simulation,
  nodes: readonly NodeId[],
  logOf: (sim: Simulation, id: NodeId) => MultiPaxos<V> | undefined,
  valid: (entry: LogEntry<V>) => string | undefined,
): void {
  const chosen = new Map<number, { node: NodeId; entry: LogEntry<V> }>();
  const cursors = new Map<NodeId, { log: MultiPaxos<V>; seen: number }>();
  let broken: { agreement?: InvariantFinding; validity?: InvariantFinding } = {};
  const scan = (s: Simulation) => {
    if (broken.agreement !== undefined || broken.validity !== undefined) return;
    for (const id of nodes) {
      const log = logOf(s, id);
      if (log === undefined) continue;
      let cursor = cursors.get(id);
      if (cursor === undefined || cursor.log !== log) {
        cursor = { log, seen: 0 }; // a restarted node: read its log again
        cursors.set(id, cursor);
      }
      const conflict = log.conflicts[0];
      if (conflict !== undefined) {
        broken = {
          agreement: {
            message: `slot ${conflict.slot}: ${id} decided ${entryKey(conflict.kept)}, then was ` +
              `told ${entryKey(conflict.offered)}`,
            node: id,
          },
        };
        return;
      }
      const order = log.decisionOrder;
      while (cursor.seen < order.length) {
        const slot = order[cursor.seen++];
        const entry = log.decided.get(slot)!;
        const prior = chosen.get(slot);
        if (prior === undefined) {
          chosen.set(slot, { node: id, entry });
          const why = valid(entry);
          if (why !== undefined) {
            broken = { validity: { message: `${id} slot ${slot}: ${why}`, node: id } };
            return;
          }
        } else if (entryKey(prior.entry) !== entryKey(entry)) {
          broken = {
            agreement: {
              message: `slot ${slot}: ${id} decided ${entryKey(entry)} but ${prior.node} ` +
                `decided ${entryKey(prior.entry)}`,
              node: id,
            },
          };
          return;
        }
      }
    }
  };
  sim.invariant("agreement", (s) => {
    scan(s);
    return broken.agreement;
  });
  sim.invariant("validity", (s) => {
    scan(s);
    return broken.validity;
  });
}

/** A violation an invariant reports, with the node to blame. */
interface InvariantFinding {
  message: string;
  node: NodeId;
}

/** A log entry in short: its id, or `noop`. */
function entryKey<V>(entry: LogEntry<V>): string {
  return entry.kind === "noop" ? "noop" : entry.id;
}

/**
 * Heals every partition, restarts every crashed node and resumes every
 * paused one (except those in `spare`, which stay as they are), then runs
 * until `done` holds or `withinMs` of virtual time have passed. Returns how
 * long after the repair `done` first held, or `undefined` if it never did.
 * The repairs are scheduled as faults, so they appear in the trace.
 *
 * @example
 * ```ts
 * import { Simulation } from "../../sim/simulation.ts";
 * import { healAndAwait } from "./check.ts";
 * import assert from "node:assert/strict";
 * const sim = new Simulation({ seed: 1 });
 * sim.spawn("n1", () => ({ onMessage() {} }));
 * sim.spawn("n2", () => ({ onMessage() {} }));
 * sim.crash("n1");
 * sim.crash("n2");
 * assert.equal(healAndAwait(sim, (s) => s.status("n1") === "up", 100, ["n2"]), 0);
 * assert.equal(sim.status("n2"), "crashed");
 * ```
 */
export function healAndAwait(
  sim: Simulation,
  done: (sim: Simulation) => boolean,
  withinMs: number,
  spare: readonly NodeId[] = [],
): number | undefined {
  const at = sim.now;
  const repairs: Fault[] = [];
  const cut = sim.nodes.some((a) => sim.nodes.some((b) => a !== b && sim.isBlocked(a, b)));
  if (cut) repairs.push({ at, action: { type: "heal" } });
  for (const node of sim.nodes) {
    if (spare.includes(node)) continue;
    const status = sim.status(node);
    if (status === "crashed") repairs.push({ at, action: { type: "restart", node } });
    if (status === "paused") repairs.push({ at, action: { type: "resume", node } });
  }
  if (repairs.length > 0) sim.schedule(repairs);
  // Step so that the repairs run, then look after every step.
  const stepMs = 10;
  for (let t = at; t <= at + withinMs; t += stepMs) {
    const run = sim.run({ until: t });
    if (sim.violations.length > 0) return undefined;
    if (done(sim)) return sim.now - at;
    if (run.stop === "quiet" && t > at) return undefined; // nothing left to happen
  }
  return undefined;
}

/**
 * The termination violation for a check that did not hold in time.
 *
 * @example
 * ```ts
 * import { terminationViolation } from "./check.ts";
 * import assert from "node:assert/strict";
 * const v = terminationViolation("n2 has not decided", 5000, 1200);
 * assert.equal(v.check, "termination");
 * assert.match(v.message, /within 5000 ms of the heal/);
 * ```
 */
export function terminationViolation(what: string, withinMs: number, atMs: number): Violation {
  return {
    check: "termination",
    message: `${what} within ${withinMs} ms of the heal`,
    atMs,
  };
}
