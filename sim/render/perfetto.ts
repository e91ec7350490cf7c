/**
 * A trace as Chrome trace-event JSON, which Perfetto (ui.perfetto.dev) and
 * chrome://tracing open: one process for the cluster, one thread (track)
 * per node, a slice for each step a node takes (start, a delivery, a timer,
 * a send, a log note, a client call), an arrow (a flow, `ph: "s"` to
 * `ph: "f"`) from each send to its delivery, `crashed` and `paused` slices
 * for a node's down time, instants for drops and violations, global
 * instants for partitions and heals, and async slices for client
 * operations from invoke to completion.
 *
 * Virtual time maps to the format's microseconds (`ts` = ms * 1000). Steps
 * take no virtual time, so the steps a node takes at the same instant share
 * that microsecond in order, each a slice of a fraction of it; flows start
 * and end in the middle of their slices so every viewer binds them to the
 * right ones.
 *
 * @module
 */

import type { NodeId } from "../../actors/mod.ts";
import { PROCESS_KINDS } from "../causality.ts";
import type { TraceEvent } from "../trace.ts";
import { traceNodes } from "./messages.ts";

/**
 * One entry of `traceEvents` (the fields this renderer writes).
 *
 * @example
 * ```ts
 * import { type ChromeTraceEvent, toChromeTrace } from "./perfetto.ts";
 * import assert from "node:assert/strict";
 * const events: ChromeTraceEvent[] = toChromeTrace([
 *   { t: 0, kind: "start", node: "n1" },
 *   { t: 40, kind: "crash", node: "n1" },
 * ]).traceEvents;
 * const crash = events.find((e) => e.name === "crash");
 * assert.equal(crash?.ph, "X"); // a slice
 * assert.equal(crash?.ts, 40_000); // 40 ms of virtual time, in microseconds
 * ```
 */
export interface ChromeTraceEvent {
  /** The slice's, instant's or metadata entry's name. */
  name: string;
  /**
   * Phase: `X` a complete slice, `i` an instant, `s`/`f` a flow's start and
   * finish, `b`/`e` an async slice's begin and end, `M` metadata.
   */
  ph: "X" | "i" | "s" | "f" | "b" | "e" | "M";
  /** Start time in microseconds (virtual ms * 1000). */
  ts: number;
  /** Process id: the cluster. */
  pid: number;
  /** Thread id: the node's track. */
  tid: number;
  /** Duration in microseconds, for `X` slices. */
  dur?: number;
  /** Category: the trace kind, or `down` for a node's down time. */
  cat?: string;
  /** Id that ties a flow's or an async slice's two ends together. */
  id?: number | string;
  /** Instant scope: thread or global. */
  s?: "t" | "g";
  /** Flow end binding: to the enclosing slice. */
  bp?: "e";
  /** Details shown when the entry is selected (the event's fields). */
  args?: Record<string, unknown>;
}

/**
 * The whole file.
 *
 * @example
 * ```ts
 * import { type ChromeTrace, toChromeTrace } from "./perfetto.ts";
 * import assert from "node:assert/strict";
 * const file: ChromeTrace = toChromeTrace([]);
 * assert.equal(file.displayTimeUnit, "ms");
 * assert.deepEqual(file.traceEvents.map((e) => e.name), ["process_name"]);
 * ```
 */
export interface ChromeTrace {
  /** The entries, metadata first. */
  traceEvents: ChromeTraceEvent[];
  /** How viewers show times. */
  displayTimeUnit: "ms";
  /** Free-form facts shown as the trace's metadata. */
  otherData?: Record<string, string>;
}

/**
 * What the file says besides the events.
 *
 * @example
 * ```ts
 * import { type PerfettoOptions, toChromeTrace } from "./perfetto.ts";
 * import assert from "node:assert/strict";
 * const o: PerfettoOptions = { title: "gossip seed 3", endMs: 2000, otherData: { seed: "3" } };
 * const file = toChromeTrace([], o);
 * assert.equal(file.traceEvents[0].args?.name, "gossip seed 3");
 * assert.deepEqual(file.otherData, { seed: "3" });
 * ```
 */
export interface PerfettoOptions {
  /** The process's (the cluster's) name (default "dsim"). */
  title?: string;
  /** When the run ended, ms: down time still open then ends here (default: the last event). */
  endMs?: number;
  /** Free-form facts (the replay command, the trace hash) for the file's metadata. */
  otherData?: Record<string, string>;
}

/** The cluster's process id. */
const PID = 1;

