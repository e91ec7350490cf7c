/**
 * One actor on the real clock: the {@linkcode Context} of the actor contract
 * implemented with real timers, a real transport and durable storage, the
 * way the simulator implements it with virtual ones.
 *
 * Messages and fired timers wait in the host's inbox and are handled one at
 * a time, each handler running to completion, as in the simulator. The host
 * works in batches: it runs the handlers of what waits (up to a bound), then
 * commits the storage (fsync, for a {@linkcode DiskStorage}), and only then
 * releases the messages those handlers sent. A node killed at any moment has
 * therefore never told anyone something its disk does not know.
 *
 * Timers are plain data, as everywhere: setting a timer equal (as data) to
 * a pending one replaces it ({@linkcode timerKey}).
 *
 * @module
 */

import type { Actor, Context, OpId, OpStatus } from "../actors/actor.ts";
import type { NodeId } from "../actors/node_id.ts";
import { notPlainData } from "../actors/plain_data.ts";
import { MemoryStorage } from "../actors/storage.ts";
import { timerKey, timerName } from "../actors/timer_key.ts";
import type { History } from "../sim/history.ts";
import { Random } from "../sim/random.ts";
import type { DurableStorage } from "./disk_storage.ts";

/** Most handlers run between two commits. */
const BATCH = 256;
/** Most messages waiting in one inbox; beyond it, arrivals are dropped as a full mailbox would. */
const INBOX_CAPACITY = 100_000;

/**
 * How an {@linkcode ActorHost} reaches the world.
 *
 * @example
 * ```ts
 * import type { HostOptions } from "./host.ts";
 * import assert from "node:assert/strict";
 * const sent: unknown[] = [];
 * const options: HostOptions<string, string> = {
 *   id: "n1",
 *   actor: () => ({ onMessage() {} }),
 *   send: (to, msg) => sent.push([to, msg]),
 *   seed: 7,
 * };
 * assert.equal(options.id, "n1");
 * ```
 */
export interface HostOptions<M, T> {
  /** The node's id (`ctx.self`). */
  id: NodeId;
  /** Builds the actor; called once, at {@linkcode ActorHost.start}. */
  actor: () => Actor<M, T>;
  /** Hands a message to the transport. Called only after the storage is durable. */
  send: (to: NodeId, msg: M) => void;
  /** Where `ctx.storage` lives (default: memory, which a process restart loses). */
  storage?: DurableStorage;
  /** Seeds `ctx.random()`; the stream is this seed's, named after the node and `stream`. */
  seed: number;
  /** Extra name for the random stream, so a restarted process does not repeat its draws. */
  stream?: string;
  /** The local clock, in ms (default: milliseconds since the Unix epoch). */
  clock?: () => number;
  /** Where `ctx.log` notes go (default: nowhere). */
  log?: (note: string, data?: unknown) => void;
  /** Where `ctx.invoke` and `ctx.complete` record client operations (default: nowhere). */
  history?: History;
  /** The clock history times are read from (default: `clock`). */
  historyClock?: () => number;
  /** Called when a handler throws; the host stops first. Default: rethrow. */
  onError?: (error: unknown) => void;
}

/** Something waiting for the actor: a message or a fired timer. */
type Work<M, T> =
  | { kind: "message"; msg: M; from: NodeId }
  | { kind: "timer"; key: string; timer: T; generation: number };

/**
 * The real clock: epoch milliseconds, as precise as the platform gives.
 *
 * @example
 * ```ts
 * import { epochClock } from "./host.ts";
 * import assert from "node:assert/strict";
 * assert.ok(Math.abs(epochClock() - Date.now()) < 1000);
 * ```
 */
export function epochClock(): number {
  return performance.timeOrigin + performance.now();
}

