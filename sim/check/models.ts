/**
 * Sequential specifications for the linearizability checker: what each
 * operation does to an object's state when it runs alone. The checker asks a
 * {@linkcode Model} whether an operation, applied to a state, could have
 * returned what the history says it returned.
 *
 * Built in: {@linkcode registerModel}, {@linkcode casRegisterModel},
 * {@linkcode kvModel} (split per key), {@linkcode counterModel} and
 * {@linkcode setModel}. Any object that implements {@linkcode Model} plugs
 * in the same way.
 *
 * Values are compared structurally: `null` and `undefined` both mean "no
 * value", numbers and strings by value, arrays and plain objects by their
 * contents (object key order does not matter).
 *
 * @module
 */

import type { Operation } from "../history.ts";

/**
 * What {@linkcode Model.step} answers: whether the operation could have run on
 * that state with the output it reported, and the state after it.
 *
 * @example
 * ```ts
 * import { counterModel, type StepResult } from "./models.ts";
 * import assert from "node:assert/strict";
 * const r: StepResult<number> = counterModel.step(2, {
 *   id: 0, client: "c", f: "add", input: 1, output: undefined, call: 0, ret: 1, status: "ok",
 * });
 * assert.deepEqual(r, { ok: true, state: 3 });
 * ```
 */
export interface StepResult<S> {
  /** False when the reported output is impossible in the given state. */
  readonly ok: boolean;
  /** The state after the operation (ignored when `ok` is false). */
  readonly state: S;
}

/**
 * A sequential specification. States must be treated as immutable values:
 * the checker backtracks and reuses old states, so `step` must return a new
 * state rather than change the one it was given.
 *
 * An operation whose `status` is `info` or `pending` returned no trustworthy
 * output: `step` must accept any output for it and apply the effect it would
 * have had (the checker itself covers the case where it never took effect).
 * {@linkcode isUnknown} tells the two apart.
 *
 * @example
 * ```ts
 * import type { Model } from "./models.ts";
 * import { isUnknown } from "./models.ts";
 * import assert from "node:assert/strict";
 * // A stack with push(x) and pop() -> x.
 * const stackModel: Model<readonly number[]> = {
 *   name: "stack",
 *   init: () => [],
 *   step(s, op) {
 *     if (op.f === "push") return { ok: true, state: [...s, op.input as number] };
 *     const top = s[s.length - 1];
 *     const ok = isUnknown(op) || op.output === top;
 *     return { ok, state: s.slice(0, -1) };
 *   },
 *   key: (s) => s.join(","),
 * };
 * const pop = { id: 1, client: "c", f: "pop", input: null, call: 2, ret: 3 } as const;
 * assert.equal(stackModel.step([1, 2], { ...pop, output: 2, status: "ok" }).ok, true);
 * assert.equal(stackModel.step([1, 2], { ...pop, output: 1, status: "ok" }).ok, false);
 * ```
 */
export interface Model<S> {
  /** A short name for messages (`register`, `kv`, ...). */
  readonly name: string;
  /** The state before any operation. */
  init(): S;
  /** Applies `op` to `state`; see the interface notes on unknown outcomes. */
  step(state: S, op: Operation): StepResult<S>;
  /**
   * A canonical key for a state: two states are equal exactly when their keys
   * are equal (`===`). The checker memoises on it, so it must be injective.
   */
  key(state: S): string | number;
  /**
   * Splits a history into independent parts (P-compositionality): the whole
   * is linearizable exactly when every part is. A key-value store splits per
   * key. Without it the history is checked as one part. Parts may hold
   * copies of the operations (same `id`), say with their input decoded once
   * for `step`; `step` and `describe` must then accept those copies.
   */
  partition?(history: readonly Operation[]): Operation[][];
  /**
   * The part `op` belongs to, named the same way every time (a key-value
   * store: the key), so a history checked in windows keeps each part's state
   * from one window to the next. Models with `partition` should have it.
   */
  partitionKey?(op: Operation): string | number;
  /**
   * True when `op` never changes the state (a read). An `info` or `pending`
   * read constrains nothing, so the checker drops it, which keeps searches
   * over Jepsen histories with many timed-out reads small.
   */
  isReadOnly?(op: Operation): boolean;
  /** Returns why `op` is not an operation of this model, or `undefined` when it is. */
  validate?(op: Operation): string | undefined;
  /** One line for a person: `write 3`, `read -> 3`, `cas 1->2 -> true`. */
  describe?(op: Operation): string;
  /** One line for a person describing a state. */
  describeState?(state: S): string;
}

