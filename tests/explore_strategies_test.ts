/**
 * Each exploration strategy does what it says (issue 11, items 2 and 4):
 * a targeted crash lands right after the write, send or message type it
 * targets, and on the leader when told to; PCT's change points change the
 * order of deliveries; swarm configurations differ between runs and stay
 * inside the scenario's fault model; a fault a strategy injects moves the
 * liveness deadline; and explore on a planted bug finds it.
 */

import assert from "node:assert/strict";
import type { Observed, Simulation } from "../sim/simulation.ts";
import { defineScenario, runScenario, type Scenario } from "../sim/scenario.ts";
import { parseFaultSpec } from "../sim/faults.ts";
import { type RunHooks } from "../sim/simulation.ts";
import {
  messageType,
  strike,
  targetedStrategy,
  targetFor,
  type TargetPlan,
} from "../sim/explore/targeted.ts";
import { cli } from "./_cli.ts";
import { changePoints, priorities } from "../sim/explore/pct.ts";
import { modelOf, swarmStrategy } from "../sim/explore/swarm.ts";
import { explore } from "../sim/explore/explore.ts";
import { abd } from "../protocols/quorum/scenarios.ts";
import { raft } from "../protocols/raft/scenarios.ts";
import { gossip } from "../protocols/gossip/scenario.ts";
import { broadcastCausal } from "../protocols/broadcast/scenario.ts";
import type { RaftNode } from "../protocols/raft/node.ts";
import { slowFirst } from "./_explore_scenarios.ts";

/** Runs `scenario` with a targeted plan, keeping every event the strategy saw. */
function runTargeted(scenario: Scenario, seed: number, plan: TargetPlan) {
  const made = strike(plan);
  const seen: Array<Observed & { now: number; leader?: string }> = [];
  const hooks: RunHooks = {
    observe(sim: Simulation, what: Observed) {
      const leader = raftLeader(sim);
      seen.push({ ...what, now: sim.now, ...(leader === undefined ? {} : { leader }) });
      made.hooks.observe!(sim, what);
    },
  };
  const run = runScenario(scenario, { seed, faults: "none" }, {
    hooks,
    onSetup: made.onSetup,
  });
  return { run, seen, injected: made.injected() };
}

function raftLeader(sim: Simulation): string | undefined {
  return sim.nodes.find((n) => {
    const a = sim.actor<RaftNode>(n);
    return a !== undefined && (a as { role?: string }).role === "leader";
  });
}

Deno.test("targeted: a crash lands right after the k-th storage write, on the node that wrote", () => {
  for (const k of [1, 5, 40]) {
    const { seen, injected } = runTargeted(abd, 3, {
      target: "after-write",
      typeRank: null,
      special: false,
      strikes: [{ k, downMs: 5, skewMs: 0 }],
    });
    const writes = seen.filter((e) => e.kind === "storage");
    const target = writes[k - 1];
    assert.ok(target !== undefined, `the run writes at least ${k} times`);
    const [crash, restart] = injected;
    assert.deepEqual(crash.action, { type: "crash", node: target.node });
    // A microsecond after the write, before anything else happens at that node.
    assert.ok(Math.abs(crash.at - (target.now + 0.001)) < 1e-9);
    assert.deepEqual(restart.action, { type: "restart", node: target.node });
    assert.ok(Math.abs(restart.at - crash.at - 5) < 1e-9);
  }
});

Deno.test("targeted: a typed plan counts only the r-th message type the run shows", () => {
  const plan: TargetPlan = {
    target: "after-send",
    typeRank: 1,
    special: false,
    strikes: [{ k: 2, downMs: 1, skewMs: 0 }],
  };
  const { seen, injected } = runTargeted(raft, 5, plan);
  const sends = seen.filter((e) => e.kind === "send");
  const types: string[] = [];
  for (const s of sends) {
    const t = messageType((s as { msg: unknown }).msg);
    if (!types.includes(t)) types.push(t);
  }
  const ofType = sends.filter((s) => messageType((s as { msg: unknown }).msg) === types[1]);
  // Raft's clients are not fault targets: the first sends counted are the servers'.
  const servers = ofType.filter((s) => s.node.startsWith("n"));
  const target = servers[1];
  assert.deepEqual(injected[0].action, { type: "crash", node: target.node });
  assert.ok(Math.abs(injected[0].at - (target.now + 0.001)) < 1e-9);
});

