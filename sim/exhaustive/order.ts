/**
 * A checker's run as choice streams, and driving a run by them: what a
 * saved counterexample holds and `sim replay` feeds back. It stays within
 * the one choice mechanism (see `choices.ts`): besides the seed's draws,
 * which the checker keeps, a run it took is two more streams,
 *
 * - `order`: the choices, one number each (see `choice.ts`), in order;
 * - `check`: what the checker was allowed, for judging the replay alike:
 *   timing (0 strict, 1 any), crashes, partitions, losses, duplicates, and
 *   the liveness bound in steps (0: none).
 *
 * @module
 */

import { ChoiceLog } from "../choices.ts";
import { ConfigError } from "../errors.ts";
import type { ScenarioSetup } from "../scenario.ts";
import type { Simulation, StopReason } from "../simulation.ts";
import { type CheckSettings, World } from "./world.ts";

/** The stream of a run's choices. */
export const ORDER_STREAM = "order";
/** The stream of what the checker was allowed. */
export const SETTINGS_STREAM = "check";

/**
 * A checker's run as a choice log: its `order` and `check` streams.
 *
 * @example
 * ```ts
 * import { orderLog, settingsOf } from "./order.ts";
 * import assert from "node:assert/strict";
 * const settings = {
 *   timing: "any" as const, crashes: 1, partitions: 0, losses: 2, dups: 0, livenessSteps: Infinity,
 * };
 * const log = orderLog([0, 8, 3], settings);
 * assert.deepEqual([...log.values("order")], [0, 8, 3]);
 * assert.deepEqual(settingsOf(log), settings);
 * ```
 */
export function orderLog(order: readonly number[], settings: CheckSettings): ChoiceLog {
  const log = new ChoiceLog();
  log.set(ORDER_STREAM, order);
  log.set(SETTINGS_STREAM, [
    settings.timing === "strict" ? 0 : 1,
    settings.crashes,
    settings.partitions,
    settings.losses,
    settings.dups,
    Number.isFinite(settings.livenessSteps) ? settings.livenessSteps : 0,
  ]);
  return log;
}

/**
 * What the checker was allowed, from a log's `check` stream. Throws a
 * {@linkcode ConfigError} for a damaged one.
 *
 * @example
 * ```ts
 * import { settingsOf } from "./order.ts";
 * import { ChoiceLog } from "../choices.ts";
 * import assert from "node:assert/strict";
 * const log = ChoiceLog.from({ order: [0], check: [0, 0, 0, 0, 0, 0] });
 * assert.equal(settingsOf(log).timing, "strict");
 * assert.throws(() => settingsOf(ChoiceLog.from({ order: [0], check: [2] })), /check/);
 * ```
 */
export function settingsOf(log: ChoiceLog): CheckSettings {
  const v = [...log.values(SETTINGS_STREAM)];
  if (v.length !== 6 || v[0] > 1) {
    throw new ConfigError(
      "trace file",
      `choices.${SETTINGS_STREAM} must hold 6 numbers (timing 0 or 1, crashes, partitions, ` +
        `losses, duplicates, liveness steps), got ${JSON.stringify(v)}`,
    );
  }
  return {
    timing: v[0] === 0 ? "strict" : "any",
    crashes: v[1],
    partitions: v[2],
    losses: v[3],
    dups: v[4],
    livenessSteps: v[5] === 0 ? Infinity : v[5],
  };
}

/**
 * A driver for `runScenario` (its `drive` option) that takes the log's
 * choices in order, judging each step and where they end as the checker
 * did (see `World.endCheck`), when the log has an `order` stream; undefined
 * otherwise. A choice the checker could not
 * have made there is a {@linkcode ConfigError} (an edited or damaged file).
 *
 * @example
 * ```ts
 * import { orderDriver, orderLog } from "./order.ts";
 * import { runScenario } from "../scenario.ts";
 * import { pingPong } from "../../protocols/ping_pong/scenario.ts";
 * import assert from "node:assert/strict";
 * const settings = {
 *   timing: "strict" as const, crashes: 0, partitions: 0, losses: 0, dups: 0, livenessSteps: Infinity,
 * };
 * const log = orderLog([8, 0, 0], settings); // n2 starts, then n1, then the ping arrives
 * const run = runScenario(pingPong, { flags: { rounds: 1 } }, {
 *   choices: { log, mode: "replay" },
 *   drive: orderDriver(log, 1000),
 * });
 * assert.equal(run.sim.stats.delivered, 1);
 * assert.equal(run.stop, "until");
 * ```
 */
export function orderDriver(
  log: ChoiceLog,
  untilMs: number,
): ((sim: Simulation, setup: ScenarioSetup) => StopReason) | undefined {
  if (!log.names().includes(ORDER_STREAM)) return undefined;
  const order = [...log.values(ORDER_STREAM)];
  const settings = settingsOf(log);
  return (sim, setup) => {
    const world = new World(sim, setup, settings, untilMs);
    for (const code of order) {
      if (sim.violations.length > 0) break;
      world.apply(code, { verify: true });
      if (world.livenessViolation !== null) {
        sim.reportViolation(world.livenessViolation);
        break;
      }
    }
    if (sim.violations.length === 0) { for (const v of world.endCheck()) sim.reportViolation(v); }
    return sim.violations.length > 0 ? "violation" : world.ended ? "quiet" : "until";
  };
}
