/**
 * Maelstrom's `g-counter` workload: clients `add` non-negative deltas at
 * any node and `read` the counter. Any read may lag, but never exceed what
 * was possibly added; after the network heals, each client's final read
 * must lie between the sum of the acknowledged adds and the sum of every
 * add that may have happened (acknowledged or unknown).
 *
 * @module
 */

import { type ClientWorkload, protocolViolations } from "./client.ts";
import {
  answeredReads,
  historyViolation,
  isFinal,
  type MaelstromWorkload,
  updatesAndReads,
} from "./workload.ts";

/**
 * The messages clients send in this workload.
 *
 * @example
 * ```ts
 * import type { CounterRequest } from "./g_counter.ts";
 * import assert from "node:assert/strict";
 * const r: CounterRequest = { type: "add", msg_id: 1, delta: 3 };
 * assert.equal(r.type, "add");
 * ```
 */
export type CounterRequest =
  | { type: "add"; msg_id?: number; delta: number }
  | { type: "read"; msg_id?: number };

/**
 * The `g-counter` workload.
 *
 * @example
 * ```ts
 * import { gCounterWorkload } from "./g_counter.ts";
 * import assert from "node:assert/strict";
 * const op = (id: number, f: string, input: unknown, output: unknown) => ({
 *   id, client: "c1", f, input, output, call: id, ret: id + 1, status: "ok" as const,
 * });
 * const history = [op(0, "add", 2, null), op(1, "add", 3, null), op(2, "read", { final: true }, 4)];
 * assert.equal(gCounterWorkload.check(history)[0].check, "counter");
 * ```
 */
export const gCounterWorkload: MaelstromWorkload = {
  name: "g-counter",
  summary: "a grow-only counter: final reads count every acknowledged add",
  final: true,
  client() {
    return (): ClientWorkload =>
      updatesAndReads((random) => {
        const delta = Math.floor(random() * 5);
        return { f: "add", input: delta, request: { type: "add", delta } };
      }, "value");
  },
  check(history) {
    const out = protocolViolations(history);
    let acked = 0, possible = 0;
    for (const op of history) {
      if (op.f !== "add" || op.status === "fail") continue;
      possible += op.input as number;
      if (op.status === "ok") acked += op.input as number;
    }
    for (const op of answeredReads(history, out)) {
      const v = op.output;
      const low = isFinal(op) ? acked : 0;
      if (typeof v !== "number" || !Number.isInteger(v) || v < low || v > possible) {
        out.push(historyViolation(
          "counter",
          op,
          `read ${JSON.stringify(v)}, but ${
            isFinal(op) ? "a final read" : "a read"
          } must be a whole number in ${low}..${possible}`,
        ));
      }
    }
    return out;
  },
  describe(history) {
    const acked = history.filter((op) => op.f === "add" && op.status === "ok")
      .reduce((s, op) => s + (op.input as number), 0);
    const finals = history.filter((op) => op.f === "read" && isFinal(op) && op.status === "ok")
      .map((op) => op.output);
    return [`acknowledged adds sum to ${acked}; final reads: ${finals.join(", ") || "none"}`];
  },
};
