/**
 * Breadth-first search: every state at depth d before any at d + 1, so the
 * first violation found is at the least depth any violation has: the
 * shortest counterexample (as TLC's and Stateright's BFS give). The search
 * tree is kept as a parent and a choice per stored state (8 bytes each, in
 * arrays that double as they fill), the way TLC rebuilds a trace from
 * fingerprints: a state's path is read back up the tree, and a world at it
 * is built by applying that path again.
 *
 * @module
 */

import type { Search } from "./search.ts";

/**
 * Runs a breadth-first search to the search's depth, or until it finds a
 * violation or reaches a limit.
 *
 * @example
 * ```ts
 * import { breadthFirst } from "./bfs.ts";
 * import { Search } from "./search.ts";
 * import { resolveParams } from "../scenario.ts";
 * import { pingPong } from "../../protocols/ping_pong/scenario.ts";
 * import assert from "node:assert/strict";
 * const settings = {
 *   timing: "strict" as const, crashes: 0, partitions: 0, losses: 0, dups: 0, livenessSteps: Infinity,
 * };
 * const params = resolveParams(pingPong, { flags: { rounds: 1 } });
 * const search = new Search(pingPong, params, settings, { depth: 50, maxStates: 1000, budgetMs: Infinity });
 * breadthFirst(search);
 * assert.equal(search.found, null);
 * assert.equal(search.cut, 0); // every state seen: the space is exhausted
 * ```
 */
export function breadthFirst(search: Search): void {
  let parents = new Int32Array(1024);
  let choices = new Uint32Array(1024);
  let count = 0;
  search.treeBytes = parents.byteLength + choices.byteLength;
  const add = (parent: number, choice: number): number => {
    if (count === parents.length) {
      const p = new Int32Array(count * 2), c = new Uint32Array(count * 2);
      p.set(parents);
      c.set(choices);
      parents = p;
      choices = c;
      search.treeBytes = parents.byteLength + choices.byteLength;
    }
    parents[count] = parent;
    choices[count] = choice;
    return count++;
  };
  const pathOf = (id: number): number[] => {
    const path: number[] = [];
    for (let i = id; parents[i] !== -1; i = parents[i]) path.push(choices[i]);
    return path.reverse();
  };

  search.root();
  if (search.found !== null) return;
  let frontier = [add(-1, 0)];
  for (let depth = 0; frontier.length > 0; depth++) {
    if (depth >= search.limits.depth) {
      search.cut = frontier.length;
      return;
    }
    const next: number[] = [];
    for (const id of frontier) {
      const path = pathOf(id);
      let world = search.world(path);
      const codes = world.choices();
      for (let k = 0; k < codes.length; k++) {
        if (k > 0) world = search.world(path);
        world.apply(codes[k]);
        search.transitions++;
        if (search.judge(world)) next.push(add(id, codes[k]));
        if (search.over) return;
      }
    }
    frontier = next;
  }
}
