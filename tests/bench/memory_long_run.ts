/**
 * The memory acceptance test: a one-hour virtual Raft run with trace
 * `full` and the client history kept and checked must peak within 1.5x of a
 * one-minute run's memory.
 *
 * ```sh
 * deno task bench:memory                       # one minute, then one hour; exit 1 if over 1.5x
 * deno run -A tests/bench/memory_long_run.ts --until 60000,600000,3600000 --seed 2
 * deno run -A tests/bench/memory_long_run.ts --judge-rss --v8-flags=--max-semi-space-size=4
 * deno run -A tests/bench/memory_long_run.ts --trace-window 10000   # a smaller trace window
 * deno run -A tests/bench/memory_long_run.ts --out /tmp/raft.json     # streaming to a file too
 * ```
 *
 * Each run is the built-in `raft` scenario as `deno task sim run raft --until
 * <ms> --ops <n>` runs it (5 servers, 3 clients, random crashes, pauses and
 * partitions from the seed, Raft's safety checks after every event, the
 * liveness monitor, linearizability of the history at the end), in a fresh
 * process started with `--v8-flags=--expose-gc`. `--ops` is large enough that
 * the clients keep working for the whole run (the default, 30 per client, is
 * done within a second of virtual time and leaves nothing to measure).
 *
 * Each length runs twice, in two fresh processes. One samples
 * `Deno.memoryUsage()` from the trace's sink, `heapUsed` and `rss` every
 * 4,096 events (what the process really holds, garbage included) and never
 * forces a collection; the kernel's high-water mark (`VmHWM`) gives its exact
 * peak RSS, the end-of-run checks included. The other reads the live heap
 * (`heapUsed` right after a forced collection) at sixty evenly spaced instants
 * of virtual time and once more after the end-of-run checks.
 *
 * The exit code judges the peak live heap, what the run keeps (trace window,
 * history, checkers' ledgers, the actors): over 1.5x the one-minute run's is
 * exit 1. RSS is printed beside it and judged too with `--judge-rss`: under
 * V8's default flags it grows with wall time, not with what is kept (a run of
 * many seconds of steady allocation grows the young generation from 1 MB
 * toward 16 MB semi-spaces and lets more old-space garbage wait for a major
 * collection, while the one-minute run is over in two seconds);
 * `--v8-flags=--max-semi-space-size=4` caps that for both runs.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { raft } from "../../protocols/raft/scenarios.ts";
import { TraceStream } from "../../sim/cli.ts";
import { runScenario } from "../../sim/scenario.ts";

/** The acceptance bound: the long run's peak over the short run's. */
export const MAX_RATIO = 1.5;

/**
 * What one run measured (bytes, counts, milliseconds).
 *
 * @example
 * ```ts
 * import type { MemoryRun } from "./memory_long_run.ts";
 * import assert from "node:assert/strict";
 * const r: MemoryRun = {
 *   until: 60_000, ok: true, events: 1, ops: 1, heldOps: 1, traceKept: 1, peakHeapUsed: 1,
 *   peakLiveHeap: 1, peakRss: 1, hwmRss: 1, wallMs: 1,
 * };
 * assert.equal(r.until, 60_000);
 * ```
 */
export interface MemoryRun {
  /** Virtual milliseconds run. */
  until: number;
  /** The run's verdict (every check passed). */
  ok: boolean;
  /** Events handled. */
  events: number;
  /** Client operations recorded. */
  ops: number;
  /** Client operations still held in memory at the end. */
  heldOps: number;
  /** Trace events held in memory at the end. */
  traceKept: number;
  /** Peak of `heapUsed`, sampled every 4,096 events (garbage included). */
  peakHeapUsed: number;
  /** Peak of `heapUsed` right after a forced collection (what is really kept). */
  peakLiveHeap: number;
  /** Peak of `rss`, sampled with `heapUsed`. */
  peakRss: number;
  /** The kernel's high-water mark of the resident set (`VmHWM`), 0 where unknown. */
  hwmRss: number;
  /** Wall milliseconds of the run and its checks. */
  wallMs: number;
}

/** Peak resident set so far according to the kernel, in bytes (0 if unavailable). */
function highWaterRss(): number {
  try {
    const status = Deno.readTextFileSync("/proc/self/status");
    const m = /VmHWM:\s+(\d+) kB/.exec(status);
    return m === null ? 0 : Number(m[1]) * 1024;
  } catch {
    return 0;
  }
}

/**
 * Runs the `raft` scenario for `until` virtual ms in this process and
 * measures its memory. With `live` it forces a collection before each of
 * its sixty readings of the live heap (needs `--v8-flags=--expose-gc`);
 * without, it never collects, so `heapUsed` and the resident set are what
 * V8 lets them be (`peakLiveHeap` is then 0).
 *
 * @example
 * ```ts ignore
 * import { measureRun } from "./memory_long_run.ts";
 * const r = measureRun(60_000, 1, 1_000_000, { live: false });
 * ```
 */
