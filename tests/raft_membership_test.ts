/**
 * Issue 13, parts 2 and 3: membership changes one server at a time, with
 * learners, and leadership transfer. Handler by handler with a
 * `TestContext`, then the `raft-membership` and `raft-transfer` scenarios
 * over many seeds (the long sweep runs 2,000 and more).
 *
 * @module
 */

import assert from "node:assert/strict";
import { type NodeId, TestContext } from "../actors/mod.ts";
import { applyConfChange } from "../protocols/raft/membership.ts";
import type { AdminMsg, RaftMsg } from "../protocols/raft/messages.ts";
import { RaftNode, type RaftTimer } from "../protocols/raft/node.ts";
import { ack, electedLeader } from "./_raft.ts";
import { raftMembership, raftTransfer } from "../protocols/raft/scenarios.ts";
import { assertSeeds } from "../sim/testing.ts";

type Ctx = TestContext<RaftMsg, RaftTimer>;
type Reply = Extract<AdminMsg, { type: "ConfChangeReply" }>;

/** n1 leads `servers` in term 1; every peer acknowledged its no-op, unless `ackNoop` is false. */
function leader(servers = ["n1", "n2", "n3"], ackNoop = true) {
  return electedLeader({ servers, ackNoop });
}

let id = 0;
/** Sends a change from "admin" and returns the reply, if any came at once. */
function change(node: RaftNode, ctx: Ctx, op: "add-learner" | "promote" | "remove", who: NodeId) {
  const before = ctx.sent.length;
  node.onMessage(ctx, { type: "ConfChangeRequest", id: ++id, change: { op, node: who } }, "admin");
  const replies = ctx.sent.slice(before).filter((o) => o.to === "admin").map((o) => o.msg as Reply);
  const reply = replies[0];
  return reply === undefined ? undefined : { ...reply, reason: reply.ok ? "" : reply.reason };
}

Deno.test("membership: configurations change one server at a time", () => {
  const c = { voters: ["n1", "n2", "n3"], learners: [] };
  assert.deepEqual(applyConfChange(c, { op: "add-learner", node: "n4" }), {
    voters: ["n1", "n2", "n3"],
    learners: ["n4"],
  });
  assert.match(String(applyConfChange(c, { op: "promote", node: "n4" })), /not a learner/);
  assert.match(String(applyConfChange(c, { op: "remove", node: "n9" })), /not a member/);
  assert.match(
    String(applyConfChange({ voters: ["n1"], learners: [] }, { op: "remove", node: "n1" })),
    /last voter/,
  );
});

Deno.test("membership: the leader's rules for a change", async (t) => {
  await t.step("no change before an entry of the leader's own term commits (the bug fix)", () => {
    const { node, ctx } = leader(undefined, false);
    assert.match(change(node, ctx, "add-learner", "n4")!.reason, /no entry of this term/);
    ack(node, ctx, "n2", 1); // the no-op commits
    assert.equal(change(node, ctx, "add-learner", "n4"), undefined, "accepted: answered on commit");
  });

  await t.step("one change pending at a time; the answer comes when it commits", () => {
    const { node, ctx } = leader();
    assert.equal(change(node, ctx, "add-learner", "n4"), undefined);
    const first = id;
    assert.deepEqual(node.clusterConfig, { voters: ["n1", "n2", "n3"], learners: ["n4"] });
    assert.match(change(node, ctx, "add-learner", "n5")!.reason, /pending/);
    ctx.takeSent();
    ack(node, ctx, "n2", 2);
    const done = ctx.takeSent().find((o) => o.to === "admin")?.msg;
    assert.deepEqual(done, { type: "ConfChangeReply", id: first, ok: true, index: 2 });
    assert.equal(change(node, ctx, "add-learner", "n5"), undefined, "the next one may go now");
  });

  await t.step("a learner gets the log but does not count toward commitment", () => {
    const { node, ctx } = leader();
    change(node, ctx, "add-learner", "n4");
    const toLearner = ctx.takeSent().filter((o) => o.to === "n4");
    assert.equal(toLearner.length, 1, "the new member is sent what it lacks");
    ack(node, ctx, "n4", 2);
    assert.equal(node.commitIndex, 1, "n1 and the learner are not a majority of n1, n2, n3");
    ack(node, ctx, "n2", 2);
    assert.equal(node.commitIndex, 2);
  });

  await t.step("a learner is promoted only once it holds everything committed", () => {
    const { node, ctx } = leader();
    change(node, ctx, "add-learner", "n4");
    ack(node, ctx, "n2", 2);
    assert.match(change(node, ctx, "promote", "n4")!.reason, /not caught up/);
    ack(node, ctx, "n4", 2);
    assert.equal(change(node, ctx, "promote", "n4"), undefined);
    assert.deepEqual(node.clusterConfig.voters, ["n1", "n2", "n3", "n4"]);
    // Four voters now: committing needs three.
    ack(node, ctx, "n2", 3);
    assert.equal(node.commitIndex, 2);
    ack(node, ctx, "n4", 3);
    assert.equal(node.commitIndex, 3);
  });

  await t.step("a removed leader keeps leading until the change commits, then steps down", () => {
    const { node, ctx } = leader();
    change(node, ctx, "remove", "n1");
    assert.equal(node.role, "leader");
    ack(node, ctx, "n2", 2);
    assert.equal(
      node.commitIndex,
      1,
      "the leader no longer counts itself: n2 of n2, n3 is not enough",
    );
    ack(node, ctx, "n3", 2);
    assert.equal(node.commitIndex, 2);
    assert.equal(node.role, "follower");
    ctx.advance(1000);
    ctx.fireDue(node);
    assert.equal(node.role, "follower", "a server outside the configuration never campaigns");
  });
});

