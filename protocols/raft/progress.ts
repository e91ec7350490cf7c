/**
 * What a leader knows about each follower, and how fast it may send to it:
 * etcd's `tracker/progress.go` and `tracker/inflights.go`.
 *
 * A follower's progress is in one of three states:
 *
 * - `probe`: the leader does not know where the logs match; it sends one
 *   AppendEntries at a time and waits for the answer (or the next
 *   heartbeat) before sending another, backing `next` off on rejections.
 * - `replicate`: the logs match through `match`; entries stream to the
 *   follower without waiting, `next` moves ahead optimistically, and the
 *   in-flight window caps how much is outstanding (flow control).
 * - `snapshot`: the entries the follower needs are compacted away; an
 *   InstallSnapshot is on its way and nothing else is sent until it lands.
 *
 * @module
 */

import { assert } from "./assert.ts";

/**
 * The replication state of one follower.
 *
 * @example
 * ```ts
 * import type { ProgressState } from "./progress.ts";
 * import assert from "node:assert/strict";
 * const s: ProgressState = "replicate";
 * assert.equal(s, "replicate");
 * ```
 */
export type ProgressState = "probe" | "replicate" | "snapshot";

/**
 * A bounded window of AppendEntries in flight to one follower, by the last
 * index each carried and its size in bytes (etcd's `Inflights`). Full when
 * it holds `maxCount` messages or `maxBytes` bytes; acknowledgements free
 * every message up to the acknowledged index. A ring buffer: no allocation
 * after the first fill.
 *
 * @example
 * ```ts
 * import { Inflights } from "./progress.ts";
 * import assert from "node:assert/strict";
 * const w = new Inflights(2, 1000);
 * w.add(5, 100);
 * w.add(9, 100);
 * assert.equal(w.full, true);
 * w.freeLE(5);
 * assert.deepEqual([w.count, w.bytes, w.full], [1, 100, false]);
 * ```
 */
export class Inflights {
  /** Most messages in flight. */
  readonly maxCount: number;
  /** Most bytes in flight. */
  readonly maxBytes: number;
  #index: number[] = [];
  #size: number[] = [];
  #start = 0;
  #count = 0;
  #bytes = 0;

  /** An empty window of `maxCount` messages and `maxBytes` bytes. */
  constructor(maxCount: number, maxBytes: number) {
    assert(maxCount >= 1 && maxBytes >= 1, "an in-flight window needs room for one message");
    this.maxCount = maxCount;
    this.maxBytes = maxBytes;
  }

  /** Messages in flight. */
  get count(): number {
    return this.#count;
  }

  /** Bytes in flight. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Whether no more messages may be sent until some are acknowledged. */
  get full(): boolean {
    return this.#count >= this.maxCount || this.#bytes >= this.maxBytes;
  }

