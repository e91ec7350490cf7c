import assert from "node:assert/strict";
import { parseFaults, Simulation } from "../sim/mod.ts";
import { type Probe, Sink } from "./_actors.ts";
import { eventsOf } from "./_helpers.ts";

const NODES = ["a", "b", "c", "d"];

function cluster(latencyMs = 1): Simulation {
  const sim = new Simulation({ seed: 1, network: { latency: { kind: "fixed", ms: latencyMs } } });
  for (const id of NODES) sim.spawn(id, () => new Sink());
  return sim;
}

/** Every node sends one probe to every other node now; `seq` marks the round. */
function sendAll(sim: Simulation, seq: number): void {
  for (const from of NODES) {
    for (const to of NODES) if (from !== to) sim.send(from, to, { type: "probe", seq } as Probe);
  }
}

/** The links `from>to` over which round `seq` arrived. */
function arrived(sim: Simulation, seq: number): Set<string> {
  const links = new Set<string>();
  for (const id of NODES) {
    for (const r of sim.actor<Sink>(id)!.received) if (r.seq === seq) links.add(`${r.from}>${id}`);
  }
  return links;
}

function allLinks(keep: (from: string, to: string) => boolean): Set<string> {
  return new Set(
    NODES.flatMap((from) =>
      NODES.filter((to) => to !== from && keep(from, to)).map((to) => `${from}>${to}`)
    ),
  );
}

const side = (id: string) => (id === "a" || id === "b" ? 0 : 1);

Deno.test("a symmetric partition cuts both directions between groups and nothing within", () => {
  const sim = cluster();
  sim.partition(["a", "b"], ["c", "d"]);
  for (const from of NODES) {
    for (const to of NODES) {
      if (from !== to) {
        assert.equal(sim.isBlocked(from, to), side(from) !== side(to), `${from}>${to}`);
      }
    }
  }
  sendAll(sim, 0);
  sim.run();
  assert.deepEqual(arrived(sim, 0), allLinks((f, t) => side(f) === side(t)));
  const cut = eventsOf(sim, "drop");
  assert.ok(cut.every((d) => d.reason === "partition"));
  assert.deepEqual(
    new Set(cut.map((d) => `${d.from}>${d.to}`)),
    allLinks((f, t) => side(f) !== side(t)),
  );
});

Deno.test("heal restores every cut link", () => {
  const sim = cluster();
  sim.partition(["a", "b"], ["c", "d"]);
  sendAll(sim, 0);
  sim.at(10, (s) => {
    s.heal();
    sendAll(s, 1);
  });
  sim.run();
  assert.equal(arrived(sim, 0).size, 4);
  assert.deepEqual(arrived(sim, 1), allLinks(() => true));
  assert.ok(NODES.every((f) => NODES.every((t) => !sim.isBlocked(f, t))));
});

Deno.test("a partition into several groups leaves unnamed nodes connected", () => {
  const sim = cluster();
  sim.partition(["a"], ["b"], ["c"]);
  sendAll(sim, 0);
  sim.run();
  const abc = (id: string) => id !== "d";
  assert.deepEqual(arrived(sim, 0), allLinks((f, t) => !(abc(f) && abc(t))));
});

Deno.test("partitions add up until healed", () => {
  const sim = cluster();
  sim.partition(["a"], ["b", "c", "d"]);
  sim.partition(["b"], ["c", "d"]);
  sendAll(sim, 0);
  sim.run();
  assert.deepEqual(arrived(sim, 0), new Set(["c>d", "d>c"]));
});

Deno.test("a one-way block cuts a>b only; b>a still works", () => {
  const sim = cluster();
  sim.block("a", "b");
  assert.ok(sim.isBlocked("a", "b"));
  assert.ok(!sim.isBlocked("b", "a"));
  sendAll(sim, 0);
  sim.at(10, (s) => {
    s.heal();
    sendAll(s, 1);
  });
  sim.run();
  assert.deepEqual(arrived(sim, 0), allLinks((f, t) => !(f === "a" && t === "b")));
  const drops = eventsOf(sim, "drop");
  assert.equal(drops.length, 1);
  assert.deepEqual([drops[0].from, drops[0].to, drops[0].reason], ["a", "b", "partition"]);
  assert.deepEqual(arrived(sim, 1), allLinks(() => true));
});

Deno.test("messages in flight across a newly cut link are dropped with reason partition", () => {
  const sim = cluster(10);
  sim.send("a", "c", { type: "probe", seq: 0 }); // arrives at 10, after the cut
  sim.send("c", "a", { type: "probe", seq: 0 }); // the other direction, cut too
  sim.send("a", "b", { type: "probe", seq: 0 }); // same side, unaffected
  sim.at(5, (s) => s.partition(["a", "b"], ["c", "d"]));
  sim.run();
  assert.deepEqual(arrived(sim, 0), new Set(["a>b"]));
  const drops = eventsOf(sim, "drop");
  assert.deepEqual(
    drops.map((d) => [d.t, d.node, d.from, d.to, d.reason]),
    [[10, "c", "a", "c", "partition"], [10, "a", "c", "a", "partition"]],
  );
});

Deno.test("a one-way block drops in-flight messages in its direction only", () => {
  const sim = cluster(10);
  sim.send("a", "b", { type: "probe", seq: 0 });
  sim.send("b", "a", { type: "probe", seq: 0 });
  sim.at(5, (s) => s.block("a", "b"));
  sim.run();
  assert.deepEqual(arrived(sim, 0), new Set(["b>a"]));
  assert.deepEqual(eventsOf(sim, "drop").map((d) => [d.from, d.to, d.reason]), [[
    "a",
    "b",
    "partition",
  ]]);
});

Deno.test("a message in flight survives a partition healed before it arrives", () => {
  const sim = cluster(10);
  sim.send("a", "c", { type: "probe", seq: 0 });
  sim.at(2, (s) => s.partition(["a"], ["c"]));
  sim.at(4, (s) => s.heal());
  sim.run();
  assert.deepEqual(arrived(sim, 0), new Set(["a>c"]));
});

Deno.test("partition and heal as scheduled faults", () => {
  const sim = cluster();
  sim.schedule(parseFaults("@5 partition a,b|c,d; @20 heal; @30 block d>a; @40 heal"));
  sim.at(10, (s) => sendAll(s, 1));
  sim.at(25, (s) => sendAll(s, 2));
  sim.at(35, (s) => sendAll(s, 3));
  sim.at(45, (s) => sendAll(s, 4));
  sim.run();
  assert.deepEqual(arrived(sim, 1), allLinks((f, t) => side(f) === side(t)));
  assert.deepEqual(arrived(sim, 2), allLinks(() => true));
  assert.deepEqual(arrived(sim, 3), allLinks((f, t) => !(f === "d" && t === "a")));
  assert.deepEqual(arrived(sim, 4), allLinks(() => true));
  assert.deepEqual(
    sim.trace.events.filter((e) => ["partition", "block", "heal"].includes(e.kind)).map((
      e,
    ) => [e.t, e.kind]),
    [[5, "partition"], [20, "heal"], [30, "block"], [40, "heal"]],
  );
});
