/**
 * Maelstrom's workloads as scenarios: a Gossip Glomers solution, written as
 * an actor, runs in the simulator with seeds, faults, shrinking and
 * diagrams (`deno task sim run maelstrom-broadcast --faults random
 * --diagram`), as real processes (`deno task cluster maelstrom-broadcast`),
 * and, unchanged, under Maelstrom itself (`deno task maelstrom`).
 *
 * Servers are `n1..nN`, each built by the solution's factory with its id and
 * every server's id (as Maelstrom's `init` gives them); clients are
 * `c1..cK`, client `i` bound to server `i mod N` as Maelstrom's are. Random
 * faults hit the servers only. Workloads with final reads heal everything
 * when the run's time is up, wait `quiet-ms`, and let every client make its
 * final operations before the checker runs.
 *
 * @module
 */

import type { NodeId } from "../../actors/mod.ts";
import { type ClusterScenario, defineClusterScenario } from "../../runtime/cluster.ts";
import type { NodeFactory } from "../../runtime/factory.ts";
import { defineScenario, flag, type FlagSpec, nodeIds, type Scenario } from "../../sim/scenario.ts";
import { settle } from "../../sim/settle.ts";
import { MaelstromClient } from "./client.ts";
import type { MaelstromWorkload } from "./workload.ts";

/**
 * A solution to a workload: its factory, and where processes find it.
 *
 * @example
 * ```ts
 * import type { MaelstromSolution } from "./scenarios.ts";
 * import { echoNode } from "../../examples/maelstrom/echo.ts";
 * import assert from "node:assert/strict";
 * const s: MaelstromSolution = {
 *   factory: echoNode,
 *   spec: new URL("../../examples/maelstrom/echo.ts#echoNode", import.meta.url).href,
 * };
 * assert.ok(s.spec.endsWith("#echoNode"));
 * ```
 */
export interface MaelstromSolution {
  /** Builds a server, given its id and every server's id. */
  factory: NodeFactory;
  /** The same factory as `module#export`, for node processes. */
  spec: string;
}

/**
 * Defaults of one workload's scenarios.
 *
 * @example
 * ```ts
 * import type { MaelstromDefaults } from "./scenarios.ts";
 * import assert from "node:assert/strict";
 * const d: MaelstromDefaults = { nodes: 5, until: 3000, faults: "random" };
 * assert.equal(d.nodes, 5);
 * ```
 */
export interface MaelstromDefaults {
  /** Servers (default 3). */
  nodes?: number;
  /** Virtual ms of workload (default 3000). */
  until?: number;
  /** Default `--faults` of the simulated scenario (default none). */
  faults?: string;
}

/** Virtual ms after the run before final operations start (the network has healed). */
const QUIET_MS = 1000;
/** Virtual ms the final operations may take. */
const FINAL_MS = 4000;

/**
 * Flags every Maelstrom scenario has: `--clients`, `--timeout-ms`,
 * `--think-ms`, `--quiet-ms`.
 *
 * @example
 * ```ts
 * import { MAELSTROM_FLAGS } from "./scenarios.ts";
 * import assert from "node:assert/strict";
 * assert.equal(MAELSTROM_FLAGS["timeout-ms"].default, 1000);
 * ```
 */
export const MAELSTROM_FLAGS: {
  clients: FlagSpec<number>;
  "timeout-ms": FlagSpec<number>;
  "think-ms": FlagSpec<number>;
  "quiet-ms": FlagSpec<number>;
} = {
  clients: flag.int("client actors (0: one per server)", 0, { min: 0, max: 100 }),
  "timeout-ms": flag.int("a request without a reply this long is recorded as info", 1000, {
    min: 1,
  }),
  "think-ms": flag.int("mean pause between a client's operations, ms", 20, { min: 0 }),
  "quiet-ms": flag.int("ms between the heal and the final reads", QUIET_MS, { min: 0 }),
};

/**
 * The simulated scenario `maelstrom-<workload>` for a solution.
 *
 * @example
 * ```ts
 * import { maelstromScenario } from "./scenarios.ts";
 * import { echoWorkload } from "./echo.ts";
 * import { echoNode } from "../../examples/maelstrom/echo.ts";
 * import { runScenario } from "../../sim/scenario.ts";
 * import assert from "node:assert/strict";
 * const echo = maelstromScenario(echoWorkload, echoNode);
 * assert.equal(runScenario(echo, { seed: 1 }).ok, true);
 * ```
 */
