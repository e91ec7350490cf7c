/**
 * The messages of a trace, each with its send and its fate (delivered,
 * dropped, still in flight), and the nodes in the order they appear: what
 * every renderer draws arrows and lanes from.
 *
 * @module
 */

import type { NodeId } from "../../actors/mod.ts";
import type { DropReason, TraceEvent } from "../trace.ts";

/**
 * One message (or duplicate copy) from its send to its end.
 *
 * @example
 * ```ts
 * import { type MessageSpan, messageSpans } from "./messages.ts";
 * import assert from "node:assert/strict";
 * const [m]: MessageSpan[] = messageSpans([
 *   { t: 0, kind: "start", node: "n1" },
 *   { t: 0, kind: "send", node: "n1", to: "n2", id: 0, msg: { type: "ping" } },
 *   { t: 4.2, kind: "deliver", node: "n2", from: "n1", id: 0, msg: { type: "ping" } },
 * ]);
 * assert.deepEqual(m, {
 *   id: 0, from: "n1", to: "n2", msg: { type: "ping" }, sentAt: 0, sendIndex: 1,
 *   fate: "delivered", endAt: 4.2, endIndex: 2,
 * });
 * ```
 */
export interface MessageSpan {
  /** The message id (a duplicate copy has its own). */
  id: number;
  /** The sender. */
  from: NodeId;
  /** The receiver. */
  to: NodeId;
  /** The message as sent. */
  msg: unknown;
  /** Global time of the send (of the `duplicate` event for a copy). */
  sentAt: number;
  /** Trace index of the send (of the `duplicate` event for a copy). */
  sendIndex: number;
  /** For a duplicate copy: the id of the message it copies. */
  copyOf?: number;
  /** How it ended: delivered, dropped, or not yet either when the trace ends. */
  fate: "delivered" | "dropped" | "in-flight";
  /** Time of the delivery or drop (absent while in flight). */
  endAt?: number;
  /** Trace index of the delivery or drop (absent while in flight). */
  endIndex?: number;
  /** Why it was dropped (only for a drop). */
  reason?: DropReason;
}

/**
 * Every message of a trace in the order it was sent.
 *
 * @example
 * ```ts
 * import { messageSpans } from "./messages.ts";
 * import assert from "node:assert/strict";
 * const spans = messageSpans([
 *   { t: 0, kind: "send", node: "a", to: "b", id: 0, msg: "hi" },
 *   { t: 2, kind: "deliver", node: "b", from: "a", id: 0, msg: "hi" },
 * ]);
 * assert.equal(spans[0].fate, "delivered");
 * ```
 */
export function messageSpans(events: readonly TraceEvent[]): MessageSpan[] {
  const spans: MessageSpan[] = [];
  const byId = new Map<number, MessageSpan>();
  events.forEach((e, i) => {
    switch (e.kind) {
      case "send": {
        const span: MessageSpan = {
          id: e.id,
          from: e.node,
          to: e.to,
          msg: e.msg,
          sentAt: e.t,
          sendIndex: i,
          fate: "in-flight",
        };
        spans.push(span);
        byId.set(e.id, span);
        return;
      }
      case "duplicate": {
        const original = byId.get(e.id);
        const span: MessageSpan = {
          id: e.copy,
          from: e.node,
          to: e.to,
          msg: original?.msg,
          sentAt: e.t,
          sendIndex: i,
          copyOf: e.id,
          fate: "in-flight",
        };
        spans.push(span);
        byId.set(e.copy, span);
        return;
      }
      case "deliver":
      case "drop": {
        const span = byId.get(e.id);
        if (span === undefined || span.fate !== "in-flight") return;
        span.fate = e.kind === "deliver" ? "delivered" : "dropped";
        span.endAt = e.t;
        span.endIndex = i;
        if (e.kind === "drop") span.reason = e.reason;
        return;
      }
      default:
        return;
    }
  });
  return spans;
}

/**
 * The nodes of a trace in order of first appearance (senders and receivers
 * included).
 *
 * @example
 * ```ts
 * import { traceNodes } from "./messages.ts";
 * import assert from "node:assert/strict";
 * const started = [
 *   { t: 0, kind: "start", node: "n2" },
 *   { t: 0, kind: "start", node: "n1" },
 * ] as const;
 * assert.deepEqual(traceNodes(started), ["n2", "n1"]);
 * ```
 */
export function traceNodes(events: readonly TraceEvent[]): NodeId[] {
  const seen = new Set<NodeId>();
  const add = (n: NodeId | undefined) => {
    if (n !== undefined) seen.add(n);
  };
  for (const e of events) {
    switch (e.kind) {
      case "partition":
        e.groups.flat().forEach(add);
        break;
      case "block":
      case "unblock":
        add(e.from);
        add(e.to);
        break;
      case "heal":
        break;
      case "send":
      case "duplicate":
        add(e.node);
        add(e.to);
        break;
      case "deliver":
        add(e.from);
        add(e.node);
        break;
      case "drop":
        add(e.from);
        add(e.to);
        break;
      default:
        add(e.node);
    }
  }
  return [...seen];
}
