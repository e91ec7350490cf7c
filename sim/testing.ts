/**
 * Testing your protocol with `deno test`: run a scenario over many seeds
 * inside one test and, when a seed fails, fail with everything needed to
 * debug it: the seed, the violation, the last events before it, and the one
 * command that replays it.
 *
 * @module
 */

import { AssertionError } from "node:assert";
import { ConfigError } from "./errors.ts";
import type { FaultSpec } from "./faults.ts";
import { MAX_SEED } from "./random.ts";
import {
  type FlagSpecs,
  type FlagValues,
  replayCommand,
  runScenario,
  type Scenario,
  type ScenarioParams,
  type ScenarioResult,
  withEvents,
} from "./scenario.ts";

export {
  type PendingTimer,
  type RecordedOp,
  type Sent,
  TestContext,
  type TestContextOptions,
} from "../actors/test_context.ts";

/**
 * Which seeds to run: one seed, an inclusive range, or a list. Never
 * ambiguous: `{ from: 1, to: 200 }` is 200 seeds, `[7, 3]` is two.
 *
 * @example
 * ```ts
 * import { type Seeds, seedList } from "./testing.ts";
 * import assert from "node:assert/strict";
 * const range: Seeds = { from: 1, to: 3 };
 * assert.deepEqual(seedList(range), [1, 2, 3]);
 * assert.deepEqual(seedList(42), [42]);
 * assert.deepEqual(seedList([9, 4]), [9, 4]);
 * ```
 */
export type Seeds = number | { from: number; to: number } | readonly number[];

/** The most seeds one call runs: more belongs in a sweep (`sim sweep`), in workers. */
const MAX_SEEDS = 10_000_000;

/**
 * The seeds a {@linkcode Seeds} value names, in order. Throws a
 * {@linkcode ConfigError} for a seed that is not a whole number in range or
 * a range that is backwards.
 *
 * @example
 * ```ts
 * import { seedList } from "./testing.ts";
 * import assert from "node:assert/strict";
 * assert.throws(() => seedList({ from: 5, to: 1 }), /seeds: the range 5\.\.1 is empty/);
 * ```
 */
export function seedList(seeds: Seeds): number[] {
  const check = (s: unknown) => {
    if (!(typeof s === "number" && Number.isSafeInteger(s) && s >= 0 && s <= MAX_SEED)) {
      throw new ConfigError(
        "seeds",
        `a seed must be a whole number from 0 to ${MAX_SEED}, got ${s}`,
      );
    }
    return s;
  };
  if (typeof seeds === "number") return [check(seeds)];
  if (Array.isArray(seeds)) return seeds.map(check);
  if (typeof seeds === "object" && seeds !== null && "from" in seeds && "to" in seeds) {
    const from = check(seeds.from), to = check(seeds.to);
    if (to < from) {
      throw new ConfigError(
        "seeds",
        `the range ${from}..${to} is empty (write { from, to }, from <= to)`,
      );
    }
    if (to - from + 1 > MAX_SEEDS) {
      throw new ConfigError(
        "seeds",
        `${to - from + 1} seeds is more than ${MAX_SEEDS}: use sim sweep`,
      );
    }
    return Array.from({ length: to - from + 1 }, (_, i) => from + i);
  }
  throw new ConfigError(
    "seeds",
    `give one seed (7), a range ({ from: 1, to: 200 }) or a list ([3, 9]), got ${
      JSON.stringify(seeds)
    }`,
  );
}

/**
 * Which seeds to run, and the rest of the run's parameters (as for
 * {@linkcode runScenario}). Tracing defaults to `hash`, the fastest mode that
 * still proves determinism; a failing seed is re-run with the full trace so
 * the report shows its last events.
 *
 * @example
 * ```ts
 * import { checkSeeds, type SeedsOptions } from "./testing.ts";
 * import { pingPong } from "../protocols/ping_pong/scenario.ts";
 * import assert from "node:assert/strict";
 * const opts: SeedsOptions = { seeds: { from: 1, to: 20 }, faults: "random", network: { loss: 0.1 } };
 * assert.equal(checkSeeds(pingPong, opts).runs, 20);
 * ```
 */
export type SeedsOptions<F extends FlagSpecs = FlagSpecs> =
  & Partial<Omit<ScenarioParams<F>, "faults" | "seed" | "flags">>
  & {
    /** One seed, an inclusive range `{ from, to }`, or a list. */
    seeds: Seeds;
    faults?: FaultSpec | string;
    flags?: Partial<FlagValues<F>>;
    /** Stop at the first failing seed (default true). */
    stopAtFirst?: boolean;
  };

/**
 * What a sweep of seeds found.
 *
 * @example
 * ```ts
 * import { checkSeeds, type SeedsOutcome } from "./testing.ts";
 * import { pingPong } from "../protocols/ping_pong/scenario.ts";
 * import assert from "node:assert/strict";
 * const line = (o: SeedsOutcome) => `${o.runs} runs, ${o.failures.length} failed`;
 * assert.equal(line(checkSeeds(pingPong, { seeds: [1, 2, 3] })), "3 runs, 0 failed");
 * ```
 */
export interface SeedsOutcome {
  /** Seeds run (fewer than asked when `stopAtFirst` stopped early). */
  runs: number;
  /** The failing runs, in seed order. */
  failures: ScenarioResult[];
}

/**
 * Runs `scenario` for every seed and returns the failing runs.
 *
 * @example
 * ```ts
 * import { checkSeeds } from "./testing.ts";
 * import { pingPong } from "../protocols/ping_pong/scenario.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(checkSeeds(pingPong, { seeds: { from: 1, to: 20 }, network: { loss: 0.2 } }).failures.length, 0);
 * ```
 */
export function checkSeeds<F extends FlagSpecs>(
  scenario: Scenario<F>,
  options: SeedsOptions<F>,
): SeedsOutcome {
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
 *   assertSeeds(gossip, { seeds: { from: 1, to: 50 }, network: { loss: 0.1 } });
 * });
 * ```
 */
export function assertSeeds<F extends FlagSpecs>(
  scenario: Scenario<F>,
  options: SeedsOptions<F>,
): void {
  const { runs, failures } = checkSeeds(scenario, options);
  const failed = failures[0];
  if (failed === undefined) return;
  throw new AssertionError({
    message: [
      `${scenario.name}: seed ${failed.seed} failed (after ${runs} run${runs === 1 ? "" : "s"})`,
      failed.sim.failureReport(),
      `replay: ${failed.replay} --diagram`,
      `shrink: ${replayCommand(scenario, failed.spec, "sweep")}`,
      `step through it: ${replayCommand(scenario, failed.spec, "studio")}`,
    ].join("\n"),
  });
}
