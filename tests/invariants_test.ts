import assert from "node:assert/strict";
import { formatEvent, Simulation } from "../sim/mod.ts";
import { Burst, Fragile, type FragileSpot, Ticker } from "./_actors.ts";

const count = (sim: Simulation, id = "t1") => sim.storage(id).get<number>("count") ?? 0;

function ticking(seed = 77): Simulation {
  const sim = new Simulation({ seed, lastEvents: 5 });
  sim.spawn("t1", () => new Ticker(10));
  sim.spawn("t2", () => new Ticker(15));
  return sim;
}

Deno.test("an invariant violation stops the run and reports seed, node, virtual time and the last events", async (t) => {
  const sim = ticking();
  sim.invariant("count-below-5", (s) => count(s) < 5 || `count reached ${count(s)}`);
  const r = sim.run({ until: 1000 });

  await t.step("the run stops with the violation", () => {
    assert.equal(r.stop, "violation");
    assert.equal(r.ok, false);
    assert.deepEqual(r.violations, [
      { check: "count-below-5", message: "count reached 5", atMs: 50, node: "t1" },
    ]);
    assert.deepEqual(sim.violations, r.violations);
  });

  await t.step("it stopped right there: nothing after the event that broke it", () => {
    assert.equal(r.virtualMs, 50);
    assert.equal(sim.now, 50);
    assert.equal(count(sim), 5);
    const events = sim.trace.events;
    assert.deepEqual(events.at(-1), {
      t: 50,
      kind: "violation",
      node: "t1",
      check: "count-below-5",
      message: "count reached 5",
    });
    assert.deepEqual(events.at(-2), { t: 50, kind: "timer", node: "t1", name: "tick" });
    assert.ok(events.every((e) => e.t <= 50));
  });

  await t.step("failureReport names check, seed, node, time and the last events", () => {
    const report = sim.failureReport();
    assert.match(report, /^violation of count-below-5: count reached 5$/m);
    assert.match(report, /seed 77, node t1, virtual time 50 ms, after \d+ events/);
    const recent = sim.recentEvents();
    assert.equal(recent.length, 5, "lastEvents: 5");
    assert.match(report, /last 5 events before it:/);
    // The events before the violation, not the violation's own trace line.
    for (const e of recent.filter((e) => e.kind !== "violation")) {
      assert.ok(report.includes(formatEvent(e)), `missing ${formatEvent(e)}`);
    }
    assert.doesNotMatch(report, /VIOLATION/);
    assert.ok(report.includes("timer tick"));
  });

  await t.step("running again does not go past the violation", () => {
    const again = sim.run({ until: 2000 });
    assert.equal(again.stop, "violation");
    assert.equal(again.events, r.events);
    assert.equal(sim.now, 50);
  });
});

Deno.test("invariant results: false, a message with a node, and a throw", async (t) => {
  await t.step("false means does not hold, blamed on the node that just acted", () => {
    const sim = ticking();
    sim.invariant("t2-quiet", (s) => count(s, "t2") === 0);
    const r = sim.run();
    assert.deepEqual(r.violations, [
      { check: "t2-quiet", message: "does not hold", atMs: 15, node: "t2" },
    ]);
  });
  await t.step("an object names the node to blame", () => {
    const sim = ticking();
    sim.invariant("blame-t2", (s) => count(s) >= 2 ? { message: "t1 at 2", node: "t2" } : true);
    const r = sim.run();
    assert.deepEqual(r.violations, [{
      check: "blame-t2",
      message: "t1 at 2",
      atMs: 20,
      node: "t2",
    }]);
  });
  await t.step("an invariant that throws is a violation of that invariant", () => {
    const sim = ticking();
    sim.invariant("throws", (s) => {
      if (s.now >= 30) throw new RangeError("checker broke");
    });
    const r = sim.run();
    assert.equal(r.stop, "violation");
    assert.equal(r.violations[0].check, "throws");
    assert.equal(r.violations[0].atMs, 30);
    assert.match(r.violations[0].message, /RangeError: checker broke/);
  });
  await t.step("a scripted step that throws is a scenario violation", () => {
    const sim = ticking();
    sim.at(12, () => {
      throw new Error("script broke");
    });
    const r = sim.run();
    assert.equal(r.violations[0].check, "scenario");
    assert.equal(r.violations[0].atMs, 12);
    assert.equal(r.violations[0].node, undefined);
    assert.match(r.violations[0].message, /script broke/);
  });
});

function fragile(spot: FragileSpot, trace: "full" | "off" = "full"): Simulation {
  const sim = new Simulation({ seed: 5, trace, network: { latency: { kind: "fixed", ms: 1 } } });
  sim.spawn("src", () => new Burst("f", 10, 1)); // probe k sent at k, arrives at k + 1
  sim.spawn("f", () => new Fragile(spot, 3, 4.5));
  return sim;
}

Deno.test("a throwing actor is reported like a violation and stops the run there", async (t) => {
  await t.step("in onMessage", () => {
    const sim = fragile("message");
    const r = sim.run();
    assert.equal(r.stop, "violation");
    assert.equal(r.ok, false);
    const v = r.violations[0];
    assert.deepEqual([v.check, v.node, v.atMs], ["actor-exception", "f", 4]);
    assert.match(v.message, /^Error: fragile: broke on probe 3/);
    // The report points at the line that threw.
    assert.match(v.message, /_actors\.ts:\d+/);
    assert.equal(sim.now, 4);
    const last = sim.trace.events.slice(-2);
    assert.equal(last[0].kind, "deliver");
    assert.deepEqual((last[0] as { msg: unknown }).msg, { type: "probe", seq: 3 });
    assert.equal(last[1].kind, "violation");
    // Probes 4..9 were never sent: the run stopped at the exception.
    assert.equal(sim.actor<Burst>("src")!.sent, 4);
    const report = sim.failureReport();
    assert.match(report, /violation of actor-exception: Error: fragile: broke on probe 3/);
    assert.match(report, /seed 5, node f, virtual time 4 ms/);
    assert.match(report, /deliver #3 <- src/);
  });
  await t.step("in onStart", () => {
    const r = fragile("start").run();
    assert.deepEqual([r.violations[0].check, r.violations[0].node, r.violations[0].atMs], [
      "actor-exception",
      "f",
      0,
    ]);
    assert.match(r.violations[0].message, /fragile: broke at start/);
  });
  await t.step("in onTimer", () => {
    const r = fragile("timer").run();
    assert.deepEqual([r.violations[0].check, r.violations[0].node, r.violations[0].atMs], [
      "actor-exception",
      "f",
      4.5,
    ]);
    assert.match(r.violations[0].message, /fragile: broke on timer fuse/);
  });
  await t.step("with tracing off the report still names seed, node and time", () => {
    const sim = fragile("message", "off");
    const r = sim.run();
    assert.equal(r.stop, "violation");
    assert.match(sim.failureReport(), /seed 5, node f, virtual time 4 ms/);
    assert.match(sim.failureReport(), /tracing was off/);
  });
});
