/**
 * The dependency graph of a transaction history (Adya's direct
 * serialization graph): one node per transaction, an edge `T1 → T2` when T1
 * must come before T2 in any serial order that explains the history, labelled
 * with why.
 *
 * - `ww`: T2 installed the next version after T1's (write dependency);
 * - `wr`: T2 read T1's version (read dependency);
 * - `rw`: T1 read a version that T2 overwrote (anti-dependency);
 * - `process`: one client ran T1, then T2;
 * - `realtime`: T1 returned before T2 was called.
 *
 * Each edge remembers the first reason it was added for, so a cycle can be
 * explained in words.
 *
 * @module
 */

/**
 * The kinds of edge.
 *
 * @example
 * ```ts
 * import { EDGE_KINDS } from "./dependency_graph.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual([...EDGE_KINDS], ["ww", "wr", "rw", "process", "realtime"]);
 * ```
 */
export const EDGE_KINDS = ["ww", "wr", "rw", "process", "realtime"] as const;

/**
 * One of {@linkcode EDGE_KINDS}.
 *
 * @example
 * ```ts
 * import type { EdgeKind } from "./dependency_graph.ts";
 * import assert from "node:assert/strict";
 * const k: EdgeKind = "rw";
 * assert.equal(k, "rw");
 * ```
 */
export type EdgeKind = typeof EDGE_KINDS[number];

/**
 * Bit masks of edge kinds, for asking about several at once.
 *
 * @example
 * ```ts
 * import { EDGE } from "./dependency_graph.ts";
 * import assert from "node:assert/strict";
 * assert.equal(EDGE.ww | EDGE.wr, 3);
 * ```
 */
export const EDGE: Readonly<Record<EdgeKind, number>> = {
  ww: 1,
  wr: 2,
  rw: 4,
  process: 8,
  realtime: 16,
};

/**
 * Why an edge exists: the key and values behind a data dependency, or the
 * times behind an order edge.
 *
 * @example
 * ```ts
 * import type { EdgeReason } from "./dependency_graph.ts";
 * import assert from "node:assert/strict";
 * const r: EdgeReason = { key: "x", before: 1, after: 2 };
 * assert.equal(r.after, 2);
 * ```
 */
export interface EdgeReason {
  /** The key, for `ww`, `wr` and `rw`. */
  key?: unknown;
  /**
   * `ww`: the value T1 wrote; `wr`: the value T2 read; `rw`: the version T1
   * read (`null`: the initial state).
   */
  before?: unknown;
  /** `ww` and `rw`: the value T2 wrote after it. */
  after?: unknown;
}

/**
 * A graph's edges as flat arrays: node a's edges are the positions
 * `offsets[a]` to `offsets[a + 1] - 1` of `targets` (the other end) and
 * `kinds` (the bit mask of the edge's kinds).
 *
 * @example
 * ```ts
 * import { DependencyGraph, EDGE } from "./dependency_graph.ts";
 * import assert from "node:assert/strict";
 * const g = new DependencyGraph(2);
 * g.add(0, 1, "rw");
 * const { offsets, targets, kinds } = g.adjacency();
 * assert.deepEqual([offsets[0], offsets[1], targets[0], kinds[0]], [0, 1, 1, EDGE.rw]);
 * ```
 */
export interface Adjacency {
  /** Where each node's edges start; `offsets[size]` is the number of edges. */
  offsets: Int32Array;
  /** The target of each edge. */
  targets: Int32Array;
  /** The kinds of each edge, as a bit mask. */
  kinds: Uint8Array;
}

/**
 * A directed graph over transactions `0 .. size - 1` with labelled edges.
 *
 * @example
 * ```ts
 * import { DependencyGraph, EDGE } from "./dependency_graph.ts";
 * import assert from "node:assert/strict";
 * const g = new DependencyGraph(2);
 * g.add(0, 1, "wr", { key: "x", before: 1 });
 * g.add(0, 1, "ww", { key: "x", before: 1, after: 2 });
 * assert.equal(g.kinds(0, 1), EDGE.wr | EDGE.ww);
 * assert.deepEqual(g.reason(0, 1, "wr"), { key: "x", before: 1 });
 * ```
 */
export class DependencyGraph {
  /** Number of nodes. */
  readonly size: number;
  /** `out[a]`: the targets of a's edges, each with the bit mask of its kinds. */
  readonly #out: Map<number, number>[];
  /** `reasons[a]`: why each of a's edges exists, keyed by target and kind. */
  readonly #reasons: Map<number, EdgeReason>[];
  #edges = 0;
  #flat: Adjacency | undefined;

  /** A graph of `size` nodes and no edges. */
  constructor(size: number) {
    if (!Number.isInteger(size) || size < 0) {
      throw new RangeError(`graph size must be a whole number >= 0, got ${size}`);
    }
    this.size = size;
    this.#out = Array.from({ length: size }, () => new Map());
    this.#reasons = Array.from({ length: size }, () => new Map());
  }