/**
 * Thrown by the checker when an operation does not fit the model (an unknown
 * `f`, or an input of the wrong shape).
 *
 * @example
 * ```ts
 * import { ModelInputError } from "./models.ts";
 * import assert from "node:assert/strict";
 * const e = new ModelInputError(4, "register: unknown operation \"pop\"");
 * assert.equal(e.opId, 4);
 * ```
 */
export class ModelInputError extends Error {
  /** The offending operation's id. */
  readonly opId: number;
  /** Builds the error for operation `opId`. */
  constructor(opId: number, message: string) {
    super(message);
    this.name = "ModelInputError";
    this.opId = opId;
  }
}

/**
 * True when `op`'s outcome is unknown (`info` or `pending`), so its output
 * must not be checked.
 *
 * @example
 * ```ts
 * import { isUnknown } from "./models.ts";
 * import assert from "node:assert/strict";
 * const read = { id: 0, client: "c", f: "read", input: null, output: 1, call: 0, ret: 1 };
 * assert.equal(isUnknown({ ...read, status: "ok" }), false);
 * assert.equal(isUnknown({ ...read, status: "info" }), true);
 * ```
 */
export function isUnknown(op: Operation): boolean {
  return op.status !== "ok";
}

/**
 * A canonical text for a JSON-like value: `null` and `undefined` are both
 * `null`, object keys are sorted, strings are JSON-quoted. Equal values give
 * equal texts, so it serves as a set element or map key.
 *
 * @example
 * ```ts
 * import { canonical } from "./models.ts";
 * import assert from "node:assert/strict";
 * assert.equal(canonical({ b: 1, a: [2, "x"] }), '{"a":[2,"x"],"b":1}');
 * ```
 */
export function canonical(v: unknown): string {
  switch (typeof v) {
    case "undefined":
      return "null";
    case "number":
      // -0 and 0 are one value to a reader of histories.
      return v === 0 ? "0" : String(v);
    case "bigint":
      return String(v);
    case "string":
      return JSON.stringify(v);
    case "boolean":
      return v ? "true" : "false";
    case "object": {
      if (v === null) return "null";
      if (Array.isArray(v)) return "[" + v.map(canonical).join(",") + "]";
      if (v instanceof Set) return "#{" + [...v].map(canonical).sort().join(",") + "}";
      if (v instanceof Map) {
        return "{" + [...v].map(([k, x]) => canonical(k) + ":" + canonical(x)).sort().join(",") +
          "}";
      }
      const o = v as Record<string, unknown>;
      const keys = Object.keys(o).sort();
      let s = "{";
      for (let i = 0; i < keys.length; i++) {
        if (i > 0) s += ",";
        s += JSON.stringify(keys[i]) + ":" + canonical(o[keys[i]]);
      }
      return s + "}";
    }
    default:
      // Symbols and functions never come out of a recorded history.
      return String(v);
  }
}

/**
 * An injective memoisation key for a value: numbers are their own key and
 * strings (almost always) too, so the common case allocates nothing; every
 * other value gets a `\u0000`-prefixed canonical text.
 *
 * @example
 * ```ts
 * import { valueKey } from "./models.ts";
 * import assert from "node:assert/strict";
 * assert.equal(valueKey(3), 3);
 * assert.equal(valueKey("3"), "3");
 * assert.equal(valueKey(null), valueKey(undefined));
 * ```
 */