Deno.test("targeted: a special plan crashes the leader, and strikes again after the heal", () => {
  const plan: TargetPlan = {
    target: "after-write",
    typeRank: null,
    special: true,
    strikes: [{ k: 3, downMs: 25, skewMs: 0 }, { k: 3, downMs: 25, skewMs: 0 }],
  };
  const { seen, injected } = runTargeted(raft, 2, plan);
  assert.equal(injected.length, 4, "two crashes, two restarts");
  const [crash1, restart1, crash2] = injected;
  for (const crash of [crash1, crash2]) {
    const write = seen.find((e) =>
      e.kind === "storage" && Math.abs(e.now + 0.001 - crash.at) < 1e-9
    );
    assert.ok(write !== undefined);
    assert.equal(write.leader, write.node, "the node that wrote was the leader");
    assert.deepEqual(crash.action, { type: "crash", node: write.node });
  }
  assert.ok(crash2.at > restart1.at, "the second strike counts from the first one's heal");
});

Deno.test("targeted: plans stay within the scenario's fault model", () => {
  const kinds = modelOf(gossip).faults;
  for (let seed = 1; seed <= 200; seed++) {
    const p = targetFor(gossip, seed)!;
    assert.notEqual(p.target, "clock-jump", "gossip declares no clock faults");
    assert.ok(p.strikes.length >= 1 && p.strikes.length <= 3);
    assert.ok(kinds.length > 0);
  }
  assert.equal(targetFor({ ...gossip, explore: { faults: [] } }, 1), undefined);
  // Faults are held to the end only where the scenario says its checks allow it.
  const seeds = Array.from({ length: 200 }, (_, i) => i + 1);
  assert.ok(seeds.every((seed) => targetFor(gossip, seed)!.hold === undefined));
  const held = seeds.map((seed) => targetFor(abd, seed)!).filter((p) => p.hold);
  assert.ok(held.length > 10 && held.every((p) => p.target !== "clock-jump"));
});

Deno.test("pct: the change points change the order of deliveries, and only from there on", () => {
  const order = (depth: number, seed: number) => {
    const made = priorities(seed, depth);
    const nodes: string[] = [];
    const hooks: RunHooks = {
      latency: made.hooks.latency,
      observe(sim, what) {
        if (what.kind === "deliver") nodes.push(`${what.node}<${what.from}`);
        made.hooks.observe!(sim, what);
      },
    };
    runScenario(broadcastCausal, { seed, faults: "none" }, { hooks });
    return nodes;
  };
  let compared = 0;
  for (let seed = 1; seed <= 20 && compared < 3; seed++) {
    const first = changePoints(seed, 2)[0];
    const plain = order(1, seed);
    if (first > plain.length - 5) continue; // the change would come after the run's end
    const changed = order(2, seed);
    // Same priorities until the first change point: the same deliveries up to it.
    assert.deepEqual(changed.slice(0, first), plain.slice(0, first));
    assert.notDeepEqual(changed, plain, `seed ${seed}: a change point at ${first} changed nothing`);
    compared++;
  }
  assert.equal(compared, 3);
});

Deno.test("swarm: runs draw different configurations, all inside the fault model", () => {
  const model = modelOf(abd);
  const plans = Array.from(
    { length: 40 },
    (_, i) => swarmStrategy.plan({ scenario: abd, given: {}, seed: i + 1, index: i }).given,
  );
  const shapes = new Set(plans.map((g) => JSON.stringify({ ...g, seed: 0 })));
  assert.ok(shapes.size >= 35, `only ${shapes.size} distinct configurations of 40`);
  const sizes = new Set(plans.map((g) => g.nodes));
  assert.ok(sizes.has(2) || sizes.has(4), "even cluster sizes too");
  assert.ok(sizes.size >= 3);
  for (const g of plans) {
    assert.ok((g.network?.loss ?? 0) <= model.maxLoss);
    assert.ok((g.network?.duplicate ?? 0) <= model.maxDup);
    for (const [name, values] of Object.entries(model.flags)) {
      assert.ok(values.includes((g.flags as Record<string, never>)[name]), `--${name}`);
    }
    const spec = parseFaultSpec(g.faults as string);
    if (spec.kind === "random") {
      for (const kind of ["crash", "pause", "partition", "clock"] as const) {
        if ((spec.rates[kind] ?? 0) > 0) assert.ok(model.faults.includes(kind), kind);
      }
    }
  }
  // Some runs have no faults at all, some several kinds; some very short faults.
  const specs = plans.map((g) => parseFaultSpec(g.faults as string));
  assert.ok(specs.some((s) => s.kind === "schedule"));
  assert.ok(specs.some((s) => s.kind === "random" && (s.rates.meanDurationMs ?? 200) <= 10));
});

