/**
 * Timer identity. A timer is plain data (a string, a number, or an object
 * such as `{ type: "retry", seq: 4 }`); two timers are the same timer when
 * they are equal as data, whatever order their fields were written in.
 * Setting a timer replaces the pending one with the same key.
 *
 * @module
 */

/**
 * The key under which a timer is kept: the string itself for a string timer
 * (the common case, at no cost), and a canonical JSON form (fields sorted)
 * behind a control character for anything else, so that no string timer can
 * collide with an object timer.
 *
 * @example
 * ```ts
 * import { timerKey } from "./timer_key.ts";
 * import assert from "node:assert/strict";
 * assert.equal(timerKey("heartbeat"), "heartbeat");
 * assert.equal(timerKey({ type: "retry", seq: 4 }), timerKey({ seq: 4, type: "retry" }));
 * assert.notEqual(timerKey({ type: "retry", seq: 4 }), timerKey({ type: "retry", seq: 5 }));
 * // A layer's timer is keyed by its layer's name and its own key.
 * const t = { layer: "rb", timer: { layer: "link", timer: "retry" } };
 * assert.equal(timerKey(t), timerKey({ timer: { timer: "retry", layer: "link" }, layer: "rb" }));
 * assert.notEqual(timerKey(t), timerKey({ layer: "rb", timer: { layer: "link", timer: "retry2" } }));
 * assert.notEqual(timerKey(t), timerKey("rb/link/retry"));
 * ```
 */
export function timerKey(timer: unknown): string {
  if (typeof timer === "string") return timer;
  // A layer's timer, as `mount` wraps it (every timer of a stacked protocol
  // is one): the layer's name, which `mount` keeps free of control
  // characters, then the inner timer's key. No sorting, no JSON: timers are
  // set on every retransmission.
  if (isLayerTimer(timer)) return "\u0002" + timer.layer + "\u0002" + timerKey(timer.timer);
  return "\u0001" + canonicalJson(timer);
}

/** `{ layer, timer }` with a string `layer` and nothing else. */
function isLayerTimer(t: unknown): t is { layer: string; timer: unknown } {
  if (typeof t !== "object" || t === null) return false;
  const o = t as { layer?: unknown };
  if (typeof o.layer !== "string" || !("timer" in t)) return false;
  let fields = 0;
  for (const _ in t) fields++;
  return fields === 2;
}

/**
 * How a timer reads in traces and diagrams: a string as itself; an object
 * with a string `type` as that type followed by its other fields.
 *
 * @example
 * ```ts
 * import { timerName } from "./timer_key.ts";
 * import assert from "node:assert/strict";
 * assert.equal(timerName("election"), "election");
 * assert.equal(timerName({ type: "originate", id: 3 }), 'originate {"id":3}');
 * assert.equal(timerName({ layer: "link", timer: "retry" }), 'link/retry');
 * ```
 */
export function timerName(timer: unknown): string {
  if (typeof timer === "string") return timer;
  if (typeof timer === "object" && timer !== null && !Array.isArray(timer)) {
    const fields = timer as Record<string, unknown>;
    const keys = Object.keys(fields);
    // A layer's timer, as `mount` wraps it: the layer's name, then its own timer.
    if (typeof fields.layer === "string" && keys.length === 2 && "timer" in fields) {
      return `${fields.layer}/${timerName(fields.timer)}`;
    }
    if (typeof fields.type === "string") {
      const rest = keys.filter((k) => k !== "type");
      if (rest.length === 0) return fields.type;
      const others: Record<string, unknown> = {};
      for (const k of rest) others[k] = fields[k];
      return `${fields.type} ${canonicalJson(others)}`;
    }
  }
  return canonicalJson(timer);
}

/** JSON with object fields in sorted order, so equal data gives equal text. */
function canonicalJson(value: unknown): string {
  if (typeof value !== "object" || value === null) return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj).filter((k) => obj[k] !== undefined).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(",")}}`;
}
