/**
 * A Spanner shard's leader (lecture 8.2): it assigns commit timestamps from
 * TrueTime, keeps every version of its keys, and waits out the clock
 * uncertainty before it acknowledges a commit.
 *
 * ```text
 * on read-write(txn, keys, value):
 *   s := max(TT.now().latest, last + tick); last := s       commit timestamp
 *   read the latest value of each key; write value to each key at version s (durably)
 *   commit wait: until TT.after(s), i.e. s < TT.now().earliest
 *   reply committed(txn, s, reads)
 * on read-only(txn, keys, s_read):
 *   last := max(last, s_read)                                no later commit at or before s_read
 *   wait until no commit at or before s_read is still in its commit wait   (t_safe >= s_read)
 *   reply snapshot(txn, value of each key as of s_read)
 * ```
 *
 * Commit wait is what makes timestamps agree with real time: when the reply
 * leaves, s has certainly passed, so any transaction that starts after the
 * client hears of the commit gets a later timestamp (its `TT.now().latest`
 * is at least the true time), and any snapshot taken after it includes the
 * commit. Without the wait a shard whose clock runs ahead hands out
 * timestamps from the future, and a later transaction elsewhere can be
 * ordered before it.
 *
 * A commit's writes are applied (visible to snapshots) only once its wait is
 * over, as in Spanner (section 4.2.1): a snapshot read at `s_read` waits for
 * every commit at or before `s_read` still waiting. Otherwise a reader whose
 * clock runs ahead could see a commit that a later reader, with a clock
 * behind, does not: read skew in real time, which the transaction checker
 * finds as a `G-single-realtime` when this wait is left out.
 *
 * Each read-write transaction touches keys of one shard, so it is atomic in
 * one handler: two-phase locking degenerates to running it to completion.
 * (Spanner makes multi-shard transactions atomic with two-phase commit over
 * Paxos groups, lecture 7.1; commit wait is the same there, at the
 * coordinator.) Bumping `last` on a read is the leader's promise that every
 * version a snapshot at `s_read` may see is already in place.
 *
 * Durability: the versions, `last` and each client's last transaction and
 * reply are in storage before anything is sent, and after a restart the
 * shard finishes the commit waits it had begun.
 *
 * @module
 */

import type { Actor, Context, NodeId } from "../../actors/mod.ts";
import type { SpannerMsg, SpannerReply, SpannerRequest } from "./messages.ts";
import { MultiVersionStore, type Version } from "./mvcc_store.ts";
import { TrueTime } from "./true_time.ts";

/**
 * Settings of a {@linkcode Shard}.
 *
 * @example
 * ```ts
 * import type { ShardConfig } from "./shard.ts";
 * import assert from "node:assert/strict";
 * const c: ShardConfig = { epsilonMs: 7, commitWait: true };
 * assert.equal(c.epsilonMs, 7);
 * ```
 */
export interface ShardConfig {
  /** TrueTime's bound on this node's clock error, ms. */
  epsilonMs: number;
  /** Wait out the uncertainty before acknowledging a commit (default true; false is the bug). */
  commitWait?: boolean;
  /**
   * Snapshot reads wait for commits at or before their timestamp to finish
   * their commit wait (default true; false lets a reader see a commit early).
   */
  safeTime?: boolean;
}

/**
 * The shard's timer: the end of a commit wait.
 *
 * @example
 * ```ts
 * import type { ShardTimer } from "./shard.ts";
 * import assert from "node:assert/strict";
 * const t: ShardTimer = { type: "commit-wait", client: "c1" };
 * assert.equal(t.type, "commit-wait");
 * ```
 */
export type ShardTimer = { type: "commit-wait"; client: NodeId };

/** A client's last read-write transaction here, its reply, and whether that was sent. */
interface Session {
  txn: string;
  reply: SpannerReply & { type: "committed" };
  acked: boolean;
}

