/**
 * Unit tests of the Raft server's handlers, one rule at a time. Each test
 * drives a single {@linkcode RaftNode} through a `TestContext`: it
 * delivers messages and fires timers by hand, and looks at what the node
 * sent, stored and became. Logs are built the way a real follower builds
 * them, through AppendEntries from a leader.
 *
 * @module
 */

import assert from "node:assert/strict";
import { MemoryStorage, type NodeId, TestContext } from "../actors/mod.ts";
import type { Entry, PeerMsg, RaftMsg } from "../protocols/raft/messages.ts";
import { type RaftConfig, RaftNode, type RaftTimer } from "../protocols/raft/node.ts";
import type { Command } from "../protocols/raft/state_machine.ts";

type Ctx = TestContext<RaftMsg, RaftTimer>;

/** A test context for `self`; `random()` always 0.5, so election timeouts are 225 ms. */
const newCtx = (self: NodeId, storage?: MemoryStorage): Ctx =>
  new TestContext<RaftMsg, RaftTimer>(self, { storage, random: [0.5] });

/** Fires `node`'s pending `timer` at its due time, moving the clock there. */
function fire(ctx: Ctx, node: RaftNode, timer: RaftTimer): void {
  const due = ctx.timers().find((t) => t.timer === timer);
  assert.ok(due !== undefined, `timer ${timer} is not set`);
  ctx.advance(Math.max(0, due.at - ctx.now()));
  ctx.fire(node, timer);
}

/** Moves the clock to local time `t`. */
const setTime = (ctx: Ctx, t: number) => ctx.advance(t - ctx.now());

const FIVE = ["n1", "n2", "n3", "n4", "n5"];
const THREE = ["n1", "n2", "n3"];

/** A started server `n1` and its context. */
function boot(
  servers: readonly string[] = THREE,
  config: Omit<RaftConfig, "servers"> = {},
  storage?: MemoryStorage,
) {
  const node = new RaftNode({ servers, ...config });
  const ctx = newCtx("n1", storage);
  node.onStart(ctx);
  ctx.takeSent();
  return { node, ctx };
}

const put = (client: string, seq: number, value: string): Command => ({
  type: "app",
  client,
  seq,
  op: { f: "put", key: "x", value },
});

/** Entries `from..` with the given terms, as a leader would send them. */
function entries(from: number, terms: number[]): Entry[] {
  return terms.map((term, k) => ({
    term,
    index: from + k,
    command: put("c", from + k, `v${from + k}`),
  }));
}

function append(
  node: RaftNode,
  ctx: Ctx,
  from: NodeId,
  m: Partial<Extract<PeerMsg, { type: "AppendEntries" }>>,
) {
  node.onMessage(ctx, {
    type: "AppendEntries",
    term: 1,
    prevLogIndex: 0,
    prevLogTerm: 0,
    entries: [],
    leaderCommit: 0,
    seq: 1,
    ...m,
  }, from);
  return ctx.takeSent();
}

/** Gives `n1` a log with these terms (index 1..), as a follower of leaders in those terms. */
function withLog(node: RaftNode, ctx: Ctx, terms: number[], commit = 0) {
  let index = 0;
  for (const term of [...new Set(terms)]) {
    const run = terms.filter((t) => t === term).length;
    append(node, ctx, "n2", {
      term,
      prevLogIndex: index,
      prevLogTerm: index === 0 ? 0 : terms[index - 1],
      entries: entries(index + 1, Array(run).fill(term)),
      leaderCommit: Math.min(commit, index + run),
    });
    index += run;
  }
}

/** Runs an election at `n1` with every peer granting, and returns it as leader. */
function elect(node: RaftNode, ctx: Ctx, voters: NodeId[]) {
  fire(ctx, node, "election");
  assert.equal(node.role, "precandidate");
  for (const v of voters) {
    node.onMessage(ctx, { type: "PreVoteReply", term: node.currentTerm + 1, granted: true }, v);
  }
  assert.equal(node.role, "candidate");
  for (const v of voters) {
    node.onMessage(ctx, { type: "RequestVoteReply", term: node.currentTerm, granted: true }, v);
  }
  assert.equal(node.role, "leader");
  return ctx.takeSent();
}

