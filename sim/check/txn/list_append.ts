/**
 * Dependencies of a list-append history, as Elle infers them (Kingsbury &
 * Alvaro, "Elle: Inferring Isolation Anomalies from Experimental
 * Observations", VLDB 2020, section 4).
 *
 * Appends of unique elements make lists *traceable*: every read of a key is
 * a prefix of the key's final list, so the longest read gives the version
 * order of the appends it shows, and every read names exactly which version
 * it saw. From them:
 *
 * - `ww`: the writer of element i precedes the writer of element i + 1;
 * - `wr`: the writer of a read's last element precedes the reader;
 * - `rw`: a reader of the list up to element i precedes the writer of
 *   element i + 1.
 *
 * An append no read shows still came after every element any read shows, so
 * the writer of the longest read's last element precedes it (`ww`), and so
 * does every reader of that longest list (`rw`). The same pass finds the
 * anomalies a single read shows: an aborted (`G1a`) or intermediate (`G1b`)
 * read, a read that contradicts its own transaction (`internal`,
 * `future-read`), a read of an element nobody appended (`garbage-read`),
 * lists that are not prefixes of one another (`incompatible-order`), and an
 * element read twice (`duplicate-elements`).
 *
 * @module
 */

import { valueKey } from "../models.ts";
import { type ReadAnomaly, readAnomaly } from "./anomaly.ts";
import type { DependencyGraph } from "./dependency_graph.ts";
import type { Txn } from "./transactions.ts";

/** Where an element came from: its transaction and the append's position in it. */
interface Append {
  txn: Txn;
  mop: number;
  /** Whether it is the transaction's last append to the key. */
  final: boolean;
}

/** A read of a key by a committed transaction. */
interface ListRead {
  txn: Txn;
  mop: number;
  elements: unknown[];
}

/** Everything known about one key. */
interface KeyInfo {
  key: unknown;
  appends: Map<string | number, Append>;
  reads: ListRead[];
}

/**
 * Adds the `ww`, `wr` and `rw` edges of a list-append history to `graph`
 * (node `t.index` for transaction `t`) and returns the anomalies single
 * reads show.
 *
 * @example
 * ```ts
 * import { inferListAppend } from "./list_append.ts";
 * import { DependencyGraph, EDGE } from "./dependency_graph.ts";
 * import { readTransactions } from "./transactions.ts";
 * import assert from "node:assert/strict";
 * const op = (id: number, txn: unknown[]) => ({
 *   id, client: `c${id}`, f: "txn", input: txn, output: txn, call: id, ret: id + 1,
 *   status: "ok" as const,
 * });
 * const { txns } = readTransactions([
 *   op(0, [["append", "x", 1]]),
 *   op(1, [["r", "x", [1]], ["append", "x", 2]]),
 * ]);
 * const g = new DependencyGraph(txns.length);
 * assert.deepEqual(inferListAppend(txns, g), []);
 * assert.equal(g.kinds(0, 1), EDGE.ww | EDGE.wr);
 * ```
 */
export function inferListAppend(txns: readonly Txn[], graph: DependencyGraph): ReadAnomaly[] {
  const anomalies: ReadAnomaly[] = [];
  const keys = indexKeys(txns);
  for (const t of txns) if (t.status === "ok") checkInternal(t, anomalies);
  for (const info of keys.values()) {
    const order = checkReads(info, anomalies);
    if (order !== undefined) addEdges(info, order, graph);
    else addReadEdges(info, graph);
  }
  return anomalies;
}

function indexKeys(txns: readonly Txn[]): Map<string | number, KeyInfo> {
  const keys = new Map<string | number, KeyInfo>();
  const infoOf = (key: unknown) => {
    const id = valueKey(key);
    let info = keys.get(id);
    if (info === undefined) keys.set(id, info = { key, appends: new Map(), reads: [] });
    return info;
  };
  for (const t of txns) {
    const lastAppend = new Map<string | number, number>();
    t.mops.forEach((m, i) => {
      if (m.f === "append") lastAppend.set(valueKey(m.key), i);
    });
    t.mops.forEach((m, i) => {
      const info = infoOf(m.key);
      if (m.f === "append") {
        info.appends.set(valueKey(m.value), {
          txn: t,
          mop: i,
          final: lastAppend.get(valueKey(m.key)) === i,
        });
      } else if (t.status === "ok") {
        // Only a committed transaction's reads are known: an info one's are not.
        info.reads.push({ txn: t, mop: i, elements: (m.value as unknown[] | null) ?? [] });
      }
    });
  }
  return keys;
}

