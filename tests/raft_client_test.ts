/**
 * The Raft client on its own, against stand-in servers: it retries, follows
 * leader hints, gives up with `info`, and keeps its sequence numbers across
 * a restart (or the servers' sessions would drop its new commands).
 *
 * @module
 */

import assert from "node:assert/strict";
import type { Actor, Context, NodeId } from "../actors/mod.ts";
import { RaftClient } from "../protocols/raft/client.ts";
import type { RaftMsg } from "../protocols/raft/messages.ts";
import { Simulation } from "../sim/simulation.ts";

/** A stand-in server: answers every request with `answer`, or not at all. */
class StubServer implements Actor<RaftMsg> {
  requests: number[] = [];
  constructor(readonly answer: (seq: number) => RaftMsg | null) {}
  onMessage(ctx: Context<RaftMsg>, msg: RaftMsg, from: NodeId): void {
    if (msg.type !== "ClientRequest") return;
    this.requests.push(msg.seq);
    const reply = this.answer(msg.seq);
    if (reply !== null) ctx.send(from, reply);
  }
}

function run(servers: Record<string, StubServer>, ops: number, until: number, seed = 1) {
  const sim = new Simulation({ seed, trace: "off" });
  for (const [id, stub] of Object.entries(servers)) sim.spawn(id, () => stub);
  sim.spawn("c1", () =>
    new RaftClient({
      servers: Object.keys(servers),
      ops,
      requestTimeoutMs: 100,
      giveUpMs: 450,
      mix: { put: 1 },
    }));
  sim.run({ until });
  return sim;
}

Deno.test("raft client: no answer anywhere means retries, then info", () => {
  const silent = { n1: new StubServer(() => null), n2: new StubServer(() => null) };
  const sim = run(silent, 2, 5000);
  const ops = sim.history.operations;
  assert.deepEqual(ops.map((o) => o.status), ["info", "info"]);
  for (const op of ops) assert.ok(op.ret - op.call >= 450 && op.ret - op.call < 600);
  // Every try went somewhere, alternating servers, with the same seq per op.
  const tries = silent.n1.requests.length + silent.n2.requests.length;
  assert.ok(tries >= 8, `${tries} tries`);
  assert.ok(silent.n1.requests.length > 0 && silent.n2.requests.length > 0);
  assert.deepEqual([...new Set([...silent.n1.requests, ...silent.n2.requests])].sort(), [1, 2]);
});

Deno.test("raft client: follows NotLeader hints to the leader", () => {
  const leader = new StubServer((seq) => ({ type: "ClientReply", seq, result: null }));
  const follower = new StubServer((seq) => ({ type: "NotLeader", seq, leaderHint: "n3" }));
  for (let seed = 1; seed <= 5; seed++) {
    const sim = run({ n1: follower, n2: follower, n3: leader }, 5, 5000, seed);
    assert.deepEqual(sim.history.operations.map((o) => o.status), Array(5).fill("ok"));
  }
  // After the first answer it goes straight to the leader.
  assert.ok(follower.requests.length <= 5, `${follower.requests.length} requests to followers`);
});

Deno.test("raft client: sequence numbers keep growing across a restart", () => {
  const seen: number[] = [];
  const server = new StubServer((seq) => {
    seen.push(seq);
    return { type: "ClientReply", seq, result: null };
  });
  const sim = new Simulation({ seed: 3, trace: "off" });
  sim.spawn("n1", () => server);
  sim.spawn("c1", () => new RaftClient({ servers: ["n1"], ops: 6, thinkMs: 50, mix: { put: 1 } }));
  sim.at(120, (s) => s.crash("c1"));
  sim.at(200, (s) => s.restart("c1"));
  sim.run({ until: 3000 });
  assert.deepEqual(seen, [...new Set(seen)].sort((a, b) => a - b), "never a repeated seq");
  assert.equal(seen.at(-1), seen.length);
  const client = sim.actor<RaftClient>("c1")!;
  assert.equal(client.done, 6, "finished its operations after the restart");
});
