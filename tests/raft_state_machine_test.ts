/**
 * Issue 13, part 1: the `StateMachine` interface has more than one
 * implementation. The lock service with fencing tokens runs on the same
 * Raft servers as the key-value store, through a leader crash.
 *
 * @module
 */

import assert from "node:assert/strict";
import type { NodeId } from "../actors/mod.ts";
import { type LockOp, type LockResult, LockService } from "../protocols/raft/lock_service.ts";
import type { RaftMsg } from "../protocols/raft/messages.ts";
import { RaftNode } from "../protocols/raft/node.ts";
import { RaftSafety } from "../protocols/raft/invariants.ts";
import { Simulation } from "../sim/simulation.ts";

type LockMsg = RaftMsg<LockOp, LockResult>;

Deno.test("lock service: fencing tokens refuse a paused holder's late write", () => {
  const locks = new LockService();
  assert.deepEqual(locks.apply({ f: "acquire", lock: "L", owner: "a" }), { ok: true, token: 1 });
  assert.deepEqual(locks.apply({ f: "acquire", lock: "L", owner: "b" }), {
    ok: false,
    holder: "a",
    token: 1,
  });
  assert.deepEqual(locks.apply({ f: "acquire", lock: "L", owner: "a" }), { ok: true, token: 1 });
  assert.deepEqual(locks.apply({ f: "release", lock: "L", owner: "b", token: 1 }), {
    ok: false,
    holder: "a",
    token: 1,
  });
  locks.apply({ f: "release", lock: "L", owner: "a", token: 1 });
  assert.deepEqual(locks.apply({ f: "acquire", lock: "L", owner: "b" }), { ok: true, token: 2 });
  locks.apply({ f: "write", resource: "r", token: 2, value: "b" });
  assert.deepEqual(locks.apply({ f: "write", resource: "r", token: 1, value: "a" }), {
    ok: false,
    holder: null,
    token: 2,
  });
  const copy = new LockService();
  copy.restore(structuredClone(locks.snapshot()));
  assert.deepEqual(copy.query({ f: "read", resource: "r" }), { value: "b", token: 2 });
  assert.deepEqual(copy.apply({ f: "acquire", lock: "M", owner: "c" }), { ok: true, token: 3 });
});

Deno.test("lock service replicated by Raft, through a leader crash", () => {
  const servers = ["n1", "n2", "n3"];
  const sim = new Simulation({ seed: 5, trace: "off" });
  for (const id of servers) {
    sim.spawn(id, () => new RaftNode({ servers, stateMachine: () => new LockService() }));
  }
  const safety = new RaftSafety(servers);
  safety.install(sim);
  const leader = () =>
    servers.find((id) => sim.actor<RaftNode<LockService>>(id)?.role === "leader")!;
  let seq = 0;
  /** Sends `op` from `client` to the leader and returns the answer. */
  const call = (client: NodeId, op: LockOp): LockResult => {
    const s = ++seq;
    for (let attempt = 0; attempt < 20; attempt++) {
      sim.run({ until: sim.now + 300 });
      const to = leader();
      if (to === undefined) continue;
      sim.send(client, to, { type: "ClientRequest", seq: s, op } satisfies LockMsg);
      sim.run({ until: sim.now + 200 });
      const reply = sim.inbox(client).map((m) => m.msg as LockMsg).find((m) =>
        m.type === "ClientReply" && m.seq === s
      );
      if (reply?.type === "ClientReply") return reply.result;
    }
    throw new Error(`no answer to ${JSON.stringify(op)}`);
  };
  assert.deepEqual(call("a", { f: "acquire", lock: "L", owner: "a" }), { ok: true, token: 1 });
  sim.crash(leader());
  assert.deepEqual(call("b", { f: "acquire", lock: "L", owner: "b" }), {
    ok: false,
    holder: "a",
    token: 1,
  });
  assert.deepEqual(call("a", { f: "release", lock: "L", owner: "a", token: 1 }), {
    ok: true,
    token: 1,
  });
  assert.deepEqual(call("b", { f: "acquire", lock: "L", owner: "b" }), { ok: true, token: 2 });
  assert.deepEqual(call("b", { f: "write", resource: "r", token: 2, value: "b" }), {
    ok: true,
    token: 2,
  });
  assert.deepEqual(call("a", { f: "write", resource: "r", token: 1, value: "a" }), {
    ok: false,
    holder: null,
    token: 2,
  });
  for (const id of servers) if (sim.status(id) === "crashed") sim.restart(id);
  sim.run({ until: sim.now + 1000 });
  const states = servers.map((id) =>
    JSON.stringify(sim.actor<RaftNode<LockService>>(id)!.stateMachine.machine.snapshot())
  );
  assert.equal(new Set(states).size, 1, "every server holds the same locks and resources");
  assert.equal(sim.violations.length, 0);
});
