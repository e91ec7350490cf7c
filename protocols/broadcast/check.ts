/**
 * Checkers of broadcast delivery guarantees, over the `broadcast` and
 * `deliver` notes a layer writes to the trace (see `layer.ts`).
 *
 * - integrity: no node delivers a message twice, and every delivered message
 *   was broadcast, with that payload;
 * - agreement: every node delivers every broadcast message (validity and
 *   agreement together; meaningful once faults have healed and the network
 *   has had time to settle);
 * - FIFO order: a node delivers one sender's messages in the order it
 *   broadcast them, with no gaps;
 * - causal order: if broadcast(m1) happens before broadcast(m2), every node
 *   that delivers m2 delivered m1 first;
 * - total order: any two nodes deliver the messages they both deliver in the
 *   same order.
 *
 * Causal order is judged by the happens-before order of the application's
 * own events: broadcasts and deliveries, with delivering m as the receive of
 * broadcast m (lecture 4.3). The network-level order of the trace would be
 * wrong here: a node that has received a message but still holds it back has
 * not delivered it, and a broadcast it makes meanwhile does not depend on it.
 * {@linkcode Causality} computes that order from these events alone.
 *
 * @module
 */

import type { NodeId } from "../../actors/mod.ts";
import { Causality, type CausalStep } from "../../sim/causality.ts";
import type { Violation } from "../../sim/simulation.ts";
import type { TraceEvent } from "../../sim/trace.ts";
import {
  BROADCAST_NOTE,
  type BroadcastNote,
  type BroadcastProtocol,
  DELIVER_NOTE,
} from "./layer.ts";

/**
 * One broadcast or delivery at the application's level, found in a trace.
 *
 * @example
 * ```ts
 * import type { AppEvent } from "./check.ts";
 * import assert from "node:assert/strict";
 * const e: AppEvent = {
 *   index: 4, t: 2.5, node: "n2", kind: "deliver", id: "n1#1", origin: "n1", payload: "hi", protocol: "fifo",
 * };
 * assert.equal(`${e.node} ${e.kind} ${e.id}`, "n2 deliver n1#1");
 * ```
 */
export interface AppEvent {
  /** Index of its log note in the trace. */
  index: number;
  /** Global time, ms. */
  t: number;
  /** The node that broadcast or delivered. */
  node: NodeId;
  /** Which of the two. */
  kind: "broadcast" | "deliver";
  /** The message id. */
  id: string;
  /** The node that broadcast the message. */
  origin: NodeId;
  /** What it broadcast. */
  payload: unknown;
  /** The protocol that wrote the note. */
  protocol: BroadcastProtocol;
}

/**
 * The broadcasts and deliveries in a trace, in trace order.
 *
 * @example
 * ```ts
 * import { appEvents } from "./check.ts";
 * import assert from "node:assert/strict";
 * const note = { protocol: "fifo", id: "n1#1", origin: "n1", payload: "hi" };
 * const events = appEvents([{ t: 0, kind: "log", node: "n1", note: "broadcast", data: note }]);
 * assert.deepEqual(events.map((e) => [e.kind, e.id]), [["broadcast", "n1#1"]]);
 * ```
 */
export function appEvents(events: readonly TraceEvent[]): AppEvent[] {
  const out: AppEvent[] = [];
  events.forEach((e, index) => {
    if (e.kind !== "log" || (e.note !== BROADCAST_NOTE && e.note !== DELIVER_NOTE)) return;
    const d = e.data as BroadcastNote | undefined;
    if (d === undefined || typeof d.id !== "string" || typeof d.origin !== "string") return;
    out.push({
      index,
      t: e.t,
      node: e.node,
      kind: e.note === BROADCAST_NOTE ? "broadcast" : "deliver",
      id: d.id,
      origin: d.origin,
      payload: d.payload,
      protocol: d.protocol,
    });
  });
  return out;
}

/**
 * Each node's deliveries, as message ids in delivery order.
 *
 * @example
 * ```ts
 * import { deliveryOrders } from "./check.ts";
 * import assert from "node:assert/strict";
 * const deliver = (node: string, id: string) =>
 *   ({ t: 0, kind: "log" as const, node, note: "deliver", data: { protocol: "fifo", id, origin: "n1", payload: 1 } });
 * assert.deepEqual(deliveryOrders([deliver("n2", "n1#1"), deliver("n2", "n1#2")]).get("n2"), ["n1#1", "n1#2"]);
 * ```
 */
export function deliveryOrders(
  events: readonly TraceEvent[] | readonly AppEvent[],
): Map<NodeId, string[]> {
  const out = new Map<NodeId, string[]>();
  for (const e of asApp(events)) {
    if (e.kind !== "deliver") continue;
    let list = out.get(e.node);
    if (list === undefined) out.set(e.node, list = []);
    list.push(e.id);
  }
  return out;
}

function asApp(events: readonly TraceEvent[] | readonly AppEvent[]): readonly AppEvent[] {
  // Trace events never have an `origin`; application events always do.
  if (events.length === 0 || "origin" in events[0]) return events as readonly AppEvent[];
  return appEvents(events as readonly TraceEvent[]);
}