export function valueKey(v: unknown): string | number {
  if (typeof v === "number") return v !== v ? "\u0000NaN" : v;
  if (typeof v === "string") return v.charCodeAt(0) === 0 ? "\u0000s" + v : v;
  return "\u0000" + canonical(v);
}

/**
 * Structural equality of two values with "no value" (`null`, `undefined`)
 * equal to itself.
 *
 * @example
 * ```ts
 * import { sameValue } from "./models.ts";
 * import assert from "node:assert/strict";
 * assert.ok(sameValue(null, undefined));
 * assert.ok(sameValue([1, { a: 2 }], [1, { a: 2 }]));
 * assert.equal(sameValue(1, "1"), false);
 * ```
 */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || a === undefined) return b === null || b === undefined;
  if (b === null || b === undefined) return false;
  const ta = typeof a, tb = typeof b;
  if (ta !== "object" && tb !== "object" && ta !== "bigint" && tb !== "bigint") return false;
  return canonical(a) === canonical(b);
}

/** Shows a value the way a history reader writes it: `nil` for no value. */
function show(v: unknown): string {
  if (v === undefined || v === null) return "nil";
  if (typeof v === "string") return JSON.stringify(v);
  return canonical(v);
}

function nil(v: unknown): unknown {
  return v === null ? undefined : v;
}

/** A cas argument as `[from, to]` (array) or `{from, to}`. */
function casArgs(input: unknown): [unknown, unknown] | undefined {
  if (Array.isArray(input) && input.length === 2) return [input[0], input[1]];
  if (typeof input === "object" && input !== null && "from" in input && "to" in input) {
    const o = input as { from: unknown; to: unknown };
    return [o.from, o.to];
  }
  return undefined;
}

/** A cas output that says the compare did not match. */
function casFailed(output: unknown): boolean {
  return output === false || output === "fail";
}

function registerStep(
  state: unknown,
  op: Operation,
  withCas: boolean,
): StepResult<unknown> {
  switch (op.f) {
    case "read":
      return { ok: isUnknown(op) || sameValue(state, op.output), state };
    case "write":
      return { ok: true, state: nil(op.input) };
    case "cas": {
      const args = withCas ? casArgs(op.input) : undefined;
      if (args === undefined) throw new ModelInputError(op.id, `bad cas on operation ${op.id}`);
      const matches = sameValue(state, args[0]);
      if (isUnknown(op)) return { ok: true, state: matches ? nil(args[1]) : state };
      if (casFailed(op.output)) return { ok: !matches, state };
      return { ok: matches, state: nil(args[1]) };
    }
    default:
      throw new ModelInputError(op.id, `unknown operation "${op.f}" on operation ${op.id}`);
  }
}

function registerDescribe(op: Operation): string {
  const out = isUnknown(op) ? " -> ?" : "";
  switch (op.f) {
    case "read":
      return isUnknown(op) ? "read -> ?" : `read -> ${show(op.output)}`;
    case "write":
      return `write ${show(op.input)}${out}`;
    case "cas": {
      const a = casArgs(op.input);
      const args = a === undefined ? show(op.input) : `${show(a[0])}->${show(a[1])}`;
      if (isUnknown(op)) return `cas ${args} -> ?`;
      return `cas ${args} -> ${casFailed(op.output) ? "false" : "true"}`;
    }
    default:
      return `${op.f} ${show(op.input)} -> ${show(op.output)}`;
  }
}

function registerValidate(op: Operation, withCas: boolean): string | undefined {
  switch (op.f) {
    case "read":
    case "write":
      return undefined;
    case "cas":
      if (!withCas) return `the register model has no cas (use cas-register)`;
      return casArgs(op.input) === undefined
        ? `cas input must be [from, to], got ${show(op.input)}`
        : undefined;
    default:
      return `unknown operation "${op.f}" (expected read, write${withCas ? ", cas" : ""})`;
  }
}

