/**
 * Physical time (lecture 3.2): how a node learns another node's clock over a
 * network whose delays it cannot see, and how it corrects its own clock
 * without ever running it backwards.
 *
 * 1. One NTP exchange, with its four timestamps, the offset and delay it
 *    computes, and the true offset only the simulator knows.
 * 2. Cristian's algorithm against NTP when the server takes time to answer.
 * 3. Stepping a clock that is ahead sets it back; slewing slows it down.
 *
 * Run it with `deno run examples/clock_sync.ts` (no permissions needed).
 *
 * @module
 */

import type { Latency } from "../sim/network.ts";
import { Simulation } from "../sim/simulation.ts";
import { ClockReader } from "../protocols/clocksync/clock_reader.ts";
import type { SyncMethod, SyncMsg } from "../protocols/clocksync/clock_sync.ts";
import { trueOffset } from "../protocols/clocksync/check.ts";
import type { Discipline } from "../protocols/clocksync/slewing_clock.ts";
import { SyncedActor } from "../protocols/clocksync/synced_actor.ts";

type Synced = SyncedActor<unknown, unknown>;

/**
 * One NTP exchange as the client saw it, with the truth beside it.
 *
 * @example
 * ```ts
 * import type { Exchange } from "./clock_sync.ts";
 * import assert from "node:assert/strict";
 * const e: Exchange = { t1: 100, t2: 250, t3: 252, t4: 110, offset: 146, delay: 8, truth: 145 };
 * assert.ok(Math.abs(e.offset - e.truth) <= e.delay / 2);
 * ```
 */
export interface Exchange {
  t1: number;
  t2: number;
  t3: number;
  t4: number;
  /** NTP's estimate θ. */
  offset: number;
  /** NTP's round-trip delay δ. */
  delay: number;
  /** The true offset when the reply arrived. */
  truth: number;
}

/**
 * The first NTP exchange of a client whose clock is 150 ms behind, over a
 * network where requests take 9 ms and replies 2 ms (the client cannot know
 * that: it assumes both took the same).
 *
 * @example
 * ```ts
 * import { oneExchange } from "./clock_sync.ts";
 * import assert from "node:assert/strict";
 * const e = oneExchange();
 * assert.ok(Math.abs(e.offset - e.truth) <= e.delay / 2);
 * assert.ok(e.offset !== e.truth); // the asymmetry shows
 * ```
 */
export function oneExchange(): Exchange {
  const latency: Latency = { kind: "custom", sample: (_r, from) => (from === "client" ? 9 : 2) };
  const sim = new Simulation({ seed: 1, network: { latency } });
  sim.spawn("server", () => new SyncedActor(undefined, { holdMs: 4 }));
  sim.spawn("client", () => new SyncedActor(undefined, { server: "server", pollMs: 1000 }), {
    clock: { skewMs: -150 },
  });
  let found: Exchange | undefined;
  sim.invariant("watch", (s) => {
    const sample = s.actor<Synced>("client")?.sync.layer.samples[0];
    if (found !== undefined || sample === undefined) return true;
    const reply = lastReply(s);
    found = {
      t1: sample.t1,
      t2: reply.t2,
      t3: reply.t3,
      t4: sample.t4,
      offset: sample.offset,
      delay: sample.delay,
      truth: trueOffset(s, "client", "server")!,
    };
    return true;
  });
  sim.run({ until: 1000 });
  if (found === undefined) throw new Error("no exchange completed");
  return found;
}

function lastReply(sim: Simulation): { t2: number; t3: number } {
  for (let i = sim.trace.events.length - 1; i >= 0; i--) {
    const e = sim.trace.events[i];
    if (e.kind !== "deliver") continue;
    const m = (e.msg as { msg?: SyncMsg }).msg;
    if (m?.type === "ntp-reply") return m;
  }
  throw new Error("no reply delivered");
}

/**
 * How far a method's estimates were from the truth, over many exchanges.
 *
 * @example
 * ```ts
 * import type { MethodErrors } from "./clock_sync.ts";
 * import assert from "node:assert/strict";
 * const m: MethodErrors = { samples: 40, meanError: 2.1, maxError: 6, meanBound: 9 };
 * assert.ok(m.maxError <= 2 * m.meanBound);
 * ```
 */
export interface MethodErrors {
  samples: number;
  /** Mean and largest |estimate - truth|, ms. */
  meanError: number;
  maxError: number;
  /** Mean error bound, delay/2, ms. */
  meanBound: number;
}

/**
 * A client polling a server that holds each request up to `holdMs` before
 * replying (it is busy), by `method`.
 *
 * @example
 * ```ts
 * import { methodErrors } from "./clock_sync.ts";
 * import assert from "node:assert/strict";
 * const ntp = methodErrors("ntp", 20), cristian = methodErrors("cristian", 20);
 * assert.ok(ntp.meanBound < cristian.meanBound);
 * ```
 */
export function methodErrors(method: SyncMethod, holdMs: number): MethodErrors {
  const sim = new Simulation({ seed: 2 });
  sim.spawn("server", () => new SyncedActor(undefined, { holdMs }));
  sim.spawn("client", () => new SyncedActor(undefined, { server: "server", method, pollMs: 50 }), {
    clock: { skewMs: 80, drift: 0.0002 },
  });
  const errors: number[] = [], bounds: number[] = [];
  let seen = 0;
  sim.invariant("watch", (s) => {
    const sample = s.actor<Synced>("client")?.sync.layer.samples.at(-1);
    if (sample === undefined || sample.id <= seen) return true;
    seen = sample.id;
    errors.push(Math.abs(sample.offset - trueOffset(s, "client", "server")!));
    bounds.push(sample.delay / 2);
    return true;
  });
  sim.run({ until: 2000 });
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  return {
    samples: errors.length,
    meanError: mean(errors),
    maxError: Math.max(...errors),
    meanBound: mean(bounds),
  };
}

