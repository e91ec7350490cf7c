/**
 * No run can hang or blow up: each way a user's protocol (or input) could
 * make a run spin, grow without bound, or die with an error that blames the
 * framework ends in one clear report instead.
 */

import assert from "node:assert/strict";
import type { Actor, Context } from "../actors/mod.ts";
import { ConfigError } from "../sim/errors.ts";
import { parseFaults } from "../sim/faults.ts";
import { defineScenario, runScenario } from "../sim/scenario.ts";
import { Simulation } from "../sim/simulation.ts";
import { cli } from "./_cli.ts";

Deno.test("a timer that re-arms itself with 0 ms stops the run with time-stuck, not a hang", () => {
  const sim = new Simulation({ seed: 1, trace: "hash" });
  sim.spawn("spin", (): Actor<never> => ({
    onStart: (ctx) => ctx.setTimer("again", 0),
    onMessage() {},
    onTimer: (ctx) => ctx.setTimer("again", 0),
  }));
  const r = sim.run({ until: 1000 });
  assert.equal(r.ok, false);
  assert.equal(r.violations[0].check, "time-stuck");
  assert.match(r.violations[0].message, /virtual time stopped moving: 1000000 events at 0 ms/);
  // The report's figure is the events handled (B15: the run said 999999 beside it).
  assert.equal(r.events, 1_000_000);
  assert.match(sim.failureReport(), /after 1000000 events/);
  assert.match(r.violations[0].message, /timer again of spin/);
  assert.equal(r.violations[0].node, "spin");
});

Deno.test("messages answered at once in a loop are caught the same way", () => {
  const sim = new Simulation({
    seed: 1,
    trace: "off",
    network: { latency: { kind: "fixed", ms: 0 } },
  });
  const echo = (peer: string): Actor<{ type: "x" }> => ({
    onStart: (ctx) => peer === "b" && ctx.send(peer, { type: "x" }),
    onMessage: (ctx, _m, from) => ctx.send(from, { type: "x" }),
  });
  sim.spawn("a", () => echo("b"));
  sim.spawn("b", () => echo("a"));
  const r = sim.run({ until: 10 });
  assert.equal(r.violations[0].check, "time-stuck");
});

Deno.test("every run has an event budget; a run meant to be long raises it", () => {
  const tick: Actor<never> = {
    onStart: (ctx) => ctx.setTimer("t", 1),
    onMessage() {},
    onTimer: (ctx) => ctx.setTimer("t", 1),
  };
  const small = new Simulation({ seed: 1, trace: "off", maxEvents: 500 });
  small.spawn("n1", () => tick);
  const r = small.run({ until: 10_000 });
  assert.equal(r.violations[0].check, "event-budget");
  assert.match(
    r.violations[0].message,
    /500 events \(its budget\) by 499 ms and has not reached until 10000 ms/,
  );
  assert.match(
    r.violations[0].message,
    /raise it with new Simulation\(\{ maxEvents \}\) \(--max-events\)/,
  );
  const big = new Simulation({ seed: 1, trace: "off", maxEvents: 20_000 });
  big.spawn("n1", () => tick);
  assert.equal(big.run({ until: 10_000 }).ok, true);
  // An explicit stop after N events is the caller's wish, not a violation.
  const asked = new Simulation({ seed: 1, trace: "off" });
  asked.spawn("n1", () => tick);
  assert.deepEqual([asked.run({ maxEvents: 50 }).stop, asked.violations.length], ["max-events", 0]);
});

Deno.test("absurd drift or skew is refused, in the fault text and in the API", () => {
  assert.throws(() => parseFaults("@10 drift n1 1e9"), /drift needs a rate from -0.5/);
  assert.throws(() => parseFaults("@10 skew n1 +1e15"), /skew needs a number of ms/);
  const sim = new Simulation({ seed: 1 });
  sim.spawn("n1", () => ({ onMessage() {} }));
  assert.throws(() => sim.setClock("n1", { drift: 1e9 }), ConfigError);
  assert.throws(
    () => sim.spawn("n2", () => ({ onMessage() {} }), { clock: { skewMs: 1e12 } }),
    /clock skew/,
  );
});

