/**
 * What the Raft handler tests share: a server on a `TestContext`, started
 * and made leader the way a real election goes.
 *
 * @module
 */

import assert from "node:assert/strict";
import { type NodeId, TestContext } from "../actors/mod.ts";
import type { RaftMsg } from "../protocols/raft/messages.ts";
import { type RaftConfig, RaftNode, type RaftTimer } from "../protocols/raft/node.ts";

/** The context a Raft server runs on in these tests. */
export type RaftTestContext = TestContext<RaftMsg, RaftTimer>;

/** Server `self` of `config.servers`, started on a fresh context (`random()` always 0.5). */
export function startServer(
  config: RaftConfig,
  self: NodeId = "n1",
): { node: RaftNode; ctx: RaftTestContext } {
  const node = new RaftNode(config);
  const ctx: RaftTestContext = new TestContext(self, { random: [0.5] });
  node.onStart(ctx);
  return { node, ctx };
}

/** Fires `node`'s election timer after its timeout: it asks for pre-votes. */
export function timeOut(node: RaftNode, ctx: RaftTestContext): void {
  ctx.advance(300);
  ctx.fire(node, "election");
}

/** An AppendEntries success from `from` acknowledging `matchIndex`. */
export function ack(
  node: RaftNode,
  ctx: RaftTestContext,
  from: NodeId,
  matchIndex: number,
  seq = 1,
): void {
  node.onMessage(ctx, {
    type: "AppendEntriesReply",
    term: node.currentTerm,
    success: true,
    matchIndex,
    seq,
  }, from);
}

/**
 * n1 of `servers` (default n1..n3), elected leader of term 1 with every
 * other server's pre-vote and vote; unless `ackNoop` is false, every
 * follower has acknowledged the no-op at index 1. Nothing sent is kept.
 */
export function electedLeader(
  options: Omit<RaftConfig, "servers"> & { servers?: readonly NodeId[]; ackNoop?: boolean } = {},
): { node: RaftNode; ctx: RaftTestContext } {
  const { ackNoop = true, servers = ["n1", "n2", "n3"], ...config } = options;
  const { node, ctx } = startServer({ snapshotEvery: 0, ...config, servers });
  timeOut(node, ctx);
  const others = servers.filter((id) => id !== "n1");
  for (const v of others) node.onMessage(ctx, { type: "PreVoteReply", term: 1, granted: true }, v);
  for (const v of others) {
    node.onMessage(ctx, { type: "RequestVoteReply", term: 1, granted: true }, v);
  }
  assert.equal(node.role, "leader");
  if (ackNoop) { for (const v of others) ack(node, ctx, v, 1); }
  ctx.takeSent();
  return { node, ctx };
}
