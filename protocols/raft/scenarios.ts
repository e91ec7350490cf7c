/**
 * Raft scenarios for `deno task sim run <name>`, the demo and the tests.
 *
 * Every scenario spawns servers `n1..nN` (and clients `c1..cK` where it has
 * a workload), checks Raft's five safety properties after every event,
 * checks liveness online where the timing allows it, and checks the client
 * history for linearizability at the end. Role, term and commit changes are
 * log notes in the trace, so `--diagram` shows them on each server's line.
 *
 * | scenario | what happens |
 * | --- | --- |
 * | `raft-election` | servers start together and elect one leader, which then stays |
 * | `raft-replication` | clients write and read through a healthy cluster; every server ends equal |
 * | `raft-leader-crash` | the leader crashes mid-workload and comes back as a follower |
 * | `raft-partition` | the leader is cut off in a minority; it steps down, the majority elects, the heal disrupts nothing |
 * | `raft-figure8` | Figure 8 of the paper, scripted: an old-term entry on a majority is still not committed |
 * | `raft-churn` | random crashes and restarts under load |
 * | `raft-unreliable` | 10% loss, 10% duplication, heavy reordering |
 * | `raft` | random crashes, pauses and partitions from the seed, under load |
 * | `raft-membership` | servers added, promoted, removed and replaced under faults |
 * | `raft-transfer` | the leader hands the lead to another voter (or gives up when it is down) |
 *
 * @module
 */

import type { NodeId } from "../../actors/mod.ts";
import {
  type LinearizabilityResult,
  linearizabilityViolations,
} from "../../sim/check/linearizability.ts";
import { LinearizabilityWindows } from "../../sim/check/linearizability_windows.ts";
import { kvModel } from "../../sim/check/models.ts";
import type { Latency } from "../../sim/network.ts";
import {
  defineScenario,
  flag,
  type FlagSpec,
  nodeIds,
  type Scenario,
  type ScenarioParams,
  type ScenarioSetup,
} from "../../sim/scenario.ts";
import type { Simulation, Violation } from "../../sim/simulation.ts";
import { RaftAdmin } from "./admin.ts";
import { RaftClient, type RaftClientConfig } from "./client.ts";
import { livenessBounds, RaftLiveness, RaftSafety } from "./invariants.ts";
import { raftMessageLabel } from "./labels.ts";
import type { RaftMsg } from "./messages.ts";
import { type RaftConfig, RaftNode, type ResolvedRaftConfig, resolveRaftConfig } from "./node.ts";

/**
 * How to build a cluster for a scenario or a test.
 *
 * @example
 * ```ts
 * import type { RaftClusterOptions } from "./scenarios.ts";
 * import assert from "node:assert/strict";
 * const o: RaftClusterOptions = { servers: 5, clients: 3, opsPerClient: 20 };
 * assert.equal(o.servers, 5);
 * ```
 */
export interface RaftClusterOptions {
  /** Voters the cluster starts with (`n1..nN`). */
  servers: number;
  /** Servers started empty, waiting to be added (`nN+1..`), default 0. */
  spares?: number;
  /** Clients `c1..cK` (default 0). */
  clients?: number;
  /** Operations per client (default 0). */
  opsPerClient?: number;
  /** Settings for every server (its `servers` list is filled in). */
  raft?: Omit<RaftConfig, "servers">;
  /** Settings for every client (its `servers` and `ops` are filled in). */
  client?: Omit<RaftClientConfig, "servers" | "ops">;
  /** Check Raft's safety properties after every event (default true). */
  safety?: boolean;
  /** Check the liveness bounds online (default true). */
  liveness?: boolean;
}

/**
 * A running cluster's handles: ids, checkers, and lookups.
 *
 * @example
 * ```ts
 * import { Simulation } from "../../sim/simulation.ts";
 * import { spawnRaftCluster } from "./scenarios.ts";
 * const sim = new Simulation({ seed: 1, trace: "off" });
 * import assert from "node:assert/strict";
 * const cluster = spawnRaftCluster(sim, { servers: 3 });
 * sim.run({ until: 1000 });
 * assert.ok(cluster.servers.includes(cluster.leader(sim)!));
 * ```
 */
export interface RaftCluster {
  /** Every server: the first voters, then the spares. */
  servers: NodeId[];
  /** The voters the cluster started with. */
  voters: NodeId[];
  /** The clients. */
  clients: NodeId[];
  /** The servers' settings. */
  config: ResolvedRaftConfig;
  /** The safety checks (installed unless turned off). */
  safety: RaftSafety;
  /** The liveness monitor, if installed. */
  liveness: RaftLiveness | null;
  /** The server's current instance, or undefined while it is crashed. */
  node(sim: Simulation, id: NodeId): RaftNode | undefined;
  /** The leader with the highest term among running servers, if any. */
  leader(sim: Simulation): NodeId | undefined;
}

/** The one-way delay no message exceeds (or, for exponential latency, rarely does); null if unknown. */
function maxLatencyMs(latency: Latency): number | null {
  switch (latency.kind) {
    case "fixed":
      return latency.ms;
    case "uniform":
      return latency.max;
    case "exponential":
      return (latency.min ?? 0) + 10 * latency.mean;
    case "custom":
      return null;
    default: {
      const never: never = latency;
      throw new Error(`unknown latency ${JSON.stringify(never)}`);
    }
  }
}

/**
 * Spawns servers `n1..nN` and clients `c1..cK`, and installs the safety
 * checks (and the liveness monitor unless turned off).
 *
 * @example
 * ```ts
 * import { Simulation } from "../../sim/simulation.ts";
 * import { spawnRaftCluster } from "./scenarios.ts";
 * const sim = new Simulation({ seed: 5, trace: "off" });
 * import assert from "node:assert/strict";
 * spawnRaftCluster(sim, { servers: 3, clients: 2, opsPerClient: 5 });
 * assert.equal(sim.run({ until: 3000 }).ok, true);
 * ```
 */
