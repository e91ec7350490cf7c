/**
 * Atomic commit (issue 14, item 1, lecture 7.1): two-phase commit with
 * durable votes and decisions, presumed abort, recovery of in-doubt
 * participants by asking the others, the blocking case, and
 * fault-tolerant two-phase commit over Multi-Paxos; the atomicity,
 * validity and termination checks; the planted "coordinator forgets its
 * decision" bug.
 *
 * @module
 */

import assert from "node:assert/strict";
import { TestContext } from "../actors/test_context.ts";
import { MemoryStorage } from "../actors/storage.ts";
import { atomicityViolations, validityViolations } from "../protocols/commit/check.ts";
import { Coordinator, type CoordinatorTimer } from "../protocols/commit/coordinator.ts";
import { type FtMsg, FtParticipant, type FtTimer } from "../protocols/commit/ft_commit.ts";
import type { CommitMsg } from "../protocols/commit/messages.ts";
import { Participant, type ParticipantTimer } from "../protocols/commit/participant.ts";
import { CoinResource } from "../protocols/commit/resource.ts";
import { twoPhaseCommit, twoPhaseCommitFt } from "../protocols/commit/scenarios.ts";
import { runScenario } from "../sim/scenario.ts";
import { Simulation } from "../sim/simulation.ts";
import { assertSeeds, checkSeeds } from "../sim/testing.ts";

const YES = new CoinResource(0);
const NO = new CoinResource(1);
const R = ["n1", "n2", "n3"];

function participant(self: string, resource = YES, storage?: MemoryStorage) {
  const p = new Participant({ resource, askMs: 100 });
  const ctx = new TestContext<CommitMsg, ParticipantTimer>(self, { storage });
  p.onStart(ctx);
  return { p, ctx };
}

Deno.test("2PC participant: the vote is durable before it leaves; a yes vote leaves it in doubt", () => {
  const { p, ctx } = participant("n1");
  ctx.deliver(p, { type: "Prepare", txn: "t1", participants: R, epoch: 1 }, "tm");
  assert.deepEqual(ctx.storage.get("txn/t1"), {
    participants: R,
    coordinator: "tm",
    epoch: 1,
    vote: "yes",
    outcome: null,
  });
  assert.deepEqual(ctx.takeSent(), [{
    to: "tm",
    msg: { type: "Vote", txn: "t1", yes: true, epoch: 1 },
  }]);
  assert.deepEqual(p.inDoubt(), ["t1"]);
  // A no vote aborts at once: nobody can commit without it.
  const { p: q, ctx: qctx } = participant("n2", NO);
  qctx.deliver(q, { type: "Prepare", txn: "t1", participants: R, epoch: 1 }, "tm");
  assert.equal(q.records.get("t1")?.outcome, "abort");
});

Deno.test("2PC participant: in doubt, it asks the coordinator and every other participant, again and again", () => {
  const { p, ctx } = participant("n1");
  ctx.deliver(p, { type: "Prepare", txn: "t1", participants: R, epoch: 1 }, "tm");
  ctx.takeSent();
  ctx.advance(100);
  ctx.fireDue(p);
  assert.deepEqual(ctx.takeSent().map((s) => s.to), ["tm", "n2", "n3"]);
  ctx.advance(100);
  ctx.fireDue(p);
  assert.equal(ctx.takeSent().length, 3);
  // A peer that knows tells it; then it stops asking.
  ctx.deliver(p, { type: "Decision", txn: "t1", outcome: "commit" }, "n2");
  assert.equal(p.records.get("t1")?.outcome, "commit");
  assert.equal(ctx.timers().length, 0);
});

Deno.test("2PC participant: asked before it voted, it aborts and says so (cooperative termination)", () => {
  const { p, ctx } = participant("n3");
  ctx.deliver(p, { type: "DecisionRequest", txn: "t1" }, "n1");
  assert.deepEqual(ctx.takeSent(), [
    { to: "n1", msg: { type: "Decision", txn: "t1", outcome: "abort" } },
  ]);
  // A Prepare that arrives later gets a no.
  ctx.deliver(p, { type: "Prepare", txn: "t1", participants: R, epoch: 1 }, "tm");
  assert.deepEqual(ctx.takeSent(), [{
    to: "tm",
    msg: { type: "Vote", txn: "t1", yes: false, epoch: 1 },
  }]);
  // An in-doubt participant cannot help.
  const { p: q, ctx: qctx } = participant("n2");
  qctx.deliver(q, { type: "Prepare", txn: "t2", participants: R, epoch: 1 }, "tm");
  qctx.takeSent();
  qctx.deliver(q, { type: "DecisionRequest", txn: "t2" }, "n1");
  assert.deepEqual(qctx.takeSent(), []);
});