function only<T extends RaftMsg["type"]>(
  out: Array<{ to: NodeId; msg: RaftMsg }>,
  type: T,
): Array<{ to: NodeId; msg: Extract<RaftMsg, { type: T }> }> {
  return out.filter((o) => o.msg.type === type) as Array<
    { to: NodeId; msg: Extract<RaftMsg, { type: T }> }
  >;
}

const terms = (node: RaftNode) =>
  Array.from({ length: node.log.lastIndex }, (_, i) => node.log.term(i + 1));

Deno.test("raft election: timeout, pre-vote, vote, leader", async (t) => {
  await t.step("a follower's timeout starts a pre-vote that changes no term", () => {
    const { node, ctx } = boot();
    fire(ctx, node, "election");
    assert.equal(node.role, "precandidate");
    assert.equal(node.currentTerm, 0);
    const pre = only(ctx.takeSent(), "PreVote");
    assert.deepEqual(pre.map((o) => o.to), ["n2", "n3"]);
    assert.equal(pre[0].msg.term, 1);
  });

  await t.step("winning pre-votes bumps the term, votes for self on disk, asks for votes", () => {
    const { node, ctx } = boot();
    fire(ctx, node, "election");
    node.onMessage(ctx, { type: "PreVoteReply", term: 1, granted: true }, "n2");
    assert.equal(node.role, "candidate");
    assert.equal(node.currentTerm, 1);
    assert.equal(node.votedFor, "n1");
    assert.deepEqual(ctx.storage.get("raft/hard"), { term: 1, votedFor: "n1" });
    const votes = only(ctx.takeSent(), "RequestVote");
    assert.equal(votes.length, 2);
    assert.equal(votes[0].msg.term, 1);
  });

  await t.step(
    "a majority of votes makes a leader that appends a no-op and sends heartbeats",
    () => {
      const { node, ctx } = boot();
      const out = elect(node, ctx, ["n2"]);
      assert.equal(node.leaderId, "n1");
      assert.equal(node.log.lastIndex, 1);
      assert.equal(node.log.entry(1)!.command.type, "noop");
      assert.equal(only(out, "AppendEntries").length, 2);
      assert.ok(ctx.hasTimer("heartbeat"));
      assert.ok(!ctx.hasTimer("election"));
    },
  );

  await t.step("a majority of rejections sends a candidate back to follower", () => {
    const { node, ctx } = boot(FIVE);
    fire(ctx, node, "election");
    for (const v of ["n2", "n3", "n4"]) {
      node.onMessage(ctx, { type: "PreVoteReply", term: 0, granted: false }, v);
    }
    assert.equal(node.role, "follower");
    assert.equal(node.currentTerm, 0);
  });

  await t.step("without PreVote a timeout goes straight to candidate", () => {
    const { node, ctx } = boot(THREE, { preVote: false });
    fire(ctx, node, "election");
    assert.equal(node.role, "candidate");
    assert.equal(node.currentTerm, 1);
  });

  await t.step("a cluster of one elects itself and commits its no-op", () => {
    const { node, ctx } = boot(["n1"]);
    fire(ctx, node, "election");
    assert.equal(node.role, "leader");
    assert.equal(node.commitIndex, 1);
  });
});

