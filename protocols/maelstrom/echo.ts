/**
 * Maelstrom's `echo` workload: clients send `echo` requests with a payload
 * and expect an `echo_ok` with the same payload.
 *
 * @module
 */

import { sameValue } from "../../sim/check/models.ts";
import type { ClientWorkload } from "./client.ts";
import { errorOutcome, protocolViolations } from "./client.ts";
import { historyViolation, type MaelstromWorkload } from "./workload.ts";

/**
 * The request.
 *
 * @example
 * ```ts
 * import type { EchoRequest } from "./echo.ts";
 * import assert from "node:assert/strict";
 * const r: EchoRequest = { type: "echo", msg_id: 1, echo: "Please echo 35" };
 * assert.equal(r.type, "echo");
 * ```
 */
export interface EchoRequest {
  /** Always `echo`. */
  type: "echo";
  /** The request's id. */
  msg_id?: number;
  /** The payload to send back. */
  echo: unknown;
  /** Other fields, ignored. */
  [field: string]: unknown;
}

/**
 * The `echo` workload.
 *
 * @example
 * ```ts
 * import { echoWorkload } from "./echo.ts";
 * import assert from "node:assert/strict";
 * const op = echoWorkload.client(0, ["n1"], 1)().next(() => 0.5)!;
 * assert.deepEqual(op.request, { type: "echo", echo: "Please echo 0.1" });
 * ```
 */
export const echoWorkload: MaelstromWorkload = {
  name: "echo",
  summary: "every echo comes back with its payload",
  final: false,
  client(index) {
    return (): ClientWorkload => {
      let n = 0;
      return {
        next() {
          const echo = `Please echo ${index}.${++n}`;
          return { f: "echo", input: echo, request: { type: "echo", echo } };
        },
        outcome: (_op, reply) =>
          reply.type === "error" ? errorOutcome(reply) : { status: "ok", output: reply.echo },
      };
    };
  },
  check(history) {
    const out = protocolViolations(history);
    for (const op of history) {
      if (op.status === "ok" && !sameValue(op.output, op.input)) {
        out.push(historyViolation(
          "echo",
          op,
          `sent ${JSON.stringify(op.input)}, got back ${JSON.stringify(op.output)}`,
        ));
      }
    }
    return out;
  },
  describe(history) {
    const ok = history.filter((op) => op.status === "ok").length;
    return [`${ok} of ${history.length} echoes came back`];
  },
};
