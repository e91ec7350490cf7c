/**
 * The model a run's page draws from, built from its events (and, where the
 * run recorded them, its nodes' state changes and a linearizability
 * counterexample): one JSON object embedded in the page, compact enough
 * for a run of 50,000 events.
 *
 * Per event, the page gets its time, its kind (one letter each, in
 * {@linkcode KIND_ORDER}) and its node; messages, marks, cuts and alarms
 * say the rest and name the events they come from. State changes are
 * `[event, node, patch]` (see `../states.ts`).
 *
 * @module
 */

import { type NodeId, type OpId, unwrapLayers } from "../../actors/mod.ts";
import type { Counterexample } from "../check/linearizability.ts";
import type { StateLog, StateOp } from "../states.ts";
import type { TraceEvent, TraceKind } from "../trace.ts";
import { messageSpans, traceNodes } from "./messages.ts";

/**
 * The kinds of event in the order their one-letter codes follow: kind `k`
 * is `String.fromCharCode(97 + k)` in {@linkcode PageData.kinds}.
 *
 * @example
 * ```ts
 * import { KIND_ORDER } from "./page_data.ts";
 * import assert from "node:assert/strict";
 * assert.equal(String.fromCharCode(97 + KIND_ORDER.indexOf("send")), "b");
 * ```
 */
export const KIND_ORDER: readonly TraceKind[] = Object.freeze([
  "start",
  "send",
  "deliver",
  "drop",
  "duplicate",
  "timer",
  "crash",
  "restart",
  "pause",
  "resume",
  "partition",
  "block",
  "unblock",
  "disconnect",
  "reconnect",
  "heal",
  "clock",
  "log",
  "invoke",
  "complete",
  "violation",
]);

/**
 * One client operation drawn on the client timelines of a linearizability
 * failure, and its part in the counterexample.
 *
 * @example
 * ```ts
 * import type { PageOp } from "./page_data.ts";
 * import assert from "node:assert/strict";
 * const op: PageOp = {
 *   op: 3, client: "c1", f: "read", input: "null", output: "1", status: "ok",
 *   call: 10, ret: 14, i0: 40, i1: 52, role: "stuck", order: null,
 * };
 * assert.equal(op.role, "stuck");
 * ```
 */
export interface PageOp {
  /** The operation's id in the run's history. */
  op: OpId;
  /** The client that invoked it. */
  client: NodeId;
  /** The operation's name (`read`, `put`, ...). */
  f: string;
  /** The input as JSON text. */
  input: string;
  /** The output as JSON text ("" while it has none). */
  output: string;
  /** `ok`, `fail`, `info`, or `pending` when it never completed. */
  status: string;
  /** When it was invoked. */
  call: number;
  /** When it returned; null when it never did. */
  ret: number | null;
  /** Trace index of its invoke. */
  i0: number;
  /** Trace index of its completion (null: never completed). */
  i1: number | null;
  /**
   * `stuck`: cannot be placed after the prefix; `prefix`: in the longest
   * linearizable prefix; `waiting`: highlighted by the checker, not in the
   * prefix; `other`: overlaps them in time, for context.
   */
  role: "stuck" | "prefix" | "waiting" | "other";
  /** Its place in the prefix's order (1 first), for a prefix operation. */
  order: number | null;
}

/**
 * A linearizability counterexample as the page draws it.
 *
 * @example
 * ```ts
 * import type { PageLinearizability } from "./page_data.ts";
 * import assert from "node:assert/strict";
 * const lin: PageLinearizability = { description: ["op 3 cannot be linearized"], stuck: 3,
 *   prefixLength: 2, state: "1", from: 10, to: 14, ops: [] };
 * assert.equal(lin.stuck, 3);
 * ```
 */
export interface PageLinearizability {
  /** The checker's lines for a person. */
  description: string[];
  /** The operation that cannot be placed (-1: none named). */
  stuck: OpId;
  /** How many operations the longest linearizable prefix holds. */
  prefixLength: number;
  /** The model's state after the prefix. */
  state: string;
  /** Where the stretch of time the highlighted operations span begins, ms (the picture's left). */
  from: number;
  /** Where that stretch ends, ms (the picture's right). */
  to: number;
  /** The operations of the picture, by call time. */
  ops: PageOp[];
}

/**
 * What the page draws: see the module documentation.
 *
 * @example
 * ```ts
 * import { pageData } from "./page_data.ts";
 * import assert from "node:assert/strict";
 * const data = pageData([
 *   { t: 0, kind: "send", node: "n1", to: "n2", id: 0, msg: { type: "ping" } },
 *   { t: 3, kind: "deliver", node: "n2", from: "n1", id: 0, msg: { type: "ping" } },
 * ]);
 * assert.deepEqual(data.nodes, ["n1", "n2"]);
 * assert.equal(data.kinds, "bc");
 * assert.deepEqual(data.who, [0, 1]);
 * assert.equal(data.messages[0].label, "ping");
 * ```
 */
