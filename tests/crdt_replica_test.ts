/**
 * The replica actors of `protocols/crdt/`: client requests (at-most-once,
 * refusals, reads), durability across crashes, delta-interval anti-entropy
 * (acknowledgements, epochs, the buffer flush, whole states after a
 * restart), the gossip modes, and the operation-based replicas over
 * broadcast.
 */

import assert from "node:assert/strict";
import { MemoryStorage, type NodeId, TestContext } from "../actors/mod.ts";
import { Simulation } from "../sim/simulation.ts";
import type { TraceEvent } from "../sim/trace.ts";
import {
  Client,
  ClientSessions,
  type ClientStep,
  randomWorkload,
  scriptedWorkload,
} from "../protocols/crdt/client.ts";
import { checkCounter, divergence, replicaState } from "../protocols/crdt/convergence.ts";
import type { StateCrdt } from "../protocols/crdt/crdt.ts";
import { OpBasedReplica, opCounterType, opOrSetType } from "../protocols/crdt/op_based.ts";
import type { OrSet } from "../protocols/crdt/or_set.ts";
import type { PNCounter } from "../protocols/crdt/pn_counter.ts";
import {
  type GossipMode,
  Replica,
  type ReplicaMsg,
  type ReplicaTimer,
} from "../protocols/crdt/replica.ts";
import {
  type CounterOp,
  counterType,
  lwwSetType,
  orSetType,
  type ReplicatedType,
  type SetOp,
  type TextOp,
  textType,
} from "../protocols/crdt/replicated_types.ts";
import type { Rga } from "../protocols/crdt/rga.ts";

const IDS = ["n1", "n2", "n3"];
const peersOf = (id: NodeId, ids = IDS) => ids.filter((p) => p !== id);

function spawnReplicas<S extends StateCrdt<S, unknown>, Op extends { readonly type: string }>(
  sim: Simulation,
  type: ReplicatedType<S, Op>,
  options: { mode?: GossipMode; deltas?: boolean; maxBuffer?: number; fanout?: number } = {},
  ids = IDS,
): void {
  for (const id of ids) {
    sim.spawn(id, () => new Replica({ type, peers: peersOf(id, ids), gossipMs: 20, ...options }));
  }
}

function spawnClient<Op extends { readonly type: string }>(
  sim: Simulation,
  name: string,
  replica: NodeId,
  steps: ClientStep<Op>[],
): void {
  sim.spawn(name, () => new Client<Op>({ replica, workload: scriptedWorkload(steps) }));
  // Clients reach their replica reliably; what these tests lose is between replicas.
  sim.setLink(name, replica, { loss: 0 });
  sim.setLink(replica, name, { loss: 0 });
}

const inc = (at: number, amount = 1): ClientStep<CounterOp> => ({
  at,
  op: { type: "increment", amount },
});

function values(sim: Simulation, ids = IDS): unknown[] {
  return ids.map((id) => replicaState<StateCrdt<never, unknown>>(sim, id).value());
}

/** Sum of the JSON sizes of every gossip payload sent, by message type. */
function gossipBytes(events: readonly TraceEvent[]): { state: number; delta: number } {
  const bytes = { state: 0, delta: 0 };
  for (const e of events) {
    if (e.kind !== "send") continue;
    const m = e.msg as { type: string; state?: unknown; delta?: unknown };
    if (m.type === "state") bytes.state += JSON.stringify(m.state).length;
    if (m.type === "delta") bytes.delta += JSON.stringify(m.delta).length;
  }
  return bytes;
}