export function spawnRaftCluster(sim: Simulation, options: RaftClusterOptions): RaftCluster {
  const servers = nodeIds(options.servers + (options.spares ?? 0));
  const voters = servers.slice(0, options.servers);
  const clients = nodeIds(options.clients ?? 0, "c");
  const safety = new RaftSafety(servers);
  const checks = options.safety ?? true;
  // The servers tell the checks which of them changed, so that after each
  // event the checks look at those only.
  const watch = checks ? safety.observer() : undefined;
  const user = options.raft?.observer;
  const observer: RaftConfig["observer"] = watch === undefined
    ? user
    : user === undefined
    ? watch
    : (node, event, server) => {
      watch(node, event, server);
      user(node, event, server);
    };
  const config = resolveRaftConfig({ ...options.raft, servers: voters, observer });
  const joiner = resolveRaftConfig({ ...options.raft, servers: voters, join: true, observer });
  for (const id of servers) {
    sim.spawn(id, () => new RaftNode(voters.includes(id) ? config : joiner));
  }
  const clientConfig: RaftClientConfig = {
    ...options.client,
    servers,
    ops: options.opsPerClient ?? 0,
  };
  for (const id of clients) sim.spawn(id, () => new RaftClient(clientConfig));
  if (checks) safety.install(sim);
  let liveness: RaftLiveness | null = null;
  const latency = maxLatencyMs(sim.defaultLink.latency);
  if ((options.liveness ?? true) && latency !== null) {
    liveness = new RaftLiveness(
      servers,
      clients,
      livenessBounds({
        electionMaxMs: config.electionMaxMs,
        servers: servers.length,
        requestTimeoutMs: options.client?.requestTimeoutMs ?? 100,
        maxLatencyMs: latency,
        loss: sim.defaultLink.loss,
      }),
    );
    const monitor = liveness;
    sim.invariant("liveness", (s) => monitor.check(s));
    sim.history.retain(() => monitor.cursor);
  }
  const node = (s: Simulation, id: NodeId) => {
    const n = s.actor<RaftNode>(id);
    return n !== undefined && n.started ? n : undefined;
  };
  return {
    servers,
    voters,
    clients,
    config,
    safety,
    liveness,
    node,
    leader(s) {
      let best: RaftNode | undefined, bestId: NodeId | undefined;
      for (const id of servers) {
        const n = node(s, id);
        if (n?.role === "leader" && (best === undefined || n.currentTerm > best.currentTerm)) {
          best = n;
          bestId = id;
        }
      }
      return bestId;
    },
  };
}

/**
 * Checks the clients' history against the key-value model: in windows as the
 * run goes once it holds more than 10,000 operations (releasing what was
 * checked, so a long run's memory stays flat), the rest at the end, once;
 * later calls return the same result.
 */
function historyChecker(sim: Simulation): (sim: Simulation) => LinearizabilityResult {
  const windows = new LinearizabilityWindows(sim.history, kvModel, { timeoutMs: 20_000 });
  return () => windows.finish();
}

/**
 * Violations of the history check: an `illegal` history, and (when
 * `allOk`) an operation that did not return `ok`.
 */
function historyViolations(
  sim: Simulation,
  lin: LinearizabilityResult,
  allOk: boolean,
): Violation[] {
  const out = linearizabilityViolations(lin, sim.now);
  const h = sim.history;
  if (allOk && h.count("ok") !== h.length) {
    // The checker releases only what it has checked; a short run keeps everything.
    let bad = -1;
    for (let id = h.first; id < h.length && bad < 0; id++) if (h.status(id) !== "ok") bad = id;
    out.push({
      check: "all-ops-ok",
      message: bad < 0
        ? `${h.length - h.count("ok")} operations did not end ok in a run without faults`
        : `operation ${bad} (${h.f(bad)} by ${h.client(bad)}) ended ${h.status(bad)} ` +
          "in a run without faults",
      atMs: sim.now,
      ...(bad < 0 ? {} : { node: h.client(bad) }),
    });
  }
  return out;
}

/**
 * Every server is up and they agree: same commit index, everything
 * committed applied, same state machine digest.
 */
function convergence(sim: Simulation, cluster: RaftCluster): Violation[] {
  const nodes = cluster.servers.map((id) => [id, cluster.node(sim, id)] as const);
  const down = nodes.find(([, n]) => n === undefined);
  if (down !== undefined) {
    return [{ check: "convergence", message: `${down[0]} is down at the end`, atMs: sim.now }];
  }
  const [firstId, first] = nodes[0];
  for (const [id, n] of nodes) {
    if (
      n!.commitIndex !== first!.commitIndex || n!.lastApplied !== n!.commitIndex ||
      n!.stateMachine.digest !== first!.stateMachine.digest
    ) {
      return [{
        check: "convergence",
        message: `${id} (commit ${n!.commitIndex}, applied ${n!.lastApplied}) differs from ` +
          `${firstId} (commit ${first!.commitIndex}, applied ${first!.lastApplied})`,
        atMs: sim.now,
        node: id,
      }];
    }
  }
  return [];
}

/**
 * The summary lines every Raft scenario prints: one per server with role,
 * term and indexes, the leaders by term, the client outcome, liveness.
 *
 * @example
 * ```ts
 * import { runScenario } from "../../sim/scenario.ts";
 * import { raftReplication } from "./scenarios.ts";
 * import assert from "node:assert/strict";
 * assert.match(runScenario(raftReplication, { seed: 1 }).summary[0], /^n1 \w+ +t\d+ +commit \d+/);
 * ```
 */
