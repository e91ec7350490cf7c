// Issue 14, item 4 (lecture 8.2): Spanner's commit wait. TrueTime intervals from the skew
// bound; commit timestamps and commit wait at a shard; snapshot reads over multi-version storage
// that wait for commits still waiting; the spanner scenario over many seeds with its faults; the
// planted no-commit-wait flag caught by external consistency; the example's story.

import assert from "node:assert/strict";
import { TestContext } from "../actors/test_context.ts";
import { assertSeeds, checkSeeds } from "../sim/testing.ts";
import {
  externalConsistency,
  MultiVersionStore,
  Shard,
  type ShardTimer,
  spanner,
  type SpannerMsg,
  TrueTime,
} from "../protocols/spanner/mod.ts";
import { runCommitWait } from "../examples/spanner_commit_wait.ts";

type Ctx = TestContext<SpannerMsg, ShardTimer>;

Deno.test("TrueTime: the interval, after, before and the length of a commit wait", () => {
  const tt = new TrueTime(7);
  assert.deepEqual(tt.now(50), { earliest: 43, latest: 57 });
  assert.equal(tt.after(50, 42.9), true);
  assert.equal(tt.after(50, 43), false);
  assert.equal(tt.before(50, 57.1), true);
  // A timestamp taken as TT.now().latest is certainly past after 2ε.
  assert.equal(tt.waitUntilAfter(50, tt.now(50).latest), 14);
  assert.equal(tt.waitUntilAfter(100, 57), 0);
  assert.throws(() => new TrueTime(-1), /epsilonMs/);
});

Deno.test("multi-version store: reads as of a timestamp; versions only move forwards", () => {
  const store = new MultiVersionStore();
  for (const [v, ts] of [["a", 1], ["b", 5], ["c", 9]] as const) store.write("x", v, ts);
  assert.deepEqual([0, 1, 4, 5, 8, 100].map((t) => store.readAt("x", t)), [
    null,
    "a",
    "a",
    "b",
    "b",
    "c",
  ]);
  assert.throws(() => store.write("x", "d", 9), /not after its latest version/);
  assert.deepEqual(new MultiVersionStore(store.toJSON()).versions("x"), store.versions("x"));
});

Deno.test("shard: commit timestamps grow, commit wait holds the reply until TT.after(ts)", () => {
  const shard = new Shard({ epsilonMs: 5 });
  const ctx: Ctx = new TestContext("s1", { now: 100 });
  shard.onStart(ctx);
  shard.onMessage(ctx, { type: "read-write", txn: "a:1", keys: ["k0"], value: "a:1" }, "a");
  shard.onMessage(ctx, { type: "read-write", txn: "b:1", keys: ["k0"], value: "b:1" }, "b");
  assert.deepEqual(ctx.takeSent(), []);
  ctx.advance(11);
  ctx.fireDue(shard);
  const replies = ctx.takeSent().map((s) => s.msg as SpannerMsg & { type: "committed" });
  assert.deepEqual(replies.map((r) => r.txn), ["a:1", "b:1"]);
  assert.ok(replies[0].ts < replies[1].ts);
  assert.deepEqual(replies[1].reads, { k0: "a:1" }); // b read a's write
  // A duplicate request is answered again, not run again.
  shard.onMessage(ctx, { type: "read-write", txn: "a:1", keys: ["k0"], value: "a:1" }, "a");
  assert.deepEqual(ctx.takeSent(), [{ to: "a", msg: replies[0] }]);
  assert.equal(shard.store.versions("k0").length, 2);
});

Deno.test("shard: a snapshot read waits for commits at or before it that are still waiting", () => {
  const shard = new Shard({ epsilonMs: 5 });
  const ctx: Ctx = new TestContext("s1", { now: 100 });
  shard.onStart(ctx);
  shard.onMessage(ctx, { type: "read-write", txn: "a:1", keys: ["k0"], value: "a:1" }, "a");
  // ts(a:1) = 105; a snapshot at 106 must see it, so it waits for a:1's commit wait.
  shard.onMessage(ctx, { type: "read-only", txn: "r:1", keys: ["k0"], ts: 106 }, "r");
  // A snapshot at 104 need not wait: a:1 is not in it.
  shard.onMessage(ctx, { type: "read-only", txn: "r:2", keys: ["k0"], ts: 104 }, "q");
  assert.deepEqual(ctx.takeSent(), [
    { to: "q", msg: { type: "snapshot", txn: "r:2", values: { k0: null } } },
  ]);
  ctx.advance(11);
  ctx.fireDue(shard);
  assert.deepEqual(ctx.takeSent().map((s) => s.msg), [
    { type: "committed", txn: "a:1", ts: 105, reads: { k0: null } },
    { type: "snapshot", txn: "r:1", values: { k0: "a:1" } },
  ]);
  // The snapshot at 106 promised that no later commit takes a timestamp at or before it.
  shard.onMessage(ctx, { type: "read-write", txn: "b:1", keys: ["k0"], value: "b:1" }, "b");
  assert.ok(shard.last > 106);
});