/**
 * Runs one actor on the real clock.
 *
 * @example
 * ```ts
 * import { ActorHost } from "./host.ts";
 * import type { Actor, Context } from "../actors/actor.ts";
 * import assert from "node:assert/strict";
 *
 * type Msg = { type: "ping" } | { type: "pong" };
 * const ponger: Actor<Msg> = {
 *   onMessage(ctx: Context<Msg>, msg: Msg, from: string) {
 *     if (msg.type === "ping") ctx.send(from, { type: "pong" });
 *   },
 * };
 * const sent: Array<[string, Msg]> = [];
 * const host = new ActorHost<Msg, string>({
 *   id: "b", actor: () => ponger, send: (to, msg) => sent.push([to, msg]), seed: 1,
 * });
 * host.start();
 * host.deliver({ type: "ping" }, "a");
 * await host.idle();
 * assert.deepEqual(sent, [["a", { type: "pong" }]]);
 * host.stop();
 * ```
 */
export class ActorHost<M, T = string> {
  /** The node's id. */
  readonly id: NodeId;
  #options: HostOptions<M, T>;
  #actor: Actor<M, T> | undefined;
  #ctx: HostContext<M, T>;
  #inbox: Work<M, T>[] = [];
  #head = 0;
  #outbox: Array<{ to: NodeId; msg: M }> = [];
  #timers = new Map<string, { handle: ReturnType<typeof setTimeout>; generation: number }>();
  #generation = 0;
  #drainScheduled = false;
  #running = false;
  #stopped = false;
  #idleWaiters: Array<() => void> = [];
  /** Messages dropped because the inbox was full. */
  dropped = 0;

  /** A host for the actor `options.actor` builds; {@linkcode ActorHost.start} starts it. */
  constructor(options: HostOptions<M, T>) {
    this.id = options.id;
    this.#options = options;
    const storage = options.storage ?? Object.assign(new MemoryStorage(), { commit() {} });
    const random = Random.stream(options.seed, `node:${options.id}${options.stream ?? ""}`);
    this.#ctx = new HostContext(this, storage, random, options.clock ?? epochClock);
  }

  /** The actor, once started. */
  get actor(): Actor<M, T> | undefined {
    return this.#actor;
  }

  /** Whether {@linkcode ActorHost.stop} was called (or a handler threw). */
  get stopped(): boolean {
    return this.#stopped;
  }