export interface PageData {
  /** The nodes, in order of first appearance: one lane each. */
  nodes: NodeId[];
  /** Time of the last event. */
  end: number;
  /** How many events. */
  count: number;
  /** Each event's time, ms. */
  times: number[];
  /** Each event's kind, one letter (see {@linkcode KIND_ORDER}). */
  kinds: string;
  /** Each event's node, as an index into `nodes` (-1: none, as for a partition). */
  who: number[];
  /** Every message (and duplicate copy): sender, receiver, send and end, fate, label, body. */
  messages: Array<{
    id: number;
    from: NodeId;
    to: NodeId;
    t0: number;
    i0: number;
    t1: number | null;
    i1: number | null;
    fate: string;
    reason: string | null;
    copyOf: number | null;
    label: string;
    /** The message as compact JSON. */
    body: string;
  }>;
  /** Events drawn as a mark on a lane (start, crash, timer, log, client operations, ...). */
  marks: Array<{ i: number; t: number; node: NodeId; kind: string; label: string; detail: string }>;
  /** Partitions, blocks and disconnections, from the cut to the heal. */
  cuts: Array<{ i: number; t: number; label: string; until: number | null; untilI: number | null }>;
  /** Violations. */
  alarms: Array<{ i: number; t: number; node: NodeId | null; label: string }>;
  /** State changes by event, when the run recorded them. */
  states: {
    /** Per node (as `nodes`): "inspect", "fields", or "" when nothing was recorded. */
    sources: string[];
    /** `[event index, node index, patch]`, in event order. */
    changes: Array<[number, number, StateOp[]]>;
  } | null;
  /** A linearizability failure's picture, when there is one. */
  linearizability: PageLinearizability | null;
}

/**
 * What besides its events goes into a page.
 *
 * @example
 * ```ts
 * import type { PageOptions } from "./page_data.ts";
 * import assert from "node:assert/strict";
 * const o: PageOptions = { states: { changes: [], sources: {} } };
 * assert.deepEqual(o.states?.changes, []);
 * ```
 */
export interface PageOptions {
  /** Every node's state changes (a `StateRecorder`'s log). */
  states?: StateLog;
  /** The linearizability checker's counterexample, when the run failed it. */
  counterexample?: Counterexample;
}

/** At most this many operations are drawn on the client timelines. */
const MAX_OPS = 200;

/**
 * The page's model of `events`.
 *
 * @example
 * ```ts
 * import { pageData } from "./page_data.ts";
 * import assert from "node:assert/strict";
 * const data = pageData([{ t: 0, kind: "start", node: "n1" }], {
 *   states: { changes: [{ at: 0, node: "n1", ops: [[[], { term: 0 }]] }], sources: { n1: "inspect" } },
 * });
 * assert.deepEqual(data.states, { sources: ["inspect"], changes: [[0, 0, [[[], { term: 0 }]]]] });
 * ```
 */
export function pageData(events: readonly TraceEvent[], options: PageOptions = {}): PageData {
  const nodes = traceNodes(events);
  const index = new Map(nodes.map((n, k) => [n, k]));
  const data: PageData = {
    nodes,
    end: events.length === 0 ? 0 : events[events.length - 1].t,
    count: events.length,
    times: events.map((e) => e.t),
    kinds: events.map((e) => String.fromCharCode(97 + KIND_ORDER.indexOf(e.kind))).join(""),
    who: events.map((e) => index.get(eventNode(e) ?? "") ?? -1),
    messages: messageSpans(events).map((m) => ({
      id: m.id,
      from: m.from,
      to: m.to,
      t0: m.sentAt,
      i0: m.sendIndex,
      t1: m.endAt ?? null,
      i1: m.endIndex ?? null,
      fate: m.fate,
      reason: m.reason ?? null,
      copyOf: m.copyOf ?? null,
      label: label(m.msg),
      body: json(m.msg),
    })),
    marks: [],
    cuts: [],
    alarms: [],
    states: options.states === undefined ? null : {
      sources: nodes.map((n) => options.states!.sources[n] ?? ""),
      changes: options.states.changes.flatMap((c) => {
        const k = index.get(c.node);
        return k === undefined ? [] : [[c.at, k, c.ops] as [number, number, StateOp[]]];
      }),
    },
    linearizability: options.counterexample === undefined
      ? null
      : linearizabilityPicture(events, options.counterexample),
  };
  const open: PageData["cuts"] = [];
  events.forEach((e, i) => {
    const mark = (kind: string, node: string, text: string, detail = "") =>
      data.marks.push({ i, t: e.t, node, kind, label: text, detail });
    switch (e.kind) {
      case "send":
      case "deliver":
      case "drop":
      case "duplicate":
        return;
      case "start":
      case "crash":
      case "restart":
      case "pause":
      case "resume":
        return mark(e.kind, e.node, e.kind);
      case "timer":
        return mark("timer", e.node, `timer ${e.name}`);
      case "log":
        return mark("log", e.node, e.note, e.data === undefined ? "" : json(e.data));
      case "invoke":
        return mark("invoke", e.node, `invoke op${e.op} ${e.f}`, json(e.input));
      case "complete":
        return mark("complete", e.node, `${e.status} op${e.op}`, json(e.output));
      case "clock":
        return mark("clock", e.node, `clock skew ${e.skew} drift ${e.drift}`);
      case "partition":
      case "block": {
        const text = e.kind === "partition"
          ? `partition ${e.groups.map((g) => g.join(",")).join(" | ")}`
          : `block ${e.from} -> ${e.to}`;
        const cut = { i, t: e.t, label: text, until: null, untilI: null };
        data.cuts.push(cut);
        open.push(cut);
        return;
      }
      case "heal":
        // Heal restores partitions and blocks; a disconnected node stays cut.
        for (const cut of open.filter((c) => !c.label.startsWith("disconnect "))) {
          open.splice(open.indexOf(cut), 1);
          cut.until = e.t;
          cut.untilI = i;
        }
        return;
      case "unblock":
      case "reconnect": {
        const [text, node] = e.kind === "unblock"
          ? [`block ${e.from} -> ${e.to}`, e.from]
          : [`disconnect ${e.node}`, e.node];
        const cut = open.find((c) => c.label === text);
        if (cut !== undefined) {
          open.splice(open.indexOf(cut), 1);
          cut.until = e.t;
          cut.untilI = i;
        }
        return mark(e.kind, node, e.kind);
      }
      case "disconnect": {
        const cut = { i, t: e.t, label: `disconnect ${e.node}`, until: null, untilI: null };
        data.cuts.push(cut);
        open.push(cut);
        return mark("disconnect", e.node, "disconnect");
      }
      case "violation":
        data.alarms.push({ i, t: e.t, node: e.node ?? null, label: `${e.check}: ${e.message}` });
        return;
      default: {
        const never: never = e;
        throw new Error(`internal: unknown event ${JSON.stringify(never)}`);
      }
    }
  });
  return data;
}

