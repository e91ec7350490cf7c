/**
 * What atomic commit promises, checked against the participants' durable
 * records (`txn/<id>`, see {@linkcode TxnRecord}) and the clients' history:
 *
 * - **atomicity**: no transaction commits at one participant and aborts at
 *   another, and no client is told an outcome a participant contradicts;
 * - **validity**: a transaction commits only if every participant voted yes;
 * - **termination** (the scenarios judge it after healing the faults): no
 *   participant is left without a decision.
 *
 * Records are read from storage, so a participant that is down still counts.
 *
 * @module
 */

import type { NodeId } from "../../actors/mod.ts";
import type { Simulation, Violation } from "../../sim/simulation.ts";
import { healAndAwait, terminationViolation } from "../paxos/check.ts";
import type { Outcome, TxnId, TxnRecord } from "./messages.ts";

/**
 * Every participant's record of every transaction, by transaction.
 *
 * @example
 * ```ts
 * import { Simulation } from "../../sim/simulation.ts";
 * import { commitRecords } from "./check.ts";
 * import assert from "node:assert/strict";
 * const sim = new Simulation({ seed: 1 });
 * sim.spawn("n1", () => ({ onMessage() {} }));
 * sim.storage("n1").set("txn/c1.1", {
 *   participants: ["n1"], coordinator: "tm", epoch: 1, vote: "yes", outcome: "commit",
 * });
 * assert.equal(commitRecords(sim, ["n1"]).get("c1.1")?.get("n1")?.outcome, "commit");
 * ```
 */
export function commitRecords(
  sim: Simulation,
  participants: readonly NodeId[],
): Map<TxnId, Map<NodeId, TxnRecord>> {
  const byTxn = new Map<TxnId, Map<NodeId, TxnRecord>>();
  for (const id of participants) {
    const storage = sim.storage(id);
    for (const key of storage.keys()) {
      if (!key.startsWith("txn/")) continue;
      const txn = key.slice(4);
      let records = byTxn.get(txn);
      if (records === undefined) byTxn.set(txn, records = new Map());
      records.set(id, storage.get<TxnRecord>(key)!);
    }
  }
  return byTxn;
}

/**
 * Atomicity: one outcome per transaction, at every participant and in what
 * the clients were told.
 *
 * @example
 * ```ts
 * import { Simulation } from "../../sim/simulation.ts";
 * import { atomicityViolations } from "./check.ts";
 * import assert from "node:assert/strict";
 * const sim = new Simulation({ seed: 1 });
 * const record = { participants: ["n1", "n2"], coordinator: "tm", epoch: 1, vote: "yes" };
 * for (const [id, outcome] of [["n1", "commit"], ["n2", "abort"]]) {
 *   sim.spawn(id, () => ({ onMessage() {} }));
 *   sim.storage(id).set("txn/c1.1", { ...record, outcome });
 * }
 * assert.match(atomicityViolations(sim, ["n1", "n2"])[0].message, /c1.1 committed at n1 but aborted at n2/);
 * ```
 */
export function atomicityViolations(
  sim: Simulation,
  participants: readonly NodeId[],
): Violation[] {
  const records = commitRecords(sim, participants);
  const out: Violation[] = [];
  const outcomes = new Map<TxnId, Outcome>();
  for (const [txn, byNode] of records) {
    const at = (o: Outcome) => [...byNode].filter(([, r]) => r.outcome === o).map(([id]) => id);
    const committed = at("commit"), aborted = at("abort");
    if (committed.length > 0 && aborted.length > 0) {
      out.push({
        check: "atomicity",
        message: `${txn} committed at ${committed.join(", ")} but aborted at ${aborted.join(", ")}`,
        atMs: sim.now,
        node: aborted[0],
      });
    } else if (committed.length + aborted.length > 0) {
      outcomes.set(txn, committed.length > 0 ? "commit" : "abort");
    }
  }
  for (const op of sim.history.operations) {
    if (op.f !== "commit" || op.status !== "ok") continue;
    const txn = (op.input as { txn: TxnId }).txn;
    const known = outcomes.get(txn);
    if (known !== undefined && known !== op.output) {
      out.push({
        check: "atomicity",
        message: `${op.client} was told ${txn} ended ${op.output}, but its participants ${
          known === "commit" ? "committed" : "aborted"
        } it`,
        atMs: sim.now,
        node: op.client,
      });
    }
  }
  return out;
}

