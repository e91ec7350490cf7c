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
 * The hash walks each event's fields and values directly (numbers by their
 * bits, strings by their characters), building no string. A `full` trace
 * keeps a window of the latest events in memory, so a long run's memory
 * stays flat; a sink (a file being written, say) sees every event.
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
 * import { formatEvent, type TraceEvent } from "./trace.ts";
 * import assert from "node:assert/strict";
 * const e: TraceEvent = { t: 3.5, kind: "deliver", node: "n2", from: "n1", id: 0, msg: { type: "ping" } };
 * assert.equal(formatEvent(e), '     3.500  n2  deliver #0 <- n1  {"type":"ping"}');
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
  | { t: number; kind: "unblock"; from: NodeId; to: NodeId }
  | { t: number; kind: "disconnect"; node: NodeId }
  | { t: number; kind: "reconnect"; node: NodeId }
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
 * Options of a {@linkcode Trace}.
 *
 * @example
 * ```ts
 * import { Trace, type TraceOptions } from "./trace.ts";
 * import assert from "node:assert/strict";
 * const seen: string[] = [];
 * const options: TraceOptions = { window: 2, sink: (e) => seen.push(e.kind) };
 * const trace = new Trace("full", options);
 * for (const kind of ["heal", "heal", "heal"] as const) trace.record({ t: 0, kind });
 * assert.equal(trace.events.length, 2);
 * assert.equal(trace.forgotten, 1);
 * assert.equal(seen.length, 3);
 * ```
 */
export interface TraceOptions {
  /** How many of the latest events a `full` trace keeps in memory (default 100,000; Infinity: all). */
  window?: number;
  /** Called with every event as it is recorded (in `full` and `hash` modes). */
  sink?: (event: TraceEvent) => void;
}

/** Events a `full` trace keeps in memory unless told otherwise. */
export const DEFAULT_TRACE_WINDOW = 100_000;

/**
 * Records events and keeps a running 64-bit hash of them.
 *
 * @example
 * ```ts
 * import { Trace } from "./trace.ts";
 * import assert from "node:assert/strict";
 * const t = new Trace("full");
 * t.record({ t: 0, kind: "start", node: "n1" });
 * assert.equal(t.hash().length, 16);
 * assert.equal(t.events.length, 1);
 * ```
 */
export class Trace {
  /** What it records: `full`, `hash` or `off`. */
  readonly mode: TraceMode;
  /** Sees every event as it is recorded; set it before the run. */
  sink: ((event: TraceEvent) => void) | undefined;
  readonly #window: number;
  #events: TraceEvent[] = [];
  /** Where the next event goes once the window is full (a ring from then on). */
  #next = 0;
  #count = 0;
  #ordered: TraceEvent[] | null = null;
  /** The two running hash words (FNV-1a and a murmur-style multiply), updated in place. */
  #state = Int32Array.of(0x811c9dc5, 0x9747b28c);

  /** A trace in `mode`; `options` set the window kept in memory and a sink for every event. */
  constructor(mode: TraceMode = "full", options: TraceOptions = {}) {
    this.mode = mode;
    const window = options.window ?? DEFAULT_TRACE_WINDOW;
    if (!((Number.isInteger(window) || window === Infinity) && window >= 1)) {
      throw new RangeError(`trace window must be a whole number >= 1 or Infinity, got ${window}`);
    }
    this.#window = window;
    this.sink = options.sink;
  }

  /**
   * The events in memory, oldest first: all of them, or in a long run the
   * latest `window` (see {@linkcode Trace.forgotten}). Empty unless `full`.
   */
  get events(): TraceEvent[] {
    if (this.#count <= this.#window) return this.#events;
    return this.#ordered ??= [
      ...this.#events.slice(this.#next),
      ...this.#events.slice(0, this.#next),
    ];
  }

  /** Events recorded in all. */
  get count(): number {
    return this.#count;
  }

