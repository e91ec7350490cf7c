/**
 * What a client of the replicated store asks for: a list of reads and writes
 * of keys, run one at a time as a Jepsen client does, generated from the
 * node's seeded randomness or given exactly.
 *
 * Generated writes write unique values (`c1.3` is client c1's third
 * operation), so a read's output says which write it saw, and the
 * linearizability checker has no equal values to confuse.
 *
 * @module
 */

import type { Context } from "../../actors/mod.ts";
import { ConfigError } from "../../sim/errors.ts";
import type { Value } from "./messages.ts";

/**
 * One key-value operation.
 *
 * @example
 * ```ts
 * import { historyInput, type KvOp } from "./workload.ts";
 * import assert from "node:assert/strict";
 * const ops: KvOp[] = [{ f: "write", key: "x", value: 1 }, { f: "read", key: "x" }];
 * assert.deepEqual(ops.map(historyInput), [{ key: "x", value: 1 }, { key: "x" }]);
 * ```
 */
export type KvOp =
  | { f: "read"; key: string }
  | { f: "write"; key: string; value: Value };

/**
 * An operation of a fixed plan, optionally not before a local time.
 *
 * @example
 * ```ts
 * import { TestContext } from "../../actors/mod.ts";
 * import { type PlannedOp, Workload } from "./workload.ts";
 * import assert from "node:assert/strict";
 * const late: PlannedOp = { f: "read", key: "x", atMs: 40 };
 * const ctx = new TestContext("c1", { now: 10 });
 * assert.equal(new Workload({ ops: [late] }).delay(ctx, 0), 30); // 40 ms on the local clock
 * ```
 */
export type PlannedOp = KvOp & { atMs?: number };

/**
 * A client's workload.
 *
 * @example
 * ```ts
 * import { TestContext } from "../../actors/mod.ts";
 * import { Workload, type WorkloadConfig } from "./workload.ts";
 * import assert from "node:assert/strict";
 * const random: WorkloadConfig = { ops: 10, keys: ["x", "y"], writeRatio: 0.3 };
 * const fixed: WorkloadConfig = { ops: [{ f: "write", key: "x", value: 1, atMs: 0 }] };
 * assert.equal(new Workload(random).total, 10);
 * const first = new Workload(fixed).op(new TestContext("c1"), 0);
 * assert.deepEqual(first, { f: "write", key: "x", value: 1 });
 * ```
 */
export interface WorkloadConfig {
  /** How many operations to generate, or the exact operations to run in order. */
  ops: number | readonly PlannedOp[];
  /** Keys to pick from, uniformly (default `["x"]`). */
  keys?: readonly string[];
  /** Probability that a generated operation is a write (default 0.5; 0 makes a reader). */
  writeRatio?: number;
  /** Pause before each operation: uniform in [0, 2 * thinkMs) (default 10). */
  thinkMs?: number;
  /** Local time before which no operation starts (default 0). */
  startMs?: number;
}

/**
 * A validated workload that hands out operations one at a time.
 *
 * @example
 * ```ts
 * import { Workload } from "./workload.ts";
 * import assert from "node:assert/strict";
 * const w = new Workload({ ops: [{ f: "read", key: "x" }] });
 * assert.equal(w.total, 1);
 * assert.throws(() => new Workload({ ops: 3, writeRatio: 2 }), /writeRatio: must be in \[0, 1\]/);
 * ```
 */
export class Workload {
  /** Number of operations. */
  readonly total: number;
  readonly #config: Required<Omit<WorkloadConfig, "ops">>;
  readonly #plan: readonly PlannedOp[] | undefined;

  /** Validates `config`; `where` names it in errors. */
  constructor(config: WorkloadConfig, where = "workload") {
    const c = {
      keys: [...(config.keys ?? ["x"])],
      writeRatio: config.writeRatio ?? 0.5,
      thinkMs: config.thinkMs ?? 10,
      startMs: config.startMs ?? 0,
    };
    if (typeof config.ops === "number") {
      if (!(Number.isInteger(config.ops) && config.ops >= 0)) {
        throw new ConfigError(`${where} ops`, `must be a whole number >= 0, got ${config.ops}`);
      }
      this.total = config.ops;
    } else {
      this.#plan = config.ops.map((op) => ({ ...op }));
      this.total = this.#plan.length;
    }
    if (c.keys.length === 0) throw new ConfigError(`${where} keys`, "needs at least one key");
    if (!(c.writeRatio >= 0 && c.writeRatio <= 1)) {
      throw new ConfigError(`${where} writeRatio`, `must be in [0, 1], got ${c.writeRatio}`);
    }
    if (!(Number.isFinite(c.thinkMs) && c.thinkMs >= 0)) {
      throw new ConfigError(`${where} thinkMs`, `must be a number >= 0, got ${c.thinkMs}`);
    }
    if (!(Number.isFinite(c.startMs) && c.startMs >= 0)) {
      throw new ConfigError(`${where} startMs`, `must be a number >= 0, got ${c.startMs}`);
    }
    this.#config = c;
  }

  /** Operation `k` (from 0): the plan's, or a fresh random one. */
  op(ctx: Context<unknown>, k: number): KvOp {
    const planned = this.#plan?.[k];
    if (planned !== undefined) {
      const { atMs: _, ...op } = planned;
      return op;
    }
    const { keys, writeRatio } = this.#config;
    const key = keys[Math.floor(ctx.random() * keys.length)];
    return ctx.random() < writeRatio
      ? { f: "write", key, value: `${ctx.self}.${k + 1}` }
      : { f: "read", key };
  }

  /** How long to wait, from local time `now`, before operation `k` starts. */
  delay(ctx: Context<unknown>, k: number): number {
    const { thinkMs, startMs } = this.#config;
    const planned = this.#plan?.[k];
    const notBefore = Math.max(startMs, planned?.atMs ?? 0);
    if (planned?.atMs !== undefined) return Math.max(0, notBefore - ctx.now());
    return Math.max(0, notBefore - ctx.now()) + ctx.random() * 2 * thinkMs;
  }
}

/**
 * The input a history records for `op`: `{key}` for a read, `{key, value}`
 * for a write (the checker's `kv` model reads both).
 *
 * @example
 * ```ts
 * import { historyInput } from "./workload.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(historyInput({ f: "write", key: "x", value: 1 }), { key: "x", value: 1 });
 * ```
 */
export function historyInput(op: KvOp): { key: string; value?: Value } {
  switch (op.f) {
    case "read":
      return { key: op.key };
    case "write":
      return { key: op.key, value: op.value };
    default: {
      const never: never = op;
      throw new Error(`unknown operation ${JSON.stringify(never)}`);
    }
  }
}
