/**
 * Dependencies of a read-write register history, as Elle infers them
 * (Kingsbury & Alvaro, "Elle", section 4.3, and `elle.rw-register`).
 *
 * Unique values make every read name the write it saw, so `wr` edges are
 * exact. The version order of a register is not visible in one read, so only
 * what is certain is used:
 *
 * - the initial state (`null`) comes before every written value;
 * - a committed transaction that read `v` and then wrote `w` to one key put
 *   `w` after `v` (writes follow reads within a transaction).
 *
 * For each pair `v < w` so known: the writer of `v` precedes the writer of
 * `w` (`ww`), and every transaction that read `v` precedes the writer of `w`
 * (`rw`). What the order leaves open (two blind writes nobody read between)
 * gives no edge, so, like Elle, this finds only anomalies that are certain:
 * a history it passes may still not be serializable under every choice of
 * order. Read-modify-write workloads (each write preceded by a read of its
 * key) have a known order, and there the check is exact.
 *
 * Two committed transactions that read one version and both wrote the key
 * are a `lost-update`: under the true order a `G-single`, which the partial
 * order may show only as a `G2`.
 *
 * A transaction's reads and writes of a key before its last write are
 * internal: only its first read (before it writes) and last write are seen
 * by others.
 *
 * @module
 */

import { sameValue, valueKey } from "../models.ts";
import { type ReadAnomaly, readAnomaly } from "./anomaly.ts";
import type { DependencyGraph } from "./dependency_graph.ts";
import type { Txn } from "./transactions.ts";

/** A write: its transaction, its position, and whether it is the last write of the key there. */
interface Write {
  txn: Txn;
  mop: number;
  final: boolean;
}

/** Everything known about one register. */
interface RegisterInfo {
  key: unknown;
  writes: Map<string | number, Write>;
  /** Committed transactions by the value they read externally (before writing the key). */
  readers: Map<string | number, Txn[]>;
  /** Known version order: each value's known successors (`null`'s key for the initial state). */
  next: Map<string | number, Set<string | number>>;
}

const INITIAL = valueKey(null);

/**
 * Adds the `ww`, `wr` and `rw` edges of a read-write register history to
 * `graph` and returns the anomalies single reads show.
 *
 * @example
 * ```ts
 * import { inferRwRegister } from "./rw_register.ts";
 * import { DependencyGraph, EDGE } from "./dependency_graph.ts";
 * import { readTransactions } from "./transactions.ts";
 * import assert from "node:assert/strict";
 * const op = (id: number, txn: unknown[]) => ({
 *   id, client: `c${id}`, f: "txn", input: txn, output: txn, call: id, ret: id + 1,
 *   status: "ok" as const,
 * });
 * const { txns } = readTransactions([
 *   op(0, [["w", "x", 1]]),
 *   op(1, [["r", "x", 1], ["w", "x", 2]]),
 * ]);
 * const g = new DependencyGraph(txns.length);
 * assert.deepEqual(inferRwRegister(txns, g), []);
 * assert.equal(g.kinds(0, 1), EDGE.ww | EDGE.wr);
 * ```
 */
export function inferRwRegister(txns: readonly Txn[], graph: DependencyGraph): ReadAnomaly[] {
  const anomalies: ReadAnomaly[] = [];
  const keys = indexWrites(txns);
  for (const t of txns) {
    if (t.status === "ok") readsOf(t, keys, anomalies, graph);
  }
  for (const info of keys.values()) {
    addOrderEdges(info, graph);
    findLostUpdates(info, anomalies);
  }
  return anomalies;
}

function indexWrites(txns: readonly Txn[]): Map<string | number, RegisterInfo> {
  const keys = new Map<string | number, RegisterInfo>();
  for (const t of txns) {
    const lastWrite = new Map<string | number, number>();
    t.mops.forEach((m, i) => {
      if (m.f === "w") lastWrite.set(valueKey(m.key), i);
    });
    t.mops.forEach((m, i) => {
      const id = valueKey(m.key);
      let info = keys.get(id);
      if (info === undefined) {
        keys.set(id, info = { key: m.key, writes: new Map(), readers: new Map(), next: new Map() });
      }
      if (m.f !== "w") return;
      const final = lastWrite.get(id) === i;
      info.writes.set(valueKey(m.value), { txn: t, mop: i, final });
      // The initial state precedes every version a transaction that may have committed wrote.
      if (final && t.status !== "fail") link(info, INITIAL, valueKey(m.value));
    });
  }
  return keys;
}

function link(info: RegisterInfo, from: string | number, to: string | number): void {
  let s = info.next.get(from);
  if (s === undefined) info.next.set(from, s = new Set());
  s.add(to);
}