  /** Events recorded but no longer in memory (they went to the sink, if any). */
  get forgotten(): number {
    return this.mode === "full" ? Math.max(0, this.#count - this.#window) : this.#count;
  }

  /** Adds an event (the caller skips this entirely when the mode is `off`). */
  record(event: TraceEvent): void {
    if (this.mode === "off") return;
    hashValue(event, this.#state);
    this.#count++;
    this.sink?.(event);
    if (this.mode !== "full") return;
    if (this.#events.length < this.#window) {
      this.#events.push(event);
      return;
    }
    this.#events[this.#next] = event;
    this.#next = (this.#next + 1) % this.#window;
    this.#ordered = null;
  }

  /** The hash of everything recorded so far, as 16 hex digits (empty when the mode is `off`). */
  hash(): string {
    if (this.mode === "off") return "";
    return hex32(this.#state[0]) + hex32(this.#state[1]);
  }
}

// A double's bits, read through a shared buffer.
const NUMBER = new Float64Array(1);
const NUMBER_WORDS = new Int32Array(NUMBER.buffer);

/**
 * Folds one value into the two hash words: its structure and contents, the
 * way JSON would see it (object fields in order, `undefined` fields left
 * out, `toJSON` honoured), without building its text.
 */
function hashValue(v: unknown, h: Int32Array): void {
  switch (typeof v) {
    case "string": {
      let h1 = h[0], h2 = h[1];
      h1 = Math.imul(h1 ^ 0x22, 0x01000193);
      for (let i = 0; i < v.length; i++) {
        const c = v.charCodeAt(i);
        h1 = Math.imul(h1 ^ c, 0x01000193);
        h2 = Math.imul(h2 ^ c, 0x5bd1e995);
      }
      h[0] = Math.imul(h1 ^ 0x22, 0x01000193);
      h[1] = h2;
      return;
    }
    case "number": {
      // +0 and -0 hash alike, as JSON writes both as 0.
      NUMBER[0] = v === 0 ? 0 : v;
      h[0] = Math.imul(h[0] ^ NUMBER_WORDS[0], 0x01000193);
      h[1] = Math.imul(h[1] ^ NUMBER_WORDS[1], 0x5bd1e995);
      return;
    }
    case "boolean":
      h[0] = Math.imul(h[0] ^ (v ? 0x74 : 0x66), 0x01000193);
      return;
    case "object": {
      if (v === null) {
        h[0] = Math.imul(h[0] ^ 0x6e, 0x01000193);
        return;
      }
      if (Array.isArray(v)) {
        h[1] = Math.imul(h[1] ^ 0x5b, 0x5bd1e995);
        for (let i = 0; i < v.length; i++) hashValue(v[i] === undefined ? null : v[i], h);
        h[1] = Math.imul(h[1] ^ 0x5d, 0x5bd1e995);
        return;
      }
      const toJSON = (v as { toJSON?: () => unknown }).toJSON;
      if (typeof toJSON === "function") return hashValue(toJSON.call(v), h);
      h[1] = Math.imul(h[1] ^ 0x7b, 0x5bd1e995);
      for (const key in v) {
        const field = (v as Record<string, unknown>)[key];
        if (field === undefined || typeof field === "function") continue;
        hashValue(key, h);
        hashValue(field, h);
      }
      h[1] = Math.imul(h[1] ^ 0x7d, 0x5bd1e995);
      return;
    }
    default:
      // undefined, functions and symbols: JSON leaves them out.
      h[0] = Math.imul(h[0] ^ 0x75, 0x01000193);
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
 * import assert from "node:assert/strict";
 * const t = new Trace();
 * t.record({ t: 0, kind: "heal" });
 * assert.deepEqual(hashEvents(t.events) === t.hash(), true);
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
 * import assert from "node:assert/strict";
 * assert.deepEqual(formatEvent({ t: 1.5, kind: "crash", node: "n1" }), "     1.500  n1  crash");
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
    case "unblock":
      return `${time}  *  ${e.kind} ${e.from} -> ${e.to}`;
    case "disconnect":
    case "reconnect":
      return `${time}  ${e.node}  ${e.kind}`;
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