Deno.test("raft RequestVote: the election restriction and one vote per term", async (t) => {
  const vote = (node: RaftNode, ctx: Ctx, from: NodeId, m: {
    term: number;
    lastLogIndex: number;
    lastLogTerm: number;
  }) => {
    node.onMessage(ctx, { type: "RequestVote", transfer: false, ...m }, from);
    const reply = only(ctx.takeSent(), "RequestVoteReply");
    assert.equal(reply.length, 1);
    return reply[0].msg;
  };

  await t.step("votes are not granted to candidates with shorter logs (§5.4.1)", () => {
    const { node, ctx } = boot(THREE, { checkQuorum: false });
    withLog(node, ctx, [1, 1, 2]);
    assert.equal(
      vote(node, ctx, "n3", { term: 5, lastLogIndex: 2, lastLogTerm: 2 }).granted,
      false,
    );
    assert.equal(node.currentTerm, 5, "the higher term is adopted even when the vote is refused");
    assert.equal(node.votedFor, null);
  });

  await t.step("nor to logs whose last term is older, however long", () => {
    const { node, ctx } = boot(THREE, { checkQuorum: false });
    withLog(node, ctx, [1, 2]);
    assert.equal(
      vote(node, ctx, "n3", { term: 5, lastLogIndex: 9, lastLogTerm: 1 }).granted,
      false,
    );
  });

  await t.step("a later last term wins even when shorter; equal terms need >= length", () => {
    const a = boot(THREE, { checkQuorum: false });
    withLog(a.node, a.ctx, [1, 1, 1]);
    assert.equal(
      vote(a.node, a.ctx, "n3", { term: 5, lastLogIndex: 1, lastLogTerm: 2 }).granted,
      true,
    );
    const b = boot(THREE, { checkQuorum: false });
    withLog(b.node, b.ctx, [1, 1, 1]);
    assert.equal(
      vote(b.node, b.ctx, "n3", { term: 5, lastLogIndex: 3, lastLogTerm: 1 }).granted,
      true,
    );
  });

  await t.step("one vote per term, kept across a restart; a repeated request gets it again", () => {
    const { node, ctx } = boot();
    assert.equal(vote(node, ctx, "n2", { term: 2, lastLogIndex: 0, lastLogTerm: 0 }).granted, true);
    assert.equal(
      vote(node, ctx, "n3", { term: 2, lastLogIndex: 0, lastLogTerm: 0 }).granted,
      false,
    );
    assert.equal(vote(node, ctx, "n2", { term: 2, lastLogIndex: 0, lastLogTerm: 0 }).granted, true);
    const again = new RaftNode({ servers: THREE });
    const ctx2 = newCtx("n1", ctx.storage);
    again.onStart(ctx2);
    assert.equal(again.currentTerm, 2);
    assert.equal(again.votedFor, "n2");
    assert.equal(
      vote(again, ctx2, "n3", { term: 2, lastLogIndex: 0, lastLogTerm: 0 }).granted,
      false,
    );
  });

  await t.step("a stale request is refused with our newer term", () => {
    const { node, ctx } = boot();
    withLog(node, ctx, [3]);
    const reply = vote(node, ctx, "n3", { term: 2, lastLogIndex: 5, lastLogTerm: 2 });
    assert.deepEqual(reply, { type: "RequestVoteReply", term: 3, granted: false });
  });

  await t.step(
    "the leader lease: a follower that just heard its leader ignores vote requests",
    () => {
      const { node, ctx } = boot();
      withLog(node, ctx, [1]);
      setTime(ctx, 100); // < electionMinMs (150) after the leader's message at time 0
      node.onMessage(ctx, {
        type: "RequestVote",
        term: 2,
        lastLogIndex: 5,
        lastLogTerm: 1,
        transfer: false,
      }, "n3");
      assert.deepEqual(ctx.takeSent(), []);
      assert.equal(node.currentTerm, 1);
      node.onMessage(ctx, { type: "PreVote", term: 2, lastLogIndex: 5, lastLogTerm: 1 }, "n3");
      assert.deepEqual(ctx.takeSent(), []);
      // A leadership transfer (after TimeoutNow) is allowed through the lease.
      node.onMessage(ctx, {
        type: "RequestVote",
        term: 2,
        lastLogIndex: 5,
        lastLogTerm: 1,
        transfer: true,
      }, "n3");
      assert.equal(only(ctx.takeSent(), "RequestVoteReply")[0].msg.granted, true);
    },
  );

  await t.step("after the lease a pre-vote is granted but the term stays", () => {
    const { node, ctx } = boot();
    withLog(node, ctx, [1]);
    setTime(ctx, 200);
    node.onMessage(ctx, { type: "PreVote", term: 2, lastLogIndex: 1, lastLogTerm: 1 }, "n3");
    assert.deepEqual(ctx.takeSent().map((o) => o.msg), [
      { type: "PreVoteReply", term: 2, granted: true },
    ]);
    assert.equal(node.currentTerm, 1);
    assert.equal(node.votedFor, null);
  });
});

