/**
 * dsim against SimPy on the same gossip workload (`gossipSim`: 100 nodes,
 * each forwarding every rumour to one random peer, uniform latency 1-10 ms,
 * tracing off), as `tests/bench/simpy_gossip.py` writes it in SimPy.
 *
 * ```sh
 * deno run -A tests/bench/gossip_vs_simpy.ts                 # 200,000 events, 5 rounds
 * deno run -A tests/bench/gossip_vs_simpy.ts --events 100000 --rounds 3
 * deno run -A tests/bench/gossip_vs_simpy.ts --python /usr/bin/python3
 * deno run -A tests/bench/gossip_vs_simpy.ts --simpy-mode store   # SimPy with mailboxes
 * ```
 *
 * Each round starts a fresh `deno run` of this script's `child` mode and a
 * fresh `python3 simpy_gossip.py`, one after the other (alternating, on a
 * shared machine). A child times its first run of N events (the fresh
 * process: compilation and JIT warm-up included, as a short `sim run` pays
 * them) and then three warm runs. The table gives best and median over the
 * rounds of both, and the ratios. SimPy runs in its `callback` form (its
 * fastest: deliveries as timeout callbacks) unless `--simpy-mode store` asks
 * for the actor form with mailboxes (one warm run then: it is slow). Without a Python that has SimPy (tried:
 * `--python`, then `python3`, then `/usr/bin/python3`) it prints dsim's
 * figures alone and says so.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { GOSSIP_NODES, gossipSim, runEvents } from "./scheduler_workloads.ts";

/** One process's figures, events per second. */
interface Rates {
  first: number;
  warmBest: number;
  warmMedian: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * In this process: the first run of `events` gossip events, then `warm` more
 * (each on a fresh simulation, seeds 1, 2, ...), in events per second.
 *
 * @example
 * ```ts
 * import { dsimRates } from "./gossip_vs_simpy.ts";
 * import assert from "node:assert/strict";
 * assert.ok(dsimRates(10_000, 1).first > 0);
 * ```
 */
export function dsimRates(events: number, warm: number): Rates {
  const rates: number[] = [];
  for (let k = 0; k <= warm; k++) {
    const sim = gossipSim(1 + k, GOSSIP_NODES);
    const t0 = performance.now();
    runEvents(sim, events);
    rates.push(events / ((performance.now() - t0) / 1000));
  }
  const w = rates.slice(1);
  return { first: rates[0], warmBest: Math.max(...w), warmMedian: median(w) };
}

async function run(cmd: string, args: string[]): Promise<string | null> {
  try {
    const out = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped" }).output();
    return out.success ? new TextDecoder().decode(out.stdout) : null;
  } catch {
    return null;
  }
}

async function simpyRates(python: string, events: number, mode: string): Promise<Rates | null> {
  const script = new URL("./simpy_gossip.py", import.meta.url).pathname;
  const warm = mode === "store" ? "1" : "3";
  const out = await run(python, [
    script,
    "--events",
    String(events),
    "--warm",
    warm,
    "--json",
    "--mode",
    mode,
  ]);
  const line = out?.trim().split("\n").at(-1) ?? "";
  if (!line.startsWith("{")) return null;
  const r = JSON.parse(line) as { first: number; warmBest: number; warmMedian: number };
  return { first: r.first, warmBest: r.warmBest, warmMedian: r.warmMedian };
}

async function findPython(given: string | undefined): Promise<string | null> {
  for (const p of given === undefined ? ["python3", "/usr/bin/python3"] : [given]) {
    if ((await run(p, ["-c", "import simpy"])) !== null) return p;
  }
  return null;
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      child: { type: "boolean", default: false },
      events: { type: "string", default: "200000" },
      rounds: { type: "string", default: "5" },
      python: { type: "string" },
      "simpy-mode": { type: "string", default: "callback" },
    },
  });
  const events = Number(values.events);
  if (values.child) {
    console.log(JSON.stringify(dsimRates(events, 3)));
    Deno.exit(0);
  }
  const python = await findPython(values.python);
  if (python === null) console.log("SimPy not found (python3, /usr/bin/python3): dsim alone");
  const dsim: Rates[] = [], simpy: Rates[] = [];
  const self = new URL(import.meta.url).pathname;
  for (let r = 0; r < Number(values.rounds); r++) {
    const out = await run(Deno.execPath(), [
      "run",
      "-A",
      self,
      "--child",
      "--events",
      String(events),
    ]);
    if (out === null) throw new Error("the dsim child failed");
    dsim.push(JSON.parse(out.trim().split("\n").at(-1)!));
    if (python !== null) {
      const s = await simpyRates(python, events, values["simpy-mode"]);
      if (s !== null) simpy.push(s);
    }
  }
  const m = (x: number) => (x / 1e6).toFixed(3).padStart(7);
  const row = (name: string, rs: Rates[], key: keyof Rates) => {
    const xs = rs.map((r) => r[key]);
    return `${name.padEnd(34)} best ${m(Math.max(...xs))} M/s, median ${m(median(xs))} M/s`;
  };
  console.log(`gossip, ${GOSSIP_NODES} nodes, ${events} events, ${dsim.length} rounds`);
  console.log(row("dsim, fresh process (first run)", dsim, "first"));
  console.log(row("dsim, warm (runs 2-4)", dsim, "warmMedian"));
  if (simpy.length > 0) {
    const mode = values["simpy-mode"];
    console.log(row(`SimPy ${mode}, fresh (first run)`, simpy, "first"));
    console.log(row(`SimPy ${mode}, warm (runs after it)`, simpy, "warmMedian"));
    const ratio = (a: Rates[], b: Rates[], k: keyof Rates) =>
      `${(median(a.map((r) => r[k])) / median(b.map((r) => r[k]))).toFixed(1)}x`;
    console.log(
      `dsim / SimPy (medians): fresh ${ratio(dsim, simpy, "first")}, warm ${
        ratio(dsim, simpy, "warmMedian")
      }`,
    );
  }
}