/** Integrity, FIFO and causal order: about deliveries made, so a shorter run shows them too. */
function violation(check: string, message: string, e: AppEvent): Violation {
  return { check, message, atMs: e.t, node: e.node, safety: true };
}

const payloadText = (p: unknown) => JSON.stringify(p) ?? "undefined";

/**
 * No duplicate deliveries, and nothing delivered that was not broadcast
 * (check `broadcast-integrity`).
 *
 * @example
 * ```ts
 * import { checkIntegrity } from "./check.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(checkIntegrity([]), []);
 * ```
 */
export function checkIntegrity(events: readonly TraceEvent[] | readonly AppEvent[]): Violation[] {
  const app = asApp(events);
  const out: Violation[] = [];
  const sent = new Map<string, AppEvent>();
  for (const e of app) {
    if (e.kind !== "broadcast") continue;
    if (sent.has(e.id)) {
      out.push(violation("broadcast-integrity", `message id ${e.id} was broadcast twice`, e));
    }
    sent.set(e.id, e);
  }
  const seen = new Set<string>();
  for (const e of app) {
    if (e.kind !== "deliver") continue;
    const key = `${e.node} ${e.id}`;
    const b = sent.get(e.id);
    if (seen.has(key)) {
      out.push(violation("broadcast-integrity", `${e.node} delivered ${e.id} twice`, e));
    } else if (b === undefined) {
      out.push(violation("broadcast-integrity", `${e.node} delivered ${e.id}, never broadcast`, e));
    } else if (b.origin !== e.origin || payloadText(b.payload) !== payloadText(e.payload)) {
      out.push(violation(
        "broadcast-integrity",
        `${e.node} delivered ${e.id} from ${e.origin} with payload ${payloadText(e.payload)}, ` +
          `but ${b.origin} broadcast ${payloadText(b.payload)}`,
        e,
      ));
    }
    seen.add(key);
  }
  return out;
}

/**
 * Every node of `nodes` delivered every broadcast message (check
 * `broadcast-agreement`). Run it after faults heal and the network settles.
 *
 * @example
 * ```ts
 * import { checkAgreement } from "./check.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(checkAgreement([], ["n1", "n2"]), []);
 * ```
 */
export function checkAgreement(
  events: readonly TraceEvent[] | readonly AppEvent[],
  nodes: readonly NodeId[],
): Violation[] {
  const app = asApp(events);
  const orders = deliveryOrders(app);
  const out: Violation[] = [];
  const last = app.at(-1);
  for (const node of nodes) {
    const got = new Set(orders.get(node) ?? []);
    const missing = app.filter((e) => e.kind === "broadcast" && !got.has(e.id)).map((e) => e.id);
    if (missing.length > 0) {
      out.push({
        check: "broadcast-agreement",
        message: `${node} never delivered ${missing.join(", ")}`,
        atMs: last?.t ?? 0,
        node,
      });
    }
  }
  return out;
}

/**
 * Each node delivers each sender's messages in the order they were
 * broadcast, with no gaps (check `fifo-order`).
 *
 * @example
 * ```ts
 * import { checkFifo } from "./check.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(checkFifo([]), []);
 * ```
 */
export function checkFifo(events: readonly TraceEvent[] | readonly AppEvent[]): Violation[] {
  const app = asApp(events);
  const rank = new Map<string, number>();
  const bySender = new Map<NodeId, string[]>();
  for (const e of app) {
    if (e.kind !== "broadcast") continue;
    let list = bySender.get(e.origin);
    if (list === undefined) bySender.set(e.origin, list = []);
    rank.set(e.id, list.length);
    list.push(e.id);
  }
  const out: Violation[] = [];
  const next = new Map<string, number>();
  const reported = new Set<string>();
  for (const e of app) {
    if (e.kind !== "deliver") continue;
    const r = rank.get(e.id);
    if (r === undefined) continue; // integrity's business
    const key = `${e.node} ${e.origin}`;
    const expected = next.get(key) ?? 0;
    if (r > expected && !reported.has(key)) {
      reported.add(key);
      const skipped = bySender.get(e.origin)![expected];
      out.push(violation(
        "fifo-order",
        `${e.node} delivered ${e.id} before ${skipped}, which ${e.origin} broadcast first`,
        e,
      ));
    }
    if (r >= expected) next.set(key, r + 1);
  }
  return out;
}

/**
 * If broadcast(m1) happens before broadcast(m2), every node that delivers m2
 * delivered m1 first (check `causal-order`).
 *
 * @example
 * ```ts
 * import { checkCausal } from "./check.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(checkCausal([]), []);
 * ```
 */