Deno.test("raft AppendEntries at a follower (Figure 2, receiver rules)", async (t) => {
  await t.step("a higher term makes anyone a follower of the sender", () => {
    const { node, ctx } = boot();
    elect(node, ctx, ["n2"]);
    append(node, ctx, "n3", { term: 9, prevLogIndex: 0, prevLogTerm: 0 });
    assert.equal(node.role, "follower");
    assert.equal(node.currentTerm, 9);
    assert.equal(node.leaderId, "n3");
    assert.ok(!ctx.hasTimer("heartbeat"));
  });

  await t.step("a stale leader is told the newer term", () => {
    const { node, ctx } = boot();
    withLog(node, ctx, [4]);
    const out = append(node, ctx, "n3", { term: 2, prevLogIndex: 0, seq: 7 });
    assert.deepEqual(out.map((o) => o.msg), [{
      type: "AppendEntriesReply",
      term: 4,
      success: false,
      prevLogIndex: 0,
      conflictIndex: 0,
      conflictTerm: 0,
      seq: 7,
    }]);
  });

  await t.step("the consistency check rejects with a hint that skips whole terms", () => {
    const { node, ctx } = boot();
    withLog(node, ctx, [1, 1, 1, 2, 2, 2]);
    // The leader's entry 6 has term 3: our terms-2 tail cannot match it,
    // and everything at or below index 6 with a term <= 3 might; the best
    // guess is index 6 (term 2), as far as the leader's log tells.
    const out = append(node, ctx, "n3", { term: 3, prevLogIndex: 6, prevLogTerm: 3, seq: 2 });
    assert.deepEqual(out[0].msg, {
      type: "AppendEntriesReply",
      term: 3,
      success: false,
      prevLogIndex: 6,
      conflictIndex: 6,
      conflictTerm: 2,
      seq: 2,
    });
    // prevLogIndex beyond our log: the hint is our last entry.
    const out2 = append(node, ctx, "n3", { term: 3, prevLogIndex: 9, prevLogTerm: 3, seq: 3 });
    assert.equal((out2[0].msg as { conflictIndex: number }).conflictIndex, 6);
    // A follower with a long tail of later terms points below it.
    const b = boot();
    withLog(b.node, b.ctx, [1, 3, 3, 4, 4, 5, 5, 5, 6]);
    const out3 = append(b.node, b.ctx, "n3", { term: 7, prevLogIndex: 8, prevLogTerm: 3 });
    const r = out3[0].msg as { conflictIndex: number; conflictTerm: number };
    assert.deepEqual([r.conflictIndex, r.conflictTerm], [3, 3]);
  });

  await t.step("a stale leader's entries are overwritten by the new leader's", () => {
    const { node, ctx } = boot();
    withLog(node, ctx, [1, 2, 2], 1); // entries 2-3 from a term-2 leader that never committed them
    const out = append(node, ctx, "n3", {
      term: 3,
      prevLogIndex: 1,
      prevLogTerm: 1,
      entries: entries(2, [3]),
      leaderCommit: 1,
    });
    assert.deepEqual(terms(node), [1, 3]);
    assert.equal(node.log.truncations, 1);
    assert.deepEqual(out[0].msg, {
      type: "AppendEntriesReply",
      term: 3,
      success: true,
      matchIndex: 2,
      seq: 1,
    });
    // ... and stay overwritten after a restart.
    const again = new RaftNode({ servers: THREE });
    again.onStart(newCtx("n1", ctx.storage));
    assert.deepEqual(terms(again), [1, 3]);
  });

  await t.step("a delayed shorter AppendEntries does not cut off newer entries", () => {
    const { node, ctx } = boot();
    withLog(node, ctx, [1, 1, 1, 1]);
    const out = append(node, ctx, "n2", {
      term: 1,
      prevLogIndex: 1,
      prevLogTerm: 1,
      entries: entries(2, [1]),
    });
    assert.equal(node.log.lastIndex, 4);
    assert.equal(node.log.truncations, 0);
    assert.equal((out[0].msg as { matchIndex: number }).matchIndex, 2);
  });

  await t.step("commitIndex follows leaderCommit, but never past the last new entry", () => {
    const { node, ctx } = boot();
    withLog(node, ctx, [1, 1, 1, 1, 1]);
    append(node, ctx, "n2", { term: 1, prevLogIndex: 2, prevLogTerm: 1, leaderCommit: 5 });
    assert.equal(node.commitIndex, 2, "entries 3-5 may not match the leader's yet");
    assert.equal(node.lastApplied, 2);
    append(node, ctx, "n2", { term: 1, prevLogIndex: 5, prevLogTerm: 1, leaderCommit: 5 });
    assert.equal(node.commitIndex, 5);
    assert.equal(node.stateMachine.machine.read("x"), "v5");
  });

  await t.step("a message below commitIndex is answered with commitIndex", () => {
    const { node, ctx } = boot();
    withLog(node, ctx, [1, 1, 1], 3);
    const out = append(node, ctx, "n2", {
      term: 1,
      prevLogIndex: 0,
      prevLogTerm: 0,
      entries: entries(1, [1]),
    });
    assert.equal((out[0].msg as { matchIndex: number }).matchIndex, 3);
    assert.equal(node.log.lastIndex, 3);
  });

  await t.step("entries are on disk before the reply", () => {
    const { node, ctx } = boot();
    withLog(node, ctx, [1, 1]);
    const again = new RaftNode({ servers: THREE });
    again.onStart(newCtx("n1", ctx.storage));
    assert.deepEqual(terms(again), [1, 1]);
    assert.equal(again.currentTerm, 1);
    assert.equal(again.commitIndex, 0, "commitIndex is volatile");
  });
});

