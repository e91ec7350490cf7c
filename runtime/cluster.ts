/**
 * A cluster of real processes on this machine, a client workload against
 * it, a fault injector, and the same checkers the simulator uses:
 * `deno task cluster <scenario> --nodes 3`.
 *
 * A {@linkcode ClusterScenario} says what runs:
 *
 * - `server`: the `module#export` of the servers' actor (see
 *   {@linkcode NodeFactory}); each server `n1..nN` is a process of its own,
 *   listening on a loopback port, with its own data directory;
 * - `clients`: client actors, which the driver runs in its own process on
 *   the real clock ({@linkcode ActorHost}), talking to the servers over the
 *   same TCP transport; their `ctx.invoke` and `ctx.complete` write the
 *   history, timed in milliseconds since the cluster started (their
 *   `ctx.now()` reads the same clock);
 * - `check`: judges the history when the run is over: the function the
 *   scenario's simulated twin calls (linearizability, a workload checker).
 *
 * Faults are the simulator's, in its text form (`@1500 crash n2; @3000
 * restart n2; @4000 partition n1|n2,n3; @6000 heal`), or `random[:...]`
 * rates drawn from the seed; times are milliseconds since the start. A crash
 * is SIGKILL, a restart starts the process again on the same data
 * directory, a pause is SIGSTOP and a resume SIGCONT; a partition or a block
 * tells the processes' transports to drop those links (the operating
 * system's firewall is not touched). After `durationMs` the driver heals
 * every link, restarts and resumes every node, and lets the cluster run for
 * `settleMs` more (final reads happen then), before it stops everything and
 * checks. Every process it started is stopped when the run ends, however it
 * ends.
 *
 * @module
 */

import { join } from "node:path";
import type { Actor } from "../actors/actor.ts";
import { checkNodeId, type NodeId } from "../actors/node_id.ts";
import { History, type Operation } from "../sim/history.ts";
import { ConfigError } from "../sim/errors.ts";
import { type FaultSchedule, formatFaults, generateFaults, parseFaultSpec } from "../sim/faults.ts";
import type { Violation } from "../sim/simulation.ts";
import { checkRealFaults, FaultInjector } from "./fault_injector.ts";
import { ActorHost } from "./host.ts";
import { NODE_MAIN, NodeProcess } from "./processes.ts";
import { type Address, formatAddress, freeLoopbackAddresses, TcpTransport } from "./transport.ts";

/**
 * One client actor the driver runs.
 *
 * @example
 * ```ts
 * import type { ClusterClient } from "./cluster.ts";
 * import assert from "node:assert/strict";
 * const c: ClusterClient = { id: "c1", actor: () => ({ onMessage() {} }) };
 * assert.equal(c.id, "c1");
 * ```
 */
export interface ClusterClient {
  /** The client's node id (`c1`, ...). */
  id: NodeId;
  /** Builds the client actor. */
  // deno-lint-ignore no-explicit-any
  actor: () => Actor<any, any>;
}

/**
 * The length of a run, as the clients may want to know it.
 *
 * @example
 * ```ts
 * import type { ClusterTiming } from "./cluster.ts";
 * import assert from "node:assert/strict";
 * const t: ClusterTiming = { durationMs: 8000, settleMs: 3000 };
 * assert.equal(t.durationMs + t.settleMs, 11000);
 * ```
 */
export interface ClusterTiming {
  /** Faults and the main workload run this long. */
  durationMs: number;
  /** Then everything is healed and the cluster runs this long more. */
  settleMs: number;
}

/**
 * A workload against a cluster of real processes (see the module documentation).
 *
 * @example
 * ```ts
 * import { defineClusterScenario } from "./cluster.ts";
 * import assert from "node:assert/strict";
 * const idle = defineClusterScenario({
 *   name: "idle",
 *   summary: "servers that do nothing",
 *   server: new URL("./idle.ts#idle", import.meta.url).href,
 *   defaults: { nodes: 3, durationMs: 1000 },
 *   clients: () => [],
 *   check: () => [],
 * });
 * assert.equal(idle.defaults.nodes, 3);
 * ```
 */
