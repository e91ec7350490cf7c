/**
 * The configurations `sim check`'s speed is measured on (issue 12): a
 * 3-server Raft election and ABD with two clients, breadth-first, strict
 * timing. Shared by `check_bench.ts` (`deno bench`) and `check_rates.ts`
 * (alternating repetitions, best and median).
 *
 * @module
 */

import type { CheckOptions } from "../../sim/exhaustive/check.ts";
import type { RunGiven, Scenario } from "../../sim/scenario.ts";
import { raftElection } from "../../protocols/raft/scenarios.ts";
import { abd } from "../../protocols/quorum/scenarios.ts";

/**
 * One measured configuration.
 *
 * @example
 * ```ts
 * import type { CheckCase } from "./_check_cases.ts";
 * import { pingPong } from "../../protocols/ping_pong/scenario.ts";
 * import assert from "node:assert/strict";
 * const c: CheckCase = { name: "ping", scenario: pingPong, given: {}, options: { depth: 9 } };
 * assert.equal(c.options.depth, 9);
 * ```
 */
export interface CheckCase {
  /** What it is, for people. */
  name: string;
  /** The scenario checked. */
  scenario: Scenario;
  /** Its run parameters. */
  given: RunGiven;
  /** The check's options. */
  options: CheckOptions;
}

/**
 * The two configurations the issue names.
 *
 * @example
 * ```ts
 * import { CHECK_CASES } from "./_check_cases.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(CHECK_CASES.map((c) => c.scenario.name), ["raft-election", "abd"]);
 * ```
 */
export const CHECK_CASES: readonly CheckCase[] = [
  {
    name: "raft-election, 3 servers, 1..3 ms links, depth 40",
    scenario: raftElection,
    given: { nodes: 3, network: { latency: { kind: "uniform", min: 1, max: 3 } } },
    options: { depth: 40, maxStates: 1_000_000 },
  },
  {
    name: "abd, 3 replicas, 2 clients x 1 op, 1 ms think, exhausted",
    scenario: abd,
    given: { flags: { clients: 2, ops: 1, "think-ms": 1 } },
    options: { maxStates: 1_000_000 },
  },
];