/**
 * A single read/write register whose initial value is "no value" (`nil`).
 *
 * | f | input | output |
 * | --- | --- | --- |
 * | `write` | the value | ignored |
 * | `read` | ignored | the value, or `null`/`undefined` for no value yet |
 *
 * @example
 * ```ts
 * import { registerModel } from "./models.ts";
 * import assert from "node:assert/strict";
 * const s = registerModel.step(registerModel.init(), {
 *   id: 0, client: "c", f: "write", input: 1, output: undefined, call: 0, ret: 1, status: "ok",
 * }).state;
 * assert.equal(s, 1);
 * ```
 */
export const registerModel: Model<unknown> = {
  name: "register",
  init: () => undefined,
  step: (state, op) => registerStep(state, op, false),
  key: valueKey,
  isReadOnly: (op) => op.f === "read",
  validate: (op) => registerValidate(op, false),
  describe: registerDescribe,
  describeState: show,
};

/**
 * A register with compare-and-set, initially "no value" (`nil`).
 *
 * | f | input | output |
 * | --- | --- | --- |
 * | `write` | the value | ignored |
 * | `read` | ignored | the value, or `null`/`undefined` for no value yet |
 * | `cas` | `[from, to]` (or `{from, to}`) | `false` or `"fail"`: the value was not `from`; anything else (`true`, absent, Jepsen's echoed `[from, to]`): it swapped |
 *
 * A cas whose status is `fail` did not happen and is dropped before the model
 * sees it, as in Jepsen.
 *
 * @example
 * ```ts
 * import { casRegisterModel } from "./models.ts";
 * import assert from "node:assert/strict";
 * const r = casRegisterModel.step(1, {
 *   id: 0, client: "c", f: "cas", input: [1, 2], output: true, call: 0, ret: 1, status: "ok",
 * });
 * assert.deepEqual(r, { ok: true, state: 2 });
 * ```
 */
export const casRegisterModel: Model<unknown> = {
  name: "cas-register",
  init: () => undefined,
  step: (state, op) => registerStep(state, op, true),
  key: valueKey,
  isReadOnly: (op) => op.f === "read",
  validate: (op) => registerValidate(op, true),
  describe: registerDescribe,
  describeState: show,
};

/**
 * A counter starting at 0.
 *
 * | f | input | output |
 * | --- | --- | --- |
 * | `add` | the amount (a number; absent means 1) | ignored |
 * | `read` | ignored | the counter's value |
 *
 * @example
 * ```ts
 * import { counterModel } from "./models.ts";
 * import assert from "node:assert/strict";
 * const r = counterModel.step(2, {
 *   id: 0, client: "c", f: "read", input: null, output: 2, call: 0, ret: 1, status: "ok",
 * });
 * assert.equal(r.ok, true);
 * ```
 */
export const counterModel: Model<number> = {
  name: "counter",
  init: () => 0,
  step(state, op) {
    switch (op.f) {
      case "add": {
        const d = op.input === undefined || op.input === null ? 1 : op.input as number;
        return { ok: true, state: state + d };
      }
      case "read":
        return { ok: isUnknown(op) || op.output === state, state };
      default:
        throw new ModelInputError(op.id, `unknown operation "${op.f}" on operation ${op.id}`);
    }
  },
  key: (s) => s,
  isReadOnly: (op) => op.f === "read",
  validate(op) {
    switch (op.f) {
      case "add":
        return op.input === undefined || op.input === null || typeof op.input === "number"
          ? undefined
          : `add input must be a number, got ${show(op.input)}`;
      case "read":
        return undefined;
      default:
        return `unknown operation "${op.f}" (expected add, read)`;
    }
  },
  describe(op) {
    if (op.f === "add") return `add ${show(op.input ?? 1)}`;
    return `${op.f} -> ${isUnknown(op) ? "?" : show(op.output)}`;
  },
  describeState: String,
};

/**
 * The state of {@linkcode setModel}: the elements' canonical texts, sorted,
 * without duplicates.
 *
 * @example
 * ```ts
 * import { setModel, type SetState } from "./models.ts";
 * import assert from "node:assert/strict";
 * const op = { id: 0, client: "c", f: "add", input: "a", output: undefined, call: 0, ret: 1 };
 * const s: SetState = setModel.step(["1"], { ...op, status: "ok" }).state;
 * assert.deepEqual(s, ['"a"', "1"]); // canonical texts, sorted
 * ```
 */
