import { parseFaults } from "../sim/faults.ts";
import assert from "node:assert/strict";
import type { Actor } from "../actors/mod.ts";
import { ConfigError } from "../sim/errors.ts";
import { eventually } from "../sim/explore/liveness.ts";
import { shrinkFailure } from "../sim/explore/shrink.ts";
import { nodeIds, type Scenario } from "../sim/scenario.ts";
import { Simulation } from "../sim/simulation.ts";

type Msg = { type: "hello" };

/** n1 greets n2 after `delayMs`; n2 remembers it was greeted. */
function greeting(seed: number, delayMs: number): Simulation {
  const sim = new Simulation({ seed, network: { latency: { kind: "fixed", ms: 5 } } });
  sim.spawn("n1", (): Actor<Msg> => ({
    onStart: (ctx) => ctx.setTimer("greet", delayMs),
    onMessage() {},
    onTimer: (ctx) => ctx.send("n2", { type: "hello" }),
  }));
  sim.spawn("n2", (): Actor<Msg> => ({
    onMessage: (ctx) => ctx.storage.set("greeted", true),
  }));
  return sim;
}
const greeted = (s: Simulation) => s.storage("n2").get<boolean>("greeted") === true;

Deno.test("eventually: holds in time, and records when", () => {
  const sim = greeting(1, 20);
  const check = eventually(sim, "greeted", greeted, 100);
  const r = sim.run();
  assert.equal(r.ok, true);
  assert.equal(check.heldAt, 25);
  assert.equal(check.deadline, 100);
  assert.equal(check.check, "eventually:greeted");
});

Deno.test("eventually: too late is a violation at the deadline, even on a quiet network", () => {
  const sim = greeting(1, 200);
  eventually(sim, "greeted", greeted, 100);
  const r = sim.run();
  assert.equal(r.ok, false);
  assert.equal(r.stop, "violation");
  assert.deepEqual(r.violations, [{
    check: "eventually:greeted",
    message: "greeted did not hold within 100 ms (by 100 ms)",
    atMs: 100,
  }]);

  // Nothing at all happens after the start: the deadline still comes.
  const idle = new Simulation({ seed: 1 });
  idle.spawn("n1", () => ({ onMessage() {} }));
  eventually(idle, "never", () => false, 50);
  assert.equal(idle.run().violations[0]?.atMs, 50);
});

Deno.test("eventually: a message lost on the way makes it fail; the deadline counts from registration", () => {
  const sim = new Simulation({ seed: 3, network: { loss: 1 } });
  sim.spawn("n1", (): Actor<Msg> => ({
    onStart: (ctx) => ctx.setTimer("tick", 10),
    onMessage() {},
    onTimer(ctx) {
      ctx.send("n2", { type: "hello" });
      ctx.setTimer("tick", 10);
    },
  }));
  sim.spawn("n2", (): Actor<Msg> => ({ onMessage: (ctx) => ctx.storage.set("greeted", true) }));
  sim.run({ until: 30 });
  const check = eventually(sim, "greeted", greeted, 40);
  assert.equal(check.deadline, 70);
  const r = sim.run();
  assert.equal(r.violations[0]?.check, "eventually:greeted");
  assert.equal(r.violations[0]?.atMs, 70);
});

Deno.test("eventually: a run that ends before the deadline does not judge it", () => {
  const sim = greeting(1, 200);
  eventually(sim, "greeted", greeted, 100);
  assert.equal(sim.run({ until: 99 }).ok, true);
});

Deno.test("eventually: bad deadlines are refused by name", () => {
  const sim = greeting(1, 1);
  for (const bad of [-1, NaN, Infinity]) {
    assert.throws(
      () => eventually(sim, "x", () => true, bad),
      (e: unknown) => e instanceof ConfigError && e.input === "eventually x",
    );
  }
});

Deno.test("shrinking keeps an eventually check honest: it never shortens the run under it", () => {
  // Rumour-free liveness: every node must hear from n1 within 100 ms; a crash of a node
  // (scheduled by the faults) keeps it from hearing. Shortening `until` below the deadline
  // would make the run pass, so the shrunk run still reaches the deadline.
  const heard: Scenario = {
    name: "heard",
    summary: "n1 greets everyone once",
    defaults: { nodes: 4, until: 500 },
    setup(sim, params) {
      const ids = nodeIds(params.nodes);
      for (const id of ids) {
        sim.spawn(id, (): Actor<Msg> => ({
          onStart(ctx) {
            if (id === "n1") ids.slice(1).forEach((p) => ctx.setTimer(`greet ${p}`, 30));
          },
          onMessage: (ctx) => ctx.storage.set("greeted", true),
          onTimer: (ctx, name) => ctx.send(name.slice(6), { type: "hello" }),
        }));
      }
      eventually(
        sim,
        "all-greeted",
        (s) => ids.slice(1).every((p) => s.storage(p).get<boolean>("greeted") === true),
        100,
      );
      return {};
    },
  };
  const s = shrinkFailure(heard, {
    seed: 1,
    faults: "@10 pause n2; @20 crash n3; @150 restart n3; @300 heal; @400 crash n4",
  });
  assert.equal(s.check, "eventually:all-greeted");
  // One fault that keeps a node from hearing is enough: a pause for good or a crash, moved
  // onto the lowest node it still fails on (pausing n1, the greeter, greets no one), and as early
  // as it still fails.
  assert.match(s.faults, /^@\d+ (pause|crash) n[1-3]$/);
  assert.ok(parseFaults(s.faults)[0].at <= 20, s.faults);
  // No more nodes than that takes: the faulted one, and one to greet.
  assert.equal(s.params.nodes, Math.max(2, Number(s.faults.at(-1))));
  assert.ok(s.params.until >= 100, `until ${s.params.until}`);
});
