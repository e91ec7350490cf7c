/**
 * Replication by total order (issue 14, part 3; lectures 5.3 and 7.2):
 * state machine replication over the total order broadcast layers, a
 * linearizable compare-and-set register on it, its scenario and checks, and
 * the planted bug (reads answered locally) caught by the linearizability
 * checker. The 2,000-seed sweeps are in the report; here fewer seeds.
 */

import assert from "node:assert/strict";
import { TestContext, unwrapLayers } from "../actors/mod.ts";
import { scenarios } from "../protocols/registry.ts";
import { checkAgreement, checkRegister, replicaLogs } from "../protocols/smr/check.ts";
import type { Command } from "../protocols/smr/machine.ts";
import {
  casRegister,
  type RegisterOp,
  type RegisterOutput,
  type RegisterState,
} from "../protocols/smr/register.ts";
import { type SmrMsg, SmrReplica, type SmrTimer } from "../protocols/smr/replica.ts";
import { smrCas } from "../protocols/smr/scenario.ts";
import { runScenario } from "../sim/scenario.ts";
import { Simulation } from "../sim/simulation.ts";
import { assertSeeds, checkSeeds } from "../sim/testing.ts";
import type { Actor } from "../actors/mod.ts";
import { casRace, duringOutage, smrRegisterExample } from "../examples/smr_register.ts";
import { smrSection } from "../examples/_smr_section.ts";

type Msg = SmrMsg<RegisterOp, RegisterOutput>;
const REPLICAS = ["n1", "n2", "n3"];

function replica(localReads = false): SmrReplica<RegisterState, RegisterOp, RegisterOutput> {
  return new SmrReplica({ machine: casRegister, replicas: REPLICAS, localReads });
}

/** The sequencer's order message for `command`, as it arrives over the link at seq `linkSeq`. */
function ordered(seq: number, origin: string, command: Command<RegisterOp>, linkSeq = seq): Msg {
  return {
    layer: "tob",
    msg: {
      layer: "link",
      msg: {
        type: "data",
        seq: linkSeq,
        body: { kind: "order", seq, id: `${origin}#${seq + 1}`, origin, payload: command },
      },
    },
  };
}

Deno.test("a request goes into the total order; the replica that took it answers once it is delivered", () => {
  const n2 = replica();
  const ctx = new TestContext<Msg, SmrTimer>("n2");
  ctx.start(n2);
  ctx.deliver(n2, { type: "request", id: 1, op: { type: "write", value: 7 } }, "c1");
  // Not applied yet: it went to the sequencer (n1), through the link of the `tob` layer.
  assert.equal(n2.state, null);
  const [submit] = ctx.takeSent();
  assert.equal(submit.to, "n1");
  assert.deepEqual(unwrapLayers(submit.msg).layers, ["tob", "link"]);
  // The sequencer orders it; n2 applies it and answers c1.
  ctx.deliver(n2, ordered(0, "n2", { client: "c1", id: 1, op: { type: "write", value: 7 } }), "n1");
  assert.equal(n2.state, 7);
  const sent = ctx.takeSent();
  assert.deepEqual(sent.filter((s) => s.to === "c1"), [
    { to: "c1", msg: { type: "reply", id: 1, output: null } },
  ]);
  assert.deepEqual(n2.inspect().applied, 1);
});

Deno.test("a request ordered twice (the client retried elsewhere) takes effect once", () => {
  const n3 = replica();
  const ctx = new TestContext<Msg, SmrTimer>("n3");
  ctx.start(n3);
  const cas: Command<RegisterOp> = { client: "c1", id: 1, op: { type: "cas", from: null, to: 5 } };
  const write: Command<RegisterOp> = { client: "c2", id: 1, op: { type: "write", value: 9 } };
  ctx.deliver(n3, ordered(0, "n1", cas), "n1");
  ctx.deliver(n3, ordered(1, "n2", write), "n1");
  // c1's retry through n3 is ordered again, after c2's write: it must not swap again.
  ctx.deliver(n3, ordered(2, "n3", cas), "n1");
  assert.equal(n3.state, 9);
  const replies = ctx.takeSent().filter((s) => s.to === "c1");
  assert.deepEqual(replies, [{ to: "c1", msg: { type: "reply", id: 1, output: true } }]);
  assert.equal(n3.inspect().applied, 2);
  assert.deepEqual(replicaLogs(["n3"], () => ctx.storage).get("n3"), [
    { client: "c1", id: 1 },
    { client: "c2", id: 1 },
  ]);
});

