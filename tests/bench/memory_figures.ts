/**
 * The memory figures of issue 17, each in a fresh process:
 *
 * ```sh
 * deno run -A --v8-flags=--expose-gc tests/bench/memory_figures.ts history   # bytes per operation
 * deno run -A --v8-flags=--expose-gc tests/bench/memory_figures.ts trace     # bytes per trace event kept
 * deno run -A tests/bench/memory_figures.ts modes                            # full, hash, off: wall time
 * ```
 *
 * - `history`: records 200,000 operations shaped like the Raft clients'
 *   (`put`/`get`/`cas` on three keys, `{key, value}` inputs, string outputs)
 *   into a `History` and divides the live heap's growth by their number;
 *   then again after `history.operations` has built its objects.
 * - `trace`: the `raft` scenario for 60 s of virtual time with trace `full`
 *   and a window of every event, against the same run with a window of one
 *   event: the live heap's difference per event kept.
 * - `modes`: wall time of the same `raft` run with trace `full`, `hash` and
 *   `off`, and of 200,000 events of 100-node gossip with `hash` and `off`,
 *   alternated, five rounds: best and median.
 *
 * @module
 */

import { History } from "../../sim/history.ts";
import { raft } from "../../protocols/raft/scenarios.ts";
import { runScenario } from "../../sim/scenario.ts";
import type { TraceMode } from "../../sim/trace.ts";
import { GOSSIP_NODES, gossipSim, runEvents } from "./scheduler_workloads.ts";

/** Operations recorded by the `history` figure. */
const OPS = 200_000;

function liveHeap(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error("run with --v8-flags=--expose-gc");
  for (let i = 0; i < 3; i++) gc();
  return Deno.memoryUsage().heapUsed;
}

/**
 * Bytes per operation of a history of `ops` Raft-like operations: in columns,
 * and once `operations` has built the objects too.
 *
 * @example
 * ```ts ignore
 * import { historyBytes } from "./memory_figures.ts";
 * const { columns } = historyBytes(10_000);
 * ```
 */
export function historyBytes(ops: number): { columns: number; withObjects: number } {
  const before = liveHeap();
  const h = new History();
  const keys = ["x", "y", "z"];
  for (let i = 0; i < ops; i++) {
    const key = keys[i % 3], client = `c${1 + (i % 3)}`;
    const kind = i % 8;
    const input = kind < 3 ? { key } : kind < 6 ? { key, value: `${client}-${i}` } : {
      key,
      from: `${client}-${i - 8}`,
      to: `${client}-${i}`,
    };
    const f = kind < 3 ? "get" : kind < 6 ? "put" : "cas";
    const id = h.invoke(client, f, input, i * 10);
    h.complete(id, kind < 3 ? `${client}-${i - 3}` : kind < 6 ? null : true, "ok", i * 10 + 4);
  }
  const columns = (liveHeap() - before) / ops;
  if (h.operations.length !== ops) throw new Error("lost operations");
  const withObjects = (liveHeap() - before) / ops;
  return { columns, withObjects };
}

/** Live heap bytes per trace event kept, from two 60 s `raft` runs. */
function traceBytes(): { bytesPerEvent: number; events: number } {
  const run = (traceWindow: number) => {
    const before = liveHeap();
    const r = runScenario(raft, { seed: 1, until: 60_000, trace: "full", flags: { ops: 1e6 } }, {
      traceWindow,
    });
    const bytes = liveHeap() - before;
    return { bytes, kept: r.sim.trace.events.length, r };
  };
  const one = run(1);
  const all = run(Infinity);
  return { bytesPerEvent: (all.bytes - one.bytes) / (all.kept - one.kept), events: all.kept };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const best = (xs: number[]) => Math.min(...xs);

/** Wall time of each trace mode, alternated. */
function modes(rounds: number): string[] {
  const raftMs: Record<TraceMode, number[]> = { full: [], hash: [], off: [] };
  const gossipMs: Record<"hash" | "off", number[]> = { hash: [], off: [] };
  for (let k = 0; k < rounds; k++) {
    for (const mode of ["full", "hash", "off"] as const) {
      const t0 = performance.now();
      runScenario(raft, { seed: 1, until: 60_000, trace: mode, flags: { ops: 1e6 } });
      raftMs[mode].push(performance.now() - t0);
    }
    for (const mode of ["hash", "off"] as const) {
      const sim = gossipSim(1, GOSSIP_NODES, mode);
      const t0 = performance.now();
      runEvents(sim, 200_000);
      gossipMs[mode].push(performance.now() - t0);
    }
  }
  const line = (name: string, xs: number[], base: number[]) =>
    `${name.padEnd(24)} best ${best(xs).toFixed(0).padStart(5)} ms, median ${
      median(xs).toFixed(0).padStart(5)
    } ms; ${(best(xs) / best(base)).toFixed(2)}x / ${
      (median(xs) / median(base)).toFixed(2)
    }x of off`;
  return [
    line("raft 60 s, trace full", raftMs.full, raftMs.off),
    line("raft 60 s, trace hash", raftMs.hash, raftMs.off),
    line("raft 60 s, trace off", raftMs.off, raftMs.off),
    line("gossip 200k, trace hash", gossipMs.hash, gossipMs.off),
    line("gossip 200k, trace off", gossipMs.off, gossipMs.off),
  ];
}

if (import.meta.main) {
  switch (Deno.args[0]) {
    case "history": {
      const r = historyBytes(OPS);
      console.log(
        `history of ${OPS} operations: ${r.columns.toFixed(1)} bytes/op in columns, ` +
          `${r.withObjects.toFixed(1)} bytes/op once history.operations has built its objects`,
      );
      break;
    }
    case "trace": {
      const r = traceBytes();
      console.log(
        `full trace: ${r.bytesPerEvent.toFixed(1)} bytes per event kept (${r.events} kept)`,
      );
      break;
    }
    case "modes":
      for (const line of modes(Number(Deno.args[1] ?? 5))) console.log(line);
      break;
    default:
      console.error("usage: memory_figures.ts history | trace | modes [rounds]");
      Deno.exit(2);
  }
}