/**
 * The trace-event object for `events`; `JSON.stringify` it to save.
 *
 * @example
 * ```ts
 * import { toChromeTrace } from "./perfetto.ts";
 * import assert from "node:assert/strict";
 * const t = toChromeTrace([
 *   { t: 0, kind: "send", node: "n1", to: "n2", id: 0, msg: { type: "ping" } },
 *   { t: 3, kind: "deliver", node: "n2", from: "n1", id: 0, msg: { type: "ping" } },
 * ]);
 * assert.equal(t.traceEvents.filter((e) => e.ph === "s" || e.ph === "f").length, 2);
 * ```
 */
export function toChromeTrace(
  events: readonly TraceEvent[],
  options: PerfettoOptions = {},
): ChromeTrace {
  const nodes = traceNodes(events);
  const tid = new Map<NodeId, number>(nodes.map((n, i) => [n, i + 1]));
  const out: ChromeTraceEvent[] = [
    {
      name: "process_name",
      ph: "M",
      ts: 0,
      pid: PID,
      tid: 0,
      args: { name: options.title ?? "dsim" },
    },
  ];
  nodes.forEach((n, i) => {
    out.push({ name: "thread_name", ph: "M", ts: 0, pid: PID, tid: i + 1, args: { name: n } });
    out.push({
      name: "thread_sort_index",
      ph: "M",
      ts: 0,
      pid: PID,
      tid: i + 1,
      args: { sort_index: i },
    });
  });

  const slots = stepSlots(events);
  /** The middle of the slice of each send, by message id (copies: of the original's send). */
  const sendMid = new Map<number, { ts: number; tid: number }>();
  /** Start of each node's crashed or paused stretch. */
  const downSince = new Map<NodeId, { ts: number; what: string }>();
  /** Each operation's function name, for its closing async event. */
  const opNames = new Map<number, string>();

  events.forEach((e, i) => {
    const slot = slots[i];
    const ts = e.t * 1000;
    if (slot !== undefined) {
      const node = (e as { node: NodeId }).node;
      const thread = tid.get(node)!;
      const slice: ChromeTraceEvent = {
        name: stepName(e),
        cat: e.kind,
        ph: "X",
        ts: slot.ts,
        dur: slot.dur,
        pid: PID,
        tid: thread,
        args: stepArgs(e),
      };
      const mid = slot.ts + slot.dur / 2;
      const down = downSince.get(node);
      if (down !== undefined && (e.kind === "restart" || e.kind === "resume")) {
        out.push({
          name: down.what,
          cat: "down",
          ph: "X",
          ts: down.ts,
          dur: Math.max(0, slot.ts - down.ts),
          pid: PID,
          tid: thread,
        });
        downSince.delete(node);
      }
      out.push(slice);
      switch (e.kind) {
        case "send":
          sendMid.set(e.id, { ts: mid, tid: thread });
          break;
        case "deliver": {
          const from = sendMid.get(e.id);
          if (from !== undefined) {
            const flow = { name: "message", cat: "message", id: e.id, pid: PID };
            out.push({ ...flow, ph: "s", ts: from.ts, tid: from.tid });
            out.push({ ...flow, ph: "f", bp: "e", ts: mid, tid: thread });
          }
          break;
        }
        case "crash":
        case "pause":
          downSince.set(node, {
            ts: slot.ts + slot.dur,
            what: e.kind === "crash" ? "crashed" : "paused",
          });
          break;
        case "invoke":
          opNames.set(e.op, e.f);
          out.push({
            name: e.f,
            cat: "op",
            ph: "b",
            id: `op${e.op}`,
            ts: mid,
            pid: PID,
            tid: thread,
            args: { input: e.input },
          });
          break;
        case "complete":
          out.push({
            name: opNames.get(e.op) ?? `op${e.op}`,
            cat: "op",
            ph: "e",
            id: `op${e.op}`,
            ts: mid,
            pid: PID,
            tid: thread,
            args: { status: e.status, output: e.output },
          });
          break;
        default:
          break;
      }
      return;
    }
    switch (e.kind) {
      case "duplicate": {
        // The copy leaves with the original: its arrow starts at the same send.
        const from = sendMid.get(e.id);
        if (from !== undefined) sendMid.set(e.copy, from);
        return;
      }
      case "drop": {
        const thread = tid.get(e.node)!;
        out.push({
          name: `drop #${e.id} ${e.from} -> ${e.to} (${e.reason})`,
          cat: "drop",
          ph: "i",
          s: "t",
          ts,
          pid: PID,
          tid: thread,
          args: { id: e.id, from: e.from, to: e.to, reason: e.reason },
        });
        return;
      }
      case "partition":
      case "block":
      case "unblock":
      case "heal": {
        const name = e.kind === "partition"
          ? `partition ${e.groups.map((g) => g.join(",")).join(" | ")}`
          : e.kind === "block" || e.kind === "unblock"
          ? `${e.kind} ${e.from} -> ${e.to}`
          : "heal";
        out.push({ name, cat: "network", ph: "i", s: "g", ts, pid: PID, tid: 0 });
        return;
      }
      case "violation":
        out.push({
          name: `VIOLATION ${e.check}`,
          cat: "violation",
          ph: "i",
          s: e.node === undefined ? "g" : "t",
          ts,
          pid: PID,
          tid: e.node === undefined ? 0 : tid.get(e.node)!,
          args: { check: e.check, message: e.message },
        });
        return;
      case "clock":
        out.push({
          name: `clock skew ${e.skew} drift ${e.drift}`,
          cat: "clock",
          ph: "i",
          s: "t",
          ts,
          pid: PID,
          tid: tid.get(e.node)!,
        });
        return;
      default:
        return;
    }
  });
  // Stretches still down when the run ended.
  const last = events.length === 0 ? 0 : events[events.length - 1].t;
  const end = Math.max(options.endMs ?? last, last) * 1000 + 1;
  for (const [node, down] of downSince) {
    out.push({
      name: down.what,
      cat: "down",
      ph: "X",
      ts: down.ts,
      dur: Math.max(0, end - down.ts),
      pid: PID,
      tid: tid.get(node)!,
    });
  }
  // Metadata first, then time order (stable, so a node's steps keep their order).
  const meta = out.filter((e) => e.ph === "M");
  const timed = out.filter((e) => e.ph !== "M").sort((a, b) => a.ts - b.ts);
  return {
    traceEvents: [...meta, ...timed],
    displayTimeUnit: "ms",
    otherData: { ...options.otherData },
  };
}

