/**
 * A linearizability checker for recorded client histories: the Wing & Gong
 * search as improved by Lowe, with memoisation of visited (linearized set,
 * state) pairs as in Porcupine, and P-compositionality through a model's
 * `partition` (a key-value history is checked one key at a time).
 *
 * Semantics are Jepsen's. An `ok` operation happened between its call and its
 * return, with the output it reported. A `fail` operation did not happen and
 * is dropped. An `info` or `pending` operation may or may not have happened
 * and never returns: it may be placed anywhere after its call, or left out.
 *
 * An operation that returns at the same instant another is called counts as
 * concurrent with it (Porcupine's convention), so equal timestamps never
 * produce a false alarm.
 *
 * The search runs on typed arrays: the history is a doubly linked list of
 * call and return entries (lifted and restored in O(1), "dancing links"), the
 * linearized set is identified by an incremental Zobrist hash, and the memo
 * table is open addressing over `Int32Array`s. A memo entry stores the set
 * exactly, but compactly: every operation called before the first return
 * still in the list is either linearized or waiting in the list, and nothing
 * called after it is linearized, so (that first return, the waiting calls
 * before it) pins the set down in O(concurrency) words instead of n/32.
 *
 * @module
 */

import type { OpId } from "../../actors/mod.ts";
import { History, type Operation } from "../history.ts";
import type { Violation } from "../simulation.ts";
import { type Model, ModelInputError } from "./models.ts";

/**
 * The checker's verdict: `ok` (linearizable), `illegal` (not) or `unknown`
 * (the time budget ran out first).
 *
 * @example
 * ```ts
 * import { checkLinearizability, type Verdict } from "./linearizability.ts";
 * import { registerModel } from "./models.ts";
 * import assert from "node:assert/strict";
 * const v: Verdict = checkLinearizability([], registerModel).result;
 * assert.equal(v, "ok");
 * ```
 */
export type Verdict = "ok" | "illegal" | "unknown";

/**
 * Options for {@linkcode checkLinearizability}.
 *
 * @example
 * ```ts
 * import { checkLinearizability, type CheckOptions } from "./linearizability.ts";
 * import { kvModel } from "./models.ts";
 * import assert from "node:assert/strict";
 * const opts: CheckOptions = { timeoutMs: 5_000, partition: false };
 * assert.equal(checkLinearizability([], kvModel, opts).result, "ok");
 * ```
 */
export interface CheckOptions {
  /**
   * A wall-clock budget in milliseconds for the whole check. When it runs
   * out the verdict is `unknown`. Default: no limit.
   */
  timeoutMs?: number;
  /** Use the model's `partition` when it has one (default `true`). */
  partition?: boolean;
}

/**
 * Why a history is not linearizable: the longest linearizable prefix the
 * search found and the operation that could not be placed after it. `ops` is
 * small enough to highlight on a space-time diagram.
 *
 * @example
 * ```ts
 * import { checkLinearizability, type Counterexample } from "./linearizability.ts";
 * import { registerModel } from "./models.ts";
 * import assert from "node:assert/strict";
 * const c: Counterexample | undefined = checkLinearizability([
 *   { id: 0, client: "a", f: "write", input: 1, output: undefined, call: 0, ret: 1, status: "ok" },
 *   { id: 1, client: "b", f: "read", input: null, output: null, call: 2, ret: 3, status: "ok" },
 * ], registerModel).counterexample;
 * assert.equal(c?.stuck, 1); // the read of nil after the write returned
 * assert.deepEqual(c?.prefix, [0]);
 * ```
 */
export interface Counterexample {
  /** Index of the failing part when the model partitions the history (0 otherwise). */
  partition: number;
  /** Ids of the longest linearizable prefix found, in linearization order. */
  prefix: OpId[];
  /**
   * The operation that no order could place after that prefix: it returned,
   * so it must already have taken effect, but every candidate order fails.
   */
  stuck: OpId;
  /**
   * Operations to highlight, by call time: `stuck`, the other operations
   * still waiting to be placed at that point, and the prefix operations that
   * overlap them or were placed last.
   */
  ops: OpId[];
  /** The model's state after the prefix, described. */
  state: string;
  /** Lines for a person: a summary, then one line per entry of `ops`, in the same order. */
  description: string[];
}

