/**
 * Convergence in the simulator: the four CRDT scenarios over many seeds with
 * partitions, crashes, pauses, loss and duplication; convergence after a
 * repair at the very end; the checkers' rules on hand-made histories (and
 * that they catch a broken replica); the LWW anomaly; collaborative text;
 * the examples.
 */

import assert from "node:assert/strict";
import type { Operation } from "../sim/history.ts";
import { runScenario, type Scenario } from "../sim/scenario.ts";
import { Simulation } from "../sim/simulation.ts";
import { Client, randomWorkload } from "../protocols/crdt/client.ts";
import {
  awaitConvergence,
  checkCounter,
  checkLwwSet,
  checkOrSet,
  checkText,
  counterBounds,
  divergence,
  lwwLostAdds,
  opCounts,
  replicaState,
} from "../protocols/crdt/convergence.ts";
import type { Json } from "../protocols/crdt/crdt.ts";
import { GCounter } from "../protocols/crdt/g_counter.ts";
import { LwwElementSet } from "../protocols/crdt/lww_element_set.ts";
import { OrSet } from "../protocols/crdt/or_set.ts";
import type { PNCounter } from "../protocols/crdt/pn_counter.ts";
import { Replica } from "../protocols/crdt/replica.ts";
import {
  type CounterOp,
  counterType,
  type ReplicatedType,
} from "../protocols/crdt/replicated_types.ts";
import { Rga } from "../protocols/crdt/rga.ts";
import { crdtCounter, crdtLwwSet, crdtOrSet, crdtText } from "../protocols/crdt/scenarios.ts";
import { scenarios } from "../protocols/registry.ts";
import { CASES, lwwAnomalyExample, runAnomaly } from "../examples/lww_anomaly.ts";
import { collaborativeTextExample, runEditing } from "../examples/collaborative_text.ts";
import { crdtCountersExample, runCounters } from "../examples/crdt_counters.ts";
import { crdtSection } from "../examples/_crdt_section.ts";

/** Harsher than the scenarios' defaults: more loss, more duplication, more faults. */
const HARSH = {
  network: { loss: 0.1, duplicate: 0.1 },
  faults: "random:crash=3,partition=2,pause=1,duration=150",
};

function sweep(
  scenario: Scenario,
  seeds: number,
  given: Parameters<typeof runScenario>[1] = {},
): { failures: string[]; runs: ReturnType<typeof runScenario>[] } {
  const failures: string[] = [];
  const runs = [];
  for (let seed = 1; seed <= seeds; seed++) {
    const r = runScenario(scenario, { ...HARSH, ...given, seed, trace: "off" });
    if (!r.ok) {
      failures.push(
        `seed ${seed}: ${r.violations[0].check}: ${r.violations[0].message}\n  ${r.replay}`,
      );
    }
    runs.push(r);
  }
  return { failures, runs };
}

Deno.test("every CRDT scenario converges to what its history allows, 200 seeds each", async (t) => {
  const cases: [string, Scenario, Record<string, string | number | boolean>][] = [
    ["crdt-counter, state-based", crdtCounter, {}],
    ["crdt-counter, op-based over causal broadcast", crdtCounter, { replication: "op" }],
    ["crdt-or-set, state-based", crdtOrSet, {}],
    ["crdt-or-set, op-based over causal broadcast", crdtOrSet, { replication: "op" }],
    ["crdt-lww-set, remove-bias, skewed clocks", crdtLwwSet, { bias: "remove", skew: 80 }],
    ["crdt-text", crdtText, {}],
  ];
  for (const [name, scenario, flags] of cases) {
    await t.step(name, () => {
      const { failures, runs } = sweep(scenario, 200, { flags });
      assert.deepEqual(failures, []);
      // The runs did meet faults, and clients did get uncertain answers.
      const dropped = runs.reduce((n, r) => n + r.sim.stats.dropped, 0);
      const uncertain = runs.reduce((n, r) => n + opCounts(r.sim.history.operations).uncertain, 0);
      assert.ok(dropped > 1000 && uncertain > 100, `dropped ${dropped}, uncertain ${uncertain}`);
    });
  }
});

Deno.test("replicas converge after faults that last until the end of the run", async (t) => {
  // A partition and a crash still in force when the run ends: the check repairs
  // them, and the replicas must converge afterwards.
  const faults = "@100 partition n1|n2,n3; @120 crash n2; @150 pause n3";
  for (const scenario of [crdtCounter, crdtOrSet, crdtLwwSet, crdtText]) {
    await t.step(scenario.name, () => {
      const { failures, runs } = sweep(scenario, 30, { faults, until: 400 });
      assert.deepEqual(failures, []);
      const late = runs.filter((r) => r.summary.some((l) => l.startsWith("converged ")));
      assert.ok(late.length >= 25, `only ${late.length} of 30 runs converged after the repair`);
    });
  }
});

