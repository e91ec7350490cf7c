/**
 * Helpers shared by the types. Internal (not exported from `mod.ts`).
 * Decoding messages name the type and the path, so a malformed message from
 * the network is easy to find; operation messages name the bad input.
 *
 * @module
 */

import { checkNodeId, type NodeId } from "../../actors/mod.ts";
import { canonicalJson, compareStrings, type Json } from "./crdt.ts";
import type { Timestamp } from "./timestamp.ts";

/** Throws a `TypeError` saying what was expected where. */
export function malformed(where: string, expected: string, got: unknown): never {
  let shown: string;
  try {
    shown = JSON.stringify(got) ?? String(got);
  } catch {
    shown = String(got);
  }
  if (shown.length > 60) shown = `${shown.slice(0, 57)}...`;
  throw new TypeError(`${where}: expected ${expected}, got ${shown}`);
}

/** `json` as an array, or a `TypeError`. */
export function asArray(json: unknown, where: string): readonly unknown[] {
  return Array.isArray(json) ? json : malformed(where, "an array", json);
}

/** `json` as a plain object, or a `TypeError`. */
export function asRecord(json: unknown, where: string): Readonly<Record<string, unknown>> {
  return typeof json === "object" && json !== null && !Array.isArray(json)
    ? json as Record<string, unknown>
    : malformed(where, "an object", json);
}

/** `json` as a safe integer of at least `min`, or a `TypeError`. */
export function asInteger(json: unknown, where: string, min: number): number {
  return Number.isSafeInteger(json) && (json as number) >= min
    ? json as number
    : malformed(where, `an integer >= ${min}`, json);
}

/** `json` as a finite number, or a `TypeError`. */
export function asFinite(json: unknown, where: string): number {
  return typeof json === "number" && Number.isFinite(json)
    ? json
    : malformed(where, "a finite number", json);
}

/** `json` as a well-formed node id, or a `TypeError`. */
export function asNodeId(json: unknown, where: string): NodeId {
  return checkNodeId(json, `${where}: node id`);
}

/** `json` as a JSON value with its canonical key, or a `TypeError`. */
export function asElement<T extends Json>(json: unknown, where: string): [T, string] {
  try {
    return [json as T, canonicalJson(json)];
  } catch (e) {
    return malformed(where, `a JSON value (${(e as Error).message})`, json);
  }
}

/**
 * Throws a `RangeError` unless `amount` is a non-negative safe integer; `hint`
 * says what to do instead of a negative amount.
 */
export function checkAmount(what: string, amount: number, hint: string): void {
  if (typeof amount !== "number" || !Number.isSafeInteger(amount)) {
    throw new RangeError(`${what}: amount must be a whole number, got ${amount}`);
  }
  if (amount < 0) throw new RangeError(`${what}: amount ${amount} is negative: ${hint}`);
}

/** The values of a map keyed by canonical JSON, in key order, so every replica lists them alike. */
export function sortedValues<T>(map: ReadonlyMap<string, T>): T[] {
  return [...map.keys()].sort(compareStrings).map((k) => map.get(k) as T);
}

/** Parses a timestamp's two fields, or throws a `TypeError`. */
export function parseTimestamp(time: unknown, node: unknown, where: string): Timestamp {
  return { time: asFinite(time, `${where}.time`), node: asNodeId(node, `${where}.node`) };
}
