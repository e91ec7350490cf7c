/**
 * A software clock disciplined by offset estimates, over a hardware clock
 * (`ctx.now()`, which skews, drifts, and may be set back by an operator).
 *
 * It reads `hardware + correction`. A new estimate moves the correction
 * towards it the way NTP's discipline does (lecture 3.2):
 *
 * - **slew**: change the correction gradually, at most `slewRate` ms per ms,
 *   so the clock runs a little fast or slow but always forwards;
 * - **step**: an estimate further ahead than `stepMs` jumps forwards at once
 *   (as far as the estimate's uncertainty allows; the rest is slewed).
 *
 * It never steps backwards: a clock that is ahead is slowed down until the
 * truth catches up. Every reading it hands out is at least the previous one,
 * even when the hardware clock itself is set back (the reading then stands
 * still until the hardware catches up), and across restarts (the last
 * reading and the correction are kept in storage by the layer that owns the
 * clock).
 *
 * Real NTP slews at most 500 ppm (half a millisecond per second), so
 * correcting one second takes half an hour; the default here is far faster
 * so that a run of a few simulated seconds shows it.
 *
 * The `step` discipline (`ntpdate`, or setting the clock by hand) sets the
 * correction at once, in either direction, and does not hold readings back:
 * it is here to show what goes wrong without slewing.
 *
 * @module
 */

/**
 * How the clock follows its estimates.
 *
 * @example
 * ```ts
 * import type { Discipline } from "./slewing_clock.ts";
 * import assert from "node:assert/strict";
 * const d: Discipline = "slew";
 * assert.equal(d, "slew");
 * ```
 */
export type Discipline = "slew" | "step";

/**
 * Settings of a {@linkcode SlewingClock}.
 *
 * @example
 * ```ts
 * import type { SlewingClockConfig } from "./slewing_clock.ts";
 * import assert from "node:assert/strict";
 * const c: SlewingClockConfig = { slewRate: 0.0005, stepMs: 125 };
 * assert.equal(c.stepMs, 125);
 * ```
 */
export interface SlewingClockConfig {
  /** Most the correction changes per ms of hardware time while slewing; in (0, 1). Default 0.1. */
  slewRate?: number;
  /** An estimate this far ahead of the clock (ms) or more is stepped to at once. Default 50. */
  stepMs?: number;
  /** `slew` (default) or `step` (set at once, both ways: the broken way). */
  discipline?: Discipline;
}

/**
 * The clock's state as plain data, for storage.
 *
 * @example
 * ```ts
 * import type { SlewingClockState } from "./slewing_clock.ts";
 * import assert from "node:assert/strict";
 * const s: SlewingClockState = { from: 0, target: 12, since: 100, last: 95 };
 * assert.equal(s.target, 12);
 * ```
 */
export interface SlewingClockState {
  /** The correction when the current slew began. */
  from: number;
  /** The correction it is slewing towards. */
  target: number;
  /** Hardware time when the current slew began. */
  since: number;
  /** The last reading handed out (`null` before the first). */
  last: number | null;
}

/**
 * A monotonic software clock over a hardware clock (see the module
 * documentation).
 *
 * @example
 * ```ts
 * import { SlewingClock } from "./slewing_clock.ts";
 * import assert from "node:assert/strict";
 * const clock = new SlewingClock({ slewRate: 0.1, stepMs: 50 });
 * assert.equal(clock.read(1000), 1000);
 * // The reference is 20 ms behind: slow down by 10% until 20 ms are taken back.
 * clock.adjust(1000, -20);
 * assert.equal(clock.read(1100), 1090);
 * assert.equal(clock.read(1300), 1280);
 * // 200 ms ahead: step forwards at once.
 * clock.adjust(1300, 200);
 * assert.equal(clock.read(1300), 1500);
 * ```
 */
export class SlewingClock {
  /** Most the correction changes per ms while slewing. */
  readonly slewRate: number;
  /** Estimates this far ahead or more are stepped to. */
  readonly stepMs: number;
  /** `slew` or `step`. */
  readonly discipline: Discipline;
  #from = 0;
  #target = 0;
  #since = 0;
  #last: number | null = null;

  /** A clock with no correction yet. */
  constructor(config: SlewingClockConfig = {}) {
    this.slewRate = config.slewRate ?? 0.1;
    this.stepMs = config.stepMs ?? 50;
    this.discipline = config.discipline ?? "slew";
    if (!(this.slewRate > 0 && this.slewRate < 1)) {
      throw new RangeError(`slewRate must be in (0, 1), got ${config.slewRate}`);
    }
    if (!(this.stepMs >= 0)) throw new RangeError(`stepMs must be >= 0, got ${config.stepMs}`);
    if (this.discipline !== "slew" && this.discipline !== "step") {
      throw new RangeError(`discipline must be "slew" or "step", got ${config.discipline}`);
    }
  }

  /** The correction at hardware time `hw`: where the slew has got to. */
  correction(hw: number): number {
    if (this.#from === this.#target) return this.#target;
    const moved = Math.max(0, hw - this.#since) * this.slewRate;
    return this.#from < this.#target
      ? Math.min(this.#target, this.#from + moved)
      : Math.max(this.#target, this.#from - moved);
  }

  /** What the clock would read at hardware time `hw`, without handing it out. */
  peek(hw: number): number {
    const r = hw + this.correction(hw);
    if (this.discipline === "step" || this.#last === null) return r;
    return Math.max(this.#last, r);
  }

  /** Reads the clock at hardware time `hw`: never less than an earlier reading (slew). */
  read(hw: number): number {
    const r = this.peek(hw);
    this.#last = r;
    return r;
  }

  /** The last reading handed out, or `null`. */
  get last(): number | null {
    return this.#last;
  }

  /**
   * Takes a new estimate at hardware time `hw`: the reference clock reads
   * `offset` more than the hardware clock, give or take `uncertainty` (δ/2).
   * A step goes only as far as the truth is certain to be, `offset -
   * uncertainty`, and the rest is slewed, so a sample that took long never
   * throws the clock ahead of the truth.
   */
  adjust(hw: number, offset: number, uncertainty = 0): void {
    if (!Number.isFinite(offset)) {
      throw new RangeError(`adjust: offset must be finite, got ${offset}`);
    }
    if (!(uncertainty >= 0)) {
      throw new RangeError(`adjust: uncertainty must be >= 0, got ${uncertainty}`);
    }
    const now = this.correction(hw);
    if (this.discipline === "step") {
      this.#from = this.#target = offset;
    } else if (offset - uncertainty - now >= this.stepMs) {
      // Forwards only, to the least the truth can be; slew the rest.
      this.#from = offset - uncertainty;
      this.#target = offset;
    } else {
      this.#from = now;
      this.#target = offset;
    }
    this.#since = hw;
  }

  /** The state as plain data. */
  toJSON(): SlewingClockState {
    return { from: this.#from, target: this.#target, since: this.#since, last: this.#last };
  }

  /** Takes back a state saved with {@linkcode SlewingClock.toJSON}. */
  restore(state: SlewingClockState): void {
    this.#from = state.from;
    this.#target = state.target;
    this.#since = state.since;
    this.#last = state.last;
  }
}
