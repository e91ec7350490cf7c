/**
 * Small purpose-built actors for the simulator's own tests. Each one does one
 * thing a test needs to watch (send numbered probes, remember a value, read
 * its clock, throw, act as a client), and keeps to the actor rules: no clock,
 * randomness or timers of its own.
 *
 * @module
 */

import type { Actor, Context, NodeId, OpId, OpStatus } from "../actors/mod.ts";

/**
 * A numbered message, so a receiver can tell order, loss and duplicates apart.
 *
 * @example
 * ```ts
 * import type { Probe } from "./_actors.ts";
 * const p: Probe = { type: "probe", seq: 3 };
 * ```
 */
export type Probe = { type: "probe"; seq: number };

/**
 * Sends probes 0..count-1 to `to`: all in `onStart` when `everyMs` is 0,
 * otherwise one every `everyMs` of local time.
 *
 * @example
 * ```ts
 * import { Burst } from "./_actors.ts";
 * const b = new Burst("n2", 100, 1);
 * b.sent; // 0
 * ```
 */
export class Burst implements Actor<Probe> {
  /** Probes sent so far. */
  sent = 0;

  constructor(readonly to: NodeId, readonly count: number, readonly everyMs = 0) {}

  onStart(ctx: Context<Probe>): void {
    if (this.everyMs > 0) return this.#next(ctx);
    while (this.sent < this.count) ctx.send(this.to, { type: "probe", seq: this.sent++ });
  }

  onMessage(): void {}

  onTimer(ctx: Context<Probe>, name: string): void {
    if (name === "next") this.#next(ctx);
  }

  #next(ctx: Context<Probe>): void {
    if (this.sent >= this.count) return;
    ctx.send(this.to, { type: "probe", seq: this.sent++ });
    if (this.sent < this.count) ctx.setTimer("next", this.everyMs);
  }
}

/**
 * One probe as a {@linkcode Sink} saw it, with the receiver's local time.
 *
 * @example
 * ```ts
 * import type { Received } from "./_actors.ts";
 * const r: Received = { seq: 0, from: "n1", local: 4.2 };
 * ```
 */
export interface Received {
  seq: number;
  from: NodeId;
  local: number;
}

/**
 * Remembers every probe it receives, in the order it handled them.
 *
 * @example
 * ```ts
 * import { Sink } from "./_actors.ts";
 * new Sink().received.length; // 0
 * ```
 */
export class Sink implements Actor<Probe> {
  readonly received: Received[] = [];

  onMessage(ctx: Context<Probe>, msg: Probe, from: NodeId): void {
    this.received.push({ seq: msg.seq, from, local: ctx.now() });
  }
}

/**
 * What an {@linkcode Amnesiac} can be told.
 *
 * @example
 * ```ts
 * import type { MemoryMsg } from "./_actors.ts";
 * const m: MemoryMsg = { type: "arm", name: "t1", afterMs: 100 };
 * ```
 */
export type MemoryMsg =
  /** Keep `value` both in a field (volatile) and in storage (durable). */
  | { type: "remember"; value: string }
  /** Set a timer. */
  | { type: "arm"; name: string; afterMs: number }
  | Probe;

/**
 * A node whose volatile and durable state a crash test can look at. Every
 * start counts itself in storage and logs what storage held.
 *
 * @example
 * ```ts
 * import { Amnesiac } from "./_actors.ts";
 * new Amnesiac().memory; // undefined
 * ```
 */
export class Amnesiac implements Actor<MemoryMsg> {
  /** Volatile: gone with the instance. */
  memory: string | undefined = undefined;
  /** Storage as `onStart` found it: the start count (this one included) and the value. */
  bootedWith: { boots: number; value: string | undefined } | undefined = undefined;
  /** Probes this instance handled. */
  handled: number[] = [];
  /** Timers this instance saw fire. */
  fired: string[] = [];

  onStart(ctx: Context<MemoryMsg>): void {
    const boots = (ctx.storage.get<number>("boots") ?? 0) + 1;
    ctx.storage.set("boots", boots);
    this.bootedWith = { boots, value: ctx.storage.get<string>("value") };
    ctx.log("boot", this.bootedWith);
  }

  onMessage(ctx: Context<MemoryMsg>, msg: MemoryMsg): void {
    switch (msg.type) {
      case "remember":
        this.memory = msg.value;
        ctx.storage.set("value", msg.value);
        return;
      case "arm":
        ctx.setTimer(msg.name, msg.afterMs);
        return;
      case "probe":
        this.handled.push(msg.seq);
        return;
      default: {
        const never: never = msg;
        throw new Error(`unexpected message ${JSON.stringify(never)}`);
      }
    }
  }

  onTimer(_ctx: Context<MemoryMsg>, name: string): void {
    this.fired.push(name);
  }
}

/**
 * Logs its local clock (`ctx.now()`) at start, at every probe and at every
 * timer, so a test can pair each reading with the trace's global time. Timers
 * are set in local time from `onStart`.
 *
 * @example
 * ```ts
 * import { ClockProbe } from "./_actors.ts";
 * const c = new ClockProbe([{ name: "t", afterMs: 30 }]);
 * c.timers.length; // 1
 * ```
 */
export class ClockProbe implements Actor<Probe> {
  constructor(readonly timers: Array<{ name: string; afterMs: number }> = []) {}

