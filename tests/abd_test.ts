import assert from "node:assert/strict";
import { AbdClient, type AbdClientConfig } from "../protocols/quorum/abd.ts";
import { QuorumClient } from "../protocols/quorum/client.ts";
import { ABD_LESSON, type Lesson, runLesson, searchSeeds } from "../protocols/quorum/lessons.ts";
import type { QuorumMsg, Versioned } from "../protocols/quorum/messages.ts";
import { QuorumReplica, seedReplica, storedVersions } from "../protocols/quorum/replica.ts";
import { quorum } from "../protocols/quorum/scenarios.ts";
import type { PlannedOp } from "../protocols/quorum/workload.ts";
import { Simulation } from "../sim/simulation.ts";
import { eventsOf } from "./_helpers.ts";

const REPLICAS = ["n1", "n2", "n3"];
const OLD: Versioned = { value: "old", ts: [1, "c0"] };
const NEW: Versioned = { value: "new", ts: [2, "c0"] };

/** Three replicas starting with `versions` of `x`, some down, and one ABD client c1. */
function abdCluster(
  ops: PlannedOp[],
  versions: (Versioned | undefined)[] = [],
  options: { down?: string[]; config?: Partial<AbdClientConfig> } = {},
) {
  const sim = new Simulation({ seed: 3 });
  REPLICAS.forEach((id, i) => {
    sim.spawn(id, () => new QuorumReplica());
    if (versions[i] !== undefined) seedReplica(sim.storage(id), "x", versions[i]!);
  });
  for (const id of options.down ?? []) sim.crash(id);
  sim.spawn(
    "c1",
    () => new AbdClient({ replicas: REPLICAS, r: 2, w: 2, ...options.config, workload: { ops } }),
  );
  return sim;
}

const writesSent = (sim: Simulation) =>
  eventsOf(sim, "send").filter((e) => (e.msg as QuorumMsg).type === "Write").length;

const holding = (sim: Simulation, value: string) =>
  REPLICAS.filter((id) => storedVersions(sim.storage(id)).get("x")?.value === value).length;

Deno.test("an ABD read writes the newest value back to a write quorum before it returns", () => {
  // Every replica differs, so whichever two answer, they disagree.
  const sim = abdCluster([{ f: "read", key: "x" }], [OLD, NEW, { value: "mid", ts: [1, "c5"] }]);
  let atReturn = -1;
  sim.invariant("watch", (s) => {
    if (s.history.operations[0]?.status === "ok" && atReturn < 0) {
      atReturn = holding(s, s.history.operations[0].output as string);
    }
  });
  sim.run();
  const read = sim.history.operations[0];
  assert.equal(read.status, "ok");
  assert.ok(atReturn >= 2, `${atReturn} replicas held ${read.output} when the read returned`);
  assert.ok(writesSent(sim) > 0);
});

Deno.test("an ABD read whose replies agree returns after one round trip", () => {
  const sim = abdCluster([{ f: "read", key: "x" }], [NEW, NEW, NEW]);
  sim.run();
  assert.equal(sim.history.operations[0].output, "new");
  assert.equal(writesSent(sim), 0);
});

Deno.test("an ABD write learns the highest timestamp first; a blind write loses", () => {
  const far: Versioned = { value: "far", ts: [7, "c9"] };
  const abd = abdCluster([{ f: "write", key: "x", value: "mine" }], [far, far, far]);
  abd.run();
  assert.deepEqual(storedVersions(abd.storage("n1")).get("x"), { value: "mine", ts: [8, "c1"] });

  // The same write without the query (ABD's single-writer shortcut, and the
  // plain quorum client) picks counter 1: the replicas keep the older value.
  const blind = abdCluster([{ f: "write", key: "x", value: "mine" }], [far, far, far], {
    config: { singleWriter: true },
  });
  blind.run();
  assert.equal(blind.history.operations[0].status, "ok");
  assert.equal(holding(blind, "far"), 3);
  const sim = new Simulation({ seed: 3 });
  for (const id of REPLICAS) {
    sim.spawn(id, () => new QuorumReplica());
    seedReplica(sim.storage(id), "x", far);
  }
  sim.spawn("c1", () =>
    new QuorumClient({
      replicas: REPLICAS,
      r: 2,
      w: 2,
      workload: { ops: [{ f: "write", key: "x", value: "mine" }] },
    }));
  sim.run();
  assert.equal(holding(sim, "far"), 3);
});

