/**
 * The messages of two-phase commit (lecture 7.1), between the client that
 * wants a transaction committed, the coordinator (transaction manager) and
 * the participants (resource managers, e.g. the shards a transaction wrote
 * to). The fault-tolerant variant (`ft_commit.ts`) uses the same messages
 * around its consensus layer.
 *
 * @module
 */

import type { NodeId } from "../../actors/mod.ts";

/**
 * A transaction's id: `<client>.<k>` for the client's k-th transaction.
 *
 * @example
 * ```ts
 * import type { TxnId } from "./messages.ts";
 * import assert from "node:assert/strict";
 * const t: TxnId = "c1.3";
 * assert.equal(t.split(".")[0], "c1");
 * ```
 */
export type TxnId = string;

/**
 * How a transaction ends: everywhere the same, or the protocol is broken.
 *
 * @example
 * ```ts
 * import type { Outcome } from "./messages.ts";
 * import assert from "node:assert/strict";
 * const o: Outcome = "commit";
 * assert.equal(o, "commit");
 * ```
 */
export type Outcome = "commit" | "abort";

/**
 * Two-phase commit's messages.
 *
 * @example
 * ```ts
 * import type { CommitMsg } from "./messages.ts";
 * import assert from "node:assert/strict";
 * const m: CommitMsg = { type: "Prepare", txn: "c1.1", participants: ["n1", "n2"], epoch: 1 };
 * assert.equal(m.participants.length, 2);
 * ```
 */
export type CommitMsg =
  /** Client to coordinator: "commit `txn`, which touched `participants`". */
  | { type: "Commit"; txn: TxnId; participants: NodeId[] }
  /** Coordinator to client: how it ended. */
  | { type: "Outcome"; txn: TxnId; outcome: Outcome }
  /**
   * Phase 1, coordinator to participant: "can you commit?" `epoch` counts
   * the coordinator's restarts: a Prepare from a later epoch than the one a
   * participant voted in means the coordinator lost that attempt.
   */
  | { type: "Prepare"; txn: TxnId; participants: NodeId[]; epoch: number }
  /** Phase 1, participant to coordinator: yes (prepared, durably) or no, in `epoch`. */
  | { type: "Vote"; txn: TxnId; yes: boolean; epoch: number }
  /** Phase 2: the decision, from the coordinator, or from a peer that knows it. */
  | { type: "Decision"; txn: TxnId; outcome: Outcome }
  /** Participant to coordinator: the decision is durable here. */
  | { type: "Ack"; txn: TxnId }
  /** An in-doubt participant asks the coordinator and the other participants. */
  | { type: "DecisionRequest"; txn: TxnId };

/**
 * What a participant keeps durably about one transaction, under
 * `txn/<id>`: the checkers read these records.
 *
 * @example
 * ```ts
 * import type { TxnRecord } from "./messages.ts";
 * import assert from "node:assert/strict";
 * const r: TxnRecord = {
 *   participants: ["n1", "n2"], coordinator: "tm", epoch: 1, vote: "yes", outcome: null,
 * };
 * assert.equal(r.outcome, null); // voted yes, no decision yet: in doubt
 * ```
 */
export interface TxnRecord {
  /** Every participant of the transaction. */
  participants: NodeId[];
  /** Who asked for the vote. */
  coordinator: NodeId;
  /** The coordinator's epoch the vote was given in (0 before voting). */
  epoch: number;
  /** This participant's vote, or null before it voted. */
  vote: "yes" | "no" | null;
  /** The decision as this participant knows it, or null. */
  outcome: Outcome | null;
}

/**
 * The storage key of a transaction's record.
 *
 * @example
 * ```ts
 * import { recordKey } from "./messages.ts";
 * import assert from "node:assert/strict";
 * assert.equal(recordKey("c1.2"), "txn/c1.2");
 * ```
 */
export function recordKey(txn: TxnId): string {
  return `txn/${txn}`;
}

/**
 * Whether a participant is in doubt: it voted yes and has no decision, so
 * it may neither commit nor abort on its own.
 *
 * @example
 * ```ts
 * import { inDoubt } from "./messages.ts";
 * import assert from "node:assert/strict";
 * const voted = { participants: ["n1"], coordinator: "tm", epoch: 1, outcome: null };
 * assert.equal(inDoubt({ ...voted, vote: "yes" }), true);
 * assert.equal(inDoubt({ ...voted, vote: "no" }), false);
 * ```
 */
export function inDoubt(record: TxnRecord): boolean {
  return record.vote === "yes" && record.outcome === null;
}
