/**
 * Linearizability checked in windows while a run goes on, so a long run's
 * history need not stay in memory: the checked operations are released.
 *
 * A window of one part (one key of a key-value store) ends at a quiescent
 * cut: an instant no `ok` or pending operation of that part spans. It falls
 * before the part's next call or, when all its operations have returned, at
 * the latest instant the history has shown (the history is recorded in time
 * order, as the simulator records it, so whatever comes later is called then
 * or after). Every operation of the window that returned did so before every
 * later operation was called, so any linearization of the whole part places
 * the window's `ok` operations first; what it carries across the cut is the
 * model's state and the `info` operations not placed yet (they may take
 * effect at any time after their call, later windows included). The checker
 * keeps exactly that, the set of configurations (state, `info` operations
 * still unplaced) that some linearization of everything so far can end in,
 * and computes the next set with an exhaustive search of the window from
 * each one ({@linkcode searchPart} with `collect`). A configuration whose
 * unplaced set is a subset of another's with the same state is dropped: the
 * other can do everything it can.
 *
 * So the verdict is the one the whole-history check gives: `illegal` exactly
 * when no configuration survives a window (the counterexample is that
 * window's, from the first configuration), `ok` when the rest fits at the
 * end. Where a part is too hard to window (the exhaustive search runs out of
 * its budget, more than `maxFrontier` configurations survive, or one carries
 * more than `maxCarried` unplaced `info` operations, each of which doubles
 * what a window's search may have to try) that part stops being windowed
 * and keeps its operations for the final check: still exact, but no longer
 * bounded, and since the history is released as a prefix, what was invoked
 * after that part's oldest operation stays too. `wholeParts` counts them.
 *
 * Nothing is windowed until the history holds more than `keep` operations, so
 * a short run is checked once at the end by {@linkcode checkLinearizability},
 * exactly as before.
 *
 * @module
 */

import type { OpId } from "../../actors/mod.ts";
import type { History, Operation } from "../history.ts";
import {
  checkedOperations,
  checkLinearizability,
  type CheckOptions,
  type Counterexample,
  counterexampleOf,
  type LinearizabilityResult,
  searchPart,
  type Verdict,
} from "./linearizability.ts";
import type { Model } from "./models.ts";

/**
 * Options of {@linkcode LinearizabilityWindows}; `timeoutMs` is the budget of
 * each window's search and of the final check.
 *
 * @example
 * ```ts
 * import type { WindowOptions } from "./linearizability_windows.ts";
 * import assert from "node:assert/strict";
 * const o: WindowOptions = { keep: 10_000, release: true, timeoutMs: 20_000 };
 * assert.equal(o.keep, 10_000);
 * ```
 */
export interface WindowOptions extends CheckOptions {
  /** Operations the history may hold before windows are checked (default 10,000). */
  keep?: number;
  /** Release the checked operations from the history (default true). */
  release?: boolean;
  /** Most configurations a part may carry across a cut before it stops being windowed (default 64). */
  maxFrontier?: number;
  /**
   * Most `info` operations a configuration may carry unplaced before its part
   * stops being windowed (default 16): each may be placed anywhere in every
   * later window, so a window's search grows with 2 to their number.
   */
  maxCarried?: number;
}

/** A way the operations so far can end: the state, and the `info` operations not placed yet. */
interface Config<S> {
  state: S;
  carried: Operation[];
}

/** One part's progress. */
interface Part<S> {
  /** Operations taken from the history and not yet checked, by id. */
  ids: OpId[];
  frontier: Config<S>[];
  /** Windowing gave up on this part: everything waits for the final check. */
  whole: boolean;
  /** The order it was first seen in, for the counterexample's `partition`. */
  index: number;
}

const DEFAULT_KEEP = 10_000;
const DEFAULT_MAX_FRONTIER = 64;
const DEFAULT_MAX_CARRIED = 16;
/** A window's exhaustive search may remember this many (set, state) pairs per operation, plus a floor. */
const STATES_PER_OP = 64;
const STATES_FLOOR = 1 << 14;

