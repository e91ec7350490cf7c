/**
 * The trace: every send, delivery, drop, duplicate, timer, crash, restart,
 * pause, partition, clock change, client operation and log note of a run,
 * stamped with global virtual time and the node where it happened.
 *
 * A stable hash over the trace proves determinism: the same seed and code
 * give the same hash, in any process. Tracing has three modes: `full` keeps
 * the events and the hash, `hash` keeps only the hash, `off` keeps nothing
 * and is fastest.
 *
 * @module
 */

import type { NodeId, OpId, OpStatus } from "../actors/mod.ts";

/** Why a message did not arrive. */
export type DropReason =
  /** Lost by the network (the `loss` probability). */
  | "loss"
  /** The link was cut by a partition or a one-way block. */
  | "partition"
  /** The receiver was crashed when it arrived. */
  | "crashed"
  /** The receiver's mailbox was at capacity. */
  | "mailbox-full";

/**
 * One thing that happened. `t` is global virtual time in ms; `node` is where
 * it happened (the sender for `send`, the receiver for `deliver`).
 *
 * @example
 * ```ts
 * import type { TraceEvent } from "./trace.ts";
 * const e: TraceEvent = { t: 3.5, kind: "deliver", node: "n2", from: "n1", id: 0, msg: { type: "ping" } };
 * ```
 */
export type TraceEvent =
  | { t: number; kind: "start"; node: NodeId }
  | { t: number; kind: "send"; node: NodeId; to: NodeId; id: number; msg: unknown }
  | { t: number; kind: "deliver"; node: NodeId; from: NodeId; id: number; msg: unknown }
  | {
    t: number;
    kind: "drop";
    node: NodeId;
    from: NodeId;
    to: NodeId;
    id: number;
    reason: DropReason;
  }
  | { t: number; kind: "duplicate"; node: NodeId; to: NodeId; id: number; copy: number }
  | { t: number; kind: "timer"; node: NodeId; name: string }
  | { t: number; kind: "crash" | "restart" | "pause" | "resume"; node: NodeId }
  | { t: number; kind: "partition"; groups: NodeId[][] }
  | { t: number; kind: "block"; from: NodeId; to: NodeId }
  | { t: number; kind: "heal" }
  | { t: number; kind: "clock"; node: NodeId; skew: number; drift: number }
  | { t: number; kind: "log"; node: NodeId; note: string; data?: unknown }
  | { t: number; kind: "invoke"; node: NodeId; op: OpId; f: string; input: unknown }
  | { t: number; kind: "complete"; node: NodeId; op: OpId; status: OpStatus; output: unknown }
  | { t: number; kind: "violation"; node?: NodeId; check: string; message: string };

/** The kinds of {@linkcode TraceEvent}. */
export type TraceKind = TraceEvent["kind"];

/** How much a run records. */
export type TraceMode = "full" | "hash" | "off";

/**
 * Records events and keeps a running 64-bit hash of them.
 *
 * @example
 * ```ts
 * import { Trace } from "./trace.ts";
 * const t = new Trace("full");
 * t.record({ t: 0, kind: "start", node: "n1" });
 * t.hash().length; // 16
 * ```
 */
export class Trace {
  readonly mode: TraceMode;
  /** The events, when the mode is `full`. */
  readonly events: TraceEvent[] = [];
  #h1 = 0x811c9dc5;
  #h2 = 0x9747b28c;

  constructor(mode: TraceMode = "full") {
    this.mode = mode;
  }

  /** Adds an event (the caller skips this entirely when the mode is `off`). */
  record(event: TraceEvent): void {
    if (this.mode === "off") return;
    const s = JSON.stringify(event);
    let h1 = this.#h1, h2 = this.#h2;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      h1 = Math.imul(h1 ^ c, 0x01000193);
      h2 = Math.imul(h2 ^ c, 0x5bd1e995);
    }
    // A separator, so event boundaries matter to the hash.
    this.#h1 = Math.imul(h1 ^ 0x0a, 0x01000193);
    this.#h2 = Math.imul(h2 ^ 0x0a, 0x5bd1e995);
    if (this.mode === "full") this.events.push(event);
  }

  /** The hash of everything recorded so far, as 16 hex digits (empty when the mode is `off`). */
  hash(): string {
    if (this.mode === "off") return "";
    return hex32(this.#h1) + hex32(this.#h2);
  }
}

function hex32(x: number): string {
  return (x >>> 0).toString(16).padStart(8, "0");
}

/**
 * A hash of a list of events, the same as {@linkcode Trace.hash} gives for
 * them; used to verify a loaded trace.
 *
 * @example
 * ```ts
 * import { hashEvents, Trace } from "./trace.ts";
 * const t = new Trace();
 * t.record({ t: 0, kind: "heal" });
 * hashEvents(t.events) === t.hash(); // true
 * ```
 */
export function hashEvents(events: readonly TraceEvent[]): string {
  const t = new Trace("hash");
  for (const e of events) t.record(e);
  return t.hash();
}

/**
 * One event as a short line of text, for failure reports and logs.
 *
 * @example
 * ```ts
 * import { formatEvent } from "./trace.ts";
 * formatEvent({ t: 1.5, kind: "crash", node: "n1" }); // "     1.500  n1  crash"
 * ```
 */
export function formatEvent(e: TraceEvent, bodyWidth = 60): string {
  const time = e.t.toFixed(3).padStart(10);
  const body = (x: unknown) => clip(JSON.stringify(x) ?? "undefined", bodyWidth);
  switch (e.kind) {
    case "start":
    case "crash":
    case "restart":
    case "pause":
    case "resume":
      return `${time}  ${e.node}  ${e.kind}`;
    case "send":
      return `${time}  ${e.node}  send #${e.id} -> ${e.to}  ${body(e.msg)}`;
    case "deliver":
      return `${time}  ${e.node}  deliver #${e.id} <- ${e.from}  ${body(e.msg)}`;
    case "drop":
      return `${time}  ${e.node}  drop #${e.id} ${e.from} -> ${e.to} (${e.reason})`;
    case "duplicate":
      return `${time}  ${e.node}  duplicate #${e.id} -> ${e.to} as #${e.copy}`;
    case "timer":
      return `${time}  ${e.node}  timer ${e.name}`;
    case "partition":
      return `${time}  *  partition ${e.groups.map((g) => g.join(",")).join(" | ")}`;
    case "block":
      return `${time}  *  block ${e.from} -> ${e.to}`;
    case "heal":
      return `${time}  *  heal`;
    case "clock":
      return `${time}  ${e.node}  clock skew ${e.skew} drift ${e.drift}`;
    case "log":
      return `${time}  ${e.node}  log ${e.note}${e.data === undefined ? "" : " " + body(e.data)}`;
    case "invoke":
      return `${time}  ${e.node}  invoke op${e.op} ${e.f} ${body(e.input)}`;
    case "complete":
      return `${time}  ${e.node}  ${e.status} op${e.op} ${body(e.output)}`;
    case "violation":
      return `${time}  ${e.node ?? "*"}  VIOLATION ${e.check}: ${e.message}`;
    default: {
      const never: never = e;
      return `${JSON.stringify(never)}`;
    }
  }
}

function clip(s: string, width: number): string {
  return s.length <= width ? s : s.slice(0, width - 1) + "…";
}