export type SetState = readonly string[];

function sortedSearch(a: SetState, x: string): number {
  let lo = 0, hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function setOfOutput(output: unknown): string | undefined {
  if (output === null || output === undefined) return "";
  const items = output instanceof Set ? [...output] : output;
  if (!Array.isArray(items)) return undefined;
  const keys = [...new Set(items.map(canonical))].sort();
  return keys.join("\u0001");
}

/**
 * A set of values, initially empty.
 *
 * | f | input | output |
 * | --- | --- | --- |
 * | `add` | the element | ignored |
 * | `remove` | the element | ignored |
 * | `read` | ignored | every element, as an array (order and duplicates ignored; `null` means empty) |
 *
 * @example
 * ```ts
 * import { setModel } from "./models.ts";
 * import assert from "node:assert/strict";
 * const op = { id: 0, client: "c", f: "add", input: 5, output: undefined, call: 0, ret: 1, status: "ok" as const };
 * assert.equal(setModel.describeState!(setModel.step(setModel.init(), op).state), "#{5}");
 * ```
 */
export const setModel: Model<SetState> = {
  name: "set",
  init: () => [],
  step(state, op) {
    switch (op.f) {
      case "add": {
        const x = canonical(op.input);
        const i = sortedSearch(state, x);
        if (state[i] === x) return { ok: true, state };
        const next = state.slice();
        next.splice(i, 0, x);
        return { ok: true, state: next };
      }
      case "remove": {
        const x = canonical(op.input);
        const i = sortedSearch(state, x);
        if (state[i] !== x) return { ok: true, state };
        const next = state.slice();
        next.splice(i, 1);
        return { ok: true, state: next };
      }
      case "read":
        return { ok: isUnknown(op) || setOfOutput(op.output) === state.join("\u0001"), state };
      default:
        throw new ModelInputError(op.id, `unknown operation "${op.f}" on operation ${op.id}`);
    }
  },
  // canonical() escapes control characters, so \u0001 never occurs inside an element.
  key: (s) => s.join("\u0001"),
  isReadOnly: (op) => op.f === "read",
  validate(op) {
    switch (op.f) {
      case "add":
      case "remove":
        return undefined;
      case "read":
        return isUnknown(op) || setOfOutput(op.output) !== undefined
          ? undefined
          : `read output must be an array of elements, got ${show(op.output)}`;
      default:
        return `unknown operation "${op.f}" (expected add, remove, read)`;
    }
  },
  describe(op) {
    if (op.f === "read") return isUnknown(op) ? "read -> ?" : `read -> ${show(op.output)}`;
    return `${op.f} ${show(op.input)}`;
  },
  describeState: (s) => "#{" + s.join(" ") + "}",
};

/**
 * The state of {@linkcode kvModel}: `[key, value, key, value, ...]` sorted by
 * canonical key text, keys without a value left out. A flat array keeps the
 * common one-key state of a partitioned history to a two-slot copy per step.
 *
 * @example
 * ```ts
 * import { kvModel, type KvState } from "./models.ts";
 * import assert from "node:assert/strict";
 * const put = { id: 0, client: "c", f: "put", input: { key: "x", value: 1 }, call: 0, ret: 1 };
 * const { state } = kvModel.step(kvModel.init(), { ...put, output: undefined, status: "ok" });
 * const s: KvState = state;
 * assert.deepEqual(s, ['"x"', 1]); // key text, value, key text, value, ...
 * ```
 */
export type KvState = readonly unknown[];

type KvKind = "get" | "put" | "append" | "cas";

/**
 * An operation on one key, decoded from any of the accepted input shapes.
 * `partition` puts it in place of the input of its copies of the operations,
 * so the search, which steps each operation many times, decodes nothing.
 */
class KvOp {
  constructor(
    readonly kind: KvKind,
    /** Canonical text of the key. */
    readonly key: string,
    /** The key as written. */
    readonly rawKey: unknown,
    /** put/append: the value; cas: [from, to]. */
    readonly value: unknown,
    /** Whether input was a Jepsen `[key, value]` tuple (then reads return tuples too). */
    readonly tuple: boolean,
  ) {}
}

function kvDecode(op: Operation): KvOp | string {
  const input = op.input;
  if (input instanceof KvOp) return input;
  let kind: KvKind;
  switch (op.f) {
    case "get":
    case "read":
      kind = "get";
      break;
    case "put":
    case "write":
      kind = "put";
      break;
    case "append":
      kind = "append";
      break;
    case "cas":
      kind = "cas";
      break;
    default:
      return `unknown operation "${op.f}" (expected get, put, cas, append)`;
  }
  let rawKey: unknown, value: unknown, tuple = false;
  if (Array.isArray(input) && input.length === 2) {
    rawKey = input[0];
    value = input[1];
    tuple = true;
  } else if (typeof input === "object" && input !== null && "key" in input) {
    const o = input as { key: unknown; value?: unknown; from?: unknown; to?: unknown };
    rawKey = o.key;
    value = kind === "cas" && o.value === undefined ? [o.from, o.to] : o.value;
  } else {
    return `kv input must be {key, value} or [key, value], got ${show(input)}`;
  }
  if (kind === "cas") {
    value = casArgs(value);
    if (value === undefined) {
      return `cas input must be {key, from, to} or [key, [from, to]], got ${show(input)}`;
    }
  }
  return new KvOp(
    kind,
    typeof rawKey === "string" ? JSON.stringify(rawKey) : canonical(rawKey),
    rawKey,
    value,
    tuple,
  );
}

function kvOp(op: Operation): KvOp {
  const input = op.input;
  if (input instanceof KvOp) return input;
  const d = kvDecode(op);
  if (typeof d === "string") throw new ModelInputError(op.id, `operation ${op.id}: ${d}`);
  return d;
}

/** The value a read reported: the second half of a tuple when the input was one. */
function kvReadValue(op: Operation, d: KvOp): unknown {
  if (d.tuple && Array.isArray(op.output) && op.output.length === 2) return op.output[1];
  return op.output;
}

/** Index of key `k` in a state, or of where it would go. */
function kvFind(state: KvState, k: string): number {
  let lo = 0, hi = state.length >> 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((state[2 * mid] as string) < k) lo = mid + 1;
    else hi = mid;
  }
  return 2 * lo;
}

