/**
 * Plain data: what may travel in a message, sit in a timer or in storage,
 * and be saved in a trace. It is what JSON carries: `null`, booleans, finite
 * numbers, strings, arrays and objects of plain data (an object field may be
 * `undefined`, which JSON leaves out). An object with a `toJSON` method
 * (a `Date`, say) counts as what that method returns.
 *
 * Everything else (a BigInt, a function, a symbol, a Map, a Set, a class
 * instance without `toJSON`, NaN, a cycle) would be lost or changed on the
 * way through a trace file or a real network, so the simulator refuses it at
 * the send, in every trace mode, and names the field.
 *
 * A message travels as a copy, as it would over a wire: {@linkcode plainCopy}
 * gives what the receiver of its JSON would get, so a sender that changes an
 * object after sending it changes nothing in flight, and a `Date` arrives as
 * the string a real network would deliver.
 *
 * @module
 */

/** Deeper than this is almost surely a cycle; the check then starts again, looking for one. */
const DEEP = 64;
/** What the fast walk answers when it went too deep to be sure. */
const TOO_DEEP = "\u0000deep";

/**
 * Where `value` stops being plain data, as a path and a reason
 * (`.entries[2].cmd is a bigint`), or `undefined` when it is plain data.
 *
 * @example
 * ```ts
 * import { notPlainData } from "./plain_data.ts";
 * import assert from "node:assert/strict";
 * assert.equal(notPlainData({ type: "ping", n: [1, 2] }), undefined);
 * assert.equal(notPlainData({ type: "put", value: 10n }), ".value is a bigint");
 * const loop: Record<string, unknown> = { type: "x" };
 * loop.self = loop;
 * assert.equal(notPlainData(loop), ".self is a cycle back to the message itself");
 * ```
 */
export function notPlainData(value: unknown): string | undefined {
  // Every message sent goes through here, so the common case (plain data)
  // is a walk that builds nothing. Only a value that fails it is walked
  // again to say where: with paths, and looking for a cycle when deep.
  if (isPlain(value, 0)) return undefined;
  const found = walk(value, "", 0, null);
  return found === TOO_DEEP ? walk(value, "", 0, []) : found;
}

/**
 * Whether `v` is plain data, without saying where it is not (the fast path).
 * Fields that are primitives are checked in the loop itself: most messages
 * are a flat object of strings and numbers, and a call per field would cost
 * more than the check.
 */
function isPlain(v: unknown, depth: number): boolean {
  if (typeof v !== "object") {
    return typeof v === "string" || typeof v === "boolean" ||
      (typeof v === "number" && v - v === 0) || (v === undefined && depth > 0);
  }
  if (v === null) return true;
  if (depth >= DEEP) return false;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const x = v[i];
      const t = typeof x;
      if (t === "string" || t === "boolean" || (t === "number" && x - x === 0)) continue;
      if (!isPlain(x, depth + 1)) return false;
    }
    return true;
  }
  // A literal's constructor is Object; anything else (a class, a null prototype) is looked at.
  if ((v as { constructor?: unknown }).constructor !== Object) {
    const proto = Object.getPrototypeOf(v);
    if (proto !== Object.prototype && proto !== null) return false;
  }
  for (const key in v) {
    const x = (v as Record<string, unknown>)[key];
    const t = typeof x;
    if (
      t === "string" || t === "boolean" || (t === "number" && x as number - (x as number) === 0)
    ) {
      continue;
    }
    if (!isPlain(x, depth + 1)) return false;
  }
  return true;
}

/**
 * What {@linkcode plainCopy} throws for a value that is not plain data:
 * `problem` says where and why (`.entries[2].cmd is a bigint`).
 *
 * @example
 * ```ts
 * import { NotPlainDataError, plainCopy } from "./plain_data.ts";
 * import assert from "node:assert/strict";
 * assert.throws(() => plainCopy({ type: "x", seen: new Set() }), (e) =>
 *   e instanceof NotPlainDataError && e.problem === ".seen is a Set, not plain data " +
 *       "(send a plain object, or give it toJSON)");
 * ```
 */
export class NotPlainDataError extends TypeError {
  /** Where the value stops being plain data, and why. */
  readonly problem: string;

  /** An error for `problem` (as {@linkcode notPlainData} words it). */
  constructor(problem: string) {
    super(problem);
    this.name = "NotPlainDataError";
    this.problem = problem;
  }
}

