/**
 * Finding and naming cycles in a dependency graph, as Elle does: for each
 * anomaly a search for a cycle of its shape, inside the strongly connected
 * components of the edges that shape may use (a cycle never leaves one).
 *
 * | anomaly | the search |
 * | --- | --- |
 * | `G0` | a cycle of `ww` edges |
 * | `G1c` | a `wr` edge, and a path back over `ww` and `wr` |
 * | `G-single` | an `rw` edge, and a path back over `ww` and `wr` |
 * | `G2` | in a component with no `G-single`: an `rw` edge, and a path back with another `rw` |
 *
 * Each also runs with `process` edges allowed and one of them required
 * (`G0-process`, ...), then with `realtime` edges (`G0-realtime`, ...), so
 * every cycle reported has the edges its name says it needs. Paths are
 * shortest (breadth-first over the path's node and which required edges it
 * has used so far); a path that would visit a node twice is not reported.
 *
 * Searches are cheap when anomalies are few; a budget of edge visits (and
 * optionally of wall-clock time) bounds them when the graph is one large
 * component, and the result then says the search was not complete.
 *
 * @module
 */

import type { CycleAnomalyType, CycleBase } from "./consistency.ts";
import {
  components,
  type DependencyGraph,
  EDGE,
  EDGE_KINDS,
  type EdgeKind,
} from "./dependency_graph.ts";

/**
 * One edge of a found cycle, between graph nodes.
 *
 * @example
 * ```ts
 * import type { CycleEdge } from "./cycles.ts";
 * import assert from "node:assert/strict";
 * const e: CycleEdge = { from: 0, to: 1, kind: "ww" };
 * assert.equal(e.kind, "ww");
 * ```
 */
export interface CycleEdge {
  /** The earlier node. */
  from: number;
  /** The later node. */
  to: number;
  /** The kind of edge the cycle uses. */
  kind: EdgeKind;
}

/**
 * A found cycle: its anomaly type and its edges in order.
 *
 * @example
 * ```ts
 * import type { FoundCycle } from "./cycles.ts";
 * import assert from "node:assert/strict";
 * const c: FoundCycle = { type: "G0", edges: [{ from: 0, to: 1, kind: "ww" }, { from: 1, to: 0, kind: "ww" }] };
 * assert.equal(c.edges.length, 2);
 * ```
 */
export interface FoundCycle {
  /** Its anomaly. */
  type: CycleAnomalyType;
  /** Its edges; each `to` is the next `from`, and the last `to` is the first `from`. */
  edges: CycleEdge[];
}

/**
 * Limits of {@linkcode findCycles}.
 *
 * @example
 * ```ts
 * import type { CycleSearchOptions } from "./cycles.ts";
 * import assert from "node:assert/strict";
 * const o: CycleSearchOptions = { maxPerType: 2, maxSteps: 1_000_000 };
 * assert.equal(o.maxPerType, 2);
 * ```
 */
export interface CycleSearchOptions {
  /** Most cycles reported per anomaly type (one per component); default 4. */
  maxPerType?: number;
  /** Most edge visits in all; default 50 million. */
  maxSteps?: number;
  /** Wall-clock deadline (a `performance.now()` value); default none. */
  deadline?: number;
  /** Search the `-process` and `-realtime` variants too (default true). */
  orderVariants?: boolean;
}

/**
 * The cycles found, and whether the search finished within its budget.
 *
 * @example
 * ```ts
 * import type { CycleSearchResult } from "./cycles.ts";
 * import assert from "node:assert/strict";
 * const r: CycleSearchResult = { cycles: [], complete: true, steps: 0 };
 * assert.ok(r.complete);
 * ```
 */
export interface CycleSearchResult {
  /** The cycles, weakest anomaly first. */
  cycles: FoundCycle[];
  /** False when the budget ran out: more cycles may exist. */
  complete: boolean;
  /** Edge visits spent. */
  steps: number;
}

/** The budget ran out. */
class OutOfBudget extends Error {}

const DATA = EDGE.ww | EDGE.wr | EDGE.rw;

/** A variant: the order edges it may use and the one kind it must use. */
interface Variant {
  suffix: "" | "-process" | "-realtime";
  extra: number;
  need: number;
}

