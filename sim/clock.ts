/**
 * Node clocks. Each node sees local time `global * (1 + drift) + skew`
 * through `ctx.now()`; the trace keeps global time. Timers are set in local
 * time, so a fast clock fires its timers early in global time, as a real
 * quartz crystal running fast would.
 *
 * @module
 */

import { ConfigError } from "./errors.ts";

/**
 * A node's clock error.
 *
 * @example
 * ```ts
 * import type { ClockConfig } from "./clock.ts";
 * import { Simulation } from "./simulation.ts";
 * import assert from "node:assert/strict";
 * const fast: ClockConfig = { skewMs: 50, drift: 0.01 };
 * const sim = new Simulation({ seed: 1 });
 * sim.spawn("n1", () => ({ onMessage() {} }), { clock: fast });
 * sim.run({ until: 1000 });
 * assert.equal(sim.localTime("n1"), 1000 * 1.01 + 50);
 * ```
 */
export interface ClockConfig {
  /** Offset in ms added to local time. */
  skewMs?: number;
  /** Rate error: 0.01 runs 1% fast, -0.01 runs 1% slow. From -0.5 to 1. */
  drift?: number;
}

/** The largest clock skew accepted, ms: a day. Beyond it a run tests arithmetic, not protocols. */
export const MAX_SKEW_MS = 86_400_000;
/** The slowest clock accepted: half speed. */
export const MIN_DRIFT = -0.5;
/**
 * The fastest clock accepted: double speed. A faster clock fires its timers
 * so soon in global time that virtual time would hardly move.
 */
export const MAX_DRIFT = 1;

/**
 * A skewed, drifting clock.
 *
 * @example
 * ```ts
 * import { NodeClock } from "./clock.ts";
 * import assert from "node:assert/strict";
 * const c = new NodeClock({ skewMs: 100, drift: 0.5 });
 * assert.equal(c.local(10), 115);
 * assert.equal(c.globalDelay(15), 10);
 * assert.throws(() => c.set({ drift: 1e9 }), /clock drift: must be a rate/);
 * ```
 */
export class NodeClock {
  /** Offset added to local time, ms. */
  skewMs = 0;
  /** Rate error: 0.01 runs 1% fast. */
  drift = 0;

  /** A clock with `config`'s skew and drift (both 0 by default). */
  constructor(config: ClockConfig = {}) {
    this.set(config);
  }

  /** Changes skew and/or drift, validating them. */
  set(config: ClockConfig): void {
    if (config.skewMs !== undefined) {
      const skew = config.skewMs;
      if (!(typeof skew === "number" && Math.abs(skew) <= MAX_SKEW_MS)) {
        throw new ConfigError(
          "clock skew",
          `must be a number of ms from -${MAX_SKEW_MS} to ${MAX_SKEW_MS} (a day), got ${skew}`,
        );
      }
      this.skewMs = skew;
    }
    if (config.drift !== undefined) {
      const drift = config.drift;
      if (!(typeof drift === "number" && drift >= MIN_DRIFT && drift <= MAX_DRIFT)) {
        throw new ConfigError(
          "clock drift",
          `must be a rate from ${MIN_DRIFT} (half speed) to ${MAX_DRIFT} (double speed), ` +
            `got ${drift}; real clocks drift by about 0.0001`,
        );
      }
      this.drift = drift;
    }
  }

  /** Local time at global time `t`. */
  local(t: number): number {
    return t * (1 + this.drift) + this.skewMs;
  }

  /** How much global time passes while this clock advances `localMs`. */
  globalDelay(localMs: number): number {
    return this.drift === 0 ? localMs : localMs / (1 + this.drift);
  }
}
