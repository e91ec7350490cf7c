/**
 * The transactional key-value store (issue 14, item 5): strict two-phase
 * locking at the shards, two-phase commit across them, the clients'
 * list-append and rw-register workloads and the history they record in
 * Jepsen's form.
 *
 * @module
 */

import assert from "node:assert/strict";
import { TestContext } from "../actors/test_context.ts";
import type { MemoryStorage } from "../actors/storage.ts";
import { TxnClient, type TxnClientTimer } from "../protocols/txn_kv/client.ts";
import { jepsenEvents, txnHistoryJson } from "../protocols/txn_kv/history.ts";
import { LockTable } from "../protocols/txn_kv/lock_table.ts";
import type { MicroOp, TxnKvMsg } from "../protocols/txn_kv/messages.ts";
import { txnKv } from "../protocols/txn_kv/scenario.ts";
import { Shard, type ShardTimer } from "../protocols/txn_kv/shard.ts";
import { parseJsonHistory } from "../sim/check/history_format.ts";
import { runScenario } from "../sim/scenario.ts";
import { assertSeeds, checkSeeds } from "../sim/testing.ts";

Deno.test("lock table: readers share, a writer excludes, the only reader upgrades, all released at the end", () => {
  const locks = new LockTable();
  assert.equal(locks.acquire("t1", "x", "shared"), true);
  assert.equal(locks.acquire("t2", "x", "shared"), true);
  assert.equal(locks.acquire("t1", "x", "exclusive"), false);
  locks.releaseAll("t2");
  assert.equal(locks.acquire("t1", "x", "exclusive"), true);
  assert.equal(locks.acquire("t2", "x", "shared"), false);
  assert.deepEqual(locks.held("t1"), { shared: ["x"], exclusive: ["x"] });
  locks.releaseAll("t1");
  assert.equal(locks.holders, 0);
  assert.equal(locks.acquire("t2", "x", "exclusive"), true);
});

type Ctx = TestContext<TxnKvMsg, ShardTimer>;

function shard(storage?: MemoryStorage, locking = true) {
  const s = new Shard({ workload: "list-append", locking });
  const ctx: Ctx = new TestContext("n1", { storage });
  s.onStart(ctx);
  const exec = (txn: string, index: number, prior: number, op: MicroOp) => {
    ctx.deliver(s, { type: "Exec", txn, index, prior, op }, "c1");
    const reply = ctx.takeSent().at(-1)!.msg as Extract<TxnKvMsg, { type: "ExecReply" }>;
    return reply.ok ? reply.op : "refused";
  };
  return { s, ctx, exec };
}

Deno.test("shard: reads see committed values and the transaction's own appends; writers exclude readers", () => {
  const { exec } = shard();
  assert.deepEqual(exec("t1", 0, 0, ["r", 1, null]), ["r", 1, null]);
  assert.deepEqual(exec("t1", 1, 1, ["append", 1, 10]), ["append", 1, 10]);
  assert.deepEqual(exec("t1", 2, 2, ["r", 1, null]), ["r", 1, [10]]);
  // Repeated requests get the same answer.
  assert.deepEqual(exec("t1", 0, 0, ["r", 1, null]), ["r", 1, null]);
  assert.equal(exec("t2", 0, 0, ["r", 1, null]), "refused"); // no-wait: t1 holds key 1
  // Without locks, t3 reads the committed (empty) list right past t1's append.
  const open = shard(undefined, false);
  open.exec("t1", 0, 0, ["append", 1, 10]);
  assert.deepEqual(open.exec("t3", 0, 0, ["r", 1, null]), ["r", 1, null]);
});

Deno.test("shard: a prepared transaction's writes and locks are durable; commit applies them", () => {
  const { s, ctx, exec } = shard();
  exec("t1", 0, 0, ["append", 1, 10]);
  ctx.deliver(s, { type: "Prepare", txn: "t1", participants: ["n1"], epoch: 1 }, "tm");
  assert.deepEqual(ctx.takeSent(), [{
    to: "tm",
    msg: { type: "Vote", txn: "t1", yes: true, epoch: 1 },
  }]);
  assert.deepEqual(ctx.storage.get("prep/t1"), {
    writes: [[1, 10]],
    locks: { shared: [], exclusive: [1] },
  });
  // A restart keeps the prepared transaction's lock.
  const again = shard(ctx.storage);
  assert.equal(again.exec("t2", 0, 0, ["r", 1, null]), "refused");
  again.ctx.deliver(again.s, { type: "Decision", txn: "t1", outcome: "commit" }, "tm");
  assert.deepEqual(again.s.data.get(1), [10]);
  assert.deepEqual(again.exec("t2", 0, 0, ["r", 1, null]), ["r", 1, [10]]);
});

Deno.test("shard: a transaction whose earlier operations were lost is refused, and cannot prepare", () => {
  const first = shard();
  first.exec("t1", 0, 0, ["r", 2, null]);
  // The shard crashes: t1's read and its lock are gone.
  const again = shard(first.ctx.storage);
  assert.equal(again.exec("t1", 1, 1, ["append", 2, 5]), "refused");
  again.ctx.deliver(again.s, { type: "Prepare", txn: "t1", participants: ["n1"], epoch: 1 }, "tm");
  assert.deepEqual(again.ctx.takeSent(), [
    { to: "tm", msg: { type: "Vote", txn: "t1", yes: false, epoch: 1 } },
  ]);
});

