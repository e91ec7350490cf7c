import assert from "node:assert/strict";
import type { Actor, Context, LayerMsg, LayerTimer, NodeId } from "../actors/mod.ts";
import { generateFaults, Simulation } from "../sim/mod.ts";
import {
  type Link,
  type LinkMsg,
  type LinkTimer,
  mountLink,
  ReliableLink,
} from "../protocols/broadcast/reliable_link.ts";
import { settle } from "../sim/settle.ts";

type Raw = { type: "raw"; n: number };
type PipeMsg = Raw | LayerMsg<"link", LinkMsg<number>>;
type PipeTimer = "send" | LayerTimer<"link", LinkTimer>;

/** Sends 0..count-1 to `to` one every 2 ms, over a reliable link or (raw) straight onto the network. */
class Pipe implements Actor<PipeMsg, PipeTimer> {
  readonly link: Link<number, "link">;

  constructor(
    readonly to: NodeId | undefined,
    readonly count: number,
    fifo: boolean,
    readonly raw = false,
  ) {
    this.link = mountLink(
      "link",
      new ReliableLink<number>({ fifo, deliver: (ctx, _from, n) => ctx.log("got", n) }),
    );
  }

  onStart(ctx: Context<PipeMsg, PipeTimer>): void {
    this.link.start(ctx);
    if (this.to !== undefined) ctx.setTimer("send", 1);
  }

  onMessage(ctx: Context<PipeMsg, PipeTimer>, msg: PipeMsg, from: NodeId): void {
    if (this.link.message(ctx, msg, from)) return;
    ctx.log("got", msg.n);
  }

  onTimer(ctx: Context<PipeMsg, PipeTimer>, timer: PipeTimer): void {
    if (this.link.timer(ctx, timer) || this.to === undefined) return;
    const sent = ctx.storage.get<number>("sent") ?? 0;
    if (sent >= this.count) return;
    if (this.raw) ctx.send(this.to, { type: "raw", n: sent });
    else this.link.send(ctx, this.to, sent);
    ctx.storage.set("sent", sent + 1);
    ctx.setTimer("send", 2);
  }
}

let crashes = 0;

/** What the receiver handed up, in order. */
function run(seed: number, fifo: boolean, raw = false): number[] {
  const sim = new Simulation({
    seed,
    network: { loss: 0.3, duplicate: 0.2, latency: { kind: "uniform", min: 1, max: 15 } },
  });
  sim.spawn("a", () => new Pipe("b", 40, fifo, raw));
  sim.spawn("b", () => new Pipe(undefined, 0, fifo));
  sim.schedule(
    generateFaults(seed, ["a", "b"], 200, {
      crash: 10,
      partition: 10,
      pause: 5,
      maxDown: 1,
      meanDurationMs: 20,
    }),
  );
  sim.run({ until: 200 });
  settle(sim);
  crashes += sim.trace.events.filter((e) => e.kind === "crash").length;
  return sim.trace.events.flatMap((e) =>
    e.kind === "log" && e.note === "got" && e.node === "b" ? [e.data as number] : []
  );
}

const all = Array.from({ length: 40 }, (_, i) => i);

Deno.test("reliable links hand up every message exactly once despite loss, duplicates, crashes and partitions", () => {
  let reordered = 0;
  for (let seed = 1; seed <= 40; seed++) {
    const got = run(seed, false);
    assert.deepEqual([...got].sort((x, y) => x - y), all, `seed ${seed}`);
    if (got.some((n, i) => i > 0 && n < got[i - 1])) reordered++;
  }
  assert.ok(reordered > 10, `without fifo, order is not kept (reordered in ${reordered} of 40)`);
  assert.ok(crashes > 40, `crashes: ${crashes}`);
});

Deno.test("with fifo, reliable links also keep each sender's order", () => {
  for (let seed = 1; seed <= 40; seed++) assert.deepEqual(run(seed, true), all, `seed ${seed}`);
});

Deno.test("the same traffic sent raw loses and duplicates messages (what the link repairs)", () => {
  const got = run(1, false, true);
  assert.ok(new Set(got).size < 40, "some lost");
  assert.ok(got.length !== new Set(got).size || got.length < 40);
});

Deno.test("a link refuses to send to its own node", () => {
  const sim = new Simulation({ seed: 1 });
  sim.spawn("a", () => new Pipe("a", 1, false));
  assert.equal(sim.run().violations[0]?.check, "actor-exception");
  assert.match(sim.violations[0].message, /does not send to itself/);
});

Deno.test("the link is a layer: its messages, timer and storage keys carry the mount's name", () => {
  const sim = new Simulation({ seed: 3, network: { loss: 0.5 } });
  sim.spawn("a", () => new Pipe("b", 3, true));
  sim.spawn("b", () => new Pipe(undefined, 0, true));
  sim.run({ until: 300 });
  const sends = sim.trace.events.flatMap((e) => e.kind === "send" ? [e.msg as PipeMsg] : []);
  assert.ok(sends.length > 0 && sends.every((m) => "layer" in m && m.layer === "link"));
  const timers = sim.trace.events.flatMap((e) => e.kind === "timer" ? [e.name] : []);
  assert.ok(timers.includes("link/retry"), timers.join());
  assert.deepEqual(
    sim.storage("a").keys().filter((k) => k !== "sent").map((k) =>
      k.split("/").slice(0, 2).join("/")
    ),
    ["link/next"],
  );
  assert.ok(sim.storage("b").keys().every((k) => k.startsWith("link/upto/")));
  assert.deepEqual(sim.actor<Pipe>("a")!.link.inspect().sent, { b: 3 });
});