  onStart(ctx: Context<Probe>): void {
    ctx.log("now", { at: "start", local: ctx.now() });
    for (const { name, afterMs } of this.timers) ctx.setTimer(name, afterMs);
  }

  onMessage(ctx: Context<Probe>, msg: Probe): void {
    ctx.log("now", { at: `probe ${msg.seq}`, local: ctx.now() });
  }

  onTimer(ctx: Context<Probe>, name: string): void {
    ctx.log("now", { at: `timer ${name}`, local: ctx.now() });
  }
}

/**
 * Where a {@linkcode Fragile} actor throws.
 *
 * @example
 * ```ts
 * import type { FragileSpot } from "./_actors.ts";
 * const spot: FragileSpot = "timer";
 * ```
 */
export type FragileSpot = "start" | "message" | "timer";

/**
 * Throws `Error("fragile: ...")` in one handler: at start, on the probe with
 * sequence number `onSeq`, or on its timer (set for `afterMs` at start).
 *
 * @example
 * ```ts
 * import { Fragile } from "./_actors.ts";
 * new Fragile("message", 3).spot; // "message"
 * ```
 */
export class Fragile implements Actor<Probe> {
  constructor(readonly spot: FragileSpot, readonly onSeq = 0, readonly afterMs = 10) {}

  onStart(ctx: Context<Probe>): void {
    if (this.spot === "start") throw new Error("fragile: broke at start");
    if (this.spot === "timer") ctx.setTimer("fuse", this.afterMs);
  }

  onMessage(_ctx: Context<Probe>, msg: Probe): void {
    if (this.spot === "message" && msg.seq === this.onSeq) {
      throw new Error(`fragile: broke on probe ${msg.seq}`);
    }
  }

  onTimer(_ctx: Context<Probe>, name: string): void {
    if (this.spot === "timer") throw new Error(`fragile: broke on timer ${name}`);
  }
}

/**
 * How the {@linkcode Server} answers a request: with a status, or never.
 *
 * @example
 * ```ts
 * import type { Reply } from "./_actors.ts";
 * const r: Reply = "never";
 * ```
 */
export type Reply = OpStatus | "never";

/**
 * Messages between {@linkcode Client} and {@linkcode Server}.
 *
 * @example
 * ```ts
 * import type { RpcMsg } from "./_actors.ts";
 * const m: RpcMsg = { type: "request", req: 1, reply: "ok" };
 * ```
 */
export type RpcMsg =
  | { type: "request"; req: number; reply: Reply }
  | { type: "response"; req: number; status: OpStatus; output: number };

/**
 * One planned client operation: at local time `atMs`, invoke `f`, and ask the
 * server to answer with `reply`.
 *
 * @example
 * ```ts
 * import type { PlannedOp } from "./_actors.ts";
 * const op: PlannedOp = { atMs: 10, f: "read", reply: "ok" };
 * ```
 */
export interface PlannedOp {
  atMs: number;
  f: string;
  reply: Reply;
}

/**
 * A client that runs its plan against `server`, recording each operation into
 * the history: invoke when it sends, complete when the answer comes.
 *
 * @example
 * ```ts
 * import { Client } from "./_actors.ts";
 * new Client("s", [{ atMs: 1, f: "read", reply: "ok" }]).plan.length; // 1
 * ```
 */
export class Client implements Actor<RpcMsg> {
  /** Request number -> the history's operation id. */
  readonly ops = new Map<number, OpId>();

  constructor(readonly server: NodeId, readonly plan: PlannedOp[]) {}

  onStart(ctx: Context<RpcMsg>): void {
    this.plan.forEach((step, i) => ctx.setTimer(`op ${i}`, step.atMs));
  }

  onMessage(ctx: Context<RpcMsg>, msg: RpcMsg): void {
    if (msg.type !== "response") return;
    const op = this.ops.get(msg.req);
    if (op !== undefined) ctx.complete(op, msg.output, msg.status);
  }

  onTimer(ctx: Context<RpcMsg>, name: string): void {
    const req = Number(name.slice("op ".length));
    const step = this.plan[req];
    this.ops.set(req, ctx.invoke(step.f, req));
    ctx.send(this.server, { type: "request", req, reply: step.reply });
  }
}

/**
 * Answers each request as it asks (output `10 * req`), or not at all.
 *
 * @example
 * ```ts
 * import { Server } from "./_actors.ts";
 * new Server().answered; // 0
 * ```
 */
export class Server implements Actor<RpcMsg> {
  answered = 0;

  onMessage(ctx: Context<RpcMsg>, msg: RpcMsg, from: NodeId): void {
    if (msg.type !== "request" || msg.reply === "never") return;
    this.answered++;
    ctx.send(from, { type: "response", req: msg.req, status: msg.reply, output: 10 * msg.req });
  }
}

/**
 * Adds one to a durable counter every `everyMs`, forever (or until stopped).
 *
 * @example
 * ```ts
 * import { Ticker } from "./_actors.ts";
 * new Ticker(10).everyMs; // 10
 * ```
 */
export class Ticker implements Actor<never> {
  constructor(readonly everyMs: number) {}

  onStart(ctx: Context<never>): void {
    ctx.setTimer("tick", this.everyMs);
  }

  onMessage(): void {}

  onTimer(ctx: Context<never>): void {
    ctx.storage.set("count", (ctx.storage.get<number>("count") ?? 0) + 1);
    ctx.setTimer("tick", this.everyMs);
  }
}
