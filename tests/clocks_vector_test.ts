import assert from "node:assert/strict";
import fc from "npm:fast-check@4.10.2";
import { Causality } from "../sim/causality.ts";
import { runScenario } from "../sim/scenario.ts";
import type { TraceEvent } from "../sim/trace.ts";
import { checkVectorClocks, concurrentPairs, stampedEvents } from "../protocols/clocks/check.ts";
import { clockDiagram, eventNames } from "../protocols/clocks/render.ts";
import { vectorClock } from "../protocols/clocks/scenario.ts";
import { renderDiagram } from "../sim/render/diagram.ts";
import { VectorClock } from "../protocols/clocks/vector_clock.ts";
import { faultyClockRun } from "./_clock_runs.ts";

const faultyRun = (seed: number, durable = true) => faultyClockRun(vectorClock, seed, durable);

Deno.test("VectorClock: tick, merge, receive, and the four answers of compare", () => {
  const a = new VectorClock().tick("n1"); // {n1:1}
  const b = new VectorClock().tick("n2").receive("n2", a); // {n1:1,n2:2}
  const c = new VectorClock().tick("n3"); // {n3:1}
  assert.deepEqual(b.toJSON(), { n1: 1, n2: 2 });
  assert.equal(a.compare(b), "before");
  assert.equal(b.compare(a), "after");
  assert.equal(a.compare(c), "concurrent");
  assert.equal(a.compare({ n1: 1, n9: 0 }), "equal", "absent and zero entries are the same");
  assert.ok(a.before(b) && a.concurrent(c) && a.lessOrEqual(a) && !b.lessOrEqual(a));
  assert.equal(b.merge(c).format(["n1", "n2", "n3"]), "[1,2,1]");
  assert.equal(b.format(), "{n1:1,n2:2}");
  assert.equal(a.get("n1"), 1, "the original is unchanged by tick and merge");
  assert.throws(() => new VectorClock({ n1: -1 }), /entry n1 must be a whole number >= 0, got -1/);
});

Deno.test("VectorClock: node ids that are names of Object.prototype members are ordinary keys", () => {
  const v = new VectorClock().tick("constructor").tick("__proto__").tick("__proto__");
  assert.equal(v.get("constructor"), 1);
  assert.equal(v.get("__proto__"), 2);
  assert.equal(v.get("toString"), 0);
  assert.equal(new VectorClock().compare(v), "before");
  assert.equal(JSON.stringify(v), '{"constructor":1,"__proto__":2}');
});

const clock = fc.dictionary(fc.constantFrom("a", "b", "c"), fc.nat(3)).map((d) =>
  new VectorClock(d)
);

Deno.test("compare agrees with pointwise <=, and merge is the least upper bound", () => {
  fc.assert(
    fc.property(clock, clock, clock, (x, y, z) => {
      const le = (p: VectorClock, q: VectorClock) =>
        ["a", "b", "c"].every((n) => p.get(n) <= q.get(n));
      const expected = le(x, y) && le(y, x)
        ? "equal"
        : le(x, y)
        ? "before"
        : le(y, x)
        ? "after"
        : "concurrent";
      assert.equal(x.compare(y), expected);
      const m = x.merge(y);
      assert.ok(x.lessOrEqual(m) && y.lessOrEqual(m), "an upper bound");
      if (x.lessOrEqual(z) && y.lessOrEqual(z)) assert.ok(m.lessOrEqual(z), "the least one");
      assert.equal(m.compare(y.merge(x)), "equal", "commutative");
      assert.equal(x.tick("a").compare(x), "after");
    }),
    { numRuns: 500 },
  );
});