  /** Adds `a → b` of `kind` (no self-edges: a transaction never precedes itself). */
  add(a: number, b: number, kind: EdgeKind, reason: EdgeReason = {}): void {
    if (a === b) return;
    if (!(a >= 0 && a < this.size && b >= 0 && b < this.size)) {
      throw new RangeError(`edge ${a} -> ${b} outside a graph of ${this.size} nodes`);
    }
    const bit = EDGE[kind];
    const had = this.#out[a].get(b) ?? 0;
    if ((had & bit) !== 0) return;
    if (had === 0) this.#edges++;
    this.#flat = undefined;
    this.#out[a].set(b, had | bit);
    // Small integer keys: a Map of them is far faster than one of 40-bit numbers.
    this.#reasons[a].set(b * 32 + bit, reason);
  }

  /** The bit mask of the kinds of `a → b` (0 when there is no edge). */
  kinds(a: number, b: number): number {
    return this.#out[a].get(b) ?? 0;
  }

  /** Why `a → b` of `kind` was added, or `undefined` if it was not. */
  reason(a: number, b: number, kind: EdgeKind): EdgeReason | undefined {
    return this.#reasons[a].get(b * 32 + EDGE[kind]);
  }

  /** The targets of `a`'s edges, each with its kinds. */
  out(a: number): ReadonlyMap<number, number> {
    return this.#out[a];
  }

  /**
   * The edges as flat arrays, built once after the last `add`: what the
   * searches walk, since indexing arrays is much faster than iterating maps.
   */
  adjacency(): Adjacency {
    if (this.#flat !== undefined) return this.#flat;
    const offsets = new Int32Array(this.size + 1);
    const targets = new Int32Array(this.#edges);
    const kinds = new Uint8Array(this.#edges);
    let i = 0;
    for (let a = 0; a < this.size; a++) {
      offsets[a] = i;
      for (const [b, k] of this.#out[a]) {
        targets[i] = b;
        kinds[i++] = k;
      }
    }
    offsets[this.size] = i;
    return this.#flat = { offsets, targets, kinds };
  }

  /** Number of node pairs joined by at least one edge. */
  get edgeCount(): number {
    return this.#edges;
  }
}

/**
 * The strongly connected components of the subgraph of `mask`'s edges, by
 * Tarjan's algorithm without recursion: `component[v]` numbers v's
 * component, and `sizes[c]` counts its nodes. A cycle lies within one
 * component.
 *
 * @example
 * ```ts
 * import { DependencyGraph, EDGE, components } from "./dependency_graph.ts";
 * import assert from "node:assert/strict";
 * const g = new DependencyGraph(3);
 * g.add(0, 1, "ww");
 * g.add(1, 0, "wr");
 * g.add(1, 2, "ww");
 * const all = components(g, EDGE.ww | EDGE.wr);
 * assert.equal(all.component[0], all.component[1]);
 * assert.notEqual(all.component[0], all.component[2]);
 * assert.notEqual(components(g, EDGE.ww).component[0], components(g, EDGE.ww).component[1]);
 * ```
 */
export function components(
  g: DependencyGraph,
  mask: number,
): { component: Int32Array; sizes: number[] } {
  const n = g.size;
  const { offsets, targets, kinds } = g.adjacency();
  const index = new Int32Array(n).fill(-1);
  const low = new Int32Array(n);
  const component = new Int32Array(n).fill(-1);
  const onStack = new Uint8Array(n);
  const stack: number[] = [];
  const sizes: number[] = [];
  // The call stack of the recursive algorithm: a node and the position of its next edge.
  const frameNode = new Int32Array(n);
  const frameEdge = new Int32Array(n);
  let depth = 0, next = 0;
  for (let root = 0; root < n; root++) {
    if (index[root] !== -1) continue;
    let v = root;
    index[v] = low[v] = next++;
    stack.push(v);
    onStack[v] = 1;
    frameNode[0] = v;
    frameEdge[0] = offsets[v];
    depth = 1;
    while (depth > 0) {
      v = frameNode[depth - 1];
      const e = frameEdge[depth - 1];
      if (e < offsets[v + 1]) {
        frameEdge[depth - 1] = e + 1;
        if ((kinds[e] & mask) === 0) continue;
        const w = targets[e];
        if (index[w] === -1) {
          index[w] = low[w] = next++;
          stack.push(w);
          onStack[w] = 1;
          frameNode[depth] = w;
          frameEdge[depth] = offsets[w];
          depth++;
        } else if (onStack[w] === 1) low[v] = Math.min(low[v], index[w]);
        continue;
      }
      depth--;
      if (depth > 0) {
        const parent = frameNode[depth - 1];
        low[parent] = Math.min(low[parent], low[v]);
      }
      if (low[v] === index[v]) {
        const c = sizes.length;
        let count = 0, w: number;
        do {
          w = stack.pop()!;
          onStack[w] = 0;
          component[w] = c;
          count++;
        } while (w !== v);
        sizes.push(count);
      }
    }
  }
  return { component, sizes };
}
