/**
 * Maelstrom's `txn-rw-register` workload: each request is a transaction of
 * micro-operations on integer registers, `["r", k, null]` and
 * `["w", k, v]`, executed in order; the reply fills in what each read saw.
 * Writes are unique per key, so a read names the write it saw.
 *
 * Maelstrom checks these histories with Elle for a chosen consistency
 * model (Gossip Glomers asks for read uncommitted, then read committed).
 * Until the project's own Elle-style checker lands, this one checks what
 * read committed forbids and can be seen without inferring version orders:
 *
 * | check | Adya's name | what it means |
 * | --- | --- | --- |
 * | `G1a` | aborted read | a read saw a write of a transaction that failed |
 * | `G1b` | intermediate read | a read saw a write its transaction later overwrote |
 * | `internal` | internal consistency | a read after the transaction's own write to the key did not see it |
 * | `garbage-read` | | a read saw a value nobody wrote to that key |
 *
 * Cycles (G0, G1c) need the version order of each key, which Elle infers;
 * they are not checked here.
 *
 * @module
 */

import { canonical } from "../../sim/check/models.ts";
import type { Operation } from "../../sim/history.ts";
import type { Violation } from "../../sim/simulation.ts";
import { type ClientWorkload, errorOutcome, protocolViolations } from "./client.ts";
import { historyViolation, type MaelstromWorkload } from "./workload.ts";

/**
 * A micro-operation: a read (its value `null` in a request) or a write.
 *
 * @example
 * ```ts
 * import type { MicroOp } from "./txn_rw_register.ts";
 * import assert from "node:assert/strict";
 * const txn: MicroOp[] = [["r", 1, null], ["w", 1, 6]];
 * assert.equal(txn[1][2], 6);
 * ```
 */
export type MicroOp = ["r", number, number | null] | ["w", number, number];

/**
 * The request.
 *
 * @example
 * ```ts
 * import type { TxnRequest } from "./txn_rw_register.ts";
 * import assert from "node:assert/strict";
 * const r: TxnRequest = { type: "txn", msg_id: 1, txn: [["r", 1, null], ["w", 2, 9]] };
 * assert.equal(r.txn.length, 2);
 * ```
 */
export interface TxnRequest {
  /** Always `txn`. */
  type: "txn";
  /** The request's id. */
  msg_id?: number;
  /** The micro-operations, in order. */
  txn: MicroOp[];
  /** Other fields, ignored. */
  [field: string]: unknown;
}

/** Keys the clients use: few, so transactions meet. */
const KEYS = 5;

/** Why a `txn_ok` does not answer the request it names, or null when it does. */
function malformed(request: MicroOp[], reply: unknown): string | null {
  if (!Array.isArray(reply) || reply.length !== request.length) {
    return `txn_ok must return the ${request.length} micro-ops sent`;
  }
  for (let i = 0; i < request.length; i++) {
    const [f, k, v] = request[i];
    const got = reply[i];
    if (!Array.isArray(got) || got.length !== 3 || got[0] !== f || got[1] !== k) {
      return `micro-op ${i} should be ["${f}", ${k}, ...], got ${JSON.stringify(got)}`;
    }
    if (f === "w" && got[2] !== v) return `micro-op ${i} must return the write ${v} unchanged`;
  }
  return null;
}

/**
 * The `txn-rw-register` workload.
 *
 * @example
 * ```ts
 * import { txnRwRegisterWorkload } from "./txn_rw_register.ts";
 * import assert from "node:assert/strict";
 * const op = (id: number, status: "ok" | "fail", txn: unknown) => ({
 *   id, client: "c1", f: "txn", input: txn, output: txn, call: id, ret: id + 1, status,
 * });
 * const history = [op(0, "fail", [["w", 1, 5]]), op(1, "ok", [["r", 1, 5]])];
 * assert.deepEqual(txnRwRegisterWorkload.check(history).map((v) => v.check), ["G1a"]);
 * ```
 */
export const txnRwRegisterWorkload: MaelstromWorkload = {
  name: "txn-rw-register",
  summary: "transactions on registers: no aborted, intermediate or garbage reads",
  final: false,
  client(index, _servers, clients) {
    return (): ClientWorkload => {
      const written = new Array<number>(KEYS).fill(0);
      return {
        next(random) {
          const length = 1 + Math.floor(random() * 4);
          const txn: MicroOp[] = [];
          for (let i = 0; i < length; i++) {
            const k = Math.floor(random() * KEYS);
            txn.push(random() < 0.5 ? ["r", k, null] : ["w", k, index + clients * written[k]++]);
          }
          return { f: "txn", input: txn, request: { type: "txn", txn } };
        },
        outcome(op, reply) {
          if (reply.type === "error") return errorOutcome(reply);
          const problem = malformed(op.input as MicroOp[], reply.txn);
          if (problem !== null) return { status: "info", output: { malformed: problem, reply } };
          return { status: "ok", output: reply.txn };
        },
      };
    };
  },
  check(history) {
    return [...protocolViolations(history), ...readCommittedViolations(history)];
  },
  describe(history) {
    const count = (s: string) => history.filter((op) => op.status === s).length;
    return [`${count("ok")} transactions committed, ${count("fail")} aborted`];
  },
};

/** A write, found by its key and (unique) value. */
interface Write {
  op: Operation;
  /** Position in its transaction. */
  index: number;
  /** Whether no later micro-op of its transaction writes the same key. */
  last: boolean;
}

/** G1a, G1b, internal and garbage reads (see the module documentation). */
function readCommittedViolations(history: readonly Operation[]): Violation[] {
  const writes = new Map<string, Write>();
  for (const op of history) {
    const txn = op.input as MicroOp[];
    txn.forEach(([f, k, v], index) => {
      if (f !== "w") return;
      const last = !txn.some(([g, j], i) => i > index && g === "w" && j === k);
      writes.set(`${k}\0${canonical(v)}`, { op, index, last });
    });
  }
  const out: Violation[] = [];
  for (const op of history) {
    if (op.status !== "ok") continue;
    const txn = op.output as MicroOp[];
    txn.forEach(([f, k, v], index) => {
      if (f !== "r") return;
      const own = txn.slice(0, index).filter(([g, j]) => g === "w" && j === k).at(-1);
      if (own !== undefined) {
        if (v !== own[2]) {
          out.push(historyViolation(
            "internal",
            op,
            `micro-op ${index} read ${k} = ${v} after this transaction wrote ${own[2]}`,
          ));
        }
        return;
      }
      if (v === null) return;
      const w = writes.get(`${k}\0${canonical(v)}`);
      const what = `micro-op ${index} read ${k} = ${JSON.stringify(v)}`;
      if (w === undefined) {
        out.push(historyViolation("garbage-read", op, `${what}, which nobody wrote`));
      } else if (w.op === op) {
        out.push(
          historyViolation("internal", op, `${what}, written later by the same transaction`),
        );
      } else if (w.op.status === "fail") {
        out.push(historyViolation("G1a", op, `${what}, written by op ${w.op.id}, which failed`));
      } else if (!w.last) {
        out.push(historyViolation(
          "G1b",
          op,
          `${what}, an intermediate write of op ${w.op.id} (it wrote ${k} again later)`,
        ));
      }
    });
  }
  return out;
}
