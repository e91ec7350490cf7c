// Issue 14, item 2 (lecture 3.2): clock synchronisation. NTP's offset and delay from four
// timestamps and Cristian's algorithm, within delay/2 of the truth; a slewing clock that never
// runs backwards; the polling layer; the clock-sync scenario over many seeds with its faults,
// its planted step discipline caught; and the examples' lessons.

import assert from "node:assert/strict";
import fc from "npm:fast-check@4.10.2";
import { TestContext } from "../actors/test_context.ts";
import { runScenario } from "../sim/scenario.ts";
import { Simulation } from "../sim/simulation.ts";
import { assertSeeds, checkSeeds } from "../sim/testing.ts";
import {
  ClockReader,
  ClockSync,
  clockSync,
  cristianEstimate,
  ntpEstimate,
  offsetInvariant,
  SlewingClock,
  SyncedActor,
  type SyncMsg,
  type SyncTimer,
} from "../protocols/clocksync/mod.ts";
import { disciplineRun, methodErrors, oneExchange } from "../examples/clock_sync.ts";
import { compareLww } from "../examples/lww_clock_sync.ts";

Deno.test("NTP and Cristian: the true offset is within delay/2 of the estimate", () => {
  // Global times a < b <= c < d of one exchange; clocks with constant offsets (no drift).
  fc.assert(
    fc.property(
      fc.double({ min: 0, max: 1000, noNaN: true }),
      fc.double({ min: 0, max: 50, noNaN: true }),
      fc.double({ min: 0, max: 20, noNaN: true }),
      fc.double({ min: 0, max: 50, noNaN: true }),
      fc.double({ min: -500, max: 500, noNaN: true }),
      fc.double({ min: -500, max: 500, noNaN: true }),
      (a, up, hold, down, server, client) => {
        const b = a + up, c = b + hold, d = c + down;
        const truth = server - client;
        const ntp = ntpEstimate({ t1: a + client, t2: b + server, t3: c + server, t4: d + client });
        assert.ok(Math.abs(ntp.delay - (up + down)) < 1e-6);
        assert.ok(Math.abs(ntp.offset - truth) <= ntp.delay / 2 + 1e-6);
        const cristian = cristianEstimate(a + client, c + server, d + client);
        assert.ok(Math.abs(cristian.offset - truth) <= cristian.delay / 2 + 1e-6);
        // Cristian counts the server's hold as delay: a looser bound.
        assert.ok(cristian.delay >= ntp.delay - 1e-6);
      },
    ),
    { seed: 32, numRuns: 500 },
  );
  assert.throws(() => ntpEstimate({ t1: 0, t2: NaN, t3: 0, t4: 0 }), /t2 must be finite/);
});

Deno.test("slewing clock: never reads less than before, whatever the estimates and jumps", () => {
  fc.assert(
    fc.property(
      fc.array(
        fc.record({
          advance: fc.double({ min: -100, max: 200, noNaN: true }), // negative: the hardware is set back
          offset: fc.option(fc.double({ min: -300, max: 300, noNaN: true })),
        }),
        { maxLength: 60 },
      ),
      (steps) => {
        const clock = new SlewingClock({ slewRate: 0.1, stepMs: 50 });
        let hw = 0, previous = -Infinity;
        for (const s of steps) {
          hw += s.advance;
          if (s.offset !== null) clock.adjust(hw, s.offset);
          const r = clock.read(hw);
          assert.ok(r >= previous, `read ${r} after ${previous}`);
          previous = r;
        }
      },
    ),
    { seed: 7, numRuns: 500 },
  );
});

Deno.test("slewing clock: slews at most slewRate, steps forwards, converges to the estimate", () => {
  const clock = new SlewingClock({ slewRate: 0.05, stepMs: 50 });
  clock.adjust(0, -30); // 30 ms ahead: slow down
  assert.equal(clock.read(100), 95);
  assert.equal(clock.read(1000), 970); // 600 ms at 5% took the 30 ms back
  clock.adjust(1000, 10); // 40 ms behind now, under stepMs: speed up
  assert.equal(clock.read(1100), 1075);
  clock.adjust(1100, 500); // far behind: step forwards
  assert.equal(clock.read(1100), 1600);
  // Saved and restored, it goes on where it was.
  const copy = new SlewingClock({ slewRate: 0.05, stepMs: 50 });
  copy.restore(clock.toJSON());
  assert.equal(copy.peek(1200), clock.peek(1200));
  // The broken discipline sets the clock back.
  const stepper = new SlewingClock({ discipline: "step" });
  assert.equal(stepper.read(100), 100);
  stepper.adjust(100, -30);
  assert.equal(stepper.read(101), 71);
  assert.throws(() => new SlewingClock({ slewRate: 1 }), /slewRate must be in \(0, 1\)/);
});

