import assert from "node:assert/strict";
import { Pinger, Ponger } from "../protocols/ping_pong/ping_pong.ts";
import { Simulation } from "../sim/mod.ts";
import { Burst, Sink, Ticker } from "./_actors.ts";

const ticks = (sim: Simulation) => sim.storage("t").get<number>("count") ?? 0;

function ticker(): Simulation {
  const sim = new Simulation({ seed: 1 });
  sim.spawn("t", () => new Ticker(10));
  return sim;
}

Deno.test("run until a virtual time, then again to continue", () => {
  const sim = ticker();
  const first = sim.run({ until: 35 });
  assert.equal(first.stop, "until");
  assert.equal(first.virtualMs, 35);
  assert.equal(sim.now, 35);
  assert.equal(ticks(sim), 3);
  assert.ok(sim.trace.events.every((e) => e.t <= 35));
  // An event exactly at `until` still happens.
  const second = sim.run({ until: 100 });
  assert.equal(second.stop, "until");
  assert.equal(ticks(sim), 10);
  assert.equal(second.events, 11, "start + 10 ticks, counted since the beginning");
});

Deno.test("run until quiet", () => {
  const sim = new Simulation({ seed: 2 });
  sim.spawn("a", () => new Burst("b", 5));
  sim.spawn("b", () => new Sink());
  const r = sim.run({ until: 10_000 });
  assert.equal(r.stop, "quiet");
  assert.equal(sim.actor<Sink>("b")!.received.length, 5);
  // Quiet before `until`: the clock still moves on to `until`, as a harness expects.
  assert.ok(Math.max(...sim.trace.events.map((e) => e.t)) < 10_000);
  assert.equal(r.virtualMs, 10_000);
  // New work after quiet: run picks it up.
  sim.send("a", "b", { type: "probe", seq: 99 });
  assert.equal(sim.run().stop, "quiet");
  assert.equal(sim.actor<Sink>("b")!.received.at(-1)!.seq, 99);
});

Deno.test("run until a maximum event count, then again to continue", () => {
  const sim = ticker();
  const first = sim.run({ maxEvents: 10 });
  assert.equal(first.stop, "max-events");
  assert.equal(first.events, 10);
  assert.equal(sim.trace.events.length, 10, "start and nine ticks");
  assert.equal(ticks(sim), 9);
  const second = sim.run({ maxEvents: 25 });
  assert.equal(second.events, 25);
  assert.equal(ticks(sim), 24);
  assert.equal(sim.run({ maxEvents: 25 }).events, 25, "a reached limit runs nothing");
  const zero = ticker().run({ maxEvents: 0 });
  assert.deepEqual([zero.stop, zero.events], ["max-events", 0]);
});

Deno.test("a run in pieces is the same run as in one go", () => {
  const build = () => {
    const sim = new Simulation({ seed: 31, network: { loss: 0.2, duplicate: 0.1 } });
    sim.spawn("n1", () => new Pinger("n2", 30, 20));
    sim.spawn("n2", () => new Ponger());
    sim.schedule([{ at: 40, action: { type: "crash", node: "n2" } }, {
      at: 90,
      action: { type: "restart", node: "n2" },
    }]);
    return sim;
  };
  const whole = build();
  const one = whole.run({ until: 2000 });
  const pieces = build();
  pieces.run({ until: 55.5 });
  pieces.run({ maxEvents: pieces.stats.events + 7 });
  pieces.run({ until: 300 });
  const last = pieces.run({ until: 2000 });
  assert.ok(one.events > 50, `only ${one.events} events`);
  assert.equal(last.traceHash, one.traceHash);
  assert.deepEqual(pieces.stats, whole.stats);
  assert.deepEqual(pieces.trace.events, whole.trace.events);
});
