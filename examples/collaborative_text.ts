/**
 * Collaborative editing with a sequence CRDT (RGA): three users edit the same
 * document on three replicas that a partition has cut apart, each seeing
 * only their own changes; when the network heals, anti-entropy brings every
 * replica to the same text, which keeps everyone's edits.
 *
 * Run it with `deno run examples/collaborative_text.ts` (no permissions needed).
 *
 * @module
 */

import { renderDiagram } from "../sim/render/diagram.ts";
import { Simulation } from "../sim/simulation.ts";
import { Client, type ClientStep, scriptedWorkload } from "../protocols/crdt/client.ts";
import { checkText } from "../protocols/crdt/convergence.ts";
import { Replica } from "../protocols/crdt/replica.ts";
import { type TextOp, textType } from "../protocols/crdt/replicated_types.ts";
import type { Rga } from "../protocols/crdt/rga.ts";

const REPLICAS = ["n1", "n2", "n3"];
const PARTITION_AT = 200, BEFORE_HEAL = 499, HEAL_AT = 500, END = 800;

const insert = (at: number, index: number, text: string): ClientStep<TextOp> => ({
  at,
  op: { type: "insert", index, text },
});
const del = (at: number, index: number, count: number): ClientStep<TextOp> => ({
  at,
  op: { type: "delete", index, count },
});

/** Who edits what: every edit after the first is made while the replicas are apart. */
export const USERS: readonly {
  name: string;
  replica: string;
  edits: string;
  steps: ClientStep<TextOp>[];
}[] = [
  {
    name: "alice",
    replica: "n1",
    edits: 'types "Hello world", later inserts ", dear" after "Hello"',
    steps: [insert(10, 0, "Hello world"), insert(300, 5, ", dear")],
  },
  {
    name: "bob",
    replica: "n2",
    edits: 'replaces "world" with "there"',
    steps: [del(300, 6, 5), insert(320, 6, "there")],
  },
  {
    name: "carol",
    replica: "n3",
    edits: 'adds "!" at the end and "Oh, " at the start',
    steps: [insert(310, 11, "!"), insert(330, 0, "Oh, ")],
  },
];

/**
 * Each replica's document just before the heal and at the end, and the run.
 *
 * @example
 * ```ts
 * import { runEditing, type TextRun } from "./collaborative_text.ts";
 * import assert from "node:assert/strict";
 * const r: TextRun = runEditing();
 * assert.deepEqual([...r.after.keys()], ["n1", "n2", "n3"]); // each replica's text at the end
 * assert.equal(new Set(r.after.values()).size, 1); // converged
 * ```
 */
export interface TextRun {
  sim: Simulation;
  before: Map<string, string>;
  after: Map<string, string>;
}

/**
 * Runs the editing session.
 *
 * @example
 * ```ts
 * import { runEditing } from "./collaborative_text.ts";
 * import assert from "node:assert/strict";
 * const run = runEditing();
 * assert.equal(run.after.get("n1"), run.after.get("n3"));
 * ```
 */
export function runEditing(seed = 3): TextRun {
  // Replicas lose 5% of what they send each other; users reach their own replica reliably.
  const links = USERS.flatMap((u) => [
    { from: u.name, to: u.replica, loss: 0 },
    { from: u.replica, to: u.name, loss: 0 },
  ]);
  const sim = new Simulation({ seed, network: { loss: 0.05, links } });
  for (const id of REPLICAS) {
    const peers = REPLICAS.filter((p) => p !== id);
    sim.spawn(id, () => new Replica({ type: textType, peers, gossipMs: 40 }));
  }
  for (const user of USERS) {
    sim.spawn(
      user.name,
      () => new Client<TextOp>({ replica: user.replica, workload: scriptedWorkload(user.steps) }),
    );
  }
  sim.schedule([
    {
      at: PARTITION_AT,
      action: { type: "partition", groups: USERS.map((u) => [u.replica, u.name]) },
    },
    { at: HEAL_AT, action: { type: "heal" } },
  ]);
  const documents = (s: Simulation) =>
    new Map(REPLICAS.map((id) => [id, s.actor<{ state: Rga }>(id)!.state.text()]));
  let before = new Map<string, string>();
  sim.at(BEFORE_HEAL, (s) => before = documents(s));
  sim.run({ until: END });
  return { sim, before, after: documents(sim) };
}