/** Smallest step between two commit timestamps of one shard, ms. */
const TICK = 0.001;
const LAST = "last";
const VERSIONS = "v/";
const SESSIONS = "session/";
/** Most snapshot reads a shard keeps waiting (one per client in flight, normally). */
const MAX_DEFERRED = 1000;

/**
 * A shard leader (see the module documentation).
 *
 * @example
 * ```ts
 * import { Shard } from "./shard.ts";
 * import { TestContext } from "../../actors/test_context.ts";
 * import assert from "node:assert/strict";
 * const shard = new Shard({ epsilonMs: 5 });
 * const ctx = new TestContext<any, any>("s1", { now: 100 });
 * shard.onStart(ctx);
 * shard.onMessage(ctx, { type: "read-write", txn: "c1:1", keys: ["k0"], value: "c1:1" }, "c1");
 * assert.deepEqual(ctx.takeSent(), []); // commit wait: 105 must pass for sure
 * ctx.advance(11);
 * ctx.fireDue(shard);
 * assert.deepEqual(ctx.takeSent(), [{
 *   to: "c1", msg: { type: "committed", txn: "c1:1", ts: 105, reads: { k0: null } },
 * }]);
 * ```
 */
export class Shard implements Actor<SpannerMsg, ShardTimer> {
  /** TrueTime over this node's clock. */
  readonly tt: TrueTime;
  /** Whether commits wait out the uncertainty. */
  readonly commitWait: boolean;
  /** Whether snapshot reads wait for commits still waiting. */
  readonly safeTime: boolean;
  /** The versions of this shard's keys. */
  store: MultiVersionStore = new MultiVersionStore();
  /** The highest timestamp given out or promised. */
  last: number = -Infinity;
  /** Read-write transactions committed by this instance, and snapshots served. */
  readonly counts: { committed: number; snapshots: number; waitedMs: number } = {
    committed: 0,
    snapshots: 0,
    waitedMs: 0,
  };
  readonly #sessions = new Map<NodeId, Session>();
  /** Snapshot reads waiting for commits at or before their timestamp to finish waiting. */
  #deferred: { client: NodeId; msg: SpannerRequest & { type: "read-only" } }[] = [];

  /** A shard leader with TrueTime of width `2 × epsilonMs`. */
  constructor(config: ShardConfig) {
    this.tt = new TrueTime(config.epsilonMs);
    this.commitWait = config.commitWait ?? true;
    this.safeTime = config.safeTime ?? true;
  }

  /** Loads the versions, `last` and the sessions; finishes commit waits begun before a crash. */
  onStart(ctx: Context<SpannerMsg, ShardTimer>): void {
    const versions: Record<string, Version[]> = {};
    for (const k of ctx.storage.keys()) {
      if (k.startsWith(VERSIONS)) versions[k.slice(VERSIONS.length)] = ctx.storage.get(k)!;
    }
    this.store = new MultiVersionStore(versions);
    this.last = ctx.storage.get<number>(LAST) ?? -Infinity;
    this.#sessions.clear();
    this.#deferred = [];
    for (const k of ctx.storage.keys()) {
      if (!k.startsWith(SESSIONS)) continue;
      const session = ctx.storage.get<Session>(k)!;
      const client = k.slice(SESSIONS.length);
      this.#sessions.set(client, session);
      ctx.sometimes("commit wait resumed after a restart", !session.acked);
      if (!session.acked) this.#waitThenReply(ctx, client, session);
    }
  }

  /** Runs a read-write transaction, or serves a snapshot read. */
  onMessage(ctx: Context<SpannerMsg, ShardTimer>, msg: SpannerMsg, from: NodeId): void {
    switch (msg.type) {
      case "read-write":
        return this.#readWrite(ctx, msg, from);
      case "read-only":
        return this.#readOnly(ctx, msg, from);
      case "committed":
      case "snapshot":
        throw new Error(`${ctx.self}: a shard sends replies, it does not take them`);
      default: {
        const never: never = msg;
        throw new Error(`${ctx.self}: unexpected message ${JSON.stringify(never)}`);
      }
    }
  }