Deno.test("2PC participant: a restart keeps the vote and the doubt; a later epoch's Prepare means the attempt was lost", () => {
  const first = participant("n1");
  first.ctx.deliver(first.p, { type: "Prepare", txn: "t1", participants: R, epoch: 1 }, "tm");
  const { p: again, ctx: ctx2 } = participant("n1", YES, first.ctx.storage);
  assert.deepEqual(again.inDoubt(), ["t1"]);
  assert.equal(ctx2.timers().length, 1); // it goes on asking
  // The coordinator restarted (epoch 2) and asks again: it has no commit record of epoch 1.
  ctx2.deliver(again, { type: "Prepare", txn: "t1", participants: R, epoch: 2 }, "tm");
  assert.equal(again.records.get("t1")?.outcome, "abort");
  assert.deepEqual(ctx2.takeSent(), [{
    to: "tm",
    msg: { type: "Vote", txn: "t1", yes: false, epoch: 2 },
  }]);
});

function coordinator(storage?: MemoryStorage, forgetDecision = false) {
  const tm = new Coordinator({ forgetDecision });
  const ctx = new TestContext<CommitMsg, CoordinatorTimer>("tm", { storage });
  tm.onStart(ctx);
  return { tm, ctx };
}

Deno.test("2PC coordinator: all yes commits, written down before anyone hears; a restart sends it again", () => {
  const { tm, ctx } = coordinator();
  tm.onMessage(ctx, { type: "Commit", txn: "t1", participants: ["n1", "n2"] }, "c1");
  assert.deepEqual(ctx.takeSent().map((s) => s.msg.type), ["Prepare", "Prepare"]);
  tm.onMessage(ctx, { type: "Vote", txn: "t1", yes: true, epoch: 1 }, "n1");
  assert.equal(ctx.storage.get("commit/t1"), undefined);
  tm.onMessage(ctx, { type: "Vote", txn: "t1", yes: true, epoch: 1 }, "n2");
  assert.deepEqual(ctx.storage.get("commit/t1"), { participants: ["n1", "n2"] });
  ctx.takeSent();
  const { ctx: ctx2 } = coordinator(ctx.storage);
  assert.deepEqual(ctx2.takeSent(), [
    { to: "n1", msg: { type: "Decision", txn: "t1", outcome: "commit" } },
    { to: "n2", msg: { type: "Decision", txn: "t1", outcome: "commit" } },
  ]);
  // With the planted bug nothing is written, so a restart knows nothing.
  const { tm: bad, ctx: bctx } = coordinator(undefined, true);
  bad.onMessage(bctx, { type: "Commit", txn: "t1", participants: ["n1"] }, "c1");
  bad.onMessage(bctx, { type: "Vote", txn: "t1", yes: true, epoch: 1 }, "n1");
  assert.equal(bctx.storage.get("commit/t1"), undefined);
});

Deno.test("2PC coordinator: presumed abort; a no vote or silence aborts, and aborts are not written", () => {
  const { tm, ctx } = coordinator();
  // Asked about a transaction it has no record of: abort.
  tm.onMessage(ctx, { type: "DecisionRequest", txn: "t9" }, "n1");
  assert.deepEqual(ctx.takeSent(), [{
    to: "n1",
    msg: { type: "Decision", txn: "t9", outcome: "abort" },
  }]);
  tm.onMessage(ctx, { type: "Commit", txn: "t1", participants: ["n1", "n2"] }, "c1");
  ctx.takeSent();
  // Still collecting: no answer yet.
  tm.onMessage(ctx, { type: "DecisionRequest", txn: "t1" }, "n1");
  assert.deepEqual(ctx.takeSent(), []);
  ctx.advance(1000);
  ctx.fireDue(tm); // the vote timeout
  assert.ok(
    ctx.takeSent().some((s) =>
      s.to === "c1" && s.msg.type === "Outcome" && s.msg.outcome === "abort"
    ),
  );
  assert.deepEqual(ctx.storage.keys(), ["epoch"]);
  // A vote from a forgotten epoch is ignored.
  tm.onMessage(ctx, { type: "Commit", txn: "t2", participants: ["n1"] }, "c1");
  tm.onMessage(ctx, { type: "Vote", txn: "t2", yes: true, epoch: 0 }, "n1");
  assert.equal(ctx.storage.get("commit/t2"), undefined);
});

Deno.test("atomicity and validity checks read the participants' durable records and the clients' history", () => {
  const sim = new Simulation({ seed: 1 });
  for (const id of ["n1", "n2"]) sim.spawn(id, () => ({ onMessage() {} }));
  const rec = { participants: ["n1", "n2"], coordinator: "tm", epoch: 1 };
  sim.storage("n1").set("txn/t1", { ...rec, vote: "yes", outcome: "commit" });
  sim.storage("n2").set("txn/t1", { ...rec, vote: "yes", outcome: null });
  assert.deepEqual(atomicityViolations(sim, ["n1", "n2"]), []);
  assert.deepEqual(validityViolations(sim, ["n1", "n2"]), []);
  sim.storage("n2").set("txn/t1", { ...rec, vote: null, outcome: "abort" });
  assert.equal(atomicityViolations(sim, ["n1", "n2"])[0].check, "atomicity");
  assert.match(validityViolations(sim, ["n1", "n2"])[0].message, /n2 never voted/);
});