Deno.test("a restarted replica carries on from its durable state and log", () => {
  const first = replica();
  const ctx = new TestContext<Msg, SmrTimer>("n2");
  ctx.start(first);
  ctx.deliver(
    first,
    ordered(0, "n1", { client: "c1", id: 1, op: { type: "write", value: 3 } }),
    "n1",
  );
  const again = replica();
  ctx.start(again);
  assert.equal(again.state, 3);
  ctx.deliver(
    again,
    ordered(1, "n1", { client: "c1", id: 2, op: { type: "cas", from: 3, to: 4 } }),
    "n1",
  );
  assert.equal(again.state, 4);
  assert.equal(again.inspect().applied, 2);
});

Deno.test("the planted bug: with local reads a replica answers a read at once, from its own state", () => {
  const n3 = replica(true);
  const ctx = new TestContext<Msg, SmrTimer>("n3");
  ctx.start(n3);
  ctx.deliver(n3, { type: "request", id: 4, op: { type: "read" } }, "c2");
  assert.deepEqual(ctx.takeSent(), [{ to: "c2", msg: { type: "reply", id: 4, output: null } }]);
});

Deno.test("two clients racing compare-and-set from the same value: exactly one wins, on every seed", () => {
  for (let seed = 1; seed <= 60; seed++) {
    const sim = new Simulation({
      seed,
      network: { loss: 0.2, duplicate: 0.1, latency: { kind: "uniform", min: 1, max: 20 } },
    });
    for (const id of REPLICAS) sim.spawn(id, () => replica());
    const answers = new Map<string, unknown>();
    // Each racer resends its one request (same id) until answered: requests may be lost.
    const racer = (via: string, to: number): Actor<unknown, "retry"> => ({
      onStart: (ctx) => {
        if (answers.has(ctx.self)) return;
        ctx.send(via, { type: "request", id: 1, op: { type: "cas", from: null, to } });
        ctx.setTimer("retry", 50);
      },
      onMessage: (ctx, msg) => {
        answers.set(ctx.self, (msg as { output: unknown }).output);
        ctx.cancelTimer("retry");
      },
      onTimer(ctx) {
        this.onStart!(ctx);
      },
    });
    sim.spawn("a", () => racer(REPLICAS[seed % 3], 1));
    sim.spawn("b", () => racer(REPLICAS[(seed + 1) % 3], 2));
    sim.run({ until: 1000 });
    assert.deepEqual([...answers.values()].sort(), [false, true], `seed ${seed}`);
    const winner = answers.get("a") === true ? 1 : 2;
    for (const id of REPLICAS) {
      assert.equal(
        sim.actor<SmrReplica<unknown, unknown, unknown>>(id)!.state,
        winner,
        `seed ${seed}`,
      );
    }
  }
});

Deno.test("smr-cas is registered after the quorum scenarios and before Raft's", () => {
  const names = scenarios.list().map((s) => s.name);
  assert.equal(names.indexOf("smr-cas"), names.indexOf("abd") + 1);
  assert.equal(names.indexOf("raft"), names.indexOf("smr-cas") + 1);
});

Deno.test("smr-cas over a sequencer is linearizable and agrees under crashes, pauses, partitions, loss", () => {
  assertSeeds(smrCas, { seeds: { from: 1, to: 150 }, trace: "off" });
});

Deno.test("smr-cas over Lamport total order is too", () => {
  assertSeeds(smrCas, {
    seeds: { from: 1, to: 60 },
    trace: "off",
    flags: { order: "total-lamport" },
  });
});

