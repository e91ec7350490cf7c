/**
 * Runs with a bit of everything (loss, duplicates, crashes, pauses,
 * partitions, client operations, log notes, a violation) for the renderer
 * tests.
 *
 * @module
 */

import type { Actor, OpId } from "../actors/mod.ts";
import { gossip } from "../protocols/gossip/scenario.ts";
import { runScenario, type ScenarioResult } from "../sim/scenario.ts";
import { Simulation } from "../sim/simulation.ts";
import type { TraceEvent } from "../sim/trace.ts";

/**
 * Gossip over five nodes with loss, duplicates, a crash, a pause and a
 * partition.
 *
 * @example
 * ```ts
 * import { faultyGossip } from "./_render_runs.ts";
 * faultyGossip().sim.trace.events.length > 0; // true
 * ```
 */
export function faultyGossip(seed = 7): ScenarioResult {
  return runScenario(gossip, {
    seed,
    nodes: 5,
    until: 400,
    network: { loss: 0.1, duplicate: 0.1 },
    faults: "@40 crash n2; @120 restart n2; @60 pause n4; @90 resume n4; " +
      "@150 partition n1,n2|n3,n4,n5; @250 heal; @380 crash n5",
  });
}

type KvMsg =
  | { type: "put"; op: number; value: string }
  | { type: "ok"; op: number };

/**
 * A client writing to a server with invoke/complete records, log notes and,
 * at the end, a violation.
 *
 * @example
 * ```ts
 * import { clientServer } from "./_render_runs.ts";
 * clientServer().some((e) => e.kind === "invoke"); // true
 * ```
 */
export function clientServer(): TraceEvent[] {
  const sim = new Simulation({ seed: 5 });
  const pending = new Map<number, OpId>();
  sim.spawn("client", (): Actor<KvMsg> => ({
    onStart: (ctx) => ctx.setTimer("write", 1),
    onMessage(ctx, msg) {
      if (msg.type !== "ok") return;
      ctx.complete(pending.get(msg.op)!, "done");
      if (msg.op < 3) ctx.setTimer("write", 2);
    },
    onTimer(ctx) {
      const op = pending.size + 1;
      pending.set(op, ctx.invoke("put", `v${op}`));
      ctx.send("server", { type: "put", op, value: `v${op} </script><b>"&` });
    },
  }));
  sim.spawn("server", (): Actor<KvMsg> => ({
    onMessage(ctx, msg, from) {
      if (msg.type !== "put") return;
      ctx.log("stored", { value: msg.value });
      ctx.send(from, { type: "ok", op: msg.op });
    },
  }));
  sim.invariant(
    "at-most-two-writes",
    (s) => s.history.operations.length <= 2 || { message: "a third write", node: "client" },
  );
  sim.run({ until: 100 });
  return sim.trace.events;
}
