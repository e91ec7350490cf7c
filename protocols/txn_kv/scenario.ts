/**
 * The `txn-kv` scenario: a transactional key-value store over two-phase
 * commit. Shards `n1..nN` own keys `0..K-1` (key `k` on shard `k mod N`)
 * and run strict two-phase locking; coordinator `tm` runs 2PC with
 * presumed abort; clients `c1..cK` run Jepsen's list-append (or
 * rw-register) workload. Crashes, pauses and partitions of shards and
 * coordinator come from the seed; the network loses and duplicates 2% of
 * messages.
 *
 * After the run the faults heal and every shard must decide every
 * transaction it prepared (termination); then 2PC's atomicity and validity
 * are checked on the shards' records, and the clients' history of
 * transactions by the transaction checker (`sim/check/txn`, as Elle does),
 * against `--consistency` (default strict serializability, which strict
 * two-phase locking with two-phase commit gives). `--no-locking` takes the
 * locks away and the anomalies appear, each with the cycle that shows it.
 *
 * @module
 */

import {
  defineScenario,
  flag,
  type FlagSpec,
  type FlagSpecs,
  nodeIds,
  type Scenario,
} from "../../sim/scenario.ts";
import type { Simulation } from "../../sim/simulation.ts";
import {
  checkTransactions,
  transactionViolations,
  type TxnCheckResult,
} from "../../sim/check/txn/check.ts";
import { CONSISTENCY_MODELS, type ConsistencyModel } from "../../sim/check/txn/consistency.ts";
import { checkCommit } from "../commit/check.ts";
import { Coordinator } from "../commit/coordinator.ts";
import { COORDINATOR } from "../commit/scenarios.ts";
import { TxnClient } from "./client.ts";
import { txnKvLabel } from "./history.ts";
import { type Workload, WORKLOADS } from "./messages.ts";
import { Shard } from "./shard.ts";

/** The flags of `txn-kv`. */
export const TXN_KV_FLAGS: {
  workload: FlagSpec<Workload>;
  locking: FlagSpec<boolean>;
  clients: FlagSpec<number>;
  txns: FlagSpec<number>;
  keys: FlagSpec<number>;
  "max-ops": FlagSpec<number>;
  "think-ms": FlagSpec<number>;
  consistency: FlagSpec<ConsistencyModel>;
} = {
  workload: flag.choice("lists appended to, or registers written", WORKLOADS, "list-append"),
  locking: flag.bool("strict two-phase locking at the shards (--no-locking shows anomalies)", true),
  clients: flag.int("clients c1..cK", 3, { min: 1, max: 50 }),
  txns: flag.int("transactions per client", 20, { min: 0, max: 10_000 }),
  keys: flag.int("keys 0..K-1", 5, { min: 1, max: 1000 }),
  "max-ops": flag.int("most micro-operations per transaction", 4, { min: 1, max: 20 }),
  "think-ms": flag.number("mean pause before each transaction, ms", 40, { min: 0 }),
  consistency: flag.choice(
    "the model the history must satisfy",
    CONSISTENCY_MODELS,
    "strict-serializable",
  ),
} satisfies FlagSpecs;

/**
 * `deno task sim run txn-kv`: transactions over sharded storage with 2PL
 * and 2PC, their history checked for isolation anomalies.
 *
 * @example
 * ```ts
 * import { runScenario } from "../../sim/scenario.ts";
 * import { txnKv } from "./scenario.ts";
 * import assert from "node:assert/strict";
 * assert.equal(runScenario(txnKv, { seed: 1, trace: "off" }).ok, true);
 * ```
 */
