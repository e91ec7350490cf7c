import assert from "node:assert/strict";
import { runScenario } from "../sim/scenario.ts";
import { scenarios } from "../protocols/registry.ts";
import { broadcastCausal, broadcastFifo, broadcastTotal } from "../protocols/broadcast/scenario.ts";

Deno.test("the clock and broadcast scenarios are registered for the command line", () => {
  for (
    const name of [
      "lamport",
      "vector-clock",
      "broadcast-fifo",
      "broadcast-causal",
      "broadcast-total",
    ]
  ) {
    assert.ok(scenarios.has(name), name);
  }
});

Deno.test("each broadcast scenario passes its own checker with loss, whatever the trace mode", () => {
  for (const scenario of [broadcastFifo, broadcastCausal, broadcastTotal]) {
    for (const trace of ["full", "hash", "off"] as const) {
      const r = runScenario(scenario, { seed: 3, network: { loss: 0.1 }, trace });
      assert.ok(r.ok, `${scenario.name} ${trace}: ${JSON.stringify(r.violations)}`);
      assert.match(r.summary[0], /checked for integrity, agreement, fifo/);
      assert.equal(r.summary.length, 1 + 4, "one line per node's delivery order");
    }
  }
});

Deno.test("picking a weaker protocol with --protocol makes the scenario report the violation", () => {
  const cases = [
    [broadcastFifo, "reliable", "fifo-order"],
    [broadcastCausal, "fifo", "causal-order"],
    [broadcastTotal, "causal", "total-order"],
  ] as const;
  for (const [scenario, protocol, check] of cases) {
    let seed = 1;
    while (seed <= 20 && runScenario(scenario, { seed, trace: "hash", flags: { protocol } }).ok) {
      seed++;
    }
    assert.ok(seed <= 20, `${scenario.name} --protocol ${protocol} passed 20 seeds`);
    const r = runScenario(scenario, { seed, trace: "hash", flags: { protocol } });
    assert.ok(r.violations.some((v) => v.check === check), JSON.stringify(r.violations));
    assert.match(r.replay, new RegExp(`--protocol ${protocol}`));
  }
});

Deno.test("a replayed run is the same run: the re-run for checking has the same trace hash", () => {
  const r = runScenario(broadcastTotal, {
    seed: 8,
    trace: "hash",
    network: { loss: 0.2, duplicate: 0.1 },
    flags: { protocol: "total-lamport" },
  });
  assert.ok(r.ok, JSON.stringify(r.violations));
  assert.ok(!r.violations.some((v) => v.check === "full-trace-rerun"));
  const full = runScenario(broadcastTotal, {
    seed: 8,
    network: { loss: 0.2, duplicate: 0.1 },
    flags: { protocol: "total-lamport" },
  });
  assert.equal(full.traceHash, r.traceHash);
});
