import assert from "node:assert/strict";
import { runScenario } from "../sim/scenario.ts";
import { checkBroadcast, checkFifo, PROMISES } from "../protocols/broadcast/check.ts";
import { broadcastFifo } from "../protocols/broadcast/scenario.ts";

/** Faults within FIFO broadcast's failure model, which is reliable broadcast's. */
const FAULTY = {
  network: { loss: 0.1, duplicate: 0.05, latency: { kind: "uniform", min: 1, max: 15 } as const },
  faults: "random:crash=4,partition=2,pause=2,duration=80",
};

Deno.test("FIFO broadcast keeps each sender's order, and delivers everything once, under faults", () => {
  let reorderedOnTheWire = 0;
  for (let seed = 1; seed <= 150; seed++) {
    const r = runScenario(broadcastFifo, { seed, nodes: 3 + (seed % 3), ...FAULTY });
    assert.ok(r.ok, `seed ${seed}: ${JSON.stringify(r.violations)}`);
    const events = r.sim.trace.events;
    assert.deepEqual(checkBroadcast(events, PROMISES.fifo, [...r.sim.nodes]), [], `seed ${seed}`);
    // The links underneath are not FIFO: order really is restored by the layer.
    const seqs = events.flatMap((e) =>
      e.kind === "deliver" && (e.msg as { type: string }).type === "link"
        ? [(e.msg as { seq: number }).seq]
        : []
    );
    if (seqs.some((s, i) => i > 0 && s < seqs[i - 1])) reorderedOnTheWire++;
  }
  assert.ok(reorderedOnTheWire > 100, `runs with reordering below: ${reorderedOnTheWire}`);
});

Deno.test("reliable broadcast is caught breaking FIFO order by a seed the test finds", () => {
  let caught: { seed: number; message: string } | undefined;
  for (let seed = 1; seed <= 40 && caught === undefined; seed++) {
    const r = runScenario(broadcastFifo, { seed, faults: "", flags: { protocol: "reliable" } });
    const v = checkFifo(r.sim.trace.events);
    if (v.length > 0) caught = { seed, message: v[0].message };
    // Everything else reliable broadcast promises still holds.
    assert.deepEqual(checkBroadcast(r.sim.trace.events, PROMISES.reliable, [...r.sim.nodes]), []);
  }
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
