import assert from "node:assert/strict";
import { AssertionError } from "node:assert";
import { assertSeeds, checkSeeds, TestContext } from "../sim/testing.ts";
import type { Actor, Context } from "../actors/actor.ts";
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
  // The same run swept (which shrinks it) and in the studio, each one line to copy.
  assert.match(
    message,
    /shrink: deno task sim sweep ping-pong --seeds 1 .*--faults '@30 crash n2'/,
  );
  assert.match(message, /step through it: deno task sim studio ping-pong --seed 1 .*--faults '@30/);
  const all = checkSeeds(pingPong, { ...opts, stopAtFirst: false });
  assert.equal(all.failures.length, 10);
  assert.ok(all.failures.every((f) => f.sim.trace.mode === "full"));
});

Deno.test("TestContext.restart: timers die with the old instance, storage and clock stay, onStart runs", () => {
  type Timer = { type: "retry"; n: number };
  const started: number[] = [];
  class Node implements Actor<"go", Timer> {
    onStart(ctx: Context<"go", Timer>) {
      started.push(ctx.now());
      const n = ctx.storage.get<number>("n") ?? 0;
      if (n > 0) ctx.setTimer({ type: "retry", n }, 5);
    }
    onMessage(ctx: Context<"go", Timer>) {
      const n = (ctx.storage.get<number>("n") ?? 0) + 1;
      ctx.storage.set("n", n);
      ctx.setTimer({ type: "retry", n: 0 }, 100); // one pending retry, re-armed
    }
  }
  const ctx = new TestContext<"go", Timer>("n1", { now: 7 });
  const first = new Node();
  ctx.start(first);
  ctx.deliver(first, "go", "c");
  ctx.deliver(first, "go", "c");
  assert.deepEqual(ctx.timers(), [{ timer: { type: "retry", n: 0 }, at: 107 }]);
  ctx.advance(3);
  const second = ctx.restart(() => new Node());
  assert.notEqual(second, first);
  assert.deepEqual(started, [7, 10]);
  // Only the new instance's timer: the one set before the crash is gone.
  assert.deepEqual(ctx.timers(), [{ timer: { type: "retry", n: 2 }, at: 15 }]);
  assert.equal(ctx.storage.get("n"), 2);
});
