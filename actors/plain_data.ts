/**
 * Plain data: what may travel in a message, sit in a timer or in storage,
 * and be saved in a trace. It is what JSON carries: `null`, booleans, finite
 * numbers, strings, arrays and objects of plain data (an object field may be
 * `undefined`, which JSON leaves out). An object with a `toJSON` method
 * counts as what that method returns.
 *
 * Everything else (a BigInt, a function, a symbol, a Map, a Date, NaN, a
 * cycle) would be lost or changed on the way through a trace file or a real
 * network, so the simulator refuses it at the send, in every trace mode,
 * and names the field.
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
