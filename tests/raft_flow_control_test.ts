/**
 * Issue 13, part 4: flow control. A leader keeps at most `maxInflight`
 * AppendEntries (and `maxInflightBytes`) outstanding per follower, puts at
 * most `maxEntriesPerAppend` entries and `maxBytesPerAppend` bytes in one
 * message; a slow follower does not slow the others, and a leader's memory
 * stays bounded while a follower is away.
 *
 * @module
 */

import assert from "node:assert/strict";
import { Inflights, Progress } from "../protocols/raft/progress.ts";
import type { RaftMsg } from "../protocols/raft/messages.ts";
import { spawnRaftCluster } from "../protocols/raft/scenarios.ts";
import { electedLeader } from "./_raft.ts";
import { Simulation } from "../sim/simulation.ts";

Deno.test("Inflights: a ring bounded by count and bytes, freed by acknowledgements", () => {
  const w = new Inflights(3, 1000);
  w.add(2, 100);
  w.add(5, 100);
  w.add(7, 100);
  assert.equal(w.full, true);
  w.freeLE(5);
  assert.deepEqual([w.count, w.bytes], [1, 100]);
  w.add(9, 900);
  assert.equal(w.full, true, "full by bytes");
  w.freeFirstOne();
  w.add(11, 10);
  w.add(12, 10); // wraps around the ring
  w.freeLE(12);
  assert.deepEqual([w.count, w.bytes, w.full], [0, 0, false]);
});

Deno.test("Progress: etcd's state machine of a follower", () => {
  const pr = new Progress(5, { maxInflight: 2, maxInflightBytes: 1 << 20 });
  assert.equal(pr.state, "probe");
  pr.sentEntries(6, 10);
  assert.equal(pr.paused, true, "probe: one message at a time");
  assert.equal(pr.maybeDecrTo(3, 1), false, "not about the probe now out");
  assert.equal(pr.maybeDecrTo(4, 2), true);
  assert.equal(pr.next, 3, "back off to the hint");
  pr.maybeUpdate(4);
  pr.becomeReplicate();
  pr.sentEntries(6, 10);
  pr.sentEntries(8, 10);
  assert.equal(pr.paused, true, "replicate: the window is full");
  assert.equal(pr.maybeDecrTo(3, 0), false, "a rejection below match is stale");
  pr.maybeUpdate(6);
  pr.inflights.freeLE(6);
  assert.equal(pr.paused, false);
  pr.becomeSnapshot(20);
  assert.equal(pr.paused, true);
  pr.maybeUpdate(20);
  pr.becomeProbe();
  assert.equal(pr.next, 21);
});

/** A 3-server leader n1 with tight limits; n2 and n3 acknowledged the no-op. */
function leader(
  limits: { maxInflight?: number; maxEntriesPerAppend?: number; maxBytesPerAppend?: number },
) {
  return electedLeader(limits);
}

const appends = (sent: { to: string; msg: RaftMsg }[], to: string) =>
  sent.flatMap((o) => o.to === to && o.msg.type === "AppendEntries" ? [o.msg] : []);

Deno.test("flow control: at most maxInflight appends outstanding to a follower that does not answer", () => {
  const { node, ctx } = leader({ maxInflight: 4 });
  for (let seq = 1; seq <= 10; seq++) {
    node.onMessage(
      ctx,
      { type: "ClientRequest", seq, op: { f: "put", key: "x", value: `${seq}` } },
      "c1",
    );
  }
  const sent = ctx.takeSent();
  assert.equal(appends(sent, "n2").length, 4, "the window is 4 messages");
  assert.equal(node.progress("n2")!.inflights.count, 4);
  // n2 acknowledges the first two: two more may go, carrying what waited.
  node.onMessage(
    ctx,
    { type: "AppendEntriesReply", term: 1, success: true, matchIndex: 3, seq: 9 },
    "n2",
  );
  const more = appends(ctx.takeSent(), "n2");
  assert.deepEqual(more.map((m) => [m.prevLogIndex, m.entries.length]), [[5, 6]]);
});