/**
 * What {@linkcode checkLinearizability} returns.
 *
 * @example
 * ```ts
 * import { checkLinearizability, type LinearizabilityResult } from "./linearizability.ts";
 * import { registerModel } from "./models.ts";
 * import assert from "node:assert/strict";
 * const r: LinearizabilityResult = checkLinearizability([
 *   { id: 0, client: "a", f: "write", input: 1, output: undefined, call: 0, ret: 1, status: "ok" },
 * ], registerModel);
 * assert.equal(r.result, "ok");
 * assert.equal(r.ops, 1);
 * assert.equal(r.counterexample, undefined);
 * ```
 */
export interface LinearizabilityResult {
  /** The verdict. */
  result: Verdict;
  /** Number of operations in the history given (including failed ones). */
  ops: number;
  /** Wall-clock milliseconds spent. */
  ms: number;
  /** Number of independent parts checked (smallest first), including the one that decided. */
  partitions: number;
  /** Present when `result` is `illegal`. */
  counterexample?: Counterexample;
}

/**
 * The search's answer for one part ({@linkcode searchPart}), in the part's
 * local operation indices: `illegal` carries the deepest dead end found.
 *
 * @example
 * ```ts
 * import type { PartOutcome } from "./linearizability.ts";
 * import assert from "node:assert/strict";
 * const o: PartOutcome<number> = { kind: "ok" };
 * assert.equal(o.kind, "ok");
 * ```
 */
export type PartOutcome<S> =
  | { kind: "ok" }
  | { kind: "unknown" }
  | { kind: "illegal"; prefix: Int32Array; stuck: number; window: number[]; state: S };

/** How often (in search steps) the wall clock is read: cheap, yet well under a millisecond. */
const CLOCK_EVERY = 1024;

/**
 * A search that has remembered this many (set, state) pairs gives up with
 * `unknown`: past it the memo costs gigabytes, and failing with a verdict
 * beats crashing out of memory when no time budget was given.
 */
const MAX_STATES = 1 << 23;

/**
 * Checks whether `history` is linearizable with respect to `model`.
 *
 * The verdict is `unknown` when `timeoutMs` runs out, or when one part's
 * search would have to remember more than 2^23 (set, state) pairs (a memory
 * budget of a few hundred megabytes).
 *
 * Failed operations are dropped, `info` and `pending` ones may take effect
 * at any point after their call or not at all, and an `info`/`pending`
 * operation the model calls read-only is dropped outright. Throws
 * {@linkcode ModelInputError} when an operation does not fit the model, and
 * `RangeError` when an `ok` operation returns before it is called.
 *
 * @example
 * ```ts
 * import { checkLinearizability } from "./linearizability.ts";
 * import { registerModel } from "./models.ts";
 * import assert from "node:assert/strict";
 * // Lecture 7.2: after a read saw the new value, a later read sees the old one.
 * const r = checkLinearizability([
 *   { id: 0, client: "a", f: "write", input: 1, output: undefined, call: 0, ret: 10, status: "ok" },
 *   { id: 1, client: "b", f: "read", input: null, output: 1, call: 2, ret: 4, status: "ok" },
 *   { id: 2, client: "c", f: "read", input: null, output: null, call: 5, ret: 7, status: "ok" },
 * ], registerModel);
 * assert.equal(r.result, "illegal");
 * assert.equal(r.counterexample?.stuck, 2);
 * ```
 */
export function checkLinearizability<S>(
  history: readonly Operation[] | History,
  model: Model<S>,
  opts: CheckOptions = {},
): LinearizabilityResult {
  const start = performance.now();
  const deadline = opts.timeoutMs === undefined ? Infinity : start + opts.timeoutMs;
  const kept = checkedOperations(history, model);
  const parts = opts.partition !== false && model.partition !== undefined
    ? model.partition(kept)
    : [kept];
  const done = (result: Verdict, partitions: number, counterexample?: Counterexample) => {
    const r: LinearizabilityResult = {
      result,
      ops: history instanceof History ? history.held : history.length,
      ms: performance.now() - start,
      partitions,
    };
    if (counterexample !== undefined) r.counterexample = counterexample;
    return r;
  };
  // Smallest parts first: they are cheap, so a violation in one of them is
  // found even when a large part would exhaust the budget.
  const order = parts.map((_, p) => p).sort((a, b) => parts[a].length - parts[b].length || a - b);
  let undecided = false;
  for (let k = 0; k < order.length; k++) {
    if (performance.now() > deadline) return done("unknown", k);
    const p = order[k];
    const outcome = searchPart(parts[p], model, deadline, model.init(), null);
    switch (outcome.kind) {
      case "ok":
        break;
      case "unknown":
        // Out of memory budget, or of time (then the next round stops).
        undecided = true;
        break;
      case "illegal":
        return done("illegal", k + 1, counterexampleOf(parts[p], model, p, outcome));
      default: {
        const never: never = outcome;
        throw new Error(`unreachable: ${JSON.stringify(never)}`);
      }
    }
  }
  return done(undecided ? "unknown" : "ok", parts.length);
}