/**
 * One committed transaction's reads: internal consistency, the anomalies a
 * read shows, `wr` edges, and the version order its reads and writes give.
 */
function readsOf(
  t: Txn,
  keys: Map<string | number, RegisterInfo>,
  out: ReadAnomaly[],
  graph: DependencyGraph,
): void {
  // What the transaction itself last read or wrote, per key.
  const state = new Map<string | number, { value: unknown; wrote: boolean }>();
  const external = new Map<string | number, unknown>();
  t.mops.forEach((m, i) => {
    const id = valueKey(m.key);
    const info = keys.get(id)!;
    const s = state.get(id);
    if (m.f === "w") {
      if (s === undefined || !s.wrote) {
        // Writes follow reads: a write after an external read comes after the value read.
        if (external.has(id)) {
          const v = external.get(id);
          const read = v === null ? undefined : info.writes.get(valueKey(v));
          // Only an installed version orders anything: not garbage, aborted or intermediate.
          if (v === null || (read !== undefined && read.final && read.txn.status !== "fail")) {
            link(info, valueKey(v), valueKey(lastWriteOf(t, id)));
          }
        }
      }
      state.set(id, { value: m.value, wrote: true });
      return;
    }
    const base = { op: t.id, key: m.key, value: m.value };
    if (s !== undefined && !sameValue(s.value, m.value)) {
      out.push(readAnomaly("rw-register", { ...base, type: "internal", expected: s.value }));
    }
    if (s === undefined) external.set(id, m.value);
    state.set(id, { value: m.value, wrote: s?.wrote ?? false });
    if (m.value === null) {
      if (s === undefined) addReader(info, INITIAL, t);
      return;
    }
    const w = info.writes.get(valueKey(m.value));
    if (w === undefined) {
      out.push(readAnomaly("rw-register", { ...base, type: "garbage-read" }));
    } else if (w.txn.status === "fail") {
      out.push(readAnomaly("rw-register", { ...base, type: "G1a", writer: w.txn.id }));
    } else if (w.txn === t) {
      if (w.mop > i) out.push(readAnomaly("rw-register", { ...base, type: "future-read" }));
    } else if (!w.final) {
      out.push(readAnomaly("rw-register", { ...base, type: "G1b", writer: w.txn.id }));
    } else if (s === undefined) {
      graph.add(w.txn.index, t.index, "wr", { key: info.key, before: m.value });
      addReader(info, valueKey(m.value), t);
    }
  });
}

function lastWriteOf(t: Txn, keyId: string | number): unknown {
  for (let i = t.mops.length - 1; i >= 0; i--) {
    const m = t.mops[i];
    if (m.f === "w" && valueKey(m.key) === keyId) return m.value;
  }
  throw new Error(`unreachable: T${t.id} writes key ${String(keyId)}`);
}

function addReader(info: RegisterInfo, value: string | number, t: Txn): void {
  const list = info.readers.get(value);
  if (list === undefined) info.readers.set(value, [t]);
  else list.push(t);
}

/** `ww` and `rw` edges from each known pair `v < w` of one register. */
function addOrderEdges(info: RegisterInfo, graph: DependencyGraph): void {
  const key = info.key;
  for (const [from, successors] of info.next) {
    const before = from === INITIAL ? null : info.writes.get(from)!.txn.mops[
      info.writes.get(from)!.mop
    ].value;
    const a = from === INITIAL ? undefined : info.writes.get(from)!.txn;
    for (const to of successors) {
      const w = info.writes.get(to)!;
      const after = w.txn.mops[w.mop].value;
      if (a !== undefined && a.status !== "fail") {
        graph.add(a.index, w.txn.index, "ww", { key, before, after });
      }
      for (const reader of info.readers.get(from) ?? []) {
        graph.add(reader.index, w.txn.index, "rw", { key, before, after });
      }
    }
  }
}

/** Two committed transactions that read one version of the register and both wrote it. */
function findLostUpdates(info: RegisterInfo, out: ReadAnomaly[]): void {
  const keyId = valueKey(info.key);
  for (const [value, readers] of info.readers) {
    const writers = readers.filter((t) =>
      t.mops.some((m) => m.f === "w" && valueKey(m.key) === keyId)
    );
    if (writers.length < 2) continue;
    const read = value === INITIAL
      ? null
      : info.writes.get(value)!.txn.mops[info.writes.get(value)!.mop].value;
    out.push(readAnomaly("rw-register", {
      type: "lost-update",
      op: writers[1].id,
      writer: writers[0].id,
      key: info.key,
      value: read,
    }));
  }
}
