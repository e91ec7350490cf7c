/**
 * The same four chat messages broadcast under FIFO, causal and total order
 * broadcast, side by side: the order each node delivers them in, and which
 * ordering guarantees each run kept, as the checkers judge them.
 *
 * The messages: n1 asks A; n2 answers it with B once it has delivered A; n3
 * posts C, unrelated; n1 answers B with D once it has delivered B. So A -> B
 * -> D in happens-before order, and C is concurrent with all of them.
 *
 * The example also shows how a host actor stacks on a broadcast layer (see
 * `ChatHost` below), and searches the seeds for a run that tells the three
 * protocols apart, the same way the tests find their counterexamples.
 *
 * Run it with `deno run examples/broadcast_order.ts` (no permissions needed).
 *
 * @module
 */

import type { Actor, Context, LayerMsg, LayerTimer, NodeId } from "../actors/mod.ts";
import { Simulation } from "../sim/simulation.ts";
import type { TraceEvent } from "../sim/trace.ts";
import {
  appEvents,
  checkCausal,
  checkFifo,
  checkTotalOrder,
  deliveryOrders,
} from "../protocols/broadcast/check.ts";
import {
  type BroadcastMsg,
  type BroadcastTimer,
  createBroadcast,
} from "../protocols/broadcast/create.ts";
import {
  type Broadcast,
  type BroadcastProtocol,
  type Delivery,
  mountBroadcast,
} from "../protocols/broadcast/layer.ts";
import { settle } from "../sim/settle.ts";

const NODES: readonly NodeId[] = ["n1", "n2", "n3"];

/** The four messages, by letter. */
const TEXT: Record<string, string> = {
  A: "A lunch at noon?",
  B: "B yes! (re A)",
  C: "C hi all",
  D: "D see you (re B)",
};

/** What a chat member carries: its broadcast layer's messages and timers, under `bc`. */
type Msg = LayerMsg<"bc", BroadcastMsg<string>>;
type Timer = "post" | LayerTimer<"bc", BroadcastTimer>;

/**
 * A chat member: the whole host side of a broadcast layer is the five marked
 * lines (mount with `deliver`, `start`, route `message` and `timer`,
 * `broadcast`).
 */
class ChatHost implements Actor<Msg, Timer> {
  readonly bc: Broadcast<string, "bc">;

  constructor(protocol: BroadcastProtocol) {
    this.bc = mountBroadcast(
      "bc",
      createBroadcast<string>(protocol, {
        nodes: NODES,
        deliver: (ctx, d) => this.#deliver(ctx, d), // (1)
      }),
    );
  }

  onStart(ctx: Context<Msg, Timer>): void {
    this.bc.start(ctx); // (2)
    if (ctx.self === "n1") ctx.setTimer("post", 0);
    if (ctx.self === "n3") ctx.setTimer("post", 3);
  }

  onMessage(ctx: Context<Msg, Timer>, msg: Msg, from: NodeId): void {
    this.bc.message(ctx, msg, from); // (3)
  }

  onTimer(ctx: Context<Msg, Timer>, timer: Timer): void {
    if (this.bc.timer(ctx, timer)) return; // (4)
    this.bc.broadcast(ctx, ctx.self === "n1" ? TEXT.A : TEXT.C); // (5) timer is "post"
  }

  inspect(): unknown {
    return this.bc.inspect();
  }

  #deliver(ctx: Context<Msg, Timer>, d: Delivery<string>): void {
    // Answers are broadcast after delivering what they answer, so they depend on it.
    if (ctx.self === "n2" && d.payload === TEXT.A) this.bc.broadcast(ctx, TEXT.B);
    if (ctx.self === "n1" && d.payload === TEXT.B) this.bc.broadcast(ctx, TEXT.D);
  }
}

/** The guarantees the table reports, with their checkers. */
const GUARANTEES = [
  ["FIFO order", checkFifo],
  ["causal order", checkCausal],
  ["total order", checkTotalOrder],
] as const;

const PROTOCOLS: ReadonlyArray<[BroadcastProtocol, string]> = [
  ["fifo", "FIFO broadcast"],
  ["causal", "causal broadcast"],
  ["total-sequencer", "total (sequencer)"],
];

