/**
 * The `quorum` and `abd` scenarios for `deno task sim run`, the demo and the
 * tests.
 *
 * Both spawn replicas `n1..nN` and clients `c1..cK`. Clients `c1..cWriters`
 * read and write (half and half); the others only read. Each client runs
 * `--ops` operations one at a time on keys `x`, `y`, `z`, ... and records
 * them in the history; at the end the history is checked for
 * linearizability against the key-value model (one register per key). A
 * history that is not linearizable is a violation named `linearizability`
 * whose message is the counterexample; the summary prints the verdict and
 * the operations that cannot be ordered.
 *
 * Flags (`0` means "derive it"):
 *
 * | flag | meaning |
 * | --- | --- |
 * | `--n` | replicas N; 0 (default) takes `--nodes`, which is the same thing |
 * | `--r`, `--w` | read and write quorums; 0 (default) is a majority of N |
 * | `--read-repair` | `quorum` only: `none` (default), `async` (repair in the background) or `sync` (write back to a write quorum before returning) |
 * | `--single-writer` | `abd` only: writes skip the query round (wrong with several writers) |
 * | `--clients`, `--writers` | clients, and how many of them also write |
 * | `--ops`, `--keys`, `--think-ms` | operations per client, keys, mean pause between operations |
 * | `--timeout-ms`, `--retries` | when a client resends to silent replicas, and how often before giving up |
 *
 * @module
 */

import type { Actor, NodeId } from "../../actors/mod.ts";
import {
  checkLinearizability,
  type LinearizabilityResult,
  linearizabilityViolations,
} from "../../sim/check/linearizability.ts";
import { kvModel } from "../../sim/check/models.ts";
import { ConfigError } from "../../sim/errors.ts";
import {
  defineScenario,
  flag,
  type FlagSpec,
  type FlagSpecs,
  nodeIds,
  type Scenario,
  type ScenarioParams,
  type ScenarioSetup,
} from "../../sim/scenario.ts";
import type { Simulation } from "../../sim/simulation.ts";
import { AbdClient } from "./abd.ts";
import { describeAnomaly, findAnomaly } from "./anomalies.ts";
import { availability, type QuorumSetup } from "./availability.ts";
import { QuorumClient, READ_REPAIR_MODES, type ReadRepair } from "./client.ts";
import { compareTimestamps, formatTimestamp, type QuorumMsg, type Value } from "./messages.ts";
import { QuorumReplica, storedVersions } from "./replica.ts";
import type { RoundClientConfig } from "./round_client.ts";

/** Most replicas a scenario accepts. */
const MAX_REPLICAS = 15;

/** N when neither `--n` nor `--nodes` says otherwise. */
const DEFAULT_N = 3;

/** The checker's wall-clock budget; small histories take milliseconds. */
const CHECK_BUDGET_MS = 10_000;

/**
 * The flags the `quorum` and `abd` scenarios share, from which
 * {@linkcode clusterShape} resolves the cluster.
 */
export type ClusterFlags = {
  /** Replicas N (0: as many as `--nodes`). */
  n: FlagSpec<number>;
  /** Read quorum R (0: a majority of N). */
  r: FlagSpec<number>;
  /** Write quorum W (0: a majority of N). */
  w: FlagSpec<number>;
  /** Clients c1..cK. */
  clients: FlagSpec<number>;
  /** Clients (c1..) that also write. */
  writers: FlagSpec<number>;
  /** Operations per client. */
  ops: FlagSpec<number>;
  /** Keys the operations spread over. */
  keys: FlagSpec<number>;
  /** Mean pause before each operation, ms. */
  "think-ms": FlagSpec<number>;
  /** Resend to silent replicas after this, ms. */
  "timeout-ms": FlagSpec<number>;
  /** Resends before an operation gives up. */
  retries: FlagSpec<number>;
};

/** The flags of the `quorum` scenario. */
export type QuorumFlags = ClusterFlags & {
  /** How reads repair stale replicas. */
  "read-repair": FlagSpec<ReadRepair>;
};

/** The flags of the `abd` scenario. */
export type AbdFlags = ClusterFlags & {
  /** Writes skip the query round (correct only with one writer). */
  "single-writer": FlagSpec<boolean>;
};