/**
 * The trace-event JSON text for `events`.
 *
 * @example
 * ```ts
 * import { renderPerfetto } from "./perfetto.ts";
 * import assert from "node:assert/strict";
 * assert.equal(JSON.parse(renderPerfetto([])).traceEvents.length, 1);
 * ```
 */
export function renderPerfetto(
  events: readonly TraceEvent[],
  options: PerfettoOptions = {},
): string {
  return JSON.stringify(toChromeTrace(events, options));
}

/**
 * Where each node step's slice goes: the steps of one node at one instant
 * split that microsecond between them, in trace order.
 */
function stepSlots(events: readonly TraceEvent[]): Array<{ ts: number; dur: number } | undefined> {
  const slots: Array<{ ts: number; dur: number } | undefined> = new Array(events.length);
  /** Per node: indices of its steps at the current instant. */
  const group = new Map<NodeId, { t: number; members: number[] }>();
  const flush = (members: number[], t: number) => {
    const width = 1 / members.length;
    members.forEach((i, j) => {
      slots[i] = { ts: t * 1000 + j * width, dur: width * 0.8 };
    });
  };
  events.forEach((e, i) => {
    if (!PROCESS_KINDS.has(e.kind)) return;
    const node = (e as { node: NodeId }).node;
    const g = group.get(node);
    if (g !== undefined && g.t === e.t) {
      g.members.push(i);
      return;
    }
    if (g !== undefined) flush(g.members, g.t);
    group.set(node, { t: e.t, members: [i] });
  });
  for (const g of group.values()) flush(g.members, g.t);
  return slots;
}

function stepName(e: TraceEvent): string {
  switch (e.kind) {
    case "send":
      return `send ${typeOf(e.msg)} -> ${e.to}`;
    case "deliver":
      return `${typeOf(e.msg)} <- ${e.from}`;
    case "timer":
      return `timer ${e.name}`;
    case "log":
      return `log ${e.note}`;
    case "invoke":
      return `invoke op${e.op} ${e.f}`;
    case "complete":
      return `${e.status} op${e.op}`;
    default:
      return e.kind;
  }
}

function stepArgs(e: TraceEvent): Record<string, unknown> | undefined {
  switch (e.kind) {
    case "send":
      return { id: e.id, to: e.to, msg: e.msg, t: e.t };
    case "deliver":
      return { id: e.id, from: e.from, msg: e.msg, t: e.t };
    case "log":
      return e.data === undefined ? { t: e.t } : { data: e.data, t: e.t };
    case "invoke":
      return { op: e.op, input: e.input, t: e.t };
    case "complete":
      return { op: e.op, status: e.status, output: e.output, t: e.t };
    default:
      return { t: e.t };
  }
}

function typeOf(msg: unknown): string {
  if (msg !== null && typeof msg === "object" && "type" in msg) {
    return String((msg as { type: unknown }).type);
  }
  const s = JSON.stringify(msg) ?? "undefined";
  return s.length > 24 ? s.slice(0, 23) + "…" : s;
}
