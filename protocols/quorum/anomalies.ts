/**
 * The two ways a quorum-replicated register goes wrong in lectures 5.2 and
 * 7.2, found by name in a history: a *stale read* (a read misses a write
 * that had already returned) and *new then old* (one read sees a write
 * under way, a later read misses it). The linearizability checker says
 * whether a history is wrong; this says which of the lessons it shows.
 *
 * @module
 */

import { canonical } from "../../sim/check/models.ts";
import type { Operation } from "../../sim/history.ts";

/**
 * What went wrong in a history, named after the lectures.
 *
 * - `stale-read`: `read` returned a value older than that of `write`, which
 *   returned before `read` was called.
 * - `new-then-old`: `first` returned `write`'s value while `write` had not
 *   returned, and `second`, called after `first` returned, got an older one.
 *
 * @example
 * ```ts
 * import { type Anomaly, findAnomaly } from "./anomalies.ts";
 * import assert from "node:assert/strict";
 * const op = (id: number, f: string, input: unknown, output: unknown, call: number, ret: number) =>
 *   ({ id, client: `c${id}`, f, input, output, call, ret, status: "ok" as const });
 * const a: Anomaly | undefined = findAnomaly([
 *   op(0, "write", { key: "x", value: 1 }, undefined, 0, 3),
 *   op(1, "read", { key: "x" }, null, 5, 7), // began after the write returned, read nil
 * ]);
 * assert.equal(a?.kind, "stale-read");
 * assert.equal(a?.kind === "stale-read" ? a.read.id : undefined, 1);
 * ```
 */
export type Anomaly =
  | { kind: "stale-read"; write: Operation; read: Operation }
  | { kind: "new-then-old"; write: Operation; first: Operation; second: Operation };

/**
 * Finds the first (by call time of the later read) stale read or
 * new-then-old pair in a key-value history in which each key has one
 * writer, whose writes therefore happen in call order. Returns `undefined`
 * when there is neither. This looks for the two patterns only; the
 * linearizability checker is the judge of everything else.
 *
 * @example
 * ```ts
 * import { findAnomaly } from "./anomalies.ts";
 * import assert from "node:assert/strict";
 * const op = (id: number, f: string, input: unknown, output: unknown, call: number, ret: number) =>
 *   ({ id, client: `c${id}`, f, input, output, call, ret, status: "ok" as const });
 * const anomaly = findAnomaly([
 *   op(0, "write", { key: "x", value: 1 }, undefined, 0, 10),
 *   op(1, "read", { key: "x" }, 1, 2, 4),
 *   op(2, "read", { key: "x" }, null, 5, 7),
 * ]);
 * assert.equal(anomaly?.kind, "new-then-old"); // read 1 saw the write under way, read 2 missed it
 * ```
 */
export function findAnomaly(history: readonly Operation[]): Anomaly | undefined {
  const keyOf = (op: Operation) => (op.input as { key: string }).key;
  const valueOf = (op: Operation) =>
    op.f === "write" ? (op.input as { value: unknown }).value : op.output;
  const idOf = (op: Operation) => `${keyOf(op)}\u0000${canonical(valueOf(op))}`;
  const writes = history.filter((op) => op.f === "write" && op.status !== "fail")
    .sort((a, b) => a.call - b.call || a.id - b.id);
  // Each key's values in the order its one writer wrote them: nil is 0.
  const rank = new Map<string, number>();
  const writeOf = new Map<string, Operation>();
  const written = new Map<string, number>();
  for (const w of writes) {
    const n = (written.get(keyOf(w)) ?? 0) + 1;
    written.set(keyOf(w), n);
    rank.set(idOf(w), n);
    writeOf.set(idOf(w), w);
  }
  const rankOf = (op: Operation) =>
    valueOf(op) === null || valueOf(op) === undefined ? 0 : rank.get(idOf(op));
  const reads = history.filter((op) => op.f === "read" && op.status === "ok")
    .sort((a, b) => a.call - b.call || a.id - b.id);
  for (const read of reads) {
    const key = keyOf(read);
    const seen = rankOf(read);
    if (seen === undefined) continue; // a value nobody wrote: neither pattern
    const newer = (op: Operation) => keyOf(op) === key && (rankOf(op) ?? -1) > seen;
    const missed = writes.find((w) => newer(w) && w.status === "ok" && w.ret < read.call);
    if (missed !== undefined) return { kind: "stale-read", write: missed, read };
    // No newer write had returned, so the write the earlier read saw was under way.
    const first = reads.find((r) => newer(r) && r.ret < read.call);
    if (first !== undefined) {
      return { kind: "new-then-old", write: writeOf.get(idOf(first))!, first, second: read };
    }
  }
  return undefined;
}

/**
 * An anomaly in a sentence or two, with operation ids, clients and times.
 *
 * @example
 * ```ts
 * import { describeAnomaly, findAnomaly } from "./anomalies.ts";
 * import assert from "node:assert/strict";
 * const op = (id: number, f: string, input: unknown, output: unknown, call: number, ret: number) =>
 *   ({ id, client: `c${id}`, f, input, output, call, ret, status: "ok" as const });
 * const a = findAnomaly([
 *   op(0, "write", { key: "x", value: 1 }, undefined, 0, 3),
 *   op(1, "read", { key: "x" }, null, 5, 7),
 * ]);
 * assert.equal(
 *   describeAnomaly(a!),
 *   "stale read: op 1 (c1) read x -> nil [5, 7] began after " +
 *     "op 0 (c0) write x 1 [0, 3] had returned",
 * );
 * ```
 */
export function describeAnomaly(a: Anomaly): string {
  switch (a.kind) {
    case "stale-read":
      return `stale read: ${opText(a.read)} began after ${opText(a.write)} had returned`;
    case "new-then-old":
      return `new then old: ${opText(a.first)} saw ${opText(a.write)} while it was under way; ` +
        `${opText(a.second)}, begun after that read returned, saw an older value`;
    default: {
      const never: never = a;
      throw new Error(`unknown anomaly ${JSON.stringify(never)}`);
    }
  }
}

/** `op 3 (c2) read x -> c1.2 [10.5, 14.1]` */
function opText(op: Operation): string {
  const { key, value } = op.input as { key: string; value?: unknown };
  const what = op.f === "write"
    ? `write ${key} ${show(value)}`
    : `read ${key} -> ${show(op.output)}`;
  const ret = op.ret === Infinity ? "never returned" : round(op.ret);
  return `op ${op.id} (${op.client}) ${what} [${round(op.call)}, ${ret}]`;
}

function show(v: unknown): string {
  return v === null || v === undefined ? "nil" : String(v);
}

function round(t: number): string {
  return String(Math.round(t * 10) / 10);
}