Deno.test("flow control: entries and bytes per message are capped (one entry always goes)", () => {
  const { node, ctx } = leader({ maxEntriesPerAppend: 3, maxBytesPerAppend: 250 });
  // n3 falls behind: its window of one-entry appends is lost, then it probes.
  for (let seq = 1; seq <= 8; seq++) {
    const value = seq === 5 ? "x".repeat(1000) : `${seq}`;
    node.onMessage(ctx, { type: "ClientRequest", seq, op: { f: "put", key: "x", value } }, "c1");
  }
  ctx.takeSent();
  node.onMessage(ctx, {
    type: "AppendEntriesReply",
    term: 1,
    success: false,
    prevLogIndex: 9,
    conflictIndex: 1,
    conflictTerm: 1,
    seq: 50,
  }, "n3");
  const batches: Array<[number, number]> = [];
  for (let k = 0; k < 10 && node.progress("n3")!.match < 9; k++) {
    const sent = appends(ctx.takeSent(), "n3");
    for (const m of sent) batches.push([m.prevLogIndex, m.entries.length]);
    const last = sent[sent.length - 1];
    node.onMessage(ctx, {
      type: "AppendEntriesReply",
      term: 1,
      success: true,
      matchIndex: last.prevLogIndex + last.entries.length,
      seq: 60 + k,
    }, "n3");
  }
  // Entries of about 110 bytes: 2 fit in 250 bytes; the 1 kB entry 6 goes alone.
  assert.deepEqual(batches, [[1, 2], [3, 2], [5, 1], [6, 2], [8, 1]]);
});

Deno.test("flow control: a slow follower does not slow the others", () => {
  for (const seed of [1, 2, 3]) {
    const sim = new Simulation({
      seed,
      trace: "off",
      network: { latency: { kind: "uniform", min: 1, max: 10 } },
    });
    const cluster = spawnRaftCluster(sim, {
      servers: 5,
      clients: 10,
      opsPerClient: 40,
      raft: { maxInflight: 8, snapshotEvery: 50 },
      client: { thinkMs: 2 },
      liveness: false,
    });
    sim.run({ until: 1000 });
    const leader = cluster.leader(sim)!;
    const slow = cluster.servers.find((id) => id !== leader)!;
    // Every link to and from one follower now takes 300 to 400 ms.
    for (const id of [...cluster.servers, ...cluster.clients]) {
      if (id === slow) continue;
      sim.setLink(id, slow, { latency: { kind: "uniform", min: 300, max: 400 } });
      sim.setLink(slow, id, { latency: { kind: "uniform", min: 300, max: 400 } });
    }
    let maxInflight = 0;
    sim.invariant("window", (s) => {
      const pr = cluster.node(s, leader)?.progress(slow);
      if (pr !== undefined) maxInflight = Math.max(maxInflight, pr.inflights.count);
    });
    assert.ok(sim.run({ until: 8000 }).ok, sim.failureReport());
    const late = sim.history.operations.filter((op) => op.call > 1000 && op.ret - op.call > 60);
    assert.deepEqual(late.map((op) => op.id), [], `seed ${seed}: ops waited on the slow follower`);
    assert.equal(sim.history.completed().length, 400);
    assert.ok(maxInflight <= 8, `seed ${seed}: ${maxInflight} appends in flight`);
    assert.equal(cluster.leader(sim), leader, "the slow follower cost no election");
  }
});

Deno.test("flow control: the leader's memory stays bounded while a follower is away", () => {
  const sim = new Simulation({
    seed: 4,
    trace: "off",
    network: { latency: { kind: "uniform", min: 1, max: 10 } },
  });
  const cluster = spawnRaftCluster(sim, {
    servers: 3,
    clients: 10,
    opsPerClient: 200,
    raft: { snapshotEvery: 50 },
    client: { thinkMs: 1, mix: { get: 0, put: 1, append: 0, cas: 0 } },
    liveness: false,
  });
  sim.run({ until: 500 });
  const leader = cluster.leader(sim)!;
  const away = cluster.servers.find((id) => id !== leader)!;
  sim.crash(away);
  let longest = 0;
  sim.invariant("bounded", (s) => {
    const n = cluster.node(s, leader);
    if (n !== undefined) longest = Math.max(longest, n.log.length);
  });
  assert.ok(sim.run({ until: 20_000 }).ok, sim.failureReport());
  assert.equal(sim.history.completed().length, 2000);
  assert.ok(cluster.node(sim, leader)!.log.lastIndex > 1900);
  // Twice snapshotEvery and a little: the snapshot, the live followers' lag.
  assert.ok(longest <= 2 * 50 + 10, `the leader held ${longest} entries`);
});