Deno.test("a replica applies a client's update, answers it, and gossips it to every peer", () => {
  const sim = new Simulation({ seed: 1, network: { loss: 0.2 } });
  spawnReplicas(sim, counterType);
  spawnClient(sim, "c1", "n2", [inc(5, 3), inc(30, 2)]);
  sim.run({ until: 600 });
  const ops = sim.history.operations;
  assert.deepEqual(ops.map((o) => [o.f, o.status]), [["increment", "ok"], ["increment", "ok"]]);
  assert.deepEqual(ops.map((o) => o.output), [{ value: 3 }, { value: 5 }]);
  assert.deepEqual(values(sim), [5, 5, 5]);
  assert.deepEqual(replicaState<PNCounter>(sim, "n1").toJSON(), { p: { n2: 5 }, n: {} });
});

Deno.test("a duplicated request is applied once, and a late one not at all", () => {
  // Every message is delivered twice: without the client sessions the counter would double.
  const sim = new Simulation({ seed: 2, network: { duplicate: 1 } });
  spawnReplicas(sim, counterType);
  spawnClient(sim, "c1", "n1", [1, 2, 3, 4, 5].map((k) => inc(k * 20)));
  sim.run({ until: 600 });
  assert.equal(sim.stats.duplicated > 10, true);
  assert.deepEqual(values(sim), [5, 5, 5]);
  assert.deepEqual(checkCounter(5, sim.history.operations), []);

  const sessions = new ClientSessions();
  const disk = new MemoryStorage();
  assert.equal(sessions.check("c1", 0), "new");
  sessions.record(disk, "c1", { type: "reply", id: 3, ok: true, output: null });
  assert.equal(sessions.check("c1", 2), "stale");
  assert.equal(sessions.check("c1", 4), "new");
  assert.deepEqual(new ClientSessions().load(disk).check("c1", 3), {
    type: "reply",
    id: 3,
    ok: true,
    output: null,
  });
});

Deno.test("an operation the type refuses fails, names the problem, and changes nothing", () => {
  const sim = new Simulation({ seed: 3 });
  spawnReplicas(sim, textType);
  spawnClient<TextOp>(sim, "c1", "n1", [
    { at: 5, op: { type: "delete", index: 0, count: 1 } },
    { at: 10, op: { type: "insert", index: 0, text: "hi" } },
    { at: 15, op: { type: "insert", index: 7, text: "!" } },
    { at: 20, op: { type: "read" } },
  ]);
  sim.run({ until: 300 });
  const ops = sim.history.operations;
  assert.deepEqual(ops.map((o) => o.status), ["fail", "ok", "fail", "ok"]);
  assert.match((ops[0].output as { error: string }).error, /cannot delete 1 at index 0.*length 0/);
  assert.match((ops[2].output as { error: string }).error, /index 7 is out of range 0\.\.2/);
  assert.deepEqual(ops[3].output, { value: "hi" });
  assert.deepEqual(values(sim), ["hi", "hi", "hi"]);
});

Deno.test("acknowledged updates survive a crash and restart of their replica", () => {
  const sim = new Simulation({ seed: 4 });
  spawnReplicas(sim, orSetType<string>());
  spawnClient<SetOp<string>>(sim, "c1", "n1", [
    { at: 5, op: { type: "add", element: "milk" } },
    { at: 10, op: { type: "add", element: "eggs" } },
  ]);
  // n1 cannot gossip before it crashes: only its disk keeps the two adds.
  sim.schedule([
    { at: 0, action: { type: "partition", groups: [["n1", "c1"], ["n2", "n3"]] } },
    { at: 100, action: { type: "crash", node: "n1" } },
    { at: 150, action: { type: "restart", node: "n1" } },
    { at: 200, action: { type: "heal" } },
  ]);
  sim.run({ until: 160 });
  assert.deepEqual(sim.history.operations.map((o) => o.status), ["ok", "ok"]);
  const n1 = sim.actor<Replica<OrSet<string>, SetOp<string>>>("n1")!;
  assert.equal(n1.epoch, 2);
  assert.deepEqual(n1.state.value(), ["eggs", "milk"]);
  assert.deepEqual(values(sim).slice(1), [[], []]);
  sim.run({ until: 500 });
  assert.deepEqual(values(sim), [["eggs", "milk"], ["eggs", "milk"], ["eggs", "milk"]]);
  // After the restart it did not know what peers had, so it began with whole states.
  assert.equal(sim.actor<Replica<OrSet<string>, SetOp<string>>>("n1")!.stats.states > 0, true);
});

