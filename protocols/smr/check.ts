/**
 * What the `smr-cas` scenario checks:
 *
 * - `smr-agreement` (safety of state machine replication): every replica
 *   applied the same commands in the same order, so of any two replicas'
 *   logs one is a prefix of the other;
 * - `linearizability` (lecture 7.2): the clients' history of reads, writes
 *   and compare-and-sets is linearizable for a compare-and-set register
 *   (`casRegisterModel` of `sim/check/`);
 * - `smr-progress` (after faults heal): every client finished its
 *   operations and every replica applied the whole log.
 *
 * @module
 */

import type { NodeId, Storage } from "../../actors/mod.ts";
import {
  checkLinearizability,
  type LinearizabilityResult,
} from "../../sim/check/linearizability.ts";
import { casRegisterModel } from "../../sim/check/models.ts";
import type { Operation } from "../../sim/history.ts";
import type { Violation } from "../../sim/simulation.ts";
import { type Applied, appliedLog } from "./replica.ts";

/**
 * Replicas whose logs of applied commands are not prefixes of one another
 * (check `smr-agreement`): one violation per replica that parts from the
 * longest log, naming the first index where it does.
 *
 * @example
 * ```ts
 * import { checkAgreement } from "./check.ts";
 * import assert from "node:assert/strict";
 * const a = { client: "c1", id: 1 }, b = { client: "c2", id: 1 };
 * assert.deepEqual(checkAgreement(new Map([["n1", [a, b]], ["n2", [a]]]), 0), []);
 * assert.match(checkAgreement(new Map([["n1", [a, b]], ["n2", [b]]]), 0)[0].message, /n2 applied c2\.1 at 0, n1 applied c1\.1/);
 * ```
 */
export function checkAgreement(
  logs: ReadonlyMap<NodeId, readonly Applied[]>,
  atMs: number,
): Violation[] {
  const entries = [...logs];
  if (entries.length === 0) return [];
  const [longestNode, longest] = entries.reduce((a, b) => (b[1].length > a[1].length ? b : a));
  const out: Violation[] = [];
  for (const [node, log] of entries) {
    const k = log.findIndex((e, i) => e.client !== longest[i].client || e.id !== longest[i].id);
    if (k < 0) continue;
    out.push({
      check: "smr-agreement",
      message: `${node} applied ${show(log[k])} at ${k}, ${longestNode} applied ${
        show(longest[k])
      }`,
      atMs,
      node,
    });
  }
  return out;
}

/**
 * Every replica's log of applied commands, from durable storage.
 *
 * @example
 * ```ts
 * import { MemoryStorage } from "../../actors/mod.ts";
 * import { replicaLogs } from "./check.ts";
 * import assert from "node:assert/strict";
 * const disk = new MemoryStorage();
 * disk.set("log/0", { client: "c1", id: 1 });
 * assert.deepEqual(replicaLogs(["n1"], () => disk).get("n1"), [{ client: "c1", id: 1 }]);
 * ```
 */
export function replicaLogs(
  replicas: readonly NodeId[],
  storage: (id: NodeId) => Storage,
): Map<NodeId, Applied[]> {
  return new Map(replicas.map((id) => [id, appliedLog(storage(id))]));
}

/**
 * The clients' history against the compare-and-set register model, within
 * a wall-clock budget for the search (`unknown` past it).
 *
 * @example
 * ```ts
 * import { checkRegister } from "./check.ts";
 * import assert from "node:assert/strict";
 * const write = { id: 0, client: "c1", f: "write", input: 1, output: null, call: 0, ret: 5, status: "ok" as const };
 * const stale = { id: 1, client: "c2", f: "read", input: null, output: null, call: 6, ret: 8, status: "ok" as const };
 * assert.equal(checkRegister([write]).result, "ok");
 * assert.equal(checkRegister([write, stale]).result, "illegal");
 * ```
 */
export function checkRegister(
  ops: readonly Operation[],
  timeoutMs = 10_000,
): LinearizabilityResult {
  return checkLinearizability(ops, casRegisterModel, { timeoutMs });
}

/**
 * After faults heal and the network settles (check `smr-progress`): clients
 * that did not finish, and replicas whose log is shorter than the longest.
 *
 * @example
 * ```ts
 * import { checkProgress } from "./check.ts";
 * import assert from "node:assert/strict";
 * const a = { client: "c1", id: 1 };
 * assert.deepEqual(checkProgress(new Map([["n1", [a]], ["n2", [a]]]), [], 0), []);
 * assert.match(checkProgress(new Map([["n1", [a]], ["n2", []]]), ["c3"], 0).map((v) => v.message).join("; "), /c3 did not finish.*n2 applied 0 of 1/);
 * ```
 */
export function checkProgress(
  logs: ReadonlyMap<NodeId, readonly Applied[]>,
  unfinished: readonly NodeId[],
  atMs: number,
): Violation[] {
  const out: Violation[] = unfinished.map((client) => ({
    check: "smr-progress",
    message: `${client} did not finish its operations after the faults healed`,
    atMs,
    node: client,
  }));
  const longest = Math.max(0, ...[...logs.values()].map((log) => log.length));
  for (const [node, log] of logs) {
    if (log.length < longest) {
      out.push({
        check: "smr-progress",
        message: `${node} applied ${log.length} of ${longest} commands after the faults healed`,
        atMs,
        node,
      });
    }
  }
  return out;
}

function show(a: Applied | undefined): string {
  return a === undefined ? "nothing" : `${a.client}.${a.id}`;
}