Deno.test("the same seed gives the same run", () => {
  for (const scenario of [crdtCounter, crdtOrSet, crdtLwwSet, crdtText]) {
    const a = runScenario(scenario, { seed: 11, trace: "hash" });
    const b = runScenario(scenario, { seed: 11, trace: "hash" });
    assert.equal(a.traceHash, b.traceHash);
    assert.deepEqual(a.summary, b.summary);
  }
});

Deno.test("the CRDT scenarios are registered and report in --json form", () => {
  for (const name of ["crdt-counter", "crdt-lww-set", "crdt-or-set", "crdt-text"]) {
    assert.equal(scenarios.has(name), true, name);
  }
  const bad = runScenario(crdtCounter, {
    seed: 2,
    network: { loss: 0.3 },
    flags: { replication: "op", broadcast: "best-effort" },
    trace: "off",
  });
  assert.equal(bad.ok, false);
  assert.equal(bad.violations[0].check, "crdt-convergence");
  assert.match(bad.violations[0].message, /replicas still differ .*: n\d.*\| n\d/);
  assert.match(bad.replay, /--replication op --broadcast best-effort/);
});

// --- The checkers' rules ------------------------------------------------------

let nextId = 0;
function op(
  f: string,
  input: Record<string, unknown>,
  status: Operation["status"],
  output?: unknown,
  call = 0,
  ret = 1,
): Operation {
  return { id: nextId++, client: "c1", f, input, output, call, ret, status };
}

Deno.test("counter: the value must lie between what acknowledged and uncertain operations allow", () => {
  const ops = [
    op("increment", { amount: 5 }, "ok"),
    op("decrement", { amount: 2 }, "ok"),
    op("increment", { amount: 3 }, "info"),
    op("decrement", { amount: 1 }, "pending"),
    op("increment", { amount: 100 }, "fail"),
    op("read", {}, "ok", { value: 3 }),
  ];
  assert.deepEqual(counterBounds(ops), { min: 2, max: 6 });
  for (const v of [2, 3, 6]) assert.deepEqual(checkCounter(v, ops), []);
  assert.match(
    checkCounter(7, ops)[0],
    /counter is 7, but the acknowledged operations allow 2\.\.6/,
  );
  assert.match(checkCounter(1, ops.slice(0, 2))[0], /allow exactly 3/);
  assert.deepEqual(opCounts(ops), { ok: 2, fail: 1, uncertain: 2 });
});

Deno.test("OR-Set: present exactly when an add's dot was observed by no remove", async (t) => {
  // Replica a adds x twice (the second add supersedes the first dot); b removes
  // what it saw of x (the first dot only); c adds y, which a remove then observed.
  const s0 = OrSet.empty<Json>();
  const a1 = s0.add("a", "x");
  const a2 = a1.add("a", "x");
  const c1 = s0.add("c", "y");
  const final = a2.merge(a1.remove("x")).merge(c1).merge(c1.remove("y"));
  const ops = [
    op("add", { element: "x" }, "ok", { dot: ["a", 1], observed: [] }),
    op("add", { element: "x" }, "ok", { dot: ["a", 2], observed: [["a", 1]] }),
    op("remove", { element: "x" }, "ok", { observed: [["a", 1]] }),
    op("add", { element: "y" }, "ok", { dot: ["c", 1], observed: [] }),
    op("remove", { element: "y" }, "ok", { observed: [["c", 1]] }),
  ];
  await t.step("the right state passes", () => {
    assert.deepEqual(final.value(), ["x"]);
    assert.deepEqual(checkOrSet(final, ops), []);
  });
  await t.step("a removed dot that comes back is caught", () => {
    const resurrected = final.merge(OrSet.fromJSON({
      context: { vv: { c: 2 } },
      entries: [["y", [["c", 2]]]],
    })).merge(OrSet.fromJSON({ context: { vv: { c: 1 } }, entries: [["y", [["c", 1]]]] }));
    // The sabotaged state holds y with dot c:2, which no acknowledged add created.
    assert.match(
      checkOrSet(resurrected, ops).join("; "),
      /"y" holds 1 dot\(s\) no acknowledged add/,
    );
    const y1 = OrSet.fromJSON({ context: { vv: { c: 1 } }, entries: [["y", [["c", 1]]]] });
    assert.match(
      checkOrSet(y1, ops.slice(3)).join(),
      /holds dot c:1, which an acknowledged remove/,
    );
  });
  await t.step("a lost add is caught, unless an uncertain operation explains it", () => {
    const lost = OrSet.empty<Json>().merge(a2.remove("x"));
    assert.match(checkOrSet(lost, ops).join(), /"x" lost dot a:2 of an acknowledged add/);
    const uncertain = [...ops, op("remove", { element: "x" }, "info")];
    assert.deepEqual(checkOrSet(lost, uncertain), []);
  });
  await t.step("an element no one added is caught", () => {
    const stray = final.add("z", "w");
    assert.match(checkOrSet(stray, ops).join(), /"w" is in the set but no client ever added it/);
    assert.deepEqual(checkOrSet(stray, [...ops, op("add", { element: "w" }, "info")]), []);
  });
});

