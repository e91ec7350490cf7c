/**
 * Every node's state through a run, for the studio's state panel and the
 * `--out run.html` page: after each handler (a delivery, a timer, a start),
 * the node's `inspect()` is taken and compared with what it was; only the
 * change is kept, as a patch at the trace index of the event that ran the
 * handler. The state of any node at any event is then the patches up to that
 * event, applied in order: no re-run needed, and a page with no server can
 * step backwards as easily as forwards.
 *
 * Why patches and not re-running to event i: re-running is exact and costs
 * nothing to store, but every step backwards is a run from the start (a
 * 50,000-event run is tens of milliseconds in the simulator, and impossible
 * in a static page). Patches cost one `inspect()` and one comparison per
 * handler and keep only what changed, so memory grows with the changes, not
 * with the events times the state size.
 *
 * An actor without `inspect()` is shown by its public fields and getters
 * that hold plain data (a `role`, a `currentTerm`), so a state panel is never
 * empty; `inspect()` is the actor's own, better view, and wins when present.
 *
 * @module
 */

import type { NodeId } from "../actors/mod.ts";
import { notPlainData } from "../actors/mod.ts";
import { ConfigError } from "./errors.ts";
import type { Observed, RunHooks, Simulation } from "./simulation.ts";
import type { TraceEvent } from "./trace.ts";

/** A path into a state: object keys and array indexes (`["log", 3, "term"]`). */
export type StatePath = Array<string | number>;

/**
 * One step of a patch: `[path, value]` sets the value at the path (the
 * empty path replaces the whole state; `[..., "length"]` truncates an
 * array), `[path]` deletes the field at the path.
 *
 * @example
 * ```ts
 * import type { StateOp } from "./states.ts";
 * import assert from "node:assert/strict";
 * const ops: StateOp[] = [[["term"], 3], [["votedFor"]]];
 * assert.equal(ops[1].length, 1);
 * ```
 */
export type StateOp = [path: StatePath, value: unknown] | [path: StatePath];

/**
 * What changed in one node's state at one event.
 *
 * @example
 * ```ts
 * import type { StateChange } from "./states.ts";
 * import assert from "node:assert/strict";
 * const c: StateChange = { at: 12, node: "n2", ops: [[["role"], "leader"]] };
 * assert.equal(c.ops.length, 1);
 * ```
 */
export interface StateChange {
  /** Trace index of the event whose handler made the change. */
  at: number;
  /** The node whose state changed. */
  node: NodeId;
  /** The patch from its state before to its state after. */
  ops: StateOp[];
}

/** Where a node's view comes from: its own `inspect()`, or its public plain-data fields. */
export type StateSource = "inspect" | "fields";

/**
 * A whole run's state changes, in event order, and where each node's view
 * comes from.
 *
 * @example
 * ```ts
 * import type { StateLog } from "./states.ts";
 * import assert from "node:assert/strict";
 * const log: StateLog = { changes: [], sources: { n1: "inspect" } };
 * assert.equal(log.sources.n1, "inspect");
 * ```
 */
export interface StateLog {
  /** Every change, in event order. */
  changes: StateChange[];
  /** Where each node's view came from. */
  sources: Record<NodeId, StateSource>;
}

/** A field's value longer than this (as JSON) is left out of a fields view. */
const FIELD_LIMIT = 4000;
/** An array whose patch would take more steps than this (and half its length) is sent whole. */
const ARRAY_STEPS = 8;

/**
 * Watches a run and keeps each node's state changes. Give its hooks to the
 * run (`runScenario(s, given, { hooks: recorder.hooks(), traceWindow: Infinity })`):
 * the run must keep every event in memory, since a change is filed under
 * the index of the event that caused it.
 *
 * @example
 * ```ts
 * import { StateRecorder } from "./states.ts";
 * import { Simulation } from "./simulation.ts";
 * import assert from "node:assert/strict";
 * const sim = new Simulation({ seed: 1 });
 * const recorder = new StateRecorder();
 * sim.hooks = recorder.hooks();
 * let seen = 0;
 * sim.spawn("a", () => ({ onStart: (ctx) => ctx.send("b", "hi"), onMessage() {} }));
 * sim.spawn("b", () => ({ onMessage() { seen++; }, inspect: () => ({ seen }) }));
 * sim.run();
 * const log = recorder.log();
 * assert.deepEqual(log.changes.filter((c) => c.node === "b").map((c) => c.ops), [
 *   [[[], { seen: 0 }]],
 *   [[["seen"], 1]],
 * ]);
 * assert.equal(log.sources.b, "inspect");
 * ```
 */
export class StateRecorder {
  readonly #changes: StateChange[] = [];
  readonly #sources: Record<NodeId, StateSource> = {};
  /** Each node's last view: its JSON text (to see quickly that nothing changed) and its value. */
  readonly #last = new Map<NodeId, { text: string; value: unknown }>();