/** Flags both scenarios have (`writers` has its own default in each). */
const COMMON_FLAGS = {
  n: flag.int("replicas N (0: as many as --nodes)", 0, { min: 0, max: MAX_REPLICAS }),
  r: flag.int("read quorum R (0: a majority of N)", 0, { min: 0 }),
  w: flag.int("write quorum W (0: a majority of N)", 0, { min: 0 }),
  clients: flag.int("clients c1..cK", 3, { min: 1, max: 50 }),
  ops: flag.int("operations per client", 10, { min: 0, max: 100_000 }),
  keys: flag.int("keys the operations spread over", 1, { min: 1, max: 26 }),
  "think-ms": flag.number("mean pause before each operation, ms", 10, { min: 0 }),
  "timeout-ms": flag.number("resend to silent replicas after this, ms", 40, { min: 1 }),
  retries: flag.int("resends before an operation gives up", 2, { min: 0 }),
} satisfies FlagSpecs;

/** The flags of `quorum`. */
const QUORUM_FLAGS: QuorumFlags = {
  ...COMMON_FLAGS,
  "read-repair": flag.choice(
    "async repairs stale replicas in the background, sync writes back first",
    READ_REPAIR_MODES,
    "none",
  ),
  writers: flag.int("clients (c1..) that also write", 1, { min: 0 }),
};

/** The flags of `abd`. */
const ABD_FLAGS: AbdFlags = {
  ...COMMON_FLAGS,
  writers: flag.int("clients (c1..) that also write", 3, { min: 0 }),
  "single-writer": flag.bool("writes skip the query round (correct only with --writers 1)", false),
  // Slower clients than `quorum`'s, so their operations meet the faults.
  "think-ms": { ...COMMON_FLAGS["think-ms"], default: 40 },
};

/**
 * The cluster a scenario runs, resolved from its flags.
 *
 * @example
 * ```ts
 * import { resolveParams } from "../../sim/scenario.ts";
 * import { type ClusterShape, clusterShape, quorum } from "./scenarios.ts";
 * import assert from "node:assert/strict";
 * const params = resolveParams(quorum, { flags: { clients: 2, ops: 4 } });
 * const shape: ClusterShape = clusterShape(params);
 * assert.equal(shape.clients * shape.ops, 8); // operations in the history
 * assert.deepEqual([shape.n, shape.r, shape.w], [3, 2, 2]); // N = 3, majorities
 * ```
 */
export interface ClusterShape {
  /** Replicas. */
  n: number;
  /** Read quorum. */
  r: number;
  /** Write quorum. */
  w: number;
  /** Clients. */
  clients: number;
  /** Clients that also write (the first ones). */
  writers: number;
  /** Operations per client. */
  ops: number;
  /** The keys, `x`, `y`, `z`, ... */
  keys: string[];
  /** Mean pause before each operation, ms. */
  thinkMs: number;
  /** When a client resends to silent replicas, ms. */
  timeoutMs: number;
  /** Resends before an operation gives up. */
  retries: number;
}

/**
 * Resolves and checks the flags both scenarios share. Throws a
 * {@linkcode ConfigError} naming the flag.
 *
 * @example
 * ```ts
 * import { resolveParams } from "../../sim/scenario.ts";
 * import { clusterShape, quorum } from "./scenarios.ts";
 * import assert from "node:assert/strict";
 * assert.equal(clusterShape(resolveParams(quorum, { nodes: 5 })).r, 3);
 * ```
 */
export function clusterShape(
  params: ScenarioParams<ClusterFlags>,
): ClusterShape {
  const f = params.flags;
  const nFlag = f.n;
  // --nodes at its default cannot tell "not given" from "given as 3"; --n wins then.
  if (nFlag !== 0 && params.nodes !== nFlag && params.nodes !== DEFAULT_N) {
    throw new ConfigError("--n", `${nFlag} contradicts --nodes ${params.nodes}; give one of them`);
  }
  const n = nFlag !== 0 ? nFlag : params.nodes;
  const majority = Math.floor(n / 2) + 1;
  const quorum = (name: "r" | "w") => {
    const q = f[name];
    if (q > n) throw new ConfigError(`--${name}`, `must be at most N = ${n}, got ${q}`);
    return q === 0 ? majority : q;
  };
  const clients = f.clients;
  const keyCount = f.keys;
  return {
    n,
    r: quorum("r"),
    w: quorum("w"),
    clients,
    writers: Math.min(f.writers, clients),
    ops: f.ops,
    keys: Array.from({ length: keyCount }, (_, i) => KEY_NAMES[i]),
    thinkMs: f["think-ms"],
    timeoutMs: f["timeout-ms"],
    retries: f.retries,
  };
}