Deno.test("delta-interval anti-entropy, step by step", async (t) => {
  const type = orSetType<string>();
  const ctx = new TestContext<ReplicaMsg<SetOp<string>>, ReplicaTimer>("n1");
  const replica = new Replica({ type, peers: ["n2"], mode: "push" });
  ctx.start(replica);
  const request = (id: number, element: string) =>
    ctx.deliver(replica, { type: "request", id, op: { type: "add", element } }, "c1");
  const gossip = () => {
    ctx.fire(replica, "gossip");
    return ctx.takeSent().filter((s) => s.to === "n2").map((s) => s.msg);
  };

  await t.step("a peer that acknowledged nothing gets the whole state", () => {
    request(0, "a");
    ctx.takeSent();
    const [msg] = gossip();
    assert.equal(msg.type, "state");
    assert.deepEqual(type.fromJSON((msg as { state: unknown }).state).value(), ["a"]);
    assert.equal((msg as { seq: number }).seq, 1);
  });

  await t.step("once it acknowledges, there is nothing to push", () => {
    ctx.deliver(replica, { type: "ack", epoch: 1, seq: 1 }, "n2");
    assert.deepEqual(gossip(), []);
  });

  await t.step("a new update travels as a delta holding only itself", () => {
    request(1, "b");
    ctx.takeSent();
    const [msg] = gossip();
    assert.equal(msg.type, "delta");
    assert.deepEqual(type.fromJSON((msg as { delta: unknown }).delta).value(), ["b"]);
  });

  await t.step("an ack from an earlier epoch counts for nothing", () => {
    ctx.deliver(replica, { type: "ack", epoch: 0, seq: 2 }, "n2");
    assert.equal(gossip()[0].type, "delta");
  });

  await t.step("what the peer itself sent is not sent back to it", () => {
    ctx.deliver(replica, { type: "ack", epoch: 1, seq: 2 }, "n2");
    const theirs = type.empty().add("n2", "z");
    ctx.deliver(
      replica,
      { type: "delta", epoch: 5, seq: 9, delta: theirs.toJSON(), pull: false },
      "n2",
    );
    assert.deepEqual(ctx.takeSent().map((s) => s.msg), [{ type: "ack", epoch: 5, seq: 9 }]);
    assert.deepEqual(replica.state.value(), ["a", "b", "z"]);
    assert.deepEqual(gossip(), []);
  });

  await t.step("a restart begins a new epoch that sends whole states first", () => {
    const again = new Replica({ type, peers: ["n2"], mode: "push" });
    ctx.start(again);
    assert.equal(again.epoch, 2);
    assert.deepEqual(again.state.value(), ["a", "b", "z"]);
    ctx.fire(again, "gossip");
    assert.equal(ctx.takeSent()[0].msg.type, "state");
  });
});

Deno.test("push-pull answers a push with what the pusher lacks; a pull with nothing new asks for it", () => {
  const ctx = new TestContext<ReplicaMsg<CounterOp>, ReplicaTimer>("n1");
  const replica = new Replica({ type: counterType, peers: ["n2"] });
  ctx.start(replica);
  ctx.deliver(replica, { type: "request", id: 0, op: { type: "increment", amount: 2 } }, "c1");
  ctx.takeSent();
  const theirs = counterType.empty().increment("n2", 5);
  ctx.deliver(
    replica,
    { type: "state", epoch: 1, seq: 1, state: theirs.toJSON(), pull: true },
    "n2",
  );
  const [ack, push] = ctx.takeSent().map((s) => s.msg);
  assert.deepEqual(ack, { type: "ack", epoch: 1, seq: 1 });
  assert.equal(push.type, "state");
  assert.equal((push as { pull: boolean }).pull, false);
  assert.equal(replica.state.value(), 7);
  ctx.deliver(replica, { type: "ack", epoch: 1, seq: 2 }, "n2");
  ctx.fire(replica, "gossip");
  assert.deepEqual(ctx.takeSent().map((s) => s.msg), [{ type: "pull" }]);
});

