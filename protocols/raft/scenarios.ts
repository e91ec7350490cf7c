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
 *
 * @module
 */

import type { NodeId } from "../../actors/mod.ts";
import {
  checkLinearizability,
  type LinearizabilityResult,
  linearizabilityViolations,
} from "../../sim/check/linearizability.ts";
import { kvModel } from "../../sim/check/models.ts";
import type { Latency } from "../../sim/network.ts";
import {
  defineScenario,
  flag,
  type FlagSpecs,
  nodeIds,
  type Scenario,
  type ScenarioParams,
  type ScenarioSetup,
} from "../../sim/scenario.ts";
import type { Simulation, Violation } from "../../sim/simulation.ts";
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
 * const o: RaftClusterOptions = { servers: 5, clients: 3, opsPerClient: 20 };
 * ```
 */
export interface RaftClusterOptions {
  servers: number;
  clients?: number;
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
 * const cluster = spawnRaftCluster(sim, { servers: 3 });
 * sim.run({ until: 1000 });
 * cluster.leader(sim); // e.g. "n2"
 * ```
 */
export interface RaftCluster {
  servers: NodeId[];
  clients: NodeId[];
  config: ResolvedRaftConfig;
  safety: RaftSafety;
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
 * spawnRaftCluster(sim, { servers: 3, clients: 2, opsPerClient: 5 });
 * sim.run({ until: 3000 }).ok; // true
 * ```
 */
export function spawnRaftCluster(sim: Simulation, options: RaftClusterOptions): RaftCluster {
  const servers = nodeIds(options.servers);
  const clients = nodeIds(options.clients ?? 0, "c");
  const config = resolveRaftConfig({ ...options.raft, servers });
  for (const id of servers) sim.spawn(id, () => new RaftNode(config));
  const clientConfig: RaftClientConfig = {
    ...options.client,
    servers,
    ops: options.opsPerClient ?? 0,
  };
  for (const id of clients) sim.spawn(id, () => new RaftClient(clientConfig));
  const safety = new RaftSafety(servers);
  if (options.safety ?? true) safety.install(sim);
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
  }
  const node = (s: Simulation, id: NodeId) => {
    const n = s.actor<RaftNode>(id);
    return n !== undefined && n.started ? n : undefined;
  };
  return {
    servers,
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
 * Checks the clients' history against the key-value model, once; later
 * calls return the same result.
 */
function historyChecker(): (sim: Simulation) => LinearizabilityResult {
  let result: LinearizabilityResult | undefined;
  return (sim) =>
    result ??= checkLinearizability(sim.history.operations, kvModel, { timeoutMs: 20_000 });
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
  if (allOk) {
    const bad = sim.history.operations.find((op) => op.status !== "ok");
    if (bad !== undefined) {
      out.push({
        check: "all-ops-ok",
        message: `operation ${bad.id} (${bad.f} by ${bad.client}) ended ${bad.status} ` +
          "in a run without faults",
        atMs: sim.now,
        node: bad.client,
      });
    }
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
 * runScenario(raftReplication, { seed: 1 }).summary[0];
 * // "n1 follower     t1   commit 74  applied 74  log 51..74 (snapshot 50)"
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
    const ops = sim.history.operations;
    const count = (s: string) => ops.filter((op) => op.status === s).length;
    const verdict = lin === undefined
      ? ""
      : `; linearizable: ${lin.result} (${lin.partitions} keys)`;
    lines.push(
      `clients: ${count("ok")} ok, ${count("info")} info, ${count("pending")} pending ` +
        `of ${ops.length}${verdict}`,
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

const WORKLOAD_FLAGS = {
  clients: flag.int("client actors", 3, { min: 0, max: 100 }),
  ops: flag.int("operations per client", 30, { min: 0 }),
  reads: flag.choice("how gets are served", ["log", "read-index", "mixed"] as const, "mixed"),
  "snapshot-every": flag.int("applied entries between snapshots", 25, { min: 1 }),
} satisfies FlagSpecs;

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
  const lin = historyChecker();
  return {
    cluster,
    faultTargets: cluster.servers,
    check: (s) => [
      ...historyViolations(s, lin(s), judge.allOk ?? false),
      ...(judge.converge ? convergence(s, cluster) : []),
      ...(judge.extra?.(s) ?? []),
    ],
    summary: (s) => raftSummary(s, cluster, cluster.clients.length > 0 ? lin(s) : undefined),
  };
}

// ---- the scenarios ----------------------------------------------------------------

/**
 * `raft-election`: servers start at once; one becomes leader within the
 * liveness bound and keeps the lead (no faults, so no other election).
 *
 * @example
 * ```ts
 * import { runScenario } from "../../sim/scenario.ts";
 * import { raftElection } from "./scenarios.ts";
 * runScenario(raftElection, { seed: 1 }).ok; // true
 * ```
 */
export const raftElection = defineScenario({
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
 * import { raftReplication } from "./scenarios.ts";
 * runScenario(raftReplication, { seed: 1 }).ok; // true
 * ```
 */
export const raftReplication = defineScenario({
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
 * import { raftLeaderCrash } from "./scenarios.ts";
 * runScenario(raftLeaderCrash, { seed: 1 }).ok; // true
 * ```
 */
export const raftLeaderCrash = defineScenario({
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
 * import { raftPartition } from "./scenarios.ts";
 * runScenario(raftPartition, { seed: 1 }).ok; // true
 * ```
 */
export const raftPartition = defineScenario({
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
 * `raft-figure8`: the situation of Figure 8 in the paper, forced with
 * partitions, crashes and `TimeoutNow` (elections only happen when the
 * script asks: timeouts are 10-20 s). Without the §8 no-op, as in the paper.
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
 * checks report it.
 *
 * @example
 * ```ts
 * import { runScenario } from "../../sim/scenario.ts";
 * import { raftFigure8 } from "./scenarios.ts";
 * runScenario(raftFigure8, { seed: 1 }).ok; // true
 * runScenario(raftFigure8, { seed: 1, flags: { "unsafe-commit": true } }).ok; // false
 * ```
 */
export const raftFigure8 = defineScenario({
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
    sim.spawn(SCRIPT, () => ({ onMessage() {} }));
    const [n1, n2, n3, n4, n5] = cluster.servers;
    const rest = (...ids: NodeId[]) => cluster.servers.filter((id) => !ids.includes(id));
    let seq = 0;
    const propose = (at: number, to: NodeId, value: string) => {
      const s = ++seq;
      sim.at(
        at,
        (sm) =>
          sm.send(
            SCRIPT,
            to,
            { type: "ClientRequest", seq: s, op: { f: "put", key: "x", value } } satisfies RaftMsg,
          ),
      );
    };
    // Ask `id` to campaign, again every 30 ms until it leads (a first try can lose on terms).
    const elect = (at: number, id: NodeId, tries = 5) => {
      sim.at(at, (sm) => {
        if (cluster.node(sm, id)?.role === "leader") return;
        sm.send(SCRIPT, id, { type: "TimeoutNow" } satisfies RaftMsg);
        if (tries > 1) elect(sm.now + 30, id, tries - 1);
      });
    };
    elect(10, n1);
    propose(50, n1, "A");
    sim.at(100, (s) => s.partition([n1, n2], rest(n1, n2)));
    propose(110, n1, "B");
    sim.at(150, (s) => {
      s.crash(n1);
      s.heal();
    });
    elect(160, n5);
    sim.at(200, (s) => s.partition([n5], rest(n5)));
    propose(210, n5, "C");
    sim.at(250, (s) => {
      s.crash(n5);
      s.heal();
      s.restart(n1);
    });
    elect(260, n1);
    sim.at(400, (s) => {
      s.crash(n1);
      s.restart(n5);
    });
    elect(410, n5);
    propose(500, n5, "D");
    sim.at(600, (s) => s.restart(n1));
    const terms = (s: Simulation, id: NodeId) => {
      const n = cluster.node(s, id);
      if (n === undefined) return "down";
      const out: string[] = [];
      for (let i = n.log.firstIndex; i <= n.log.lastIndex; i++) {
        const e = n.log.entry(i)!;
        out.push(
          `${
            e.command.type === "kv" && e.command.op.f === "put" ? e.command.op.value : "-"
          }@t${e.term}`,
        );
      }
      return out.join(" ") || "(empty)";
    };
    return {
      faultTargets: cluster.servers,
      summary: (s) => [
        ...raftSummary(s, cluster),
        ...[n1, n2, n3, n4, n5].map((id) =>
          `${id} log: ${terms(s, id)}  x = ${
            JSON.stringify(cluster.node(s, id)?.stateMachine.read("x") ?? null)
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
 * import { raftChurn } from "./scenarios.ts";
 * runScenario(raftChurn, { seed: 1 }).ok; // true
 * ```
 */
export const raftChurn = defineScenario({
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
 * import { raftUnreliable } from "./scenarios.ts";
 * runScenario(raftUnreliable, { seed: 1 }).ok; // true
 * ```
 */
export const raftUnreliable = defineScenario({
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
 * import { raft } from "./scenarios.ts";
 * runScenario(raft, { seed: 1 }).ok; // true
 * ```
 */
export const raft = defineScenario({
  name: "raft",
  label: raftMessageLabel,
  summary: "Raft KV store under random crashes, pauses and partitions from the seed",
  defaults: { nodes: 5, minNodes: 1, maxNodes: 51, until: 6000, faults: "random" },
  flags: WORKLOAD_FLAGS,
  setup(sim, params) {
    return standardSetup(sim, workload(params));
  },
});

/**
 * Every Raft scenario, in the order `sim list` shows them.
 *
 * @example
 * ```ts
 * import { raftScenarios } from "./scenarios.ts";
 * raftScenarios.map((s) => s.name).includes("raft-figure8"); // true
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
];