/** Keys are `x`, `y`, `z`, then the alphabet from `a`. */
const KEY_NAMES = ["x", "y", "z", ..."abcdefghijklmnopqrstuvw"];

/**
 * `deno task sim run quorum`: Dynamo-style quorum replication with N, R, W
 * and read repair as flags. With the defaults (N = 3, R = W = 2, one writer,
 * no read repair) most seeds are linearizable; `--r 1 --w 1` gives stale
 * reads, and seeds with slow links (`--latency exp:5 --think-ms 1`) show the
 * lecture 7.2 anomaly that `--read-repair sync` removes.
 *
 * @example
 * ```ts
 * import { runScenario } from "../../sim/scenario.ts";
 * import { quorum } from "./scenarios.ts";
 * import assert from "node:assert/strict";
 * assert.ok(runScenario(quorum, { seed: 1, flags: { "read-repair": "sync" } }).ok);
 * ```
 */
export const quorum: Scenario<QuorumFlags> = defineScenario({
  name: "quorum",
  summary: "quorum reads and writes (N, R, W, read repair); checks linearizability",
  defaults: { nodes: DEFAULT_N, minNodes: 1, maxNodes: MAX_REPLICAS, until: 2000 },
  flags: QUORUM_FLAGS,
  setup(sim, params) {
    const shape = clusterShape(params);
    const readRepair: ReadRepair = params.flags["read-repair"];
    const setup: QuorumSetup = {
      protocol: "quorum",
      n: shape.n,
      r: shape.r,
      w: shape.w,
      readRepair,
    };
    return clusterSetup(sim, shape, setup, (config) => new QuorumClient({ ...config, readRepair }));
  },
});

/**
 * `deno task sim run abd`: the ABD linearizable register under random
 * crashes, pauses and partitions (of replicas and clients), 2% message loss
 * and 2% duplication. Every client writes; the history is linearizable on
 * every seed.
 *
 * @example
 * ```ts
 * import { runScenario } from "../../sim/scenario.ts";
 * import { abd } from "./scenarios.ts";
 * import assert from "node:assert/strict";
 * assert.ok(runScenario(abd, { seed: 1, trace: "off" }).ok);
 * ```
 */
export const abd: Scenario<AbdFlags> = defineScenario({
  name: "abd",
  summary: "the ABD register: reads write back, writes query first; linearizable under faults",
  defaults: {
    nodes: DEFAULT_N,
    minNodes: 1,
    maxNodes: MAX_REPLICAS,
    until: 1500,
    faults: "random",
    network: { loss: 0.02, duplicate: 0.02 },
  },
  flags: ABD_FLAGS,
  // ABD is linearizable with any minority down, messages lost (clients
  // retry) or duplicated, any number of writers and clients, any timing.
  explore: {
    faults: ["crash", "pause", "partition"],
    maxLoss: 0.1,
    maxDup: 0.1,
    flags: {
      clients: [2, 3, 5],
      writers: [1, 3, 5],
      "think-ms": [0, 5, 40],
      keys: [1, 2],
    },
    // Linearizable with a minority down for good (operations may fail).
    hold: true,
  },
  setup(sim, params) {
    const shape = clusterShape(params);
    const singleWriter = params.flags["single-writer"];
    const setup: QuorumSetup = {
      protocol: "abd",
      n: shape.n,
      r: shape.r,
      w: shape.w,
      singleWriter,
    };
    return clusterSetup(sim, shape, setup, (config) => new AbdClient({ ...config, singleWriter }));
  },
});

