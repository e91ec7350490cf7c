/**
 * Maelstrom's `unique-ids` workload: clients ask any node to `generate` an
 * id; every id handed out must be different from every other, whatever the
 * partitions and crashes (the node may not ask anyone before answering).
 *
 * @module
 */

import { canonical } from "../../sim/check/models.ts";
import { type ClientWorkload, errorOutcome, protocolViolations } from "./client.ts";
import { historyViolation, type MaelstromWorkload } from "./workload.ts";

/**
 * The request.
 *
 * @example
 * ```ts
 * import type { GenerateRequest } from "./unique_ids.ts";
 * import assert from "node:assert/strict";
 * const r: GenerateRequest = { type: "generate", msg_id: 2 };
 * assert.equal(r.type, "generate");
 * ```
 */
export interface GenerateRequest {
  /** Always `generate`. */
  type: "generate";
  /** The request's id. */
  msg_id?: number;
  /** Other fields, ignored. */
  [field: string]: unknown;
}

/**
 * The `unique-ids` workload.
 *
 * @example
 * ```ts
 * import { uniqueIdsWorkload } from "./unique_ids.ts";
 * import assert from "node:assert/strict";
 * const ok = (id: number, output: unknown) => ({
 *   id, client: "c1", f: "generate", input: null, output, call: id, ret: id + 1, status: "ok" as const,
 * });
 * assert.deepEqual(uniqueIdsWorkload.check([ok(0, "n1-1"), ok(1, "n2-1")]), []);
 * assert.equal(uniqueIdsWorkload.check([ok(0, [1, 2]), ok(1, [1, 2])])[0].check, "unique-ids");
 * ```
 */
export const uniqueIdsWorkload: MaelstromWorkload = {
  name: "unique-ids",
  summary: "every generated id is unique, under partitions and crashes",
  final: false,
  client() {
    return (): ClientWorkload => ({
      next: () => ({ f: "generate", input: null, request: { type: "generate" } }),
      outcome: (_op, reply) =>
        reply.type === "error" ? errorOutcome(reply) : { status: "ok", output: reply.id },
    });
  },
  check(history) {
    const out = protocolViolations(history);
    const seen = new Map<string, number>();
    for (const op of history) {
      if (op.status !== "ok") continue;
      if (op.output === undefined || op.output === null) {
        out.push(historyViolation("unique-ids", op, "generate_ok without an id"));
        continue;
      }
      const key = canonical(op.output);
      const first = seen.get(key);
      if (first !== undefined) {
        out.push(historyViolation(
          "unique-ids",
          op,
          `id ${JSON.stringify(op.output)} was already given to op ${first}`,
        ));
      } else seen.set(key, op.id);
    }
    return out;
  },
  describe(history) {
    const ids = history.filter((op) => op.status === "ok").length;
    return [`${ids} ids generated`];
  },
};
