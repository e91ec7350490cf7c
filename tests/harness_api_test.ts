/**
 * The simulator's API for test harnesses of one's own (a port of MIT
 * 6.824's tester, say): one node cut off and back, one link cut and back,
 * the default link changed mid-run, latency that depends on the message,
 * message and byte counts by node and type, a clock that reaches `until`,
 * and a tester that is not an actor but gets replies.
 */

import assert from "node:assert/strict";
import type { Actor } from "../actors/mod.ts";
import { Simulation } from "../sim/simulation.ts";

type Msg = { type: "ping"; n: number } | { type: "pong"; n: number };

/** Answers every ping with a pong of the same number. */
const ponger = (): Actor<Msg> => ({
  onMessage: (ctx, msg, from) => {
    if (msg.type === "ping") ctx.send(from, { type: "pong", n: msg.n });
  },
});

function cluster(options: ConstructorParameters<typeof Simulation>[0] = { seed: 1 }) {
  const sim = new Simulation(options);
  for (const id of ["n1", "n2", "n3"]) sim.spawn(id, ponger);
  return sim;
}

Deno.test("an external tester sends, and gets replies in its inbox", () => {
  const sim = cluster();
  sim.send("tester", "n1", { type: "ping", n: 1 });
  sim.send("tester", "n2", { type: "ping", n: 2 });
  sim.run({ until: 50 });
  const got = sim.inbox("tester").map((m) => [m.from, (m.msg as Msg).n]).sort();
  assert.deepEqual(got, [["n1", 1], ["n2", 2]]);
  assert.deepEqual(sim.inbox("tester"), [], "reading empties the inbox");
  assert.ok(!sim.nodes.includes("tester"), "a tester is not a node");
  assert.throws(() => sim.crash("tester"), /external endpoint, not a node/);
  assert.throws(() => sim.inbox("n1"), /n1 is a node, not an external endpoint/);
});

Deno.test("disconnect cuts every link of one node until reconnect; heal leaves it cut", () => {
  const sim = cluster();
  sim.external("t");
  sim.disconnect("n2");
  assert.ok(sim.isBlocked("n1", "n2") && sim.isBlocked("n2", "n3") && !sim.isBlocked("n1", "n3"));
  sim.heal();
  assert.ok(sim.isBlocked("n1", "n2"), "heal restores partitions, not a disconnected node");
  sim.send("t", "n1", { type: "ping", n: 1 });
  sim.send("t", "n2", { type: "ping", n: 2 });
  sim.run({ until: 50 });
  assert.deepEqual(sim.inbox("t").map((m) => m.from), ["n1"], "n2's reply is cut");
  sim.reconnect("n2");
  assert.ok(!sim.isBlocked("n1", "n2"));
  sim.send("t", "n2", { type: "ping", n: 3 });
  sim.run({ until: 100 });
  assert.deepEqual(sim.inbox("t").map((m) => m.from), ["n2"]);
  const kinds = sim.trace.events.map((e) => e.kind);
  assert.ok(kinds.includes("disconnect") && kinds.includes("reconnect"));
});

Deno.test("unblock restores one link of a partition or a block", () => {
  const sim = cluster();
  sim.partition(["n1"], ["n2", "n3"]);
  sim.unblock("n1", "n2");
  assert.equal(sim.isBlocked("n1", "n2"), false);
  assert.equal(sim.isBlocked("n2", "n1"), true, "one way only");
  assert.equal(sim.isBlocked("n1", "n3"), true);
});

Deno.test("the default link changes mid-run; latency may depend on the message", () => {
  const sim = cluster({
    seed: 2,
    network: {
      // Replies are slow, requests fast: 6.824's unreliable network delays replies.
      latency: {
        kind: "custom",
        sample: (_r, _from, _to, msg) => (msg as Msg | undefined)?.type === "pong" ? 30 : 1,
      },
    },
  });
  sim.send("t", "n1", { type: "ping", n: 1 });
  sim.run({ until: 100 });
  const reply = sim.trace.events.find((e) => e.kind === "deliver" && e.node === "t")!;
  assert.equal(reply.t, 30, "injected at once, 30 ms back");
  sim.setDefaultLink({ loss: 1 });
  assert.equal(sim.defaultLink.loss, 1);
  sim.send("t", "n1", { type: "ping", n: 2 });
  sim.run({ until: 200 });
  assert.equal(sim.inbox("t").length, 1, "only the first reply: every later one is lost");
  assert.throws(() => sim.setDefaultLink({ loss: 2 }), /default link loss/);
});