/**
 * A clock 60 ms ahead of its server, disciplined by `discipline`: its error
 * (synchronised clock minus server clock) and whether its readings ever went
 * backwards.
 *
 * @example
 * ```ts
 * import { disciplineRun } from "./clock_sync.ts";
 * import assert from "node:assert/strict";
 * assert.equal(disciplineRun("slew").backwards, 0);
 * assert.ok(disciplineRun("step").backwards > 50);
 * ```
 */
export function disciplineRun(
  discipline: Discipline,
): { errors: { at: number; error: number }[]; backwards: number } {
  const sim = new Simulation({ seed: 3 });
  sim.spawn("server", () => new SyncedActor(undefined, {}));
  sim.spawn(
    "client",
    () =>
      new SyncedActor(new ClockReader(5), {
        server: "server",
        pollMs: 100,
        clock: { discipline, slewRate: 0.1 },
      }),
    { clock: { skewMs: 60 } },
  );
  const errors: { at: number; error: number }[] = [];
  let backwards = 0, previous = -Infinity;
  sim.invariant("watch", (s) => {
    const last = s.actor<Synced>("client")?.sync.layer.clock.last ?? null;
    if (last !== null) {
      if (last < previous) backwards = Math.max(backwards, previous - last);
      previous = last;
    }
    return true;
  });
  for (const at of [0, 100, 200, 300, 400, 600, 800, 1000]) {
    sim.run({ until: at });
    const client = sim.actor<Synced>("client")!;
    const server = sim.actor<Synced>("server")!;
    errors.push({
      at,
      error: client.peek(sim.localTime("client")) - server.peek(sim.localTime("server")),
    });
  }
  return { errors, backwards };
}

/**
 * The lesson as text.
 *
 * @example
 * ```ts
 * import { clockSyncExample } from "./clock_sync.ts";
 * import assert from "node:assert/strict";
 * assert.match(clockSyncExample(), /within δ\/2/);
 * ```
 */
export function clockSyncExample(): string {
  const e = oneExchange();
  const r = (x: number) => Math.round(x * 10) / 10;
  const ntp = methodErrors("ntp", 20), cristian = methodErrors("cristian", 20);
  const slew = disciplineRun("slew"), step = disciplineRun("step");
  const row = (name: string, m: MethodErrors) =>
    `  ${name.padEnd(10)}${String(m.samples).padStart(8)}${String(r(m.meanError)).padStart(12)}` +
    `${String(r(m.maxError)).padStart(11)}${String(r(m.meanBound)).padStart(14)}`;
  return [
    "1. One NTP exchange. The client's clock is 150 ms behind the server's; requests take 9 ms,",
    "   replies 2 ms, and the server holds the request a little before answering.",
    "",
    `   t1 = ${r(e.t1)}  client sends (client clock)        t2 = ${r(e.t2)}  server receives`,
    `   t4 = ${r(e.t4)}  client receives (client clock)     t3 = ${r(e.t3)}  server replies`,
    `   delay  δ = (t4 - t1) - (t3 - t2)       = ${r(e.delay)} ms`,
    `   offset θ = ((t2 - t1) + (t3 - t4)) / 2 = ${r(e.offset)} ms`,
    `   true offset (the simulator knows)     = ${r(e.truth)} ms: off by ${
      r(Math.abs(e.offset - e.truth))
    } ms, within δ/2 = ${r(e.delay / 2)}`,
    "   θ assumes the request and the reply took equally long. The request took longer, so θ",
    "   is off, but never by more than δ/2: each way took between 0 and δ.",
    "",
    "2. Cristian's algorithm has one server timestamp: the client sets its clock to T + RTT/2.",
    "   When the server takes up to 20 ms to answer, that time counts as network delay:",
    "",
    `  ${"method".padEnd(10)}${"samples".padStart(8)}${"mean error".padStart(12)}` +
    `${"max error".padStart(11)}${"mean δ/2".padStart(14)}`,
    row("NTP", ntp),
    row("Cristian", cristian),
    "",
    "   NTP's t2 and t3 take the server's time out of the delay, so its bound is tighter.",
    "",
    "3. A client 60 ms ahead of its server. Stepping sets its clock back at once; slewing runs it",
    "   10% slow until it agrees (real NTP slews at most 0.05%, and steps only beyond 125 ms).",
    "",
    `  ${"ms".padStart(6)}  ${"stepped: error".padStart(15)}  ${"slewed: error".padStart(14)}`,
    ...slew.errors.map((s, i) =>
      `  ${String(s.at).padStart(6)}  ${String(r(step.errors[i].error)).padStart(15)}  ${
        String(r(s.error)).padStart(14)
      }`
    ),
    "",
    `   The stepped clock's readings went back by ${
      r(step.backwards)
    } ms: a program timing an interval with it`,
    `   sees negative durations, and timestamps come out of order. The slewed clock went back by ${
      r(slew.backwards)
    }.`,
    "   Try: deno task sim run clock-sync --discipline step   (the monotonic check catches it)",
  ].join("\n");
}

if (import.meta.main) console.log(clockSyncExample());