Deno.test("every gossip mode converges under loss, duplication, crashes and partitions", async (t) => {
  const variants: {
    name: string;
    mode: GossipMode;
    deltas: boolean;
    maxBuffer?: number;
    fanout?: number;
  }[] = [
    { name: "push-pull with deltas", mode: "push-pull", deltas: true },
    { name: "push with deltas", mode: "push", deltas: true },
    { name: "push-pull, whole states", mode: "push-pull", deltas: false },
    { name: "push, fanout 2", mode: "push", deltas: true, fanout: 2 },
    { name: "a one-delta buffer", mode: "push-pull", deltas: true, maxBuffer: 1 },
  ];
  const ids = ["n1", "n2", "n3", "n4", "n5"];
  for (const v of variants) {
    await t.step(v.name, () => {
      for (let seed = 1; seed <= 20; seed++) {
        const sim = new Simulation({ seed, network: { loss: 0.2, duplicate: 0.1 }, trace: "off" });
        spawnReplicas(sim, counterType, v, ids);
        ids.forEach((id, i) =>
          sim.spawn(`c${i + 1}`, () =>
            new Client<CounterOp>({
              replica: id,
              workload: randomWorkload({
                count: 10,
                gapMs: [1, 20],
                pick: (r) => ({ type: r() < 0.7 ? "increment" : "decrement", amount: 1 }),
              }),
            }))
        );
        sim.schedule([
          { at: 30, action: { type: "partition", groups: [["n1", "n2"], ["n3", "n4", "n5"]] } },
          { at: 60, action: { type: "crash", node: "n4" } },
          { at: 120, action: { type: "restart", node: "n4" } },
          { at: 200, action: { type: "heal" } },
        ]);
        sim.run({ until: 1500 });
        const states = ids.map((id) => [id, replicaState<PNCounter>(sim, id)] as const);
        assert.equal(divergence(states), undefined, `seed ${seed}: ${divergence(states)}`);
        assert.deepEqual(checkCounter(states[0][1].value(), sim.history.operations), []);
      }
    });
  }
});

Deno.test("deltas ship less than whole states once peers have acknowledged", () => {
  const run = (deltas: boolean) => {
    const sim = new Simulation({ seed: 5 });
    spawnReplicas(sim, orSetType<string>(), { deltas });
    // The set grows one element at a time to 150 elements.
    spawnClient<SetOp<string>>(
      sim,
      "c1",
      "n1",
      Array.from({ length: 150 }, (_, k) => ({ at: k * 5, op: { type: "add", element: `e${k}` } })),
    );
    sim.run({ until: 4000 });
    assert.deepEqual(values(sim).map((v) => (v as string[]).length), [150, 150, 150]);
    return gossipBytes(sim.trace.events);
  };
  const withDeltas = run(true), whole = run(false);
  assert.equal(whole.delta, 0);
  assert.equal(withDeltas.delta > 0, true);
  const total = (b: { state: number; delta: number }) => b.state + b.delta;
  assert.ok(
    total(withDeltas) * 3 < total(whole),
    `with deltas ${total(withDeltas)} bytes, whole states ${total(whole)} bytes`,
  );
});

Deno.test("text replicas ship whole states: the RGA has no delta form", () => {
  const sim = new Simulation({ seed: 6 });
  spawnReplicas(sim, textType);
  spawnClient<TextOp>(sim, "c1", "n1", [{ at: 5, op: { type: "insert", index: 0, text: "abc" } }]);
  spawnClient<TextOp>(sim, "c2", "n2", [{ at: 5, op: { type: "insert", index: 0, text: "xy" } }]);
  sim.run({ until: 400 });
  const bytes = gossipBytes(sim.trace.events);
  assert.equal(bytes.delta, 0);
  const texts = values(sim) as string[];
  assert.equal(new Set(texts).size, 1);
  assert.deepEqual([...texts[0]].sort(), ["a", "b", "c", "x", "y"]);
  assert.equal(replicaState<Rga>(sim, "n3").length, 5);
});

