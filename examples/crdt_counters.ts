/**
 * Counters that converge: three replicas of a PN-Counter, incremented and
 * decremented by three users while a partition splits them, first
 * state-based (anti-entropy gossip with deltas), then operation-based
 * (causal broadcast). Both end at the value the acknowledged operations
 * add up to.
 *
 * Run it with `deno run examples/crdt_counters.ts` (no permissions needed).
 *
 * @module
 */

import { Simulation } from "../sim/simulation.ts";
import { renderDiagram } from "../sim/render/diagram.ts";
import type { TraceEvent } from "../sim/trace.ts";
import { Client, type ClientStep, scriptedWorkload } from "../protocols/crdt/client.ts";
import { checkCounter, counterBounds } from "../protocols/crdt/convergence.ts";
import { OpBasedReplica, opCounterType } from "../protocols/crdt/op_based.ts";
import type { PNCounter } from "../protocols/crdt/pn_counter.ts";
import { Replica } from "../protocols/crdt/replica.ts";
import { type CounterOp, counterType } from "../protocols/crdt/replicated_types.ts";

/**
 * How to draw the example.
 *
 * @example
 * ```ts
 * import { crdtCountersExample, type ExampleOptions } from "./crdt_counters.ts";
 * import assert from "node:assert/strict";
 * const o: ExampleOptions = { width: 100, color: false };
 * const text = crdtCountersExample(o);
 * assert.ok(text.split("\n").every((line) => [...line].length <= 100));
 * assert.ok(!text.includes("\x1b[")); // no colour
 * ```
 */
export interface ExampleOptions {
  /** Columns to fit (default 100, at least 72). */
  width?: number;
  /** ANSI colours in the diagram (default false). */
  color?: boolean;
}

const REPLICAS = ["n1", "n2", "n3"];
const PARTITION_AT = 100, HEAL_AT = 400, END = 700;
const SNAPSHOTS = [90, 390, END];

const inc = (at: number, amount = 1): ClientStep<CounterOp> => ({
  at,
  op: { type: "increment", amount },
});
const dec = (at: number, amount = 1): ClientStep<CounterOp> => ({
  at,
  op: { type: "decrement", amount },
});

/** Who types what, at which replica: alice +4, bob +2 -2, carol +2. */
const USERS: { name: string; replica: string; steps: ClientStep<CounterOp>[] }[] = [
  { name: "alice", replica: "n1", steps: [inc(10), inc(150), inc(200), inc(250)] },
  { name: "bob", replica: "n2", steps: [inc(20, 2), dec(160), dec(260)] },
  { name: "carol", replica: "n3", steps: [inc(30), inc(170)] },
];

/** One run of the script, with each replica's state at the snapshot times. */
export interface CounterRun {
  sim: Simulation;
  /** time -> replica -> state. */
  snapshots: Map<number, Map<string, PNCounter>>;
}

/**
 * Runs the script with state-based or operation-based replicas.
 *
 * @example
 * ```ts
 * import { runCounters } from "./crdt_counters.ts";
 * import assert from "node:assert/strict";
 * const run = runCounters("state");
 * assert.equal(run.snapshots.get(700)!.get("n1")!.value(), 6);
 * ```
 */
export function runCounters(replication: "state" | "op"): CounterRun {
  // Replicas lose 10% of what they send each other; users reach their own replica reliably.
  const links = USERS.flatMap((u) => [
    { from: u.name, to: u.replica, loss: 0 },
    { from: u.replica, to: u.name, loss: 0 },
  ]);
  const sim = new Simulation({ seed: 7, network: { loss: 0.1, links } });
  for (const id of REPLICAS) {
    if (replication === "state") {
      const peers = REPLICAS.filter((p) => p !== id);
      sim.spawn(id, () => new Replica({ type: counterType, peers, gossipMs: 50 }));
    } else {
      sim.spawn(id, () => new OpBasedReplica({ type: opCounterType, nodes: REPLICAS }));
    }
  }
  for (const user of USERS) {
    sim.spawn(
      user.name,
      () =>
        new Client<CounterOp>({ replica: user.replica, workload: scriptedWorkload(user.steps) }),
    );
  }
  sim.schedule([
    { at: PARTITION_AT, action: { type: "partition", groups: [["n1"], ["n2", "n3"]] } },
    { at: HEAL_AT, action: { type: "heal" } },
  ]);
  const snapshots = new Map<number, Map<string, PNCounter>>();
  for (const t of SNAPSHOTS) {
    sim.at(t, (s) => {
      const states = new Map<string, PNCounter>();
      for (const id of REPLICAS) states.set(id, s.actor<{ state: PNCounter }>(id)!.state);
      snapshots.set(t, states);
    });
  }
  sim.run({ until: END });
  return { sim, snapshots };
}