export function raftSummary(
  sim: Simulation,
  cluster: RaftCluster,
  lin?: LinearizabilityResult,
): string[] {
  const lines: string[] = [];
  for (const id of cluster.servers) {
    const n = cluster.node(sim, id);
    if (n === undefined) {
      lines.push(`${id} ${sim.status(id)}`);
      continue;
    }
    const log = n.log;
    const snap = log.snapshotIndex > 0 ? ` (snapshot ${log.snapshotIndex})` : "";
    lines.push(
      `${id} ${n.role.padEnd(12)} t${String(n.currentTerm).padEnd(3)} commit ${n.commitIndex}` +
        `  applied ${n.lastApplied}  log ${log.firstIndex}..${log.lastIndex}${snap}`,
    );
  }
  const terms = [...cluster.safety.leaders].sort((a, b) => a[0] - b[0]);
  const shown = terms.slice(-8).map(([t, id]) => `t${t} ${id}`).join(", ");
  lines.push(
    `leaders by term: ${terms.length > 8 ? `(${terms.length - 8} earlier) ` : ""}${
      shown || "none"
    }`,
  );
  if (cluster.clients.length > 0) {
    const h = sim.history;
    const verdict = lin === undefined
      ? ""
      : `; linearizable: ${lin.result} (${lin.partitions} keys)`;
    lines.push(
      `clients: ${h.count("ok")} ok, ${h.count("info")} info, ${h.count("pending")} pending ` +
        `of ${h.length}${verdict}`,
    );
  }
  const live = cluster.liveness;
  if (live !== null) {
    lines.push(
      `liveness: a majority went <= ${live.maxLeaderlessMs.toFixed(0)} ms without a leader ` +
        `(bound ${live.bounds.leaderWithinMs}); ops took <= ${live.maxSteadyOpMs.toFixed(0)} ms ` +
        `(bound ${live.bounds.commitWithinMs})`,
    );
  }
  return lines;
}

// ---- flags shared by the scenarios with a workload -------------------------------

/**
 * The flags of the Raft scenarios with a client workload.
 *
 * @example
 * ```ts
 * import type { RaftWorkloadFlags } from "./scenarios.ts";
 * import { raftReplication } from "./scenarios.ts";
 * import assert from "node:assert/strict";
 * const flags: RaftWorkloadFlags = raftReplication.flags!;
 * assert.equal(flags.clients.default, 3);
 * ```
 */
export type RaftWorkloadFlags = {
  /** Client actors c1..cK. */
  clients: FlagSpec<number>;
  /** Operations per client. */
  ops: FlagSpec<number>;
  /** How gets are served: through the log, by ReadIndex, or either at random. */
  reads: FlagSpec<"log" | "read-index" | "mixed">;
  /** Applied entries between snapshots. */
  "snapshot-every": FlagSpec<number>;
};

/**
 * The flags of `raft-partition`.
 *
 * @example
 * ```ts
 * import { raftPartition, type RaftPartitionFlags } from "./scenarios.ts";
 * import assert from "node:assert/strict";
 * const flags: RaftPartitionFlags = raftPartition.flags!;
 * assert.equal(flags["pre-vote"].default, true);
 * ```
 */
export type RaftPartitionFlags = RaftWorkloadFlags & {
  /** Servers ask for pre-votes. */
  "pre-vote": FlagSpec<boolean>;
  /** Leaders step down without a majority. */
  "check-quorum": FlagSpec<boolean>;
};

/**
 * The flags of `raft-figure8`.
 *
 * @example
 * ```ts
 * import { raftFigure8, type RaftFigure8Flags } from "./scenarios.ts";
 * import assert from "node:assert/strict";
 * const flags: RaftFigure8Flags = raftFigure8.flags!;
 * assert.equal(flags["unsafe-commit"].default, false);
 * ```
 */
export type RaftFigure8Flags = {
  /** Count old-term replicas when committing (breaks the Figure 8 rule). */
  "unsafe-commit": FlagSpec<boolean>;
};

/**
 * The flags of `raft-membership`.
 *
 * @example
 * ```ts
 * import { raftMembership, type RaftMembershipFlags } from "./scenarios.ts";
 * import assert from "node:assert/strict";
 * const flags: RaftMembershipFlags = raftMembership.flags!;
 * assert.equal(flags.changes.default, 5);
 * ```
 */
export type RaftMembershipFlags = RaftWorkloadFlags & {
  /** Membership changes to make (add, remove or replace). */
  changes: FlagSpec<number>;
  /** Fewest voters the operator keeps. */
  "min-voters": FlagSpec<number>;
  /** Most voters the operator adds up to. */
  "max-voters": FlagSpec<number>;
};

/**
 * The flags of `raft-transfer`.
 *
 * @example
 * ```ts
 * import { raftTransfer, type RaftTransferFlags } from "./scenarios.ts";
 * import assert from "node:assert/strict";
 * const flags: RaftTransferFlags = raftTransfer.flags!;
 * assert.equal(flags["target-down"].default, false);
 * ```
 */
export type RaftTransferFlags = RaftWorkloadFlags & {
  /** Crash the target first: the transfer is aborted. */
  "target-down": FlagSpec<boolean>;
};

const WORKLOAD_FLAGS: RaftWorkloadFlags = {
  clients: flag.int("client actors", 3, { min: 0, max: 100 }),
  ops: flag.int("operations per client", 30, { min: 0 }),
  reads: flag.choice("how gets are served", ["log", "read-index", "mixed"] as const, "mixed"),
  "snapshot-every": flag.int("applied entries between snapshots", 25, { min: 1 }),
};

/** Cluster options from the workload flags. */
function workload(
  params: ScenarioParams<typeof WORKLOAD_FLAGS>,
  extra: Partial<RaftClusterOptions> = {},
) {
  const options: RaftClusterOptions = {
    servers: params.nodes,
    clients: params.flags.clients,
    opsPerClient: params.flags.ops,
    raft: { snapshotEvery: params.flags["snapshot-every"], ...extra.raft },
    client: { reads: params.flags.reads, ...extra.client },
    liveness: extra.liveness,
  };
  return options;
}