Deno.test("fault-tolerant 2PC: the first vote delivered for each participant counts; a suspect's no aborts", () => {
  const group = ["n1", "n2", "n3"];
  const p = new FtParticipant({ group, resource: YES, suspectMs: 300 });
  const ctx = new TestContext<FtMsg, FtTimer>("n1");
  p.onStart(ctx);
  ctx.deliver(p, { type: "Prepare", txn: "t1", participants: ["n1", "n2"], epoch: 0 }, "tm");
  assert.equal(p.records.get("t1")?.vote, "yes");
  // The vote goes to the total order broadcast: into the durable outbox first.
  assert.ok(ctx.storage.keys().some((k) => k.startsWith("paxos/out/")));
  // Deliver votes as the log would, in order.
  const deliver = (voter: string, yes: boolean, slot: number) =>
    p.paxos.layer.onMessage(p.paxos.context(ctx), {
      type: "Decide",
      slot,
      entry: {
        kind: "value",
        id: `x#${slot}`,
        origin: voter,
        value: { txn: "t1", participants: ["n1", "n2"], voter, yes, coordinator: "tm" },
      },
    }, "n3");
  deliver("n1", true, 1);
  assert.equal(p.records.get("t1")?.outcome, null);
  deliver("n2", false, 2); // n3 suspected n2 and voted no for it
  deliver("n2", true, 3); // n2's own yes comes too late: the first vote counts
  assert.equal(p.records.get("t1")?.outcome, "abort");
  assert.deepEqual(p.tallies.get("t1"), {
    participants: ["n1", "n2"],
    yes: ["n1"],
    outcome: "abort",
  });
});

Deno.test("fault-tolerant 2PC: with no vote in time, a participant votes no for the silent ones", () => {
  const p = new FtParticipant({ group: R, resource: YES, suspectMs: 300 });
  const ctx = new TestContext<FtMsg, FtTimer>("n1");
  p.onStart(ctx);
  ctx.deliver(p, { type: "Prepare", txn: "t1", participants: R, epoch: 0 }, "tm");
  const outbox = () => ctx.storage.keys().filter((k) => k.startsWith("paxos/out/")).length;
  assert.equal(outbox(), 1);
  ctx.fire(p, { type: "suspect", txn: "t1" });
  assert.equal(outbox(), 3); // no votes for n2 and n3; its own vote is already on its way
});

Deno.test("2pc and 2pc-ft: atomicity, validity and termination hold under random faults", () => {
  assertSeeds(twoPhaseCommit, { seeds: { from: 1, to: 150 } });
  assertSeeds(twoPhaseCommitFt, { seeds: { from: 1, to: 25 } });
  assertSeeds(twoPhaseCommit, {
    seeds: { from: 1, to: 40 },
    faults: "random:crash=8,partition=3,pause=3,duration=100",
    network: { loss: 0.2, duplicate: 0.1 },
  });
});

/** The coordinator crashes after the participants voted yes (fixed 10 ms links) and stays down. */
const BLOCKED = {
  seed: 1,
  network: { loss: 0, duplicate: 0, latency: { kind: "fixed" as const, ms: 10 } },
  faults: "@25 crash tm",
  flags: {
    clients: 1,
    txns: 1,
    "abort-chance": 0,
    "think-ms": 0,
    "without-coordinator": true,
  },
};

Deno.test("the blocking case: 2PC participants stay in doubt without their coordinator; 2PC-FT decides", () => {
  const blocked = runScenario(twoPhaseCommit, BLOCKED);
  assert.equal(blocked.violations[0].check, "termination");
  assert.match(
    blocked.violations[0].message,
    /still undecided \(tm down for good\)/,
  );
  assert.ok(blocked.summary.some((line) => /undecided c1\.1 \(in doubt\)/.test(line)));
  // When the coordinator comes back, its presumption (no commit record: abort) unblocks them.
  const recovered = runScenario(twoPhaseCommit, {
    ...BLOCKED,
    faults: "@25 crash tm; @500 restart tm",
    flags: { ...BLOCKED.flags, "without-coordinator": false },
  });
  assert.equal(recovered.ok, true);
  assert.match(recovered.summary[0], /aborted 1/);
  const ft = runScenario(twoPhaseCommitFt, BLOCKED);
  assert.equal(ft.ok, true);
  assert.match(ft.summary[0], /committed 1/);
});

Deno.test("the planted bug (the coordinator forgets its decision) is caught by the atomicity check", () => {
  const found = checkSeeds(twoPhaseCommit, {
    seeds: { from: 1, to: 100 },
    flags: { "forget-decision": true },
    faults: "random:crash=8,partition=1,pause=1,duration=100",
  });
  assert.equal(found.failures.length, 1, "no seed in 100 caught it");
  assert.equal(found.failures[0].violations[0].check, "atomicity");
});

Deno.test("2pc: a run is determined by its seed", () => {
  const one = runScenario(twoPhaseCommitFt, { seed: 4, trace: "hash" });
  assert.equal(runScenario(twoPhaseCommitFt, { seed: 4, trace: "hash" }).traceHash, one.traceHash);
});