Deno.test("LWW writes are stamped with the replica's skewed clock, never going backwards", () => {
  const sim = new Simulation({ seed: 7 });
  sim.spawn("n1", () => new Replica({ type: lwwSetType<string>(), peers: [] }), {
    clock: { skewMs: 1000 },
  });
  spawnClient<SetOp<string>>(sim, "c1", "n1", [
    { at: 10, op: { type: "add", element: "x" } },
    { at: 50, op: { type: "remove", element: "x" } },
  ]);
  sim.schedule([{ at: 30, action: { type: "skew", node: "n1", ms: -5000 } }]);
  sim.run({ until: 200 });
  const [add, remove] = sim.history.operations.map((o) =>
    o.output as { ts: { time: number }; seen?: { time: number } }
  );
  assert.equal(add.ts.time > 1000, true);
  // The clock jumped back 6 s, but the remove must still come after the add.
  assert.equal(remove.ts.time > add.ts.time, true);
  assert.deepEqual(remove.seen, add.ts);
  assert.deepEqual(values(sim, ["n1"]), [[]]);
});

Deno.test("a client records a timed-out operation as info and keeps its request ids across a restart", () => {
  const sim = new Simulation({ seed: 8 });
  spawnReplicas(sim, counterType, {}, ["n1"]);
  spawnClient(sim, "c1", "n1", [inc(5), inc(300), inc(600)]);
  sim.schedule([
    { at: 0, action: { type: "block", from: "c1", to: "n1" } },
    { at: 200, action: { type: "heal" } },
    { at: 400, action: { type: "crash", node: "c1" } },
    { at: 450, action: { type: "restart", node: "c1" } },
  ]);
  sim.run({ until: 900 });
  const ops = sim.history.operations;
  assert.deepEqual(ops.map((o) => o.status), ["info", "ok", "ok"]);
  // The restarted client went on with id 2, which the replica took as new.
  assert.equal(replicaState<PNCounter>(sim, "n1").value(), 2);
  assert.equal(sim.actor<Client<CounterOp>>("c1")!.done, true);
});

