/**
 * Spanner's commit wait (lecture 8.2): why a database that orders
 * transactions by clock timestamps must wait out its clocks' uncertainty.
 *
 * Two shards: `sA` holds k0 and its clock runs 8 ms fast; `sB` holds k1 and
 * its clock runs 8 ms slow. TrueTime knows every clock is within ε = 10 ms
 * of the truth. alice writes k0 (T1, at sA); as soon as she hears it
 * committed, she tells bob, who writes k1 (T2, at sB). Then carol, whose
 * clock is also 8 ms slow, reads both keys at a snapshot.
 *
 * A commit timestamp is `TT.now().latest` at the shard: sA's fast clock puts
 * T1 up to 2ε in the future. Without commit wait, alice hears of the commit
 * before that future arrives, bob's T2 gets an earlier timestamp although it
 * began after T1 ended, and carol's snapshot between the two sees bob's
 * write without alice's. With commit wait, sA answers only once
 * `TT.after(ts)`: T1's timestamp has certainly passed, so everything that
 * starts afterwards gets a later one.
 *
 * Run it with `deno run examples/spanner_commit_wait.ts` (no permissions needed).
 *
 * @module
 */

import type { Actor, Context, NodeId } from "../actors/mod.ts";
import { Simulation } from "../sim/simulation.ts";
import type { SpannerMsg, SpannerRequest } from "../protocols/spanner/messages.ts";
import { Shard } from "../protocols/spanner/shard.ts";
import { TrueTime } from "../protocols/spanner/true_time.ts";

/** TrueTime's bound, and the clocks' errors. */
const EPSILON = 10, FAST = 8, SLOW = -8;

/**
 * What happened to each transaction, in global (true) time.
 *
 * @example
 * ```ts
 * import type { CommitWaitRun } from "./spanner_commit_wait.ts";
 * import assert from "node:assert/strict";
 * const show = (r: CommitWaitRun) => r.t1.ts < r.t2.ts;
 * assert.equal(typeof show, "function");
 * ```
 */
export interface CommitWaitRun {
  /** alice's write of k0: sent, acknowledged, its commit timestamp. */
  t1: { sent: number; acked: number; ts: number };
  /** bob's write of k1. */
  t2: { sent: number; acked: number; ts: number };
  /** carol's snapshot read of k0 and k1. */
  read: { ts: number; k0: string | null; k1: string | null };
}

/**
 * alice, then bob, then carol, played by one actor on a true clock: each
 * begins when the one before has her answer. carol's snapshot timestamp
 * comes from her own clock, which is 8 ms slow.
 */
class Users implements Actor<SpannerMsg, "start"> {
  step = 0;
  readonly log: { sent: number; acked: number; reply: SpannerMsg }[] = [];
  #sent = 0;
  #waiting = 0;
  readonly #values: Record<string, string | null> = {};
  readonly #carol = new TrueTime(EPSILON);
  snapshot = NaN;

