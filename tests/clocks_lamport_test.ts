import assert from "node:assert/strict";
import fc from "npm:fast-check@4.10.2";
import { Causality } from "../sim/causality.ts";
import { runScenario } from "../sim/scenario.ts";
import { checkLamport, findLamportConverse, stampedEvents } from "../protocols/clocks/check.ts";
import { checkFullTrace } from "../sim/full_trace.ts";
import { compareLamport, LamportClock } from "../protocols/clocks/lamport_clock.ts";
import { lamport } from "../protocols/clocks/scenario.ts";
import { faultyClockRun } from "./_clock_runs.ts";

const faultyRun = (seed: number, durable = true) => faultyClockRun(lamport, seed, durable);

Deno.test("LamportClock: tick, receive takes the max plus one, values are immutable", () => {
  const zero = new LamportClock();
  const one = zero.tick();
  assert.equal(zero.time, 0);
  assert.equal(one.time, 1);
  assert.equal(one.receive(5).time, 6);
  assert.equal(new LamportClock(9).receive(5).time, 10);
  assert.equal(one.merge(new LamportClock(4)).time, 4);
  assert.equal(new LamportClock(7).merge(4).time, 7);
  assert.ok(one.compare(2) < 0 && one.compare(zero) > 0 && one.compare(1) === 0);
  assert.equal(JSON.stringify({ t: new LamportClock(3) }), '{"t":3}');
  assert.throws(() => new LamportClock(-1), /whole number >= 0, got -1/);
  assert.throws(() => new LamportClock(1.5), RangeError);
});

Deno.test("(time, node) is a strict total order", () => {
  const stamp = fc.record({ time: fc.nat(5), node: fc.constantFrom("a", "b", "n1", "n10", "n2") });
  fc.assert(
    fc.property(stamp, stamp, stamp, (a, b, c) => {
      const ab = Math.sign(compareLamport(a, b));
      assert.equal(ab + Math.sign(compareLamport(b, a)), 0, "antisymmetric");
      assert.equal(ab === 0, a.time === b.time && a.node === b.node, "only equal stamps tie");
      if (compareLamport(a, b) < 0 && compareLamport(b, c) < 0) assert.ok(compareLamport(a, c) < 0);
    }),
    { numRuns: 500 },
  );
});

Deno.test("500 faulty runs: a -> b implies L(a) < L(b), and (L, node) is a total order extending ->", () => {
  let pairs = 0, crossNode = 0, crashes = 0, stamped = 0;
  for (let seed = 1; seed <= 500; seed++) {
    const events = faultyRun(seed);
    assert.deepEqual(checkLamport(events), [], `seed ${seed}`);
    // The property restated without the checker, so the test stands on its own.
    const causality = Causality.fromTrace(events);
    const s = stampedEvents(events);
    const order = [...s].sort((a, b) =>
      compareLamport({ time: a.lamport, node: a.node }, { time: b.lamport, node: b.node })
    );
    const rank = new Map(order.map((e, i) => [e.index, i]));
    for (const a of s) {
      for (const b of s) {
        if (!causality.happensBefore(a.index, b.index)) continue;
        assert.ok(a.lamport < b.lamport, `seed ${seed}: L(a) ${a.lamport} < L(b) ${b.lamport}`);
        assert.ok(rank.get(a.index)! < rank.get(b.index)!, `seed ${seed}: total order extends ->`);
        pairs++;
        if (a.node !== b.node) crossNode++;
      }
    }
    stamped += s.length;
    crashes += events.filter((e) => e.kind === "crash").length;
  }
  // Enough happened for the property to mean something.
  assert.ok(stamped > 10000, `stamped events: ${stamped}`);
  assert.ok(crossNode > 20000 && pairs > crossNode, `pairs ${pairs}, across nodes ${crossNode}`);
  assert.ok(crashes > 300, `crashes: ${crashes}`);
});

Deno.test("the converse fails: a search finds L(a) < L(b) with a and b concurrent", () => {
  let found: { seed: number; a: number; b: number } | undefined;
  for (let seed = 1; seed <= 20 && found === undefined; seed++) {
    const events = faultyRun(seed);
    const pair = findLamportConverse(events);
    if (pair === undefined) continue;
    const causality = Causality.fromTrace(events);
    assert.ok(pair[0].lamport < pair[1].lamport);
    assert.ok(causality.concurrent(pair[0].index, pair[1].index), "concurrent in truth");
    found = { seed, a: pair[0].index, b: pair[1].index };
  }
  assert.ok(found !== undefined, "no counterexample in 20 seeds");
});

Deno.test("a clock that forgets its time in a crash is caught breaking the Lamport property", () => {
  let caught: number | undefined;
  for (let seed = 1; seed <= 100 && caught === undefined; seed++) {
    const violations = checkLamport(faultyRun(seed, false));
    if (violations.some((v) => v.check === "lamport-causality")) caught = seed;
  }
  assert.ok(caught !== undefined, "volatile clocks passed 100 faulty seeds");
});

Deno.test("the lamport scenario checks itself, also when the run keeps only the trace hash", () => {
  for (const trace of ["full", "hash", "off"] as const) {
    const r = runScenario(lamport, { seed: 3, network: { loss: 0.1 }, trace });
    assert.ok(r.ok, `${trace}: ${JSON.stringify(r.violations)}`);
    assert.match(r.summary.join("\n"), /L\(a\) < L\(b\) yet a ∥ b/);
  }
  // Volatile clocks restart at 0: some seed's crashes make a later event stamp lower.
  let broken: ReturnType<typeof runScenario> | undefined;
  for (let seed = 1; seed <= 50 && broken === undefined; seed++) {
    const r = runScenario(lamport, {
      seed,
      trace: "hash",
      flags: { "durable-clock": false },
      faults: "@100 crash n1; @110 restart n1; @200 crash n2; @210 restart n2",
    });
    if (!r.ok) broken = r;
  }
  assert.ok(broken !== undefined, "no seed in 1..50 broke volatile clocks");
  assert.equal(broken.violations[0].check, "lamport-causality");
});

Deno.test("checking a hash-only run re-runs it, and refuses a re-run that is not the same run", () => {
  // lamport asks for the full trace of every run; this is the path of a scenario that does not.
  const plain = { ...lamport, needsTrace: false };
  const first = runScenario(plain, { seed: 2, trace: "hash" });
  let keptEvents = 0;
  const same = checkFullTrace(
    first.sim,
    () => runScenario(plain, { seed: 2 }),
    checkLamport,
    (full) => {
      keptEvents = full.trace.events.length;
    },
  );
  assert.deepEqual(same, []);
  assert.ok(keptEvents > 0 && first.sim.trace.events.length === 0);
  const other = checkFullTrace(first.sim, () => runScenario(plain, { seed: 3 }), checkLamport);
  assert.equal(other[0]?.check, "full-trace-rerun");
});