export function checkCausal(events: readonly TraceEvent[] | readonly AppEvent[]): Violation[] {
  const app = asApp(events);
  const broadcastAt = new Map<string, number>();
  const sent = new Map<string, AppEvent>();
  app.forEach((e, i) => {
    if (e.kind === "broadcast" && !broadcastAt.has(e.id)) {
      broadcastAt.set(e.id, i);
      sent.set(e.id, e);
    }
  });
  const steps: CausalStep[] = app.map((e, i) => {
    const from = e.kind === "deliver" ? broadcastAt.get(e.id) : undefined;
    return from === undefined || from >= i ? { node: e.node } : { node: e.node, from };
  });
  const causality = new Causality(steps);
  const messages = [...broadcastAt.entries()];
  // For each message, the messages whose broadcast happened before its own.
  const before = new Map<string, string[]>();
  for (const [id2, b2] of messages) {
    before.set(
      id2,
      messages.filter(([, b1]) => causality.happensBefore(b1, b2)).map(([id1]) => id1),
    );
  }
  const out: Violation[] = [];
  const position = new Map<string, number>();
  const orders = deliveryOrders(app);
  for (const [node, order] of orders) {
    position.clear();
    order.forEach((id, i) => {
      if (!position.has(id)) position.set(id, i);
    });
    for (const e of app) {
      if (e.kind !== "deliver" || e.node !== node) continue;
      const at = position.get(e.id)!;
      const missed = (before.get(e.id) ?? []).find((id1) => !(position.get(id1)! < at));
      if (missed !== undefined) {
        const what = (id: string) => `${id} ${payloadText(sent.get(id)?.payload)}`;
        const when = position.has(missed) ? "only after it" : "never";
        out.push(violation(
          "causal-order",
          `${node} delivered ${what(e.id)}, and ${when} ${what(missed)}, ` +
            `though broadcasting ${missed} happened before broadcasting ${e.id}`,
          e,
        ));
        break; // one per node is enough to see it
      }
    }
  }
  return out;
}

/**
 * Any two nodes deliver the messages they both deliver in the same order
 * (check `total-order`).
 *
 * @example
 * ```ts
 * import { checkTotalOrder } from "./check.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(checkTotalOrder([]), []);
 * ```
 */
export function checkTotalOrder(events: readonly TraceEvent[] | readonly AppEvent[]): Violation[] {
  const app = asApp(events);
  const orders = [...deliveryOrders(app)];
  const out: Violation[] = [];
  const last = app.at(-1);
  for (let i = 0; i < orders.length; i++) {
    for (let j = i + 1; j < orders.length; j++) {
      const [a, orderA] = orders[i], [b, orderB] = orders[j];
      const inA = new Set(orderA), inB = new Set(orderB);
      const common = (order: string[], other: Set<string>) =>
        [...new Set(order)].filter((id) => other.has(id));
      const fa = common(orderA, inB), fb = common(orderB, inA);
      const k = fa.findIndex((id, x) => id !== fb[x]);
      if (k >= 0) {
        out.push({
          check: "total-order",
          message: `${a} delivered ${fa[k]} before ${fb[k]}, but ${b} delivered ${fb[k]} before ${
            fa[k]
          }`,
          atMs: last?.t ?? 0,
          node: b,
          safety: true,
        });
      }
    }
  }
  return out;
}

/**
 * A delivery guarantee, named by what it adds.
 *
 * @example
 * ```ts
 * import type { Guarantee } from "./check.ts";
 * import assert from "node:assert/strict";
 * const g: Guarantee = "causal";
 * assert.equal(g, "causal");
 * ```
 */
export type Guarantee = "integrity" | "agreement" | "fifo" | "causal" | "total";

/**
 * What each protocol promises (agreement only within its failure model:
 * best-effort broadcast promises it only when nothing is lost or down).
 *
 * @example
 * ```ts
 * import { PROMISES } from "./check.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(PROMISES.causal, ["integrity", "agreement", "fifo", "causal"]);
 * ```
 */
export const PROMISES: Readonly<Record<BroadcastProtocol, readonly Guarantee[]>> = {
  "best-effort": ["integrity"],
  reliable: ["integrity", "agreement"],
  fifo: ["integrity", "agreement", "fifo"],
  causal: ["integrity", "agreement", "fifo", "causal"],
  "total-sequencer": ["integrity", "agreement", "fifo", "total"],
  "total-lamport": ["integrity", "agreement", "fifo", "total"],
};

/**
 * Runs the checkers of `guarantees` over a trace; `nodes` are the nodes
 * agreement expects to have delivered everything.
 *
 * @example
 * ```ts
 * import { checkBroadcast } from "./check.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(checkBroadcast([], ["integrity", "causal"], ["n1"]), []);
 * ```
 */
export function checkBroadcast(
  events: readonly TraceEvent[],
  guarantees: readonly Guarantee[],
  nodes: readonly NodeId[],
): Violation[] {
  const app = appEvents(events);
  const out: Violation[] = [];
  for (const g of new Set(guarantees)) {
    switch (g) {
      case "integrity":
        out.push(...checkIntegrity(app));
        break;
      case "agreement":
        out.push(...checkAgreement(app, nodes));
        break;
      case "fifo":
        out.push(...checkFifo(app));
        break;
      case "causal":
        out.push(...checkCausal(app));
        break;
      case "total":
        out.push(...checkTotalOrder(app));
        break;
      default: {
        const never: never = g;
        throw new TypeError(`unknown guarantee ${JSON.stringify(never)}`);
      }
    }
  }
  return out;
}
