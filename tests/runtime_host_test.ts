/**
 * Issue 15, part 1: the actor contract on the real clock. Handlers run one at
 * a time; typed timers replace and cancel as data; storage is committed
 * before a handler's sends are released; randomness is seeded per node.
 */

import assert from "node:assert/strict";
import type { Actor, Context } from "../actors/mod.ts";
import { MemoryStorage } from "../actors/storage.ts";
import { timerKey } from "../actors/timer_key.ts";
import { ActorHost } from "../runtime/host.ts";
import { History } from "../sim/history.ts";
import { eventually } from "./_runtime.ts";

type Timer = { type: "tick"; n: number } | { type: "other" };

Deno.test("host: a timer set twice (equal as data) fires once, with the second delay; cancel wins", async () => {
  const fired: Timer[] = [];
  const actor: Actor<string, Timer> = {
    onStart(ctx) {
      ctx.setTimer({ type: "tick", n: 1 }, 10_000);
      ctx.setTimer({ n: 1, type: "tick" }, 1); // same timer, fields in another order: replaces
      ctx.setTimer({ type: "tick", n: 2 }, 1);
      ctx.setTimer({ type: "other" }, 1);
      ctx.cancelTimer({ type: "other" });
    },
    onMessage() {},
    onTimer(_ctx, timer) {
      fired.push(timer);
    },
  };
  const host = new ActorHost<string, Timer>({
    id: "n1",
    actor: () => actor,
    send: () => {},
    seed: 1,
  });
  host.start();
  try {
    await eventually("both ticks fire", () => fired.length >= 2);
    await host.idle();
    assert.deepEqual(
      fired.map(timerKey).sort(),
      [timerKey({ type: "tick", n: 1 }), timerKey({ type: "tick", n: 2 })],
    );
  } finally {
    host.stop(); // clears the 10 s timer that was replaced (and any other)
  }
});

Deno.test("host: storage is committed before the handler's sends leave", async () => {
  const order: string[] = [];
  const storage = Object.assign(new MemoryStorage(), {
    commit() {
      order.push(`commit ${storage.get("n") ?? "-"}`);
    },
  });
  const actor: Actor<{ n: number }> = {
    onMessage(ctx, msg, from) {
      ctx.storage.set("n", msg.n);
      ctx.send(from, { n: msg.n });
    },
  };
  const host = new ActorHost<{ n: number }, string>({
    id: "n1",
    actor: () => actor,
    send: (_to, msg) => order.push(`send ${msg.n}`),
    storage,
    seed: 1,
  });
  host.start();
  host.deliver({ n: 1 }, "c1");
  host.deliver({ n: 2 }, "c1");
  await host.idle();
  // One batch: both handlers, one commit, then the sends.
  assert.deepEqual(order.filter((o) => o !== "commit -"), ["commit 2", "send 1", "send 2"]);
  host.stop();
});

Deno.test("host: a message that is not plain data is refused at the send, naming the field", async () => {
  const errors: unknown[] = [];
  const actor: Actor<unknown> = {
    onMessage(ctx, _msg, from) {
      ctx.send(from, { type: "bad", value: 10n });
    },
  };
  const host = new ActorHost<unknown, string>({
    id: "n1",
    actor: () => actor,
    send: () => assert.fail("nothing may leave"),
    seed: 1,
    onError: (e) => errors.push(e),
  });
  host.start();
  host.deliver({}, "c1");
  await host.idle();
  assert.match(String(errors[0]), /\.value is a bigint/);
  assert.equal(host.stopped, true);
});

Deno.test("host: random() is seeded per node; history records invoke and complete", async () => {
  const draws = (id: string, seed: number) => {
    let ctxRef: Context<unknown, string> | undefined;
    const host = new ActorHost<unknown, string>({
      id,
      actor: () => ({ onStart: (ctx) => ctxRef = ctx, onMessage() {} }),
      send: () => {},
      seed,
    });
    host.start();
    const out = [ctxRef!.random(), ctxRef!.random()];
    host.stop();
    return out;
  };
  assert.deepEqual(draws("n1", 5), draws("n1", 5));
  assert.notDeepEqual(draws("n1", 5), draws("n2", 5));
  assert.notDeepEqual(draws("n1", 5), draws("n1", 6));

  const history = new History();
  let t = 0;
  const host = new ActorHost<string, string>({
    id: "c1",
    actor: () => ({
      onMessage(ctx, msg) {
        const op = ctx.invoke("read", msg);
        ctx.complete(op, 7);
      },
    }),
    send: () => {},
    seed: 1,
    history,
    clock: () => ++t,
  });
  host.start();
  host.deliver("x", "n1");
  await host.idle();
  const [op] = history.operations;
  assert.equal(op.status, "ok");
  assert.equal(op.output, 7);
  assert.ok(op.ret > op.call);
  host.stop();
});