Deno.test("the CLI refuses --faults '@10 drift n1 1e9' with one line and exit 2", async () => {
  const ran = await cli(["run", "ping-pong", "--faults", "@10 drift n1 1e9"]);
  assert.equal(ran.code, 2);
  assert.equal(ran.err.length, 1);
  assert.match(ran.err[0], /^error: --faults: .*drift needs a rate from -0\.5/);
});

type Bad = { type: "put"; value: unknown };

/** A run whose node n1 sends `value` in a message at start. */
function sending(value: unknown, trace: "full" | "hash" | "off") {
  const sim = new Simulation({ seed: 1, trace });
  sim.spawn("n1", (): Actor<Bad> => ({
    onStart: (ctx) => ctx.send("n2", { type: "put", value }),
    onMessage() {},
  }));
  sim.spawn("n2", () => ({ onMessage() {} }));
  return sim.run();
}

Deno.test("an unserialisable message gets the same verdict in every trace mode, naming actor, type and field", () => {
  const loop: Record<string, unknown> = { a: 1 };
  loop.self = loop;
  const cases: Array<[unknown, RegExp]> = [
    [10n, /\.value is a bigint/],
    [() => 1, /\.value is a function/],
    [loop, /\.value\.self is a cycle back to an enclosing object/],
    [new Map([[1, 2]]), /\.value is a Map, not plain data/],
    [NaN, /\.value is NaN, which JSON cannot carry/],
  ];
  for (const [value, field] of cases) {
    const verdicts = (["full", "hash", "off"] as const).map((mode) => sending(value, mode));
    for (const r of verdicts) {
      assert.equal(r.ok, false);
      assert.equal(r.violations[0].check, "actor-exception");
      assert.equal(r.violations[0].node, "n1");
      assert.match(r.violations[0].message, /^n1 sent a put message to n2 whose /);
      assert.match(r.violations[0].message, field);
      assert.match(r.violations[0].message, /messages must be plain data/);
    }
    assert.equal(new Set(verdicts.map((r) => r.violations[0].message)).size, 1, "one verdict");
  }
  // Plain data is fine, toJSON included.
  assert.equal(sending({ at: new Date(0), list: [1, "a", null, { b: true }] }, "off").ok, true);
});

Deno.test("a handler that returns a promise is refused with a clear error, and its rejection is contained", async () => {
  const sim = new Simulation({ seed: 1 });
  sim.spawn("n1", (): Actor<{ type: "go" }> => ({
    async onStart(ctx: Context<{ type: "go" }>) {
      await Promise.resolve();
      ctx.send("n1", { type: "go" });
      throw new Error("rejected later");
    },
    onMessage() {},
  }));
  const r = sim.run();
  assert.equal(r.ok, false);
  assert.equal(r.violations[0].check, "actor-exception");
  assert.match(
    r.violations[0].message,
    /onStart of n1 returned a promise: handlers must run to completion/,
  );
  // The rejection that follows must not reach the test runner as an unhandled one.
  await new Promise((resolve) => setTimeout(resolve, 0));
});

Deno.test("a factory that throws is a reported run failure, at spawn and at restart", () => {
  const sim = new Simulation({ seed: 1 });
  sim.spawn("n1", () => {
    throw new TypeError("bad config");
  });
  const r = sim.run();
  assert.equal(r.violations[0].check, "actor-factory");
  assert.match(r.violations[0].message, /the factory of n1 threw: TypeError: bad config/);

  let lives = 0;
  const again = new Simulation({ seed: 1 });
  again.spawn("n1", () => {
    if (++lives > 1) throw new Error("no second life");
    return { onMessage() {} };
  });
  again.schedule(parseFaults("@5 crash n1; @10 restart n1"));
  const r2 = again.run();
  assert.equal(r2.violations[0].check, "actor-factory");
  assert.equal(r2.violations[0].atMs, 10);

  const scenario = defineScenario({
    name: "bad-factory",
    summary: "its node cannot be built",
    defaults: { nodes: 1, until: 10 },
    setup(sim) {
      sim.spawn("n1", () => null as unknown as Actor<never>);
      return {};
    },
  });
  const r3 = runScenario(scenario, {});
  assert.equal(r3.ok, false);
  assert.match(r3.violations[0].message, /the factory of n1 returned null, not an actor/);
});

