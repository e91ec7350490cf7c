/**
 * Gossip rounds to converge: N replicas of a PN-Counter each make one
 * increment at time 0, then anti-entropy runs (each replica contacts one
 * random peer per round) until every replica holds the same state. Prints,
 * for 10, 100 and 1,000 replicas, push and push-pull: the rounds it took
 * (over several seeds), messages per replica, and how many of the pushes
 * carried whole states and how many deltas.
 *
 * ```sh
 * deno run tests/bench/crdt_gossip_rounds.ts              # 10, 100, 1000 replicas
 * deno run tests/bench/crdt_gossip_rounds.ts --seeds 3 --sizes 10,100
 * ```
 *
 * Theory (Demers et al. 1987; Karp et al. 2000): push spreads one update to
 * all N in about log2(N) + ln(N) rounds, push-pull in about log3(N) + a few.
 * Here every replica starts with an update of its own, so convergence waits
 * for the slowest of N rumours.
 *
 * @module
 */

import { parseArgs } from "node:util";
import Table from "npm:cli-table3@0.6.5";
import type { Actor, Context } from "../../actors/mod.ts";
import { Simulation } from "../../sim/simulation.ts";
import { nodeIds } from "../../sim/scenario.ts";
import type { PNCounter } from "../../protocols/crdt/pn_counter.ts";
import { type GossipMode, Replica, type ReplicaMsg } from "../../protocols/crdt/replica.ts";
import { type CounterOp, counterType } from "../../protocols/crdt/replicated_types.ts";

/**
 * One measurement.
 *
 * @example
 * ```ts
 * import type { GossipRun } from "./crdt_gossip_rounds.ts";
 * const r: GossipRun = { rounds: 7, messages: 4000, states: 600, deltas: 900, wallMs: 40 };
 * ```
 */
export interface GossipRun {
  /** Gossip rounds until every replica held the same state. */
  rounds: number;
  messages: number;
  /** Pushes that carried a whole state, and a delta, over all replicas. */
  states: number;
  deltas: number;
  wallMs: number;
}

/** Virtual ms per round; well above the 1-10 ms message latency. */
export const ROUND_MS = 100;

/** Sends one increment request to every replica at time 0 and ignores the replies. */
class Starter implements Actor<ReplicaMsg<CounterOp>> {
  constructor(readonly replicas: readonly string[]) {}
  onStart(ctx: Context<ReplicaMsg<CounterOp>>): void {
    for (const id of this.replicas) {
      ctx.send(id, { type: "request", id: 0, op: { type: "increment", amount: 1 } });
    }
  }
  onMessage(): void {}
}

/**
 * Runs anti-entropy over `n` replicas until they agree.
 *
 * @example
 * ```ts
 * import { gossipRounds } from "./crdt_gossip_rounds.ts";
 * gossipRounds(10, "push-pull", 1).rounds > 0; // true
 * ```
 */
export function gossipRounds(
  n: number,
  mode: GossipMode,
  seed: number,
  deltas = true,
): GossipRun {
  const started = performance.now();
  const sim = new Simulation({ seed, trace: "off" });
  const ids = nodeIds(n);
  for (const id of ids) {
    const peers = ids.filter((p) => p !== id);
    sim.spawn(
      id,
      () => new Replica({ type: counterType, peers, gossipMs: ROUND_MS, mode, deltas }),
    );
  }
  sim.spawn("starter", () => new Starter(ids));
  const replicas = () => ids.map((id) => sim.actor<Replica<PNCounter, CounterOp>>(id)!);
  const agreed = () => {
    const states = replicas().map((r) => r.state);
    // Everyone has every increment exactly when the value is n.
    return states.every((s) => s.value() === n) && states.every((s) => s.equals(states[0]));
  };
  // Let the increments land, then count whole rounds.
  sim.run({ until: 20 });
  let rounds = 0;
  while (!agreed()) {
    rounds++;
    sim.run({ until: 20 + rounds * ROUND_MS });
    if (rounds > 1000) throw new Error(`${n} replicas did not converge in 1000 rounds`);
  }
  const all = replicas();
  return {
    rounds,
    messages: sim.stats.messages,
    states: all.reduce((s, r) => s + r.stats.states, 0),
    deltas: all.reduce((s, r) => s + r.stats.deltas, 0),
    wallMs: performance.now() - started,
  };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 === 1 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      seeds: { type: "string", default: "5" },
      sizes: { type: "string", default: "10,100,1000" },
    },
  });
  const seeds = Number(values.seeds);
  const sizes = values.sizes.split(",").map(Number);
  const table = new Table({
    head: [
      "replicas",
      "gossip",
      "rounds min/median/max",
      "msgs/replica",
      "whole states",
      "deltas",
      "wall ms/run",
    ],
  });
  for (const n of sizes) {
    for (const mode of ["push", "push-pull"] as const) {
      const runs = Array.from(
        { length: n >= 1000 ? Math.min(seeds, 2) : seeds },
        (_, k) => gossipRounds(n, mode, k + 1),
      );
      const rounds = runs.map((r) => r.rounds);
      table.push([
        n,
        mode,
        `${Math.min(...rounds)} / ${median(rounds)} / ${Math.max(...rounds)}`,
        (median(runs.map((r) => r.messages)) / n).toFixed(1),
        median(runs.map((r) => r.states)),
        median(runs.map((r) => r.deltas)),
        median(runs.map((r) => r.wallMs)).toFixed(0),
      ]);
    }
  }
  console.log(table.toString());
  console.log(
    `Each replica contacts 1 random peer per ${ROUND_MS} ms round; latency 1-10 ms; no loss.`,
  );
}