/**
 * Validity: a transaction committed anywhere had a yes vote from every one
 * of its participants.
 *
 * @example
 * ```ts
 * import { Simulation } from "../../sim/simulation.ts";
 * import { validityViolations } from "./check.ts";
 * import assert from "node:assert/strict";
 * const sim = new Simulation({ seed: 1 });
 * const record = { participants: ["n1", "n2"], coordinator: "tm", epoch: 1 };
 * sim.spawn("n1", () => ({ onMessage() {} }));
 * sim.spawn("n2", () => ({ onMessage() {} }));
 * sim.storage("n1").set("txn/c1.1", { ...record, vote: "yes", outcome: "commit" });
 * sim.storage("n2").set("txn/c1.1", { ...record, vote: "no", outcome: "commit" });
 * assert.match(validityViolations(sim, ["n1", "n2"])[0].message, /n2 voted no/);
 * ```
 */
export function validityViolations(
  sim: Simulation,
  participants: readonly NodeId[],
): Violation[] {
  const out: Violation[] = [];
  for (const [txn, byNode] of commitRecords(sim, participants)) {
    const committedAt = [...byNode].find(([, r]) => r.outcome === "commit")?.[0];
    if (committedAt === undefined) continue;
    const all = new Set([...byNode.values()].flatMap((r) => r.participants));
    for (const p of all) {
      const vote = byNode.get(p)?.vote ?? null;
      if (vote === "yes") continue;
      out.push({
        check: "validity",
        message: `${txn} committed at ${committedAt}, but ${p} ${
          vote === "no" ? "voted no" : "never voted"
        }`,
        atMs: sim.now,
        node: committedAt,
      });
      break;
    }
  }
  return out;
}

/**
 * Participants without a decision, as `n2: c1.3` (one per record): what
 * termination wants empty.
 *
 * @example
 * ```ts
 * import { Simulation } from "../../sim/simulation.ts";
 * import { undecided } from "./check.ts";
 * import assert from "node:assert/strict";
 * const sim = new Simulation({ seed: 1 });
 * sim.spawn("n2", () => ({ onMessage() {} }));
 * sim.storage("n2").set("txn/c1.3", {
 *   participants: ["n1", "n2"], coordinator: "tm", epoch: 1, vote: "yes", outcome: null,
 * });
 * assert.deepEqual(undecided(sim, ["n2"]), ["n2: c1.3"]);
 * ```
 */
export function undecided(sim: Simulation, participants: readonly NodeId[]): string[] {
  const out: string[] = [];
  for (const [txn, byNode] of commitRecords(sim, participants)) {
    for (const [id, r] of byNode) if (r.outcome === null) out.push(`${id}: ${txn}`);
  }
  return out;
}

/** How long after the heal every participant must have decided, virtual ms. */
export const COMMIT_TERMINATION_MS = 5000;

/**
 * The end of a run of atomic commit: heal every fault (leaving the nodes in
 * `spare` as they are: a coordinator crashed for good, say), wait up to
 * {@linkcode COMMIT_TERMINATION_MS} for every participant to decide, then
 * check atomicity and validity, and termination if the safety checks held.
 *
 * @example
 * ```ts
 * import { Simulation } from "../../sim/simulation.ts";
 * import { checkCommit } from "./check.ts";
 * import assert from "node:assert/strict";
 * const sim = new Simulation({ seed: 1 });
 * sim.spawn("n1", () => ({ onMessage() {} }));
 * sim.storage("n1").set("txn/c1.1", {
 *   participants: ["n1", "n2"], coordinator: "tm", epoch: 1, vote: "yes", outcome: null,
 * });
 * const [v] = checkCommit(sim, ["n1"], []);
 * assert.equal(v.check, "termination");
 * assert.match(v.message, /n1: c1.1 still undecided/);
 * ```
 */
export function checkCommit(
  sim: Simulation,
  participants: readonly NodeId[],
  spare: readonly NodeId[],
): Violation[] {
  const held = healAndAwait(
    sim,
    (s) => undecided(s, participants).length === 0,
    COMMIT_TERMINATION_MS,
    spare,
  );
  const safety = [
    ...atomicityViolations(sim, participants),
    ...validityViolations(sim, participants),
  ];
  if (held !== undefined || safety.length > 0 || sim.violations.length > 0) return safety;
  const left = undecided(sim, participants);
  const why = spare.length > 0 ? ` (${spare.join(", ")} down for good)` : "";
  return [
    terminationViolation(
      `${left.slice(0, 4).join(", ")}${left.length > 4 ? ", ..." : ""} still undecided${why}`,
      COMMIT_TERMINATION_MS,
      sim.now,
    ),
  ];
}