export interface ClusterScenario {
  /** Lower-case name for the command line. */
  name: string;
  /** One line saying what it shows. */
  summary: string;
  /** URL (or path) and export of the servers' actor factory: `module#export`. */
  server: string;
  /** What a run uses unless told otherwise. */
  defaults: {
    /** Number of servers. */
    nodes: number;
    /** Allowed numbers of servers (default 1..15). */
    minNodes?: number;
    maxNodes?: number;
    /** Real milliseconds of workload and faults. */
    durationMs: number;
    /** Default 3000. */
    settleMs?: number;
    /** Default faults, in the text form (default none). */
    faults?: string;
  };
  /** The client actors, given the servers' ids and the run's timing. */
  clients(servers: readonly NodeId[], timing: ClusterTiming): ClusterClient[];
  /** Judges the history once the run is over. */
  check(history: readonly Operation[], servers: readonly NodeId[]): Violation[];
  /** Lines describing the outcome for people. */
  describe?(history: readonly Operation[]): string[];
  /**
   * Whether the clients are done (their final operations made), so the
   * settle period can end early. Default: never; the period runs out.
   */
  // deno-lint-ignore no-explicit-any
  finished?(clients: ReadonlyArray<Actor<any, any>>): boolean;
}

/**
 * Checks a cluster scenario's declaration and returns it.
 *
 * @example
 * ```ts
 * import { defineClusterScenario } from "./cluster.ts";
 * import assert from "node:assert/strict";
 * assert.throws(
 *   () => defineClusterScenario({
 *     name: "Bad Name", summary: "", server: "x.ts#y", defaults: { nodes: 3, durationMs: 1 },
 *     clients: () => [], check: () => [],
 *   }),
 *   /lower-case/,
 * );
 * ```
 */
export function defineClusterScenario(scenario: ClusterScenario): ClusterScenario {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(scenario.name)) {
    throw new ConfigError(
      "cluster scenario name",
      `${JSON.stringify(scenario.name)} must be lower-case-with-dashes`,
    );
  }
  const d = scenario.defaults;
  const min = d.minNodes ?? 1, max = d.maxNodes ?? 15;
  if (!(Number.isInteger(d.nodes) && min <= d.nodes && d.nodes <= max)) {
    throw new ConfigError(
      `cluster scenario ${scenario.name}`,
      `defaults.nodes must be in ${min}..${max}`,
    );
  }
  if (!(d.durationMs > 0)) {
    throw new ConfigError(`cluster scenario ${scenario.name}`, "defaults.durationMs must be > 0");
  }
  return scenario;
}

/**
 * How to run a cluster scenario; anything left out is the scenario's default.
 *
 * @example
 * ```ts
 * import type { ClusterOptions } from "./cluster.ts";
 * import assert from "node:assert/strict";
 * const o: ClusterOptions = { nodes: 3, faults: "@1000 crash n1; @2000 restart n1", seed: 4 };
 * assert.equal(o.nodes, 3);
 * ```
 */
export interface ClusterOptions {
  /** Number of servers. */
  nodes?: number;
  /** Real milliseconds of workload and faults. */
  durationMs?: number;
  /** Real milliseconds after the repairs, for final reads. */
  settleMs?: number;
  /** A schedule in the simulator's text form, `random[:rates]`, or `none`. */
  faults?: string;
  /** Seeds random faults and every node's `ctx.random()` (default 1). */
  seed?: number;
  /** Where node folders go (default: a new temporary directory, removed afterwards). */
  dir?: string;
  /** Progress lines (default: none). */
  log?: (line: string) => void;
  /** How long a node may take to start, ms (default 30,000). */
  startTimeoutMs?: number;
}

/**
 * What a cluster run found.
 *
 * @example
 * ```ts
 * import type { ClusterResult } from "./cluster.ts";
 * import assert from "node:assert/strict";
 * const verdict = (r: Pick<ClusterResult, "ok" | "violations">) =>
 *   r.ok ? "ok" : r.violations.map((v) => v.check).join(", ");
 * assert.equal(verdict({ ok: false, violations: [{ check: "linearizability", message: "", atMs: 5 }] }), "linearizability");
 * ```
 */
