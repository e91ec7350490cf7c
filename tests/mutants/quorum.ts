/**
 * Mutants of quorum replication and the ABD register.
 *
 * @module
 */

import type { Mutant } from "./mutant.ts";

/** Quorum and ABD mistakes. */
export const quorumMutants: Mutant[] = [
  {
    name: "abd-read-no-write-back",
    protocol: "quorum",
    mistake: "an ABD read returns the newest value it saw without writing it back to a quorum",
    scenario: "abd",
    edits: [{
      file: "protocols/quorum/abd.ts",
      find: "return this.#writeBack(ctx, op.key, latest, round.answers);",
      replace: 'return this.finish(ctx, latest.value, "ok");',
    }],
  },
  {
    name: "abd-write-no-query",
    protocol: "quorum",
    mistake: "every ABD write skips the query round and uses the writer's own counter " +
      "(right only with a single writer)",
    scenario: "abd",
    edits: [{
      file: "protocols/quorum/abd.ts",
      find: 'if (op.f === "write" && this.singleWriter)',
      replace: 'if (op.f === "write")',
    }],
  },
  {
    name: "quorum-half-rounded-up",
    protocol: "quorum",
    mistake: "the majority quorum is computed as ceil(n/2), which is a majority only for odd n",
    scenario: "abd",
    edits: [{
      file: "protocols/quorum/scenarios.ts",
      find: "const majority = Math.floor(n / 2) + 1;",
      replace: "const majority = Math.ceil(n / 2);",
    }],
  },
  {
    name: "replica-takes-older-write",
    protocol: "quorum",
    mistake: "a replica stores any write whose timestamp differs from its own, older ones too",
    scenario: "abd",
    edits: [{
      file: "protocols/quorum/replica.ts",
      find: "if (compareTimestamps(msg.ts, this.get(msg.key).ts) > 0) {",
      replace: "if (compareTimestamps(msg.ts, this.get(msg.key).ts) !== 0) {",
    }],
  },
  {
    name: "timestamp-no-writer-tiebreak",
    protocol: "quorum",
    mistake: "two writes with the same counter compare equal: the writer id does not break the tie",
    scenario: "abd",
    edits: [{
      file: "protocols/quorum/messages.ts",
      find: "return a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0;",
      replace: "return 0;",
    }],
  },
  {
    name: "round-takes-stale-reply",
    protocol: "quorum",
    mistake: "a client counts replies without matching them to its current request",
    scenario: "abd",
    edits: [{
      file: "protocols/quorum/round_client.ts",
      find: "if (round === null || round.request.req !== req || round.answers.has(from)) return;",
      replace: "if (round === null || round.answers.has(from)) return;",
    }],
  },
];