/**
 * Checks a history against a model window by window as operations complete,
 * releasing what it has checked; {@linkcode LinearizabilityWindows.finish}
 * checks the rest and gives the verdict.
 *
 * @example
 * ```ts
 * import { History } from "../history.ts";
 * import { LinearizabilityWindows } from "./linearizability_windows.ts";
 * import { kvModel } from "./models.ts";
 * import assert from "node:assert/strict";
 * const h = new History();
 * const windows = new LinearizabilityWindows(h, kvModel, { keep: 10 });
 * let t = 0;
 * for (let i = 0; i < 100; i++) {
 *   const put = h.invoke("c", "put", { key: "x", value: i }, t++);
 *   h.complete(put, undefined, "ok", t++);
 *   const get = h.invoke("c", "get", { key: "x" }, t++);
 *   h.complete(get, i === 90 ? 89 : i, "ok", t++); // a stale read at i = 90
 * }
 * assert.ok(h.held < 200);
 * const r = windows.finish();
 * assert.equal(r.result, "illegal");
 * assert.equal(r.counterexample?.stuck, 181);
 * ```
 */
export class LinearizabilityWindows<S> {
  readonly #history: History;
  readonly #model: Model<S>;
  readonly #options: CheckOptions;
  readonly #keep: number;
  readonly #release: boolean;
  readonly #maxFrontier: number;
  readonly #maxCarried: number;
  readonly #parts = new Map<string | number, Part<S>>();
  /** The next id to take from the history. */
  #taken = 0;
  #windows = 0;
  /** The latest instant the history has shown: no operation recorded later is called before it. */
  #now = -Infinity;
  #ms = 0;
  #illegal: { partition: number; counterexample: Counterexample } | null = null;
  #error: unknown = null;
  #result: LinearizabilityResult | null = null;

