import assert from "node:assert/strict";
import fc from "npm:fast-check@4.10.2";
import { Causality, type CausalStep, PROCESS_KINDS } from "../sim/causality.ts";
import { ConfigError } from "../sim/errors.ts";
import { runScenario, type Scenario } from "../sim/scenario.ts";
import type { TraceEvent } from "../sim/trace.ts";
import { gossip } from "../protocols/gossip/scenario.ts";
import { lamport } from "../protocols/clocks/scenario.ts";

/**
 * The relation by brute force: an explicit graph of program-order and
 * send -> delivery edges, and a search from every event. Slow and obviously
 * right, to compare the frontier computation with.
 */
function naiveReachability(steps: readonly (CausalStep | undefined)[]): boolean[][] {
  const n = steps.length;
  const edges: number[][] = Array.from({ length: n }, () => []);
  const last = new Map<string, number>();
  steps.forEach((s, i) => {
    if (s === undefined) return;
    const prev = last.get(s.node);
    if (prev !== undefined) edges[prev].push(i);
    last.set(s.node, i);
    if (s.from !== undefined) edges[s.from].push(i);
  });
  return steps.map((s, a) => {
    const reach = new Array<boolean>(n).fill(false);
    if (s === undefined) return reach;
    const stack = [...edges[a]];
    while (stack.length > 0) {
      const x = stack.pop()!;
      if (reach[x]) continue;
      reach[x] = true;
      stack.push(...edges[x]);
    }
    return reach;
  });
}

/** The same steps fromTrace builds, written out independently for the brute force. */
function stepsOf(events: readonly TraceEvent[]): (CausalStep | undefined)[] {
  const sendAt = new Map<number, number>();
  const original = new Map<number, number>();
  return events.map((e, i) => {
    if (e.kind === "duplicate") original.set(e.copy, e.id);
    if (!PROCESS_KINDS.has(e.kind)) return undefined;
    const node = (e as { node: string }).node;
    if (e.kind === "send") sendAt.set(e.id, i);
    if (e.kind !== "deliver") return { node };
    const from = sendAt.get(original.get(e.id) ?? e.id);
    return from === undefined ? { node } : { node, from };
  });
}

function assertSameRelation(c: Causality, steps: readonly (CausalStep | undefined)[]): number {
  const reach = naiveReachability(steps);
  let related = 0;
  for (let a = 0; a < steps.length; a++) {
    if (steps[a] === undefined) continue;
    for (let b = 0; b < steps.length; b++) {
      if (steps[b] === undefined) continue;
      assert.equal(c.happensBefore(a, b), reach[a][b], `events ${a} and ${b}`);
      if (reach[a][b]) related++;
    }
  }
  return related;
}

Deno.test("the space-time example of lecture 3.3: program order, messages, transitivity, concurrency", () => {
  // a: a0 send m1 to b, a1 local
  // b: b0 local, b1 receive m1, b2 send m2 to c
  // c: c0 local, c1 receive m2
  const c = new Causality([
    { node: "a" }, // 0 a0
    { node: "b" }, // 1 b0
    { node: "a" }, // 2 a1
    { node: "b", from: 0 }, // 3 b1
    { node: "b" }, // 4 b2
    { node: "c" }, // 5 c0
    { node: "c", from: 4 }, // 6 c1
  ]);
  assert.deepEqual(c.nodes, ["a", "b", "c"]);
  assert.ok(c.happensBefore(0, 2), "program order");
  assert.ok(c.happensBefore(0, 3), "send -> delivery");
  assert.ok(c.happensBefore(0, 6), "transitively across two messages");
  assert.ok(c.happensBefore(1, 6));
  assert.equal(c.compare(2, 3), "concurrent");
  assert.equal(c.compare(5, 0), "concurrent");
  assert.equal(c.compare(6, 0), "after");
  assert.equal(c.compare(4, 4), "equal");
  assert.ok(!c.happensBefore(3, 3), "irreflexive");
  assert.deepEqual([...c.eventsOn("b")], [1, 3, 4]);
  assert.equal(c.stepOf(4), 2);
  assert.deepEqual(Object.fromEntries(c.pastCounts(6)), { a: 1, b: 3, c: 2 });
});