Deno.test("LWW-Element-Set: latest timestamps are those of the acknowledged writes", () => {
  const ts = (time: number, node = "n1") => ({ time, node });
  const ops = [
    op("add", { element: "x" }, "ok", { ts: ts(10) }),
    op("remove", { element: "x" }, "ok", { ts: ts(20, "n2"), seen: ts(10) }),
    op("add", { element: "y" }, "ok", { ts: ts(30) }),
  ];
  const right = LwwElementSet.empty<Json>().add(ts(10), "x").remove(ts(20, "n2"), "x").add(
    ts(30),
    "y",
  );
  assert.deepEqual(checkLwwSet(right, ops), []);
  const missingRemove = LwwElementSet.empty<Json>().add(ts(10), "x").add(ts(30), "y");
  assert.match(
    checkLwwSet(missingRemove, ops).join(),
    /"x": latest remove is none, but .* say 20@n2/,
  );
  const later = right.add(ts(40), "y");
  assert.match(checkLwwSet(later, ops).join(), /"y": latest add is 40@n1, but .* say 30@n1/);
  assert.deepEqual(checkLwwSet(later, [...ops, op("add", { element: "y" }, "info")]), []);
  // x was removed by a remove that saw its add: not an anomaly.
  assert.deepEqual(lwwLostAdds(right, ops), []);
});

Deno.test("text: visible characters are exactly those typed and not deleted, in typing order", () => {
  const doc = Rga.empty().insert("n1", 0, "abc");
  const ids = [0, 1, 2].map((i) => doc.idAt(i));
  const ops = [
    op("insert", { index: 0, text: "abc" }, "ok", { ids, length: 3 }),
    op("delete", { index: 1, count: 1 }, "ok", { ids: [ids[1]], length: 2 }),
  ];
  const right = doc.delete(1);
  assert.deepEqual(checkText(right, ops), []);
  assert.match(checkText(doc, ops).join(), /character 2@n1 is visible but was deleted/);
  assert.match(checkText(right.delete(0), ops).join(), /1 character\(s\) of acknowledged inserts/);
  assert.deepEqual(
    checkText(right.delete(0), [...ops, op("delete", { index: 0, count: 1 }, "info")]),
    [],
  );
  const extra = right.insert("n2", 2, "z");
  assert.match(checkText(extra, ops).join(), /1 visible character\(s\) come from no acknowledged/);
  // The same ids, typed in the other order: the checker sees the order is wrong.
  const reversed = [
    op("insert", { index: 0, text: "abc" }, "ok", { ids: [...ids].reverse(), length: 3 }),
  ];
  assert.match(checkText(doc, reversed).join(), /out of order/);
});

Deno.test("divergence names which replicas hold what", () => {
  const one = GCounter.empty().increment("n1");
  assert.equal(
    divergence([["n1", one], ["n2", one], ["n3", GCounter.empty()]]),
    "n1, n2: 1 | n3: 0",
  );
  assert.equal(divergence([["n1", one], ["n2", GCounter.empty().increment("n1")]]), undefined);
});