  onStart(ctx: Context<SpannerMsg, "start">): void {
    ctx.setTimer("start", 10);
  }
  onTimer(ctx: Context<SpannerMsg, "start">): void {
    if (this.step < 3) this.#next(ctx);
  }
  onMessage(ctx: Context<SpannerMsg, "start">, msg: SpannerMsg): void {
    if (msg.type === "snapshot") Object.assign(this.#values, msg.values);
    if (--this.#waiting > 0) return;
    this.log.push({
      sent: this.#sent,
      acked: ctx.now(),
      reply: msg.type === "snapshot" ? { ...msg, values: { ...this.#values } } : msg,
    });
    // The next user hears of it and begins a millisecond later.
    ctx.setTimer("start", 1);
  }
  #next(ctx: Context<SpannerMsg, "start">): void {
    this.#sent = ctx.now();
    const send = (to: NodeId, m: SpannerRequest) => {
      this.#waiting++;
      ctx.send(to, m);
    };
    switch (this.step++) {
      case 0: // alice
        return send("sA", { type: "read-write", txn: "T1", keys: ["k0"], value: "T1" });
      case 1: // bob
        return send("sB", { type: "read-write", txn: "T2", keys: ["k1"], value: "T2" });
      case 2: { // carol
        this.snapshot = this.#carol.now(ctx.now() + SLOW).latest;
        send("sA", { type: "read-only", txn: "R", keys: ["k0"], ts: this.snapshot });
        send("sB", { type: "read-only", txn: "R", keys: ["k1"], ts: this.snapshot });
        return;
      }
    }
  }
}

/**
 * The story, with commit wait on or off.
 *
 * @example
 * ```ts
 * import { runCommitWait } from "./spanner_commit_wait.ts";
 * import assert from "node:assert/strict";
 * const wait = runCommitWait(true), none = runCommitWait(false);
 * assert.ok(wait.t1.ts < wait.t2.ts);
 * assert.ok(none.t2.sent > none.t1.acked && none.t2.ts < none.t1.ts); // inverted
 * assert.deepEqual([none.read.k0, none.read.k1], [null, "T2"]); // T2 without T1
 * assert.deepEqual([wait.read.k0, wait.read.k1], ["T1", "T2"]);
 * ```
 */
export function runCommitWait(commitWait: boolean): CommitWaitRun {
  // One millisecond each way, so that the clocks are what matters.
  const sim = new Simulation({ seed: 1, network: { latency: { kind: "fixed", ms: 1 } } });
  const shard = () => new Shard({ epsilonMs: EPSILON, commitWait });
  sim.spawn("sA", shard, { clock: { skewMs: FAST } });
  sim.spawn("sB", shard, { clock: { skewMs: SLOW } });
  const users = new Users();
  sim.spawn("users", () => users);
  sim.run({ until: 200 });
  const [t1, t2, read] = users.log;
  const ts = (m: SpannerMsg) => (m as { ts: number }).ts;
  const values = (read.reply as { values: Record<string, string | null> }).values;
  return {
    t1: { sent: t1.sent, acked: t1.acked, ts: ts(t1.reply) },
    t2: { sent: t2.sent, acked: t2.acked, ts: ts(t2.reply) },
    read: { ts: users.snapshot, k0: values.k0, k1: values.k1 },
  };
}

/**
 * The lesson as text.
 *
 * @example
 * ```ts
 * import { spannerExample } from "./spanner_commit_wait.ts";
 * import assert from "node:assert/strict";
 * assert.match(spannerExample(), /commit wait/);
 * ```
 */
export function spannerExample(): string {
  const r = (x: number) => Math.round(x * 10) / 10;
  const row = (label: string, run: CommitWaitRun) => {
    const ordered = run.t1.ts < run.t2.ts ? "T1 < T2: ok" : "T2 < T1: WRONG";
    return `  ${label.padEnd(18)}${String(r(run.t1.ts)).padStart(8)}${
      String(r(run.t1.acked)).padStart(10)
    }` +
      `${String(r(run.t2.sent)).padStart(10)}${String(r(run.t2.ts)).padStart(8)}   ${
        ordered.padEnd(16)
      }` +
      `k0=${run.read.k0 ?? "-"} k1=${run.read.k1 ?? "-"}`;
  };
  const wait = runCommitWait(true), none = runCommitWait(false);
  return [
    "sA's clock runs 8 ms fast, sB's and carol's 8 ms slow; TrueTime's ε is 10 ms. alice writes k0",
    "at sA (T1); when she hears it committed, bob writes k1 at sB (T2); then carol reads both at a",
    "snapshot timestamp, TT.now().latest of her clock. Times are true (global) ms.",
    "",
    `  ${"".padEnd(18)}${"ts(T1)".padStart(8)}${"T1 acked".padStart(10)}${
      "T2 began".padStart(10)
    }` +
    `${"ts(T2)".padStart(8)}   ${"order".padEnd(16)}carol's snapshot`,
    row("no commit wait", none),
    row("commit wait", wait),
    "",
    "A commit timestamp is TT.now().latest at the shard, and sA's fast clock puts it up to 2ε in",
    "the future. Without commit wait alice hears of T1 before that future arrives; bob's T2, which",
    "began after, gets an earlier timestamp from sB's slow clock; carol's snapshot, between the",
    "two, sees bob's write and not alice's, though alice's came first. With commit wait sA answers",
    `only once TT.after(ts(T1)), ${
      r(wait.t1.acked - wait.t1.sent)
    } ms after alice asked instead of ${r(none.t1.acked - none.t1.sent)}: then`,
    "everything that starts later gets a later timestamp, and every snapshot taken later sees T1.",
    "",
    "Try: deno task sim run spanner --commit-wait false   (external consistency checked over a run)",
  ].join("\n");
}

if (import.meta.main) console.log(spannerExample());