  /** Builds the actor and runs its `onStart` (its sends leave after the commit). */
  start(): void {
    if (this.#actor !== undefined) throw new Error(`host ${this.id}: already started`);
    this.#actor = this.#options.actor();
    this.#handle(() => this.#actor!.onStart?.(this.#ctx));
    this.#release();
    // Whatever arrived before the start waits no longer.
    if (this.#head < this.#inbox.length) this.#schedule();
  }

  /** Queues a message for the actor. */
  deliver(msg: M, from: NodeId): void {
    if (this.#stopped) return;
    if (this.#inbox.length - this.#head >= INBOX_CAPACITY) {
      this.dropped++;
      return;
    }
    this.#inbox.push({ kind: "message", msg, from });
    this.#schedule();
  }

  /** Resolves once nothing waits in the inbox and every send is released. */
  idle(): Promise<void> {
    if (this.#stopped || (!this.#drainScheduled && this.#inbox.length === this.#head)) {
      return Promise.resolve();
    }
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /** Stops: timers are cleared, waiting work is dropped, nothing more is sent. */
  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    for (const { handle } of this.#timers.values()) clearTimeout(handle);
    this.#timers.clear();
    this.#inbox.length = 0;
    this.#head = 0;
    this.#outbox.length = 0;
    this.#wakeIdle();
  }

  // ---- what the context asks for ----------------------------------------------

  /** Queues a send until the batch's commit. */
  queueSend(to: NodeId, msg: M): void {
    const bad = notPlainData(msg);
    if (bad !== undefined) {
      throw new TypeError(`send from ${this.id} to ${to}: messages must be plain data; ${bad}`);
    }
    this.#outbox.push({ to, msg });
  }

  /** Arms (or re-arms) a timer. */
  setTimer(timer: T, afterMs: number): void {
    if (!(Number.isFinite(afterMs) && afterMs >= 0)) {
      throw new RangeError(`setTimer(${timerName(timer)}): afterMs must be >= 0, got ${afterMs}`);
    }
    if (this.#stopped) return;
    const key = timerKey(timer);
    const old = this.#timers.get(key);
    if (old !== undefined) clearTimeout(old.handle);
    const generation = ++this.#generation;
    // Copied now: a timer is data, and the caller may change its object later.
    const copy = typeof timer === "object" && timer !== null ? structuredClone(timer) : timer;
    const handle = setTimeout(() => {
      this.#inbox.push({ kind: "timer", key, timer: copy, generation });
      this.#schedule();
    }, afterMs);
    this.#timers.set(key, { handle, generation });
  }

  /** Cancels a pending timer, even one that fired but waits in the inbox. */
  cancelTimer(timer: T): void {
    const key = timerKey(timer);
    const old = this.#timers.get(key);
    if (old === undefined) return;
    clearTimeout(old.handle);
    this.#timers.delete(key);
  }

  /** What the host was built with. */
  get options(): HostOptions<M, T> {
    return this.#options;
  }

  // ---- the loop -----------------------------------------------------------------

  #schedule(): void {
    if (this.#drainScheduled || this.#running) return;
    this.#drainScheduled = true;
    // A macrotask, not a microtask: messages arriving in one burst of I/O
    // gather in the inbox and share one commit.
    setTimeout(() => this.#drain(), 0);
  }

  #drain(): void {
    this.#drainScheduled = false;
    if (this.#stopped || this.#actor === undefined) return;
    this.#running = true;
    try {
      for (let n = 0; n < BATCH && this.#head < this.#inbox.length && !this.#stopped; n++) {
        const work = this.#inbox[this.#head];
        this.#inbox[this.#head++] = undefined as unknown as Work<M, T>;
        this.#run(work);
      }
      if (this.#head === this.#inbox.length) {
        this.#inbox.length = 0;
        this.#head = 0;
      }
      this.#release();
    } finally {
      this.#running = false;
    }
    if (this.#stopped) return;
    if (this.#head < this.#inbox.length) this.#schedule();
    else this.#wakeIdle();
  }

  #run(work: Work<M, T>): void {
    const actor = this.#actor!;
    if (work.kind === "message") {
      this.#handle(() => actor.onMessage(this.#ctx, work.msg, work.from));
      return;
    }
    // A timer replaced or cancelled after it fired is no longer this one.
    if (this.#timers.get(work.key)?.generation !== work.generation) return;
    this.#timers.delete(work.key);
    this.#handle(() => actor.onTimer?.(this.#ctx, work.timer));
  }

  #handle(handler: () => void): void {
    try {
      handler();
    } catch (error) {
      this.stop();
      if (this.#options.onError === undefined) throw error;
      this.#options.onError(error);
    }
  }

  /** Durable first, then the sends. */
  #release(): void {
    if (this.#stopped) return;
    this.#ctx.storage.commit();
    const out = this.#outbox;
    if (out.length === 0) return;
    this.#outbox = [];
    for (const { to, msg } of out) this.#options.send(to, msg);
  }

  #wakeIdle(): void {
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const w of waiters) w();
  }
}

/** The context a hosted actor's handlers get. */
class HostContext<M, T> implements Context<M, T> {
  readonly self: NodeId;

  constructor(
    readonly host: ActorHost<M, T>,
    readonly storage: DurableStorage,
    readonly randomStream: Random,
    readonly clock: () => number,
  ) {
    this.self = host.id;
  }

  now(): number {
    return this.clock();
  }

  send(to: NodeId, msg: M): void {
    this.host.queueSend(to, msg);
  }

  setTimer(timer: T, afterMs: number): void {
    this.host.setTimer(timer, afterMs);
  }

  cancelTimer(timer: T): void {
    this.host.cancelTimer(timer);
  }

  random(): number {
    return this.randomStream.next();
  }

  log(note: string, data?: unknown): void {
    this.host.options.log?.(note, data);
  }

  invoke(f: string, input?: unknown): OpId {
    const history = this.host.options.history;
    if (history === undefined) return -1;
    return history.invoke(this.self, f, input, this.#historyNow());
  }

  complete(op: OpId, output?: unknown, status: OpStatus = "ok"): void {
    const history = this.host.options.history;
    if (history === undefined || op < 0) return;
    history.complete(op, output, status, this.#historyNow());
  }

  sometimes(_name: string, _condition: boolean): void {
    // Explorers count these across simulated runs; a real process has no use for them.
  }

  #historyNow(): number {
    return (this.host.options.historyClock ?? this.clock)();
  }
}