Deno.test("500 faulty runs: a -> b exactly when V(a) < V(b), a ∥ b exactly when incomparable", () => {
  let before = 0, concurrent = 0, crashes = 0;
  for (let seed = 1; seed <= 500; seed++) {
    const events = faultyRun(seed);
    assert.deepEqual(checkVectorClocks(events), [], `seed ${seed}`);
    // Restated without the checker: both directions of both equivalences.
    const causality = Causality.fromTrace(events);
    const s = stampedEvents(events);
    for (let i = 0; i < s.length; i++) {
      for (let j = 0; j < s.length; j++) {
        if (i === j) continue;
        const a = s[i], b = s[j];
        assert.equal(causality.happensBefore(a.index, b.index), a.vc.before(b.vc), `seed ${seed}`);
        assert.equal(causality.concurrent(a.index, b.index), a.vc.concurrent(b.vc), `seed ${seed}`);
        if (a.vc.before(b.vc)) before++;
        if (i < j && a.vc.concurrent(b.vc)) concurrent++;
      }
    }
    crashes += events.filter((e) => e.kind === "crash").length;
  }
  assert.ok(before > 50000 && concurrent > 20000, `before ${before}, concurrent ${concurrent}`);
  assert.ok(crashes > 300, `crashes: ${crashes}`);
});

Deno.test("a vector clock that forgets itself in a crash is caught", () => {
  let caught: number | undefined;
  for (let seed = 1; seed <= 100 && caught === undefined; seed++) {
    if (checkVectorClocks(faultyRun(seed, false)).length > 0) caught = seed;
  }
  assert.ok(caught !== undefined, "volatile vector clocks passed 100 faulty seeds");
});

Deno.test("the vector-clock scenario checks itself and lists concurrent pairs", () => {
  for (const trace of ["full", "hash"] as const) {
    const r = runScenario(vectorClock, { seed: 5, network: { loss: 0.1, duplicate: 0.1 }, trace });
    assert.ok(r.ok, `${trace}: ${JSON.stringify(r.violations)}`);
    assert.match(r.summary.join("\n"), /concurrent: n\d .* ∥ /);
  }
  const events = runScenario(vectorClock, { seed: 5 }).sim.trace.events;
  const pairs = concurrentPairs(events);
  assert.ok(pairs.length > 0);
  for (const [a, b] of pairs) assert.equal(a.vc.compare(b.vc), "concurrent");
});

Deno.test("the clock diagram shows each event's name and clock beside it, within the width", () => {
  const events =
    runScenario(vectorClock, { seed: 1, faults: "none", flags: { steps: 4 } }).sim.trace.events;
  const stamped = stampedEvents(events);
  const names = eventNames(stamped);
  for (const width of [80, 100]) {
    const text = clockDiagram(events, "vector", { width });
    const lines = text.split("\n");
    assert.ok(lines.every((l) => [...l].length <= width), `all lines within ${width}`);
    for (const e of stamped) {
      const label = `${names.get(e.index)} ${e.vc.format(["n1", "n2", "n3"])}`;
      assert.equal(
        lines.filter((l) => l.includes(label)).length,
        1,
        `${label} once at width ${width}`,
      );
    }
  }
  assert.match(clockDiagram(events, "lamport"), /n1\.1 L=1/);
});

Deno.test("renderDiagram's annotate option puts text beside marks and beyond arrow heads", () => {
  const events: TraceEvent[] = [
    { t: 1, kind: "send", node: "a", to: "b", id: 0, msg: { type: "hi" } },
    { t: 2, kind: "deliver", node: "b", from: "a", id: 0, msg: { type: "hi" } },
    { t: 3, kind: "timer", node: "b", name: "tick" },
  ];
  const notes = new Map<TraceEvent, string>([[events[0], "SENT@1"], [events[1], "GOT@2"]]);
  const lines = renderDiagram(events, { width: 80, legend: false, annotate: (e) => notes.get(e) })
    .split("\n");
  assert.match(lines.find((l) => l.includes("hi #0 → b"))!, /hi #0 → b {2}SENT@1/);
  assert.match(lines.find((l) => l.includes("▶"))!, /▶ GOT@2/);
  assert.ok(!lines.find((l) => l.includes("timer tick"))!.includes("@"), "no note, no extra text");
});