Deno.test("message and byte counts by node and type", () => {
  const sim = cluster({ seed: 3, countMessages: true });
  for (let n = 0; n < 3; n++) sim.send("t", "n3", { type: "ping", n });
  sim.run({ until: 100 });
  const stats = sim.messageStats();
  assert.deepEqual(stats.sent.t.ping, {
    count: 3,
    bytes: 3 * JSON.stringify({ type: "ping", n: 0 }).length,
  });
  assert.equal(stats.delivered.n3.ping.count, 3);
  assert.equal(stats.sent.n3.pong.count, 3);
  assert.equal(stats.delivered.t.pong.count, 3);
  assert.throws(() => cluster().messageStats(), /countMessages: true/);
});

Deno.test("run({ until }) leaves the clock at until, even when nothing is left to do", () => {
  const sim = cluster();
  assert.equal(sim.run({ until: 250 }).virtualMs, 250);
  assert.equal(sim.now, 250);
  assert.equal(sim.run({ until: 400 }).stop, "quiet");
  assert.equal(sim.now, 400);
  assert.throws(() => sim.run({ until: 100 }), /must be a time >= now \(400\)/);
});

Deno.test("a local call runs on the node now, even while it is disconnected", async (t) => {
  /** A node with a method a harness calls directly (6.824's Start). */
  class Starter implements Actor<Msg> {
    started = 0;
    start(ctx: Parameters<Actor<Msg>["onMessage"]>[0], n: number): number {
      this.started++;
      ctx.send("n2", { type: "ping", n });
      return this.started;
    }
    onMessage(): void {}
  }
  const setup = () => {
    const sim = new Simulation({ seed: 1 });
    sim.spawn("s", () => new Starter());
    sim.spawn("n2", ponger);
    sim.run();
    return sim;
  };

  await t.step("its sends are the node's and go through the network", () => {
    const sim = setup();
    assert.equal(sim.call<Starter, number>("s", (a, ctx) => a.start(ctx, 7)), 1);
    sim.run();
    assert.equal(sim.stats.delivered, 2); // the ping, and its pong back to s
    assert.equal(sim.actor<Starter>("s")!.started, 1);
  });

  await t.step("on a disconnected node the call runs and its messages are dropped", () => {
    const sim = setup();
    sim.disconnect("s");
    assert.equal(sim.call<Starter, number>("s", (a, ctx) => a.start(ctx, 8)), 1);
    sim.run();
    assert.equal(sim.stats.delivered, 0);
    assert.equal(sim.stats.dropped, 1);
  });

  await t.step("a crashed node, an unknown id or an external endpoint is refused by name", () => {
    const sim = setup();
    sim.crash("s");
    assert.throws(() => sim.call("s", () => 0), /call s.*crashed.*only a running node/);
    assert.throws(() => sim.call("nope", () => 0), /nope/);
    sim.external("tester");
    assert.throws(() => sim.call("tester", () => 0), /external endpoint/);
  });

  await t.step("an exception inside it stops the run and names the node", () => {
    const sim = setup();
    assert.throws(() =>
      sim.call("s", () => {
        throw new Error("boom");
      }), /boom/);
    assert.equal(sim.violations[0].check, "actor-exception");
    assert.equal(sim.violations[0].node, "s");
    assert.match(sim.violations[0].message, /a local call on s threw.*boom/);
  });

  await t.step("invariants see which node took the step", () => {
    const sim = new Simulation({ seed: 1 });
    sim.spawn("s", () => new Starter());
    sim.spawn("n2", ponger);
    const who: string[] = [];
    sim.invariant("who", (s) => void who.push(s.current ?? "-"));
    sim.at(5, () => {});
    sim.at(6, (s) => s.send("tester", "n2", { type: "ping", n: 0 }));
    sim.run();
    // Start of s, start of n2, the scenario's two steps, the ping handled by n2, its
    // pong reaching the tester (an endpoint, not a node).
    assert.deepEqual(who, ["s", "n2", "-", "-", "n2", "-"]);
  });
});