Deno.test("shard: after a crash it finishes the commit waits it had begun", () => {
  const ctx: Ctx = new TestContext("s1", { now: 100 });
  const first = new Shard({ epsilonMs: 5 });
  first.onStart(ctx);
  first.onMessage(ctx, { type: "read-write", txn: "a:1", keys: ["k0"], value: "a:1" }, "a");
  // Crash: a new instance on the same storage (and timers gone with the old one).
  const again = new Shard({ epsilonMs: 5 });
  const after: Ctx = new TestContext("s1", { now: 103, storage: ctx.storage });
  again.onStart(after);
  assert.equal(again.store.latest("k0"), "a:1");
  after.advance(10);
  after.fireDue(again);
  const [reply] = after.takeSent();
  assert.deepEqual(reply.msg, { type: "committed", txn: "a:1", ts: 105, reads: { k0: null } });
  assert.ok(again.tt.after(after.now(), 105));
});

Deno.test("external consistency: an acknowledged commit must precede what begins after it", () => {
  const op = (id: number, call: number, ret: number, ts: number, write: boolean) => ({
    id,
    client: `c${id}`,
    f: "txn",
    input: write ? [["r", "k0", null], ["w", "k0", `t${id}`]] : [["r", "k0", null]],
    output: { ts, txn: [] },
    call,
    ret,
    status: "ok" as const,
  });
  assert.deepEqual(externalConsistency([op(1, 0, 10, 20, true), op(2, 11, 15, 25, true)]), []);
  const bad = externalConsistency([op(1, 0, 10, 20, true), op(2, 11, 15, 19, false)]);
  assert.deepEqual(bad.map((i) => [i.first.id, i.second.id]), [[1, 2]]);
  // Overlapping transactions may be ordered either way.
  assert.deepEqual(externalConsistency([op(1, 0, 10, 20, true), op(2, 10, 15, 19, true)]), []);
});

Deno.test("spanner scenario: 150 seeds with random faults hold external consistency", () => {
  assertSeeds(spanner, { seeds: { from: 1, to: 150 } });
  assertSeeds(spanner, {
    seeds: { from: 1, to: 30 },
    nodes: 5,
    flags: { clients: 8, "max-skew": 30, "max-drift": 0.001 },
    network: { duplicate: 0.1, loss: 0.05 },
  });
});

Deno.test("spanner scenario: without commit wait, external consistency breaks", () => {
  const { failures } = checkSeeds(spanner, {
    seeds: { from: 1, to: 40 },
    stopAtFirst: false,
    flags: { "commit-wait": false },
  });
  assert.ok(failures.length >= 35, `${failures.length} of 40 caught`);
  assert.ok(failures.every((f) => f.violations[0].check === "external-consistency"));
  // The transaction checker sees it in the values read too, on some seeds.
  assert.ok(failures.some((f) => f.violations.some((v) => v.check === "transactions")));
});

Deno.test("spanner scenario: snapshots that see commits still waiting are caught", () => {
  // Contention makes it likely: few keys, many clients, mostly snapshot reads, skewed clocks.
  const flags = { clients: 8, keys: 3, "read-only": 0.6, "max-skew": 20 };
  const { failures } = checkSeeds(spanner, {
    seeds: { from: 1, to: 20 },
    stopAtFirst: false,
    flags: { ...flags, "safe-time": false },
  });
  assert.ok(failures.length >= 10, `${failures.length} of 20 caught`);
  for (const f of failures) {
    assert.equal(f.violations[0].check, "transactions");
    assert.match(f.violations[0].message, /-realtime/);
  }
  assertSeeds(spanner, { seeds: { from: 1, to: 20 }, flags });
});

Deno.test("example: commit wait orders a later transaction after an earlier one", () => {
  const none = runCommitWait(false), wait = runCommitWait(true);
  assert.ok(none.t2.sent > none.t1.acked && none.t2.ts < none.t1.ts);
  assert.deepEqual([none.read.k0, none.read.k1], [null, "T2"]);
  assert.ok(wait.t1.acked > wait.t1.ts && wait.t1.ts < wait.t2.ts);
  assert.deepEqual([wait.read.k0, wait.read.k1], ["T1", "T2"]);
});
