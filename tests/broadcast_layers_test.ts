/**
 * Stacking by `mount` (issue 10, part 5): every broadcast protocol is an
 * actor a host mounts; stronger layers mount weaker ones; messages, timers
 * and storage keys are namespaced per layer; deliveries come up through a
 * callback that gets the host's context; `inspect()` is plain data.
 */

import assert from "node:assert/strict";
import {
  type Actor,
  type Context,
  type LayerMsg,
  type LayerTimer,
  type NodeId,
  TestContext,
  unwrapLayers,
} from "../actors/mod.ts";
import { Simulation } from "../sim/simulation.ts";
import { settle } from "../sim/settle.ts";
import {
  CausalBroadcast,
  type CausalMsg,
  type CausalTimer,
} from "../protocols/broadcast/causal.ts";
import {
  type BroadcastMsg,
  type BroadcastTimer,
  createBroadcast,
} from "../protocols/broadcast/create.ts";
import {
  BROADCAST_PROTOCOLS,
  type Delivery,
  mountBroadcast,
} from "../protocols/broadcast/layer.ts";
import {
  SequencerBroadcast,
  type SequencerMsg,
  type SequencerTimer,
} from "../protocols/broadcast/total_sequencer.ts";
import { BroadcastNode } from "../protocols/broadcast/broadcast_node.ts";
import { checkBroadcast, PROMISES } from "../protocols/broadcast/check.ts";

const NODES = ["n1", "n2", "n3"];

type TwoMsg =
  | LayerMsg<"chat", CausalMsg<string>>
  | LayerMsg<"votes", SequencerMsg<number>>;
type TwoTimer = "go" | LayerTimer<"chat", CausalTimer> | LayerTimer<"votes", SequencerTimer>;

/** A host with two broadcast layers side by side: a causal chat and a totally ordered vote. */
class TwoLayers implements Actor<TwoMsg, TwoTimer> {
  readonly chatLog: string[] = [];
  readonly votes: number[] = [];
  readonly hosts = new Set<string>();
  readonly chat = mountBroadcast(
    "chat",
    new CausalBroadcast<string>({
      nodes: NODES,
      deliver: (host, d) => this.#chat(host, d),
    }),
  );
  readonly vote = mountBroadcast(
    "votes",
    new SequencerBroadcast<number>({
      nodes: NODES,
      log: false,
      deliver: (host, d) => {
        this.hosts.add(host.self);
        this.votes.push(d.payload);
      },
    }),
  );

  onStart(ctx: Context<TwoMsg, TwoTimer>): void {
    this.chat.start(ctx);
    this.vote.start(ctx);
    if (ctx.storage.get("went") === undefined) ctx.setTimer("go", 1);
  }

  onMessage(ctx: Context<TwoMsg, TwoTimer>, msg: TwoMsg, from: NodeId): void {
    if (this.chat.message(ctx, msg, from)) return;
    if (this.vote.message(ctx, msg, from)) return;
    const never: never = msg;
    throw new Error(`unexpected ${JSON.stringify(never)}`);
  }

  onTimer(ctx: Context<TwoMsg, TwoTimer>, timer: TwoTimer): void {
    if (this.chat.timer(ctx, timer) || this.vote.timer(ctx, timer)) return;
    assert.equal(timer satisfies "go", "go");
    ctx.storage.set("went", true);
    this.chat.broadcast(ctx, `hello from ${ctx.self}`);
    this.vote.broadcast(ctx, Number(ctx.self.slice(1)));
  }

  inspect(): unknown {
    return { chat: this.chat.inspect(), votes: this.vote.inspect() };
  }

  #chat(host: Context<TwoMsg, TwoTimer>, d: Delivery<string>): void {
    this.hosts.add(host.self);
    this.chatLog.push(d.payload);
    // The callback gets the host's own context: it can broadcast on the other layer at once.
    if (d.payload === "hello from n1" && host.self === "n2") this.vote.broadcast(host, 99);
  }
}

function runTwo(seed: number): Simulation {
  const sim = new Simulation({
    seed,
    network: { loss: 0.2, duplicate: 0.1, latency: { kind: "uniform", min: 1, max: 20 } },
  });
  for (const id of NODES) sim.spawn(id, () => new TwoLayers());
  sim.schedule([
    { at: 15, action: { type: "crash", node: "n3" } },
    { at: 60, action: { type: "restart", node: "n3" } },
  ]);
  sim.run({ until: 400 });
  settle(sim);
  return sim;
}

