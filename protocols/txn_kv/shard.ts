/**
 * A shard of the transactional key-value store: it owns some keys, executes
 * transactions' micro-operations under strict two-phase locking, and is a
 * two-phase commit participant (`protocols/commit/participant.ts`) whose
 * resource is its store.
 *
 * - **Execute**: a read takes a shared lock and sees the committed value
 *   plus the transaction's own writes; a write takes the exclusive lock and
 *   is buffered. A lock another transaction holds refuses the request (no
 *   waiting, so no deadlock) and the transaction aborts.
 * - **Prepare** (the vote): the buffered writes and the locks held are
 *   written to durable storage, so a prepared transaction survives a crash
 *   with its locks; a transaction the shard no longer knows (it crashed, or
 *   gave up on an idle transaction) gets a no.
 * - **Commit** applies the writes; commit and abort release the locks.
 *
 * With `locking: false` (the planted flaw) no lock is taken: reads see
 * whatever is committed when they run, and the history shows the anomalies
 * the transaction checker names.
 *
 * @module
 */

import type { Actor, Context, NodeId } from "../../actors/mod.ts";
import type { TxnId } from "../commit/messages.ts";
import { Participant, type ParticipantTimer } from "../commit/participant.ts";
import type { Resource } from "../commit/resource.ts";
import { type HeldLocks, type Key, LockTable } from "./lock_table.ts";
import type { MicroOp, TxnKvMsg, Value, Workload } from "./messages.ts";

/**
 * A shard's timers: 2PC's, and giving up on an idle unprepared transaction.
 *
 * @example
 * ```ts
 * import type { ShardTimer } from "./shard.ts";
 * import assert from "node:assert/strict";
 * const t: ShardTimer = { type: "expire", txn: "c1.1" };
 * assert.equal(t.type, "expire");
 * ```
 */
export type ShardTimer = ParticipantTimer | { type: "expire"; txn: TxnId };

/**
 * Settings of a shard.
 *
 * @example
 * ```ts
 * import type { ShardConfig } from "./shard.ts";
 * import assert from "node:assert/strict";
 * const c: ShardConfig = { workload: "list-append", locking: true };
 * assert.equal(c.locking, true);
 * ```
 */
export interface ShardConfig {
  /** Lists appended to, or registers written. */
  workload: Workload;
  /** Strict two-phase locking (default true); false is the planted flaw. */
  locking?: boolean;
  /** An unprepared transaction idle this long is dropped with its locks, ms (default 400). */
  idleMs?: number;
}

/** A transaction executing here, not yet prepared (volatile). */
interface Active {
  /** Micro-operations executed here. */
  ops: number;
  /** Buffered writes, in order. */
  writes: Array<[Key, Value]>;
  /** Results by the transaction's micro-operation index, for repeated requests. */
  results: Map<number, MicroOp>;
}

/** A prepared transaction, as written to durable storage. */
interface Prepared {
  writes: Array<[Key, Value]>;
  locks: HeldLocks;
}

/**
 * A shard (see the module documentation).
 *
 * @example
 * ```ts
 * import { Shard, type ShardTimer } from "./shard.ts";
 * import type { TxnKvMsg } from "./messages.ts";
 * import { TestContext } from "../../actors/test_context.ts";
 * import assert from "node:assert/strict";
 * const shard = new Shard({ workload: "list-append" });
 * const ctx = new TestContext<TxnKvMsg, ShardTimer>("n1");
 * shard.onStart(ctx);
 * ctx.deliver(shard, { type: "Exec", txn: "t1", index: 0, prior: 0, op: ["append", 1, 5] }, "c1");
 * ctx.deliver(shard, { type: "Exec", txn: "t1", index: 1, prior: 1, op: ["r", 1, null] }, "c1");
 * assert.deepEqual(ctx.takeSent().at(-1)?.msg, {
 *   type: "ExecReply", txn: "t1", index: 1, ok: true, op: ["r", 1, [5]], // its own append
 * });
 * // Another transaction cannot read key 1 while t1 holds it.
 * ctx.deliver(shard, { type: "Exec", txn: "t2", index: 0, prior: 0, op: ["r", 1, null] }, "c2");
 * assert.equal((ctx.takeSent()[0].msg as { ok: boolean }).ok, false);
 * ```
 */
export class Shard implements Actor<TxnKvMsg, ShardTimer>, Resource {
  /** Committed values by key (durable). */
  readonly data: Map<Key, Value[] | Value> = new Map();
  /** The 2PC participant whose resource this shard is. */
  readonly participant: Participant;
  readonly #locks = new LockTable();
  readonly #active = new Map<TxnId, Active>();
  readonly #prepared = new Map<TxnId, Prepared>();
  readonly #locking: boolean;
  readonly #idleMs: number;

  /** A shard for `config.workload`. */
  constructor(readonly config: ShardConfig) {
    this.#locking = config.locking ?? true;
    this.#idleMs = config.idleMs ?? 400;
    this.participant = new Participant({ resource: this });
  }