/** The setup of a scenario whose only judges are the checkers (and optionally convergence). */
function standardSetup(
  sim: Simulation,
  options: RaftClusterOptions,
  judge: { allOk?: boolean; converge?: boolean; extra?: (sim: Simulation) => Violation[] } = {},
): ScenarioSetup & { cluster: RaftCluster } {
  const cluster = spawnRaftCluster(sim, options);
  const lin = historyChecker(sim);
  return {
    cluster,
    faultTargets: cluster.servers,
    // The leader: the node whose crash or isolation matters most.
    special: (s) => cluster.leader(s),
    inspect: () => checksState(cluster),
    check: (s) => [
      ...historyViolations(s, lin(s), judge.allOk ?? false),
      ...(judge.converge ? convergence(s, cluster) : []),
      ...(judge.extra?.(s) ?? []),
    ],
    summary: (s) => raftSummary(s, cluster, cluster.clients.length > 0 ? lin(s) : undefined),
  };
}

/** What a cluster's checks remember (for `sim check`, see `ScenarioSetup.inspect`). */
function checksState(cluster: RaftCluster): unknown {
  return [cluster.safety.inspect(), cluster.liveness?.inspect() ?? null];
}

// ---- the scenarios ----------------------------------------------------------------

/**
 * `raft-election`: servers start at once; one becomes leader within the
 * liveness bound and keeps the lead (no faults, so no other election).
 *
 * @example
 * ```ts
 * import { runScenario } from "../../sim/scenario.ts";
 * import assert from "node:assert/strict";
 * import { raftElection } from "./scenarios.ts";
 * assert.equal(runScenario(raftElection, { seed: 1 }).ok, true);
 * ```
 */
export const raftElection: Scenario = defineScenario({
  name: "raft-election",
  label: raftMessageLabel,
  summary: "Raft leader election: randomised timeouts, pre-votes, votes, one stable leader",
  defaults: { nodes: 5, minNodes: 1, maxNodes: 51, until: 2000 },
  setup(sim, params) {
    const setup = standardSetup(sim, { servers: params.nodes });
    const { cluster } = setup;
    let first: { id: NodeId; term: number; at: number } | undefined;
    sim.invariant("first-leader", (s) => {
      if (first !== undefined) return;
      const id = cluster.leader(s);
      if (id !== undefined) first = { id, term: cluster.node(s, id)!.currentTerm, at: s.now };
    });
    return {
      ...setup,
      inspect: () => [setup.inspect!(sim), first ?? null],
      check: (s) => {
        const out = setup.check!(s);
        const bound = cluster.liveness?.bounds.leaderWithinMs ?? Infinity;
        const leader = cluster.leader(s);
        if (first === undefined || first.at > bound) {
          out.push({
            check: "election",
            message: `no leader within ${bound} ms`,
            atMs: s.now,
          });
        } else if (leader !== first.id || cluster.safety.leaders.size !== 1) {
          out.push({
            check: "stable-leader",
            message: `${first.id} won term ${first.term} but the lead moved to ${leader} ` +
              `without any fault (${cluster.safety.leaders.size} leaders in all)`,
            atMs: s.now,
          });
        }
        return out;
      },
      summary: (s) => [
        ...(first ? [`first leader ${first.id} in term ${first.term} at ${first.at} ms`] : []),
        ...setup.summary!(s),
      ],
    };
  },
});

/**
 * `raft-replication`: clients run a workload on a healthy cluster. Every
 * operation succeeds, the history is linearizable, every server ends with
 * the same state.
 *
 * @example
 * ```ts
 * import { runScenario } from "../../sim/scenario.ts";
 * import assert from "node:assert/strict";
 * import { raftReplication } from "./scenarios.ts";
 * assert.equal(runScenario(raftReplication, { seed: 1 }).ok, true);
 * ```
 */
export const raftReplication: Scenario<RaftWorkloadFlags> = defineScenario({
  name: "raft-replication",
  label: raftMessageLabel,
  summary: "Raft log replication and client sessions on a healthy cluster; linearizable KV",
  defaults: { nodes: 5, minNodes: 1, maxNodes: 51, until: 5000 },
  flags: WORKLOAD_FLAGS,
  setup(sim, params) {
    return standardSetup(sim, workload(params), { allOk: true, converge: true });
  },
});

/**
 * `raft-leader-crash`: at 1000 ms the leader crashes; a new one takes over
 * within the bound; the old one restarts at 2000 ms and catches up.
 *
 * @example
 * ```ts
 * import { runScenario } from "../../sim/scenario.ts";
 * import assert from "node:assert/strict";
 * import { raftLeaderCrash } from "./scenarios.ts";
 * assert.equal(runScenario(raftLeaderCrash, { seed: 1 }).ok, true);
 * ```
 */
export const raftLeaderCrash: Scenario<RaftWorkloadFlags> = defineScenario({
  name: "raft-leader-crash",
  label: raftMessageLabel,
  summary: "Raft: the leader crashes under load, a new one is elected, the old one rejoins",
  defaults: { nodes: 5, minNodes: 3, maxNodes: 51, until: 5000 },
  flags: WORKLOAD_FLAGS,
  setup(sim, params) {
    const setup = standardSetup(sim, workload(params), { converge: true });
    const { cluster } = setup;
    let crashed: NodeId | undefined;
    sim.at(1000, (s) => {
      crashed = cluster.leader(s) ?? cluster.servers[0];
      s.crash(crashed);
    });
    sim.at(2000, (s) => s.restart(crashed!));
    return {
      ...setup,
      summary: (
        s,
      ) => [`crashed leader ${crashed} at 1000 ms, restarted at 2000 ms`, ...setup.summary!(s)],
    };
  },
});

/**
 * `raft-partition`: at 1000 ms the leader and as many followers as keep it
 * in a minority are cut off. CheckQuorum makes the old leader step down;
 * the majority elects a new one. At 2500 ms the partition heals; thanks to
 * PreVote the returning servers do not raise the term, so the new leader
 * keeps the lead.
 *
 * @example
 * ```ts
 * import { runScenario } from "../../sim/scenario.ts";
 * import assert from "node:assert/strict";
 * import { raftPartition } from "./scenarios.ts";
 * assert.equal(runScenario(raftPartition, { seed: 1 }).ok, true);
 * ```
 */