export function measureRun(
  until: number,
  seed: number,
  ops: number,
  options: { live: boolean; traceWindow?: number; out?: string },
): MemoryRun {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (options.live && gc === undefined) throw new Error("run with --v8-flags=--expose-gc");
  let peakHeapUsed = 0, peakRss = 0, peakLiveHeap = 0;
  const sample = () => {
    const m = Deno.memoryUsage();
    if (m.heapUsed > peakHeapUsed) peakHeapUsed = m.heapUsed;
    if (m.rss > peakRss) peakRss = m.rss;
  };
  const sampleLive = () => {
    if (!options.live) return;
    gc!();
    const m = Deno.memoryUsage();
    if (m.heapUsed > peakLiveHeap) peakLiveHeap = m.heapUsed;
  };
  let count = 0;
  const step = until / 60;
  let nextLive = step;
  const started = performance.now();
  const out = options.out;
  // As `sim run --out FILE.json` writes it: the whole trace, while the run goes.
  const file = out === undefined ? undefined : new TraceStream(out);
  const { traceWindow } = options;
  const result = runScenario(raft, { seed, until, trace: "full", flags: { ops } }, {
    ...(traceWindow === undefined ? {} : { traceWindow }),
    ...(file === undefined ? {} : { onSpec: file.start }),
    sink: (e) => {
      file?.sink(e);
      if ((++count & 4095) === 0) sample();
      if (e.t >= nextLive) {
        nextLive += step;
        sampleLive();
      }
    },
  });
  file?.finish(result);
  file?.close();
  const wallMs = performance.now() - started;
  sample();
  sampleLive();
  const history = result.sim.history;
  return {
    until,
    ok: result.ok,
    events: result.events,
    ops: history.length,
    heldOps: history.held,
    traceKept: result.sim.trace.events.length,
    peakHeapUsed,
    peakLiveHeap,
    peakRss,
    hwmRss: highWaterRss(),
    wallMs,
  };
}

/** Runs {@linkcode measureRun} in a fresh `deno` process and returns what it printed. */
async function measureInChild(
  live: boolean,
  until: number,
  seed: number,
  ops: number,
  traceWindow: string | undefined,
  v8Flags: string,
  outFile: string | undefined,
): Promise<MemoryRun> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      `--v8-flags=--expose-gc${v8Flags === "" ? "" : "," + v8Flags}`,
      // All: reading /proc/self/status (the kernel's peak RSS) needs it.
      "--allow-all",
      new URL(import.meta.url).pathname,
      live ? "--child-live" : "--child",
      "--until",
      String(until),
      "--seed",
      String(seed),
      "--ops",
      String(ops),
      ...(traceWindow === undefined ? [] : ["--trace-window", traceWindow]),
      ...(outFile === undefined ? [] : ["--out", outFile]),
    ],
    stdout: "piped",
    stderr: "inherit",
  }).output();
  if (!out.success) throw new Error(`the run of ${until} ms failed (exit ${out.code})`);
  const lines = new TextDecoder().decode(out.stdout).trim().split("\n");
  return JSON.parse(lines[lines.length - 1]) as MemoryRun;
}

const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(1).padStart(7);

if (import.meta.main) {
  const args = parseArgs({
    args: Deno.args,
    options: {
      child: { type: "boolean", default: false },
      "child-live": { type: "boolean", default: false },
      until: { type: "string", default: "60000,3600000" },
      seed: { type: "string", default: "1" },
      ops: { type: "string", default: "1000000" },
      "trace-window": { type: "string" },
      "v8-flags": { type: "string", default: "" },
      "judge-rss": { type: "boolean", default: false },
      out: { type: "string" },
    },
  });
  const seed = Number(args.values.seed);
  const ops = Number(args.values.ops);
  const untils = args.values.until.split(",").map(Number);
  if (args.values.child || args.values["child-live"]) {
    const w = args.values["trace-window"];
    const traceWindow = w === undefined ? w : Number(w);
    const live = args.values["child-live"];
    console.log(JSON.stringify(
      measureRun(untils[0], seed, ops, { live, traceWindow, out: args.values.out }),
    ));
  } else {
    const runs: MemoryRun[] = [];
    console.log(
      "virtual s   events       ops   held ops  trace kept  peak heapUsed  peak live heap" +
        "  peak rss  VmHWM   wall s  ok",
    );
    for (const until of untils) {
      const child = (live: boolean) =>
        measureInChild(
          live,
          until,
          seed,
          ops,
          args.values["trace-window"],
          args.values["v8-flags"],
          args.values.out,
        );
      // One process reads the live heap (forcing collections), another the rest untouched.
      const live = await child(true);
      const r = { ...(await child(false)), peakLiveHeap: live.peakLiveHeap };
      runs.push(r);
      console.log(
        `${String(until / 1000).padStart(9)} ${String(r.events).padStart(8)} ` +
          `${String(r.ops).padStart(9)} ${String(r.heldOps).padStart(10)} ` +
          `${String(r.traceKept).padStart(11)}  ${mb(r.peakHeapUsed)} MB     ${
            mb(r.peakLiveHeap)
          } MB ${mb(r.peakRss)} MB ${mb(r.hwmRss)} MB ${(r.wallMs / 1000).toFixed(1).padStart(6)}` +
          `  ${r.ok}`,
      );
    }
    const first = runs[0], last = runs[runs.length - 1];
    const live = last.peakLiveHeap / first.peakLiveHeap;
    const rss = (last.hwmRss || last.peakRss) / (first.hwmRss || first.peakRss);
    const used = last.peakHeapUsed / first.peakHeapUsed;
    console.log(
      `${last.until / 1000} s over ${first.until / 1000} s: peak live heap ${live.toFixed(2)}x, ` +
        `peak rss ${rss.toFixed(2)}x, peak heapUsed ${used.toFixed(2)}x (bound ${MAX_RATIO}x on ` +
        `the live heap${args.values["judge-rss"] ? " and rss" : ""})`,
    );
    const ok = live <= MAX_RATIO && (!args.values["judge-rss"] || rss <= MAX_RATIO) &&
      runs.every((r) => r.ok);
    console.log(ok ? "ok: memory stays flat" : "FAILED: memory grows with the run's length");
    if (!ok) Deno.exit(1);
  }
}