  onStart(ctx: Context<TxnKvMsg, ShardTimer>): void {
    for (const key of ctx.storage.keys()) {
      if (key.startsWith("data/")) this.data.set(JSON.parse(key.slice(5)), ctx.storage.get(key)!);
      if (key.startsWith("prep/")) {
        const txn = key.slice(5);
        const prepared = ctx.storage.get<Prepared>(key)!;
        this.#prepared.set(txn, prepared);
        this.#locks.restore(txn, prepared.locks); // prepared: it keeps its locks across a crash
      }
    }
    this.participant.onStart(ctx);
  }

  onMessage(ctx: Context<TxnKvMsg, ShardTimer>, msg: TxnKvMsg, from: NodeId): void {
    switch (msg.type) {
      case "Exec":
        return this.#exec(ctx, msg.txn, msg.index, msg.prior, msg.op, from);
      case "Release":
        if (this.#active.has(msg.txn)) this.abort(ctx, msg.txn);
        return;
      case "ExecReply":
        return;
      default:
        return this.participant.onMessage(ctx, msg, from);
    }
  }

  onTimer(ctx: Context<TxnKvMsg, ShardTimer>, timer: ShardTimer): void {
    if (timer.type === "expire") {
      // Idle and unprepared: its client is gone or slow; free its locks.
      if (this.#active.has(timer.txn)) this.abort(ctx, timer.txn);
      return;
    }
    this.participant.onTimer(ctx, timer);
  }

  /** What the studio and fingerprints see. */
  inspect(): { keys: number; active: number; prepared: TxnId[]; lockHolders: number } {
    return {
      keys: this.data.size,
      active: this.#active.size,
      prepared: [...this.#prepared.keys()],
      lockHolders: this.#locks.holders,
    };
  }

  // ---- the resource two-phase commit asks -----------------------------------------------

  /** The vote: make the buffered writes and the locks durable, if the transaction is still here. */
  prepare(ctx: Context<unknown, unknown>, txn: TxnId): boolean {
    const active = this.#active.get(txn);
    if (active === undefined) return false; // lost in a crash, or given up: it cannot commit
    const prepared: Prepared = { writes: active.writes, locks: this.#locks.held(txn) };
    ctx.storage.set(`prep/${txn}`, prepared);
    this.#prepared.set(txn, prepared);
    this.#active.delete(txn);
    ctx.cancelTimer({ type: "expire", txn });
    return true;
  }

  /** Applies the prepared writes and releases the locks. */
  commit(ctx: Context<unknown, unknown>, txn: TxnId): void {
    const prepared = this.#prepared.get(txn);
    if (prepared !== undefined) {
      for (const [key, value] of prepared.writes) {
        const next = this.config.workload === "list-append"
          ? [...((this.data.get(key) as Value[] | undefined) ?? []), value]
          : value;
        this.data.set(key, next);
        ctx.storage.set(`data/${JSON.stringify(key)}`, next);
      }
    }
    this.#forget(ctx, txn);
  }

  /** Drops whatever the transaction did here and releases its locks. */
  abort(ctx: Context<unknown, unknown>, txn: TxnId): void {
    this.#forget(ctx, txn);
  }

  #forget(ctx: Context<unknown, unknown>, txn: TxnId): void {
    if (this.#prepared.delete(txn)) ctx.storage.delete(`prep/${txn}`);
    this.#active.delete(txn);
    this.#locks.releaseAll(txn);
    ctx.cancelTimer({ type: "expire", txn });
  }

  // ---- executing micro-operations -----------------------------------------------------------

  #exec(
    ctx: Context<TxnKvMsg, ShardTimer>,
    txn: TxnId,
    index: number,
    prior: number,
    op: MicroOp,
    from: NodeId,
  ): void {
    const reply = (ok: boolean, result: MicroOp) =>
      ctx.send(from, { type: "ExecReply", txn, index, ok, op: result });
    const active = this.#active.get(txn);
    const done = active?.results.get(index);
    if (done !== undefined) return reply(true, done); // a repeated request
    // Lost earlier operations (and their locks), or already prepared or decided: refuse.
    if (
      (active?.ops ?? 0) !== prior || this.#prepared.has(txn) || this.participant.records.has(txn)
    ) {
      return reply(false, op);
    }
    const [f, key] = op;
    if (this.#locking && !this.#locks.acquire(txn, key, f === "r" ? "shared" : "exclusive")) {
      this.abort(ctx, txn); // no-wait: a conflict aborts the requester
      return reply(false, op);
    }
    const a: Active = active ?? { ops: 0, writes: [], results: new Map() };
    this.#active.set(txn, a);
    const result: MicroOp = f === "r" ? ["r", key, this.#read(a, key)] : op;
    if (f !== "r") a.writes.push([key, op[2] as Value]);
    a.ops++;
    a.results.set(index, result);
    ctx.setTimer({ type: "expire", txn }, this.#idleMs);
    reply(true, result);
  }

  /** The committed value with the transaction's own writes on top; null for nothing at all. */
  #read(a: Active, key: Key): Value[] | Value | null {
    const own = a.writes.filter(([k]) => k === key).map(([, v]) => v);
    const committed = this.data.get(key);
    if (this.config.workload === "rw-register") {
      return own.length > 0 ? own[own.length - 1] : (committed as Value | undefined) ?? null;
    }
    const list = [...((committed as Value[] | undefined) ?? []), ...own];
    return list.length > 0 ? list : null;
  }
}
