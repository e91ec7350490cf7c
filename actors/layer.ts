/**
 * Stacking protocols: a layer is an actor that lives inside a host actor.
 *
 * A causal broadcast runs over a reliable broadcast, which runs over
 * reliable links; a CRDT replica runs over a broadcast. Each of those is an
 * {@linkcode Actor} of its own, with its own message and timer types, and
 * the host {@linkcode mount}s it under a name. The mount gives the layer a
 * context of its own whose sends, timers and storage keys carry the name, so
 * two layers (or two copies of one) can never mistake each other's messages,
 * timers or durable state:
 *
 * - a message `m` of layer `link` travels as `{ layer: "link", msg: m }`;
 * - a timer `t` of layer `link` is set as `{ layer: "link", timer: t }`;
 * - storage key `k` of layer `link` is stored as `link/k`.
 *
 * The host routes with one line each (`if (link.message(ctx, msg, from))
 * return;`), and its message and timer types say what it carries:
 * `Actor<AppMsg | LayerMsg<"link", LinkMsg>, AppTimer | LayerTimer<"link", LinkTimer>>`.
 * A layer hands results up through callbacks it was built with; they get
 * the host's context, so the host can react at once.
 *
 * @example
 * ```ts
 * import type { Actor, Context } from "./actor.ts";
 * import { type LayerMsg, type LayerTimer, mount } from "./layer.ts";
 * import { TestContext } from "./test_context.ts";
 * import assert from "node:assert/strict";
 *
 * // A layer that retries a message until acknowledged.
 * type AckMsg = { type: "data"; seq: number; body: string } | { type: "ack"; seq: number };
 * class Retry implements Actor<AckMsg, { type: "retry"; seq: number; to: string; body: string }> {
 *   constructor(readonly up: (host: Context<unknown, unknown>, body: string) => void) {}
 *   send(ctx: Context<AckMsg, { type: "retry"; seq: number; to: string; body: string }>, to: string, seq: number, body: string) {
 *     ctx.send(to, { type: "data", seq, body });
 *     ctx.setTimer({ type: "retry", seq, to, body }, 30);
 *   }
 *   onMessage(ctx: Context<AckMsg, { type: "retry"; seq: number; to: string; body: string }>, msg: AckMsg, from: string) {
 *     if (msg.type === "data") {
 *       ctx.send(from, { type: "ack", seq: msg.seq });
 *       this.up(hostOf(ctx), msg.body);
 *     }
 *   }
 * }
 * import { hostOf } from "./layer.ts";
 *
 * type HostMsg = LayerMsg<"retry", AckMsg>;
 * type HostTimer = LayerTimer<"retry", { type: "retry"; seq: number; to: string; body: string }>;
 * const got: string[] = [];
 * class Host implements Actor<HostMsg, HostTimer> {
 *   retry = mount("retry", new Retry((_host, body) => got.push(body)));
 *   onMessage(ctx: Context<HostMsg, HostTimer>, msg: HostMsg, from: string) {
 *     if (this.retry.message(ctx, msg, from)) return;
 *   }
 *   onTimer(ctx: Context<HostMsg, HostTimer>, timer: HostTimer) {
 *     if (this.retry.timer(ctx, timer)) return;
 *   }
 * }
 * const host = new Host();
 * const ctx = new TestContext<HostMsg, HostTimer>("n1");
 * host.retry.layer.send(host.retry.context(ctx), "n2", 1, "hello");
 * assert.deepEqual(ctx.takeSent(), [
 *   { to: "n2", msg: { layer: "retry", msg: { type: "data", seq: 1, body: "hello" } } },
 * ]);
 * host.onMessage(ctx, { layer: "retry", msg: { type: "data", seq: 7, body: "hi" } }, "n2");
 * assert.deepEqual(got, ["hi"]);
 * ```
 *
 * @module
 */

import type { Actor, Context, MessageOf, OpId, OpStatus, TimerOf } from "./actor.ts";
import type { NodeId } from "./node_id.ts";
import type { Storage } from "./storage.ts";

/**
 * A message of the layer called `N`, as it travels inside its host's messages.
 *
 * @example
 * ```ts
 * import type { LayerMsg } from "./layer.ts";
 * import assert from "node:assert/strict";
 * const m: LayerMsg<"link", { type: "ack"; seq: number }> = { layer: "link", msg: { type: "ack", seq: 3 } };
 * assert.equal(m.msg.seq, 3);
 * ```
 */
