/**
 * Depth-first search: one run goes as deep as it can, then the search
 * backs up one choice and tries the next. It stores only fingerprints (and
 * the depth each was first reached at, so that a state first met deep and
 * later met shallower is explored again within the depth limit), and keeps
 * only the current path: memory for the visited set alone. A run goes on
 * in place while it can; backing up builds a fresh run at the state it
 * backs up to. The counterexample it finds is a counterexample, not the
 * shortest: use breadth-first search for that.
 *
 * @module
 */

import type { Search } from "./search.ts";
import type { World } from "./world.ts";

/**
 * Runs a depth-first search to the search's depth, or until it finds a
 * violation or reaches a limit.
 *
 * @example
 * ```ts
 * import { depthFirst } from "./dfs.ts";
 * import { Search } from "./search.ts";
 * import { resolveParams } from "../scenario.ts";
 * import { pingPong } from "../../protocols/ping_pong/scenario.ts";
 * import assert from "node:assert/strict";
 * const settings = {
 *   timing: "strict" as const, crashes: 0, partitions: 0, losses: 0, dups: 0, livenessSteps: Infinity,
 * };
 * const params = resolveParams(pingPong, { flags: { rounds: 1 } });
 * const search = new Search(pingPong, params, settings, { depth: 50, maxStates: 1000, budgetMs: Infinity });
 * depthFirst(search);
 * assert.equal(search.found, null);
 * assert.equal(search.cut, 0);
 * ```
 */
export function depthFirst(search: Search): void {
  let world: World | null = search.root();
  if (search.found !== null) return;
  const path: number[] = [];
  const stack: Array<{ codes: number[]; next: number }> = [{ codes: world.choices(), next: 0 }];
  // Whether `world` is at the state `path` reaches, and may still be stepped.
  let atPath = !search.checks;
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    if (top.next >= top.codes.length) {
      stack.pop();
      path.pop();
      atPath = false;
      continue;
    }
    const code = top.codes[top.next++];
    if (!atPath || world === null) world = search.world(path);
    world.apply(code);
    search.transitions++;
    // A world that ran the scenario's check is not stepped further (see search.ts).
    atPath = false;
    const fresh = search.judge(world);
    if (search.over) return;
    if (!fresh) continue;
    if (world.depth >= search.limits.depth) {
      search.cut++;
      continue;
    }
    const codes = world.choices();
    if (codes.length === 0) continue;
    path.push(code);
    stack.push({ codes, next: 0 });
    atPath = !search.checks;
  }
}