Deno.test("the checkers catch a replica that applies updates twice, or never converges", () => {
  const doubling: ReplicatedType<PNCounter, CounterOp> = {
    ...counterType,
    update(state, op, at) {
      const once = counterType.update(state, op, at);
      return counterType.update(once.state, op, at);
    },
  };
  const sim = new Simulation({ seed: 1 });
  const ids = ["n1", "n2"];
  for (const id of ids) {
    sim.spawn(id, () => new Replica({ type: doubling, peers: ids.filter((p) => p !== id) }));
  }
  sim.spawn("c1", () =>
    new Client<CounterOp>({
      replica: "n1",
      workload: randomWorkload({
        count: 5,
        gapMs: [1, 5],
        pick: () => ({ type: "increment", amount: 1 }),
      }),
    }));
  sim.run({ until: 300 });
  const c = awaitConvergence(sim, ids, (id) => replicaState<PNCounter>(sim, id));
  assert.equal(c.converged, true);
  assert.match(
    checkCounter(replicaState<PNCounter>(sim, "n1").value(), sim.history.operations)[0],
    /counter is 10/,
  );

  // Replicas that never gossip cannot converge; the checker gives up after maxMs.
  const mute = new Simulation({ seed: 1 });
  for (const id of ids) mute.spawn(id, () => new Replica({ type: counterType, peers: [] }));
  mute.spawn("c1", () =>
    new Client<CounterOp>({
      replica: "n2",
      workload: randomWorkload({
        count: 1,
        gapMs: [1, 5],
        pick: () => ({ type: "increment", amount: 1 }),
      }),
    }));
  mute.run({ until: 100 });
  const never = awaitConvergence(mute, ids, (id) => replicaState<PNCounter>(mute, id), {
    maxMs: 500,
  });
  assert.equal(never.converged, false);
  assert.equal(never.message, "n1: 0 | n2: 1");
});

// --- The lessons ---------------------------------------------------------------

Deno.test("the LWW anomaly: clock skew loses an add made after the remove; the OR-Set keeps it", () => {
  const [skewed, right, concurrent] = CASES;
  const lww = runAnomaly("lww", skewed);
  assert.deepEqual(lww.values, ["{}", "{}"]);
  assert.equal(lww.lost.length, 1);
  assert.equal(lww.lost[0].add.client, "bob");
  assert.equal(lww.lost[0].afterRemove, true);
  assert.deepEqual(runAnomaly("or-set", skewed).values, ["{eggs}", "{eggs}"]);
  // The same story with correct clocks keeps the add; a truly concurrent earlier add is lost.
  assert.deepEqual(runAnomaly("lww", right).values, ["{eggs}", "{eggs}"]);
  const lost = runAnomaly("lww", concurrent);
  assert.deepEqual(lost.values, ["{}", "{}"]);
  assert.equal(lost.lost[0].afterRemove, false);
  assert.deepEqual(runAnomaly("or-set", concurrent).values, ["{eggs}", "{eggs}"]);
});

Deno.test("the LWW anomaly shows up in the crdt-lww-set scenario, and skew makes it worse", () => {
  const count = (skew: number) => {
    let lost = 0, afterRemove = 0;
    for (let seed = 1; seed <= 60; seed++) {
      const r = runScenario(crdtLwwSet, { seed, trace: "off", flags: { skew } });
      assert.equal(r.ok, true, r.violations[0]?.message);
      const state = replicaState<LwwElementSet<Json>>(r.sim, "n1");
      const found = lwwLostAdds(state, r.sim.history.operations);
      lost += found.length;
      afterRemove += found.filter((l) => l.afterRemove).length;
    }
    return { lost, afterRemove };
  };
  const none = count(0), skewed = count(300);
  assert.ok(none.lost > 0, "concurrent adds are lost even with correct clocks");
  assert.equal(none.afterRemove, 0);
  assert.ok(skewed.afterRemove > 0, `with skew: ${JSON.stringify(skewed)}`);
});

Deno.test("collaborative text: three partitioned editors converge, keeping every edit", () => {
  const run = runEditing();
  assert.deepEqual([...run.before.values()], [
    "Hello, dear world",
    "Hello there",
    "Oh, Hello world!",
  ]);
  const texts = new Set(run.after.values());
  assert.equal(texts.size, 1);
  assert.equal([...texts][0], "Oh, Hello, dear there!");
  for (let seed = 1; seed <= 30; seed++) {
    const other = runEditing(seed);
    assert.deepEqual(
      [...new Set(other.after.values())],
      ["Oh, Hello, dear there!"],
      `seed ${seed}`,
    );
  }
});

Deno.test("the examples tell their story and fit the width", () => {
  const counters = runCounters("state");
  assert.deepEqual([...counters.snapshots.get(700)!.values()].map((s) => s.value()), [6, 6, 6]);
  const outputs = [
    crdtCountersExample({ width: 100 }),
    lwwAnomalyExample({ width: 100 }),
    collaborativeTextExample({ width: 100 }),
    crdtSection({ width: 100 }),
  ];
  for (const text of outputs) {
    const long = text.split("\n").filter((l) => [...l].length > 100);
    assert.deepEqual(long, []);
    assert.doesNotMatch(text, /FAILED|DIFFER|Checker:/);
  }
  assert.match(outputs[0], /Both end at 6 on every replica/);
  assert.match(outputs[1], /\{\} add lost +\{eggs\}/);
  assert.match(outputs[2], /"Oh, Hello, dear there!"/);
  assert.match(outputs[3], /ok: converged/);
});
