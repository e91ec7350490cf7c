/**
 * Paxos (issue 14, item 6): single-decree Paxos and Multi-Paxos with a
 * distinguished proposer, their handlers one at a time, and the `paxos`
 * scenario checked for agreement, validity and termination under faults.
 *
 * @module
 */

import assert from "node:assert/strict";
import { TestContext } from "../actors/test_context.ts";
import { compareBallots } from "../protocols/paxos/ballot.ts";
import {
  type LogEntry,
  MultiPaxos,
  type MultiPaxosMsg,
  type MultiPaxosTimer,
  type PaxosDelivery,
} from "../protocols/paxos/multi_paxos.ts";
import { paxos } from "../protocols/paxos/scenario.ts";
import { type PaxosMsg, PaxosNode, type PaxosTimer } from "../protocols/paxos/single_decree.ts";
import { runScenario } from "../sim/scenario.ts";
import { assertSeeds, checkSeeds } from "../sim/testing.ts";

const NODES = ["n1", "n2", "n3"];
const b = (round: number, node: string) => ({ round, node });

Deno.test("ballots order by round, then by node; none is below every ballot", () => {
  assert.ok(compareBallots(b(1, "n9"), b(2, "n1")) < 0);
  assert.ok(compareBallots(b(2, "n2"), b(2, "n1")) > 0);
  assert.equal(compareBallots(b(2, "n2"), b(2, "n2")), 0);
  assert.ok(compareBallots(null, b(0, "n1")) < 0);
});

Deno.test("single-decree acceptor: promises durably, refuses lower ballots, reports what it accepted", () => {
  const node = new PaxosNode({ nodes: NODES });
  const ctx = new TestContext<PaxosMsg, PaxosTimer>("n2");
  node.onStart(ctx);
  ctx.deliver(node, { type: "Prepare", ballot: b(2, "n1") }, "n1");
  assert.deepEqual(ctx.takeSent(), [
    { to: "n1", msg: { type: "Promise", ballot: b(2, "n1"), accepted: null } },
  ]);
  ctx.deliver(node, { type: "Accept", ballot: b(2, "n1"), value: "A" }, "n1");
  assert.deepEqual(ctx.storage.get("accepted"), { ballot: b(2, "n1"), value: "A" });
  ctx.takeSent();
  // A lower ballot is refused, naming the promise.
  ctx.deliver(node, { type: "Prepare", ballot: b(1, "n3") }, "n3");
  assert.deepEqual(ctx.takeSent(), [
    { to: "n3", msg: { type: "Nack", ballot: b(1, "n3"), promised: b(2, "n1") } },
  ]);
  // A restarted acceptor keeps its word: the promise and the accepted value come back.
  const again = new PaxosNode({ nodes: NODES });
  const ctx2 = new TestContext<PaxosMsg, PaxosTimer>("n2", { storage: ctx.storage });
  again.onStart(ctx2);
  ctx2.deliver(again, { type: "Prepare", ballot: b(3, "n3") }, "n3");
  assert.deepEqual(ctx2.takeSent(), [
    {
      to: "n3",
      msg: { type: "Promise", ballot: b(3, "n3"), accepted: { ballot: b(2, "n1"), value: "A" } },
    },
  ]);
});