Deno.test("membership: a follower takes a configuration from its log, and drops it on truncation", () => {
  const node = new RaftNode({ servers: ["n1", "n2", "n3"] });
  const ctx: Ctx = new TestContext("n3", { random: [0.5] });
  node.onStart(ctx);
  const config = { voters: ["n1", "n2"], learners: [] };
  node.onMessage(ctx, {
    type: "AppendEntries",
    term: 1,
    prevLogIndex: 0,
    prevLogTerm: 0,
    entries: [{
      term: 1,
      index: 1,
      command: { type: "conf", change: { op: "remove", node: "n3" }, config },
    }],
    leaderCommit: 0,
    seq: 1,
  }, "n1");
  assert.deepEqual(node.clusterConfig, config, "in force once appended, before it commits");
  node.onMessage(ctx, {
    type: "AppendEntries",
    term: 2,
    prevLogIndex: 0,
    prevLogTerm: 0,
    entries: [{ term: 2, index: 1, command: { type: "noop" } }],
    leaderCommit: 0,
    seq: 1,
  }, "n2");
  assert.deepEqual(node.clusterConfig, { voters: ["n1", "n2", "n3"], learners: [] });
});

Deno.test("membership: a server started to join waits, and never campaigns", () => {
  const node = new RaftNode({ servers: ["n1", "n2", "n3"], join: true });
  const ctx: Ctx = new TestContext("n4", { random: [0.5] });
  node.onStart(ctx);
  ctx.advance(5000);
  ctx.fireDue(node);
  assert.equal(node.role, "follower");
  assert.deepEqual(ctx.takeSent(), []);
  assert.deepEqual(node.inspect().config, { voters: [], learners: [] });
});

Deno.test("leader transfer: catch up, TimeoutNow, proposals refused, aborted after a timeout", async (t) => {
  await t.step("a target that lags is caught up first, then told to campaign", () => {
    const { node, ctx } = leader();
    node.onMessage(
      ctx,
      { type: "ClientRequest", seq: 1, op: { f: "put", key: "x", value: "a" } },
      "c1",
    );
    ack(node, ctx, "n2", 2);
    ctx.takeSent();
    node.onMessage(ctx, { type: "TransferLeadership", to: "n3" }, "admin");
    assert.equal(node.transferee, "n3");
    // The transfer resends what n3 may lack, from what it is known to hold.
    assert.deepEqual(ctx.takeSent().map((o) => [o.to, o.msg.type]), [["n3", "AppendEntries"]]);
    // Proposals are refused during the transfer: the client is sent to the target.
    node.onMessage(
      ctx,
      { type: "ClientRequest", seq: 2, op: { f: "put", key: "x", value: "b" } },
      "c1",
    );
    assert.deepEqual(ctx.takeSent().map((o) => o.msg), [{
      type: "NotLeader",
      seq: 2,
      leaderHint: "n3",
    }]);
    ack(node, ctx, "n3", 2);
    assert.deepEqual(
      ctx.takeSent().filter((o) => o.msg.type === "TimeoutNow").map((o) => o.to),
      ["n3"],
    );
  });

  await t.step("the target campaigns at once, past the leader lease", () => {
    const target = new RaftNode({ servers: ["n1", "n2", "n3"] });
    const ctx: Ctx = new TestContext("n3", { random: [0.5] });
    target.onStart(ctx);
    target.onMessage(ctx, { type: "TimeoutNow" }, "n1");
    assert.equal(target.role, "candidate");
    const votes = ctx.takeSent().filter((o) => o.msg.type === "RequestVote");
    assert.ok(votes.every((o) => o.msg.type === "RequestVote" && o.msg.transfer));
  });

  await t.step("a transfer that does not finish in an election timeout is aborted", () => {
    const { node, ctx } = leader();
    node.onMessage(ctx, { type: "TransferLeadership", to: "n3" }, "admin");
    ctx.takeSent();
    ctx.advance(150);
    ctx.fireDue(node);
    assert.equal(node.transferee, null);
    assert.equal(node.role, "leader");
    node.onMessage(
      ctx,
      { type: "ClientRequest", seq: 1, op: { f: "put", key: "x", value: "a" } },
      "c1",
    );
    assert.equal(node.log.lastIndex, 2, "proposals are taken again");
  });

  await t.step("only to a voter", () => {
    const { node, ctx } = leader();
    node.onMessage(ctx, { type: "TransferLeadership", to: "n9" }, "admin");
    assert.equal(node.transferee, null);
  });
});

Deno.test("raft-membership: random adds, removes and replacements under faults (150 seeds)", () => {
  assertSeeds(raftMembership, { seeds: { from: 1, to: 150 } });
});

Deno.test("raft-membership with tiny snapshots, many changes, 3 voters and loss (60 seeds)", () => {
  assertSeeds(raftMembership, {
    seeds: { from: 1, to: 60 },
    nodes: 3,
    network: { loss: 0.1, latency: { kind: "uniform", min: 1, max: 20 } },
    flags: { changes: 10, "snapshot-every": 3, "min-voters": 1 },
  });
});

Deno.test("raft-transfer: the lead moves to the target, or the transfer is aborted (40 seeds each)", () => {
  assertSeeds(raftTransfer, { seeds: { from: 1, to: 40 } });
  assertSeeds(raftTransfer, { seeds: { from: 1, to: 40 }, flags: { "target-down": true } });
});