Deno.test("two layers in one host keep their messages, timers and storage apart", () => {
  const sim = runTwo(5);
  assert.deepEqual(sim.violations, []);
  for (const e of sim.trace.events) {
    if (e.kind === "send") {
      const { layers } = unwrapLayers(e.msg);
      assert.ok(
        ["chat,rb,link", "votes,link"].includes(layers.join()),
        `a message on the wire names its layers: ${layers}`,
      );
    }
    if (e.kind === "timer") {
      assert.ok(["go", "chat/rb/link/retry", "votes/link/retry"].includes(e.name), e.name);
    }
  }
  for (const id of NODES) {
    const keys = sim.storage(id).keys();
    assert.ok(keys.every((k) => /^(went|chat\/|votes\/)/.test(k)), keys.join());
    assert.ok(keys.some((k) => k.startsWith("chat/rb/link/")));
    assert.ok(keys.some((k) => k.startsWith("votes/link/")));
  }
  // n3 restarted, so its fresh instance saw only what came after; n1 and n2 saw everything.
  for (const id of ["n1", "n2"]) {
    const host = sim.actor<TwoLayers>(id)!;
    assert.equal(host.chatLog.length, 3);
    assert.deepEqual([...host.votes].sort(), [1, 2, 3, 99]);
    assert.deepEqual([...host.hosts], [id], "callbacks get the host's context");
  }
  assert.deepEqual(sim.actor<TwoLayers>("n1")!.votes, sim.actor<TwoLayers>("n2")!.votes);
  // Only the chat writes notes (the vote layer was built with log: false).
  assert.deepEqual(
    checkBroadcast(sim.trace.events, PROMISES.causal, NODES),
    [],
  );
});

Deno.test("a host's inspect() is plain data that includes its layers' views", () => {
  const sim = runTwo(6);
  const view = sim.actor<TwoLayers>("n1")!.inspect() as Record<string, Record<string, unknown>>;
  assert.deepEqual(JSON.parse(JSON.stringify(view)), view);
  assert.equal(view.chat.protocol, "causal");
  assert.equal(view.votes.protocol, "total-sequencer");
  assert.deepEqual(view.chat.vector, { n1: 1, n2: 1, n3: 1 });
  assert.equal((view.chat.below as { protocol: string }).protocol, "reliable");
  assert.deepEqual((view.votes.link as { unacked: string[] }).unacked, []);
});

Deno.test("every protocol's inspect() is plain data after a faulty run", () => {
  for (const protocol of BROADCAST_PROTOCOLS) {
    const sim = new Simulation({ seed: 2, network: { loss: 0.2 } });
    for (const id of NODES) {
      sim.spawn(
        id,
        () =>
          new BroadcastNode({
            protocol,
            nodes: NODES,
            plan: [5, 10],
            replyChance: 1,
            maxReplies: 1,
          }),
      );
    }
    sim.run({ until: 300 });
    settle(sim);
    const view = sim.actor<BroadcastNode>("n2")!.inspect();
    assert.deepEqual(JSON.parse(JSON.stringify(view)), view, protocol);
    assert.equal(view.bc.protocol, protocol);
    if (protocol !== "best-effort") {
      assert.equal(view.bc.sent, 3, `${protocol}: two posts and one answer`);
      assert.equal(view.bc.delivered, 9, `${protocol}: three messages from each node`);
    }
  }
});

Deno.test("a layer unit-tested alone with TestContext: causal holds back, then delivers in order", () => {
  const got: string[] = [];
  const causal = new CausalBroadcast<string>({
    nodes: NODES,
    deliver: (_host, d) => void got.push(`${d.origin}:${d.payload}`),
  });
  const n3 = new TestContext<CausalMsg<string>, CausalTimer>("n3");
  n3.start(causal);
  const data = (origin: string, seq: number, deps: Record<string, number>, payload: string) => ({
    layer: "rb" as const,
    msg: {
      layer: "link" as const,
      msg: {
        type: "data" as const,
        seq,
        body: { id: `${origin}#${seq + 1}`, origin, payload: { deps, payload } },
      },
    },
  });
  n3.deliver(causal, data("n2", 0, { n1: 1, n2: 0 }, "re A"), "n2");
  n3.deliver(causal, data("n1", 1, { n1: 1 }, "B"), "n1");
  assert.deepEqual(got, []);
  assert.deepEqual(causal.inspect().held, ["n2#1", "n1#2"]);
  n3.deliver(causal, data("n1", 0, { n1: 0 }, "A"), "n1");
  assert.deepEqual(got, ["n1:A", "n2:re A", "n1:B"]);
  // Every data message was acknowledged over the link, and relayed to the third node.
  const sent = n3.takeSent().map((s) => [s.to, unwrapLayers(s.msg).msg]);
  assert.equal(sent.filter(([, m]) => (m as { type: string }).type === "ack").length, 3);
  assert.equal(sent.filter(([, m]) => (m as { type: string }).type === "data").length, 3);
  // The relays are retransmitted until acknowledged: the link's timer, under the layer's name.
  assert.deepEqual(n3.timers(), [{
    timer: { layer: "rb", timer: { layer: "link", timer: "retry" } },
    at: 30,
  }]);
  // The layer's storage keys are its own.
  assert.deepEqual(
    n3.storage.keys().filter((k) => !k.startsWith("rb/")).sort(),
    ["delivered"],
  );
});

Deno.test("a message routed to the wrong layer is a bug, not a network event", () => {
  const layer = createBroadcast<string>("fifo", { nodes: NODES, deliver: () => {} });
  const ctx = new TestContext<BroadcastMsg<string>, BroadcastTimer>("n1");
  assert.throws(
    () => ctx.deliver(layer, { type: "message", id: "n2#1", origin: "n2", payload: "x" }, "n2"),
    /fifo broadcast: unexpected message/,
  );
});