function kvGet(state: KvState, k: string): unknown {
  const i = kvFind(state, k);
  return state[i] === k ? state[i + 1] : undefined;
}

function kvSet(state: KvState, k: string, v: unknown): KvState {
  const i = kvFind(state, k);
  const present = state[i] === k;
  // An absent key and a key holding nil are one state, so keep one spelling.
  if (v === undefined || v === null) {
    if (!present) return state;
    const next = state.slice();
    next.splice(i, 2);
    return next;
  }
  const next = state.slice();
  if (present) next[i + 1] = v;
  else next.splice(i, 0, k, v);
  return next;
}

function kvAppend(cur: unknown, v: unknown): unknown {
  if ((cur === undefined || cur === null) && typeof v === "string") return v;
  if (typeof cur === "string" && typeof v === "string") return cur + v;
  if (cur === undefined || cur === null) return [v];
  if (Array.isArray(cur)) return [...cur, v];
  return [cur, v];
}

/**
 * A key-value map in which every key starts with no value. It splits a
 * history per key, so each key is checked on its own (P-compositionality).
 *
 * Input is `{key, value}` (this project's form) or a Jepsen `[key, value]`
 * tuple (`jepsen.independent`); with a tuple, a read's output is a tuple too.
 * The parts `partition` returns hold copies of the operations whose input is
 * already decoded.
 *
 * | f | input | output |
 * | --- | --- | --- |
 * | `get` or `read` | `{key}` or `[key, nil]` | the value, `null`/`undefined` for none (or `[key, value]`) |
 * | `put` or `write` | `{key, value}` or `[key, value]` | ignored |
 * | `cas` | `{key, from, to}`, `{key, value: [from, to]}` or `[key, [from, to]]` | as for {@linkcode casRegisterModel} |
 * | `append` | `{key, value}` or `[key, value]` | ignored: strings concatenate (as Porcupine's kv), other values collect into an array |
 *
 * @example
 * ```ts
 * import { kvModel } from "./models.ts";
 * import assert from "node:assert/strict";
 * const put = { id: 0, client: "c", f: "put", input: { key: "x", value: 1 }, output: undefined, call: 0, ret: 1, status: "ok" as const };
 * const get = { id: 1, client: "c", f: "get", input: { key: "x" }, output: 1, call: 2, ret: 3, status: "ok" as const };
 * assert.equal(kvModel.partition!([put, get]).length, 1);
 * ```
 */