/**
 * The documents before and after the heal, one line per replica.
 *
 * @example
 * ```ts
 * import { documentTable, runEditing } from "./collaborative_text.ts";
 * import assert from "node:assert/strict";
 * assert.equal(documentTable(runEditing()).length, 9);
 * ```
 */
export function documentTable(run: TextRun): string[] {
  const user = (id: string) => USERS.find((u) => u.replica === id)!.name;
  const rows = (docs: Map<string, string>) =>
    REPLICAS.map((id) => `  ${id} (${user(id)})`.padEnd(14) + JSON.stringify(docs.get(id)));
  return [
    `Before the heal (${BEFORE_HEAL} ms), each replica has only its own user's edits:`,
    ...rows(run.before),
    `After the heal (${END} ms):`,
    ...rows(run.after),
  ].flatMap((line, i) => i === 4 ? ["", line] : [line]);
}

/**
 * How to draw the example.
 *
 * @example
 * ```ts
 * import { collaborativeTextExample, type ExampleOptions } from "./collaborative_text.ts";
 * import assert from "node:assert/strict";
 * const o: ExampleOptions = { width: 100, color: false };
 * const text = collaborativeTextExample(o);
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

/**
 * The whole lesson as text.
 *
 * @example
 * ```ts
 * import { collaborativeTextExample } from "./collaborative_text.ts";
 * import assert from "node:assert/strict";
 * assert.ok(collaborativeTextExample().includes("Hello"));
 * ```
 */
export function collaborativeTextExample(options: ExampleOptions = {}): string {
  const width = Math.max(72, options.width ?? 100);
  const run = runEditing();
  const texts = new Set(run.after.values());
  const final = run.sim.actor<{ state: Rga }>("n1")!.state;
  const problems = checkText(final, run.sim.history.operations);
  return [
    "RGA gives every character a unique id (a Lamport counter and the replica) and inserts it",
    "right after the character it was typed after. Concurrent inserts at one place are ordered",
    "by id, the same way everywhere; a deleted character stays as an invisible tombstone, since",
    "someone may still be typing after it. Merge is the union of characters and tombstones.",
    "",
    `alice types "Hello world" at n1; it reaches every replica. A partition then cuts all three`,
    `apart from ${PARTITION_AT} to ${HEAL_AT} ms:`,
    ...USERS.map((u) => `  ${u.name} (at ${u.replica}) ${u.edits}`),
    "",
    ...documentTable(run),
    "",
    texts.size === 1
      ? "Every replica holds the same text, and every user's edit is in it: bob's \"there\" went"
      : `The replicas DIFFER: ${[...texts].map((t) => JSON.stringify(t)).join(" vs ")}`,
    ...(texts.size === 1
      ? [
        'where "world" was, carol\'s "!" stayed after the deleted "world" (its tombstone anchors',
        'it), and alice\'s ", dear" stayed after "Hello".',
      ]
      : []),
    problems.length === 0
      ? "Checked against the history: each visible character was typed by an acknowledged insert,"
      : `Checker: ${problems.join("; ")}`,
    ...(problems.length === 0
      ? ["none that was deleted is visible, and each insert's characters kept their order."]
      : []),
    "",
    "The heal: each replica pushes its whole document to a random peer, which pushes back.",
    "",
    renderDiagram(run.sim.trace.events, {
      width,
      color: options.color ?? false,
      from: HEAL_AT,
      to: HEAL_AT + 60,
      nodes: REPLICAS,
      kinds: ["deliver", "drop", "heal"],
      label: (msg) => {
        const m = msg as { type: string; seq?: number; state?: unknown };
        if (m.type === "state") return `state ${JSON.stringify(textType.fromJSON(m.state).text())}`;
        return m.type === "ack" ? `ack ${m.seq}` : m.type;
      },
      legend: false,
      maxRows: 24,
    }),
  ].join("\n");
}

if (import.meta.main) console.log(collaborativeTextExample());
