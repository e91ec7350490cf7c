/**
 * A brute-force serializability checker for small transaction histories,
 * the oracle `txncheck` is tested against: try every serial order of the
 * committed transactions (with every subset of the ones whose outcome is
 * unknown) and run it on a fresh database, asking whether every committed
 * transaction reads what it reported. With `realtime`, a transaction that
 * returned before another was called must come first (strict
 * serializability).
 *
 * Exponential on purpose: it shares no idea with the checker.
 */

import type { Operation } from "../sim/history.ts";
import { canonical } from "../sim/check/models.ts";

type Mop = [string, unknown, unknown];

interface T {
  op: Operation;
  mops: Mop[];
  committed: boolean;
}

function mopsOf(op: Operation): Mop[] {
  const v = op.status === "ok" && Array.isArray(op.output) ? op.output : op.input;
  return (v as Mop[]).map(([f, k, x]) => [String(f).replace(/^:/, ""), k, x]);
}

/** Runs `t` on `db`; returns the new db, or undefined if a known read disagrees. */
function run(t: T, db: Map<string, unknown>): Map<string, unknown> | undefined {
  const next = new Map(db);
  for (const [f, k, v] of t.mops) {
    const key = canonical(k);
    if (f === "append") {
      next.set(key, [...((next.get(key) as unknown[] | undefined) ?? []), v]);
    } else if (f === "w") {
      next.set(key, v);
    } else if (t.committed) {
      const isList = Array.isArray(v) || t.mops.some((m) => m[0] === "append");
      const have = next.get(key) ?? (isList ? [] : null);
      const want = v ?? (isList ? [] : null);
      if (canonical(have) !== canonical(want)) return undefined;
    }
  }
  return next;
}

/**
 * Whether some serial order of the history's transactions explains every
 * committed read.
 */
export function serialOrderExists(
  history: readonly Operation[],
  options: { realtime?: boolean } = {},
): boolean {
  const all: T[] = history
    .filter((op) => op.status !== "fail")
    .map((op) => ({ op, mops: mopsOf(op), committed: op.status === "ok" }));
  const maybe = all.filter((t) => !t.committed);
  if (all.length > 10) throw new RangeError(`brute force: ${all.length} transactions is too many`);
  for (let subset = 0; subset < 1 << maybe.length; subset++) {
    const chosen = all.filter((t) => t.committed || (subset & (1 << maybe.indexOf(t))) !== 0);
    if (search(chosen, options.realtime ?? false)) return true;
  }
  return false;
}

function search(txns: readonly T[], realtime: boolean): boolean {
  const n = txns.length;
  const failed = new Set<string>();
  const go = (placed: number, db: Map<string, unknown>): boolean => {
    if (placed === (1 << n) - 1) return true;
    const memo = placed + "|" + canonical([...db].sort());
    if (failed.has(memo)) return false;
    for (let i = 0; i < n; i++) {
      if ((placed & (1 << i)) !== 0) continue;
      const t = txns[i];
      // Real time: every transaction that returned before t was called is already placed.
      if (
        realtime &&
        txns.some((u, j) => (placed & (1 << j)) === 0 && j !== i && u.op.ret < t.op.call)
      ) continue;
      const after = run(t, db);
      if (after !== undefined && go(placed | (1 << i), after)) return true;
    }
    failed.add(memo);
    return false;
  };
  return go(0, new Map());
}