Deno.test("fault text: a node in two groups, a repeated rate, a restart of a running node", () => {
  assert.throws(
    () => parseFaults("@1 partition n1,n2|n2,n3"),
    /n2 is in two groups of one partition/,
  );
  assert.throws(
    () => parseFaults("@1 restart n1"),
    /n1 is running then: crash it before restarting it/,
  );
  assert.throws(() => parseFaults("@1 resume n1"), /n1 is not paused then/);
  assert.equal(parseFaults("@1 crash n1; @2 restart n1").length, 2);
});

Deno.test("a message to an unknown node from inside an actor names both", () => {
  const sim = new Simulation({ seed: 1 });
  sim.spawn("n1", (): Actor<{ type: "x" }> => ({
    onStart: (ctx) => ctx.send("nobody", { type: "x" }),
    onMessage() {},
  }));
  const r = sim.run();
  assert.match(r.violations[0].message, /n1 sent to unknown node id "nobody"; known: n1/);
});

Deno.test("a user's check, invariant or summary that throws is a failed run pointing at its line, not a bug of the tool", async (t) => {
  const broken = (part: "invariant" | "check" | "summary" | "wrong-id") =>
    defineScenario({
      name: `broken-${part}`,
      summary: "one node and a check that throws",
      defaults: { nodes: 1, until: 10 },
      setup(sim) {
        sim.spawn("a", () => ({ onMessage() {} }));
        const undefinedRecord = undefined as unknown as { v: number };
        if (part === "invariant") sim.invariant("reads-undefined", () => undefinedRecord.v > 1);
        if (part === "wrong-id") sim.invariant("typo", (s) => void s.storage("bakup"));
        return part === "check"
          ? { check: () => (undefinedRecord.v > 0 ? [] : []) }
          : part === "summary"
          ? {
            summary: () => {
              throw new Error("summary broke");
            },
          }
          : {};
      },
    });
  const here = new URL(import.meta.url).href;

  await t.step("an invariant: a violation named for it, with the file and line", () => {
    const r = runScenario(broken("invariant"), { seed: 1 });
    assert.equal(r.violations[0].check, "reads-undefined");
    assert.match(r.violations[0].message, /TypeError: Cannot read properties of undefined/);
    assert.ok(r.violations[0].message.includes(`(at ${here}:`), r.violations[0].message);
  });

  await t.step("a wrong node id inside an invariant: the invariant's violation, not exit 2", () => {
    const r = runScenario(broken("wrong-id"), { seed: 1 });
    assert.equal(r.violations[0].check, "typo");
    assert.match(r.violations[0].message, /bakup/);
  });

  await t.step(
    "the end-of-run check: scenario-check, with the file and line; the CLI exits 1",
    async () => {
      const r = runScenario(broken("check"), { seed: 1 });
      assert.equal(r.violations[0].check, "scenario-check");
      assert.match(r.violations[0].message, /the end-of-run check of broken-check threw TypeError/);
      assert.ok(r.violations[0].message.includes(`(at ${here}:`), r.violations[0].message);
      const out = await cli(["run", "broken-check"], [broken("check")]);
      assert.equal(out.code, 1, out.err.join("\n"));
      assert.doesNotMatch([...out.out, ...out.err].join("\n"), /internal error/);
    },
  );

  await t.step("a summary: the run stands, the summary says what threw", () => {
    const r = runScenario(broken("summary"), { seed: 1 });
    assert.equal(r.ok, true);
    assert.match(r.summary[0], /the summary of broken-summary threw Error: summary broke \(at /);
  });
});
