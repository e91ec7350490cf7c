/**
 * Testing your protocol with `deno test`: run a scenario over many seeds
 * inside one test and, when a seed fails, fail with everything needed to
 * debug it: the seed, the violation, the last events before it, and the one
 * command that replays it.
 *
 * @module
 */

import { AssertionError } from "node:assert";
import type { FaultSpec } from "./faults.ts";
import {
  runScenario,
  type Scenario,
  type ScenarioParams,
  type ScenarioResult,
  withEvents,
} from "./scenario.ts";

/**
 * Which seeds to run, and the rest of the run's parameters (as for
 * {@linkcode runScenario}). Tracing defaults to `hash`, the fastest mode that
 * still proves determinism; a failing seed is re-run with the full trace so
 * the report shows its last events.
 *
 * @example
 * ```ts
 * import type { SeedsOptions } from "./testing.ts";
 * const opts: SeedsOptions = { seeds: [1, 200], faults: "random", network: { loss: 0.1 } };
 * ```
 */
export type SeedsOptions =
  & Partial<Omit<ScenarioParams, "faults" | "seed">>
  & {
    /** A count N (seeds 1..N), an inclusive range [from, to], or a list. */
    seeds: number | [number, number] | readonly number[];
    faults?: FaultSpec | string;
    /** Stop at the first failing seed (default true). */
    stopAtFirst?: boolean;
  };

/**
 * What a sweep of seeds found.
 *
 * @example
 * ```ts
 * import type { SeedsOutcome } from "./testing.ts";
 * const line = (o: SeedsOutcome) => `${o.runs} runs, ${o.failures.length} failed`;
 * ```
 */
export interface SeedsOutcome {
  runs: number;
  failures: ScenarioResult[];
}

function seedList(seeds: SeedsOptions["seeds"]): number[] {
  if (typeof seeds === "number") return Array.from({ length: seeds }, (_, i) => i + 1);
  if (isRange(seeds)) {
    const [from, to] = seeds;
    return Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);
  }
  return [...seeds];
}

/** A pair is a range; write longer lists (or `[a, b, b]`) to run exactly those seeds. */
function isRange(seeds: readonly number[]): seeds is [number, number] {
  return seeds.length === 2 && seeds[0] <= seeds[1];
}

/**
 * Runs `scenario` for every seed and returns the failing runs.
 *
 * @example
 * ```ts
 * import { checkSeeds } from "./testing.ts";
 * import { pingPong } from "../protocols/ping_pong/scenario.ts";
 * checkSeeds(pingPong, { seeds: 20, network: { loss: 0.2 } }).failures.length; // 0
 * ```
 */
export function checkSeeds(scenario: Scenario, options: SeedsOptions): SeedsOutcome {
  const { seeds, stopAtFirst = true, ...given } = options;
  const failures: ScenarioResult[] = [];
  let runs = 0;
  for (const seed of seedList(seeds)) {
    runs++;
    const result = runScenario(scenario, { trace: "hash", ...given, seed });
    if (result.ok) continue;
    failures.push(withEvents(scenario, given, result));
    if (stopAtFirst) break;
  }
  return { runs, failures };
}

/**
 * Fails (throws an `AssertionError`) at the first seed whose run violates a
 * check, with the seed, the violation, the last events and the replay command.
 *
 * @example
 * ```ts
 * import { assertSeeds } from "./testing.ts";
 * import { gossip } from "../protocols/gossip/scenario.ts";
 * Deno.test("gossip reaches everyone despite loss", () => {
 *   assertSeeds(gossip, { seeds: 50, network: { loss: 0.1 } });
 * });
 * ```
 */
export function assertSeeds(scenario: Scenario, options: SeedsOptions): void {
  const { runs, failures } = checkSeeds(scenario, options);
  const failed = failures[0];
  if (failed === undefined) return;
  throw new AssertionError({
    message: [
      `${scenario.name}: seed ${failed.seed} failed (after ${runs} run${runs === 1 ? "" : "s"})`,
      failed.sim.failureReport(),
      `replay: ${failed.replay} --diagram`,
    ].join("\n"),
  });
}
