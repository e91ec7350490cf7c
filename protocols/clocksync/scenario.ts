/**
 * The `clock-sync` scenario (lecture 3.2): `n1` is a time server with a
 * correct clock; every other node's hardware clock starts skewed and drifts
 * (both drawn from the seed), and a few times during the run one of them is
 * set back or forwards, as an operator or a bad RTC would. Each client
 * synchronises by NTP or Cristian's algorithm and disciplines a slewing
 * clock, which an application on the node reads every few milliseconds.
 *
 * Checked after every event: each sample's estimated offset is within
 * delay/2 of the true one, and no synchronised clock ever reads less than it
 * did (`--discipline step` sets clocks back, and is caught).
 *
 * @module
 */

import type { NodeId } from "../../actors/mod.ts";
import { Random } from "../../sim/random.ts";
import {
  defineScenario,
  flag,
  type FlagSpec,
  type FlagSpecs,
  nodeIds,
  type Scenario,
} from "../../sim/scenario.ts";
import type { Simulation } from "../../sim/simulation.ts";
import { type ClockTruth, monotonicInvariant, offsetInvariant } from "./check.ts";
import { ClockReader } from "./clock_reader.ts";
import { SyncedActor } from "./synced_actor.ts";

/**
 * The flags of the `clock-sync` scenario.
 *
 * @example
 * ```ts
 * import { CLOCK_SYNC_FLAGS } from "./scenario.ts";
 * import assert from "node:assert/strict";
 * assert.equal(CLOCK_SYNC_FLAGS.method.default, "ntp");
 * ```
 */
export const CLOCK_SYNC_FLAGS: {
  method: FlagSpec<"ntp" | "cristian">;
  discipline: FlagSpec<"slew" | "step">;
  "poll-ms": FlagSpec<number>;
  "hold-ms": FlagSpec<number>;
  "max-skew": FlagSpec<number>;
  "max-drift": FlagSpec<number>;
  "slew-rate": FlagSpec<number>;
  "step-ms": FlagSpec<number>;
  jumps: FlagSpec<number>;
} = {
  method: flag.choice(
    "how clients estimate the server's clock",
    ["ntp", "cristian"] as const,
    "ntp",
  ),
  discipline: flag.choice(
    "how a client follows its estimates: slew (never back) or step (set back: caught)",
    ["slew", "step"] as const,
    "slew",
  ),
  "poll-ms": flag.int("time between a client's polls", 200, { min: 1 }),
  "hold-ms": flag.number("most the server holds a request before replying", 3, { min: 0 }),
  "max-skew": flag.number("clients' hardware clocks start off by up to this many ms", 200, {
    min: 0,
  }),
  "max-drift": flag.number("clients' clocks run fast or slow by up to this rate", 0.001, {
    min: 0,
    max: 0.1,
  }),
  "slew-rate": flag.number("most a clock's correction changes per ms while slewing", 0.1, {
    min: 0.0001,
    max: 0.5,
  }),
  "step-ms": flag.number("an estimate this far ahead is stepped to at once", 50, { min: 0 }),
  jumps: flag.int("times a client's hardware clock is set back or forwards", 2, {
    min: 0,
    max: 50,
  }),
} satisfies FlagSpecs;

/** How often the application on each node reads its clock, ms. */
const READ_EVERY_MS = 10;

/**
 * `deno task sim run clock-sync`: see the module documentation.
 *
 * @example
 * ```ts
 * import { clockSync } from "./scenario.ts";
 * import { runScenario } from "../../sim/scenario.ts";
 * import assert from "node:assert/strict";
 * assert.equal(runScenario(clockSync, { seed: 3 }).ok, true);
 * const stepped = runScenario(clockSync, { seed: 3, faults: "none", flags: { discipline: "step" } });
 * assert.equal(stepped.violations[0].check, "monotonic");
 * ```
 */