Deno.test("single-decree proposer: proposes the highest-ballot accepted value, not its own", () => {
  const node = new PaxosNode({ nodes: NODES, propose: { value: "mine", atMs: 0 } });
  const ctx = new TestContext<PaxosMsg, PaxosTimer>("n1");
  node.onStart(ctx);
  ctx.fire(node, { type: "retry" });
  const ballot = node.ballot!;
  assert.equal(ballot.round, 1);
  assert.equal(ctx.storage.get("round"), 1); // durable before any Prepare leaves
  ctx.takeSent();
  ctx.deliver(
    node,
    { type: "Promise", ballot, accepted: { ballot: b(0, "n3"), value: "old" } },
    "n2",
  );
  ctx.deliver(node, { type: "Promise", ballot, accepted: null }, "n3");
  const accepts = ctx.takeSent().map((s) => s.msg);
  assert.equal(accepts.length, 3);
  assert.ok(accepts.every((m) => m.type === "Accept" && m.value === "old"));
  // The planted bug proposes its own value instead.
  const buggy = new PaxosNode({
    nodes: NODES,
    propose: { value: "mine", atMs: 0 },
    unsafeIgnoreAccepted: true,
  });
  const bctx = new TestContext<PaxosMsg, PaxosTimer>("n1");
  buggy.onStart(bctx);
  bctx.fire(buggy, { type: "retry" });
  bctx.takeSent();
  const bb = buggy.ballot!;
  bctx.deliver(buggy, {
    type: "Promise",
    ballot: bb,
    accepted: { ballot: b(0, "n3"), value: "old" },
  }, "n2");
  bctx.deliver(buggy, { type: "Promise", ballot: bb, accepted: null }, "n3");
  assert.ok(bctx.takeSent().every((s) => s.msg.type === "Accept" && s.msg.value === "mine"));
});

Deno.test("single-decree proposer: a restarted proposer never reuses a ballot", () => {
  const ctx = new TestContext<PaxosMsg, PaxosTimer>("n1");
  const first = new PaxosNode({ nodes: NODES, propose: { value: "v", atMs: 0 } });
  first.onStart(ctx);
  ctx.fire(first, { type: "retry" });
  const again = new PaxosNode({ nodes: NODES, propose: { value: "w", atMs: 0 } });
  const ctx2 = new TestContext<PaxosMsg, PaxosTimer>("n1", { storage: ctx.storage });
  again.onStart(ctx2);
  ctx2.fire(again, { type: "retry" });
  assert.ok(compareBallots(again.ballot, first.ballot) > 0);
});

Deno.test("single-decree learner: a majority of Accepted in one ballot decides", () => {
  const node = new PaxosNode({ nodes: NODES });
  const ctx = new TestContext<PaxosMsg, PaxosTimer>("n3");
  node.onStart(ctx);
  ctx.deliver(node, { type: "Accepted", ballot: b(1, "n1"), value: "A" }, "n1");
  assert.equal(node.decided, null);
  ctx.deliver(node, { type: "Accepted", ballot: b(1, "n1"), value: "A" }, "n1"); // a duplicate
  assert.equal(node.decided, null);
  ctx.deliver(node, { type: "Accepted", ballot: b(1, "n1"), value: "A" }, "n2");
  assert.equal(node.decided, "A");
  assert.equal(ctx.storage.get("decided"), "A");
  ctx.deliver(node, { type: "WhatDecided" }, "n1");
  assert.deepEqual(ctx.takeSent().at(-1), { to: "n1", msg: { type: "Decided", value: "A" } });
});

type Ctx = TestContext<MultiPaxosMsg<string>, MultiPaxosTimer>;

/** A Multi-Paxos layer on `self` with a recording context and its deliveries. */
function layer(self: string) {
  const got: PaxosDelivery<string>[] = [];
  const paxos = new MultiPaxos<string>({ nodes: NODES, deliver: (_h, d) => void got.push(d) });
  const ctx: Ctx = new TestContext(self);
  paxos.onStart(ctx);
  return { paxos, ctx, got };
}

Deno.test("Multi-Paxos: a new leader re-proposes the highest-ballot value each promise reports, and fills gaps with no-ops", () => {
  const { paxos, ctx } = layer("n1");
  ctx.advance(500);
  ctx.fire(paxos, { type: "election" });
  const ballot = paxos.ballot!;
  assert.deepEqual(
    ctx.takeSent().map((s) => s.msg),
    NODES.map(() => ({ type: "Prepare", ballot, from: 1 })),
  );
  const v = (id: string): LogEntry<string> => ({ kind: "value", id, origin: "n2", value: id });
  ctx.deliver(paxos, {
    type: "Promise",
    ballot,
    accepted: [{ slot: 1, ballot: b(0, "n2"), entry: v("n2#1") }],
  }, "n2");
  ctx.deliver(paxos, {
    type: "Promise",
    ballot,
    accepted: [
      { slot: 1, ballot: b(0, "n3"), entry: v("n2#9") },
      { slot: 3, ballot: b(0, "n3"), entry: v("n2#3") },
    ],
  }, "n3");
  assert.equal(paxos.role, "leader");
  const accepts = ctx.takeSent().filter((s) => s.to === "n2" && s.msg.type === "Accept")
    .map((s) => s.msg as Extract<MultiPaxosMsg<string>, { type: "Accept" }>);
  const bySlot = new Map(
    accepts.map((m) => [m.slot, m.entry.kind === "value" ? m.entry.id : "noop"]),
  );
  assert.deepEqual([...bySlot], [
    [1, "n2#9"], // 0.n3 > 0.n2
    [2, "noop"],
    [3, "n2#3"],
  ]);
});

