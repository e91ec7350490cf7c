/**
 * Linearizable reads by ReadIndex (dissertation §6.4; etcd's `read_only.go`),
 * without writing to the log:
 *
 * 1. The leader needs an entry of its own term committed, so that its
 *    commit index is the cluster's latest (the no-op of §8 does it).
 * 2. It saves its commit index as the read's index.
 * 3. It sends a round of heartbeats; once a majority answered one sent after
 *    the read arrived, no newer leader had taken over by then.
 * 4. Once it has applied up to the read index, it reads its state machine.
 *
 * Heartbeats carry a sequence number (`seq`) that followers echo, so the
 * leader knows what each follower has answered; this queue only needs the
 * highest echoed `seq` per follower.
 *
 * @module
 */

import type { NodeId } from "../../actors/mod.ts";

/**
 * A read waiting to be served.
 *
 * @example
 * ```ts
 * import type { PendingRead } from "./read_only.ts";
 * import assert from "node:assert/strict";
 * const r: PendingRead<string> = { client: "c1", seq: 4, op: "x", index: 0, after: 0 };
 * assert.equal(r.client, "c1");
 * ```
 */
export interface PendingRead<C> {
  /** Who asked. */
  client: NodeId;
  /** The client's sequence number for it. */
  seq: number;
  /** The read-only command. */
  op: C;
  /** The read index: the leader's commitIndex when the read's heartbeat round started. */
  index: number;
  /** Echoes of a `seq` above this confirm leadership after the read arrived. */
  after: number;
}

/**
 * The leader's ReadIndex queues: reads waiting for a commit of the leader's
 * term, for a quorum of heartbeat answers, and for the state machine to
 * catch up. Each queue is in arrival order and served from its head.
 *
 * @example
 * ```ts
 * import { ReadOnly } from "./read_only.ts";
 * import assert from "node:assert/strict";
 * const ro = new ReadOnly<string>();
 * ro.confirm([{ client: "c1", seq: 1, op: "x", index: 0, after: 0 }], 5, 10);
 * // A majority echoed seq 11: leadership confirmed; the read waits for apply 5.
 * ro.advance((after) => after < 11);
 * assert.deepEqual(ro.ready(4), []);
 * assert.equal(ro.ready(5)[0].op, "x");
 * ```
 */
export class ReadOnly<C> {
  #awaitingCommit: PendingRead<C>[] = [];
  #awaitingQuorum: PendingRead<C>[] = [];
  #awaitingApply: PendingRead<C>[] = [];

  /** Reads not yet answered. */
  get size(): number {
    return this.#awaitingCommit.length + this.#awaitingQuorum.length +
      this.#awaitingApply.length;
  }

  /** The reads waiting at each step, as plain data (for the server's `inspect`). */
  inspect(): { commit: PendingRead<C>[]; quorum: PendingRead<C>[]; apply: PendingRead<C>[] } {
    return {
      commit: [...this.#awaitingCommit],
      quorum: [...this.#awaitingQuorum],
      apply: [...this.#awaitingApply],
    };
  }

  /** Step 1 not met yet: park the read until the leader commits an entry of its term. */
  awaitCommit(read: PendingRead<C>): void {
    this.#awaitingCommit.push(read);
  }

  /** The parked reads, now that step 1 is met (the caller confirms them). */
  takeAwaitingCommit(): PendingRead<C>[] {
    const reads = this.#awaitingCommit;
    this.#awaitingCommit = [];
    return reads;
  }

  /** Steps 2 and 3: the reads get `commitIndex` as their index, and wait for echoes above `seq`. */
  confirm(reads: readonly PendingRead<C>[], commitIndex: number, seq: number): void {
    for (const read of reads) {
      read.index = commitIndex;
      read.after = seq;
      this.#awaitingQuorum.push(read);
    }
  }

  /** Moves the reads whose heartbeat round a quorum answered (`quorumAfter(after)`) on to step 4. */
  advance(quorumAfter: (after: number) => boolean): void {
    const waiting = this.#awaitingQuorum;
    let k = 0;
    while (k < waiting.length && quorumAfter(waiting[k].after)) k++;
    if (k === 0) return;
    for (const read of waiting.splice(0, k)) this.#awaitingApply.push(read);
  }

  /** Step 4: the confirmed reads whose index is at most `lastApplied`, removed from the queue. */
  ready(lastApplied: number): PendingRead<C>[] {
    const q = this.#awaitingApply;
    let k = 0;
    while (k < q.length && q[k].index <= lastApplied) k++;
    return k === 0 ? [] : q.splice(0, k);
  }

  /** Every read not yet answered, and the queues emptied (the leader steps down). */
  drain(): PendingRead<C>[] {
    const all = [...this.#awaitingCommit, ...this.#awaitingQuorum, ...this.#awaitingApply];
    this.#awaitingCommit = [];
    this.#awaitingQuorum = [];
    this.#awaitingApply = [];
    return all;
  }
}