  /** Watches `history` from now on (operations already in it are taken at the first look). */
  constructor(history: History, model: Model<S>, options: WindowOptions = {}) {
    const keep = options.keep ?? DEFAULT_KEEP;
    if (!(Number.isInteger(keep) && keep >= 0)) {
      throw new RangeError(`keep must be a whole number >= 0, got ${keep}`);
    }
    const maxFrontier = options.maxFrontier ?? DEFAULT_MAX_FRONTIER;
    if (!(Number.isInteger(maxFrontier) && maxFrontier >= 1)) {
      throw new RangeError(`maxFrontier must be a whole number >= 1, got ${maxFrontier}`);
    }
    this.#history = history;
    this.#model = model;
    this.#options = { timeoutMs: options.timeoutMs, partition: options.partition };
    this.#keep = keep;
    this.#release = options.release ?? true;
    this.#maxFrontier = maxFrontier;
    this.#maxCarried = options.maxCarried ?? DEFAULT_MAX_CARRIED;
    // Look again only after a quarter of `keep` more completions, so an
    // operation that blocks every cut (pending for long) costs no quadratic work.
    const every = Math.max(1, Math.floor(keep / 4));
    let since = 0;
    history.onComplete((id) => {
      const ret = history.ret(id);
      if (ret > this.#now) this.#now = ret;
      if (++since >= every && history.held > this.#keep && this.#result === null) {
        since = 0;
        this.look();
      }
    });
  }

  /** Windows checked so far (over all parts). */
  get windows(): number {
    return this.#windows;
  }

  /** Parts seen so far. */
  get parts(): number {
    return this.#parts.size;
  }

  /** Parts that stopped being windowed (their operations wait for the final check). */
  get wholeParts(): number {
    let n = 0;
    for (const part of this.#parts.values()) if (part.whole) n++;
    return n;
  }

  /**
   * Takes the new operations from the history, checks every part up to its
   * latest quiescent cut, and releases what was checked. Called by the
   * history's completions once it holds more than `keep` operations; call it
   * yourself to check sooner. An error (an operation the model rejects) is
   * kept and thrown by {@linkcode LinearizabilityWindows.finish}.
   */
  look(): void {
    if (this.#error !== null) return;
    const started = performance.now();
    try {
      this.#take();
      for (const part of this.#parts.values()) {
        if (this.#illegal !== null) break;
        if (!part.whole) this.#checkWindow(part);
      }
      if (this.#illegal !== null) {
        // The verdict is in: nothing more needs keeping but what is still pending.
        for (const part of this.#parts.values()) part.ids.length = 0;
        if (this.#release) this.#history.release(this.#firstPending());
      } else if (this.#release) {
        this.#history.release(this.#checkedBefore());
      }
    } catch (e) {
      this.#error = e;
    }
    this.#ms += performance.now() - started;
  }

  /**
   * The verdict on everything recorded: what the windows found, or the rest
   * checked from every configuration carried. Computed once; later calls
   * return the same result.
   */
  finish(): LinearizabilityResult {
    if (this.#result !== null) return this.#result;
    if (this.#error !== null) throw this.#error;
    if (this.#windows === 0 && this.#illegal === null) {
      // Nothing was windowed: the plain check, exactly as for a short run.
      this.#result = checkLinearizability(this.#history, this.#model, this.#options);
      return this.#result;
    }
    const started = performance.now();
    this.#take();
    let verdict: Verdict = "ok";
    if (this.#illegal === null) {
      for (const part of this.#parts.values()) {
        const v = this.#checkRest(part);
        if (v === "illegal") {
          verdict = "illegal";
          break;
        }
        if (v === "unknown") verdict = "unknown";
      }
    } else {
      verdict = "illegal";
    }
    this.#ms += performance.now() - started;
    const result: LinearizabilityResult = {
      result: verdict,
      ops: this.#history.length,
      ms: this.#ms,
      partitions: this.#parts.size,
    };
    if (this.#illegal !== null) result.counterexample = this.#illegal.counterexample;
    this.#result = result;
    return result;
  }

  #deadline(): number {
    const t = this.#options.timeoutMs;
    return t === undefined ? Infinity : performance.now() + t;
  }

  /** Moves the operations invoked since the last look into their parts. */
  #take(): void {
    const h = this.#history, model = this.#model;
    if (h.held > 0 && h.call(h.length - 1) > this.#now) this.#now = h.call(h.length - 1);
    const split = this.#options.partition !== false && model.partition !== undefined;
    if (split && model.partitionKey === undefined) {
      throw new TypeError(
        `the ${model.name} model partitions but has no partitionKey, which checking in windows needs`,
      );
    }
    for (; this.#taken < h.length; this.#taken++) {
      const id = this.#taken;
      const key = split ? model.partitionKey!(h.op(id)) : 0;
      let part = this.#parts.get(key);
      if (part === undefined) {
        part = {
          ids: [],
          frontier: [{ state: model.init(), carried: [] }],
          whole: false,
          index: 0,
        };
        part.index = this.#parts.size;
        this.#parts.set(key, part);
      }
      part.ids.push(id);
    }
  }

  /** Ids below this are checked (or failed) in every part: the history may let them go. */
  #checkedBefore(): OpId {
    let before = this.#taken;
    for (const part of this.#parts.values()) {
      if (part.ids.length > 0 && part.ids[0] < before) before = part.ids[0];
    }
    return before;
  }

  /** The oldest operation held that has not returned (or the history's length). */
  #firstPending(): OpId {
    const h = this.#history;
    let id = h.first;
    while (id < h.length && h.status(id) !== "pending") id++;
    return id;
  }

  /** Where the latest quiescent cut of `part` falls: how many of its ids come before it. */
  #cut(part: Part<S>): number {
    const h = this.#history;
    let maxRet = -Infinity, cut = 0;
    for (let j = 0; j < part.ids.length; j++) {
      const id = part.ids[j];
      // Strictly before: an operation called as another returns overlaps it.
      if (maxRet < h.call(id)) cut = j;
      const status = h.status(id);
      if (status === "pending") return cut;
      if (status === "ok" && h.ret(id) > maxRet) maxRet = h.ret(id);
    }
    // Everything returned before now, and whatever comes later is called at now or after.
    return maxRet < this.#now ? part.ids.length : cut;
  }

  /** The decoded operations of `ids`, as the search needs them. */
  #operations(ids: readonly OpId[]): Operation[] {
    const model = this.#model;
    const kept = checkedOperations(ids.map((id) => this.#history.op(id)), model);
    if (kept.length === 0 || this.#options.partition === false || model.partition === undefined) {
      return kept;
    }
    return model.partition(kept).flat();
  }

  /** Checks `part` up to its latest cut and moves its frontier there. */
  #checkWindow(part: Part<S>): void {
    const cut = this.#cut(part);
    if (cut === 0) return;
    const window = this.#operations(part.ids.slice(0, cut));
    const next = new Map<string, Config<S>>();
    for (const config of part.frontier) {
      const ops = [...config.carried, ...window];
      const outcome = searchPart(
        ops,
        this.#model,
        this.#deadline(),
        config.state,
        (state, placed, count) => {
          const isPlaced = new Uint8Array(ops.length);
          for (let k = 0; k < count; k++) isPlaced[placed[k]] = 1;
          const carried = ops.filter((op, i) => op.status !== "ok" && isPlaced[i] === 0);
          const key = `${this.#model.key(state)}\u0000${carried.map((op) => op.id).join(",")}`;
          if (!next.has(key)) next.set(key, { state, carried });
        },
        STATES_FLOOR + STATES_PER_OP * ops.length,
      );
      if (outcome.kind === "unknown") {
        part.whole = true;
        return;
      }
    }
    if (next.size === 0) {
      const ops = [...part.frontier[0].carried, ...window];
      const outcome = searchPart(ops, this.#model, Infinity, part.frontier[0].state, null);
      if (outcome.kind !== "illegal") {
        throw new Error(`window search disagrees with itself: ${outcome.kind}`);
      }
      this.#illegal = {
        partition: part.index,
        counterexample: counterexampleOf(ops, this.#model, part.index, outcome),
      };
      return;
    }
    const frontier = undominated([...next.values()], this.#model);
    if (
      frontier.length > this.#maxFrontier ||
      frontier.some((c) => c.carried.length > this.#maxCarried)
    ) {
      part.whole = true;
      return;
    }
    part.frontier = frontier;
    part.ids.splice(0, cut);
    this.#windows++;
  }

  /** The final check of a part's remaining operations from each configuration. */
  #checkRest(part: Part<S>): Verdict {
    const window = this.#operations(part.ids);
    let unknown = false;
    let illegal: Counterexample | null = null;
    for (const config of part.frontier) {
      const ops = [...config.carried, ...window];
      const outcome = searchPart(ops, this.#model, this.#deadline(), config.state, null);
      if (outcome.kind === "ok") return "ok";
      if (outcome.kind === "unknown") unknown = true;
      else illegal ??= counterexampleOf(ops, this.#model, part.index, outcome);
    }
    if (unknown || illegal === null) return "unknown";
    this.#illegal = { partition: part.index, counterexample: illegal };
    return "illegal";
  }
}

/** Drops each configuration another one covers: the same state, and a superset of its unplaced operations. */
function undominated<S>(configs: Config<S>[], model: Model<S>): Config<S>[] {
  const byState = new Map<string | number, Config<S>[]>();
  for (const c of configs) {
    const k = model.key(c.state);
    const same = byState.get(k);
    if (same === undefined) byState.set(k, [c]);
    else same.push(c);
  }
  const out: Config<S>[] = [];
  for (const same of byState.values()) {
    if (same.length === 1) {
      out.push(same[0]);
      continue;
    }
    const sets = same.map((c) => new Set(c.carried.map((op) => op.id)));
    same.forEach((c, i) => {
      const covered = sets.some((s, j) =>
        j !== i && s.size >= sets[i].size && [...sets[i]].every((id) => s.has(id)) &&
        (s.size > sets[i].size || j < i)
      );
      if (!covered) out.push(c);
    });
  }
  return out;
}