Deno.test("raft leader: replication, the Figure 8 commit rule, replies", async (t) => {
  /** n1 leads a 5-server cluster in term 2 with log [t1, t1] and no no-op. */
  function figure8Leader(config: Omit<RaftConfig, "servers"> = {}) {
    const { node, ctx } = boot(FIVE, { noopOnElection: false, ...config });
    withLog(node, ctx, [1, 1]);
    const out = elect(node, ctx, ["n2", "n3"]);
    assert.equal(node.currentTerm, 2);
    return { node, ctx, out };
  }
  const ack = (
    node: RaftNode,
    ctx: Ctx,
    from: NodeId,
    matchIndex: number,
    seq = 1,
  ) => {
    node.onMessage(ctx, {
      type: "AppendEntriesReply",
      term: node.currentTerm,
      success: true,
      matchIndex,
      seq,
    }, from);
    return ctx.takeSent();
  };

  await t.step("commit is not advanced on old-term entries, however many have them", () => {
    const { node, ctx } = figure8Leader();
    for (const peer of ["n2", "n3", "n4", "n5"]) ack(node, ctx, peer, 2);
    assert.equal(
      node.commitIndex,
      0,
      "entry 2 is from term 1: counting replicas must not commit it",
    );
    node.onMessage(
      ctx,
      { type: "ClientRequest", seq: 1, op: { f: "put", key: "y", value: "z" } },
      "c1",
    );
    ctx.takeSent();
    ack(node, ctx, "n2", 3);
    assert.equal(node.commitIndex, 0);
    ack(node, ctx, "n3", 3);
    assert.equal(node.commitIndex, 3, "a term-2 entry on a majority commits it and all before it");
  });

  await t.step("with the rule broken (for teaching), it would commit the old entry", () => {
    const { node, ctx } = figure8Leader({ unsafeCommitPreviousTerms: true });
    ack(node, ctx, "n2", 2);
    ack(node, ctx, "n3", 2);
    assert.equal(node.commitIndex, 2);
  });

  await t.step("duplicate and reordered success replies never move matchIndex back", () => {
    const { node, ctx } = figure8Leader();
    node.onMessage(
      ctx,
      { type: "ClientRequest", seq: 1, op: { f: "put", key: "y", value: "z" } },
      "c1",
    );
    ctx.takeSent();
    ack(node, ctx, "n2", 3);
    ack(node, ctx, "n2", 2); // an older reply, late
    ack(node, ctx, "n2", 3); // a duplicate
    assert.equal(node.progress("n2")!.match, 3);
    assert.equal(node.progress("n2")!.next, 4);
    assert.equal(node.progress("n2")!.state, "replicate");
  });

  await t.step("a rejection backs off with the hint; a duplicate of it changes nothing", () => {
    const { node, ctx } = boot(FIVE);
    withLog(node, ctx, [1, 3, 3, 3, 5, 5, 5, 5]);
    elect(node, ctx, ["n2", "n3"]); // term 6, no-op at 9: log terms 1 3 3 3 5 5 5 5 6
    // nextIndex starts after the log as it was when elected: the probe sent
    // with the no-op checks entry 8.
    assert.equal(node.progress("n4")!.next, 9);
    const reject = {
      type: "AppendEntriesReply" as const,
      term: 6,
      success: false as const,
      prevLogIndex: 8,
      conflictIndex: 6,
      conflictTerm: 2,
      seq: 1,
    };
    node.onMessage(ctx, reject, "n4");
    // The follower has term 2 at index 6; our log has only terms 1 and 3+
    // there, so every index above 1 would fail: probe at 1 next.
    assert.equal(node.progress("n4")!.next, 2);
    const resent = only(ctx.takeSent(), "AppendEntries");
    assert.deepEqual(resent.map((o) => [o.to, o.msg.prevLogIndex, o.msg.entries.length]), [
      ["n4", 1, 8],
    ]);
    node.onMessage(ctx, reject, "n4"); // the network duplicated it
    assert.equal(node.progress("n4")!.next, 2);
    assert.deepEqual(ctx.takeSent(), []);
  });

  await t.step("a stale rejection for a follower already matched is ignored", () => {
    const { node, ctx } = figure8Leader();
    ack(node, ctx, "n2", 2);
    node.onMessage(ctx, {
      type: "AppendEntriesReply",
      term: 2,
      success: false,
      prevLogIndex: 1,
      conflictIndex: 0,
      conflictTerm: 0,
      seq: 1,
    }, "n2");
    assert.equal(node.progress("n2")!.match, 2);
    assert.equal(node.progress("n2")!.state, "replicate");
  });

  await t.step("a reply with a higher term makes the leader step down", () => {
    const { node, ctx } = figure8Leader();
    node.onMessage(ctx, {
      type: "AppendEntriesReply",
      term: 7,
      success: false,
      prevLogIndex: 2,
      conflictIndex: 0,
      conflictTerm: 0,
      seq: 1,
    }, "n4");
    assert.equal(node.role, "follower");
    assert.equal(node.currentTerm, 7);
    assert.equal(node.votedFor, null);
  });

  await t.step("CheckQuorum: a leader that heard from no majority steps down", () => {
    const { node, ctx } = figure8Leader();
    ack(node, ctx, "n2", 2);
    // A new leader gets a full window (600 ms) before it is judged.
    ctx.advance(100);
    node.onTimer(ctx, "check-quorum");
    assert.equal(node.role, "leader");
    ctx.advance(550);
    node.onTimer(ctx, "check-quorum"); // only n2 answered, and long ago: 2 of 5
    assert.equal(node.role, "follower");
    assert.equal(node.currentTerm, 2);
  });

  await t.step("CheckQuorum keeps a leader that heard from a majority within its window", () => {
    const { node, ctx } = figure8Leader();
    ack(node, ctx, "n2", 2);
    ack(node, ctx, "n3", 2);
    node.onTimer(ctx, "check-quorum");
    assert.equal(node.role, "leader");
    // Nobody since, but the window is 2 * electionMaxMs (600 ms): replies
    // delayed by hundreds of milliseconds do not depose a leader.
    ctx.advance(450);
    node.onTimer(ctx, "check-quorum");
    assert.equal(node.role, "leader");
    ctx.advance(200);
    node.onTimer(ctx, "check-quorum");
    assert.equal(node.role, "follower");
  });
});

