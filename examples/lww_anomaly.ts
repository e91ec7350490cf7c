/**
 * The LWW anomaly: a last-writer-wins set loses an add that a concurrent
 * remove never saw, and with clock skew it loses even an add made after the
 * remove, in real time. The OR-Set, whose remove deletes only the adds it
 * observed, keeps it.
 *
 * Two users share a shopping list on two replicas. alice (at n1) adds eggs;
 * then a partition separates the replicas; alice removes eggs while bob (at
 * n2), who still sees them, adds eggs again. Each replica stamps a write with
 * its own clock (`ctx.now()`); the simulator makes n1's clock run ahead.
 *
 * Run it with `deno run examples/lww_anomaly.ts` (no permissions needed).
 *
 * @module
 */

import { renderDiagram } from "../sim/render/diagram.ts";
import { Simulation } from "../sim/simulation.ts";
import type { TraceEvent } from "../sim/trace.ts";
import { Client, type ClientStep, scriptedWorkload } from "../protocols/crdt/client.ts";
import { type LostAdd, lwwLostAdds } from "../protocols/crdt/convergence.ts";
import type { LwwElementSet } from "../protocols/crdt/lww_element_set.ts";
import type { OrSet } from "../protocols/crdt/or_set.ts";
import { Replica } from "../protocols/crdt/replica.ts";
import {
  type LwwOutput,
  lwwSetType,
  orSetType,
  type SetOp,
} from "../protocols/crdt/replicated_types.ts";

/**
 * One version of the story: how fast n1's clock runs, and when alice removes
 * and bob re-adds (global ms, both during the partition).
 *
 * @example
 * ```ts
 * import { type AnomalyCase, runAnomaly } from "./lww_anomaly.ts";
 * import assert from "node:assert/strict";
 * const c: AnomalyCase = { label: "n1 100 ms fast", skewMs: 100, removeAt: 100, addAt: 150 };
 * // The skewed clock stamps the remove after the later add: the LWW set loses the add.
 * assert.deepEqual(runAnomaly("lww", c).values, ["{}", "{}"]);
 * ```
 */
export interface AnomalyCase {
  label: string;
  skewMs: number;
  removeAt: number;
  addAt: number;
}

/** The three versions the example compares. */
export const CASES: readonly AnomalyCase[] = [
  {
    label: "n1's clock 100 ms fast; remove at 100, add at 150",
    skewMs: 100,
    removeAt: 100,
    addAt: 150,
  },
  {
    label: "clocks right;           remove at 100, add at 150",
    skewMs: 0,
    removeAt: 100,
    addAt: 150,
  },
  {
    label: "clocks right;           add at 90, remove at 100",
    skewMs: 0,
    removeAt: 100,
    addAt: 90,
  },
];

const PARTITION_AT = 50, HEAL_AT = 300, END = 600;

/**
 * What one run ended with.
 *
 * @example
 * ```ts
 * import { type AnomalyRun, CASES, runAnomaly } from "./lww_anomaly.ts";
 * import assert from "node:assert/strict";
 * const r: AnomalyRun = runAnomaly("lww", CASES[0]);
 * assert.equal(r.values.join(" / "), "{} / {}");
 * assert.equal(r.lost.length, 1); // one acknowledged add lost
 * ```
 */
export interface AnomalyRun {
  sim: Simulation;
  /** Each replica's list at the end, e.g. `{eggs}`. */
  values: string[];
  /** For the LWW set: the acknowledged adds it lost. */
  lost: LostAdd[];
}

/**
 * Runs one case with an LWW-Element-Set (add-bias) or an OR-Set.
 *
 * @example
 * ```ts
 * import { CASES, runAnomaly } from "./lww_anomaly.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(runAnomaly("lww", CASES[0]).values, ["{}", "{}"]);
 * assert.deepEqual(runAnomaly("or-set", CASES[0]).values, ["{eggs}", "{eggs}"]);
 * ```
 */
export function runAnomaly(set: "lww" | "or-set", c: AnomalyCase): AnomalyRun {
  const sim = new Simulation({ seed: 1 });
  const ids = ["n1", "n2"];
  for (const id of ids) {
    const peers = ids.filter((p) => p !== id);
    const skew = id === "n1" && c.skewMs !== 0 ? { clock: { skewMs: c.skewMs } } : {};
    if (set === "lww") {
      sim.spawn(id, () => new Replica({ type: lwwSetType<string>("add"), peers }), skew);
    } else {
      sim.spawn(id, () => new Replica({ type: orSetType<string>(), peers }), skew);
    }
  }
  const op = (at: number, type: "add" | "remove"): ClientStep<SetOp<string>> => ({
    at,
    op: { type, element: "eggs" },
  });
  sim.spawn("alice", () =>
    new Client<SetOp<string>>({
      replica: "n1",
      workload: scriptedWorkload([op(10, "add"), op(c.removeAt, "remove")]),
    }));
  sim.spawn(
    "bob",
    () =>
      new Client<SetOp<string>>({
        replica: "n2",
        workload: scriptedWorkload([op(c.addAt, "add")]),
      }),
  );
  sim.schedule([
    { at: PARTITION_AT, action: { type: "partition", groups: [["n1", "alice"], ["n2", "bob"]] } },
    { at: HEAL_AT, action: { type: "heal" } },
  ]);
  sim.run({ until: END });
  const states = ids.map((id) => sim.actor<{ state: LwwElementSet<string> | OrSet<string> }>(id)!);
  const values = states.map((a) => `{${a.state.value().join(", ")}}`);
  const lost = set === "lww"
    ? lwwLostAdds(states[0].state as LwwElementSet<string>, sim.history.operations)
    : [];
  return { sim, values, lost };
}