export const raftPartition: Scenario<RaftPartitionFlags> = defineScenario({
  name: "raft-partition",
  label: raftMessageLabel,
  summary: "Raft: the leader ends up in a minority, steps down, and rejoins without disruption",
  defaults: { nodes: 5, minNodes: 3, maxNodes: 51, until: 5000 },
  flags: {
    ...WORKLOAD_FLAGS,
    "pre-vote": flag.bool("servers ask for pre-votes (off: see the heal disrupt)", true),
    "check-quorum": flag.bool(
      "leaders step down without a majority (off: see the old leader linger)",
      true,
    ),
  },
  setup(sim, params) {
    const raft = {
      preVote: params.flags["pre-vote"],
      checkQuorum: params.flags["check-quorum"],
    };
    const setup = standardSetup(sim, workload(params, { raft }), { converge: true });
    const { cluster } = setup;
    let minority: NodeId[] = [];
    let oldLeader: NodeId | undefined;
    let atHeal: { term: number; leader: NodeId | undefined; oldLeaderRole: string } | undefined;
    sim.at(1000, (s) => {
      oldLeader = cluster.leader(s) ?? cluster.servers[0];
      const others = cluster.servers.filter((id) => id !== oldLeader);
      minority = [oldLeader, ...others.slice(0, Math.floor((cluster.servers.length - 1) / 2) - 1)];
      s.partition(minority, cluster.servers.filter((id) => !minority.includes(id)));
    });
    sim.at(2500, (s) => {
      const leader = cluster.leader(s);
      atHeal = {
        term: leader === undefined ? -1 : cluster.node(s, leader)!.currentTerm,
        leader,
        oldLeaderRole: cluster.node(s, oldLeader!)?.role ?? "down",
      };
      s.heal();
    });
    const maxTerm = (s: Simulation) =>
      Math.max(...cluster.servers.map((id) => cluster.node(s, id)?.currentTerm ?? 0));
    return {
      ...setup,
      check: (s) => {
        const out = setup.check!(s);
        if (atHeal === undefined) return out;
        if (atHeal.oldLeaderRole === "leader") {
          out.push({
            check: "check-quorum",
            message: `${oldLeader} was still leader in its minority when the partition healed`,
            atMs: 2500,
            node: oldLeader,
          });
        }
        if (atHeal.leader === undefined || minority.includes(atHeal.leader)) {
          out.push({
            check: "majority-leader",
            message: `the majority had no leader of its own by 2500 ms (${atHeal.leader})`,
            atMs: 2500,
          });
        } else if (maxTerm(s) !== atHeal.term) {
          out.push({
            check: "pre-vote",
            message: `the term rose from ${atHeal.term} to ${maxTerm(s)} after the heal: ` +
              "the returning minority disrupted the cluster",
            atMs: s.now,
          });
        }
        return out;
      },
      summary: (s) => [
        `at 1000 ms cut off ${minority.join(",")} (leader ${oldLeader}); at the 2500 ms heal ` +
        `${atHeal?.leader} led term ${atHeal?.term}, ${oldLeader} was ${atHeal?.oldLeaderRole}`,
        ...setup.summary!(s),
      ],
    };
  },
});

/** The scripted client of `raft-figure8`: it only sends requests and reads no replies. */
const SCRIPT = "script";

/**
 * One step of a script: what to do, and when it is done (the next step
 * starts then). Steps wait for states, not for times, so a change of timing
 * anywhere (the network, the scheduler) cannot make the story go wrong.
 */
interface ScriptStep {
  name: string;
  run(sim: Simulation): void;
  /** Checked every few milliseconds once the step ran. */
  done(sim: Simulation): boolean;
  /** Done again and again while waiting (asking a server to campaign, say). */
  retry?(sim: Simulation): void;
}

/** Polls for the next step this often (ms of virtual time). */
const SCRIPT_POLL_MS = 5;
/** Repeats a step's `retry` this often while it is not done. */
const SCRIPT_RETRY_MS = 30;

/**
 * Runs `steps` in order, each a poll after the one before is done (so the
 * state a step reached can be seen before the next one acts), and returns
 * the virtual time each started at (filled in as the run goes), and the
 * script's own state (for `ScenarioSetup.inspect`).
 */
function runScript(
  sim: Simulation,
  steps: readonly ScriptStep[],
  startMs: number,
): { started: number[]; inspect: () => unknown } {
  const started: number[] = [];
  let k = -1;
  let lastTry = 0;
  const start = (s: Simulation) => {
    started.push(s.now);
    lastTry = s.now;
    steps[k].run(s);
    s.at(s.now + SCRIPT_POLL_MS, poll);
  };
  const poll = (s: Simulation) => {
    if (k >= 0 && !steps[k].done(s)) {
      if (steps[k].retry !== undefined && s.now - lastTry >= SCRIPT_RETRY_MS) {
        lastTry = s.now;
        steps[k].retry!(s);
      }
      return s.at(s.now + SCRIPT_POLL_MS, poll);
    }
    if (++k >= steps.length) return;
    s.at(s.now + SCRIPT_POLL_MS, start);
  };
  sim.at(startMs, poll);
  return { started, inspect: () => [k, lastTry, started] };
}