Deno.test("Multi-Paxos: a majority of Accepted decides a slot; decisions are delivered in slot order, each id once", () => {
  const { paxos, ctx, got } = layer("n2");
  const v = (id: string): LogEntry<string> => ({ kind: "value", id, origin: "n1", value: id });
  paxos.onMessage(ctx, { type: "Decide", slot: 2, entry: v("n1#2") }, "n1");
  assert.equal(got.length, 0); // slot 1 is not decided yet
  paxos.onMessage(ctx, { type: "Decide", slot: 3, entry: v("n1#2") }, "n1"); // a resend logged twice
  paxos.onMessage(ctx, { type: "Decide", slot: 1, entry: v("n1#1") }, "n1");
  assert.deepEqual(got.map((d) => [d.slot, d.id]), [[1, "n1#1"], [2, "n1#2"]]);
  assert.equal(paxos.delivered, 3);
  // After a restart the log is durable and nothing is delivered again.
  const again = new MultiPaxos<string>({ nodes: NODES, deliver: () => assert.fail("redelivered") });
  again.onStart(new TestContext("n2", { storage: ctx.storage }));
  assert.equal(again.prefix, 3);
});

Deno.test("Multi-Paxos: a broadcast stays in the durable outbox until decided", () => {
  const { paxos, ctx } = layer("n3");
  paxos.broadcast(ctx, "hello");
  assert.deepEqual(ctx.storage.get("out/n3#1"), {
    kind: "value",
    id: "n3#1",
    origin: "n3",
    value: "hello",
  });
  // A heartbeat names the leader; the outbox goes to it.
  paxos.onMessage(ctx, { type: "Heartbeat", ballot: b(1, "n1"), decided: 0 }, "n1");
  assert.ok(ctx.takeSent().some((s) => s.to === "n1" && s.msg.type === "Forward"));
  paxos.onMessage(ctx, {
    type: "Decide",
    slot: 1,
    entry: { kind: "value", id: "n3#1", origin: "n3", value: "hello" },
  }, "n1");
  assert.equal(ctx.storage.get("out/n3#1"), undefined);
});

Deno.test("paxos scenario: agreement, validity and termination hold under faults, both modes", () => {
  assertSeeds(paxos, { seeds: { from: 1, to: 60 } });
  assertSeeds(paxos, { seeds: { from: 1, to: 150 }, flags: { mode: "single" } });
  assertSeeds(paxos, {
    seeds: { from: 1, to: 20 },
    nodes: 3,
    faults: "random:crash=5,partition=3,pause=3",
    network: { loss: 0.2, duplicate: 0.1 },
  });
});

Deno.test("paxos scenario: the planted bug (ignoring accepted values) is caught by the agreement check", () => {
  for (const mode of ["single", "multi"] as const) {
    const found = checkSeeds(paxos, {
      seeds: { from: 1, to: 200 },
      flags: { mode, "ignore-accepted": true },
    });
    assert.equal(found.failures.length, 1, `${mode}: no seed in 200 caught it`);
    assert.equal(found.failures[0].violations[0].check, "agreement");
  }
});

Deno.test("paxos scenario: a run is determined by its seed", () => {
  const one = runScenario(paxos, { seed: 9, trace: "hash" });
  const two = runScenario(paxos, { seed: 9, trace: "hash" });
  assert.equal(one.traceHash, two.traceHash);
  assert.notEqual(runScenario(paxos, { seed: 10, trace: "hash" }).traceHash, one.traceHash);
});