/**
 * How to draw the example.
 *
 * @example
 * ```ts
 * import { type ExampleOptions, lwwAnomalyExample } from "./lww_anomaly.ts";
 * import assert from "node:assert/strict";
 * const o: ExampleOptions = { width: 100, color: false, short: true };
 * const text = lwwAnomalyExample(o);
 * assert.ok(text.split("\n").every((line) => [...line].length <= 100));
 * assert.ok(!text.includes("┼")); // short: no diagram
 * ```
 */
export interface ExampleOptions {
  /** Columns to fit (default 100, at least 72). */
  width?: number;
  /** ANSI colours in the diagram (default false). */
  color?: boolean;
  /** Leave out the diagram (default false). */
  short?: boolean;
}

/**
 * The side-by-side table of the three cases: what each set holds at the end.
 *
 * @example
 * ```ts
 * import { anomalyTable } from "./lww_anomaly.ts";
 * import assert from "node:assert/strict";
 * assert.ok(anomalyTable().some((line) => line.includes("lost")));
 * ```
 */
export function anomalyTable(): string[] {
  const rows = [`  ${"".padEnd(50)}  ${"LWW-Element-Set".padEnd(20)}OR-Set`];
  for (const c of CASES) {
    const lww = runAnomaly("lww", c), or = runAnomaly("or-set", c);
    const verdict = lww.lost.length > 0 ? `${lww.values[0]} add lost` : lww.values[0];
    rows.push(`  ${c.label.padEnd(50)}  ${verdict.padEnd(20)}${or.values[0]}`);
  }
  return rows;
}

/**
 * The whole lesson as text.
 *
 * @example
 * ```ts
 * import { lwwAnomalyExample } from "./lww_anomaly.ts";
 * import assert from "node:assert/strict";
 * assert.ok(lwwAnomalyExample({ short: true }).includes("OR-Set"));
 * ```
 */
export function lwwAnomalyExample(options: ExampleOptions = {}): string {
  const width = Math.max(72, options.width ?? 100);
  const skewed = runAnomaly("lww", CASES[0]);
  const ops = skewed.sim.history.operations;
  const stamp = (client: string, f: string) => {
    const op = ops.find((o) => o.client === client && o.f === f && o.call > PARTITION_AT)!;
    return `${round(op.call)} ms, stamped ${round((op.output as LwwOutput).ts.time)}`;
  };
  const lost = skewed.lost[0];
  const lines = [
    "alice (n1) adds eggs at 10 ms. A partition separates n1 and n2 from 50 to 300 ms. During",
    "it alice removes eggs and bob (n2), who still sees eggs, adds them again. Once healed,",
    "both replicas agree, always. But on what?",
    "",
    ...anomalyTable(),
    "",
    "1. n1's clock runs 100 ms ahead. alice's remove happens at " + stamp("alice", "remove") +
    "; bob's add",
    `   happens at ${stamp("bob", "add")}. The later timestamp wins, so eggs are gone: an add`,
    "   that came after the remove in real time, and that the remove never saw, is lost.",
    "2. With correct clocks the same story keeps eggs: the add has the later timestamp.",
    "3. With correct clocks an add that was merely concurrent, a little earlier than the",
    "   remove, is lost all the same: that is last-writer-wins, not a clock problem.",
    "The OR-Set keeps eggs every time: bob's add created a new tag (dot) that alice's remove",
    "had not observed, and a remove deletes only the tags it observed (add wins).",
  ];
  if (lost !== undefined) {
    lines.push(
      "",
      `The checker of case 1 (lwwLostAdds): bob's add of eggs was acknowledged, no remove saw it,`,
      `and it was lost to alice's remove${
        lost.afterRemove ? ", which had returned before bob's add began." : "."
      }`,
    );
  }
  if (!options.short) {
    lines.push(
      "",
      "Case 1 with the LWW-Element-Set (client operations, the partition, and the gossip of states):",
      "",
      renderDiagram(gossipOnly(skewed.sim.trace.events), {
        width,
        color: options.color ?? false,
        nodes: ["alice", "n1", "n2", "bob"],
        to: HEAL_AT + 60,
        label: label,
        legend: false,
      }),
    );
  }
  return lines.join("\n");
}

/** Client operations, faults, and deliveries of states and deltas; no acks, pulls or timers. */
function gossipOnly(events: readonly TraceEvent[]): TraceEvent[] {
  return events.filter((e) => {
    if (e.kind === "invoke" || e.kind === "complete" || e.kind === "partition") return true;
    if (e.kind === "heal") return true;
    if (e.kind !== "deliver") return false;
    const type = (e.msg as { type: string }).type;
    return type === "delta" || type === "state";
  });
}

function label(msg: unknown): string {
  const m = msg as { type: string; state?: unknown; delta?: unknown };
  const json = m.state ?? m.delta;
  const body = json as { adds?: unknown[][]; removes?: unknown[][] };
  const list = (xs: unknown[][] | undefined, sign: string) =>
    (xs ?? []).map(([e, t]) => `${sign}${e}@${t}`).join(" ");
  return `${m.type} ${[list(body.adds, "+"), list(body.removes, "-")].join(" ").trim()}`;
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}

if (import.meta.main) console.log(lwwAnomalyExample());
