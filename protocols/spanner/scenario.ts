/**
 * The `spanner` scenario (lecture 8.2): shard leaders whose clocks are
 * skewed and drift, each within TrueTime's bound ε (drawn from the seed;
 * ε is the largest error any clock can reach during the run), and clients,
 * whose clocks are off too, running read-write transactions at one shard
 * and read-only transactions at snapshots across shards, under loss and
 * random crashes, pauses and partitions.
 *
 * Checked at the end: external consistency (a transaction acknowledged
 * before another began has the smaller timestamp) and strict
 * serializability of what was read (`checkTransactions`).
 * `--commit-wait false` acknowledges commits without waiting out the
 * uncertainty, and both checks catch it; `--safe-time false` lets snapshot
 * reads see commits still in their wait, which the transaction checker
 * catches (a reader with a fast clock sees what a later one does not).
 *
 * @module
 */

import { Random } from "../../sim/random.ts";
import {
  defineScenario,
  flag,
  type FlagSpec,
  type FlagSpecs,
  nodeIds,
  type Scenario,
} from "../../sim/scenario.ts";
import type { Simulation, Violation } from "../../sim/simulation.ts";
import { timestampOf } from "./check.ts";
import { spannerViolations } from "./check.ts";
import { SpannerClient } from "./client.ts";
import { Shard } from "./shard.ts";

/**
 * The flags of the `spanner` scenario.
 *
 * @example
 * ```ts
 * import { SPANNER_FLAGS } from "./scenario.ts";
 * import assert from "node:assert/strict";
 * assert.equal(SPANNER_FLAGS["commit-wait"].default, true);
 * ```
 */
export const SPANNER_FLAGS: {
  "commit-wait": FlagSpec<boolean>;
  "safe-time": FlagSpec<boolean>;
  clients: FlagSpec<number>;
  transactions: FlagSpec<number>;
  "read-only": FlagSpec<number>;
  keys: FlagSpec<number>;
  "max-skew": FlagSpec<number>;
  "max-drift": FlagSpec<number>;
} = {
  "commit-wait": flag.bool("wait out the clock uncertainty before acknowledging a commit", true),
  "safe-time": flag.bool(
    "snapshot reads wait for commits at or before them to finish waiting (t_safe)",
    true,
  ),
  clients: flag.int("clients running transactions", 4, { min: 1, max: 50 }),
  transactions: flag.int("transactions per client", 30, { min: 1, max: 10_000 }),
  "read-only": flag.number("share of read-only transactions", 0.4, { min: 0, max: 1 }),
  keys: flag.int("keys k0 .. k(n-1), spread over the shards", 6, { min: 1, max: 1000 }),
  "max-skew": flag.number("every clock starts off by up to this many ms", 10, { min: 0 }),
  "max-drift": flag.number("every clock runs fast or slow by up to this rate", 0.0001, {
    min: 0,
    max: 0.01,
  }),
} satisfies FlagSpecs;

/**
 * `deno task sim run spanner`: see the module documentation.
 *
 * @example
 * ```ts
 * import { spanner } from "./scenario.ts";
 * import { runScenario } from "../../sim/scenario.ts";
 * import assert from "node:assert/strict";
 * assert.equal(runScenario(spanner, { seed: 1 }).ok, true);
 * const noWait = runScenario(spanner, { seed: 1, flags: { "commit-wait": false } });
 * assert.equal(noWait.violations[0].check, "external-consistency");
 * ```
 */
export const spanner: Scenario<typeof SPANNER_FLAGS> = defineScenario({
  name: "spanner",
  summary: "TrueTime, commit wait and snapshot reads: external consistency, checked",
  defaults: {
    nodes: 3,
    minNodes: 1,
    maxNodes: 26,
    until: 3000,
    // A datacentre's network: milliseconds, like the clocks' uncertainty.
    network: { latency: { kind: "uniform", min: 1, max: 5 }, loss: 0.02 },
    faults: "random",
  },
  flags: SPANNER_FLAGS,
  // TrueTime's promise holds only while every clock is within epsilon of
  // the truth: clock faults beyond --max-skew are outside the model, so
  // exploration varies the skew itself (epsilon follows it) instead.
  explore: {
    faults: ["crash", "pause", "partition"],
    flags: {
      "max-skew": [0, 1, 10, 50],
      clients: [1, 4, 8],
      "read-only": [0.2, 0.4, 0.8],
      keys: [1, 2, 6],
    },
  },
  setup(sim, params) {
    const f = params.flags;
    const shards = nodeIds(params.nodes).map((id) => id.replace(/^n/, "s"));
    const clients = Array.from({ length: f.clients }, (_, i) => `c${i + 1}`);
    // TrueTime's bound: the farthest any clock can be from the truth during the run.
    const epsilonMs = f["max-skew"] + f["max-drift"] * params.until + 0.001;
    const random = Random.stream(params.seed, "spanner-clocks");
    const clock = () => ({
      clock: {
        skewMs: random.uniform(-f["max-skew"], f["max-skew"]),
        drift: random.uniform(-f["max-drift"], f["max-drift"]),
      },
    });
    for (const id of shards) {
      sim.spawn(
        id,
        () => new Shard({ epsilonMs, commitWait: f["commit-wait"], safeTime: f["safe-time"] }),
        clock(),
      );
    }
    for (const id of clients) {
      sim.spawn(
        id,
        () =>
          new SpannerClient({
            shards,
            keys: f.keys,
            epsilonMs,
            transactions: f.transactions,
            readOnlyShare: f["read-only"],
            thinkMs: [0, 5],
            timeoutMs: 4 * epsilonMs + 200,
          }),
        clock(),
      );
    }
    let checked: ReturnType<typeof spannerViolations> | undefined;
    return {
      faultTargets: [...shards, ...clients],
      check: (s: Simulation): Violation[] => {
        checked = spannerViolations(s.history.operations, s.now);
        return checked.violations;
      },
      summary: (s: Simulation) => summary(s, shards, epsilonMs, checked),
    };
  },
});

function summary(
  sim: Simulation,
  shards: readonly string[],
  epsilonMs: number,
  checked: ReturnType<typeof spannerViolations> | undefined,
): string[] {
  const ops = sim.history.operations;
  const ok = ops.filter((o) => o.status === "ok");
  const readWrite = ok.filter((o) => (o.input as unknown[][]).some((m) => m[0] === "w"));
  const waited = shards.reduce((sum, id) => sum + (sim.actor<Shard>(id)?.counts.waitedMs ?? 0), 0);
  const commits = shards.reduce(
    (sum, id) => sum + (sim.actor<Shard>(id)?.counts.committed ?? 0),
    0,
  );
  const lines = [
    `TrueTime ε = ${round(epsilonMs)} ms; ${readWrite.length} read-write and ` +
    `${ok.length - readWrite.length} read-only transactions ok, ` +
    `${ops.filter((o) => o.status === "info").length} uncertain, ` +
    `${ops.filter((o) => o.status === "fail" || o.status === "pending").length} failed or pending`,
    commits === 0
      ? "no commits"
      : `commit wait: ${round(waited / commits)} ms on average per commit` +
        " (up to 2ε)",
  ];
  if (checked !== undefined) {
    const times = ok.map(timestampOf).filter((t) => t !== undefined);
    lines.push(
      `external consistency: ${
        checked.inversions.length === 0 ? "ok" : `${checked.inversions.length} inversions`
      }; transactions: ${
        checked.txn.valid === true ? "strict serializable" : checked.txn.anomalyTypes.join(", ")
      } (${checked.txn.transactions} checked, ${times.length} timestamps)`,
    );
  }
  return lines;
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
