import assert from "node:assert/strict";
import { runScenario } from "../sim/scenario.ts";
import type { TraceEvent } from "../sim/trace.ts";
import {
  appEvents,
  checkBroadcast,
  checkTotalOrder,
  PROMISES,
} from "../protocols/broadcast/check.ts";
import type { BroadcastProtocol } from "../protocols/broadcast/layer.ts";
import { broadcastTotal } from "../protocols/broadcast/scenario.ts";
import { FAULTY, findBreakingSeed } from "./_broadcast_runs.ts";

// FAULTY is within both total order protocols' failure model: everything is
// transient (a node, the sequencer included, always comes back).
for (const protocol of ["total-sequencer", "total-lamport"] as const) {
  Deno.test(`${protocol}: every node delivers the same messages in the same order, under faults`, () => {
    for (let seed = 1; seed <= 150; seed++) {
      const r = runScenario(broadcastTotal, {
        seed,
        nodes: 3 + (seed % 3),
        ...FAULTY,
        flags: { protocol },
      });
      assert.ok(r.ok, `seed ${seed}: ${JSON.stringify(r.violations)}`);
      assert.deepEqual(
        checkBroadcast(r.sim.trace.events, PROMISES[protocol], [...r.sim.nodes]),
        [],
      );
    }
  });
}

Deno.test("causal broadcast is caught breaking total order by a seed the test finds", () => {
  const caught = findBreakingSeed(broadcastTotal, "causal", checkTotalOrder);
  assert.ok(caught !== undefined, "causal broadcast gave one order everywhere in 40 seeds");
  assert.match(caught.message, /n\d delivered (\S+) before (\S+), but n\d delivered \2 before \1/);
});

/** Deliveries of messages broadcast in [from, to), with their times. */
function deliveredBetween(events: readonly TraceEvent[], from: number, to: number): number[] {
  const app = appEvents(events);
  const late = new Set(
    app.filter((e) => e.kind === "broadcast" && e.t >= from && e.t < to).map((e) => e.id),
  );
  return app.filter((e) => e.kind === "deliver" && late.has(e.id)).map((e) => e.t);
}

function whileDown(protocol: BroadcastProtocol, node: string): number[] {
  const r = runScenario(broadcastTotal, {
    seed: 4,
    faults: `@100 crash ${node}; @500 restart ${node}`,
    flags: { protocol, posts: 6 },
  });
  // Causal broadcast does not promise total order; the others keep it here too.
  if (protocol !== "causal") assert.ok(r.ok, JSON.stringify(r.violations));
  return deliveredBetween(r.sim.trace.events, 110, 300);
}

Deno.test("the price of these protocols: one node down stops delivery everywhere until it is back", () => {
  // With a sequencer, only the sequencer matters; with Lamport clocks, every node does.
  for (const [protocol, node] of [["total-sequencer", "n1"], ["total-lamport", "n4"]] as const) {
    const times = whileDown(protocol, node);
    assert.ok(times.length > 0, `${protocol}: messages from while ${node} was down were delivered`);
    assert.ok(
      times.every((t) => t >= 500),
      `${protocol}: nothing delivered before ${node} restarted: ${times}`,
    );
  }
  // Whereas causal broadcast carries on without the crashed node.
  const times = whileDown("causal", "n4");
  assert.ok(times.some((t) => t < 500), "causal broadcast delivered while n4 was down");
});