/**
 * The operations of `history` the search needs, validated: `fail` ones are
 * left out (from a {@linkcode History} without building their objects), and
 * so are `info` and `pending` ones the model calls read-only. Throws
 * {@linkcode ModelInputError} when an operation does not fit the model, and
 * `RangeError` when an `ok` operation returns before it is called.
 *
 * @example
 * ```ts
 * import { checkedOperations } from "./linearizability.ts";
 * import { History } from "../history.ts";
 * import { registerModel } from "./models.ts";
 * import assert from "node:assert/strict";
 * const h = new History();
 * h.complete(h.invoke("a", "write", 1, 0), undefined, "fail", 1);
 * h.complete(h.invoke("a", "read", null, 2), null, "info", 3);
 * h.complete(h.invoke("a", "write", 2, 4), undefined, "ok", 5);
 * assert.deepEqual(checkedOperations(h, registerModel).map((op) => op.id), [2]);
 * ```
 */
export function checkedOperations<S>(
  history: Iterable<Operation> | History,
  model: Model<S>,
): Operation[] {
  const kept: Operation[] = [];
  const keep = (op: Operation) => {
    if (op.status === "fail") return;
    const problem = model.validate?.(op);
    if (problem !== undefined) {
      throw new ModelInputError(op.id, `operation ${op.id}: ${problem}`);
    }
    if (op.status === "ok") {
      if (!(op.ret >= op.call)) {
        throw new RangeError(`operation ${op.id} returns (${op.ret}) before its call (${op.call})`);
      }
    } else if (model.isReadOnly?.(op) === true) {
      return;
    }
    kept.push(op);
  };
  if (history instanceof History) {
    for (let id = history.first; id < history.length; id++) {
      if (history.status(id) !== "fail") keep(history.op(id));
    }
  } else {
    for (const op of history) keep(op);
  }
  return kept;
}

/** 32-bit finaliser (MurmurHash3 fmix32): spreads nearby integers over the table. */
function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

function keyHash(k: string | number): number {
  if (typeof k === "number") {
    if ((k | 0) === k) return fmix(k ^ 0x5bd1e995);
    k = String(k);
  }
  let h = 0x811c9dc5;
  for (let i = 0; i < k.length; i++) h = Math.imul(h ^ k.charCodeAt(i), 0x01000193);
  return fmix(h);
}

/**
 * The memo of visited (linearized set, state) pairs: open addressing over
 * typed arrays, so a lookup allocates nothing and an insert at most amortised
 * growth.
 */
class Memo {
  /** Pairs (hash, entry index + 1), 0 for an empty slot: a probe that misses touches one cache line. */
  #table: Int32Array;
  #mask: number; // slots - 1
  #count = 0;
  #z2: Int32Array; // Zobrist hash 2, an independent check
  #front: Int32Array; // the first return entry of the list
  #off: Int32Array; // where the waiting calls start in #pool
  #len: Int32Array; // how many waiting calls
  #key: (string | number)[] = [];
  #pool: Int32Array;
  #poolLen = 0;
  readonly #next: Int32Array;
  readonly #entryOp: Int32Array;

  /** A memo for a search over `m` operations; a search without backtracking stores about m sets. */
  constructor(next: Int32Array, entryOp: Int32Array, m: number) {
    this.#next = next;
    this.#entryOp = entryOp;
    const entries = Math.max(64, m + 1);
    this.#z2 = new Int32Array(entries);
    this.#front = new Int32Array(entries);
    this.#off = new Int32Array(entries);
    this.#len = new Int32Array(entries);
    this.#pool = new Int32Array(entries * 2);
    let slots = 128;
    while (slots < entries * 2) slots *= 2;
    this.#table = new Int32Array(slots * 2);
    this.#mask = slots - 1;
  }

