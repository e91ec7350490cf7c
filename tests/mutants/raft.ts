/**
 * Mutants of Raft: elections, log replication, commitment, persistence.
 *
 * @module
 */

import type { Mutant } from "./mutant.ts";

/** Raft mistakes. */
export const raftMutants: Mutant[] = [
  {
    name: "raft-vote-no-log-check",
    protocol: "raft",
    mistake: "a vote is granted without checking the candidate's log is at least as up to date",
    scenario: "raft",
    edits: [{
      file: "protocols/raft/node.ts",
      find: "if (canVote && upToDate) {",
      replace: "if (canVote) {",
    }],
  },
  {
    name: "raft-vote-not-saved",
    protocol: "raft",
    mistake: "the vote is not persisted before the reply grants it",
    scenario: "raft",
    edits: [{
      file: "protocols/raft/node.ts",
      find: "        this.#saveHardState(ctx); // persist the vote before granting it\n",
      replace: "",
    }],
  },
  {
    name: "raft-vote-twice",
    protocol: "raft",
    mistake: "a server votes for any candidate while it knows no leader, not once per term",
    scenario: "raft",
    edits: [{
      file: "protocols/raft/node.ts",
      find: "(this.#votedFor === null && this.#leaderId === null)",
      replace: "this.#leaderId === null",
    }],
  },
  {
    name: "raft-commit-previous-term",
    protocol: "raft",
    mistake: "a leader commits an entry of an earlier term by counting replicas (Figure 8)",
    scenario: "raft",
    edits: [{
      file: "protocols/raft/node.ts",
      find:
        "    if (this.#log.term(n) !== this.#currentTerm && !this.config.unsafeCommitPreviousTerms) return;\n",
      replace: "",
    }],
  },
  {
    name: "raft-read-no-quorum",
    protocol: "raft",
    mistake: "a ReadIndex read is served without waiting for a majority to confirm the leader",
    scenario: "raft",
    edits: [{
      file: "protocols/raft/read_only.ts",
      find: "while (k < waiting.length && quorumAfter(waiting[k].after)) k++;",
      replace: "while (k < waiting.length) k++;",
    }],
  },
  {
    name: "raft-truncate-on-match",
    protocol: "raft",
    mistake: "AppendEntries truncates the log at the first entry it already holds, even when " +
      "the terms agree, so a late, shorter message cuts off entries already acknowledged",
    scenario: "raft",
    edits: [{
      file: "protocols/raft/log.ts",
      find: "if (mine !== entries[i].term) {",
      replace: "if (mine !== undefined) {",
    }],
  },
  {
    name: "raft-follower-commit-no-min",
    protocol: "raft",
    mistake: "a follower takes the leader's commit index without capping it at its last new entry",
    scenario: "raft",
    edits: [{
      file: "protocols/raft/node.ts",
      find: "const commit = Math.min(msg.leaderCommit, lastNew);",
      replace: "const commit = msg.leaderCommit;",
    }],
  },
  {
    name: "raft-leader-keeps-term",
    protocol: "raft",
    mistake: "a leader does not step down when it sees a higher term",
    scenario: "raft",
    edits: [{
      file: "protocols/raft/node.ts",
      find: "    if (msg.term > this.#currentTerm) {\n      const vote",
      replace:
        '    if (msg.term > this.#currentTerm && this.#role !== "leader") {\n      const vote',
    }],
  },
];