/** n1 pings n2 every 10 ms; liveness: n2 heard a ping in the last 30 ms, within 300 ms of the last fault. */
const heartbeat = defineScenario({
  name: "heartbeat",
  summary: "pings, and a liveness property about them",
  defaults: { nodes: 2, until: 1000, faults: "random" },
  explore: { faults: ["partition"] },
  setup(sim) {
    let heard = -Infinity;
    sim.spawn("n1", () => ({
      onStart: (ctx) => ctx.setTimer("ping", 10),
      onMessage() {},
      onTimer: (ctx) => {
        ctx.send("n2", "ping");
        ctx.setTimer("ping", 10);
      },
    }));
    sim.spawn("n2", () => ({ onMessage: (ctx) => void (heard = ctx.now()) }));
    return {
      recoverMs: 300,
      liveness: [{ name: "pinged", withinMs: 300, holds: (s) => s.now - heard <= 30 }],
    };
  },
});

Deno.test("liveness: a fault a strategy injects late moves the deadline after it", () => {
  // No scheduled faults: the deadline would be 300 ms, inside a partition
  // injected at the first delivery for 600 ms. Judged 300 ms after the heal, it holds.
  const plan: TargetPlan = {
    target: "isolate",
    typeRank: null,
    special: false,
    strikes: [{ k: 1, downMs: 600, skewMs: 0 }],
  };
  const { run, injected } = runTargeted(heartbeat, 1, plan);
  assert.equal(injected.length, 2);
  assert.ok(injected[0].at < 300 && injected[1].at > 300);
  assert.equal(run.ok, true, run.violations.map((v) => v.message).join("; "));
  // Held to the end instead (the hold mode), the property is judged with the fault in place.
  const held = runTargeted(heartbeat, 1, { ...plan, hold: true });
  assert.equal(held.injected.length, 1, "a partition, never healed");
  assert.equal(held.injected[0].action.type, "partition");
  const v = held.run.violations[0];
  assert.equal(v?.check, "liveness:pinged");
  assert.match(v.message, /stuck since|never held/);
});

Deno.test("explore finds a planted bug, and the default strategy's runs mix the strategies", async () => {
  // ABD with writes that skip the query round: lost writes with several writers.
  const r = await explore(abd, { flags: { "single-writer": true } }, { runs: 60, workers: 0 });
  assert.equal(r.found, true);
  assert.equal(r.failure?.check, "linearizability");
});

Deno.test("explore in workers stops at the first failure in run order, whatever the timing", async () => {
  // Two workers take runs in chunks: run 34 fails at once on the second one while the
  // first is still on run 2, which fails slowly. Run 2 is the first failure.
  const r = await explore(slowFirst, {}, { runs: 512, workers: 2, strategy: "random" });
  assert.equal(r.found, true);
  assert.equal(r.failure?.seed, 2);
  assert.equal(r.failure?.run, 1);
});

Deno.test("targeted: faults given with --faults are the runs' faults, nothing injected on top", async () => {
  for (const faults of ["@100 crash n1; @150 restart n1", "none", "random:crash=2"]) {
    for (let index = 0; index < 12; index++) {
      const plan = targetedStrategy.plan({
        scenario: abd,
        given: { faults },
        seed: index + 1,
        index,
      });
      assert.equal(plan.hooks, undefined, `${faults}: no hooks`);
      assert.equal(plan.given.faults, faults);
    }
  }
  // Left open, the strategy injects its own (on some of the runs).
  const open = Array.from(
    { length: 12 },
    (_, index) => targetedStrategy.plan({ scenario: abd, given: {}, seed: index + 1, index }),
  );
  assert.ok(open.some((p) => p.hooks !== undefined));
  // The command line says so, once, on stderr; swarm adds no faults either, and says so too.
  const ran = await cli([
    "explore",
    "abd",
    "--faults",
    "none",
    "--strategy",
    "targeted",
    "--runs",
    "3",
    "--workers",
    "0",
  ]);
  assert.equal(ran.code, 0, ran.err.join("\n"));
  assert.equal(ran.err.filter((l) => l.startsWith("note: --faults given")).length, 1);
  const swarm = await cli([
    "explore",
    "abd",
    "--faults",
    "none",
    "--strategy",
    "swarm",
    "--runs",
    "3",
    "--workers",
    "0",
  ]);
  assert.equal(swarm.err.filter((l) => l.startsWith("note: --faults given: swarm")).length, 1);
  const r = runScenario(
    abd,
    swarmStrategy.plan({ scenario: abd, given: { faults: "none" }, seed: 1, index: 0 }).given,
  );
  assert.equal(r.faults, "");
});