/**
 * `raft-figure8`: the situation of Figure 8 in the paper, forced with
 * partitions, crashes and `TimeoutNow` (elections only happen when the
 * script asks: timeouts are 10-20 s). Without the §8 no-op, as in the paper.
 * Each step starts when the one before has done what it must (a leader is
 * elected, an entry has reached a server), not at a set time.
 *
 * 1. n1 leads term 1; command A commits at index 1 everywhere.
 * 2. Cut off with n2, n1 appends B at index 2 (term 1); only n1, n2 have it.
 * 3. n1 crashes; n5 wins term 2 (n3, n4, n5), appends C at index 2 (term 2)
 *    alone, and crashes.
 * 4. n1 restarts and wins term 3; it copies B to n3 and n4: B is now on a
 *    majority, but it is from term 1, so n1 must not count it as committed.
 * 5. n1 crashes; n5 restarts and wins term 4 (its last term, 2, beats their
 *    1), overwrites B with C everywhere, and commits C with D at index 3.
 *
 * With `--unsafe-commit true` the servers count old-term replicas: n1
 * commits B in step 4, step 5 overwrites a committed entry, and the safety
 * checks report it. The summary says when each step started.
 *
 * @example
 * ```ts
 * import { runScenario } from "../../sim/scenario.ts";
 * import { raftFigure8 } from "./scenarios.ts";
 * import assert from "node:assert/strict";
 * assert.equal(runScenario(raftFigure8, { seed: 1 }).ok, true);
 * assert.equal(runScenario(raftFigure8, { seed: 1, flags: { "unsafe-commit": true } }).ok, false);
 * ```
 */
export const raftFigure8: Scenario<RaftFigure8Flags> = defineScenario({
  name: "raft-figure8",
  label: raftMessageLabel,
  summary: "Raft paper Figure 8, scripted: an old-term entry on a majority is not yet committed",
  defaults: {
    nodes: 5,
    minNodes: 5,
    maxNodes: 5,
    until: 1000,
    network: { latency: { kind: "fixed", ms: 5 } },
  },
  flags: {
    "unsafe-commit": flag.bool(
      "break the Figure 8 rule (count old-term replicas) and watch the checks fail",
      false,
    ),
  },
  setup(sim, params) {
    const cluster = spawnRaftCluster(sim, {
      servers: params.nodes,
      raft: {
        electionMinMs: 10_000,
        electionMaxMs: 20_000,
        noopOnElection: false,
        unsafeCommitPreviousTerms: params.flags["unsafe-commit"],
      },
      liveness: false,
    });
    // The script's endpoint keeps no state (its progress is the scenario's, see `inspect` below).
    sim.spawn(SCRIPT, () => ({ onMessage() {}, inspect: () => ({}) }));
    const [n1, n2, n3, n4, n5] = cluster.servers;
    const rest = (...ids: NodeId[]) => cluster.servers.filter((id) => !ids.includes(id));
    const node = (s: Simulation, id: NodeId) => cluster.node(s, id);
    let seq = 0;
    const propose = (s: Simulation, to: NodeId, value: string) =>
      s.send(
        SCRIPT,
        to,
        {
          type: "ClientRequest",
          seq: ++seq,
          op: { f: "put", key: "x", value },
        } satisfies RaftMsg,
      );
    const campaign = (id: NodeId) => (s: Simulation) => {
      if (node(s, id)?.role !== "leader") {
        s.send(SCRIPT, id, { type: "TimeoutNow" } satisfies RaftMsg);
      }
    };
    const leads = (id: NodeId) => (s: Simulation) => node(s, id)?.role === "leader";
    /** Whether `id` holds an entry of term `term` at `index`. */
    const holds = (s: Simulation, id: NodeId, index: number, term: number) =>
      node(s, id)?.log.term(index) === term;
    const steps: ScriptStep[] = [
      { name: "n1 campaigns", run: campaign(n1), retry: campaign(n1), done: leads(n1) },
      {
        name: "n1 replicates A",
        run: (s) => propose(s, n1, "A"),
        done: (s) => cluster.servers.every((id) => (node(s, id)?.commitIndex ?? 0) >= 1),
      },
      {
        name: "n1 appends B, cut off with n2",
        run: (s) => {
          s.partition([n1, n2], rest(n1, n2));
          propose(s, n1, "B");
        },
        done: (s) => holds(s, n2, 2, 1),
      },
      {
        name: "n1 crashes; n5 campaigns",
        run: (s) => {
          s.crash(n1);
          s.heal();
          campaign(n5)(s);
        },
        retry: campaign(n5),
        done: leads(n5),
      },
      {
        name: "n5 appends C alone",
        run: (s) => {
          s.partition([n5], rest(n5));
          propose(s, n5, "C");
        },
        done: (s) => holds(s, n5, 2, node(s, n5)?.currentTerm ?? -1),
      },
      {
        name: "n5 crashes; n1 restarts, wins and copies B to n3 and n4",
        run: (s) => {
          s.crash(n5);
          s.heal();
          s.restart(n1);
          campaign(n1)(s);
        },
        retry: campaign(n1),
        // ...knows they hold it, and its followers learned whatever it
        // committed (nothing, by the rule).
        done: (s) =>
          leads(n1)(s) &&
          [n3, n4].every((id) => holds(s, id, 2, 1) && node(s, n1)!.progress(id)!.match >= 2) &&
          [n2, n3, n4].every((id) => node(s, id)!.commitIndex >= node(s, n1)!.commitIndex),
      },
      {
        name: "n1 crashes; n5 restarts and wins",
        run: (s) => {
          s.crash(n1);
          s.restart(n5);
          campaign(n5)(s);
        },
        retry: campaign(n5),
        done: leads(n5),
      },
      {
        name: "n5 commits C with D",
        run: (s) => propose(s, n5, "D"),
        done: (s) => [n2, n3, n4, n5].every((id) => (node(s, id)?.commitIndex ?? 0) >= 3),
      },
      {
        name: "n1 restarts and catches up",
        run: (s) => s.restart(n1),
        done: (s) => (node(s, n1)?.commitIndex ?? 0) >= 3,
      },
    ];
    const script = runScript(sim, steps, 10);
    const started = script.started;
    const terms = (s: Simulation, id: NodeId) => {
      const n = cluster.node(s, id);
      if (n === undefined) return "down";
      const out: string[] = [];
      for (let i = n.log.firstIndex; i <= n.log.lastIndex; i++) {
        const e = n.log.entry(i)!;
        out.push(
          `${
            e.command.type === "app" && e.command.op.f === "put" ? e.command.op.value : "-"
          }@t${e.term}`,
        );
      }
      return out.join(" ") || "(empty)";
    };
    return {
      faultTargets: cluster.servers,
      inspect: () => [checksState(cluster), script.inspect()],
      check: (s) =>
        started.length === steps.length && steps[steps.length - 1].done(s) ? [] : [{
          check: "script",
          message: `the script stopped at step ${started.length} ` +
            `(${steps[started.length - 1]?.name ?? "none"}) by ${s.now} ms`,
          atMs: s.now,
        }],
      summary: (s) => [
        ...started.map((t, k) => `step ${k + 1} at ${t} ms: ${steps[k].name}`),
        ...raftSummary(s, cluster),
        ...[n1, n2, n3, n4, n5].map((id) =>
          `${id} log: ${terms(s, id)}  x = ${
            JSON.stringify(cluster.node(s, id)?.stateMachine.machine.read("x") ?? null)
          }`
        ),
      ],
    };
  },
});

