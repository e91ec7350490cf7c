import assert from "node:assert/strict";
import { type Operation, Simulation } from "../sim/mod.ts";
import { Client, type PlannedOp, Server } from "./_actors.ts";
import { eventsOf } from "./_helpers.ts";

const LATENCY = 5;

function clientServer(plan: PlannedOp[]): Simulation {
  const sim = new Simulation({ seed: 1, network: { latency: { kind: "fixed", ms: LATENCY } } });
  sim.spawn("c1", () => new Client("s1", plan));
  sim.spawn("s1", () => new Server());
  return sim;
}

const PLAN: PlannedOp[] = [
  { atMs: 10, f: "write", reply: "ok" },
  { atMs: 20, f: "cas", reply: "fail" },
  { atMs: 30, f: "read", reply: "info" },
  { atMs: 40, f: "read", reply: "never" },
];

Deno.test("clients record invoke and complete into sim.history", async (t) => {
  const sim = clientServer(PLAN);
  assert.ok(sim.run().ok, sim.failureReport());
  const ops = sim.history.operations;

  await t.step("one operation per invocation, in invocation order, with ids", () => {
    assert.deepEqual(ops.map((op) => [op.id, op.client, op.f, op.input]), [
      [0, "c1", "write", 0],
      [1, "c1", "cas", 1],
      [2, "c1", "read", 2],
      [3, "c1", "read", 3],
    ]);
  });

  await t.step("call and return are the virtual times of invoke and complete", () => {
    // A request and its answer each take LATENCY on the fixed-latency network.
    for (const [i, op] of ops.slice(0, 3).entries()) {
      assert.equal(op.call, PLAN[i].atMs);
      assert.equal(op.ret, PLAN[i].atMs + 2 * LATENCY);
    }
  });

  await t.step("status ok, fail and info as the client reported them, with the output", () => {
    assert.deepEqual(ops.slice(0, 3).map((op) => [op.status, op.output]), [
      ["ok", 0],
      ["fail", 10],
      ["info", 20],
    ]);
    assert.deepEqual(sim.history.completed().map((op) => op.id), [0]);
  });

  await t.step("an operation that never returned is pending with ret Infinity", () => {
    const pending: Operation = ops[3];
    assert.equal(pending.status, "pending");
    assert.equal(pending.ret, Infinity);
    assert.equal(pending.output, undefined);
    assert.equal(pending.call, 40);
  });

  await t.step("the trace holds the same invocations and completions", () => {
    assert.deepEqual(
      eventsOf(sim, "invoke").map((e) => [e.t, e.node, e.op, e.f]),
      ops.map((op) => [op.call, op.client, op.id, op.f]),
    );
    assert.deepEqual(
      eventsOf(sim, "complete").map((e) => [e.t, e.op, e.status, e.output]),
      ops.slice(0, 3).map((op) => [op.ret, op.id, op.status, op.output]),
    );
  });
});

Deno.test("operations cut off by a crash stay pending", () => {
  const sim = clientServer([
    { atMs: 10, f: "write", reply: "ok" },
    { atMs: 20, f: "write", reply: "ok" },
  ]);
  sim.at(22, (s) => s.crash("s1")); // the second request arrives at 25, to a crashed server
  sim.run();
  assert.deepEqual(sim.history.operations.map((op) => [op.status, op.ret]), [
    ["ok", 20],
    ["pending", Infinity],
  ]);
});

Deno.test("completing an operation twice is reported as an actor exception", () => {
  const sim = new Simulation({ seed: 1 });
  sim.spawn("c1", () => ({
    onStart(ctx) {
      const op = ctx.invoke("read");
      ctx.complete(op, 1);
      ctx.complete(op, 2);
    },
    onMessage() {},
  }));
  const r = sim.run();
  assert.equal(r.stop, "violation");
  assert.equal(r.violations[0].check, "actor-exception");
  assert.match(r.violations[0].message, /operation 0 \(read by c1\) already returned/);
  assert.deepEqual([sim.history.operations[0].status, sim.history.operations[0].output], ["ok", 1]);
});

Deno.test("the history is kept even with tracing off", () => {
  const build = (trace: "full" | "off") => {
    const sim = new Simulation({ seed: 1, trace, network: { latency: { kind: "fixed", ms: 3 } } });
    sim.spawn("c1", () => new Client("s1", PLAN));
    sim.spawn("s1", () => new Server());
    sim.run();
    return sim;
  };
  const off = build("off");
  assert.equal(off.trace.events.length, 0);
  assert.equal(off.history.operations.length, PLAN.length);
  assert.deepEqual(off.history.operations, build("full").history.operations);
});
