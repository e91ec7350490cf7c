/**
 * Short labels for Raft messages on a space-time diagram, so an arrow says
 * what matters in a few words: `append t2 @5/1 +3 c4` is an AppendEntries of
 * term 2 after entry 5 (term 1) with 3 entries and leaderCommit 4.
 *
 * @module
 */

import type { RaftMsg } from "./messages.ts";

/**
 * A compact label for a Raft message, for `renderDiagram`'s `label` option.
 * Anything that is not a Raft message gets its JSON text.
 *
 * @example
 * ```ts
 * import { raftMessageLabel } from "./labels.ts";
 * import assert from "node:assert/strict";
 * assert.equal(raftMessageLabel({ type: "RequestVoteReply", term: 3, granted: true }), "vote yes t3");
 * ```
 */
export function raftMessageLabel(msg: unknown): string {
  if (msg === null || typeof msg !== "object" || !("type" in msg)) return JSON.stringify(msg);
  const m = msg as RaftMsg;
  switch (m.type) {
    case "PreVote":
      return `prevote? t${m.term} last ${m.lastLogIndex}/${m.lastLogTerm}`;
    case "PreVoteReply":
      return `prevote ${m.granted ? "yes" : "no"} t${m.term}`;
    case "RequestVote":
      return `vote? t${m.term} last ${m.lastLogIndex}/${m.lastLogTerm}${m.transfer ? " now" : ""}`;
    case "RequestVoteReply":
      return `vote ${m.granted ? "yes" : "no"} t${m.term}`;
    case "AppendEntries":
      return `${
        m.entries.length === 0 ? "heartbeat" : "append"
      } t${m.term} @${m.prevLogIndex}/${m.prevLogTerm}` +
        `${m.entries.length === 0 ? "" : ` +${m.entries.length}`} c${m.leaderCommit}`;
    case "AppendEntriesReply":
      return m.success
        ? `ok ${m.matchIndex} t${m.term}`
        : `reject @${m.prevLogIndex} hint ${m.conflictIndex}/${m.conflictTerm} t${m.term}`;
    case "InstallSnapshot":
      return `snapshot t${m.term} to ${m.snapshot.lastIncludedIndex}/${m.snapshot.lastIncludedTerm}`;
    case "InstallSnapshotReply":
      return `snapshot ok ${m.matchIndex} t${m.term}`;
    case "TimeoutNow":
      return "timeout now";
    case "ConfChangeRequest":
      return `#${m.id} ${m.change.op} ${m.change.node}?`;
    case "ConfChangeReply":
      return m.ok ? `#${m.id} changed at ${m.index}` : `#${m.id} refused: ${m.reason}`;
    case "TransferLeadership":
      return `transfer to ${m.to}?`;
    case "TakeSnapshot":
      return `snapshot through ${m.index}!`;
    case "ClientRequest": {
      const op = m.op;
      const body = op.f === "get"
        ? `get ${op.key}${m.read === "read-index" ? " (index)" : ""}`
        : op.f === "cas"
        ? `cas ${op.key} ${op.from}→${op.to}`
        : `${op.f} ${op.key} ${op.value}`;
      return `#${m.seq} ${body}`;
    }
    case "ClientReply":
      return `#${m.seq} → ${JSON.stringify(m.result)}`;
    case "NotLeader":
      return `#${m.seq} not leader${m.leaderHint === null ? "" : `, try ${m.leaderHint}`}`;
    default: {
      const never: never = m;
      return JSON.stringify(never);
    }
  }
}