function chat(protocol: BroadcastProtocol, seed: number): TraceEvent[] {
  const sim = new Simulation({ seed, network: { latency: { kind: "uniform", min: 1, max: 10 } } });
  for (const id of NODES) sim.spawn(id, () => new ChatHost(protocol));
  sim.run({ until: 500 });
  settle(sim);
  return sim.trace.events;
}

/** The first seed where FIFO breaks causal order and causal breaks total order. */
function telling(maxSeed: number): number {
  for (let seed = 1; seed <= maxSeed; seed++) {
    if (checkCausal(chat("fifo", seed)).length === 0) continue;
    if (checkTotalOrder(chat("causal", seed)).length === 0) continue;
    if (checkTotalOrder(chat("total-sequencer", seed)).length > 0) continue;
    return seed;
  }
  throw new Error(`no seed up to ${maxSeed} tells the protocols apart`);
}

/**
 * Each node's delivery order under each protocol, and the verdicts, as text
 * that fits `width` columns (at least 80).
 *
 * @example
 * ```ts
 * import { broadcastOrderTable } from "./broadcast_order.ts";
 * import assert from "node:assert/strict";
 * assert.match(broadcastOrderTable(), /causal order +BROKEN +kept +kept/);
 * ```
 */
export function broadcastOrderTable(options: { width?: number } = {}): string {
  const width = Math.max(80, options.width ?? 100);
  const seed = telling(200);
  const runs = PROTOCOLS.map(([p, title]) => {
    const events = chat(p, seed);
    const letterOf = new Map(appEvents(events).map((e) => [e.id, String(e.payload)[0]]));
    const orders = new Map(
      NODES.map((
        n,
      ) => [n, (deliveryOrders(events).get(n) ?? []).map((id) => letterOf.get(id) ?? "?")]),
    );
    return { title, events, orders };
  });
  const first = 14;
  const col = Math.floor((width - first) / PROTOCOLS.length);
  const row = (head: string, cells: string[]) =>
    (head.padEnd(first) + cells.map((c) => c.padEnd(col)).join("")).trimEnd();
  const lines = [
    `Seed ${seed}, the first where the three protocols deliver differently:`,
    "",
    row("delivered at", runs.map((r) => r.title)),
    ...NODES.map((node) => row(`  ${node}`, runs.map((r) => r.orders.get(node)!.join(" ")))),
    "",
    ...GUARANTEES.map(([guarantee, check]) =>
      row(guarantee, runs.map((r) => (check(r.events).length === 0 ? "kept" : "BROKEN")))
    ),
  ];
  const [fifo, causal] = runs;
  for (const node of NODES) {
    const order = fifo.orders.get(node)!;
    const bad = [["A", "B"], ["B", "D"], ["A", "D"]].find(([x, y]) =>
      order.indexOf(y) < order.indexOf(x)
    );
    if (bad === undefined) continue;
    lines.push(
      "",
      `Under FIFO broadcast, ${node} delivered ${bad[1]} before ${bad[0]}, though ${
        bad[1]
      } depends ` +
        `on ${bad[0]}: causal order broken.`,
    );
    break;
  }
  for (const a of NODES) {
    const differ = NODES.find((b) =>
      causal.orders.get(b)!.join("") !== causal.orders.get(a)!.join("")
    );
    if (differ === undefined) continue;
    lines.push(
      `Under causal broadcast, ${a} (${causal.orders.get(a)!.join(" ")}) and ${differ} ` +
        `(${causal.orders.get(differ)!.join(" ")}) disagree on concurrent messages.`,
    );
    break;
  }
  return lines.join("\n");
}

/**
 * The whole example as text.
 *
 * @example
 * ```ts
 * import { broadcastOrderExample } from "./broadcast_order.ts";
 * import assert from "node:assert/strict";
 * assert.match(broadcastOrderExample(), /total order +BROKEN +BROKEN +kept/);
 * ```
 */
export function broadcastOrderExample(options: { width?: number } = {}): string {
  return [
    "Broadcast order (lectures 4.2-4.3): four chat messages among n1, n2, n3.",
    ...Object.values(TEXT).map((t) => `  ${t}`),
    "n2 sends B after delivering A, n1 sends D after delivering B: A -> B -> D. C is concurrent.",
    "",
    broadcastOrderTable(options),
    "",
    "FIFO keeps each sender's order only; causal also keeps answers after what they answer;",
    "total order makes every node deliver the same sequence, concurrent messages included.",
  ].join("\n");
}

if (import.meta.main) console.log(broadcastOrderExample());