export const kvModel: Model<KvState> = {
  name: "kv",
  init: () => [],
  step(state, op) {
    const d = kvOp(op);
    switch (d.kind) {
      case "get":
        return { ok: isUnknown(op) || sameValue(kvGet(state, d.key), kvReadValue(op, d)), state };
      case "put":
        return { ok: true, state: kvSet(state, d.key, d.value) };
      case "append":
        return { ok: true, state: kvSet(state, d.key, kvAppend(kvGet(state, d.key), d.value)) };
      case "cas": {
        const [from, to] = d.value as [unknown, unknown];
        const matches = sameValue(kvGet(state, d.key), from);
        if (isUnknown(op)) return { ok: true, state: matches ? kvSet(state, d.key, to) : state };
        if (casFailed(op.output)) return { ok: !matches, state };
        return { ok: matches, state: matches ? kvSet(state, d.key, to) : state };
      }
      default: {
        const never: never = d.kind;
        throw new Error(`unreachable kv operation ${never}`);
      }
    }
  },
  key(state) {
    // Keys are canonical texts (control characters escaped), so \u0001 and \u0002 separate safely.
    let s = "";
    for (let i = 0; i < state.length; i += 2) {
      const v = state[i + 1];
      s += state[i] + "\u0002" + (typeof v === "number" ? String(v) : canonical(v)) + "\u0001";
    }
    return s;
  },
  partition(history) {
    const parts = new Map<string, Operation[]>();
    for (const op of history) {
      const d = kvOp(op);
      const copy: Operation = {
        id: op.id,
        client: op.client,
        f: op.f,
        input: d,
        output: op.output,
        call: op.call,
        ret: op.ret,
        status: op.status,
      };
      const part = parts.get(d.key);
      if (part === undefined) parts.set(d.key, [copy]);
      else part.push(copy);
    }
    return [...parts.values()];
  },
  partitionKey: (op) => kvOp(op).key,
  isReadOnly: (op) => op.f === "get" || op.f === "read",
  // No validate: partition decodes every operation anyway and throws
  // ModelInputError for a bad one, and decoding twice would double the cost.
  describe(op) {
    const d = kvDecode(op);
    if (typeof d === "string") return `${op.f} ${show(op.input)}`;
    const k = show(d.rawKey);
    switch (d.kind) {
      case "get":
        return `${op.f} ${k} -> ${isUnknown(op) ? "?" : show(kvReadValue(op, d))}`;
      case "cas": {
        const [from, to] = d.value as [unknown, unknown];
        const out = isUnknown(op) ? "?" : casFailed(op.output) ? "false" : "true";
        return `cas ${k} ${show(from)}->${show(to)} -> ${out}`;
      }
      case "put":
      case "append":
        return `${op.f} ${k} ${show(d.value)}`;
      default: {
        const never: never = d.kind;
        return never;
      }
    }
  },
  describeState(state) {
    const parts: string[] = [];
    for (let i = 0; i < state.length; i += 2) parts.push(`${state[i]} ${show(state[i + 1])}`);
    return "{" + parts.join(", ") + "}";
  },
};
