/**
 * State changes (sim/states.ts): recording them changes nothing in the run,
 * and replaying them gives every node's own view at every event.
 */

import assert from "node:assert/strict";
import { scenarios } from "../protocols/registry.ts";
import { runScenario } from "../sim/scenario.ts";
import { Simulation } from "../sim/simulation.ts";
import { applyPatch, diffState, fieldsOf, stateAt, StateRecorder } from "../sim/states.ts";

/** A view as the recorder keeps it: plain JSON. */
function plain(x: unknown): unknown {
  return JSON.parse(JSON.stringify(x));
}

Deno.test("recording states leaves the run as it was: the same trace hash", () => {
  for (const [name, given] of [["raft", { seed: 4 }], ["crdt-counter", { seed: 2 }]] as const) {
    const bare = runScenario(scenarios.get(name), given);
    const recorder = new StateRecorder();
    const watched = runScenario(scenarios.get(name), given, {
      hooks: recorder.hooks(),
      traceWindow: Infinity,
    });
    assert.equal(watched.traceHash, bare.traceHash, name);
    assert.ok(recorder.log().changes.length > 0, name);
  }
});

Deno.test("the changes replayed to the end give every live node's own view", () => {
  for (const name of ["raft-replication", "crdt-or-set", "gossip"]) {
    const recorder = new StateRecorder();
    const r = runScenario(scenarios.get(name), { seed: 5 }, {
      hooks: recorder.hooks(),
      traceWindow: Infinity,
    });
    const { changes, sources } = recorder.log();
    const last = r.sim.trace.count - 1;
    for (const node of r.sim.nodes) {
      const actor = r.sim.actor(node);
      if (actor === undefined || sources[node] === undefined) continue;
      const own = sources[node] === "inspect" ? actor.inspect!() : fieldsOf(actor);
      assert.deepEqual(stateAt(changes, node, last), plain(own), `${name} ${node}`);
    }
  }
});

Deno.test("a change is filed under the event whose handler made it", () => {
  const sim = new Simulation({ seed: 1 });
  const recorder = new StateRecorder();
  sim.hooks = recorder.hooks();
  let got = 0;
  sim.spawn("a", () => ({
    onStart: (ctx) => {
      ctx.send("b", "one");
      ctx.send("b", "two");
    },
    onMessage() {},
  }));
  sim.spawn("b", () => ({
    onMessage(ctx) {
      got++;
      ctx.log("got one");
    },
    inspect: () => ({ got }),
  }));
  sim.run();
  const events = sim.trace.events;
  const changes = recorder.log().changes.filter((c) => c.node === "b");
  // Its start, then one change per delivery, each at the delivery (not at the log note after it).
  assert.deepEqual(changes.map((c) => events[c.at].kind), ["start", "deliver", "deliver"]);
  assert.deepEqual(changes.map((c) => c.ops), [[[[], { got: 0 }]], [[["got"], 1]], [[["got"], 2]]]);
});

Deno.test("no empty patches; a restart records what the crash lost", () => {
  const recorder = new StateRecorder();
  const r = runScenario(scenarios.get("raft"), {
    seed: 1,
    faults: "@300 crash n1; @400 restart n1",
  }, { hooks: recorder.hooks(), traceWindow: Infinity });
  const events = r.sim.trace.events;
  const n1 = recorder.log().changes.filter((c) => c.node === "n1");
  assert.ok(n1.every((c) => c.ops.length > 0), "no empty patches");
  const restart = events.findIndex((e) => e.kind === "restart" && e.node === "n1");
  const again = n1.find((c) => c.at > restart);
  assert.ok(again !== undefined && events[again.at].kind === "start", "the new life's state");
  // Volatile state starts over: a follower again.
  assert.equal((stateAt(n1, "n1", again.at) as { role: string }).role, "follower");
});

Deno.test("diffState and applyPatch: any change of plain data round-trips", () => {
  const cases: Array<[unknown, unknown]> = [
    [{ a: 1 }, { a: 2 }],
    [{ a: [1, 2, 3] }, { a: [1, 2] }],
    [{ a: [1, 2] }, { a: [1, 2, 3, 4] }],
    [{ a: { b: { c: 1 } } }, { a: { b: { d: 2 } } }],
    [{ log: Array.from({ length: 20 }, (_, i) => i) }, {
      log: Array.from({ length: 20 }, (_, i) => i + 1),
    }],
    [{ x: null }, { x: { y: [] } }],
    [[1, { a: 1 }], [1, { a: 2 }, "z"]],
    [{ a: 1 }, [1]],
    [null, { a: 1 }],
  ];
  for (const [a, b] of cases) {
    const ops = diffState(a, b);
    assert.deepEqual(applyPatch(structuredClone(a), ops), b, JSON.stringify([a, b]));
    assert.deepEqual(diffState(b, b), []);
  }
  // An array rewritten everywhere is sent whole rather than item by item.
  const whole = diffState({ log: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10] }, {
    log: [2, 3, 4, 5, 6, 7, 8, 9, 10, 11],
  });
  assert.deepEqual(whole, [[["log"], [2, 3, 4, 5, 6, 7, 8, 9, 10, 11]]]);
});

Deno.test("recording needs every event: a trace that forgets is refused", () => {
  const recorder = new StateRecorder();
  assert.throws(
    () =>
      runScenario(scenarios.get("gossip"), { seed: 1 }, {
        hooks: recorder.hooks(),
        traceWindow: 10,
      }),
    /traceWindow Infinity/,
  );
});
