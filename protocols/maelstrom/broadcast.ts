/**
 * Maelstrom's `broadcast` workload: clients `broadcast` integers to any
 * node and `read` the set a node has seen. After the network heals, every
 * client makes a final read, and each must contain every value whose
 * broadcast was acknowledged (Jepsen's set-full checker, with `broadcast`
 * as `add`). No read may contain a value nobody broadcast, or a value twice.
 *
 * Nodes first get a `topology` message, a roughly square grid as
 * Maelstrom's default, which they may use or ignore.
 *
 * @module
 */

import type { NodeId } from "../../actors/mod.ts";
import { canonical } from "../../sim/check/models.ts";
import type { Operation } from "../../sim/history.ts";
import type { Violation } from "../../sim/simulation.ts";
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
 * import type { BroadcastRequest } from "./broadcast.ts";
 * import assert from "node:assert/strict";
 * const r: BroadcastRequest = { type: "broadcast", msg_id: 3, message: 1000 };
 * assert.equal(r.type, "broadcast");
 * ```
 */
export type BroadcastRequest =
  | { type: "topology"; msg_id?: number; topology: Record<NodeId, NodeId[]> }
  | { type: "broadcast"; msg_id?: number; message: unknown }
  | { type: "read"; msg_id?: number };

/**
 * Maelstrom's default topology: the nodes in a roughly square grid, each
 * with its (up to four) neighbours.
 *
 * @example
 * ```ts
 * import { gridTopology } from "./broadcast.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(gridTopology(["n1", "n2", "n3", "n4"]), {
 *   n1: ["n3", "n2"], n2: ["n4", "n1"], n3: ["n1", "n4"], n4: ["n2", "n3"],
 * });
 * ```
 */
export function gridTopology(nodes: readonly NodeId[]): Record<NodeId, NodeId[]> {
  const side = Math.ceil(Math.sqrt(nodes.length));
  const at = (i: number, j: number): NodeId | undefined =>
    i >= 0 && j >= 0 && j < side && i * side + j < nodes.length ? nodes[i * side + j] : undefined;
  const topology: Record<NodeId, NodeId[]> = {};
  for (let i = 0; i < side; i++) {
    for (let j = 0; j < side; j++) {
      const node = at(i, j);
      if (node === undefined) continue;
      topology[node] = [at(i + 1, j), at(i - 1, j), at(i, j + 1), at(i, j - 1)]
        .filter((n): n is NodeId => n !== undefined);
    }
  }
  return topology;
}

/**
 * The `broadcast` workload.
 *
 * @example
 * ```ts
 * import { broadcastWorkload } from "./broadcast.ts";
 * import assert from "node:assert/strict";
 * const op = (id: number, f: string, input: unknown, output: unknown) => ({
 *   id, client: "c1", f, input, output, call: id, ret: id + 1, status: "ok" as const,
 * });
 * const lost = broadcastWorkload.check([
 *   op(0, "broadcast", 7, null),
 *   op(1, "read", { final: true }, []),
 * ]);
 * assert.equal(lost[0].check, "lost");
 * ```
 */
export const broadcastWorkload: MaelstromWorkload = {
  name: "broadcast",
  summary: "every acknowledged broadcast reaches every node's final read",
  final: true,
  client(index, servers, clients) {
    return (): ClientWorkload => {
      let k = 0;
      return updatesAndReads(
        () => {
          const message = index + clients * k++;
          return { f: "broadcast", input: message, request: { type: "broadcast", message } };
        },
        "messages",
        () => [{ type: "topology", topology: gridTopology(servers) }],
      );
    };
  },
  check(history) {
    const out = protocolViolations(history);
    const attempted = new Set<string>();
    const acked: Operation[] = [];
    for (const op of history) {
      if (op.f !== "broadcast" || op.status === "fail") continue;
      attempted.add(canonical(op.input));
      if (op.status === "ok") acked.push(op);
    }
    for (const op of answeredReads(history, out)) {
      out.push(...readViolations(op, attempted, isFinal(op) ? acked : []));
    }
    return out;
  },
  describe(history) {
    const acked = history.filter((op) => op.f === "broadcast" && op.status === "ok").length;
    const finals = history.filter((op) => op.f === "read" && isFinal(op) && op.status === "ok");
    const sizes = finals.map((op) => (op.output as unknown[]).length);
    return [
      `${acked} broadcasts acknowledged; final reads saw ${
        sizes.length === 0 ? "nothing" : `${Math.min(...sizes)}..${Math.max(...sizes)} values`
      }`,
    ];
  },
};

/** What is wrong with one read: not a list, duplicates, unknown values, acknowledged values missing. */
function readViolations(op: Operation, attempted: Set<string>, mustHave: Operation[]): Violation[] {
  if (!Array.isArray(op.output)) {
    return [historyViolation("read", op, `messages is not a list: ${JSON.stringify(op.output)}`)];
  }
  const out: Violation[] = [];
  const seen = new Set<string>();
  for (const v of op.output) {
    const key = canonical(v);
    if (seen.has(key)) out.push(historyViolation("duplicate", op, `${key} appears twice`));
    else if (!attempted.has(key)) {
      out.push(historyViolation("unexpected", op, `${key} was never broadcast`));
    }
    seen.add(key);
  }
  const missing = mustHave.filter((b) => !seen.has(canonical(b.input)));
  if (missing.length > 0) {
    const shown = missing.slice(0, 8).map((b) => `${canonical(b.input)} (op ${b.id})`);
    out.push(historyViolation(
      "lost",
      op,
      `the final read misses ${missing.length} acknowledged broadcast${
        missing.length === 1 ? "" : "s"
      }: ${shown.join(", ")}${missing.length > 8 ? ", ..." : ""}`,
    ));
  }
  return out;
}