export interface ClusterResult {
  /** The scenario's name. */
  scenario: string;
  /** Whether every check held (no violation). */
  ok: boolean;
  /** What the checkers found, and nodes that exited by themselves. */
  violations: Violation[];
  /** Every client operation, timed in ms since the cluster started. */
  history: Operation[];
  /** The fault schedule that ran, in the text form. */
  faults: string;
  /** What the fault injector did, with the real times. */
  events: string[];
  /** Lines for people: the scenario's own, then the counts. */
  summary: string[];
  /** Real milliseconds from the cluster's start to the end of the run. */
  wallMs: number;
  /** Where the node folders (logs, data) were; removed unless `dir` was given or a check failed. */
  dir: string;
  /** Each server: its address and how many times its process was started. */
  servers: Array<{ id: NodeId; address: string; starts: number }>;
}

/**
 * Runs a cluster scenario (see the module documentation).
 *
 * @example
 * ```ts
 * import { runCluster } from "./cluster.ts";
 * import { maelstromClusters } from "../protocols/maelstrom/solutions.ts";
 * import assert from "node:assert/strict";
 * // One echo server process for half a second, and a client in this process.
 * const echo = maelstromClusters.find((c) => c.name === "maelstrom-echo")!;
 * const result = await runCluster(echo, { nodes: 1, durationMs: 500 });
 * assert.equal(result.ok, true);
 * assert.ok(result.history.some((op) => op.status === "ok"));
 * ```
 */
