/**
 * What a participant commits: its resource. Two-phase commit does not care
 * what the resource is (a shard's buffered writes and locks, a queue, a
 * coin), only that it can be asked three things, each run inside one
 * handler with the participant's context:
 *
 * - `prepare`: make the transaction's effects durable so they survive a
 *   crash, and answer yes; or answer no (and let them go);
 * - `commit` and `abort`: apply or drop what was prepared.
 *
 * @module
 */

import type { Context } from "../../actors/mod.ts";
import type { TxnId } from "./messages.ts";

/**
 * A participant's resource (see the module documentation).
 *
 * @example
 * ```ts
 * import type { Resource } from "./resource.ts";
 * import assert from "node:assert/strict";
 * const always: Resource = { prepare: () => true, commit() {}, abort() {} };
 * assert.equal(always.prepare({} as never, "c1.1"), true);
 * ```
 */
export interface Resource {
  /** Vote on `txn`: true after making its effects durable, false to refuse. */
  prepare(ctx: Context<unknown, unknown>, txn: TxnId): boolean;
  /** Apply what `txn` prepared. */
  commit(ctx: Context<unknown, unknown>, txn: TxnId): void;
  /** Drop whatever `txn` did here (it may not have prepared). */
  abort(ctx: Context<unknown, unknown>, txn: TxnId): void;
}

/**
 * A resource that votes no with probability `noChance` (a constraint
 * violated, a deadlock, a full disk), drawn from the node's seeded stream,
 * and has nothing else to do: the resource of the `2pc` scenarios.
 *
 * @example
 * ```ts
 * import { CoinResource } from "./resource.ts";
 * import { TestContext } from "../../actors/test_context.ts";
 * import assert from "node:assert/strict";
 * const ctx = new TestContext("n1", { random: [0.05, 0.5] });
 * const coin = new CoinResource(0.1);
 * assert.equal(coin.prepare(ctx, "c1.1"), false); // 0.05 < 0.1: no
 * assert.equal(coin.prepare(ctx, "c1.2"), true);
 * ```
 */
export class CoinResource implements Resource {
  /** A coin that says no with probability `noChance`. */
  constructor(readonly noChance: number) {
    if (!(noChance >= 0 && noChance <= 1)) {
      throw new RangeError(`CoinResource: noChance must be in 0..1, got ${noChance}`);
    }
  }

  prepare(ctx: Context<unknown, unknown>, _txn: TxnId): boolean {
    return ctx.random() >= this.noChance;
  }

  commit(_ctx: Context<unknown, unknown>, _txn: TxnId): void {}

  abort(_ctx: Context<unknown, unknown>, _txn: TxnId): void {}
}
