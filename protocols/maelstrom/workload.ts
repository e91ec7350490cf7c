/**
 * A Maelstrom workload, as the simulator and the cluster driver run it:
 * each client's operations ({@linkcode ClientWorkload}) and the checker of
 * the history they record, which is what Maelstrom's workload of the same
 * name checks (see `doc/workloads.md` of jepsen-io/maelstrom).
 *
 * @module
 */

import type { NodeId } from "../../actors/mod.ts";
import type { Operation } from "../../sim/history.ts";
import type { Violation } from "../../sim/simulation.ts";
import type { Body } from "../../runtime/maelstrom_protocol.ts";
import { type ClientOp, type ClientWorkload, errorOutcome } from "./client.ts";

/**
 * One of Maelstrom's workloads.
 *
 * @example
 * ```ts
 * import type { MaelstromWorkload } from "./workload.ts";
 * import { echoWorkload } from "./echo.ts";
 * import assert from "node:assert/strict";
 * const w: MaelstromWorkload = echoWorkload;
 * assert.equal(w.name, "echo");
 * ```
 */
export interface MaelstromWorkload {
  /** Maelstrom's name for it (`maelstrom test -w <name>`). */
  name: string;
  /** One line saying what it tests. */
  summary: string;
  /** Whether clients make final operations after the network heals (final reads). */
  final: boolean;
  /** The workload of client number `index` (from 0) of `clients`, given the servers. */
  client(index: number, servers: readonly NodeId[], clients: number): () => ClientWorkload;
  /** Everything wrong with a finished history (empty when it passes). */
  check(history: readonly Operation[]): Violation[];
  /** Lines for people about a finished history. */
  describe?(history: readonly Operation[]): string[];
}

/**
 * A violation found in a finished history, at the time the operation returned.
 *
 * @example
 * ```ts
 * import { historyViolation } from "./workload.ts";
 * import assert from "node:assert/strict";
 * const op = { id: 3, client: "c1", f: "read", input: null, output: 5, call: 1, ret: 9, status: "ok" as const };
 * assert.deepEqual(historyViolation("lost", op, "lost 4"), {
 *   check: "lost", message: "op 3 (read by c1): lost 4", atMs: 9, node: "c1",
 * });
 * ```
 */
export function historyViolation(check: string, op: Operation, message: string): Violation {
  return {
    check,
    message: `op ${op.id} (${op.f} by ${op.client}): ${message}`,
    atMs: Number.isFinite(op.ret) ? op.ret : op.call,
    node: op.client,
  };
}

/**
 * Whether an operation is a client's final read (its input says
 * `final: true`).
 *
 * @example
 * ```ts
 * import { isFinal } from "./workload.ts";
 * import assert from "node:assert/strict";
 * const op = { id: 0, client: "c1", f: "read", input: { final: true }, output: 3, call: 0, ret: 1, status: "ok" as const };
 * assert.equal(isFinal(op), true);
 * ```
 */
export function isFinal(op: Operation): boolean {
  return (op.input as { final?: boolean } | null)?.final === true;
}

/**
 * A client's final phase of one `read`, made once.
 *
 * @example
 * ```ts
 * import { oneFinalRead } from "./workload.ts";
 * import assert from "node:assert/strict";
 * const final = oneFinalRead();
 * assert.deepEqual(final(), { f: "read", input: { final: true }, request: { type: "read" } });
 * assert.equal(final(), null);
 * ```
 */
export function oneFinalRead(): () => ClientOp | null {
  let done = false;
  return () => {
    if (done) return null;
    done = true;
    return { f: "read", input: { final: true }, request: { type: "read" } };
  };
}

/**
 * The `read`s that returned `ok`, after adding to `out` a violation for
 * every final read that did not: once the network has healed, it must.
 *
 * @example
 * ```ts
 * import { answeredReads } from "./workload.ts";
 * import type { Violation } from "../../sim/simulation.ts";
 * import assert from "node:assert/strict";
 * const read = (id: number, status: "ok" | "info") => ({
 *   id, client: "c1", f: "read", input: { final: true }, output: 1, call: id, ret: id + 1, status,
 * });
 * const out: Violation[] = [];
 * assert.equal(answeredReads([read(0, "ok"), read(1, "info")], out).length, 1);
 * assert.equal(out[0].check, "final-read");
 * ```
 */
export function answeredReads(history: readonly Operation[], out: Violation[]): Operation[] {
  const reads: Operation[] = [];
  for (const op of history) {
    if (op.f !== "read") continue;
    if (op.status === "ok") reads.push(op);
    else if (isFinal(op)) {
      out.push(historyViolation("final-read", op, `the final read ended ${op.status}`));
    }
  }
  return reads;
}

/**
 * The client of a workload of updates and reads (broadcast, g-counter):
 * half its operations are `update(random)`, the others a `read`, whose
 * output is the reply's `field`; its final phase is one read.
 *
 * @example
 * ```ts
 * import { updatesAndReads } from "./workload.ts";
 * import assert from "node:assert/strict";
 * const client = updatesAndReads(() => ({ f: "add", input: 1, request: { type: "add", delta: 1 } }), "value");
 * assert.equal(client.next(() => 0.1)!.f, "add");
 * assert.equal(client.next(() => 0.9)!.f, "read");
 * const read = client.next(() => 0.9)!;
 * assert.deepEqual(client.outcome(read, { type: "read_ok", value: 4 }), { status: "ok", output: 4 });
 * ```
 */
export function updatesAndReads(
  update: (random: () => number) => ClientOp,
  field: string,
  setup?: () => Body[],
): ClientWorkload {
  return {
    setup,
    next: (random) =>
      random() < 0.5 ? update(random) : { f: "read", input: null, request: { type: "read" } },
    final: oneFinalRead(),
    outcome(op, reply) {
      if (reply.type === "error") return errorOutcome(reply);
      return { status: "ok", output: op.f === "read" ? reply[field] : null };
    },
  };
}
