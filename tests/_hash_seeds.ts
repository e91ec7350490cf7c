/**
 * Prints the trace hash of the built-in scenarios for given seeds, one JSON
 * object a line. The determinism test runs it in a second process and compares
 * with hashes computed in its own.
 *
 * ```sh
 * deno run tests/_hash_seeds.ts 1 2 3
 * ```
 *
 * @module
 */

import { scenarios } from "../protocols/registry.ts";
import { runScenario } from "../sim/scenario.ts";

/** The scenarios the determinism tests run. */
export const HASHED_SCENARIOS = ["ping-pong", "gossip"] as const;

/**
 * Runs `name` with seed `seed` under loss, duplication and seed-generated
 * faults, and returns the result.
 *
 * @example
 * ```ts
 * import { faultyRun } from "./_hash_seeds.ts";
 * faultyRun("ping-pong", 1).traceHash.length; // 16
 * ```
 */
export function faultyRun(name: string, seed: number, trace: "full" | "hash" | "off" = "hash") {
  return runScenario(scenarios.get(name), {
    seed,
    trace,
    network: { loss: 0.1, duplicate: 0.05 },
    faults: "random",
    ...(name === "gossip" ? { nodes: 5, until: 1000 } : {}),
  });
}

if (import.meta.main) {
  for (const arg of Deno.args) {
    const seed = Number(arg);
    for (const scenario of HASHED_SCENARIOS) {
      const hash = faultyRun(scenario, seed).traceHash;
      console.log(JSON.stringify({ scenario, seed, hash }));
    }
  }
}