Deno.test("raft client sessions and reads", async (t) => {
  const request = (
    node: RaftNode,
    ctx: Ctx,
    client: NodeId,
    seq: number,
    op: Extract<RaftMsg, { type: "ClientRequest" }>["op"],
    read?: "log" | "read-index",
  ) => {
    node.onMessage(ctx, { type: "ClientRequest", seq, op, ...(read ? { read } : {}) }, client);
    return ctx.takeSent();
  };

  await t.step("followers redirect clients to the leader they know", () => {
    const { node, ctx } = boot();
    withLog(node, ctx, [1]);
    assert.deepEqual(request(node, ctx, "c1", 1, { f: "get", key: "x" }).map((o) => o.msg), [
      { type: "NotLeader", seq: 1, leaderHint: "n2" },
    ]);
  });

  await t.step("a retried command is appended once and applied once", () => {
    const { node, ctx } = boot(["n1"]);
    fire(ctx, node, "election");
    ctx.takeSent();
    const first = request(node, ctx, "c1", 1, { f: "append", key: "x", value: "a" });
    assert.deepEqual(first.map((o) => o.msg), [{ type: "ClientReply", seq: 1, result: null }]);
    const retry = request(node, ctx, "c1", 1, { f: "append", key: "x", value: "a" });
    assert.deepEqual(retry.map((o) => o.msg), [{ type: "ClientReply", seq: 1, result: null }]);
    assert.equal(node.log.lastIndex, 2, "no-op and one append");
    assert.equal(node.stateMachine.machine.read("x"), "a");
    assert.deepEqual(
      request(node, ctx, "c1", 0, { f: "get", key: "x" }),
      [],
      "older than the session",
    );
  });

  await t.step("a duplicate that reaches the log twice is not executed twice", () => {
    const { node, ctx } = boot();
    // Two leaders in turn appended the same client command (c1, seq 1).
    const dup: Command = {
      type: "app",
      client: "c1",
      seq: 1,
      op: { f: "append", key: "x", value: "a" },
    };
    append(node, ctx, "n2", {
      term: 1,
      entries: [{ term: 1, index: 1, command: dup }, { term: 1, index: 2, command: dup }],
      leaderCommit: 2,
    });
    assert.equal(node.stateMachine.machine.read("x"), "a");
  });

  await t.step("ReadIndex waits for a committed entry of the term and a heartbeat round", () => {
    const { node, ctx } = boot();
    elect(node, ctx, ["n2"]); // term 1, no-op at 1 not yet committed
    assert.deepEqual(request(node, ctx, "c1", 1, { f: "get", key: "x" }, "read-index"), []);
    node.onMessage(ctx, {
      type: "AppendEntriesReply",
      term: 1,
      success: true,
      matchIndex: 1,
      seq: 1,
    }, "n2");
    assert.equal(node.commitIndex, 1);
    // Now the read has a read index (1) and waits for a heartbeat round.
    const round = only(ctx.takeSent(), "AppendEntries");
    assert.equal(round.length, 2);
    const seq = round.find((o) => o.to === "n3")!.msg.seq;
    node.onMessage(
      ctx,
      { type: "AppendEntriesReply", term: 1, success: true, matchIndex: 1, seq },
      "n3",
    );
    assert.deepEqual(ctx.takeSent().map((o) => o.msg), [{
      type: "ClientReply",
      seq: 1,
      result: null,
    }]);
  });

  await t.step("an old acknowledgement does not confirm a read", () => {
    const { node, ctx } = boot();
    elect(node, ctx, ["n2"]);
    node.onMessage(ctx, {
      type: "AppendEntriesReply",
      term: 1,
      success: true,
      matchIndex: 1,
      seq: 1,
    }, "n2");
    ctx.takeSent();
    request(node, ctx, "c1", 1, { f: "get", key: "x" }, "read-index");
    // Replies to messages sent before the read arrived prove nothing about now.
    node.onMessage(ctx, {
      type: "AppendEntriesReply",
      term: 1,
      success: true,
      matchIndex: 1,
      seq: 2,
    }, "n3");
    node.onMessage(ctx, {
      type: "AppendEntriesReply",
      term: 1,
      success: true,
      matchIndex: 1,
      seq: 1,
    }, "n2");
    assert.deepEqual(only(ctx.takeSent(), "ClientReply"), []);
  });

  await t.step("a leader that steps down turns its waiting reads away", () => {
    const { node, ctx } = boot();
    elect(node, ctx, ["n2"]);
    request(node, ctx, "c1", 1, { f: "get", key: "x" }, "read-index");
    const out = append(node, ctx, "n3", { term: 5 });
    assert.deepEqual(only(out, "NotLeader").map((o) => o.msg), [
      { type: "NotLeader", seq: 1, leaderHint: "n3" },
    ]);
  });
});