Deno.test("the planted bug is caught: reads answered locally are not linearizable", () => {
  for (const order of ["total-sequencer", "total-lamport"] as const) {
    const { failures } = checkSeeds(smrCas, {
      seeds: { from: 1, to: 100 },
      flags: { "local-reads": true, order },
    });
    assert.ok(failures.length > 0, `${order}: no seed in 100 caught the local reads`);
    const [failed] = failures;
    assert.deepEqual(failed.violations.map((v) => v.check), ["linearizability"], order);
    // A read returned a value that a write or cas, already acknowledged, had replaced.
    assert.match(failed.violations[0].message, /read -> /);
    // The same seed without the bug is fine.
    assert.ok(runScenario(smrCas, { seed: failed.seed, flags: { order } }).ok);
  }
});

Deno.test("the checks: diverging logs are caught, and a stale read is not linearizable", () => {
  const a = { client: "c1", id: 1 }, b = { client: "c2", id: 1 };
  assert.deepEqual(checkAgreement(new Map([["n1", [a, b]], ["n2", [a]]]), 0), []);
  const [v] = checkAgreement(new Map([["n1", [a, b]], ["n2", [a, a]]]), 5);
  assert.equal(v.check, "smr-agreement");
  assert.match(v.message, /n2 applied c1\.1 at 1, n1 applied c2\.1/);
  const ok = { client: "c1", status: "ok" as const, input: null, output: null };
  assert.equal(
    checkRegister([
      { ...ok, id: 0, f: "write", input: 1, call: 0, ret: 5 },
      { ...ok, id: 1, f: "cas", input: [1, 2], output: true, call: 6, ret: 9 },
      { ...ok, id: 2, client: "c2", f: "read", output: 1, call: 10, ret: 11 },
    ]).result,
    "illegal",
  );
});

Deno.test("the same seed gives the same run", () => {
  const a = runScenario(smrCas, { seed: 11, trace: "hash" });
  const b = runScenario(smrCas, { seed: 11, trace: "hash" });
  assert.equal(a.traceHash, b.traceHash);
  assert.ok(
    a.ok && a.summary.some((line) => line.startsWith("linearizable: yes")),
    a.summary.join("\n"),
  );
});

Deno.test("the example: compare-and-set decided by the order, and what a down sequencer costs", () => {
  const race = casRace(20);
  assert.equal((race["alice wins"] ?? 0) + (race["bob wins"] ?? 0), 20, JSON.stringify(race));
  assert.ok(race["alice wins"] > 0 && race["bob wins"] > 0, "both can win, never both");
  // Sequencer down: nothing completes; another replica down: the rest carry on; ABD: a majority is enough.
  assert.equal(duringOutage("smr", "n1").down, 0);
  assert.ok(duringOutage("smr", "n3").down > 10);
  assert.equal(duringOutage("smr-lamport", "n3").down, 0);
  assert.ok(duringOutage("abd", "n1").down > 10);
  const text = smrRegisterExample();
  assert.equal(text.match(/: linearizable$/gm)?.length, 3, text);
  assert.match(text, /The checker on that history: NOT linearizable/);
  assert.match(text, /replay: deno task sim run smr-cas --seed \d+ --local-reads true/);
  assert.ok(text.split("\n").every((line) => line.length <= 100));
});

Deno.test("the demo's section: a clean run, the race, the price, and commands to try", () => {
  const text = smrSection({ width: 100 });
  assert.match(text, /── Replication by total order/);
  assert.match(text, /ok: the replicas' logs agree/);
  assert.match(text, /with the sequencer n1 down for 300 ms, 0 operations completed/);
  assert.ok(text.split("\n").every((line) => line.length <= 100));
});

Deno.test("the README's commands for smr-cas say what they show", () => {
  const readme = Deno.readTextFileSync(new URL("../README.md", import.meta.url));
  const planted = readme.match(/deno task sim run smr-cas --seed (\d+) --local-reads true/);
  assert.ok(planted, "the README shows the planted bug with a seed");
  const caught = runScenario(smrCas, { seed: Number(planted[1]), flags: { "local-reads": true } });
  assert.deepEqual(caught.violations.map((v) => v.check), ["linearizability"]);
  const clean = readme.match(/deno task sim run smr-cas --seed (\d+)`/);
  assert.ok(clean && runScenario(smrCas, { seed: Number(clean[1]) }).ok);
});