/**
 * INT (Cerone et al.): a read agrees with the transaction's own earlier
 * micro-operations on that key: after a read, the same list plus its own
 * appends; after appends only, a list ending with them.
 */
function checkInternal(t: Txn, out: ReadAnomaly[]): void {
  const state = new Map<string | number, { known: boolean; elements: unknown[] }>();
  t.mops.forEach((m) => {
    const id = valueKey(m.key);
    const s = state.get(id);
    if (m.f === "append") {
      if (s === undefined) state.set(id, { known: false, elements: [m.value] });
      else s.elements.push(m.value);
      return;
    }
    const seen = (m.value as unknown[] | null) ?? [];
    if (s !== undefined) {
      const ok = s.known ? sameList(seen, s.elements) : seen.length >= s.elements.length &&
        sameList(seen.slice(seen.length - s.elements.length), s.elements);
      if (!ok) {
        const expected = s.known ? s.elements : ["...", ...s.elements];
        out.push(readAnomaly("list-append", {
          type: "internal",
          op: t.id,
          key: m.key,
          value: seen,
          expected,
        }));
      }
    }
    state.set(id, { known: true, elements: [...seen] });
  });
}

function sameList(a: readonly unknown[], b: readonly unknown[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (valueKey(a[i]) !== valueKey(b[i])) return false;
  return true;
}

/**
 * Checks every read of one key and returns the version order (the longest
 * read), or `undefined` when the reads contradict each other or the
 * transactions' own order of appends, so no order can be trusted.
 */
function checkReads(info: KeyInfo, out: ReadAnomaly[]): unknown[] | undefined {
  let longest: ListRead | undefined;
  let consistent = true;
  const usable: ListRead[] = [];
  for (const r of info.reads) {
    if (!checkElements(info, r, out)) {
      consistent = false;
      continue;
    }
    usable.push(r);
    if (longest === undefined || r.elements.length > longest.elements.length) longest = r;
  }
  const order = longest?.elements ?? [];
  for (const r of usable) {
    if (!sameList(r.elements, order.slice(0, r.elements.length))) {
      out.push(readAnomaly("list-append", {
        type: "incompatible-order",
        op: r.txn.id,
        key: info.key,
        value: r.elements,
        expected: order,
      }));
      consistent = false;
    }
  }
  if (!consistent) return undefined;
  return checkOwnOrder(info, order, out) ? order : undefined;
}

/** The anomalies one read shows by its elements alone; false if the read cannot be used. */
function checkElements(info: KeyInfo, r: ListRead, out: ReadAnomaly[]): boolean {
  const base = { op: r.txn.id, key: info.key, value: r.elements };
  const seen = new Set<string | number>();
  let usable = true;
  r.elements.forEach((e, i) => {
    const id = valueKey(e);
    if (seen.has(id)) {
      out.push(readAnomaly("list-append", { ...base, type: "duplicate-elements", element: e }));
      usable = false;
      return;
    }
    seen.add(id);
    const w = info.appends.get(id);
    if (w === undefined) {
      out.push(readAnomaly("list-append", { ...base, type: "garbage-read", element: e }));
      usable = false;
    } else if (w.txn.status === "fail") {
      out.push(readAnomaly("list-append", { ...base, type: "G1a", writer: w.txn.id, element: e }));
    } else if (w.txn === r.txn && w.mop > r.mop) {
      out.push(readAnomaly("list-append", { ...base, type: "future-read", element: e }));
    } else if (i === r.elements.length - 1 && !w.final && w.txn !== r.txn) {
      out.push(readAnomaly("list-append", { ...base, type: "G1b", writer: w.txn.id }));
    }
  });
  return usable;
}

/**
 * A transaction's appends to one key sit together, in its own order: the
 * ones the order shows come first and in sequence. Two appends in the wrong
 * order, or a later one shown without an earlier one, cannot be explained.
 * (Another transaction's append between two of them is a `ww` cycle, G0.)
 */
function checkOwnOrder(info: KeyInfo, order: readonly unknown[], out: ReadAnomaly[]): boolean {
  const position = new Map<string | number, number>();
  order.forEach((e, i) => position.set(valueKey(e), i));
  const byTxn = new Map<Txn, Append[]>();
  for (const a of info.appends.values()) {
    const list = byTxn.get(a.txn);
    if (list === undefined) byTxn.set(a.txn, [a]);
    else list.push(a);
  }
  let ok = true;
  for (const [t, appends] of byTxn) {
    if (appends.length < 2 || t.status === "fail") continue;
    appends.sort((a, b) => a.mop - b.mop);
    let previous = -1, shown = true;
    for (const a of appends) {
      const p = position.get(valueKey(t.mops[a.mop].value));
      if (p === undefined) {
        shown = false;
        continue;
      }
      if (!shown || p < previous) {
        const reader = info.reads.find((r) => r.elements.length > p)!;
        out.push(readAnomaly("list-append", {
          type: "incompatible-order",
          op: reader.txn.id,
          writer: t.id,
          key: info.key,
          value: reader.elements,
          what: `but T${t.id} appended ${
            appends.map((x) => JSON.stringify(t.mops[x.mop].value)).join(", ")
          } in that order`,
        }));
        ok = false;
        break;
      }
      previous = p;
    }
  }
  return ok;
}

/** The `ww`, `wr` and `rw` edges of one key, given its version order. */
function addEdges(info: KeyInfo, order: readonly unknown[], graph: DependencyGraph): void {
  const key = info.key;
  const writerOf = (e: unknown) => info.appends.get(valueKey(e))!.txn;
  const committed = (t: Txn) => t.status !== "fail";
  for (let i = 1; i < order.length; i++) {
    const a = writerOf(order[i - 1]), b = writerOf(order[i]);
    if (committed(a) && committed(b)) {
      graph.add(a.index, b.index, "ww", { key, before: order[i - 1], after: order[i] });
    }
  }
  addReadEdges(info, graph);
  // Who read exactly the version before element i (i = order.length: the longest read).
  const readersAt = new Map<number, Txn[]>();
  for (const r of info.reads) {
    const list = readersAt.get(r.elements.length);
    if (list === undefined) readersAt.set(r.elements.length, [r.txn]);
    else list.push(r.txn);
  }
  for (let i = 0; i < order.length; i++) {
    const b = writerOf(order[i]);
    if (!committed(b)) continue;
    for (const reader of readersAt.get(i) ?? []) {
      graph.add(reader.index, b.index, "rw", {
        key,
        before: order[i - 1] ?? null,
        after: order[i],
      });
    }
  }
  // Appends no read shows came after all that reads show.
  const shown = new Set(order.map(valueKey));
  const last = order.length === 0 ? undefined : writerOf(order[order.length - 1]);
  const lastValue = order.length === 0 ? null : order[order.length - 1];
  for (const [id, a] of info.appends) {
    if (shown.has(id) || !committed(a.txn)) continue;
    const after = a.txn.mops[a.mop].value;
    if (last !== undefined && committed(last)) {
      graph.add(last.index, a.txn.index, "ww", { key, before: lastValue, after });
    }
    for (const reader of readersAt.get(order.length) ?? []) {
      graph.add(reader.index, a.txn.index, "rw", { key, before: lastValue, after });
    }
  }
}

/** The `wr` edges of one key: exact whatever the version order, so added even without one. */
function addReadEdges(info: KeyInfo, graph: DependencyGraph): void {
  for (const r of info.reads) {
    if (r.elements.length === 0) continue;
    const last = r.elements[r.elements.length - 1];
    const w = info.appends.get(valueKey(last));
    if (w === undefined || w.txn.status === "fail") continue;
    graph.add(w.txn.index, r.txn.index, "wr", { key: info.key, before: last });
  }
}