Deno.test("raft snapshots: compaction, InstallSnapshot, restart", async (t) => {
  await t.step("the applied log is compacted into a snapshot once it passes snapshotEvery", () => {
    const { node, ctx } = boot(THREE, { snapshotEvery: 3 });
    withLog(node, ctx, [1, 1, 1, 1], 4);
    assert.equal(
      ctx.timers().find((t) => t.timer === "compact")?.at,
      0,
      "compaction is its own step",
    );
    node.onTimer(ctx, "compact");
    assert.equal(node.log.snapshotIndex, 4);
    assert.equal(node.log.length, 0);
    assert.equal(ctx.storage.get("log/1"), undefined);
    // A restart comes back from the snapshot.
    const again = new RaftNode({ servers: THREE, snapshotEvery: 3 });
    again.onStart(newCtx("n1", ctx.storage));
    assert.equal(again.lastApplied, 4);
    assert.equal(again.stateMachine.machine.read("x"), "v4");
    assert.equal(again.stateMachine.digest, node.stateMachine.digest);
  });

  await t.step("a leader sends the snapshot to a follower whose next entry is compacted", () => {
    const { node, ctx } = boot(THREE, { snapshotEvery: 2 });
    elect(node, ctx, ["n2"]); // no-op at 1
    for (let seq = 1; seq <= 2; seq++) {
      node.onMessage(ctx, {
        type: "ClientRequest",
        seq,
        op: { f: "put", key: "x", value: `${seq}` },
      }, "c1");
    }
    node.onMessage(ctx, {
      type: "AppendEntriesReply",
      term: 1,
      success: true,
      matchIndex: 3,
      seq: 1,
    }, "n2");
    // n3 never answered: after CheckQuorum's window the leader no longer
    // keeps entries for it.
    ctx.advance(700);
    node.onTimer(ctx, "compact");
    assert.equal(node.log.snapshotIndex, 3);
    ctx.takeSent();
    // n3 lacks everything, which is now compacted.
    node.onTimer(ctx, "heartbeat");
    const snap = only(ctx.takeSent(), "InstallSnapshot");
    assert.equal(snap.length, 1);
    assert.equal(snap[0].msg.snapshot.lastIncludedIndex, 3);
    assert.equal(node.progress("n3")!.state, "snapshot");

    // The follower installs it: log, state machine and disk replaced.
    const f = boot(THREE, { snapshotEvery: 2 });
    withLog(f.node, f.ctx, [1]); // an old entry that the snapshot replaces
    f.node.onMessage(f.ctx, snap[0].msg, "n1");
    assert.equal(f.node.commitIndex, 3);
    assert.equal(f.node.stateMachine.machine.read("x"), "2");
    assert.equal(f.node.log.snapshotIndex, 3);
    const reply = only(f.ctx.takeSent(), "InstallSnapshotReply")[0].msg;
    assert.equal(reply.matchIndex, 3);
    node.onMessage(ctx, reply, "n3");
    assert.equal(node.progress("n3")!.match, 3);
    assert.equal(node.progress("n3")!.state, "replicate", "installed: stream from there");
  });

  await t.step("an old snapshot is ignored; one matching the log keeps what follows", () => {
    const { node, ctx } = boot();
    withLog(node, ctx, [1, 1, 1, 1], 3);
    const state = { machine: [], sessions: [], digest: 0 };
    const config = { voters: THREE, learners: [] };
    node.onMessage(ctx, {
      type: "InstallSnapshot",
      term: 1,
      snapshot: { lastIncludedIndex: 2, lastIncludedTerm: 1, config, state },
      seq: 5,
    }, "n2");
    assert.equal(node.log.snapshotIndex, 0);
    assert.equal(only(ctx.takeSent(), "InstallSnapshotReply")[0].msg.matchIndex, 3);
    node.onMessage(ctx, {
      type: "InstallSnapshot",
      term: 1,
      snapshot: { lastIncludedIndex: 4, lastIncludedTerm: 1, config, state },
      seq: 6,
    }, "n2");
    assert.equal(node.log.lastIndex, 4);
    assert.equal(node.commitIndex, 4);
    assert.equal(node.stateMachine.machine.read("x"), "v4", "applied from its own entries");
  });
});