/**
 * A deep copy of `value` as it would arrive after a trip through JSON:
 * object fields that are `undefined` are left out, `undefined` in an array
 * becomes `null`, an object with `toJSON` becomes what it returns. Throws a
 * {@linkcode NotPlainDataError} naming the field when `value` is not plain
 * data. One walk both checks and copies, so it costs little more than the
 * check alone.
 *
 * @example
 * ```ts
 * import { plainCopy } from "./plain_data.ts";
 * import assert from "node:assert/strict";
 * const log = [1];
 * const sent = plainCopy({ type: "entries", log, at: new Date(0), note: undefined });
 * log.push(2); // the sender goes on changing its own array
 * assert.deepEqual(sent, { type: "entries", log: [1], at: "1970-01-01T00:00:00.000Z" });
 * assert.throws(() => plainCopy({ type: "put", value: 10n }), /\.value is a bigint/);
 * ```
 */
export function plainCopy<T>(value: T): T {
  if (typeof value !== "object" || value === null) {
    const problem = value === undefined ? notPlainData(value) : primitiveProblem(value);
    if (problem !== undefined) throw new NotPlainDataError(problem);
    return value;
  }
  const copy = copyObject(value, 0);
  if (copy === FAIL) throw new NotPlainDataError(notPlainData(value) ?? "not plain data");
  return copy as T;
}

/** The fast path's answer for a value it cannot copy (the slow walk then says why). */
const FAIL: unique symbol = Symbol("not plain");

function primitiveProblem(v: unknown): string | undefined {
  return typeof v === "string" || typeof v === "boolean" ||
      (typeof v === "number" && v - v === 0)
    ? undefined
    : notPlainData(v);
}

/**
 * Frozen values already found to be plain data all the way down (and
 * frozen all the way down): nobody can change them, so a copy may share
 * them. Weak, so it holds on to nothing; only the outermost object of such
 * a value is kept, so one lookup tells on the hot path of every send.
 */
const SHAREABLE = new WeakSet<object>();

/**
 * A field or element that is an object: shared when frozen plain data all
 * the way down (made by {@linkcode frozenPlain}, or frozen by its owner),
 * else copied.
 */
function copyChild(x: object, depth: number): unknown {
  return Object.isFrozen(x) && shareable(x, depth) ? x : copyObject(x, depth);
}

/**
 * Freezes plain data all the way down and returns it. A deep-frozen value
 * travels in messages and sits in storage without being copied: nobody can
 * change it, so the copy a send makes shares it (a Raft log's entries, a
 * snapshot's state). A value that JSON would change (a `Date`, an
 * `undefined` field) is copied first, as JSON has it. Throws a
 * {@linkcode NotPlainDataError} naming the field when `value` is not plain
 * data.
 *
 * @example
 * ```ts
 * import { frozenPlain, plainCopy } from "./plain_data.ts";
 * import assert from "node:assert/strict";
 * const entry = frozenPlain({ term: 2, command: { key: "x", value: 1 } });
 * const msg = plainCopy({ type: "append", entries: [entry] });
 * assert.equal(msg.entries[0], entry); // shared, not copied
 * assert.throws(() => {
 *   (entry.command as { value: number }).value = 2;
 * }, TypeError);
 * ```
 */
export function frozenPlain<T>(value: T): T {
  if (typeof value !== "object" || value === null) return plainCopy(value);
  if (SHAREABLE.has(value)) return value;
  const v = jsonShaped(value, 0) ? value : plainCopy(value); // throws when not plain data
  freeze(v, 0);
  SHAREABLE.add(v);
  return v;
}

/**
 * Whether `v` is plain data that comes out of a JSON trip unchanged, and is
 * frozen all the way down; remembered when it is.
 */
function shareable(v: object, depth: number): boolean {
  if (SHAREABLE.has(v)) return true;
  if (!jsonShaped(v, depth, true)) return false;
  SHAREABLE.add(v);
  return true;
}

/**
 * Whether `v` is plain data that a JSON trip leaves as it is; with
 * `frozen`, also frozen all the way down (the frozen parts remembered).
 */
function jsonShaped(v: object, depth: number, frozen = false): boolean {
  if ((frozen && !Object.isFrozen(v)) || depth >= DEEP) return false;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) if (!fieldShaped(v[i], depth, frozen)) return false;
    return true;
  }
  if (Object.getPrototypeOf(v) !== Object.prototype) return false;
  for (const key in v) {
    if (!fieldShaped((v as Record<string, unknown>)[key], depth, frozen)) return false;
  }
  return true;
}

function fieldShaped(x: unknown, depth: number, frozen: boolean): boolean {
  const t = typeof x;
  if (t === "string" || t === "boolean") return true;
  if (t === "number") return (x as number) - (x as number) === 0;
  if (t !== "object") return false;
  if (x === null) return true;
  return frozen ? shareable(x as object, depth + 1) : jsonShaped(x as object, depth + 1);
}