export async function runCluster(
  scenario: ClusterScenario,
  options: ClusterOptions = {},
): Promise<ClusterResult> {
  const d = scenario.defaults;
  const n = options.nodes ?? d.nodes;
  const min = d.minNodes ?? 1, max = d.maxNodes ?? 15;
  if (!(Number.isInteger(n) && n >= min && n <= max)) {
    throw new ConfigError("nodes", `${scenario.name} runs with ${min} to ${max} nodes, got ${n}`);
  }
  const durationMs = options.durationMs ?? d.durationMs;
  const settleMs = options.settleMs ?? d.settleMs ?? 3000;
  for (const [name, v] of [["duration-ms", durationMs], ["settle-ms", settleMs]] as const) {
    if (!(Number.isFinite(v) && v >= 0 && v <= 3_600_000)) {
      throw new ConfigError(`--${name}`, `must be a number of ms from 0 to 3600000, got ${v}`);
    }
  }
  const seed = options.seed ?? 1;
  const servers = Array.from({ length: n }, (_, i) => checkNodeId(`n${i + 1}`));
  const spec = parseFaultSpec(options.faults ?? d.faults ?? "");
  const schedule: FaultSchedule = spec.kind === "schedule"
    ? spec.schedule
    : generateFaults(seed, servers, durationMs, spec.rates);
  checkRealFaults(schedule, servers);
  const log = options.log ?? (() => {});
  const dir = options.dir ?? await Deno.makeTempDir({ prefix: `dsim-${scenario.name}-` });
  const removeDir = options.dir === undefined;
  const started = performance.now();
  let t0 = started;
  const clock = () => performance.now() - t0;
  const events: string[] = [];
  const event = (text: string) => {
    const line = `${(clock() / 1000).toFixed(3).padStart(8)}s ${text}`;
    events.push(line);
    log(line);
  };

  const addresses = freeLoopbackAddresses(n);
  const procs = new Map<NodeId, NodeProcess>();
  const lifetimeMs = durationMs + settleMs + 60_000;
  for (const [i, id] of servers.entries()) {
    const folder = join(dir, id);
    await Deno.mkdir(folder, { recursive: true });
    const peers = servers.filter((p) => p !== id)
      .map((p) => `${p}=${formatAddress(addresses[servers.indexOf(p)])}`).join(",");
    const args = [
      NODE_MAIN,
      "node",
      scenario.server,
      "--id",
      id,
      "--listen",
      formatAddress(addresses[i]),
      ...(peers === "" ? [] : ["--peers", peers]),
      "--data",
      join(folder, "data"),
      "--seed",
      String(seed),
      "--control",
      "stdin",
      "--lifetime-ms",
      String(lifetimeMs),
    ];
    procs.set(id, new NodeProcess(id, args, folder, clock));
  }

  const history = new History();
  const violations: Violation[] = [];
  const hosts = new Map<NodeId, ActorHost<unknown, unknown>>();
  let clientTransport: TcpTransport | undefined;
  const timers: ReturnType<typeof setTimeout>[] = [];
  try {
    for (const p of procs.values()) p.spawn();
    await Promise.all(
      [...procs.values()].map((p) => p.ready(options.startTimeoutMs ?? 30_000)),
    );
    t0 = performance.now();
    event(
      `${n} servers up: ${
        servers.map((id, i) => `${id} ${formatAddress(addresses[i])}`).join(", ")
      }`,
    );

    const peers: Record<NodeId, Address> = {};
    servers.forEach((id, i) => peers[id] = addresses[i]);
    const transport = new TcpTransport({
      peers,
      deliver: (from, to, msg) => hosts.get(to)?.deliver(msg, from),
    });
    clientTransport = transport;
    for (const client of scenario.clients(servers, { durationMs, settleMs })) {
      const host = new ActorHost<unknown, unknown>({
        id: checkNodeId(client.id, "client id"),
        actor: client.actor,
        send: (to, msg) => transport.send(client.id, to, msg),
        seed,
        clock,
        history,
        onError: (error) =>
          violations.push({
            check: "actor-exception",
            message: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
            atMs: clock(),
            node: client.id,
          }),
      });
      hosts.set(client.id, host);
    }
    for (const host of hosts.values()) host.start();

    const faults = new FaultInjector(procs, [...hosts.keys()], event);
    for (const f of schedule) {
      timers.push(setTimeout(() => faults.apply(f.action), Math.max(0, f.at - clock())));
    }
    await sleep(durationMs - clock());
    for (const t of timers) clearTimeout(t);
    await faults.repairAll();
    const actors = () => [...hosts.values()].flatMap((h) => h.actor === undefined ? [] : [h.actor]);
    while (clock() < durationMs + settleMs && !(scenario.finished?.(actors()) ?? false)) {
      await sleep(Math.min(50, durationMs + settleMs - clock()));
    }
    event("stopping");
    for (const host of hosts.values()) host.stop();
  } finally {
    for (const t of timers) clearTimeout(t);
    for (const host of hosts.values()) host.stop();
    await clientTransport?.close();
    await Promise.all([...procs.values()].map((p) => p.stop()));
    for (const p of procs.values()) p.close();
  }
  const wallMs = clock();
  for (const p of procs.values()) {
    for (const exit of p.exits) {
      violations.push({
        check: "node-exit",
        message: `${exit.id} exited by itself with code ${exit.code}${
          exit.signal ? ` (${exit.signal})` : ""
        }; see ${join(p.folder, "node.log")}`,
        atMs: exit.atMs,
        node: exit.id,
      });
    }
  }
  const ops = history.operations;
  violations.push(...scenario.check(ops, servers));
  const count = (s: string) => ops.filter((op) => op.status === s).length;
  const summary = [
    ...(scenario.describe?.(ops) ?? []),
    `clients: ${count("ok")} ok, ${count("fail")} fail, ${count("info")} info, ` +
    `${count("pending")} pending of ${ops.length}`,
  ];
  if (removeDir && violations.length === 0) await Deno.remove(dir, { recursive: true });
  return {
    scenario: scenario.name,
    ok: violations.length === 0,
    violations,
    history: ops,
    faults: formatFaults(schedule),
    events,
    summary,
    wallMs: Math.round(wallMs),
    dir,
    servers: servers.map((id, i) => ({
      id,
      address: formatAddress(addresses[i]),
      starts: procs.get(id)!.starts,
    })),
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}