Deno.test("operation-based replicas over causal broadcast converge under faults", async (t) => {
  await t.step("counter", () => {
    for (let seed = 1; seed <= 20; seed++) {
      const sim = new Simulation({ seed, network: { loss: 0.2, duplicate: 0.2 }, trace: "off" });
      for (const id of IDS) {
        sim.spawn(id, () => new OpBasedReplica({ type: opCounterType, nodes: IDS }));
      }
      IDS.forEach((id, i) =>
        sim.spawn(`c${i + 1}`, () =>
          new Client<CounterOp>({
            replica: id,
            workload: randomWorkload({
              count: 8,
              gapMs: [1, 30],
              pick: (r) => ({ type: r() < 0.5 ? "increment" : "decrement", amount: 2 }),
            }),
          }))
      );
      sim.schedule([
        { at: 20, action: { type: "crash", node: "n2" } },
        { at: 80, action: { type: "restart", node: "n2" } },
        { at: 100, action: { type: "partition", groups: [["n1"], ["n2", "n3"]] } },
        { at: 250, action: { type: "heal" } },
      ]);
      sim.run({ until: 3000 });
      const states = IDS.map((id) => [id, replicaState<PNCounter>(sim, id)] as const);
      assert.equal(divergence(states), undefined, `seed ${seed}: ${divergence(states)}`);
      assert.deepEqual(checkCounter(states[0][1].value(), sim.history.operations), []);
    }
  });

  await t.step("OR-Set: a remove never overtakes the add it observed", () => {
    const sim = new Simulation({ seed: 9, network: { loss: 0.3 } });
    for (const id of IDS) {
      sim.spawn(id, () => new OpBasedReplica({ type: opOrSetType<string>(), nodes: IDS }));
    }
    spawnClient<SetOp<string>>(sim, "c1", "n1", [
      { at: 5, op: { type: "add", element: "x" } },
      { at: 10, op: { type: "remove", element: "x" } },
    ]);
    spawnClient<SetOp<string>>(sim, "c2", "n2", [{ at: 7, op: { type: "add", element: "x" } }]);
    sim.run({ until: 2000 });
    const ops = sim.history.operations.filter((o) => o.status === "ok");
    assert.equal(ops.length, 3);
    assert.deepEqual(ops.find((o) => o.client === "c1" && o.f === "add")!.output, {
      dot: ["n1", 1],
      observed: [],
    });
    // Whether c2's add survives depends on whether n1 had seen it when removing.
    const removeSaw = (ops.find((o) => o.f === "remove")!.output as { observed: unknown[] })
      .observed.length;
    const expected = removeSaw === 2 ? [] : ["x"];
    assert.deepEqual(values(sim), [expected, expected, expected]);
  });

  await t.step("best-effort broadcast loses operations for good under loss", () => {
    let diverged = 0;
    for (let seed = 1; seed <= 10; seed++) {
      const sim = new Simulation({ seed, network: { loss: 0.3 }, trace: "off" });
      for (const id of IDS) {
        sim.spawn(
          id,
          () => new OpBasedReplica({ type: opCounterType, nodes: IDS, protocol: "best-effort" }),
        );
      }
      spawnClient(sim, "c1", "n1", [1, 2, 3, 4, 5].map((k) => inc(k * 10)));
      sim.run({ until: 2000 });
      const states = IDS.map((id) => [id, replicaState<PNCounter>(sim, id)] as const);
      if (divergence(states) !== undefined) diverged++;
    }
    assert.ok(diverged >= 5, `only ${diverged} of 10 seeds diverged`);
  });
});

Deno.test("bad configuration names the option and what is allowed", () => {
  const bad: [() => unknown, RegExp][] = [
    [() => new Replica({ type: counterType, peers: [], gossipMs: 0 }), /gossipMs must be/],
    [() => new Replica({ type: counterType, peers: [], fanout: 0 }), /fanout must be/],
    [
      () => new Replica({ type: counterType, peers: [], mode: "gossip" as GossipMode }),
      /mode must be "push" or "push-pull"/,
    ],
    [() => new Replica({ type: counterType, peers: [], maxBuffer: 0 }), /maxBuffer must be/],
    [
      () => new OpBasedReplica({ type: opCounterType, nodes: ["n1"], protocol: "fifo" as never }),
      /protocol must be one of causal, reliable, best-effort/,
    ],
    [
      () => new Client<CounterOp>({ replica: "n1", workload: scriptedWorkload([]), timeoutMs: -1 }),
      /timeoutMs must be/,
    ],
    [
      () => randomWorkload({ count: 1, gapMs: [5, 1], pick: () => ({ type: "read" }) }),
      /gapMs must be/,
    ],
  ];
  for (const [make, message] of bad) assert.throws(make, message);
  assert.throws(
    () =>
      counterType.update(counterType.empty(), { type: "increment", amount: -1 }, {
        replica: "n1",
        now: 0,
      }),
    /negative/,
  );
});

Deno.test("a replica refuses to be treated as a client", () => {
  const ctx = new TestContext<ReplicaMsg<CounterOp>, ReplicaTimer>("n1");
  const replica = new Replica({ type: counterType, peers: [] });
  ctx.start(replica);
  assert.throws(
    () => ctx.deliver(replica, { type: "reply", id: 0, ok: true, output: null }, "c1"),
    /a replica sends replies/,
  );
});
