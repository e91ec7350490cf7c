/**
 * Any actor, run on a synchronised clock: a host that mounts the
 * {@linkcode ClockSync} layer and hands the actor inside a context whose
 * `now()` is the disciplined clock instead of the node's hardware clock.
 * Everything else (sends, timers, storage, the client history) is the
 * node's own, so the actor inside cannot tell, except that its clock now
 * agrees with the time server's.
 *
 * ```ts
 * import { Simulation } from "../../sim/simulation.ts";
 * import { SyncedActor } from "./synced_actor.ts";
 * import assert from "node:assert/strict";
 * // An actor that stamps what it hears with its clock.
 * const heard: number[] = [];
 * const stamper = { onMessage: (ctx: { now(): number }) => void heard.push(ctx.now()) };
 * const sim = new Simulation({ seed: 1 });
 * sim.spawn("ts", () => new SyncedActor(undefined, {}));
 * sim.spawn("n2", () => new SyncedActor(stamper, { server: "ts" }), { clock: { skewMs: -500 } });
 * sim.at(1000, (s) => s.send("outside", "n2", "hello"));
 * sim.run({ until: 1100 });
 * // Stamped by the synchronised clock: near 1000, not the hardware clock's 500.
 * assert.ok(Math.abs(heard[0] - 1000) < 20);
 * ```
 *
 * @module
 */

import type { Actor, Context, NodeId, OpId, OpStatus, Storage } from "../../actors/mod.ts";
import { type LayerMsg, type LayerTimer, type Mount, mount } from "../../actors/layer.ts";
import { ClockSync, type ClockSyncConfig, type SyncMsg, type SyncTimer } from "./clock_sync.ts";

/**
 * A synced host's messages: the clock layer's, and the inner actor's.
 *
 * @example
 * ```ts
 * import type { SyncedMsg } from "./synced_actor.ts";
 * import assert from "node:assert/strict";
 * const m: SyncedMsg<{ type: "hi" }> = { layer: "clocksync", msg: { type: "cristian-request", id: 1 } };
 * assert.equal(m.layer, "clocksync");
 * ```
 */
export type SyncedMsg<M> = M | LayerMsg<"clocksync", SyncMsg>;

/**
 * A synced host's timers: the clock layer's, and the inner actor's.
 *
 * @example
 * ```ts
 * import type { SyncedTimer } from "./synced_actor.ts";
 * import assert from "node:assert/strict";
 * const t: SyncedTimer<string> = { layer: "clocksync", timer: { type: "poll" } };
 * assert.equal(t.layer, "clocksync");
 * ```
 */
export type SyncedTimer<T> = T | LayerTimer<"clocksync", SyncTimer>;

/**
 * An actor on a synchronised clock (see the module documentation). Without
 * an inner actor it is a bare time server or client.
 *
 * @example
 * ```ts
 * import { Simulation } from "../../sim/simulation.ts";
 * import { SyncedActor } from "./synced_actor.ts";
 * import assert from "node:assert/strict";
 * const sim = new Simulation({ seed: 1 });
 * sim.spawn("ts", () => new SyncedActor(undefined, {}));
 * sim.spawn("n1", () => new SyncedActor(undefined, { server: "ts" }), { clock: { skewMs: -300 } });
 * sim.run({ until: 1000 });
 * const n1 = sim.actor<SyncedActor<unknown, unknown>>("n1")!;
 * // n1's hardware clock is 300 ms behind; its synchronised clock is not.
 * assert.equal(Math.round(sim.localTime("n1")), 700);
 * assert.ok(Math.abs(n1.peek(sim.localTime("n1")) - 1000) <= 10);
 * ```
 */
export class SyncedActor<M, T> implements Actor<SyncedMsg<M>, SyncedTimer<T>> {
  /** The clock layer. */
  readonly sync: Mount<"clocksync", ClockSync>;
  /** The actor that runs on the synchronised clock, if any. */
  readonly inner: Actor<M, T> | undefined;
  readonly #contexts = new WeakMap<object, Context<M, T>>();

  /** Runs `inner` (if any) on a clock synchronised as `config` says. */
  constructor(inner: Actor<M, T> | undefined, config: ClockSyncConfig) {
    this.inner = inner;
    this.sync = mount("clocksync", new ClockSync(config));
  }

  /** Starts the clock layer, then the actor inside. */
  onStart(ctx: Context<SyncedMsg<M>, SyncedTimer<T>>): void {
    this.sync.start(ctx);
    this.inner?.onStart?.(this.#innerContext(ctx));
  }

  /** Routes a message to the clock layer or the actor inside. */
  onMessage(ctx: Context<SyncedMsg<M>, SyncedTimer<T>>, msg: SyncedMsg<M>, from: NodeId): void {
    if (this.sync.message(ctx, msg, from)) return;
    this.inner?.onMessage(this.#innerContext(ctx), msg as M, from);
  }

  /** Routes a timer to the clock layer or the actor inside. */
  onTimer(ctx: Context<SyncedMsg<M>, SyncedTimer<T>>, timer: SyncedTimer<T>): void {
    if (this.sync.timer(ctx, timer)) return;
    this.inner?.onTimer?.(this.#innerContext(ctx), timer as T);
  }

  /** The synchronised clock's reading at hardware time `hw`, without handing it out. */
  peek(hw: number): number {
    return this.sync.layer.clock.peek(hw);
  }

  /** The clock layer's view, and the inner actor's. */
  inspect(): unknown {
    return { clock: this.sync.layer.inspect(), inner: this.inner?.inspect?.() ?? null };
  }

  #innerContext(host: Context<SyncedMsg<M>, SyncedTimer<T>>): Context<M, T> {
    let ctx = this.#contexts.get(host);
    if (ctx === undefined) {
      const layer = this.sync.context(host);
      ctx = new SyncedContext<M, T>(host, () => this.sync.layer.time(layer));
      this.#contexts.set(host, ctx);
    }
    return ctx;
  }
}

/** The host's context with `now()` read from the synchronised clock. */
class SyncedContext<M, T> implements Context<M, T> {
  readonly self: NodeId;
  readonly storage: Storage;
  readonly #host: Context<SyncedMsg<M>, SyncedTimer<T>>;
  readonly #now: () => number;

  constructor(host: Context<SyncedMsg<M>, SyncedTimer<T>>, now: () => number) {
    this.#host = host;
    this.#now = now;
    this.self = host.self;
    this.storage = host.storage;
  }

  now(): number {
    return this.#now();
  }
  send(to: NodeId, msg: M): void {
    this.#host.send(to, msg);
  }
  setTimer(timer: T, afterMs: number): void {
    this.#host.setTimer(timer, afterMs);
  }
  cancelTimer(timer: T): void {
    this.#host.cancelTimer(timer);
  }
  random(): number {
    return this.#host.random();
  }
  log(note: string, data?: unknown): void {
    this.#host.log(note, data);
  }
  invoke(f: string, input?: unknown): OpId {
    return this.#host.invoke(f, input);
  }
  complete(op: OpId, output?: unknown, status?: OpStatus): void {
    this.#host.complete(op, output, status);
  }
  sometimes(name: string, condition: boolean): void {
    this.#host.sometimes(name, condition);
  }
}