export interface LayerMsg<N extends string, M> {
  /** The name the layer is mounted under. */
  readonly layer: N;
  /** The layer's own message. */
  readonly msg: M;
}

/**
 * A timer of the layer called `N`, as its host's context keeps it.
 *
 * @example
 * ```ts
 * import type { LayerTimer } from "./layer.ts";
 * import assert from "node:assert/strict";
 * const t: LayerTimer<"link", "retry"> = { layer: "link", timer: "retry" };
 * assert.equal(t.timer, "retry");
 * ```
 */
export interface LayerTimer<N extends string, T> {
  /** The name the layer is mounted under. */
  readonly layer: N;
  /** The layer's own timer. */
  readonly timer: T;
}

// A host's context or a layer's actor, whatever their types: the mount
// routes between types the host's declaration ties together. Handlers are
// methods, so any Actor<M, T> is an Actor<unknown, unknown>.

/**
 * A layer mounted in a host under a name (see the module documentation).
 *
 * @example
 * ```ts
 * import { mount } from "./layer.ts";
 * import { TestContext } from "./test_context.ts";
 * import assert from "node:assert/strict";
 * const echo = mount("echo", {
 *   onMessage(ctx: import("./actor.ts").Context<string, never>, msg: string, from: string) {
 *     ctx.send(from, msg);
 *   },
 * });
 * const host = new TestContext<unknown, unknown>("n1");
 * assert.equal(echo.message(host, { layer: "echo", msg: "hi" }, "n2"), true);
 * assert.equal(echo.message(host, { type: "other" }, "n2"), false);
 * assert.deepEqual(host.takeSent(), [{ to: "n2", msg: { layer: "echo", msg: "hi" } }]);
 * ```
 */
export class Mount<N extends string, L extends Actor<unknown, unknown>> {
  /** Layer contexts by host context: one each, made on first use. */
  #contexts = new WeakMap<object, LayerContext<MessageOf<L>, TimerOf<L>>>();

  /**
   * Mounts `layer` under `name`; throws a {@linkcode TypeError} unless the
   * name is 1-32 letters, digits, `-`, `_` or `.`.
   *
   * @param name the layer's name on its messages, timers and storage keys
   * @param layer the layer's actor
   */
  constructor(readonly name: N, readonly layer: L) {
    if (!/^[A-Za-z0-9_.-]{1,32}$/.test(name)) {
      throw new TypeError(
        `layer name ${
          JSON.stringify(name)
        } is not allowed: use 1-32 letters, digits, '-', '_' or '.'`,
      );
    }
  }

  /** The layer's view of `host`: its sends, timers and storage keys carry the layer's name. */
  context(host: Context<unknown, unknown>): Context<MessageOf<L>, TimerOf<L>> {
    let ctx = this.#contexts.get(host);
    if (ctx === undefined) {
      ctx = new LayerContext(this.name, host);
      this.#contexts.set(host, ctx);
    }
    return ctx;
  }

  /** Runs the layer's `onStart`; call it from the host's `onStart`. */
  start(host: Context<unknown, unknown>): void {
    this.layer.onStart?.(this.context(host));
  }

  /** Whether `msg` is one of this layer's messages. */
  owns(msg: unknown): msg is LayerMsg<N, MessageOf<L>> {
    return typeof msg === "object" && msg !== null &&
      (msg as LayerMsg<N, unknown>).layer === this.name &&
      "msg" in msg;
  }

  /**
   * Hands `msg` to the layer if it is the layer's; returns whether it was.
   * When it returns false, the host's type for `msg` no longer includes the
   * layer's messages, so the host's own `switch` stays exhaustive. (That
   * needs the mount's name as a literal type, `Mount<"link", ...>`, which
   * `mount("link", ...)` infers; a `Mount<string, ...>` would rule out every
   * layer's messages.)
   */
  message(
    host: Context<unknown, unknown>,
    msg: unknown,
    from: NodeId,
  ): msg is LayerMsg<N, MessageOf<L>> {
    if (!this.owns(msg)) return false;
    this.layer.onMessage(this.context(host), msg.msg, from);
    return true;
  }

  /** Hands `timer` to the layer if it is the layer's; returns whether it was (see `message`). */
  timer(host: Context<unknown, unknown>, timer: unknown): timer is LayerTimer<N, TimerOf<L>> {
    if (
      typeof timer !== "object" || timer === null ||
      (timer as LayerTimer<N, unknown>).layer !== this.name || !("timer" in timer)
    ) return false;
    this.layer.onTimer?.(this.context(host), (timer as LayerTimer<N, TimerOf<L>>).timer);
    return true;
  }