Deno.test("from a trace: a duplicate's delivery receives from the original send; drops relate nothing", () => {
  const events: TraceEvent[] = [
    { t: 0, kind: "send", node: "a", to: "b", id: 0, msg: "x" },
    { t: 0, kind: "duplicate", node: "a", to: "b", id: 0, copy: 1 },
    { t: 0, kind: "send", node: "a", to: "c", id: 2, msg: "y" },
    { t: 0, kind: "drop", node: "a", from: "a", to: "c", id: 2, reason: "loss" },
    { t: 1, kind: "log", node: "c", note: "alone" },
    { t: 2, kind: "deliver", node: "b", from: "a", id: 1, msg: "x" },
    { t: 3, kind: "partition", groups: [["a"], ["b", "c"]] },
  ];
  const c = Causality.fromTrace(events);
  assert.ok(c.happensBefore(0, 5), "copy #1 was sent by send #0");
  assert.ok(c.concurrent(2, 4), "a lost message relates nothing");
  assert.ok(!c.isEvent(1) && !c.isEvent(3) && !c.isEvent(6));
  assert.deepEqual(c.events(), [0, 2, 4, 5]);
});

Deno.test("asking about something that is not an event names the index", () => {
  const c = Causality.fromTrace([{ t: 0, kind: "heal" }, { t: 0, kind: "start", node: "a" }]);
  assert.throws(
    () => c.happensBefore(0, 1),
    (e: unknown) => e instanceof ConfigError && /event index: 0 is not an event/.test(e.message),
  );
  assert.throws(() => c.compare(1, 7), ConfigError);
  assert.throws(
    () => new Causality([{ node: "a", from: 0 }]),
    /'from' must be the index of an earlier event/,
  );
  assert.throws(() => new Causality([undefined, { node: "a", from: 0 }]), ConfigError);
});

Deno.test("matches brute-force reachability on random event lists", () => {
  const stepList = fc.array(
    fc.record({
      node: fc.constantFrom("a", "b", "c", "d"),
      from: fc.option(fc.nat(), { nil: undefined }),
      gap: fc.boolean(),
    }),
    { maxLength: 40 },
  ).map((raw) =>
    raw.map((r, i): CausalStep | undefined => {
      if (r.gap) return undefined;
      const earlier = raw.slice(0, i).map((x, j) => (x.gap ? -1 : j)).filter((j) => j >= 0);
      if (r.from === undefined || earlier.length === 0) return { node: r.node };
      return { node: r.node, from: earlier[r.from % earlier.length] };
    })
  );
  fc.assert(
    fc.property(stepList, (steps) => {
      assertSameRelation(new Causality(steps), steps);
    }),
    { numRuns: 300 },
  );
});

Deno.test("matches brute-force reachability on simulated traces with loss, duplicates, crashes and partitions", () => {
  let related = 0, checkedEvents = 0, duplicates = 0, crashes = 0;
  for (let seed = 1; seed <= 12; seed++) {
    for (const scenario of [lamport, gossip] as Scenario[]) {
      const run = runScenario(scenario, {
        seed,
        nodes: 3,
        until: 250,
        network: { loss: 0.1, duplicate: 0.2 },
        faults: "random:crash=6,partition=4",
      });
      const events = run.sim.trace.events;
      const steps = stepsOf(events);
      related += assertSameRelation(Causality.fromTrace(events), steps);
      checkedEvents += steps.filter((s) => s !== undefined).length;
      duplicates += events.filter((e) => e.kind === "duplicate").length;
      crashes += events.filter((e) => e.kind === "crash").length;
    }
  }
  // The comparison only means something if the runs had all of these.
  assert.ok(checkedEvents > 2000, `events compared: ${checkedEvents}`);
  assert.ok(related > 10000, `related pairs: ${related}`);
  assert.ok(duplicates > 10 && crashes > 5, `duplicates ${duplicates}, crashes ${crashes}`);
});