  /** The end of a commit wait: reply if the timestamp has certainly passed. */
  onTimer(ctx: Context<SpannerMsg, ShardTimer>, timer: ShardTimer): void {
    if (timer.type !== "commit-wait") return;
    const session = this.#sessions.get(timer.client);
    if (session === undefined || session.acked) return;
    this.#waitThenReply(ctx, timer.client, session);
  }

  /** The last timestamp, the counts, and the transactions still waiting. */
  inspect(): unknown {
    const waiting = [...this.#sessions.values()].filter((s) => !s.acked).map((s) => s.txn);
    return { last: this.last, ...this.counts, waiting, deferredReads: this.#deferred.length };
  }

  #readWrite(
    ctx: Context<SpannerMsg, ShardTimer>,
    msg: SpannerRequest & { type: "read-write" },
    client: NodeId,
  ): void {
    const session = this.#sessions.get(client);
    if (session?.txn === msg.txn) {
      // A duplicate: answer again if the commit was acknowledged; else its wait will.
      if (session.acked) ctx.send(client, session.reply);
      return;
    }
    const ts = Math.max(this.tt.now(ctx.now()).latest, this.last + TICK);
    this.#setLast(ctx, ts);
    const reads: Record<string, string | null> = {};
    for (const key of msg.keys) {
      reads[key] = this.store.latest(key);
      this.store.write(key, msg.value, ts);
      ctx.storage.set(VERSIONS + key, this.store.versions(key));
    }
    this.counts.committed++;
    const next: Session = {
      txn: msg.txn,
      reply: { type: "committed", txn: msg.txn, ts, reads },
      acked: false,
    };
    this.#sessions.set(client, next);
    ctx.storage.set(SESSIONS + client, next);
    this.#waitThenReply(ctx, client, next);
  }

  /** Replies once TT.after(ts), or at once without commit wait. */
  #waitThenReply(ctx: Context<SpannerMsg, ShardTimer>, client: NodeId, session: Session): void {
    const wait = this.commitWait ? this.tt.waitUntilAfter(ctx.now(), session.reply.ts) : 0;
    if (wait > 0) {
      // A hair longer than the bound, so that the timer finds ts certainly passed.
      ctx.setTimer({ type: "commit-wait", client }, wait + TICK);
      this.counts.waitedMs += wait;
      return;
    }
    session.acked = true;
    ctx.storage.set(SESSIONS + client, session);
    ctx.send(client, session.reply);
    // Applied: snapshots that waited for it may now be served.
    const waiting = this.#deferred;
    this.#deferred = [];
    for (const d of waiting) this.#readOnly(ctx, d.msg, d.client);
  }

  /** The earliest commit timestamp still in its commit wait, or `Infinity`. */
  #earliestWaiting(): number {
    let min = Infinity;
    for (const s of this.#sessions.values()) if (!s.acked && s.reply.ts < min) min = s.reply.ts;
    return min;
  }

  #readOnly(
    ctx: Context<SpannerMsg, ShardTimer>,
    msg: SpannerRequest & { type: "read-only" },
    client: NodeId,
  ): void {
    // No commit from now on may take a timestamp at or before the snapshot.
    if (msg.ts > this.last) this.#setLast(ctx, msg.ts);
    // t_safe: every commit at or before the snapshot is applied, or the read waits.
    const unsafe = this.#earliestWaiting() <= msg.ts;
    ctx.sometimes("snapshot read at or after a commit still waiting", unsafe);
    if (this.safeTime && unsafe) {
      if (this.#deferred.length >= MAX_DEFERRED) return; // overloaded: the client times out
      this.#deferred.push({ client, msg });
      return;
    }
    const values: Record<string, string | null> = {};
    for (const key of msg.keys) values[key] = this.store.readAt(key, msg.ts);
    this.counts.snapshots++;
    ctx.send(client, { type: "snapshot", txn: msg.txn, values });
  }

  #setLast(ctx: Context<SpannerMsg, ShardTimer>, ts: number): void {
    this.last = ts;
    ctx.storage.set(LAST, ts);
  }
}