  /** The layer's `inspect()`, for the host's own (`undefined` if the layer has none). */
  inspect(): unknown {
    return this.layer.inspect?.();
  }
}

/**
 * Mounts `layer` under `name` (see the module documentation).
 *
 * @example
 * ```ts
 * import { mount } from "./layer.ts";
 * import assert from "node:assert/strict";
 * const m = mount("link", { onMessage() {} });
 * assert.equal(m.name, "link");
 * ```
 */
export function mount<N extends string, L extends Actor<unknown, unknown>>(
  name: N,
  layer: L,
): Mount<N, L> {
  return new Mount(name, layer);
}

/**
 * The host's context that a layer's context lives in (the host of the
 * outermost layer is the actor's own context), for callbacks that hand a
 * layer's results up to its host.
 *
 * @example
 * ```ts
 * import { hostOf, mount } from "./layer.ts";
 * import { TestContext } from "./test_context.ts";
 * import assert from "node:assert/strict";
 * const host = new TestContext("n1");
 * const inner = mount("x", { onMessage() {} }).context(host);
 * assert.equal(hostOf(inner), host);
 * assert.equal(hostOf(host), host);
 * ```
 */
export function hostOf(ctx: Context<unknown, unknown>): Context<unknown, unknown> {
  return ctx instanceof LayerContext ? ctx.host : ctx;
}

/**
 * The layers a message travels through, outermost first, and the message
 * inside them: for diagram labels, message counts and tests that look at
 * the wire.
 *
 * @example
 * ```ts
 * import { unwrapLayers } from "./layer.ts";
 * import assert from "node:assert/strict";
 * const wire = { layer: "causal", msg: { layer: "link", msg: { type: "ack", seq: 2 } } };
 * assert.deepEqual(unwrapLayers(wire), { layers: ["causal", "link"], msg: { type: "ack", seq: 2 } });
 * assert.deepEqual(unwrapLayers({ type: "ping" }), { layers: [], msg: { type: "ping" } });
 * ```
 */
export function unwrapLayers(msg: unknown): { layers: string[]; msg: unknown } {
  const layers: string[] = [];
  // Bounded: a message is plain data, so it has finitely many levels.
  while (
    typeof msg === "object" && msg !== null && !Array.isArray(msg) &&
    typeof (msg as LayerMsg<string, unknown>).layer === "string" && "msg" in msg &&
    Object.keys(msg).length === 2
  ) {
    layers.push((msg as LayerMsg<string, unknown>).layer);
    msg = (msg as LayerMsg<string, unknown>).msg;
  }
  return { layers, msg };
}

/** A layer's context: the host's, with the layer's name on everything that leaves it. */
class LayerContext<M, T> implements Context<M, T> {
  readonly self: NodeId;
  readonly storage: Storage;

  constructor(readonly name: string, readonly host: Context<unknown, unknown>) {
    this.self = host.self;
    this.storage = new PrefixedStorage(`${name}/`, host.storage);
  }

  now(): number {
    return this.host.now();
  }
  send(to: NodeId, msg: M): void {
    this.host.send(to, { layer: this.name, msg });
  }
  setTimer(timer: T, afterMs: number): void {
    this.host.setTimer({ layer: this.name, timer }, afterMs);
  }
  cancelTimer(timer: T): void {
    this.host.cancelTimer({ layer: this.name, timer });
  }
  random(): number {
    return this.host.random();
  }
  log(note: string, data?: unknown): void {
    this.host.log(note, data);
  }
  invoke(f: string, input?: unknown): OpId {
    return this.host.invoke(f, input);
  }
  complete(op: OpId, output?: unknown, status?: OpStatus): void {
    this.host.complete(op, output, status);
  }
  sometimes(name: string, condition: boolean): void {
    this.host.sometimes(name, condition);
  }
}

/** The host's storage, seen through a key prefix. */
class PrefixedStorage implements Storage {
  constructor(readonly prefix: string, readonly inner: Storage) {}
  get<V>(key: string): V | undefined {
    return this.inner.get<V>(this.prefix + key);
  }
  set<V>(key: string, value: V): void {
    this.inner.set(this.prefix + key, value);
  }
  delete(key: string): void {
    this.inner.delete(this.prefix + key);
  }
  keys(): string[] {
    const p = this.prefix;
    return this.inner.keys().filter((k) => k.startsWith(p)).map((k) => k.slice(p.length));
  }
}