const VARIANTS: readonly Variant[] = [
  { suffix: "", extra: 0, need: 0 },
  { suffix: "-process", extra: EDGE.process, need: EDGE.process },
  { suffix: "-realtime", extra: EDGE.process | EDGE.realtime, need: EDGE.realtime },
];

/**
 * Finds the cycle anomalies of `graph`.
 *
 * @example
 * ```ts
 * import { findCycles } from "./cycles.ts";
 * import { DependencyGraph } from "./dependency_graph.ts";
 * import assert from "node:assert/strict";
 * // Write skew: each read what the other then overwrote.
 * const g = new DependencyGraph(2);
 * g.add(0, 1, "rw");
 * g.add(1, 0, "rw");
 * const { cycles, complete } = findCycles(g);
 * assert.ok(complete);
 * assert.deepEqual(cycles.map((c) => c.type), ["G2"]);
 * ```
 */
export function findCycles(
  graph: DependencyGraph,
  options: CycleSearchOptions = {},
): CycleSearchResult {
  const search = new Search(graph, options);
  let complete = true;
  try {
    for (const v of options.orderVariants === false ? VARIANTS.slice(0, 1) : VARIANTS) {
      search.simple("G0", v);
      search.simple("G1c", v);
      search.antiDependency(v);
    }
  } catch (e) {
    if (!(e instanceof OutOfBudget)) throw e;
    complete = false;
  }
  return { cycles: search.found, complete, steps: search.steps };
}

class Search {
  readonly g: DependencyGraph;
  readonly maxPerType: number;
  readonly maxSteps: number;
  readonly deadline: number;
  steps = 0;
  /** Every cycle found so far, in the order found. */
  readonly found: FoundCycle[] = [];

  constructor(g: DependencyGraph, o: CycleSearchOptions) {
    this.g = g;
    this.maxPerType = o.maxPerType ?? 4;
    this.maxSteps = o.maxSteps ?? 50_000_000;
    this.deadline = o.deadline ?? Infinity;
    if (!(this.maxPerType >= 1)) {
      throw new RangeError(`maxPerType must be >= 1, got ${o.maxPerType}`);
    }
  }

  /**
   * `G0` or `G1c` (with variant): a start edge of the rarest kind the cycle
   * needs, and the shortest path back that uses the rest.
   */
  simple(base: "G0" | "G1c", v: Variant): void {
    const mask = (base === "G0" ? EDGE.ww : EDGE.ww | EDGE.wr) | v.extra;
    const start = v.need !== 0 ? v.need : base === "G0" ? EDGE.ww : EDGE.wr;
    // A G1c variant starts on its order edge and must still use a wr edge.
    const require = base === "G1c" && v.need !== 0 ? [EDGE.wr] : [];
    this.#perComponent(`${base}${v.suffix}` as CycleAnomalyType, mask, mask, start, require);
  }