  /** How many (set, state) pairs are remembered. */
  get size(): number {
    return this.#count;
  }

  /** Records the current list's set with state key `sk`; false if it was already there. */
  add(z1: number, z2: number, sk: string | number): boolean {
    const h = fmix(z1 ^ keyHash(sk));
    const table = this.#table, mask = this.#mask;
    let slot = h & mask;
    for (let e = table[2 * slot + 1]; e !== 0; e = table[2 * slot + 1]) {
      if (table[2 * slot] === h) {
        e--;
        if (this.#z2[e] === z2 && this.#key[e] === sk && this.#sameSet(e)) return false;
      }
      slot = (slot + 1) & mask;
    }
    const e = this.#count++;
    if (e === this.#z2.length) this.#growEntries();
    this.#z2[e] = z2;
    this.#key[e] = sk;
    this.#store(e);
    table[2 * slot] = h;
    table[2 * slot + 1] = e + 1;
    if (this.#count * 2 > mask) this.#rehash();
    return true;
  }

  #sameSet(e: number): boolean {
    const next = this.#next, entryOp = this.#entryOp, pool = this.#pool;
    let n = next[0], i = this.#off[e];
    const end = i + this.#len[e];
    for (; entryOp[n] >= 0; n = next[n], i++) {
      if (i === end || pool[i] !== entryOp[n]) return false;
    }
    return i === end && n === this.#front[e];
  }

  #store(e: number): void {
    const next = this.#next, entryOp = this.#entryOp;
    let n = next[0];
    const off = this.#poolLen;
    let i = off;
    for (; entryOp[n] >= 0; n = next[n]) {
      if (i === this.#pool.length) {
        const bigger = new Int32Array(this.#pool.length * 2);
        bigger.set(this.#pool);
        this.#pool = bigger;
      }
      this.#pool[i++] = entryOp[n];
    }
    this.#poolLen = i;
    this.#front[e] = n;
    this.#off[e] = off;
    this.#len[e] = i - off;
  }

  #growEntries(): void {
    const grow = (a: Int32Array) => {
      const b = new Int32Array(a.length * 2);
      b.set(a);
      return b;
    };
    this.#z2 = grow(this.#z2);
    this.#front = grow(this.#front);
    this.#off = grow(this.#off);
    this.#len = grow(this.#len);
  }

  #rehash(): void {
    const old = this.#table;
    const table = new Int32Array(old.length * 2);
    const mask = (this.#mask << 1) | 1;
    for (let i = 0; i < old.length; i += 2) {
      if (old[i + 1] === 0) continue;
      let slot = old[i] & mask;
      while (table[2 * slot + 1] !== 0) slot = (slot + 1) & mask;
      table[2 * slot] = old[i];
      table[2 * slot + 1] = old[i + 1];
    }
    this.#table = table;
    this.#mask = mask;
  }
}

/** Deterministic 32-bit random numbers (xorshift32) for the Zobrist hashes. */
function zobrist(n: number, seed: number): Int32Array {
  const z = new Int32Array(n);
  let x = seed | 0;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    z[i] = x;
  }
  return z;
}

/**
 * Where a search over one part ended, for {@linkcode searchPart}'s `collect`:
 * the state after a linearization of every `ok` operation, and the
 * operations it placed (indexes into the part, `placed[0 .. count - 1]`; the
 * array is reused, so copy what you keep).
 *
 * @example
 * ```ts
 * import type { SearchEnd } from "./linearizability.ts";
 * import assert from "node:assert/strict";
 * const end: SearchEnd<number> = (state, placed, count) => assert.ok(count <= placed.length);
 * end(0, new Int32Array(1), 1);
 * ```
 */
export type SearchEnd<S> = (state: S, placed: Int32Array, count: number) => void;

/**
 * The WGL search over one part (operations already filtered and decoded, see
 * {@linkcode checkedOperations}), from state `init`.
 *
 * Without `collect` it stops at the first linearization of every `ok`
 * operation (`ok`), or proves there is none (`illegal`, with the deepest dead
 * end for a counterexample). With `collect` it finds every way the part can
 * end: it calls `collect` once per distinct (operations placed, state) pair
 * that places every `ok` operation, `info` and `pending` ones placed or not,
 * and answers `ok` when there was at least one. `unknown`: out of time
 * (`deadline`, a `performance.now()` reading) or of memo space (more than
 * `maxStates` (set, state) pairs remembered, checked every 1,024 steps;
 * default 2^23).
 *
 * @example
 * ```ts
 * import { searchPart } from "./linearizability.ts";
 * import { registerModel } from "./models.ts";
 * import assert from "node:assert/strict";
 * const ops = [
 *   { id: 0, client: "a", f: "write", input: 1, output: undefined, call: 0, ret: 5, status: "ok" as const },
 *   { id: 1, client: "b", f: "write", input: 2, output: undefined, call: 1, ret: 6, status: "ok" as const },
 * ];
 * assert.equal(searchPart(ops, registerModel, Infinity, undefined, null).kind, "ok");
 * const ends: unknown[] = [];
 * searchPart(ops, registerModel, Infinity, undefined, (state) => ends.push(state));
 * assert.deepEqual(ends.sort(), [1, 2]); // either write may have gone last
 * ```
 */
export function searchPart<S>(
  ops: readonly Operation[],
  model: Model<S>,
  deadline: number,
  init: S,
  collect: SearchEnd<S> | null,
  maxStates: number = MAX_STATES,
): PartOutcome<S> {
  const m = ops.length;
  const okFlag = new Uint8Array(m);
  let totalOk = 0;
  for (let i = 0; i < m; i++) {
    if (ops[i].status === "ok") {
      okFlag[i] = 1;
      totalOk++;
    }
  }
  if (totalOk === 0) {
    collect?.(init, new Int32Array(0), 0);
    return { kind: "ok" };
  }
  let collected = 0;

  // Calls in time order, then returns (only `ok` operations ever return);
  // histories arrive nearly sorted, which TimSort handles in close to linear time.
  const byCall: number[] = new Array(m);
  for (let i = 0; i < m; i++) byCall[i] = i;
  byCall.sort((a, b) => ops[a].call - ops[b].call || a - b);
  const byRet: number[] = [];
  for (let i = 0; i < m; i++) if (okFlag[i] === 1) byRet.push(i);
  byRet.sort((a, b) => ops[a].ret - ops[b].ret || a - b);

  // Node 0 is the head, 1..E the entries, E + 1 the tail. entryOp holds the
  // operation index for a call and -1 - index for a return; the tail is a
  // return of a fictitious operation m, so the hot loop needs no extra test.
  const E = m + totalOk;
  const TAIL = E + 1;
  const next = new Int32Array(E + 2);
  const prev = new Int32Array(E + 2);
  const entryOp = new Int32Array(E + 2);
  const callNode = new Int32Array(m);
  const retNode = new Int32Array(m).fill(-1);
  {
    let ci = 0, ri = 0;
    for (let node = 1; node <= E; node++) {
      // On equal times the call goes first, so the two overlap.
      if (ri === totalOk || (ci < m && ops[byCall[ci]].call <= ops[byRet[ri]].ret)) {
        const i = byCall[ci++];
        entryOp[node] = i;
        callNode[i] = node;
      } else {
        const i = byRet[ri++];
        entryOp[node] = -1 - i;
        retNode[i] = node;
      }
    }
    entryOp[0] = -1 - m;
    entryOp[TAIL] = -1 - m;
    for (let node = 0; node <= TAIL; node++) {
      next[node] = node + 1;
      prev[node] = node - 1;
    }
  }

  const zob1 = zobrist(m, 0x2545f491);
  const zob2 = zobrist(m, 0x9e3779b9);
  const memo = new Memo(next, entryOp, m);
  const stackOp = new Int32Array(m);
  const stackState: S[] = [];

  // The deepest dead end so far, for the counterexample. The stack below
  // `dirtyFrom` still equals bestStack, so a new record copies only the rest.
  const bestStack = new Int32Array(m);
  let bestDepth = -1, bestStuck = -1, dirtyFrom = 0;
  let bestWindow: number[] = [];
  let bestState = init;

  let state = init;
  let sp = 0, linOk = 0, z1 = 0, z2 = 0, tick = 0;
  let node = next[0];
  for (;;) {
    if (++tick === CLOCK_EVERY) {
      tick = 0;
      if (performance.now() > deadline || memo.size > maxStates) return { kind: "unknown" };
    }
    const code = entryOp[node];
    if (code >= 0) {
      const r = model.step(state, ops[code]);
      if (r.ok) {
        // Lift first: the memo reads the set off the list as it is after this step.
        let c = callNode[code];
        next[prev[c]] = next[c];
        prev[next[c]] = prev[c];
        const rn = retNode[code];
        if (rn >= 0) {
          next[prev[rn]] = next[rn];
          prev[next[rn]] = prev[rn];
        }
        const nz1 = z1 ^ zob1[code], nz2 = z2 ^ zob2[code];
        const fresh = memo.add(nz1, nz2, model.key(r.state));
        if (fresh && collect !== null && okFlag[code] === 1 && linOk + 1 === totalOk) {
          // Every ok operation placed: note where this order ends, then look for others.
          if (sp < dirtyFrom) dirtyFrom = sp;
          stackOp[sp] = code;
          collect(r.state, stackOp, sp + 1);
          collected++;
        } else if (fresh) {
          if (sp < dirtyFrom) dirtyFrom = sp;
          stackOp[sp] = code;
          stackState[sp] = state;
          sp++;
          state = r.state;
          z1 = nz1;
          z2 = nz2;
          if (okFlag[code] === 1 && ++linOk === totalOk) return { kind: "ok" };
          node = next[0];
          continue;
        }
        if (rn >= 0) {
          next[prev[rn]] = rn;
          prev[next[rn]] = rn;
        }
        c = callNode[code];
        next[prev[c]] = c;
        prev[next[c]] = c;
      }
      node = next[node];
    } else {
      // A return (or the tail): nothing waiting before it can go next.
      if (sp > bestDepth) {
        bestDepth = sp;
        bestStack.set(stackOp.subarray(dirtyFrom, sp), dirtyFrom);
        dirtyFrom = sp;
        bestStuck = code === -1 - m ? -1 : -1 - code;
        bestWindow = [];
        for (let n = next[0]; entryOp[n] >= 0; n = next[n]) bestWindow.push(entryOp[n]);
        bestState = state;
      }
      if (sp === 0) {
        if (collected > 0) return { kind: "ok" };
        return {
          kind: "illegal",
          prefix: bestStack.slice(0, bestDepth),
          stuck: bestStuck,
          window: bestWindow,
          state: bestState,
        };
      }
      const i = stackOp[--sp];
      state = stackState[sp];
      z1 ^= zob1[i];
      z2 ^= zob2[i];
      if (okFlag[i] === 1) linOk--;
      const rn = retNode[i];
      if (rn >= 0) {
        next[prev[rn]] = rn;
        prev[next[rn]] = rn;
      }
      const c = callNode[i];
      next[prev[c]] = c;
      prev[next[c]] = c;
      node = next[c];
    }
  }
}

/** At most this many operations are highlighted; the prefix ids stay complete. */
const HIGHLIGHT_LIMIT = 16;

/**
 * The {@linkcode Counterexample} of an `illegal` {@linkcode searchPart}
 * outcome over `ops`, part number `partition`.
 *
 * @example
 * ```ts
 * import { counterexampleOf, searchPart } from "./linearizability.ts";
 * import { registerModel } from "./models.ts";
 * import assert from "node:assert/strict";
 * const ops = [
 *   { id: 0, client: "a", f: "write", input: 1, output: undefined, call: 0, ret: 1, status: "ok" as const },
 *   { id: 1, client: "b", f: "read", input: null, output: 2, call: 2, ret: 3, status: "ok" as const },
 * ];
 * const found = searchPart(ops, registerModel, Infinity, undefined, null);
 * assert.equal(found.kind, "illegal");
 * if (found.kind === "illegal") assert.equal(counterexampleOf(ops, registerModel, 0, found).stuck, 1);
 * ```
 */
export function counterexampleOf<S>(
  ops: readonly Operation[],
  model: Model<S>,
  partition: number,
  found: { prefix: Int32Array; stuck: number; window: number[]; state: S },
): Counterexample {
  const describe = (op: Operation) =>
    model.describe?.(op) ?? `${op.f} ${JSON.stringify(op.input)} -> ${JSON.stringify(op.output)}`;
  const span = (op: Operation) =>
    `[${op.call}, ${op.ret === Infinity ? "never returned" : op.ret}]`;
  const position = new Map<number, number>();
  found.prefix.forEach((i, k) => position.set(i, k));

  // The candidates that returned bound the interesting stretch of the prefix.
  let minCall = Infinity;
  for (const i of found.window) {
    if (ops[i].status === "ok" && ops[i].call < minCall) minCall = ops[i].call;
  }
  const chosen = new Set<number>();
  if (found.stuck >= 0) chosen.add(found.stuck);
  for (const i of found.window) if (chosen.size < HIGHLIGHT_LIMIT) chosen.add(i);
  // Walk the prefix from its end: the last placed operations explain the state.
  const p = found.prefix;
  for (let k = p.length - 1; k >= 0 && chosen.size < HIGHLIGHT_LIMIT; k--) {
    if (k >= p.length - 2 || ops[p[k]].ret >= minCall) chosen.add(p[k]);
  }
  const highlighted = [...chosen].sort((a, b) => ops[a].call - ops[b].call || a - b);

  const stuck = found.stuck >= 0 ? ops[found.stuck] : undefined;
  const stateText = model.describeState?.(found.state) ?? String(model.key(found.state));
  const description = [
    stuck === undefined
      ? `no operation can follow the longest linearizable prefix (${p.length} operations, state ${stateText})`
      : `op ${stuck.id} (${stuck.client}: ${describe(stuck)}, ${
        span(stuck)
      }) cannot be linearized` +
        ` after the longest linearizable prefix (${p.length} operations, state ${stateText})`,
  ];
  for (const i of highlighted) {
    const op = ops[i];
    const k = position.get(i);
    const role = i === found.stuck
      ? "cannot be placed"
      : k !== undefined
      ? `linearized #${k + 1}`
      : "not linearized";
    description.push(`op ${op.id} (${op.client}): ${describe(op)} ${span(op)}, ${role}`);
  }
  return {
    partition,
    prefix: Array.from(p, (i) => ops[i].id),
    stuck: stuck?.id ?? -1,
    ops: highlighted.map((i) => ops[i].id),
    state: stateText,
    description,
  };
}

/**
 * A linearizability violation, carrying the checker's counterexample so
 * that a picture of the run (the studio, the `--out run.html` page) can
 * draw the operations that cannot be ordered on the client timelines.
 *
 * @example
 * ```ts
 * import type { LinearizabilityViolation } from "./linearizability.ts";
 * import assert from "node:assert/strict";
 * const v: LinearizabilityViolation = { check: "linearizability", message: "…", atMs: 9 };
 * assert.equal(v.counterexample, undefined);
 * ```
 */
export interface LinearizabilityViolation extends Violation {
  /** Why the history is not linearizable (absent when the search found no prefix to report). */
  counterexample?: Counterexample;
}

/**
 * The violation an `illegal` verdict makes for a scenario's report (check
 * `linearizability`, the counterexample's description as its message, the
 * counterexample itself alongside), or none for `ok` and `unknown`.
 *
 * @example
 * ```ts
 * import { checkLinearizability, linearizabilityViolations } from "./linearizability.ts";
 * import { kvModel, registerModel } from "./models.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(linearizabilityViolations(checkLinearizability([], kvModel), 100), []);
 * const [v] = linearizabilityViolations(checkLinearizability([
 *   { id: 0, client: "a", f: "write", input: 1, output: undefined, call: 0, ret: 1, status: "ok" },
 *   { id: 1, client: "b", f: "read", input: null, output: null, call: 2, ret: 3, status: "ok" },
 * ], registerModel), 5);
 * assert.equal(v.counterexample?.stuck, 1);
 * ```
 */
export function linearizabilityViolations(
  lin: LinearizabilityResult,
  atMs: number,
): LinearizabilityViolation[] {
  if (lin.result !== "illegal") return [];
  return [{
    check: "linearizability",
    message: lin.counterexample?.description.join("; ") ?? "not linearizable",
    atMs,
    // A history cut short is still linearizable if the whole one was: a shorter run proves it too.
    safety: true,
    ...(lin.counterexample === undefined ? {} : { counterexample: lin.counterexample }),
  }];
}

/**
 * The first linearizability counterexample among a run's violations, if
 * any (see {@linkcode LinearizabilityViolation}).
 *
 * @example
 * ```ts
 * import { counterexampleIn } from "./linearizability.ts";
 * import assert from "node:assert/strict";
 * assert.equal(counterexampleIn([{ check: "x", message: "y", atMs: 0 }]), undefined);
 * ```
 */
export function counterexampleIn(violations: readonly Violation[]): Counterexample | undefined {
  for (const v of violations) {
    const c = (v as LinearizabilityViolation).counterexample;
    if (v.check === "linearizability" && c !== undefined) return c;
  }
  return undefined;
}
