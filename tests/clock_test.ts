import assert from "node:assert/strict";
import { type ClockConfig, parseFaults, Simulation } from "../sim/mod.ts";
import { ClockProbe } from "./_actors.ts";
import { eventsOf } from "./_helpers.ts";

interface Reading {
  /** Global time, from the trace. */
  t: number;
  node: string;
  at: string;
  /** What ctx.now() said. */
  local: number;
}

function readings(sim: Simulation, node: string): Reading[] {
  return eventsOf(sim, "log").filter((e) => e.note === "now" && e.node === node).map((e) => {
    const data = e.data as { at: string; local: number };
    return { t: e.t, node: e.node, at: data.at, local: data.local };
  });
}

/** n0 keeps true time; n1 has `clock` and timers in its local time. */
function clocks(clock: ClockConfig, timers: Array<{ name: string; afterMs: number }>) {
  const sim = new Simulation({ seed: 1 });
  sim.spawn("n0", () => new ClockProbe(timers));
  sim.spawn("n1", () => new ClockProbe(timers), { clock });
  return sim;
}

const near = (a: number, b: number, eps = 1e-6) => Math.abs(a - b) <= eps;

Deno.test("skew shows in ctx.now()", () => {
  const sim = clocks({ skewMs: 100 }, [{ name: "t50", afterMs: 50 }]);
  sim.at(30, (s) => s.send("ext", "n1", { type: "probe", seq: 0 }));
  sim.at(40, (s) => assert.equal(s.localTime("n1"), 140));
  assert.ok(sim.run().ok, sim.failureReport());
  assert.deepEqual(readings(sim, "n1").map((r) => [r.at, r.t, r.local]), [
    ["start", 0, 100],
    ["probe 0", 30, 130],
    // Skew shifts the reading but not the rate: a 50 ms timer takes 50 ms.
    ["timer t50", 50, 150],
  ]);
  assert.ok(readings(sim, "n0").every((r) => r.local === r.t));
});

Deno.test("drift shows in ctx.now(), and local-time timers fire at the drift-adjusted global time", async (t) => {
  const cases: Array<{ clock: ClockConfig; afterMs: number; fireAt: number }> = [
    { clock: { drift: 0.5 }, afterMs: 30, fireAt: 20 }, // fast: 30 local ms in 20 global
    { clock: { drift: -0.5 }, afterMs: 10, fireAt: 20 }, // slow: 10 local ms in 20 global
    { clock: { skewMs: 10, drift: 0.25 }, afterMs: 25, fireAt: 20 },
    { clock: { drift: 0.01 }, afterMs: 1000, fireAt: 1000 / 1.01 },
  ];
  for (const { clock, afterMs, fireAt } of cases) {
    await t.step(`${JSON.stringify(clock)}, timer ${afterMs} ms`, () => {
      const sim = clocks(clock, [{ name: "t", afterMs }]);
      sim.at(7, (s) => s.send("ext", "n1", { type: "probe", seq: 0 }));
      sim.run();
      const local = (g: number) => g * (1 + (clock.drift ?? 0)) + (clock.skewMs ?? 0);
      const [start, probe, timer] = readings(sim, "n1");
      assert.deepEqual([start.at, probe.at, timer.at], ["start", "probe 0", "timer t"]);
      assert.equal(start.local, local(0));
      assert.ok(near(probe.local, local(7)), `probe read ${probe.local}, expected ${local(7)}`);
      // Timer times are kept to the microsecond.
      assert.ok(near(timer.t, fireAt, 1e-3), `fired at global ${timer.t}, expected ${fireAt}`);
      assert.ok(
        near(timer.local - start.local, afterMs, 2e-3),
        `${timer.local - start.local} local ms passed`,
      );
      // The node with a true clock fired the same timer at afterMs.
      assert.equal(readings(sim, "n0").find((r) => r.at === "timer t")!.t, afterMs);
    });
  }
});

Deno.test("skew and drift fault actions change the clock mid-run", () => {
  const sim = clocks({}, []);
  sim.schedule(parseFaults("@100 skew n1 +500; @200 drift n1 0.1; @300 skew n1 -50"));
  for (const [seq, at] of [50, 150, 250, 350].entries()) {
    sim.at(at, (s) => s.send("ext", "n1", { type: "probe", seq }));
  }
  sim.run();
  const got = readings(sim, "n1").filter((r) => r.at.startsWith("probe"));
  // The drift change at 200 keeps the reading (700) continuous: skew becomes 700 - 220 = 480.
  const want = [50, 150 + 500, 250 * 1.1 + 480, 350 * 1.1 - 50];
  assert.equal(got.length, want.length);
  got.forEach((r, i) =>
    assert.ok(near(r.local, want[i]), `${r.at}: ${r.local}, expected ${want[i]}`)
  );
  assert.deepEqual(eventsOf(sim, "clock").map((e) => [e.t, e.node, e.skew, e.drift]), [
    [100, "n1", 500, 0],
    [200, "n1", 480, 0.1],
    [300, "n1", -50, 0.1],
  ]);
  assert.ok(readings(sim, "n0").every((r) => r.local === r.t), "other clocks untouched");
});

Deno.test("setClock changes a clock directly", () => {
  const sim = clocks({}, []);
  sim.setClock("n1", { skewMs: -20 });
  assert.equal(sim.localTime("n1"), -20);
  sim.setClock("n1", { drift: 1 });
  let seen: number[] = [];
  sim.at(10, (s) => (seen = [s.localTime("n0"), s.localTime("n1")]));
  sim.run();
  assert.deepEqual(seen, [10, 2 * 10 - 20]);
});