export const txnKv: Scenario<typeof TXN_KV_FLAGS> = defineScenario({
  name: "txn-kv",
  summary: "a transactional KV store: strict 2PL shards, 2PC; the history checked like Elle",
  label: txnKvLabel,
  defaults: {
    nodes: 3,
    minNodes: 1,
    maxNodes: 26,
    until: 3000,
    faults: "random",
    network: { loss: 0.02, duplicate: 0.02 },
  },
  flags: TXN_KV_FLAGS,
  // What swarm varies: the workload, contention (clients, keys), transaction size and pace.
  explore: {
    faults: ["crash", "pause", "partition", "clock"],
    maxLoss: 0.02,
    maxDup: 0.02,
    flags: {
      workload: ["list-append", "rw-register"],
      clients: [1, 3, 6],
      keys: [1, 2, 5],
      "max-ops": [1, 4],
      "think-ms": [0, 10, 40],
    },
  },
  setup(sim, params) {
    const f = params.flags;
    const shards = nodeIds(params.nodes);
    for (const id of shards) {
      sim.spawn(id, () => new Shard({ workload: f.workload, locking: f.locking }));
    }
    sim.spawn(COORDINATOR, () => new Coordinator());
    nodeIds(f.clients, "c").forEach((id, index) => {
      sim.spawn(id, () =>
        new TxnClient({
          shards,
          coordinator: COORDINATOR,
          workload: f.workload,
          txns: f.txns,
          keys: f.keys,
          maxOps: f["max-ops"],
          thinkMs: f["think-ms"],
          index,
          clients: f.clients,
        }));
    });
    let verdict: TxnCheckResult | undefined;
    const checked = (s: Simulation) =>
      verdict ??= checkTransactions(s.history.operations, {
        model: f.workload,
        consistency: f.consistency,
      });
    return {
      faultTargets: [...shards, COORDINATOR],
      check: (s) => [...checkCommit(s, shards, []), ...transactionViolations(checked(s), s.now)],
      summary: (s) => [...txnKvSummary(s, shards), ...verdictLines(checked(s))],
    };
  },
});

/**
 * The transaction checker's verdict for people: valid or not for the model,
 * then one line per anomaly type with its first example and its cycle.
 *
 * @example
 * ```ts
 * import { checkTransactions } from "../../sim/check/txn/check.ts";
 * import { verdictLines } from "./scenario.ts";
 * import assert from "node:assert/strict";
 * const lines = verdictLines(checkTransactions([], { model: "list-append" }));
 * assert.match(lines[0], /^strict-serializable: yes \(0 transactions checked/);
 * ```
 */
export function verdictLines(result: TxnCheckResult): string[] {
  const head = `${result.consistency}: ${
    result.valid === true ? "yes" : result.valid === false ? "NO" : "unknown (budget ran out)"
  } (${result.transactions} transactions checked in ${result.ms.toFixed(1)} ms)`;
  if (result.anomalies.length === 0) return [head];
  const lines = [
    head,
    `anomalies: ${result.anomalyTypes.join(", ")}; not ${result.not.join(", ")}`,
  ];
  for (const type of result.anomalyTypes) {
    const a = result.anomalies.find((x) => x.type === type)!;
    lines.push(`  ${a.description}`);
    if ("cycle" in a) { for (const step of a.cycle) lines.push(`    ${step.why}`); }
  }
  return lines;
}

/** The store's contents and the clients' counts. */
function txnKvSummary(sim: Simulation, shards: readonly string[]): string[] {
  const lines = shards.map((id) => {
    const shard = sim.actor<Shard>(id);
    if (shard === undefined) return `${id} ${sim.status(id)}`;
    const keys = [...shard.data].sort(([a], [b]) => Number(a) - Number(b))
      .map(([k, v]) => `${k}=${JSON.stringify(v)}`);
    return `${id} ${keys.join(" ") || "(empty)"}`;
  });
  const ops = sim.history.operations;
  const count = (st: string) => ops.filter((o) => o.status === st).length;
  lines.push(
    `transactions: ${count("ok")} committed, ${count("fail")} failed, ${count("info")} unknown, ` +
      `of ${ops.length}`,
  );
  return lines;
}