/** Freezes `v` and everything in it. */
function freeze(v: object, depth: number): void {
  if (Object.isFrozen(v) && SHAREABLE.has(v)) return;
  for (const key in v) {
    const x = (v as Record<string, unknown>)[key];
    if (typeof x === "object" && x !== null) freeze(x, depth + 1);
  }
  Object.freeze(v);
}

function copyObject(v: object, depth: number): unknown {
  if (depth >= DEEP) return FAIL;
  if (Array.isArray(v)) return copyArray(v, depth);
  // A literal's constructor is Object; anything else (a class, a null prototype) is looked at.
  if ((v as { constructor?: unknown }).constructor !== Object) {
    const proto = Object.getPrototypeOf(v);
    if (proto !== Object.prototype && proto !== null) return copyJson(v, depth);
  }
  // A spread clones a flat message in one step (V8 copies the shape and the
  // fields together); the walk then only replaces what is not a primitive.
  // Most messages are flat, so most copies store nothing field by field,
  // and this function stays small enough to be inlined where it is called.
  const out: Record<string, unknown> = { ...v };
  for (const key in v) {
    const x = (v as Record<string, unknown>)[key];
    const t = typeof x;
    if (
      t === "string" || t === "boolean" || (t === "number" && x as number - (x as number) === 0)
    ) {
      continue;
    }
    if (!copyField(out, key, x, t, depth)) return FAIL;
  }
  return out;
}

/** Puts the copy of field `key` (not a finite primitive) into `out`; false when it is not plain data. */
function copyField(
  out: Record<string, unknown>,
  key: string,
  x: unknown,
  t: string,
  depth: number,
): boolean {
  if (t === "object") {
    if (x === null) return true;
    const c = copyChild(x as object, depth + 1);
    if (c === FAIL) return false;
    // A "__proto__" key (JSON.parse makes them) is data, not the copy's prototype.
    if (key === "__proto__") {
      Object.defineProperty(out, key, {
        value: c,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    } else out[key] = c;
    return true;
  }
  if (x === undefined) {
    delete out[key]; // JSON leaves it out
    return true;
  }
  return false;
}

function copyArray(v: unknown[], depth: number): unknown {
  const n = v.length;
  const out = new Array(n);
  for (let i = 0; i < n; i++) {
    const x = v[i];
    const t = typeof x;
    if (
      t === "string" || t === "boolean" || (t === "number" && (x as number) - (x as number) === 0)
    ) {
      out[i] = x;
    } else if (t === "object") {
      if (x === null) out[i] = null;
      else {
        const c = copyChild(x as object, depth + 1);
        if (c === FAIL) return FAIL;
        out[i] = c;
      }
    } else if (x === undefined) out[i] = null;
    else return FAIL;
  }
  return out;
}

/** An object of a class: what its `toJSON` gives, copied; without one it is not plain data. */
function copyJson(v: object, depth: number): unknown {
  const toJSON = (v as { toJSON?: unknown }).toJSON;
  if (typeof toJSON !== "function") return FAIL;
  const json = toJSON.call(v);
  if (typeof json !== "object" || json === null) {
    return primitiveProblem(json) === undefined && json !== undefined ? json : FAIL;
  }
  return copyObject(json, depth + 1);
}

function walk(v: unknown, path: string, depth: number, seen: unknown[] | null): string | undefined {
  switch (typeof v) {
    case "string":
    case "boolean":
      return undefined;
    case "number":
      return Number.isFinite(v) ? undefined : `${where(path)} is ${v}, which JSON cannot carry`;
    case "undefined":
      return depth === 0 ? "the message is undefined" : undefined;
    case "object": {
      if (v === null) return undefined;
      if (seen === null) {
        if (depth >= DEEP) return TOO_DEEP;
        return walkObject(v, path, depth, seen);
      }
      const at = seen.indexOf(v);
      if (at >= 0) {
        return `${where(path)} is a cycle back to ${
          at === 0 ? "the message itself" : "an enclosing object"
        }`;
      }
      seen.push(v);
      const found = walkObject(v, path, depth, seen);
      seen.pop();
      return found;
    }
    default:
      return `${where(path)} is a ${typeof v}`;
  }
}

function walkObject(
  v: object,
  path: string,
  depth: number,
  seen: unknown[] | null,
): string | undefined {
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const found = walk(v[i], `${path}[${i}]`, depth + 1, seen);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) {
    const toJSON = (v as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === "function") return walk(toJSON.call(v), path, depth, seen);
    const kind = v.constructor?.name ?? "object";
    return `${where(path)} is a ${kind}, not plain data (send a plain object, or give it toJSON)`;
  }
  for (const key in v) {
    const found = walk((v as Record<string, unknown>)[key], `${path}.${key}`, depth + 1, seen);
    if (found !== undefined) return found;
  }
  return undefined;
}

function where(path: string): string {
  return path === "" ? "the message" : path;
}