  /** `G-single` and `G2` (with variant), one kind of cycle per component. */
  antiDependency(v: Variant): void {
    const single = `G-single${v.suffix}` as CycleAnomalyType;
    const g2 = `G2${v.suffix}` as CycleAnomalyType;
    const all = DATA | v.extra;
    const whole = components(this.g, all);
    const { component } = whole;
    // G-single: an rw edge, and a path back with no rw edge (but the variant's edge).
    const singles = this.#perComponent(
      single,
      all,
      (EDGE.ww | EDGE.wr) | v.extra,
      EDGE.rw,
      v.need === 0 ? [] : [v.need],
      whole,
    );
    const withSingle = new Set(singles.map((c) => component[c.edges[0].from]));
    // G2: in components without a G-single, an rw edge and a path back with another.
    this.#perComponent(
      g2,
      all,
      all,
      EDGE.rw,
      v.need === 0 ? [EDGE.rw] : [EDGE.rw, v.need],
      whole,
      withSingle,
    );
  }

  /**
   * For each component of `componentMask` (up to `maxPerType`): tries the
   * start edges of kind `start` inside it until a path back over
   * `pathMask`, using every kind in `require`, closes a simple cycle.
   */
  #perComponent(
    type: CycleAnomalyType,
    componentMask: number,
    pathMask: number,
    start: number,
    require: readonly number[],
    given?: { component: Int32Array; sizes: number[] },
    skip?: ReadonlySet<number>,
  ): FoundCycle[] {
    const { component, sizes } = given ?? components(this.g, componentMask);
    const done = new Set<number>(skip);
    const found: FoundCycle[] = [];
    const startKind = kindOf(start);
    const { offsets, targets, kinds } = this.g.adjacency();
    for (let a = 0; a < this.g.size && found.length < this.maxPerType; a++) {
      const c = component[a];
      if (sizes[c] < 2 || done.has(c)) continue;
      for (let e = offsets[a]; e < offsets[a + 1]; e++) {
        this.#spend(1);
        const b = targets[e];
        if ((kinds[e] & start) === 0 || component[b] !== c) continue;
        const path = this.#pathBack(b, a, pathMask, require, component, c);
        if (path === undefined) continue;
        const cycle: FoundCycle = { type, edges: [{ from: a, to: b, kind: startKind }, ...path] };
        found.push(cycle);
        this.found.push(cycle);
        done.add(c);
        break;
      }
    }
    return found;
  }

  /**
   * The shortest path from `from` to `to` inside component `c` over
   * `mask`'s edges that uses each kind in `require`, as edges; `undefined`
   * if there is none or it would visit a node twice.
   */
  #pathBack(
    from: number,
    to: number,
    mask: number,
    require: readonly number[],
    component: Int32Array,
    c: number,
  ): CycleEdge[] | undefined {
    const full = (1 << require.length) - 1;
    const states = 1 << require.length;
    // Parent links per (node, state): the previous (node, state) and the edge's kind.
    const parent = new Map<number, { prev: number; kind: EdgeKind }>();
    const startId = from * states;
    parent.set(startId, { prev: -1, kind: "ww" });
    let frontier = [startId];
    let goal = -1;
    if (from === to && full === 0) goal = startId;
    const { offsets, targets, kinds } = this.g.adjacency();
    while (frontier.length > 0 && goal === -1) {
      const next: number[] = [];
      for (const id of frontier) {
        const node = Math.floor(id / states), state = id % states;
        for (let e = offsets[node]; e < offsets[node + 1]; e++) {
          this.#spend(1);
          const w = targets[e];
          if (component[w] !== c) continue;
          const usable = kinds[e] & mask;
          if (usable === 0) continue;
          for (const kind of EDGE_KINDS) {
            const bit = EDGE[kind];
            if ((usable & bit) === 0) continue;
            let s = state;
            require.forEach((r, i) => {
              if ((r & bit) !== 0) s |= 1 << i;
            });
            const wid = w * states + s;
            if (parent.has(wid)) continue;
            parent.set(wid, { prev: id, kind });
            if (w === to && s === full) {
              goal = wid;
              break;
            }
            next.push(wid);
          }
          if (goal !== -1) break;
        }
        if (goal !== -1) break;
      }
      frontier = next;
    }
    if (goal === -1) return undefined;
    const edges: CycleEdge[] = [];
    const seen = new Set<number>();
    for (let id = goal; id !== startId;) {
      const p = parent.get(id)!;
      const node = Math.floor(id / states);
      if (seen.has(node)) return undefined;
      seen.add(node);
      edges.push({ from: Math.floor(p.prev / states), to: node, kind: p.kind });
      id = p.prev;
    }
    if (seen.has(from) && from !== to) return undefined;
    return edges.reverse();
  }

  #spend(n: number): void {
    this.steps += n;
    if (this.steps > this.maxSteps) throw new OutOfBudget();
    if ((this.steps & 0xffff) === 0 && performance.now() > this.deadline) throw new OutOfBudget();
  }
}

function kindOf(bit: number): EdgeKind {
  const k = EDGE_KINDS.find((k) => EDGE[k] === bit);
  if (k === undefined) throw new RangeError(`not a single edge kind: ${bit}`);
  return k;
}

/**
 * The base shape of a cycle anomaly type (`G-single-realtime` → `G-single`).
 *
 * @example
 * ```ts
 * import { baseOf } from "./cycles.ts";
 * import assert from "node:assert/strict";
 * assert.equal(baseOf("G-single-realtime"), "G-single");
 * ```
 */
export function baseOf(type: CycleAnomalyType): CycleBase {
  return type.replace(/-(process|realtime)$/, "") as CycleBase;
}