/**
 * The whole lesson as text.
 *
 * @example
 * ```ts
 * import { crdtCountersExample } from "./crdt_counters.ts";
 * import assert from "node:assert/strict";
 * assert.ok(crdtCountersExample({ color: false }).includes("PN-Counter"));
 * ```
 */
export function crdtCountersExample(options: ExampleOptions = {}): string {
  const width = Math.max(72, options.width ?? 100);
  const color = options.color ?? false;
  const state = runCounters("state");
  const op = runCounters("op");
  const ops = state.sim.history.operations;
  const { min, max } = counterBounds(ops);
  const final = state.snapshots.get(END)!.get("n1")!.value();
  const problems = checkCounter(final, ops);
  const lines = [
    "A G-Counter keeps one entry per replica: a replica increments only its own entry, merge",
    "takes the maximum of each entry, the value is their sum. Merge is commutative, associative",
    "and idempotent, so replicas that exchange states in any order, any number of times, agree.",
    "A PN-Counter is two G-Counters, p for increments and n for decrements; value = p - n.",
    "",
    "alice (at n1) adds 4, bob (at n2) adds 2 and takes 2, carol (at n3) adds 2, while a",
    `partition cuts n1 off from n2 and n3 from ${PARTITION_AT} to ${HEAL_AT} ms; 10% of messages are lost.`,
    "",
    "State-based: every 50 ms each replica pushes to a random peer what that peer has not",
    "acknowledged (a delta), or its whole state if it does not know, and the peer pushes back:",
    "",
    ...snapshotTable(state),
    "",
    "Operation-based: the replica a user talks to broadcasts the operation ('add 1 to n1's",
    "entry') with causal broadcast, which retransmits until every replica has applied it once:",
    "",
    ...snapshotTable(op),
    "",
    min === max
      ? `Every operation was acknowledged, so the history says the counter must end at ${min}.`
      : `Some operations timed out, so the history allows ${min} .. ${max}.`,
    problems.length === 0
      ? `Both end at ${final} on every replica: converged, and equal to what the users were told.`
      : `Checker: ${problems.join("; ")}`,
    "",
    `Messages: state-based ${messageMix(state.sim.trace.events)}`,
    `          op-based    ${messageMix(op.sim.trace.events)}`,
    "Gossip never stops (it is also how a replica that missed something catches up); the",
    "broadcast goes quiet once every operation is acknowledged.",
    "",
    `The heal at ${HEAL_AT} ms, state-based: n1 and the others swap the deltas each lacks, then ack.`,
    "",
    renderDiagram(state.sim.trace.events, {
      width,
      color,
      from: HEAL_AT,
      to: HEAL_AT + 90,
      nodes: REPLICAS,
      kinds: ["deliver", "drop", "heal"],
      label: gossipLabel,
      legend: false,
      maxRows: 30,
    }),
  ];
  return lines.join("\n");
}

/** One row per replica: its value before the partition, and value and state during and after. */
function snapshotTable(run: CounterRun): string[] {
  const [before, during, after] = SNAPSHOTS.map((t) => run.snapshots.get(t)!);
  const cell = (s: PNCounter) => `${s.value()} ${compact(s.toJSON())}`;
  const middle = Math.max(...REPLICAS.map((id) => cell(during.get(id)!).length)) + 2;
  const row = (id: string, a: string, b: string, c: string) =>
    `  ${id.padEnd(8)}${a.padEnd(9)}${b.padEnd(middle)}${c}`.trimEnd();
  return [
    row("replica", `${SNAPSHOTS[0]} ms`, `${SNAPSHOTS[1]} ms (partitioned)`, `${END} ms (healed)`),
    ...REPLICAS.map((id) =>
      row(id, String(before.get(id)!.value()), cell(during.get(id)!), cell(after.get(id)!))
    ),
  ];
}

/** `{p:{n1:4},n:{n2:1}}`: the JSON form without quotes. */
function compact(json: unknown): string {
  return JSON.stringify(json).replaceAll('"', "").replace(",n:{}", "");
}

function messageMix(events: readonly TraceEvent[]): string {
  const counts = new Map<string, number>();
  for (const e of events) {
    if (e.kind !== "send") continue;
    const type = (e.msg as { type: string }).type;
    counts.set(type, (counts.get(type) ?? 0) + 1);
  }
  return [...counts].map(([type, n]) => `${n} ${type}`).join(", ");
}

/** Gossip messages with their payload in short; the rest by type. */
function gossipLabel(msg: unknown): string {
  const m = msg as { type: string; state?: unknown; delta?: unknown; seq?: number };
  if (m.type === "state") return `state ${compact(m.state)}`;
  if (m.type === "delta") return `delta ${compact(m.delta)}`;
  if (m.type === "ack") return `ack ${m.seq}`;
  return m.type;
}

if (import.meta.main) console.log(crdtCountersExample());