  /**
   * Hooks that watch the run, calling `inner`'s (a strategy's) as well.
   * Only `observe` is added; `inner.latency` is kept as it is.
   */
  hooks(inner?: RunHooks): RunHooks {
    const observe = (sim: Simulation, what: Observed) => {
      inner?.observe?.(sim, what);
      if (what.kind === "deliver" || what.kind === "timer" || what.kind === "start") {
        this.#capture(sim, what.node, what.kind);
      }
    };
    return { ...inner, observe };
  }

  /** The changes so far, and where each node's view came from. */
  log(): StateLog {
    return { changes: this.#changes, sources: this.#sources };
  }

  #capture(sim: Simulation, node: NodeId, kind: "deliver" | "timer" | "start"): void {
    // A trace that forgets its oldest events cannot say where a change happened.
    if (sim.trace.forgotten > 0) {
      throw new ConfigError("states", "recording states needs every event: traceWindow Infinity");
    }
    const actor = sim.actor(node);
    if (actor === undefined) return;
    const at = handlerEvent(sim.trace.events, node, kind);
    if (at < 0) return;
    const source: StateSource = typeof actor.inspect === "function" ? "inspect" : "fields";
    this.#sources[node] ??= source;
    const text = viewText(source === "inspect" ? actor.inspect!() : fieldsOf(actor));
    const last = this.#last.get(node);
    if (last !== undefined && last.text === text) return;
    const value = JSON.parse(text);
    const ops = last === undefined ? [[[], value] as StateOp] : diffState(last.value, value);
    this.#last.set(node, { text, value });
    if (ops.length > 0) this.#changes.push({ at, node, ops });
  }
}

/**
 * The index of the event that ran the handler which just returned: the
 * last `kind` event of `node` (the handler's own events come after it).
 */
function handlerEvent(events: readonly TraceEvent[], node: NodeId, kind: string): number {
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i];
    if (e.kind === kind && (e as { node?: NodeId }).node === node) return i;
  }
  return -1;
}

/** A view as JSON text: Maps become objects, Sets arrays, bigints strings. */
function viewText(view: unknown): string {
  try {
    return JSON.stringify(view ?? null, (_, v) => {
      if (typeof v === "bigint") return `${v}n`;
      if (v instanceof Map) return Object.fromEntries(v);
      if (v instanceof Set) return [...v];
      return v;
    }) ?? "null";
  } catch (e) {
    return JSON.stringify({ "inspect() failed": String(e) });
  }
}

/**
 * An actor's public plain-data fields and getters (names not starting with
 * `_`; each value plain data and not too long), for an actor without
 * `inspect()`. A field holding an object of a class (a log, say) shows that
 * object's own public fields in turn, one level down; Maps and Sets show as
 * objects and arrays.
 *
 * @example
 * ```ts
 * import { fieldsOf } from "./states.ts";
 * import assert from "node:assert/strict";
 * class Log {
 *   entries = [1, 1, 2];
 *   get last() { return this.entries.length; }
 * }
 * class Node {
 *   #secret = 1;
 *   votes = new Set(["n1", "n2"]);
 *   log = new Log();
 *   get role() { return "leader"; }
 *   onMessage() {}
 * }
 * assert.deepEqual(fieldsOf(new Node()), {
 *   votes: ["n1", "n2"],
 *   log: { entries: [1, 1, 2], last: 3 },
 *   role: "leader",
 * });
 * ```
 */
export function fieldsOf(actor: object, depth = 0): Record<string, unknown> {
  const view: Record<string, unknown> = {};
  const take = (name: string, read: () => unknown) => {
    if (name.startsWith("_") || name in view) return;
    let value: unknown;
    try {
      value = read();
    } catch {
      return;
    }
    if (typeof value === "function" || value === undefined) return;
    if (value instanceof Map) value = Object.fromEntries(value);
    else if (value instanceof Set) value = [...value];
    if (notPlainData(value) !== undefined) {
      // An object of a class: its own public fields, one level down.
      if (depth > 0 || !isObject(value) || Array.isArray(value)) return;
      value = fieldsOf(value, depth + 1);
      if (Object.keys(value as object).length === 0) return;
    }
    if (isObject(value) && JSON.stringify(value).length > FIELD_LIMIT) return;
    view[name] = value;
  };
  for (const name of Object.keys(actor)) take(name, () => (actor as Record<string, unknown>)[name]);
  for (const [name, get] of gettersOf(Object.getPrototypeOf(actor))) {
    take(name, () => get.call(actor));
  }
  return view;
}

/** The getters of a class and its ancestors, looked up once per class. */
const GETTERS = new WeakMap<object, Array<[string, () => unknown]>>();

