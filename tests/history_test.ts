import assert from "node:assert/strict";
import { History, type Operation, Simulation } from "../sim/mod.ts";
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

// Issue 17: the history in columns, with release for long runs.

Deno.test("the columns give back what was recorded, objects and accessors alike", () => {
  const h = new History();
  const a = h.invoke("c1", "put", { key: "x", value: 1 }, 1.5);
  const b = h.invoke("c2", "get", { key: "x" }, 2);
  const c = h.invoke("c1", "cas", [1, 2], 3);
  h.complete(b, 1, "ok", 4.25);
  h.complete(a, undefined, "info", 9);
  assert.deepEqual(h.op(b), {
    id: 1,
    client: "c2",
    f: "get",
    input: { key: "x" },
    output: 1,
    call: 2,
    ret: 4.25,
    status: "ok",
  });
  assert.deepEqual(h.operations.map((op) => [op.id, op.status, op.ret]), [
    [0, "info", 9],
    [1, "ok", 4.25],
    [2, "pending", Infinity],
  ]);
  assert.deepEqual([h.client(c), h.f(c), h.input(c), h.call(c), h.ret(c)], [
    "c1",
    "cas",
    [1, 2],
    3,
    Infinity,
  ]);
  assert.deepEqual([h.count("ok"), h.count("info"), h.count("pending"), h.count("fail")], [
    1,
    1,
    1,
    0,
  ]);
  // The objects, once built, follow later invocations and completions.
  const ops = h.operations;
  h.complete(c, true, "ok", 10);
  const d = h.invoke("c3", "get", { key: "x" }, 11);
  assert.equal(ops[2].status, "ok");
  assert.equal(ops[3].id, d);
  assert.equal(h.operations, ops);
  assert.throws(() => h.complete(c, false, "ok", 12), /operation 2 \(cas by c1\) already returned/);
  assert.throws(() => h.op(7), /unknown operation id 7/);
});

Deno.test("release forgets a prefix of returned operations; ids, counts and readers' needs stay", () => {
  const h = new History();
  for (let i = 0; i < 1000; i++) h.complete(h.invoke(`c${i % 3}`, "w", i, i), i, "ok", i + 0.5);
  const open = h.invoke("c0", "w", 1000, 1000);
  assert.throws(() => h.release(1001), /operation 1000 is still pending/);
  h.release(600);
  assert.equal(h.first, 600);
  assert.equal(h.held, 401);
  assert.equal(h.length, 1001);
  assert.equal(h.count("ok"), 1000);
  assert.throws(() => h.op(599), /unknown operation id 599 \(released\)/);
  // After the compaction, the held operations are intact.
  assert.deepEqual(h.op(700), {
    id: 700,
    client: "c1",
    f: "w",
    input: 700,
    output: 700,
    call: 700,
    ret: 700.5,
    status: "ok",
  });
  assert.equal(h.operations[0].id, 600);
  assert.deepEqual(h.completed().map((op) => op.id).slice(0, 2), [600, 601]);
  // A reader with a cursor keeps what it has not read.
  let cursor = 800;
  h.retain(() => cursor);
  h.release(900);
  assert.equal(h.first, 800);
  cursor = 950;
  h.release(990);
  assert.equal(h.first, 950);
  h.complete(open, 0, "ok", 1001);
  assert.equal(h.operations.at(-1)!.status, "ok");
  for (let i = 0; i < 5000; i++) h.invoke("c9", "w", i, 2000 + i);
  assert.equal(h.op(6000).input, 4999);
  assert.equal(h.op(951).input, 951);
});