export const clockSync: Scenario<typeof CLOCK_SYNC_FLAGS> = defineScenario({
  name: "clock-sync",
  summary:
    "NTP or Cristian against a time server; slewing clocks stay within delay/2, never go back",
  defaults: {
    nodes: 4,
    minNodes: 2,
    maxNodes: 50,
    until: 4000,
    network: { loss: 0.05, duplicate: 0.05 },
    faults: "random",
  },
  flags: CLOCK_SYNC_FLAGS,
  // The hardware clock jumps this scenario makes itself (--jumps) are known
  // to its checker; a clock fault from outside would be a jump it cannot
  // account for, so exploration varies the jumps instead. Stepping clocks
  // (--discipline step) go back by design, so they stay out too.
  explore: {
    faults: ["crash", "pause", "partition"],
    flags: {
      method: ["ntp", "cristian"],
      jumps: [0, 2, 6],
      "hold-ms": [0, 3, 20],
      "poll-ms": [20, 200],
      "max-skew": [0, 200, 1000],
    },
  },
  setup(sim, params) {
    const f = params.flags;
    const ids = nodeIds(params.nodes);
    const [server, ...clients] = ids;
    const random = Random.stream(params.seed, "clock-sync");
    const truth: ClockTruth & { jumps: { node: NodeId; at: number; ms: number }[] } = {
      server,
      maxDrift: f["max-drift"],
      jumps: [],
    };
    const skews = new Map<NodeId, number>();
    sim.spawn(
      server,
      () => new SyncedActor(new ClockReader(READ_EVERY_MS), { holdMs: f["hold-ms"] }),
    );
    for (const id of clients) {
      const skewMs = round(random.uniform(-f["max-skew"], f["max-skew"]));
      const drift = random.uniform(-f["max-drift"], f["max-drift"]);
      skews.set(id, skewMs);
      sim.spawn(
        id,
        () =>
          new SyncedActor(new ClockReader(READ_EVERY_MS), {
            server,
            method: f.method,
            pollMs: f["poll-ms"],
            clock: { slewRate: f["slew-rate"], stepMs: f["step-ms"], discipline: f.discipline },
          }),
        { clock: { skewMs, drift } },
      );
    }
    // Hardware clock jumps, as data drawn from the seed: a client's clock is set back or on.
    for (let i = 0; i < f.jumps && clients.length > 0; i++) {
      const at = round(random.uniform(0.1, 0.8) * params.until);
      const node = clients[Math.floor(random.next() * clients.length)];
      const ms = round(random.uniform(-f["max-skew"], f["max-skew"]) / 2);
      sim.at(at, () => {
        const skewMs = skews.get(node)! + ms;
        skews.set(node, skewMs);
        sim.setClock(node, { skewMs });
        truth.jumps.push({ node, at: sim.now, ms });
      });
    }
    sim.invariant("offset-within-half-delay", offsetInvariant(clients, truth));
    sim.invariant("monotonic", monotonicInvariant(ids));
    return {
      // The time server is what every client depends on.
      special: () => server,
      summary: (s: Simulation) => summary(s, server, clients, truth),
    };
  },
});

/** One line per client: how far its hardware and its synchronised clock are from the server's. */
function summary(
  sim: Simulation,
  server: NodeId,
  clients: readonly NodeId[],
  truth: ClockTruth,
): string[] {
  const reference = sim.actor<SyncedActor<unknown, unknown>>(server);
  if (reference === undefined) return [`${server} (the time server) is down at the end`];
  const serverTime = reference.peek(sim.localTime(server));
  const lines = [
    `${server} is the time server; ${truth.jumps.length} hardware clock jump(s): ` +
    (truth.jumps.map((j) => `${j.node} ${j.ms > 0 ? "+" : ""}${j.ms} ms at ${j.at}`).join(", ") ||
      "none"),
  ];
  for (const id of clients) {
    const node = sim.actor<SyncedActor<unknown, unknown>>(id);
    if (node === undefined) {
      lines.push(`${id}: down at the end`);
      continue;
    }
    const hw = sim.localTime(id);
    const sync = node.sync.layer;
    const best = sync.best(hw);
    lines.push(
      `${id}: hardware clock ${signed(hw - serverTime)} ms off, synchronised ` +
        `${signed(node.peek(hw) - serverTime)} ms off (${sync.taken} samples` +
        (best === undefined ? ")" : `, best delay ${round(best.delay)} ms)`),
    );
  }
  return lines;
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}

function signed(ms: number): string {
  const r = round(ms);
  return r > 0 ? `+${r}` : `${r}`;
}