function gettersOf(prototype: object | null): Array<[string, () => unknown]> {
  if (prototype === null) return [];
  let getters = GETTERS.get(prototype);
  if (getters === undefined) {
    getters = [];
    for (
      let proto: object | null = prototype;
      proto !== null && proto !== Object.prototype;
      proto = Object.getPrototypeOf(proto)
    ) {
      for (const [name, d] of Object.entries(Object.getOwnPropertyDescriptors(proto))) {
        if (d.get !== undefined) getters.push([name, d.get]);
      }
    }
    GETTERS.set(prototype, getters);
  }
  return getters;
}

function isObject(x: unknown): x is Record<string, unknown> {
  return x !== null && typeof x === "object";
}

/**
 * The patch that turns plain-data `a` into plain-data `b` (empty when they
 * are equal): fields set and deleted, array items set, arrays truncated; an
 * array that changed almost everywhere is replaced whole.
 *
 * @example
 * ```ts
 * import { applyPatch, diffState } from "./states.ts";
 * import assert from "node:assert/strict";
 * const a = { term: 1, log: [1, 1], vote: "n1" };
 * const b = { term: 2, log: [1, 1, 2], leader: "n2" };
 * const ops = diffState(a, b);
 * assert.deepEqual(ops, [[["term"], 2], [["log", 2], 2], [["leader"], "n2"], [["vote"]]]);
 * assert.deepEqual(applyPatch(structuredClone(a), ops), b);
 * ```
 */
export function diffState(a: unknown, b: unknown): StateOp[] {
  const ops: StateOp[] = [];
  diffInto(a, b, [], ops);
  return ops;
}

function diffInto(a: unknown, b: unknown, path: StatePath, ops: StateOp[]): void {
  if (a === b) return;
  if (!isObject(a) || !isObject(b) || Array.isArray(a) !== Array.isArray(b)) {
    ops.push([path, b]);
    return;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    const start = ops.length;
    const shared = Math.min(a.length, b.length);
    for (let i = 0; i < shared; i++) diffInto(a[i], b[i], [...path, i], ops);
    for (let i = shared; i < b.length; i++) ops.push([[...path, i], b[i]]);
    if (b.length < a.length) ops.push([[...path, "length"], b.length]);
    const steps = ops.length - start;
    if (steps > ARRAY_STEPS && steps > b.length / 2) {
      ops.length = start;
      ops.push([path, b]);
    }
    return;
  }
  for (const key of Object.keys(b)) {
    if (!Object.hasOwn(a, key)) ops.push([[...path, key], b[key]]);
    else diffInto(a[key], b[key], [...path, key], ops);
  }
  for (const key of Object.keys(a)) {
    if (!Object.hasOwn(b, key)) ops.push([[...path, key]]);
  }
}

/**
 * Applies a patch to `state` in place (and returns it, or the new whole
 * state when the patch replaces it). Values are copied in, so the patch
 * stays as it was.
 *
 * @example
 * ```ts
 * import { applyPatch } from "./states.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(applyPatch({ log: [1, 2, 3] }, [[["log", "length"], 1], [["x"], 5]]), {
 *   log: [1],
 *   x: 5,
 * });
 * ```
 */
export function applyPatch(state: unknown, ops: readonly StateOp[]): unknown {
  for (const op of ops) {
    const [path] = op;
    const copy = op.length === 2 ? structuredClone(op[1]) : undefined;
    if (path.length === 0) {
      state = copy;
      continue;
    }
    let parent = state as Record<string | number, unknown>;
    for (let k = 0; k < path.length - 1; k++) {
      parent = parent[path[k]] as Record<string | number, unknown>;
    }
    const key = path[path.length - 1];
    if (op.length === 2) parent[key] = copy;
    else delete parent[key];
  }
  return state;
}

/**
 * One node's state just after event `index`, from a run's changes
 * (undefined before the node's first handler).
 *
 * @example
 * ```ts
 * import { stateAt, type StateChange } from "./states.ts";
 * import assert from "node:assert/strict";
 * const changes: StateChange[] = [
 *   { at: 0, node: "n1", ops: [[[], { term: 0 }]] },
 *   { at: 5, node: "n1", ops: [[["term"], 1]] },
 * ];
 * assert.deepEqual(stateAt(changes, "n1", 4), { term: 0 });
 * assert.deepEqual(stateAt(changes, "n1", 5), { term: 1 });
 * assert.equal(stateAt(changes, "n1", -1), undefined);
 * ```
 */
export function stateAt(changes: readonly StateChange[], node: NodeId, index: number): unknown {
  let state: unknown = undefined;
  for (const c of changes) {
    if (c.at > index) break;
    if (c.node === node) state = applyPatch(state, c.ops);
  }
  return state;
}