export function maelstromScenario(
  workload: MaelstromWorkload,
  solution: NodeFactory,
  defaults: MaelstromDefaults = {},
): Scenario<typeof MAELSTROM_FLAGS> {
  return defineScenario({
    name: `maelstrom-${workload.name}`,
    summary: `Maelstrom's ${workload.name} workload: ${workload.summary}`,
    module: import.meta.url,
    defaults: {
      nodes: defaults.nodes ?? 3,
      minNodes: 1,
      maxNodes: 100,
      until: defaults.until ?? 3000,
      faults: defaults.faults,
    },
    flags: MAELSTROM_FLAGS,
    setup(sim, params) {
      const servers = nodeIds(params.nodes);
      const quiet = params.flags["quiet-ms"];
      for (const id of servers) sim.spawn(id, () => solution(id, servers));
      for (
        const { id, actor } of clientsOf(workload, servers, params.flags.clients, {
          untilMs: params.until,
          finalAtMs: params.until + quiet,
          timeoutMs: params.flags["timeout-ms"],
          thinkMs: params.flags["think-ms"],
        })
      ) sim.spawn(id, actor);
      return {
        faultTargets: servers,
        check(s) {
          // Heal, restart and resume everything, then let the final operations happen.
          if (workload.final) settle(s, quiet + FINAL_MS);
          return workload.check(s.history.operations);
        },
        summary: (s) => workload.describe?.(s.history.operations) ?? [],
      };
    },
  });
}

/**
 * The cluster scenario `maelstrom-<workload>`: the same solution as real
 * processes, the same clients and checker.
 *
 * @example
 * ```ts
 * import { maelstromCluster } from "./scenarios.ts";
 * import { echoWorkload } from "./echo.ts";
 * import assert from "node:assert/strict";
 * const echo = maelstromCluster(echoWorkload, "examples/maelstrom/echo.ts#echoNode");
 * assert.equal(echo.clients(["n1", "n2"], { durationMs: 1000, settleMs: 1000 }).length, 2);
 * ```
 */
export function maelstromCluster(
  workload: MaelstromWorkload,
  spec: string,
  defaults: { nodes?: number; durationMs?: number } = {},
): ClusterScenario {
  return defineClusterScenario({
    name: `maelstrom-${workload.name}`,
    summary: `Maelstrom's ${workload.name} workload as processes: ${workload.summary}`,
    server: spec,
    defaults: {
      nodes: defaults.nodes ?? 3,
      durationMs: defaults.durationMs ?? 5000,
      settleMs: workload.final ? QUIET_MS + FINAL_MS : 1000,
    },
    clients: (servers, timing) =>
      clientsOf(workload, servers, 0, {
        untilMs: timing.durationMs,
        finalAtMs: timing.durationMs + QUIET_MS,
        timeoutMs: 1000,
        thinkMs: 20,
      }),
    check: (history) => workload.check(history),
    describe: (history) => workload.describe?.(history) ?? [],
    finished: (clients) => clients.every((c) => (c as MaelstromClient).phase === "done"),
  });
}

/** The clients of a run: `count` of them (0: one per server), client `i` on server `i mod N`. */
function clientsOf(
  workload: MaelstromWorkload,
  servers: readonly NodeId[],
  count: number,
  timing: { untilMs: number; finalAtMs: number; timeoutMs: number; thinkMs: number },
): Array<{ id: NodeId; actor: () => MaelstromClient }> {
  const clients = nodeIds(count === 0 ? servers.length : count, "c");
  return clients.map((id, i) => ({
    id,
    actor: () =>
      new MaelstromClient({
        server: servers[i % servers.length],
        workload: workload.client(i, servers, clients.length),
        untilMs: timing.untilMs,
        finalAtMs: workload.final ? timing.finalAtMs : undefined,
        timeoutMs: timing.timeoutMs,
        thinkMs: timing.thinkMs,
      }),
  }));
}
