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
 * const fast: ClockConfig = { skewMs: 50, drift: 0.01 };
 * ```
 */
export interface ClockConfig {
  /** Offset in ms added to local time. */
  skewMs?: number;
  /** Rate error: 0.01 runs 1% fast, -0.01 runs 1% slow. Must be > -1. */
  drift?: number;
}

/**
 * A skewed, drifting clock.
 *
 * @example
 * ```ts
 * import { NodeClock } from "./clock.ts";
 * const c = new NodeClock({ skewMs: 100, drift: 0.5 });
 * c.local(10); // 115
 * c.globalDelay(15); // 10
 * ```
 */
export class NodeClock {
  skewMs = 0;
  drift = 0;

  constructor(config: ClockConfig = {}) {
    this.set(config);
  }

  /** Changes skew and/or drift, validating them. */
  set(config: ClockConfig): void {
    if (config.skewMs !== undefined) {
      if (!Number.isFinite(config.skewMs)) {
        throw new ConfigError("clock skew", `must be a finite number of ms, got ${config.skewMs}`);
      }
      this.skewMs = config.skewMs;
    }
    if (config.drift !== undefined) {
      if (!Number.isFinite(config.drift) || config.drift <= -1) {
        throw new ConfigError("clock drift", `must be a number > -1, got ${config.drift}`);
      }
      this.drift = config.drift;
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
