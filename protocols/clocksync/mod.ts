/**
 * Physical time (lecture 3.2): clock synchronisation between actors whose
 * hardware clocks skew, drift and jump. NTP's offset and delay from four
 * timestamps and Cristian's algorithm (`estimates.ts`), a software clock
 * that slews and never runs backwards (`slewing_clock.ts`), the polling
 * layer (`clock_sync.ts`), a host that runs any actor on the synchronised
 * clock (`synced_actor.ts`), the checks against the simulator's true clocks
 * (`check.ts`), and the `clock-sync` scenario.
 *
 * @example
 * ```ts
 * import { clockSync, ntpEstimate } from "./mod.ts";
 * import { runScenario } from "../../sim/scenario.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(ntpEstimate({ t1: 100, t2: 250, t3: 252, t4: 110 }), { offset: 146, delay: 8 });
 * assert.equal(runScenario(clockSync, { seed: 1 }).ok, true);
 * ```
 *
 * @module
 */

export {
  allowedError,
  type ClockTruth,
  monotonicInvariant,
  offsetInvariant,
  trueOffset,
} from "./check.ts";
export { ClockReader, type ReaderTimer } from "./clock_reader.ts";
export {
  ClockSync,
  type ClockSyncConfig,
  type SyncMethod,
  type SyncMsg,
  type SyncSample,
  type SyncTimer,
} from "./clock_sync.ts";
export {
  cristianEstimate,
  ntpEstimate,
  type NtpTimestamps,
  type OffsetEstimate,
} from "./estimates.ts";
export { CLOCK_SYNC_FLAGS, clockSync } from "./scenario.ts";
export {
  type Discipline,
  SlewingClock,
  type SlewingClockConfig,
  type SlewingClockState,
} from "./slewing_clock.ts";
export { SyncedActor, type SyncedMsg, type SyncedTimer } from "./synced_actor.ts";