/**
 * `raft-churn`: servers crash and restart at random (at most a minority
 * down at once) while clients work.
 *
 * @example
 * ```ts
 * import { runScenario } from "../../sim/scenario.ts";
 * import assert from "node:assert/strict";
 * import { raftChurn } from "./scenarios.ts";
 * assert.equal(runScenario(raftChurn, { seed: 1 }).ok, true);
 * ```
 */
export const raftChurn: Scenario<RaftWorkloadFlags> = defineScenario({
  name: "raft-churn",
  label: raftMessageLabel,
  summary: "Raft under random crashes and restarts, with a client workload",
  defaults: {
    nodes: 5,
    minNodes: 1,
    maxNodes: 51,
    until: 6000,
    faults: "random:crash=3,partition=0,pause=0,duration=300",
  },
  flags: WORKLOAD_FLAGS,
  setup(sim, params) {
    return standardSetup(sim, workload(params));
  },
});

/**
 * `raft-unreliable`: no node faults, but the network loses 10% of messages,
 * duplicates 10% and reorders freely (1-30 ms latency).
 *
 * @example
 * ```ts
 * import { runScenario } from "../../sim/scenario.ts";
 * import assert from "node:assert/strict";
 * import { raftUnreliable } from "./scenarios.ts";
 * assert.equal(runScenario(raftUnreliable, { seed: 1 }).ok, true);
 * ```
 */
export const raftUnreliable: Scenario<RaftWorkloadFlags> = defineScenario({
  name: "raft-unreliable",
  label: raftMessageLabel,
  summary: "Raft over a network with 10% loss, 10% duplication and reordering",
  defaults: {
    nodes: 5,
    minNodes: 1,
    maxNodes: 51,
    until: 6000,
    network: { loss: 0.1, duplicate: 0.1, latency: { kind: "uniform", min: 1, max: 30 } },
  },
  flags: WORKLOAD_FLAGS,
  setup(sim, params) {
    return standardSetup(sim, workload(params));
  },
});

/**
 * `raft`: the default. Crashes, pauses and partitions drawn from the seed,
 * a client workload, every check on.
 *
 * @example
 * ```ts
 * import { runScenario } from "../../sim/scenario.ts";
 * import assert from "node:assert/strict";
 * import { raft } from "./scenarios.ts";
 * assert.equal(runScenario(raft, { seed: 1 }).ok, true);
 * ```
 */
export const raft: Scenario<RaftWorkloadFlags> = defineScenario({
  name: "raft",
  label: raftMessageLabel,
  summary: "Raft KV store under random crashes, pauses and partitions from the seed",
  defaults: { nodes: 5, minNodes: 1, maxNodes: 51, until: 6000, faults: "random" },
  flags: WORKLOAD_FLAGS,
  // Raft is safe under any crashes, pauses, partitions, clock faults, loss
  // and duplication, and live once a majority is up and connected.
  explore: {
    faults: ["crash", "pause", "partition", "clock"],
    maxLoss: 0.1,
    maxDup: 0.1,
    flags: {
      clients: [1, 3, 6],
      reads: ["log", "read-index", "mixed"],
      "snapshot-every": [3, 25, 1000],
    },
    // Linearizability holds with a minority down for good, and the liveness
    // invariant (a leader within its bound while a majority is up and
    // connected) judges the rest: a fault may be held to the end.
    hold: true,
  },
  setup(sim, params) {
    return standardSetup(sim, workload(params));
  },
});

/**
 * `raft-transfer`: at 1000 ms an operator asks the leader to hand the lead
 * to another voter (dissertation §3.10). The leader stops taking proposals
 * (clients are sent to the target), brings the target's log up to date,
 * and sends it TimeoutNow; the target wins the next term at once, without
 * waiting for an election timeout and despite the leader lease. With
 * `--target-down true` the target crashes just before: the leader gives up
 * after an election timeout and takes proposals again.
 *
 * @example
 * ```ts
 * import { runScenario } from "../../sim/scenario.ts";
 * import { raftTransfer } from "./scenarios.ts";
 * import assert from "node:assert/strict";
 * assert.equal(runScenario(raftTransfer, { seed: 1 }).ok, true);
 * assert.equal(runScenario(raftTransfer, { seed: 1, flags: { "target-down": true } }).ok, true);
 * ```
 */
