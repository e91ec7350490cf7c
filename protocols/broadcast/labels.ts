/**
 * Short labels for broadcast messages on a space-time diagram. A layered
 * message (`{ layer: "bc", msg: { layer: "rb", msg: { layer: "link", msg:
 * ... } } }`) would otherwise read as nested braces; its label says what the
 * innermost message is and which broadcast message it carries:
 * `data n1#2 s3` is the link's data message number 3 carrying n1's second
 * broadcast, `ack s3` its acknowledgement, `order 4 n2#1 s0` a sequencer's
 * fifth numbered message.
 *
 * @module
 */

import { unwrapLayers } from "../../actors/mod.ts";

/**
 * A compact label for a message of a broadcast layer, for the `label` option
 * of `renderDiagram` and of scenarios. A message that is not layered gets
 * its `type` and its fields, shortly.
 *
 * @example
 * ```ts
 * import { broadcastLabel } from "./labels.ts";
 * import assert from "node:assert/strict";
 * const data = { layer: "bc", msg: { layer: "rb", msg: { layer: "link", msg: {
 *   type: "data", seq: 3, body: { id: "n1#2", origin: "n1", payload: { seq: 1, payload: "hi" } },
 * } } } };
 * assert.equal(broadcastLabel(data), "data n1#2 s3");
 * assert.equal(broadcastLabel({ layer: "link", msg: { type: "ack", seq: 3 } }), "ack s3");
 * assert.equal(
 *   broadcastLabel({ layer: "link", msg: { type: "data", seq: 0, body: { kind: "order", seq: 4, id: "n2#1", origin: "n2", payload: "x" } } }),
 *   "order 4 n2#1 s0",
 * );
 * assert.equal(
 *   broadcastLabel({ type: "request", id: 2, op: { type: "increment", amount: 1 } }),
 *   "request id=2 op={type=increment,amount=1}",
 * );
 * ```
 */
export function broadcastLabel(msg: unknown): string {
  const inner = unwrapLayers(msg).msg;
  if (typeof inner !== "object" || inner === null) return JSON.stringify(inner) ?? "undefined";
  const m = inner as Record<string, unknown>;
  switch (m.type) {
    case "data":
      return `${carried(m.body)}s${m.seq}`;
    case "ack":
      return `ack s${m.seq}`;
    case "message":
      return `message ${m.id}`;
    default:
      return [
        String(m.type),
        ...Object.entries(m).filter(([k]) => k !== "type").map(([k, v]) => `${k}=${short(v)}`),
      ].join(" ");
  }
}

/** What a link's data message carries, as a few words ending in a space. */
function carried(body: unknown): string {
  if (typeof body !== "object" || body === null) return "data ";
  const b = body as Record<string, unknown>;
  // The sequencer's and the Lamport protocol's envelopes say what kind they are.
  const kind = typeof b.kind === "string" ? `${b.kind} ` : "data ";
  const number = b.kind === "order" ? `${b.seq} ` : b.kind === "ack" ? `t${b.time} ` : "";
  const id = typeof b.id === "string" ? `${b.id} ` : "";
  return kind + number + id;
}

/** A value in a few characters, as diagrams write them: `3`, `r1`, `[a,b]`, `{k=v}`. */
function short(v: unknown, depth = 0): string {
  if (typeof v !== "object" || v === null) {
    return typeof v === "string" && /^[\w.:@/#+-]{1,24}$/.test(v) ? v : String(JSON.stringify(v));
  }
  if (depth >= 2) return Array.isArray(v) ? "[…]" : "{…}";
  if (Array.isArray(v)) return `[${v.map((x) => short(x, depth + 1)).join(",")}]`;
  const fields = Object.entries(v).map(([k, x]) => `${k}=${short(x, depth + 1)}`);
  return `{${fields.join(",")}}`;
}
