import assert from "node:assert/strict";
import { unwrapLayers } from "../actors/mod.ts";
import type { LinkMsg } from "../protocols/broadcast/reliable_link.ts";
import { runScenario } from "../sim/scenario.ts";
import { checkBroadcast, checkFifo, PROMISES } from "../protocols/broadcast/check.ts";
import { broadcastFifo } from "../protocols/broadcast/scenario.ts";
import { FAULTY, findBreakingSeed } from "./_broadcast_runs.ts";

Deno.test("FIFO broadcast keeps each sender's order, and delivers everything once, under faults", () => {
  let reorderedOnTheWire = 0;
  for (let seed = 1; seed <= 150; seed++) {
    const r = runScenario(broadcastFifo, { seed, nodes: 3 + (seed % 3), ...FAULTY });
    assert.ok(r.ok, `seed ${seed}: ${JSON.stringify(r.violations)}`);
    const events = r.sim.trace.events;
    assert.deepEqual(checkBroadcast(events, PROMISES.fifo, [...r.sim.nodes]), [], `seed ${seed}`);
    // The links underneath are not FIFO: order really is restored by the layer.
    const seqs = events.flatMap((e) => {
      if (e.kind !== "deliver") return [];
      const { layers, msg } = unwrapLayers(e.msg);
      // FIFO broadcast (bc) over reliable broadcast (rb) over links.
      assert.deepEqual(layers, ["bc", "rb", "link"]);
      const m = msg as LinkMsg<unknown>;
      return m.type === "data" ? [m.seq] : [];
    });
    if (seqs.some((s, i) => i > 0 && s < seqs[i - 1])) reorderedOnTheWire++;
  }
  assert.ok(reorderedOnTheWire > 100, `runs with reordering below: ${reorderedOnTheWire}`);
});

Deno.test("reliable broadcast is caught breaking FIFO order by a seed the test finds", () => {
  // Everything reliable broadcast does promise still holds on every seed tried.
  const caught = findBreakingSeed(broadcastFifo, "reliable", checkFifo);
  assert.ok(caught !== undefined, "reliable broadcast kept FIFO order in 40 seeds");
  assert.match(caught.message, /delivered n\d+#\d+ before n\d+#\d+, which n\d+ broadcast first/);
  // The scenario reports it too, for the command line.
  const r = runScenario(broadcastFifo, {
    seed: caught.seed,
    faults: "",
    flags: { protocol: "reliable" },
  });
  assert.ok(!r.ok && r.violations.some((v) => v.check === "fifo-order"));
});