export const raftTransfer: Scenario<RaftTransferFlags> = defineScenario({
  name: "raft-transfer",
  label: raftMessageLabel,
  summary: "Raft leadership transfer: catch the target up, TimeoutNow, a new term at once",
  defaults: { nodes: 5, minNodes: 2, maxNodes: 51, until: 3000 },
  flags: {
    ...WORKLOAD_FLAGS,
    "target-down": flag.bool("crash the target first: the transfer is aborted", false),
  },
  setup(sim, params) {
    const setup = standardSetup(sim, workload(params, { liveness: false }), {
      converge: !params.flags["target-down"],
    });
    const { cluster } = setup;
    const down = params.flags["target-down"];
    let from: NodeId | undefined, to: NodeId | undefined, term = 0;
    let after: { leader: NodeId | undefined; term: number; at: number } | undefined;
    let aborted: { leader: NodeId | undefined; transferee: NodeId | null } | undefined;
    sim.at(1000, (s) => {
      from = cluster.leader(s);
      if (from === undefined) return;
      term = cluster.node(s, from)!.currentTerm;
      const others = cluster.servers.filter((id) => id !== from);
      to = others[Math.floor(others.length / 2)];
      if (down) s.crash(to);
      s.send(ADMIN, from, { type: "TransferLeadership", to } satisfies RaftMsg);
    });
    // The target needs at most a round trip to catch up and one to win.
    sim.at(1300, (s) => {
      const leader = cluster.leader(s);
      after = {
        leader,
        term: leader === undefined ? 0 : cluster.node(s, leader)!.currentTerm,
        at: s.now,
      };
    });
    // An election timeout (the minimum) after the request, the leader gave up.
    sim.at(1000 + cluster.config.electionMinMs + 50, (s) => {
      const leader = cluster.leader(s);
      aborted = {
        leader,
        transferee: leader === undefined ? null : cluster.node(s, leader)!.transferee,
      };
    });
    return {
      ...setup,
      check: (s) => {
        const out = setup.check!(s);
        if (from === undefined) {
          out.push({ check: "transfer", message: "no leader at 1000 ms", atMs: 1000 });
        } else if (
          !down && (after === undefined || after.leader !== to || after.term !== term + 1)
        ) {
          out.push({
            check: "transfer",
            message: `${from} (term ${term}) did not hand over to ${to}: at 1300 ms ` +
              `${after?.leader} led term ${after?.term}`,
            atMs: 1300,
          });
        } else if (down && (aborted?.leader !== from || aborted.transferee !== null)) {
          out.push({
            check: "transfer-abort",
            message: `the transfer to the crashed ${to} was not aborted: ` +
              `${aborted?.leader} leads, handing over to ${aborted?.transferee}`,
            atMs: s.now,
          });
        }
        return out;
      },
      summary: (s) => [
        `at 1000 ms ${from} (term ${term}) was asked to hand over to ${to}` +
        (down ? `, crashed first; the leader ${aborted?.leader} gave up` : "") +
        `; at 1300 ms ${after?.leader} led term ${after?.term}`,
        ...setup.summary!(s),
      ],
    };
  },
});

/** The operator of `raft-membership`. */
const ADMIN = "admin";

/**
 * `raft-membership`: an operator adds servers (as learners, promoted once
 * caught up), removes servers and replaces them, one change at a time,
 * while clients work and the seed crashes, pauses and partitions servers
 * and the network loses messages. The five safety properties are checked
 * after every event across every configuration, for every server that ever
 * ran (removed servers keep running, not knowing or ignoring that they
 * left), and the client history must be linearizable.
 *
 * @example
 * ```ts
 * import { runScenario } from "../../sim/scenario.ts";
 * import { raftMembership } from "./scenarios.ts";
 * import assert from "node:assert/strict";
 * assert.equal(runScenario(raftMembership, { seed: 1 }).ok, true);
 * ```
 */
export const raftMembership: Scenario<RaftMembershipFlags> = defineScenario({
  name: "raft-membership",
  label: raftMessageLabel,
  summary: "Raft membership changes (learners, promotion, removal, replacement) under faults",
  defaults: {
    nodes: 5,
    minNodes: 1,
    maxNodes: 15,
    until: 8000,
    faults: "random",
    network: { loss: 0.02, latency: { kind: "uniform", min: 1, max: 15 } },
  },
  flags: {
    ...WORKLOAD_FLAGS,
    changes: flag.int("membership changes (add, remove or replace)", 5, { min: 0, max: 30 }),
    "min-voters": flag.int("fewest voters the operator keeps", 3, { min: 1 }),
    "max-voters": flag.int("most voters the operator adds up to", 7, { min: 1 }),
  },
  setup(sim, params) {
    const changes = params.flags.changes;
    const setup = standardSetup(sim, {
      ...workload(params),
      spares: changes,
      liveness: false,
    });
    const { cluster } = setup;
    const spares = cluster.servers.slice(params.nodes);
    sim.spawn(ADMIN, () =>
      new RaftAdmin({
        voters: cluster.voters,
        spares,
        changes,
        minVoters: Math.min(params.flags["min-voters"], params.nodes),
        maxVoters: params.flags["max-voters"],
      }));
    const admin = (s: Simulation) => s.actor<RaftAdmin>(ADMIN);
    return {
      ...setup,
      summary: (s) => {
        const a = admin(s);
        const done = a?.done.map((c) => `${c.op} ${c.node}`).join(", ") || "none";
        const leader = cluster.leader(s);
        const config = leader === undefined
          ? "no leader"
          : JSON.stringify(cluster.node(s, leader)!.clusterConfig);
        return [
          `changes made: ${done}`,
          `configuration at the leader: ${config}`,
          ...setup
            .summary!(s),
        ];
      },
    };
  },
});

/**
 * Every Raft scenario, in the order `sim list` shows them.
 *
 * @example
 * ```ts
 * import { raftScenarios } from "./scenarios.ts";
 * import assert from "node:assert/strict";
 * assert.ok(raftScenarios.map((s) => s.name).includes("raft-figure8"));
 * ```
 */
export const raftScenarios: readonly Scenario[] = [
  raft,
  raftElection,
  raftReplication,
  raftLeaderCrash,
  raftPartition,
  raftFigure8,
  raftChurn,
  raftUnreliable,
  raftMembership,
  raftTransfer,
];
