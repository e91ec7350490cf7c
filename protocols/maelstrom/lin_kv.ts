/**
 * Maelstrom's `lin-kv` workload: a linearizable key-value store. Clients
 * `read`, `write` and compare-and-set (`cas`) a few integer keys with small
 * values; a read of a missing key answers error 20, a `cas` whose `from`
 * does not match error 22 (20 when the key is missing).
 *
 * The history is checked for linearizability with the project's checker
 * and its key-value model, split per key. Unlike Maelstrom's client, which
 * records those two errors as failed operations, this one records them as
 * what they say (a read of nothing, a compare that did not match), so the
 * checker can use them.
 *
 * @module
 */

import {
  checkLinearizability,
  linearizabilityViolations,
} from "../../sim/check/linearizability.ts";
import { kvModel } from "../../sim/check/models.ts";
import { ErrorCode } from "../../runtime/maelstrom_protocol.ts";
import { type ClientWorkload, errorOutcome, protocolViolations } from "./client.ts";
import type { MaelstromWorkload } from "./workload.ts";

/**
 * The messages clients send in this workload.
 *
 * @example
 * ```ts
 * import type { KvRequest } from "./lin_kv.ts";
 * import assert from "node:assert/strict";
 * const r: KvRequest = { type: "cas", msg_id: 4, key: 1, from: 2, to: 3 };
 * assert.equal(r.type, "cas");
 * ```
 */
export type KvRequest =
  | { type: "read"; msg_id?: number; key: unknown }
  | { type: "write"; msg_id?: number; key: unknown; value: unknown }
  | { type: "cas"; msg_id?: number; key: unknown; from: unknown; to: unknown };

/** Keys and values the clients use (Maelstrom's: few keys, values 0..4). */
const KEYS = 3;
const VALUES = 5;
/** How long the linearizability check may take before it answers `unknown`. */
const CHECK_BUDGET_MS = 20_000;

/**
 * The `lin-kv` workload.
 *
 * @example
 * ```ts
 * import { linKvWorkload } from "./lin_kv.ts";
 * import assert from "node:assert/strict";
 * const op = (id: number, f: string, input: unknown, output: unknown, call: number, ret: number) => ({
 *   id, client: `c${id}`, f, input, output, call, ret, status: "ok" as const,
 * });
 * const stale = [
 *   op(0, "write", { key: 0, value: 1 }, null, 0, 10),
 *   op(1, "read", { key: 0 }, 1, 11, 12),
 *   op(2, "read", { key: 0 }, null, 13, 14),
 * ];
 * assert.equal(linKvWorkload.check(stale)[0].check, "linearizability");
 * ```
 */
export const linKvWorkload: MaelstromWorkload = {
  name: "lin-kv",
  summary: "a linearizable key-value store: read, write, compare-and-set",
  final: false,
  client() {
    return (): ClientWorkload => ({
      next(random) {
        const key = Math.floor(random() * KEYS);
        const value = () => Math.floor(random() * VALUES);
        const r = random();
        if (r < 1 / 3) return { f: "read", input: { key }, request: { type: "read", key } };
        if (r < 2 / 3) {
          const v = value();
          return {
            f: "write",
            input: { key, value: v },
            request: { type: "write", key, value: v },
          };
        }
        const from = value(), to = value();
        return { f: "cas", input: { key, from, to }, request: { type: "cas", key, from, to } };
      },
      outcome(op, reply) {
        if (reply.type === "error") {
          const code = reply.code;
          if (op.f === "read" && code === ErrorCode.keyDoesNotExist) {
            return { status: "ok", output: null };
          }
          if (
            op.f === "cas" &&
            (code === ErrorCode.keyDoesNotExist || code === ErrorCode.preconditionFailed)
          ) return { status: "ok", output: false };
          return errorOutcome(reply);
        }
        switch (op.f) {
          case "read":
            return { status: "ok", output: reply.value };
          case "cas":
            return { status: "ok", output: true };
          default:
            return { status: "ok", output: null };
        }
      },
    });
  },
  check(history) {
    const end = history.reduce((t, op) => Math.max(t, op.call), 0);
    const lin = checkLinearizability(history, kvModel, { timeoutMs: CHECK_BUDGET_MS });
    return [...protocolViolations(history), ...linearizabilityViolations(lin, end)];
  },
  describe(history) {
    const lin = checkLinearizability(history, kvModel, { timeoutMs: CHECK_BUDGET_MS });
    return [`linearizable: ${lin.result} (${lin.ops} operations, ${lin.partitions} keys)`];
  },
};
