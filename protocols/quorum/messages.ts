/**
 * Messages of quorum replication (lecture 5.2) and of the ABD register
 * (lecture 7.2), and the timestamps that order their values.
 *
 * Both protocols use the same four messages: a client asks replicas to
 * `Read` or `Write` one key, and each replica answers with a `ReadReply`
 * (its value and timestamp) or a `WriteAck`. What differs is what a client
 * does with the answers, which is in `client.ts` and `abd.ts`.
 *
 * Fields are ordered so that the diagram's default label reads well:
 * `Write x c1.2 [2,c1] 7` is a write of `c1.2` to key `x` with timestamp
 * (2, c1), request 7.
 *
 * @module
 */

import type { NodeId } from "../../actors/mod.ts";

/**
 * A value a key can hold; `null` means "never written".
 *
 * @example
 * ```ts
 * import { describeMessage, type Value } from "./messages.ts";
 * import assert from "node:assert/strict";
 * const v: Value = "c1.3"; // the value client c1 wrote in its third operation
 * const write = { type: "Write", key: "x", value: v, ts: [3, "c1"], req: 1 } as const;
 * assert.equal(describeMessage(write), "Write x=c1.3 (3,c1)");
 * ```
 */
export type Value = string | number | null;

/**
 * A write's timestamp: a counter, then the writing client's id to break ties
 * between clients that picked the same counter. Ordered lexicographically,
 * so every two writes are ordered and every replica picks the same winner.
 *
 * @example
 * ```ts
 * import { compareTimestamps, type Timestamp } from "./messages.ts";
 * import assert from "node:assert/strict";
 * const ts: Timestamp = [3, "c1"];
 * assert.ok(compareTimestamps(ts, [3, "c2"]) < 0); // same counter: the client id breaks the tie
 * assert.ok(compareTimestamps(ts, [2, "c9"]) > 0); // the counter first
 * ```
 */
export type Timestamp = readonly [counter: number, client: NodeId];

/**
 * A value with the timestamp of the write that produced it; `ts` is `null`
 * while the key was never written.
 *
 * @example
 * ```ts
 * import { newest, type Versioned } from "./messages.ts";
 * import assert from "node:assert/strict";
 * const never: Versioned = { value: null, ts: null };
 * assert.deepEqual(newest([]), never); // no versions: never written
 * ```
 */
export interface Versioned {
  /** The value (`null` for never written). */
  readonly value: Value;
  /** The timestamp of the write that produced it (`null` for never written). */
  readonly ts: Timestamp | null;
}

/**
 * The messages of both protocols. `req` identifies the client's request, so
 * a late or duplicated answer to an earlier one is recognised and ignored.
 *
 * @example
 * ```ts
 * import { TestContext } from "../../actors/mod.ts";
 * import type { QuorumMsg } from "./messages.ts";
 * import { QuorumReplica } from "./replica.ts";
 * import assert from "node:assert/strict";
 * const m: QuorumMsg = { type: "Write", key: "x", value: "c1.1", ts: [1, "c1"], req: 4 };
 * const ctx = new TestContext<QuorumMsg>("n1");
 * ctx.deliver(new QuorumReplica(), m, "c1");
 * assert.deepEqual(ctx.takeSent(), [{ to: "c1", msg: { type: "WriteAck", key: "x", req: 4 } }]);
 * ```
 */
export type QuorumMsg =
  /** Client -> replica: what do you hold for `key`? */
  | { type: "Read"; key: string; req: number }
  /** Replica -> client: I hold `value` with timestamp `ts` (null: never written). */
  | { type: "ReadReply"; key: string; value: Value; ts: Timestamp | null; req: number }
  /** Client -> replica: store `value` unless you hold a newer timestamp. */
  | { type: "Write"; key: string; value: Value; ts: Timestamp; req: number }
  /** Replica -> client: you may count me; I now hold `ts` or newer. */
  | { type: "WriteAck"; key: string; req: number };

/**
 * Orders two timestamps: negative when `a` is older, 0 when equal, positive
 * when newer. `null` (never written) is older than every timestamp.
 *
 * @example
 * ```ts
 * import { compareTimestamps } from "./messages.ts";
 * import assert from "node:assert/strict";
 * assert.ok(compareTimestamps([2, "c1"], [2, "c2"]) < 0); // same counter, c1 < c2
 * assert.ok(compareTimestamps(null, [1, "c1"]) < 0);
 * ```
 */
export function compareTimestamps(a: Timestamp | null, b: Timestamp | null): number {
  if (a === null || b === null) return (a === null ? 0 : 1) - (b === null ? 0 : 1);
  if (a[0] !== b[0]) return a[0] - b[0];
  return a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0;
}

/**
 * The newest of some versions (the first of equals); `{value: null, ts:
 * null}` when there are none.
 *
 * @example
 * ```ts
 * import { newest } from "./messages.ts";
 * import assert from "node:assert/strict";
 * assert.equal(newest([{ value: "a", ts: [1, "c1"] }, { value: "b", ts: [2, "c1"] }]).value, "b");
 * ```
 */
export function newest(versions: Iterable<Versioned>): Versioned {
  let best: Versioned = { value: null, ts: null };
  for (const v of versions) if (compareTimestamps(v.ts, best.ts) > 0) best = v;
  return best;
}

/**
 * A timestamp as people write it: `(3,c1)`, or `-` for never written.
 *
 * @example
 * ```ts
 * import { formatTimestamp } from "./messages.ts";
 * import assert from "node:assert/strict";
 * assert.equal(formatTimestamp([3, "c1"]), "(3,c1)");
 * ```
 */
export function formatTimestamp(ts: Timestamp | null): string {
  return ts === null ? "-" : `(${ts[0]},${ts[1]})`;
}

/**
 * A message in a few words, for diagram labels: `Read x`, `Reply x=c1.2 (2,c1)`
 * (`Reply x=nil` for a key never written), `Write x=c1.2 (2,c1)`, `Ack x`.
 *
 * @example
 * ```ts
 * import { describeMessage } from "./messages.ts";
 * import assert from "node:assert/strict";
 * assert.equal(describeMessage({ type: "Read", key: "x", req: 5 }), "Read x");
 * const never = { type: "ReadReply", key: "x", value: null, ts: null, req: 5 } as const;
 * assert.equal(describeMessage(never), "Reply x=nil");
 * ```
 */
export function describeMessage(msg: QuorumMsg): string {
  const show = (v: Value) => (v === null ? "nil" : String(v));
  switch (msg.type) {
    case "Read":
      return `Read ${msg.key}`;
    case "ReadReply":
      return msg.ts === null
        ? `Reply ${msg.key}=nil`
        : `Reply ${msg.key}=${show(msg.value)} ${formatTimestamp(msg.ts)}`;
    case "Write":
      return `Write ${msg.key}=${show(msg.value)} ${formatTimestamp(msg.ts)}`;
    case "WriteAck":
      return `Ack ${msg.key}`;
    default: {
      const never: never = msg;
      throw new Error(`unknown message ${JSON.stringify(never)}`);
    }
  }
}
