/**
 * Symmetry reduction: a scenario may declare groups of interchangeable
 * nodes (`Scenario.symmetric`). A state and every state made from it by
 * renaming nodes within their groups behave alike, so the checker stores
 * one fingerprint for all of them: the least fingerprint over every
 * renaming (a canonical representative, as Stateright's `Representative`
 * and TLC's symmetry sets give). Renaming is exact, ids inside messages,
 * timers, storage and states included (see `hash.ts`), so two states get
 * the same fingerprint only when one is a renaming of the other.
 *
 * The cost is one hash per renaming, so groups are kept small: at most 720
 * renamings in all (one group of six, or two of three).
 *
 * @module
 */

import type { NodeId } from "../../actors/mod.ts";
import { ConfigError } from "../errors.ts";

/** Most renamings the checker hashes per state. */
export const MAX_RENAMINGS = 720;

/**
 * Every renaming of the nodes within their groups, the identity first (as
 * `null`). Throws a {@linkcode ConfigError} for a group naming an unknown
 * node, a node in two groups, or too many renamings.
 *
 * @example
 * ```ts
 * import { renamings } from "./symmetry.ts";
 * import assert from "node:assert/strict";
 * const all = renamings([["n1", "n2", "n3"]], ["n1", "n2", "n3"]);
 * assert.equal(all.length, 6);
 * assert.equal(all[0], null);
 * assert.ok(all.some((r) => r?.get("n1") === "n3" && r.get("n3") === "n1"));
 * ```
 */
export function renamings(
  groups: readonly (readonly NodeId[])[],
  nodes: readonly NodeId[],
): (Map<NodeId, NodeId> | null)[] {
  const seen = new Set<NodeId>();
  let count = 1;
  for (const group of groups) {
    for (const id of group) {
      if (!nodes.includes(id)) {
        throw new ConfigError(
          "symmetric",
          `names ${JSON.stringify(id)}, which is not a node; nodes: ${nodes.join(", ")}`,
        );
      }
      if (seen.has(id)) throw new ConfigError("symmetric", `${id} is in two groups`);
      seen.add(id);
    }
    for (let k = 2; k <= group.length; k++) count *= k;
    if (count > MAX_RENAMINGS) {
      throw new ConfigError(
        "symmetric",
        `the groups allow more than ${MAX_RENAMINGS} renamings; declare smaller groups`,
      );
    }
  }
  let maps: Map<NodeId, NodeId>[] = [new Map()];
  for (const group of groups) {
    const next: Map<NodeId, NodeId>[] = [];
    for (const order of permutations(group)) {
      for (const map of maps) {
        const m = new Map(map);
        group.forEach((id, i) => m.set(id, order[i]));
        next.push(m);
      }
    }
    maps = next;
  }
  const identity = (m: Map<NodeId, NodeId>) => [...m].every(([a, b]) => a === b);
  return [null, ...maps.filter((m) => !identity(m))];
}

/** Every order of `items`. */
function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]];
  const out: T[][] = [];
  items.forEach((x, i) => {
    for (const rest of permutations([...items.slice(0, i), ...items.slice(i + 1)])) {
      out.push([x, ...rest]);
    }
  });
  return out;
}