Deno.test("ClockSync: a server answers after its hold with t2 and t3; duplicates are ignored", () => {
  type Ctx = TestContext<SyncMsg, SyncTimer>;
  const server = new ClockSync({ holdMs: 10 });
  const sctx: Ctx = new TestContext("ts", { now: 500 });
  server.onStart(sctx);
  server.onMessage(sctx, { type: "ntp-request", id: 1, t1: 90 }, "c");
  assert.deepEqual(sctx.takeSent(), []); // held
  sctx.advance(10);
  sctx.fireDue(server);
  const [reply] = sctx.takeSent();
  assert.equal(reply.to, "c");
  const msg = reply.msg as SyncMsg & { type: "ntp-reply" };
  assert.equal(msg.t2, 500);
  assert.ok(msg.t3 > 500 && msg.t3 <= 510);

  const client = new ClockSync({ server: "ts", method: "cristian" });
  const cctx: Ctx = new TestContext("c", { now: 100 });
  client.onStart(cctx);
  cctx.fire(client, { type: "poll" });
  assert.deepEqual(cctx.takeSent(), [{ to: "ts", msg: { type: "cristian-request", id: 1 } }]);
  cctx.advance(8);
  client.onMessage(cctx, { type: "cristian-reply", id: 1, time: 304 }, "ts");
  client.onMessage(cctx, { type: "cristian-reply", id: 1, time: 304 }, "ts"); // duplicated
  assert.equal(client.taken, 1);
  assert.equal(client.ignored, 1);
  assert.deepEqual(client.best(108), { id: 1, offset: 200, delay: 8, t1: 100, t4: 108 });
  // A reply to a request never sent is ignored too.
  client.onMessage(cctx, { type: "cristian-reply", id: 9, time: 0 }, "ts");
  assert.equal(client.ignored, 2);
});

Deno.test("ClockSync: a restarted client keeps its correction and never reads less", () => {
  const sim = new Simulation({ seed: 4 });
  sim.spawn("ts", () => new SyncedActor(undefined, {}));
  sim.spawn("n2", () => new SyncedActor(new ClockReader(1), { server: "ts", pollMs: 50 }), {
    clock: { skewMs: 90 },
  });
  sim.run({ until: 300 }); // slewing back from 90 ms ahead: not done yet
  const before = sim.actor<SyncedActor<unknown, unknown>>("n2")!.sync.layer.clock.last!;
  assert.ok(before < sim.localTime("n2") - 20);
  sim.crash("n2");
  sim.restart("n2");
  sim.run({ until: 301 });
  const after = sim.actor<SyncedActor<unknown, unknown>>("n2")!;
  assert.ok(after.sync.layer.clock.last! >= before);
  assert.ok(after.peek(sim.localTime("n2")) < sim.localTime("n2") - 20); // still corrected
});

Deno.test("the offset check catches an estimate further than delay/2 from the truth", () => {
  const sim = new Simulation({ seed: 1 });
  sim.spawn("ts", () => new SyncedActor(undefined, {}));
  sim.spawn("n2", () => new SyncedActor(new ClockReader(1), { server: "ts" }), {
    clock: { skewMs: 40 },
  });
  sim.invariant("offset", offsetInvariant(["n2"], { server: "ts", maxDrift: 0, jumps: [] }));
  sim.run({ until: 100 });
  // A sample as a buggy estimator would make it: the right delay, the offset 10 ms off.
  const layer = sim.actor<SyncedActor<unknown, unknown>>("n2")!.sync.layer;
  layer.samples.push({ id: 1000, offset: -40 + 10, delay: 4, t1: 0, t4: 4 });
  const r = sim.run({ until: 101 });
  assert.equal(r.ok, false);
  assert.match(sim.violations[0].message, /more than delay\/2 = 2/);
});

Deno.test("clock-sync scenario: 150 seeds with random faults, NTP and Cristian, hold", () => {
  assertSeeds(clockSync, { seeds: { from: 1, to: 150 } });
  assertSeeds(clockSync, { seeds: { from: 1, to: 50 }, flags: { method: "cristian" } });
  assertSeeds(clockSync, {
    seeds: { from: 1, to: 30 },
    nodes: 6,
    flags: { jumps: 10, "max-drift": 0.01 },
    network: { latency: { kind: "exponential", mean: 20, min: 1 }, loss: 0.1 },
  });
});

Deno.test("clock-sync scenario: the step discipline is caught setting clocks back", () => {
  const { runs, failures } = checkSeeds(clockSync, {
    seeds: { from: 1, to: 50 },
    stopAtFirst: false,
    flags: { discipline: "step" },
  });
  assert.equal(runs, 50);
  assert.ok(failures.length >= 45, `${failures.length} of 50 caught`);
  assert.ok(failures.every((f) => f.violations[0].check === "monotonic"));
});

Deno.test("clock-sync scenario: synchronised clocks end within a few ms of the server", () => {
  const r = runScenario(clockSync, { seed: 5, faults: "none", flags: { jumps: 0 } });
  assert.ok(r.ok);
  for (const line of r.summary.slice(1)) {
    const m = /synchronised ([-+\d.]+) ms off/.exec(line);
    assert.ok(m !== null, line);
    assert.ok(Math.abs(Number(m[1])) <= 5, line);
  }
});

Deno.test("examples: one exchange, Cristian against NTP, stepping against slewing", () => {
  const e = oneExchange();
  assert.ok(Math.abs(e.offset - e.truth) <= e.delay / 2);
  assert.ok(Math.abs(e.truth - 150) < 1e-6);
  const ntp = methodErrors("ntp", 20), cristian = methodErrors("cristian", 20);
  assert.ok(ntp.maxError <= cristian.maxError && ntp.meanBound < cristian.meanBound);
  const slew = disciplineRun("slew"), step = disciplineRun("step");
  assert.equal(slew.backwards, 0);
  assert.ok(step.backwards > 50);
  assert.ok(Math.abs(slew.errors.at(-1)!.error) < 5);
});

Deno.test("LWW set with and without synchronised clocks: skew's losses all but go", () => {
  const { skewed, synced } = compareLww([1, 2, 3]);
  assert.equal(skewed.adds, synced.adds);
  assert.ok(skewed.lostToEarlierRemove > 50, JSON.stringify(skewed));
  assert.ok(synced.lostToEarlierRemove * 10 < skewed.lostToEarlierRemove, JSON.stringify(synced));
});
