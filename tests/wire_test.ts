/**
 * Messages, timers and storage as a real system would have them: a message
 * travels as a copy (what its JSON would give), a timer is a copy taken when
 * it is set, storage keeps only plain data; and a unit test with
 * `TestContext` is held to the same rules as a simulated run.
 */

import assert from "node:assert/strict";
import {
  type Actor,
  type Context,
  frozenPlain,
  MemoryStorage,
  TestContext,
} from "../actors/mod.ts";
import { Simulation } from "../sim/simulation.ts";

type Entries = { type: "entries"; log: number[]; at?: unknown };

/** Sends its log, then keeps changing it: the aliasing mistake a wire forgives. */
class Leader implements Actor<Entries> {
  log = [1];
  onStart(ctx: Context<Entries>): void {
    ctx.send("f", { type: "entries", log: this.log, at: new Date(0) });
    this.log.push(2);
  }
  onMessage(): void {}
}

/** Keeps what it received, and changes it. */
class Follower implements Actor<Entries> {
  got: number[][] = [];
  onMessage(_ctx: Context<Entries>, msg: Entries): void {
    this.got.push([...msg.log]);
    msg.log.push(99);
    assert.equal(msg.at, "1970-01-01T00:00:00.000Z"); // a Date arrives as its JSON string
  }
}

Deno.test("a message is what was sent at the send, for the receiver and for every duplicate", () => {
  const sim = new Simulation({ seed: 3, network: { duplicate: 1 } });
  sim.spawn("l", () => new Leader());
  sim.spawn("f", () => new Follower());
  sim.run();
  // Two copies arrived, each as sent: neither the sender's push nor the
  // receiver's change to the first copy reached the second.
  assert.deepEqual(sim.actor<Follower>("f")!.got, [[1], [1]]);
  const sent = sim.trace.events.find((e) => e.kind === "send");
  assert.deepEqual((sent as { msg: Entries }).msg.log, [1]);
});

Deno.test("copyMessages: false shares the message (checked, not copied)", () => {
  const sim = new Simulation({ seed: 3, copyMessages: false });
  sim.spawn("l", () => new Leader());
  sim.spawn("f", () => new Follower());
  sim.run();
  assert.deepEqual(sim.actor<Follower>("f")!.got, [[1, 2]]);
});

Deno.test("a timer is the value it had when set", () => {
  type Retry = { type: "retry"; seq: number };
  const fired: Retry[] = [];
  const sim = new Simulation({ seed: 1 });
  sim.spawn("a", () => ({
    onStart(ctx: Context<never, Retry>) {
      const t: Retry = { type: "retry", seq: 1 };
      ctx.setTimer(t, 5);
      t.seq = 7;
    },
    onMessage() {},
    onTimer(_ctx: Context<never, Retry>, t: Retry) {
      fired.push(t);
    },
  }));
  sim.run();
  assert.deepEqual(fired, [{ type: "retry", seq: 1 }]);
});

Deno.test("storage keeps plain data only, and names the key and field it refuses", () => {
  const disk = new MemoryStorage();
  assert.throws(
    () => disk.set("applied", { ids: new Set(["r1"]) }),
    /storage key "applied": \.ids is a Set, not plain data/,
  );
  assert.throws(() => disk.set("f", () => 1), /storage key "f": the value is a function/);
  disk.set("when", new Date(0));
  assert.equal(disk.get("when"), "1970-01-01T00:00:00.000Z");
  // In a run, the refusal stops the run as the handler's exception, naming the node.
  const sim = new Simulation({ seed: 1 });
  sim.spawn("a", () => ({
    onStart(ctx: Context<never>) {
      ctx.storage.set("seen", new Map());
    },
    onMessage() {},
  }));
  sim.run();
  assert.equal(sim.violations[0].check, "actor-exception");
  assert.equal(sim.violations[0].node, "a");
  assert.match(sim.violations[0].message, /storage key "seen": the value is a Map/);
});

Deno.test("TestContext holds a handler to the simulator's rules", async (t) => {
  type Msg = { type: "ping"; payload?: unknown };
  const actor = (body: (ctx: Context<Msg, unknown>) => void): Actor<Msg, unknown> => ({
    onMessage: (ctx) => body(ctx),
  });

  await t.step("a message that is not plain data is refused, with the simulator's words", () => {
    const ctx = new TestContext<Msg, unknown>("n1");
    assert.throws(
      () =>
        ctx.deliver(actor((c) => c.send("n2", { type: "ping", payload: new Map() })), {
          type: "ping",
        }, "n2"),
      /n1 sent a ping message to n2 whose \.payload is a Map/,
    );
  });

  await t.step("what was sent is recorded as it was at the send", () => {
    const ctx = new TestContext<Msg, unknown>("n1");
    const list = [1];
    ctx.deliver(
      actor((c) => {
        c.send("n2", { type: "ping", payload: list });
        list.push(2);
      }),
      { type: "ping" },
      "n2",
    );
    assert.deepEqual(ctx.takeSent(), [{ to: "n2", msg: { type: "ping", payload: [1] } }]);
  });

  await t.step("a timer that is not plain data is refused", () => {
    const ctx = new TestContext<Msg, unknown>("n1");
    assert.throws(
      () =>
        ctx.deliver(actor((c) => c.setTimer({ type: "t", f: () => 0 }, 5)), { type: "ping" }, "n2"),
      /n1 set a timer whose \.f is a function: timers must be plain data/,
    );
  });

  await t.step("an async handler is refused", () => {
    const ctx = new TestContext<Msg>("n1");
    const asyncActor: Actor<Msg> = { onMessage: async () => {} };
    assert.throws(
      () => ctx.deliver(asyncActor, { type: "ping" }, "n2"),
      /onMessage of n1 returned a promise: handlers must run to completion/,
    );
  });

  await t.step("a message delivered is not plain data: refused as the sender's", () => {
    const ctx = new TestContext<Msg>("n1");
    assert.throws(
      () => ctx.deliver(actor(() => {}), { type: "ping", payload: 1n }, "n2"),
      /n2 sent a ping message to n1 whose \.payload is a bigint/,
    );
  });
});

Deno.test("frozenPlain: a deep-frozen value travels shared, in messages and storage; nobody can change it", () => {
  type Batch = { type: "batch"; entries: { term: number; cmd: { key: string } }[] };
  const entry = frozenPlain({ term: 2, cmd: { key: "x" } });
  const got: Batch[] = [];
  const sim = new Simulation({ seed: 1 });
  sim.spawn("a", () => ({
    onStart(ctx: Context<Batch>) {
      ctx.send("b", { type: "batch", entries: [entry] });
      ctx.storage.set("log", [entry]);
      assert.equal(ctx.storage.get<Batch["entries"]>("log")![0], entry);
    },
    onMessage() {},
  }));
  sim.spawn("b", () => ({
    onMessage(_ctx: Context<Batch>, msg: Batch) {
      got.push(msg);
      assert.throws(() => {
        msg.entries[0].cmd.key = "y";
      }, TypeError);
    },
  }));
  sim.run({ until: 100 });
  assert.equal(got.length, 1);
  assert.equal(got[0].entries[0], entry); // the entry itself, not a copy
  assert.deepEqual(got[0], { type: "batch", entries: [{ term: 2, cmd: { key: "x" } }] });
  // Not plain data is refused, naming the field; a Date is copied as JSON would have it.
  assert.throws(() => frozenPlain({ n: 1n }), /\.n is a bigint/);
  const withDate = frozenPlain({ at: new Date(0) });
  assert.deepEqual(withDate, { at: "1970-01-01T00:00:00.000Z" });
});
