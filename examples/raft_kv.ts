/**
 * A replicated key-value store on Raft, put together by hand from the
 * pieces a scenario uses: five `RaftNode` servers, four `RaftClient`s, the
 * safety checks after every event, a fault schedule, and the
 * linearizability check of what the clients saw. Copy it to start your own
 * experiment.
 *
 * Run it with `deno run examples/raft_kv.ts [--seed N]`.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { RaftClient } from "../protocols/raft/client.ts";
import { RaftSafety } from "../protocols/raft/invariants.ts";
import { RaftNode } from "../protocols/raft/node.ts";
import { checkLinearizability } from "../sim/check/linearizability.ts";
import { kvModel } from "../sim/check/models.ts";
import { formatFaults, parseFaults } from "../sim/faults.ts";
import { MAX_SEED } from "../sim/random.ts";
import { Simulation } from "../sim/simulation.ts";
import { wrapText } from "./_text.ts";

/**
 * The example as text.
 *
 * @example
 * ```ts
 * import { raftKvExample } from "./raft_kv.ts";
 * import assert from "node:assert/strict";
 * assert.ok(raftKvExample(1).includes("linearizable: ok"));
 * ```
 */
export function raftKvExample(seed = 1): string {
  const servers = ["n1", "n2", "n3", "n4", "n5"];
  const sim = new Simulation({
    seed,
    trace: "off",
    network: { latency: { kind: "uniform", min: 1, max: 15 }, loss: 0.02 },
  });
  // Every server gets the same configuration; a restart builds a new
  // RaftNode from it, which reads its term, vote, log and snapshot back.
  for (const id of servers) sim.spawn(id, () => new RaftNode({ servers, snapshotEvery: 50 }));
  for (const id of ["c1", "c2", "c3", "c4"]) {
    sim.spawn(id, () => new RaftClient({ servers, ops: 50, keys: ["x", "y"], reads: "mixed" }));
  }
  const safety = new RaftSafety(servers);
  safety.install(sim);
  const faults = parseFaults(
    "@500 crash n1; @900 restart n1; @1200 partition n2,n3|n1,n4,n5; @1800 heal; " +
      "@2100 pause n4; @2400 resume n4; @2600 crash n5; @3200 restart n5",
  );
  sim.schedule(faults);
  const run = sim.run({ until: 6000 });
  const ops = sim.history.operations;
  const lin = checkLinearizability(ops, kvModel);
  const lines = [
    `seed ${seed}: ${run.events} events, ${run.messages} messages, ${run.virtualMs} ms virtual`,
    // The faults explain the leaders: each crash or partition of a leader starts a new term.
    ...wrapText(`faults: ${formatFaults(faults)}`, 100),
    run.ok ? "safety: every check held after every event" : sim.failureReport(),
    `leaders by term: ${[...safety.leaders].map(([t, id]) => `t${t} ${id}`).join(", ")}`,
    `clients: ${ops.filter((o) => o.status === "ok").length} ok, ` +
    `${ops.filter((o) => o.status === "info").length} unknown (gave up) of ${ops.length}`,
    `linearizable: ${lin.result} (${lin.partitions} keys)`,
  ];
  for (const id of servers) {
    const n = sim.actor<RaftNode>(id)!;
    lines.push(
      `${id} ${n.role.padEnd(9)} term ${n.currentTerm}, commit ${n.commitIndex}, ` +
        `x = ${JSON.stringify(n.stateMachine.machine.read("x"))?.slice(0, 40)}`,
    );
  }
  return lines.join("\n");
}

/**
 * The seed `args` ask for (1 when they do not), or a one-line error naming
 * the bad argument and what is allowed.
 *
 * @example
 * ```ts
 * import { parseKvArgs } from "./raft_kv.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(parseKvArgs(["--seed", "3"]), { seed: 3 });
 * assert.deepEqual(parseKvArgs(["--seed", "abc"]), {
 *   error: "--seed abc: allowed: --seed N, N a whole number (0 to 2^53 - 1)",
 * });
 * ```
 */
export function parseKvArgs(args: string[]): { seed: number } | { error: string } {
  const allowed = "allowed: --seed N, N a whole number (0 to 2^53 - 1)";
  let seed: string;
  try {
    seed = parseArgs({ args, options: { seed: { type: "string", default: "1" } } }).values.seed;
  } catch (e) {
    // parseArgs's first sentence names the unknown option or stray argument.
    return { error: `${(e as Error).message.split(/\.( |\n)/)[0]}; ${allowed}` };
  }
  const n = Number(seed);
  if (!/^\d+$/.test(seed) || n > MAX_SEED) return { error: `--seed ${seed}: ${allowed}` };
  return { seed: n };
}

if (import.meta.main) {
  const parsed = parseKvArgs(Deno.args);
  if ("error" in parsed) {
    console.error(parsed.error);
    Deno.exit(2);
  }
  console.log(raftKvExample(parsed.seed));
}
