/**
 * Mutants of clock synchronisation (NTP, Cristian, slewing clocks).
 *
 * @module
 */

import type { Mutant } from "./mutant.ts";

/** Clock synchronisation mistakes. */
export const clockSyncMutants: Mutant[] = [
  {
    name: "ntp-offset-sign",
    protocol: "clocksync",
    mistake: "NTP's offset subtracts the reply leg instead of adding it",
    scenario: "clock-sync",
    edits: [{
      file: "protocols/clocksync/estimates.ts",
      find: "offset: ((ts.t2 - ts.t1) + (ts.t3 - ts.t4)) / 2,",
      replace: "offset: ((ts.t2 - ts.t1) - (ts.t3 - ts.t4)) / 2,",
    }],
  },
  {
    name: "cristian-no-half-rtt",
    protocol: "clocksync",
    mistake: "Cristian's method takes the server's time as now, without adding half the round trip",
    scenario: "clock-sync",
    edits: [{
      file: "protocols/clocksync/estimates.ts",
      find: "return ntpEstimate({ t1, t2: serverTime, t3: serverTime, t4 });",
      replace: "return { offset: serverTime - t4, delay: t4 - t1 };",
    }],
  },
  {
    name: "sync-clock-not-restored",
    protocol: "clocksync",
    mistake: "a restarted client does not restore its clock's correction, so its clock goes back",
    scenario: "clock-sync",
    edits: [{
      file: "protocols/clocksync/clock_sync.ts",
      find: "    if (saved !== undefined) this.clock.restore(saved);\n",
      replace: "",
    }],
  },
];