Deno.test("ABD gives up with fail before its write phase and info after it", async (t) => {
  await t.step("a write whose query finds no quorum fails and sent no Write", () => {
    const sim = abdCluster([{ f: "write", key: "x", value: "v" }], [], { down: ["n2", "n3"] });
    sim.run();
    assert.equal(sim.history.operations[0].status, "fail");
    assert.equal(writesSent(sim), 0);
  });
  await t.step("a write whose store finds no quorum is info", () => {
    // R = 1 lets the query through with one replica up; W = 2 cannot be met.
    const sim = abdCluster([{ f: "write", key: "x", value: "v" }], [], {
      down: ["n2", "n3"],
      config: { r: 1 },
    });
    sim.run();
    assert.equal(sim.history.operations[0].status, "info");
    assert.equal(holding(sim, "v"), 1);
  });
  await t.step("a read that cannot write back fails", () => {
    const sim = abdCluster([{ f: "read", key: "x" }], [NEW, OLD, OLD], {
      down: ["n2", "n3"],
      config: { r: 1 },
    });
    sim.run();
    assert.equal(sim.history.operations[0].status, "fail");
  });
});

Deno.test("ABD: no violation over 1,000 seeds with crashes, partitions, loss and duplication", async (t) => {
  const totals = { ok: 0, crashes: 0, partitions: 0, pauses: 0, dropped: 0, duplicated: 0 };
  let faultDuringOps = 0;
  for (let seed = 1; seed <= 1000; seed++) {
    const r = runLesson(ABD_LESSON, seed, "off");
    assert.ok(r.ok, `seed ${seed}: ${r.violations[0]?.message}\nreplay: ${r.replay}`);
    const ops = r.sim.history.operations;
    totals.ok += ops.filter((op) => op.status === "ok").length;
    totals.crashes += r.faults.split("; ").filter((f) => f.includes(" crash ")).length;
    totals.partitions += r.faults.split("; ").filter((f) => f.includes(" partition ")).length;
    totals.pauses += r.faults.split("; ").filter((f) => f.includes(" pause ")).length;
    totals.dropped += r.sim.stats.dropped;
    totals.duplicated += r.sim.stats.duplicated;
    const firstFault = Number(/^@(\d+)/.exec(r.faults)?.[1] ?? Infinity);
    if (ops.some((op) => op.call > firstFault)) faultDuringOps++;
  }
  // The runs were not idle: operations finished, and every kind of fault hit them.
  assert.ok(totals.ok > 10_000, `ok operations ${totals.ok}`);
  for (const [what, n] of Object.entries(totals)) assert.ok(n > 500, `${what}: ${n}`);
  assert.ok(faultDuringOps > 800, `runs with a fault before an operation: ${faultDuringOps}`);

  // The same runs do catch broken variants, so the silence above means something.
  const variant = (
    scenarioFlags: Record<string, boolean | number>,
    scenario = ABD_LESSON.scenario,
  ) =>
    ({
      ...ABD_LESSON,
      scenario,
      params: { ...ABD_LESSON.params, flags: { ...ABD_LESSON.params.flags, ...scenarioFlags } },
    }) as Lesson;
  await t.step("control: ABD writes without the query, with three writers", () => {
    const found = searchSeeds(variant({ "single-writer": true }), { limit: 200 });
    assert.ok(found.seed !== undefined, "a lost update");
  });
  await t.step("control: quorum reads without write-back, one writer", () => {
    const found = searchSeeds(variant({ writers: 1 }, quorum), { limit: 1000 });
    assert.ok(found.seed !== undefined, "lecture 7.2's anomaly");
  });
});
