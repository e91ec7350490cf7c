import assert from "node:assert/strict";
import { AssertionError } from "node:assert";
import { assertSeeds, checkSeeds } from "../sim/testing.ts";
import { pingPong } from "../protocols/ping_pong/scenario.ts";

Deno.test("assertSeeds passes when every seed holds", () => {
  // Long enough for ten rounds through 20% loss and a crash of either node.
  assertSeeds(pingPong, {
    seeds: { from: 1, to: 30 },
    network: { loss: 0.2 },
    faults: "random",
    until: 2000,
  });
  const { runs, failures } = checkSeeds(pingPong, { seeds: { from: 5, to: 14 } });
  assert.deepEqual([runs, failures.length], [10, 0]);
  assert.equal(checkSeeds(pingPong, { seeds: [3, 9, 27] }).runs, 3);
});

Deno.test("assertSeeds fails with the seed, the violation, the last events and the replay", () => {
  // A crash that never restarts: n1 cannot finish its rounds.
  const opts = { seeds: { from: 1, to: 10 }, faults: "@30 crash n2" };
  let error: unknown;
  try {
    assertSeeds(pingPong, opts);
  } catch (e) {
    error = e;
  }
  assert.ok(error instanceof AssertionError, "a failing seed must fail the test");
  const message = (error as Error).message;
  assert.match(message, /ping-pong: seed 1 failed \(after 1 run\)/);
  assert.match(message, /violation of all-rounds-done/);
  assert.match(message, /last \d+ events before it:/);
  assert.match(message, /crash/);
  // Every node's state when the run stopped, from its inspect() or its public fields.
  assert.match(message, /nodes when the run stopped/);
  assert.match(message, /n2 crashed, clock \d+(\.\d+)? ms/);
  assert.match(message, /n1 up, clock [\d.]+ ms\n {6}\{.*\}/);
  assert.match(message, /replay: deno task sim run ping-pong --seed 1 .*--faults '@30 crash n2'/);
  const all = checkSeeds(pingPong, { ...opts, stopAtFirst: false });
  assert.equal(all.failures.length, 10);
  assert.ok(all.failures.every((f) => f.sim.trace.mode === "full"));
});