/** Spawns replicas and clients, and returns the history check and the summary. */
function clusterSetup(
  sim: Simulation,
  shape: ClusterShape,
  setup: QuorumSetup,
  client: (config: RoundClientConfig) => Actor<QuorumMsg>,
): ScenarioSetup {
  const replicas = nodeIds(shape.n);
  const clients = nodeIds(shape.clients, "c");
  for (const id of replicas) sim.spawn(id, () => new QuorumReplica());
  clients.forEach((id, i) => {
    sim.spawn(id, () =>
      client({
        replicas,
        r: shape.r,
        w: shape.w,
        timeoutMs: shape.timeoutMs,
        retries: shape.retries,
        workload: {
          ops: shape.ops,
          keys: shape.keys,
          writeRatio: i < shape.writers ? 0.5 : 0,
          thinkMs: shape.thinkMs,
        },
      }));
  });
  let lin: LinearizabilityResult | undefined;
  const checked = (s: Simulation) =>
    lin ??= checkLinearizability(s.history.operations, kvModel, { timeoutMs: CHECK_BUDGET_MS });
  return {
    check: (s) => linearizabilityViolations(checked(s), s.now),
    summary: (s) => {
      const lin = checked(s);
      // With one writer a key's values come in call order, so the pattern can be named.
      const anomaly = lin.result === "illegal" && shape.writers <= 1
        ? findAnomaly(s.history.operations)
        : undefined;
      return [
        ...configLines(setup, shape),
        ...replicaLines(s, replicas, shape.keys),
        clientLine(s),
        ...verdictLines(lin),
        ...(anomaly === undefined ? [] : [describeAnomaly(anomaly)]),
      ];
    },
  };
}

/**
 * The verdict as text: one line, then for a violation the counterexample's
 * lines, indented.
 *
 * @example
 * ```ts
 * import { checkLinearizability } from "../../sim/check/linearizability.ts";
 * import { kvModel } from "../../sim/check/models.ts";
 * import { verdictLines } from "./scenarios.ts";
 * import assert from "node:assert/strict";
 * const lines = verdictLines(checkLinearizability([], kvModel));
 * assert.equal(lines[0], "linearizable: yes (0 operations, 0 keys)");
 * ```
 */
export function verdictLines(lin: LinearizabilityResult): string[] {
  // No wall time here: summaries are compared across runs and machines.
  const took = `${lin.ops} operations, ${lin.partitions} key${lin.partitions === 1 ? "" : "s"}`;
  switch (lin.result) {
    case "ok":
      return [`linearizable: yes (${took})`];
    case "unknown":
      return [`linearizable: unknown (the checker's budget ran out; ${took})`];
    case "illegal":
      return [
        `linearizable: NO (${took})`,
        ...(lin.counterexample?.description ?? []).map((line) => `  ${line}`),
      ];
    default: {
      const never: never = lin.result;
      throw new Error(`unknown verdict ${never}`);
    }
  }
}

function configLines(setup: QuorumSetup, shape: ClusterShape): string[] {
  const a = availability(setup);
  const repair = setup.protocol === "quorum" ? `, read repair ${setup.readRepair ?? "none"}` : "";
  const single = setup.protocol === "abd" && setup.singleWriter ? ", single-writer writes" : "";
  return [
    `${setup.protocol === "abd" ? "ABD" : "quorum"}: N=${shape.n} R=${shape.r} W=${shape.w}` +
    `${repair}${single}; R + W ${a.overlap ? ">" : "<="} N: reads ${a.guarantee}`,
    `with replicas down, reads survive ${a.readFaults}, writes ${a.writeFaults}; ` +
    `${shape.clients} clients (${shape.writers} writing) x ${shape.ops} operations`,
  ];
}

function replicaLines(
  sim: Simulation,
  replicas: readonly NodeId[],
  keys: readonly string[],
): string[] {
  const held = replicas.map((id) => storedVersions(sim.storage(id)));
  const lines = replicas.map((id, i) => {
    const entries = keys.map((k) => {
      const v = held[i].get(k);
      return `${k}=${show(v?.value ?? null)} ${formatTimestamp(v?.ts ?? null)}`;
    });
    const status = sim.status(id) === "up" ? "" : ` (${sim.status(id)})`;
    return `${id}${status}: ${entries.join("  ")}`;
  });
  const split = keys.filter((k) =>
    held.some((h) => compareTimestamps(h.get(k)?.ts ?? null, held[0].get(k)?.ts ?? null) !== 0)
  );
  lines.push(
    split.length === 0
      ? "replicas agree on every key"
      : `replicas disagree on ${split.join(", ")} (no write or repair reached every one)`,
  );
  return lines;
}

function clientLine(sim: Simulation): string {
  const ops = sim.history.operations;
  const count = (s: string) => ops.filter((op) => op.status === s).length;
  return `operations: ${count("ok")} ok, ${count("fail")} fail, ${count("info")} info, ` +
    `${count("pending")} pending, of ${ops.length}`;
}

function show(v: Value): string {
  return v === null ? "nil" : String(v);
}