Deno.test("shard: an idle unprepared transaction is dropped with its locks", () => {
  const { s, ctx, exec } = shard();
  exec("t1", 0, 0, ["append", 3, 1]);
  ctx.advance(1000);
  ctx.fireDue(s);
  assert.deepEqual(exec("t2", 0, 0, ["r", 3, null]), ["r", 3, null]);
});

Deno.test("client: executes one micro-operation at a time, aborts on a refusal and releases the locks it holds", () => {
  const client = new TxnClient({
    shards: ["n1", "n2"],
    coordinator: "tm",
    workload: "list-append",
    txns: 1,
    keys: 2,
    maxOps: 2,
    index: 0,
    clients: 1,
  });
  // Draws: the pause; 2 ops; key 0, a read; key 1, an append.
  const ctx = new TestContext<TxnKvMsg, TxnClientTimer>("c1", {
    random: [0.5, 0.9, 0.1, 0.1, 0.9, 0.9],
  });
  client.onStart(ctx);
  ctx.advance(1000);
  ctx.fireDue(client);
  const [first] = ctx.takeSent();
  assert.deepEqual(first.msg, {
    type: "Exec",
    txn: "c1.1",
    index: 0,
    prior: 0,
    op: ["r", 0, null],
  });
  ctx.deliver(
    client,
    { type: "ExecReply", txn: "c1.1", index: 0, ok: true, op: ["r", 0, [7]] },
    "n1",
  );
  const [second] = ctx.takeSent();
  assert.equal(second.to, "n2");
  ctx.deliver(
    client,
    { type: "ExecReply", txn: "c1.1", index: 1, ok: false, op: ["append", 1, 1] },
    "n2",
  );
  // n1 holds its read lock; n2 refused and dropped it already.
  assert.deepEqual(ctx.takeSent().map((s) => [s.to, s.msg.type]), [["n1", "Release"]]);
  assert.equal(ctx.ops[0].status, "fail");
  assert.deepEqual(ctx.ops[0].input, [["r", 0, null], ["append", 1, 1]]);
});

Deno.test("history: Jepsen's form, as the project's JSON lines and as invoke/complete events", () => {
  const run = runScenario(txnKv, { seed: 3, trace: "off" });
  const ops = run.sim.history.operations;
  const committed = ops.find((op) => op.status === "ok")!;
  assert.equal(committed.f, "txn");
  assert.ok((committed.input as MicroOp[]).every(([f, , v]) => f !== "r" || v === null));
  // The JSON lines read back with the checkers' parser, one operation per transaction.
  const parsed = parseJsonHistory(txnHistoryJson(ops));
  assert.equal(parsed.length, ops.length);
  assert.deepEqual(parsed.find((p) => p.status === "ok")?.output, committed.output);
  const events = jepsenEvents(ops);
  assert.equal(events.length, 2 * ops.length);
  assert.deepEqual(events.map((e) => e.index), events.map((_, i) => i));
  assert.ok(events.every((e, i) => i === 0 || events[i - 1].time <= e.time));
});

Deno.test("txn-kv: 2PC's checks and the transaction checker hold under random faults, both workloads", () => {
  assertSeeds(txnKv, { seeds: { from: 1, to: 100 } });
  assertSeeds(txnKv, { seeds: { from: 1, to: 60 }, flags: { workload: "rw-register" } });
});

Deno.test("txn-kv: the planted flaw (no locking) is caught by the transaction checker, anomalies named", () => {
  for (const workload of ["list-append", "rw-register"] as const) {
    const found = checkSeeds(txnKv, {
      seeds: { from: 1, to: 30 },
      flags: { workload, locking: false },
    });
    assert.equal(found.failures.length, 1, `${workload}: no seed in 30 showed an anomaly`);
    const v = found.failures[0].violations[0];
    assert.equal(v.check, "transactions");
    assert.match(
      v.message,
      /^(G0|G1a|G1b|G1c|G-single|G2|internal|lost-update|incompatible-order)/,
    );
  }
  const run = runScenario(txnKv, { seed: 1, flags: { locking: false }, trace: "off" });
  assert.ok(run.summary.some((l) => /^strict-serializable: NO/.test(l)));
  assert.ok(run.summary.some((l) => / -rw-> /.test(l)), "a cycle is shown");
  assert.ok(
    runScenario(txnKv, { seed: 1, trace: "off" }).summary.some((l) =>
      /^strict-serializable: yes/.test(l)
    ),
  );
});

Deno.test("txn-kv: --consistency names the model the history is judged against", () => {
  const run = runScenario(txnKv, {
    seed: 1,
    flags: { locking: false, consistency: "read-uncommitted" },
    trace: "off",
  });
  const verdict = run.summary.find((l) => /^read-uncommitted: /.test(l));
  assert.ok(verdict, "the verdict names the model");
  assert.equal(run.ok, verdict.startsWith("read-uncommitted: yes"));
});