/** The node an event happened at (the sender of a send, the receiver of a delivery). */
function eventNode(e: TraceEvent): NodeId | undefined {
  switch (e.kind) {
    case "partition":
    case "block":
    case "unblock":
    case "heal":
      return undefined;
    default:
      return e.node;
  }
}

/**
 * The operations around a counterexample: those it highlights, and every
 * other operation that overlaps them in time, each with its part.
 */
function linearizabilityPicture(
  events: readonly TraceEvent[],
  c: Counterexample,
): PageLinearizability {
  const ops = new Map<OpId, PageOp>();
  events.forEach((e, i) => {
    if (e.kind === "invoke") {
      ops.set(e.op, {
        op: e.op,
        client: e.node,
        f: e.f,
        input: json(e.input),
        output: "",
        status: "pending",
        call: e.t,
        ret: null,
        i0: i,
        i1: null,
        role: "other",
        order: null,
      });
    } else if (e.kind === "complete") {
      const op = ops.get(e.op);
      if (op === undefined) return;
      op.output = json(e.output);
      op.status = e.status;
      op.ret = e.t;
      op.i1 = i;
    }
  });
  const order = new Map(c.prefix.map((id, k) => [id, k + 1]));
  const highlighted = c.ops.flatMap((id) => ops.get(id) ?? []);
  let from = Infinity, to = -Infinity;
  for (const op of highlighted) {
    from = Math.min(from, op.call);
    to = Math.max(to, op.ret ?? op.call);
  }
  const shown = [...ops.values()].filter((op) =>
    highlighted.includes(op) || (op.call <= to && (op.ret ?? Infinity) >= from)
  ).slice(0, MAX_OPS);
  for (const op of shown) {
    const k = order.get(op.op);
    op.order = k ?? null;
    op.role = op.op === c.stuck
      ? "stuck"
      : k !== undefined
      ? "prefix"
      : c.ops.includes(op.op)
      ? "waiting"
      : "other";
  }
  return {
    description: c.description,
    stuck: c.stuck,
    prefixLength: c.prefix.length,
    state: c.state,
    from: Number.isFinite(from) ? from : 0,
    to: Number.isFinite(to) ? to : 0,
    ops: shown.sort((a, b) => a.call - b.call || a.op - b.op),
  };
}

/** A message's short label: its `type` (under its layers' names: `tob/link/data`), or its JSON clipped. */
function label(wire: unknown): string {
  const { layers, msg } = unwrapLayers(wire);
  const prefix = layers.map((l) => `${l}/`).join("");
  if (msg !== null && typeof msg === "object" && "type" in msg) {
    return prefix + String((msg as { type: unknown }).type);
  }
  const s = json(msg);
  return prefix + (s.length > 16 ? s.slice(0, 15) + "…" : s);
}

/** Compact JSON of any value, never throwing (cycles and bigints become text). */
function json(x: unknown): string {
  try {
    return JSON.stringify(x, (_, v) => typeof v === "bigint" ? `${v}n` : v) ?? "undefined";
  } catch {
    return String(x);
  }
}
