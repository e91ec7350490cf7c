import assert from "node:assert/strict";
import { formatEvent, Simulation, type SpawnOptions } from "../sim/mod.ts";
import { Amnesiac, type MemoryMsg } from "./_actors.ts";
import { eventsOf } from "./_helpers.ts";

function node(options: SpawnOptions<MemoryMsg> = {}): Simulation {
  const sim = new Simulation({ seed: 1 });
  sim.spawn("n1", () => new Amnesiac(), options);
  return sim;
}

/** Sends from outside the cluster: arrives at once. */
const tell = (sim: Simulation, msg: MemoryMsg) => sim.send("ext", "n1", msg);

function describe(msg: MemoryMsg): string {
  return msg.type === "probe" ? `probe ${msg.seq}` : msg.type;
}

/** What n1 handled, as [global time, what] in order. */
function handled(sim: Simulation): Array<[number, string]> {
  return sim.trace.events.flatMap((e): Array<[number, string]> =>
    e.kind === "deliver" && e.node === "n1"
      ? [[e.t, describe(e.msg as MemoryMsg)]]
      : e.kind === "timer" && e.node === "n1"
      ? [[e.t, `timer ${e.name}`]]
      : []
  );
}

Deno.test("pause holds messages and timers until resume, then handles them in order", () => {
  const sim = node();
  tell(sim, { type: "arm", name: "t15", afterMs: 15 });
  sim.schedule([{ at: 5, action: { type: "pause", node: "n1" } }]);
  sim.at(10, (s) => tell(s, { type: "probe", seq: 1 }));
  sim.at(20, (s) => tell(s, { type: "probe", seq: 2 }));
  sim.at(30, (s) => assert.equal(s.status("n1"), "paused"));
  sim.schedule([{ at: 50, action: { type: "resume", node: "n1" } }]);
  sim.at(60, (s) => tell(s, { type: "probe", seq: 3 }));
  assert.ok(sim.run().ok, sim.failureReport());
  assert.deepEqual(handled(sim), [
    [0, "arm"],
    [50, "probe 1"],
    [50, "timer t15"],
    [50, "probe 2"],
    [60, "probe 3"],
  ]);
  // Pause keeps the instance: nothing was lost.
  assert.deepEqual(sim.actor<Amnesiac>("n1")!.handled, [1, 2, 3]);
  assert.deepEqual(sim.actor<Amnesiac>("n1")!.fired, ["t15"]);
  assert.equal(sim.stats.dropped, 0);
});

Deno.test("pause and resume keep the service time between held messages", () => {
  const sim = node({ serviceTimeMs: 4 });
  sim.pause("n1");
  for (let seq = 0; seq < 3; seq++) sim.at(1, (s) => tell(s, { type: "probe", seq }));
  sim.at(10, (s) => s.resume("n1"));
  sim.run();
  assert.deepEqual(handled(sim), [[10, "probe 0"], [14, "probe 1"], [18, "probe 2"]]);
});

Deno.test("mailbox capacity overflow drops with reason mailbox-full, and the trace says so", () => {
  const sim = node({ mailboxCapacity: 3 });
  sim.pause("n1");
  for (let seq = 0; seq < 10; seq++) tell(sim, { type: "probe", seq });
  sim.at(5, (s) => s.resume("n1"));
  sim.run();
  assert.deepEqual(sim.actor<Amnesiac>("n1")!.handled, [0, 1, 2]);
  const drops = eventsOf(sim, "drop");
  assert.equal(drops.length, 7);
  assert.ok(drops.every((d) => d.reason === "mailbox-full" && d.to === "n1" && d.t === 0));
  assert.equal(sim.stats.dropped, 7);
  assert.match(formatEvent(drops[0]), /drop #\d+ ext -> n1 \(mailbox-full\)/);
});

Deno.test("mailbox capacity counts only waiting messages, not the one being handled", () => {
  const sim = node({ mailboxCapacity: 2, serviceTimeMs: 10 });
  for (let seq = 0; seq < 5; seq++) tell(sim, { type: "probe", seq });
  sim.run();
  // Probe 0 is handled at once, 1 and 2 wait, 3 and 4 find the mailbox full.
  assert.deepEqual(handled(sim), [[0, "probe 0"], [10, "probe 1"], [20, "probe 2"]]);
  assert.deepEqual(eventsOf(sim, "drop").map((d) => [d.id, d.reason]), [
    [3, "mailbox-full"],
    [4, "mailbox-full"],
  ]);
});

Deno.test("per-message service time delays the next handling", async (t) => {
  await t.step("a fixed service time", () => {
    const sim = node({ serviceTimeMs: 5 });
    sim.at(1, (s) => {
      for (let seq = 0; seq < 3; seq++) tell(s, { type: "probe", seq });
    });
    sim.run();
    assert.deepEqual(handled(sim), [[1, "probe 0"], [6, "probe 1"], [11, "probe 2"]]);
  });

  await t.step("a service time per message", () => {
    const sim = node({ serviceTimeMs: (m) => (m.type === "probe" ? 1 + m.seq : 0) });
    for (let seq = 0; seq < 4; seq++) tell(sim, { type: "probe", seq });
    sim.run();
    assert.deepEqual(handled(sim).map(([t]) => t), [0, 1, 3, 6]);
  });

  await t.step("a timer due while busy waits for the node", () => {
    const sim = node({ serviceTimeMs: 8 });
    tell(sim, { type: "arm", name: "t2", afterMs: 2 });
    sim.at(1, (s) => tell(s, { type: "probe", seq: 0 }));
    sim.run();
    // arm handled at 0 (busy to 8), probe arrives at 1 and waits, the timer is due at 2.
    assert.deepEqual(handled(sim), [[0, "arm"], [8, "probe 0"], [16, "timer t2"]]);
  });

  await t.step("with no service time, simultaneous messages are handled at once", () => {
    const sim = node();
    for (let seq = 0; seq < 3; seq++) tell(sim, { type: "probe", seq });
    sim.run();
    assert.deepEqual(handled(sim).map(([t]) => t), [0, 0, 0]);
  });
});

Deno.test("a node restarted while its old mailbox was being served handles new mail", () => {
  const sim = node({ serviceTimeMs: 10 });
  for (let seq = 0; seq < 5; seq++) tell(sim, { type: "probe", seq });
  sim.at(15, (s) => s.crash("n1")); // busy until 20, more mail waiting
  sim.at(16, (s) => s.restart("n1"));
  sim.at(17, (s) => {
    for (let seq = 10; seq < 13; seq++) tell(s, { type: "probe", seq });
  });
  // After the old life's wake-up time (20), while the new life is still busy.
  sim.at(21, (s) => tell(s, { type: "probe", seq: 13 }));
  sim.run();
  assert.deepEqual(sim.actor<Amnesiac>("n1")!.handled, [10, 11, 12, 13]);
  assert.deepEqual(handled(sim).slice(2), [
    [17, "probe 10"],
    [27, "probe 11"],
    [37, "probe 12"],
    [47, "probe 13"],
  ]);
});
