import assert from "node:assert/strict";
import { scenarios } from "../protocols/registry.ts";
import { runScenario, Simulation } from "../sim/mod.ts";
import { Amnesiac, type MemoryMsg, Sink } from "./_actors.ts";
import { eventsOf } from "./_helpers.ts";

function withAmnesiac(serviceTimeMs = 0): Simulation {
  const sim = new Simulation({ seed: 1, network: { latency: { kind: "fixed", ms: 1 } } });
  sim.spawn("n1", () => new Amnesiac(), { serviceTimeMs });
  sim.spawn("s", () => new Sink());
  return sim;
}

/** Sends from outside the cluster: arrives at once, no network model. */
const tell = (sim: Simulation, msg: MemoryMsg) => sim.send("ext", "n1", msg);

Deno.test("crash loses volatile state and timers, drops what arrives while down, keeps storage", async (t) => {
  const sim = withAmnesiac();
  tell(sim, { type: "remember", value: "x" });
  sim.at(1, (s) => {
    tell(s, { type: "arm", name: "late", afterMs: 100 }); // due at 101, after the crash
    tell(s, { type: "arm", name: "early", afterMs: 30 }); // due at 31, before it
  });
  let before: Amnesiac | undefined;
  sim.at(49, (s) => (before = s.actor<Amnesiac>("n1")));
  sim.schedule([{ at: 50, action: { type: "crash", node: "n1" } }]);
  sim.at(55, (s) => s.send("s", "n1", { type: "probe", seq: 1 })); // over the network, lands at 56
  sim.at(60, (s) => tell(s, { type: "probe", seq: 2 }));
  let whileDown: { status: string; actor: unknown } | undefined;
  sim.at(65, (s) => (whileDown = { status: s.status("n1"), actor: s.actor("n1") }));
  sim.schedule([{ at: 70, action: { type: "restart", node: "n1" } }]);
  sim.at(80, (s) => tell(s, { type: "probe", seq: 3 }));
  assert.equal(sim.run().stop, "quiet");
  const after = sim.actor<Amnesiac>("n1")!;

  await t.step("the old instance had the value in memory and saw the early timer", () => {
    assert.equal(before!.memory, "x");
    assert.deepEqual(before!.fired, ["early"]);
  });
  await t.step("while down there is no instance", () => {
    assert.deepEqual(whileDown, { status: "crashed", actor: undefined });
  });
  await t.step("the restarted instance is new: memory gone, storage kept", () => {
    assert.notEqual(after, before);
    assert.equal(after.memory, undefined);
    assert.equal(sim.storage("n1").get("value"), "x");
    assert.equal(sim.status("n1"), "up");
  });
  await t.step("a timer set before the crash never fires", () => {
    assert.deepEqual(after.fired, []);
    assert.deepEqual(eventsOf(sim, "timer").map((e) => [e.t, e.name]), [[31, "early"]]);
  });
  await t.step("messages arriving while down are dropped with reason crashed", () => {
    assert.deepEqual(
      eventsOf(sim, "drop").map((d) => [d.t, d.from, d.to, d.reason]),
      [[56, "s", "n1", "crashed"], [60, "ext", "n1", "crashed"]],
    );
    assert.deepEqual(after.handled, [3]);
  });
  await t.step("the trace shows the crash and the restart", () => {
    const kinds = sim.trace.events.filter((e) => e.kind === "crash" || e.kind === "restart");
    assert.deepEqual(kinds.map((e) => [e.t, e.kind]), [[50, "crash"], [70, "restart"]]);
  });
});

Deno.test("restart runs onStart again, with the storage", () => {
  const sim = withAmnesiac();
  tell(sim, { type: "remember", value: "kept" });
  sim.at(10, (s) => s.crash("n1"));
  sim.at(20, (s) => s.restart("n1"));
  sim.at(30, (s) => s.crash("n1"));
  sim.at(40, (s) => s.restart("n1"));
  sim.run();
  const boots = eventsOf(sim, "log").filter((e) => e.note === "boot");
  assert.deepEqual(boots.map((e) => [e.t, e.data]), [
    [0, { boots: 1, value: undefined }],
    [20, { boots: 2, value: "kept" }],
    [40, { boots: 3, value: "kept" }],
  ]);
  assert.deepEqual(sim.actor<Amnesiac>("n1")!.bootedWith, { boots: 3, value: "kept" });
  assert.deepEqual(eventsOf(sim, "start").map((e) => e.t), [0, 0, 20, 40]);
});

Deno.test("crash throws away the mailbox", () => {
  const sim = withAmnesiac(10); // busy 10 ms per message
  for (let seq = 0; seq < 5; seq++) tell(sim, { type: "probe", seq });
  sim.at(15, (s) => s.crash("n1"));
  sim.at(16, (s) => s.restart("n1"));
  sim.run();
  // Probes 0 and 1 were handled (at 0 and 10); 2..4 waited in the mailbox and are gone.
  assert.deepEqual(eventsOf(sim, "deliver").filter((d) => d.node === "n1").map((d) => d.t), [
    0,
    10,
  ]);
  assert.deepEqual(sim.actor<Amnesiac>("n1")!.handled, []);
  assert.equal(sim.stats.delivered, 2);
});

Deno.test("crash of a crashed node and restart of a running node do nothing", () => {
  const sim = withAmnesiac();
  sim.restart("n1");
  sim.at(5, (s) => {
    s.crash("n1");
    s.crash("n1");
  });
  sim.run();
  assert.equal(eventsOf(sim, "crash").length, 1);
  assert.equal(eventsOf(sim, "restart").length, 0);
  assert.equal(eventsOf(sim, "start").filter((e) => e.node === "n1").length, 1);
});

Deno.test("a protocol picks up from storage after a crash: ping-pong still finishes", () => {
  const r = runScenario(scenarios.get("ping-pong"), {
    seed: 4,
    faults: "@30 crash n1; @120 restart n1; @200 crash n2; @260 restart n2",
  });
  assert.ok(r.ok, r.sim.failureReport());
  assert.equal(r.sim.storage("n1").get("done"), 10);
  assert.equal(eventsOf(r.sim, "restart").length, 2);
});

Deno.test("a node paused before its first event starts only when resumed, before its mailbox", () => {
  const started: number[] = [];
  const seen: string[] = [];
  const sim = new Simulation({ seed: 1, network: { latency: { kind: "fixed", ms: 1 } } });
  sim.spawn("a", () => ({
    onStart: (ctx) => {
      started.push(ctx.now());
      seen.push("start");
    },
    onMessage: (_ctx, msg) => seen.push(String(msg)),
  }));
  sim.pause("a");
  sim.send("ext", "a", "hello");
  sim.at(50, (s) => s.resume("a"));
  sim.run();
  assert.deepEqual(started, [50]);
  assert.deepEqual(seen, ["start", "hello"]);
});