  /** Records a message carrying entries up to `index`, of `bytes` bytes. */
  add(index: number, bytes: number): void {
    assert(!this.full, "a message was sent through a full in-flight window");
    // The arrays grow to maxCount on the first fill, then the ring reuses them.
    const at = (this.#start + this.#count) % this.maxCount;
    if (at === this.#index.length) {
      this.#index.push(index);
      this.#size.push(bytes);
    } else {
      this.#index[at] = index;
      this.#size[at] = bytes;
    }
    this.#count++;
    this.#bytes += bytes;
  }

  /** Frees every message whose last index is at most `index` (they were acknowledged). */
  freeLE(index: number): void {
    const cap = this.maxCount;
    while (this.#count > 0 && this.#index[this.#start] <= index) {
      this.#bytes -= this.#size[this.#start];
      this.#start = (this.#start + 1) % cap;
      this.#count--;
    }
    if (this.#count === 0) this.#start = 0;
  }

  /** Frees the oldest message: a heartbeat reply shows the follower is alive, so try again. */
  freeFirstOne(): void {
    if (this.#count === 0) return;
    this.freeLE(this.#index[this.#start]);
  }

  /** Forgets every message in flight. */
  reset(): void {
    this.#start = this.#count = this.#bytes = 0;
  }
}

/**
 * What a leader knows about one follower or learner (etcd's `Progress`):
 * Figure 2's `matchIndex` and `nextIndex`, the replication state, and the
 * in-flight window.
 *
 * @example
 * ```ts
 * import { Progress } from "./progress.ts";
 * import assert from "node:assert/strict";
 * const pr = new Progress(11, { maxInflight: 4, maxInflightBytes: 1 << 20 });
 * assert.equal(pr.maybeUpdate(10), true); // the follower has everything through 10
 * pr.becomeReplicate();
 * pr.sentEntries(14, 200); // stream 11..14 without waiting
 * assert.deepEqual([pr.match, pr.next, pr.inflights.count], [10, 15, 1]);
 * ```
 */
export class Progress {
  /** Figure 2's matchIndex: the highest index known to match the leader's log. */
  match = 0;
  /** Figure 2's nextIndex: the next entry to send. */
  next: number;
  /** Probe, replicate or snapshot (see the module). */
  state: ProgressState = "probe";
  /** In `probe`: an AppendEntries is out; wait for its answer or the next heartbeat. */
  probeSent = false;
  /** In `snapshot`: the index of the snapshot on its way. */
  pendingSnapshot = 0;
  /** Local time the leader last heard from this follower (-Infinity: not in this term). */
  lastHeardAt: number = -Infinity;
  /** The highest `seq` the follower has echoed in this term (for ReadIndex). */
  ackedSeq = 0;
  /**
   * The `seq` of the first message sent after `next` last moved back. A
   * rejection of an older message answers a stream we have already
   * restarted: it is stale.
   */
  resumedAt = 0;
  /**
   * Local time `match` last moved or the stream last (re)started: entries
   * still unacknowledged long after it were lost (or dropped by a follower
   * they reached out of order), and are sent again.
   */
  progressAt = 0;
  /** The AppendEntries in flight (used in `replicate`). */
  readonly inflights: Inflights;

  /** A follower to probe from `next`, with these flow-control limits. */
  constructor(next: number, limits: { maxInflight: number; maxInflightBytes: number }) {
    this.next = next;
    this.inflights = new Inflights(limits.maxInflight, limits.maxInflightBytes);
  }

  /** Whether the leader should hold back AppendEntries with entries for now. */
  get paused(): boolean {
    switch (this.state) {
      case "probe":
        return this.probeSent;
      case "replicate":
        return this.inflights.full;
      case "snapshot":
        return true;
      default: {
        const never: never = this.state;
        throw new Error(`unknown progress state ${never}`);
      }
    }
  }

  /**
   * The follower acknowledged entries through `n` (etcd's `MaybeUpdate`).
   * Acknowledgements may arrive late, twice or out of order: `match` only
   * moves forward. Returns whether it moved.
   */
  maybeUpdate(n: number): boolean {
    if (n > this.next - 1) this.next = n + 1;
    if (n <= this.match) return false;
    this.match = n;
    this.probeSent = false;
    return true;
  }

  /**
   * The follower rejected an AppendEntries whose previous entry was
   * `rejected`; its log may match up to `matchHint` (etcd's `MaybeDecrTo`).
   * Returns false for a stale rejection, which changes nothing: in
   * `replicate`, one for a message that started below `match` (the
   * follower got those entries since); in `probe`, one that is not about
   * the probe now out. Unlike etcd, a rejection right at `match` is not
   * stale in `replicate`: the message it rejects carried `match + 1`, which
   * the follower dropped because it arrived ahead of its turn.
   */
  maybeDecrTo(rejected: number, matchHint: number): boolean {
    if (this.state === "replicate") {
      if (rejected < this.match) return false;
      this.next = this.match + 1;
      return true;
    }
    if (this.next - 1 !== rejected) return false;
    this.next = Math.max(Math.min(rejected, matchHint + 1), this.match + 1);
    this.probeSent = false;
    return true;
  }

  /** Back to one message at a time, from just after what is known to match. */
  becomeProbe(): void {
    if (this.state === "snapshot") {
      this.next = Math.max(this.match + 1, this.pendingSnapshot + 1);
    } else {
      this.next = this.match + 1;
    }
    this.#reset("probe");
  }

  /** The logs match through `match`: stream from there. */
  becomeReplicate(): void {
    this.next = this.match + 1;
    this.#reset("replicate");
  }

  /** A snapshot through `index` is on its way. */
  becomeSnapshot(index: number): void {
    this.#reset("snapshot");
    this.pendingSnapshot = index;
  }

  /** Records an AppendEntries carrying entries up to `last`, of `bytes` bytes. */
  sentEntries(last: number, bytes: number): void {
    switch (this.state) {
      case "replicate":
        if (last >= this.next) {
          this.next = last + 1;
          this.inflights.add(last, bytes);
        }
        return;
      case "probe":
        this.probeSent = true;
        return;
      case "snapshot":
        throw new Error("entries sent while a snapshot is on its way");
      default: {
        const never: never = this.state;
        throw new Error(`unknown progress state ${never}`);
      }
    }
  }

  /** A plain-data view, for `inspect()` and transcripts. */
  inspect(): {
    match: number;
    next: number;
    state: ProgressState;
    inflight: number;
  } {
    return {
      match: this.match,
      next: this.next,
      state: this.state,
      inflight: this.inflights.count,
    };
  }

  #reset(state: ProgressState): void {
    this.state = state;
    this.probeSent = false;
    this.pendingSnapshot = 0;
    this.inflights.reset();
  }
}
