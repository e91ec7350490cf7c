import assert from "node:assert/strict";
import type { NetworkOptions } from "../sim/network.ts";
import { runScenario } from "../sim/scenario.ts";
import { Simulation } from "../sim/simulation.ts";
import { BroadcastNode } from "../protocols/broadcast/broadcast_node.ts";
import { checkBroadcast, PROMISES } from "../protocols/broadcast/check.ts";
import type { BroadcastProtocol } from "../protocols/broadcast/layer.ts";
import { broadcastFifo } from "../protocols/broadcast/scenario.ts";
import { settle } from "../sim/settle.ts";
import { FAULTY } from "./_broadcast_runs.ts";

interface Env {
  network: NetworkOptions;
  faults: string;
}

function chat(protocol: BroadcastProtocol, seed: number, env: Env) {
  const r = runScenario(broadcastFifo, {
    seed,
    nodes: 3 + (seed % 3),
    ...env,
    flags: { protocol },
  });
  return { events: r.sim.trace.events, nodes: [...r.sim.nodes], sim: r.sim };
}

Deno.test("best-effort broadcast delivers everything once when nothing is lost or down (duplicates, reordering)", () => {
  for (let seed = 1; seed <= 150; seed++) {
    const { events, nodes } = chat("best-effort", seed, {
      network: { duplicate: 0.3, latency: { kind: "uniform", min: 1, max: 30 } },
      faults: "",
    });
    assert.deepEqual(checkBroadcast(events, ["integrity", "agreement"], nodes), [], `seed ${seed}`);
  }
});

Deno.test("best-effort broadcast is caught breaking agreement once messages are lost", () => {
  let caught: number | undefined;
  for (let seed = 1; seed <= 30 && caught === undefined; seed++) {
    const { events, nodes } = chat("best-effort", seed, { network: { loss: 0.1 }, faults: "" });
    assert.deepEqual(
      checkBroadcast(events, PROMISES["best-effort"], nodes),
      [],
      "integrity still holds",
    );
    if (checkBroadcast(events, ["agreement"], nodes).length > 0) caught = seed;
  }
  assert.ok(caught !== undefined, "no lost delivery in 30 seeds at 10% loss");
});

Deno.test("eager reliable broadcast: every node delivers every message once, under loss, duplicates, crashes, pauses, partitions", () => {
  let crashes = 0, delivered = 0;
  for (let seed = 1; seed <= 150; seed++) {
    const { events, nodes } = chat("reliable", seed, FAULTY);
    assert.deepEqual(checkBroadcast(events, PROMISES.reliable, nodes), [], `seed ${seed}`);
    crashes += events.filter((e) => e.kind === "crash").length;
    delivered += events.filter((e) => e.kind === "log" && e.note === "deliver").length;
  }
  assert.ok(crashes > 100 && delivered > 5000, `crashes ${crashes}, deliveries ${delivered}`);
});

Deno.test("eager relay: when the sender crashes for good after reaching one node, the others still deliver", () => {
  const nodes = ["n1", "n2", "n3"];
  const outcome = (protocol: BroadcastProtocol) => {
    const sim = new Simulation({
      seed: 1,
      network: {
        latency: { kind: "fixed", ms: 5 },
        // n1's message never reaches n3 directly.
        links: [{ from: "n1", to: "n3", loss: 1 }],
      },
    });
    for (const id of nodes) {
      sim.spawn(
        id,
        () =>
          new BroadcastNode({
            protocol,
            nodes,
            plan: id === "n1" ? [0] : [],
            replyChance: 0,
            maxReplies: 0,
          }),
      );
    }
    sim.schedule({ at: 8, action: { type: "crash", node: "n1" } });
    sim.run({ until: 100 });
    return sim;
  };
  const relayed = outcome("reliable");
  assert.deepEqual(checkBroadcast(relayed.trace.events, PROMISES.reliable, ["n2", "n3"]), []);
  assert.equal(relayed.status("n1"), "crashed");
  const notRelayed = outcome("best-effort");
  assert.match(
    checkBroadcast(notRelayed.trace.events, ["agreement"], ["n2", "n3"])[0].message,
    /n3 never delivered n1#1/,
  );
});

Deno.test("a restarted node neither delivers twice nor misses anything (its layer state is durable)", () => {
  const { events, sim } = chat("reliable", 2, {
    network: { loss: 0.2 },
    faults:
      "@20 crash n2; @60 restart n2; @100 crash n1; @140 restart n1; @150 crash n2; @400 restart n2",
  });
  assert.deepEqual(checkBroadcast(events, PROMISES.reliable, [...sim.nodes]), []);
  const restarts = events.filter((e) => e.kind === "restart").length;
  assert.equal(restarts, 3);
  // n2 was down from 150 to 400: what its last incarnation delivered is what it had missed.
  const before = events.flatMap((e) =>
    e.kind === "log" && e.note === "deliver" && e.node === "n2" && e.t < 400
      ? [(e.data as { id: string }).id]
      : []
  );
  const after = sim.actor<BroadcastNode>("n2")!.delivered.map((d) => d.id);
  assert.ok(
    before.length > 0 && after.length > 0,
    `before ${before.length}, after ${after.length}`,
  );
  assert.deepEqual(after.filter((id) => before.includes(id)), []);
  settle(sim);
  assert.equal(sim.actor<BroadcastNode>("n2")!.delivered.length, after.length, "settled already");
});
