/**
 * Operation-based replicas of the counter and the OR-Set, over causal
 * broadcast (Shapiro et al. 2011, §2.4; Kleppmann's lecture 8.1).
 *
 * Instead of gossiping states, the replica where a client's update arrives
 * *prepares* it against its own state (an OR-Set remove looks up the dots it
 * observes) and broadcasts the resulting operation; every replica, itself
 * included, *applies* each operation once when the broadcast delivers it:
 *
 * ```text
 * on request op from a client at replica i:
 *   effect := prepare(state, op); broadcast effect; reply to the client
 * on deliver effect:
 *   state := apply(state, effect)
 * ```
 *
 * Concurrent operations commute (that is what makes these types CRDTs, and
 * what the law tests prove), so replicas that deliver the same operations
 * converge whatever order concurrent ones arrive in. The broadcast has to
 * deliver every operation exactly once (a counter increment applied twice
 * counts twice) and, for types whose operations depend on earlier ones, in
 * causal order (an OR-Set remove after the add it observed).
 *
 * The broadcast is the one in `protocols/broadcast/` (causal broadcast on
 * eager reliable broadcast over retransmitting links, all durable), mounted
 * in this actor as the layer `ops`, so its messages travel as
 * `{ layer: "ops", msg }` next to the clients' requests; the `protocol`
 * option swaps it for reliable broadcast (no ordering) or best-effort
 * broadcast (no retransmission), to watch what each guarantee buys. Any
 * layer that delivers a node's own broadcast to itself at once fits.
 *
 * @module
 */

import type { Actor, Context, LayerMsg, LayerTimer, NodeId } from "../../actors/mod.ts";
import type { Json, StateCrdt } from "./crdt.ts";
import { type ClientMsg, type ClientRequest, ClientSessions } from "./client.ts";
import { OrSet, type OrSetOp } from "./or_set.ts";
import { PNCounter, type PNCounterOp } from "./pn_counter.ts";
import {
  type CounterOp,
  type OrSetAddOutput,
  type OrSetRemoveOutput,
  type SetOp,
  type UpdateContext,
} from "./replicated_types.ts";
import { type BroadcastMsg, type BroadcastTimer, createBroadcast } from "../broadcast/create.ts";
import {
  type Broadcast,
  type BroadcastView,
  type Delivery,
  mountBroadcast,
} from "../broadcast/layer.ts";

/**
 * A CRDT used operation-based: client operations `Op` prepared into
 * effects `E` that every replica applies.
 *
 * @example
 * ```ts
 * import { opCounterType } from "./op_based.ts";
 * import assert from "node:assert/strict";
 * const at = { replica: "n1", now: 0 };
 * const { effect } = opCounterType.prepare(opCounterType.empty(), { type: "increment", amount: 2 }, at);
 * assert.equal(opCounterType.apply(opCounterType.empty(), effect).value(), 2);
 * ```
 */
export interface OpBasedType<S extends StateCrdt<S, unknown>, Op, E> {
  readonly name: string;
  empty(): S;
  fromJSON(json: unknown): S;
  /**
   * At the source: the effect to broadcast and what the client is told.
   * Throws like {@linkcode ReplicatedType.update} for an operation the type refuses.
   */
  prepare(state: S, op: Op, at: UpdateContext): { effect: E; output: Json };
  /** At every replica, once per effect. */
  apply(state: S, effect: E): S;
}

/**
 * The PN-Counter, operation-based: an effect is "add `amount` to replica r's
 * increments (or decrements)".
 *
 * @example
 * ```ts
 * import { opCounterType } from "./op_based.ts";
 * import assert from "node:assert/strict";
 * const { effect } = opCounterType.prepare(opCounterType.empty(), { type: "decrement", amount: 1 }, {
 *   replica: "n2",
 *   now: 0,
 * });
 * assert.deepEqual(effect, { type: "decrement", replica: "n2", amount: 1 });
 * ```
 */
export const opCounterType: OpBasedType<PNCounter, CounterOp, PNCounterOp> = {
  name: "counter (op-based)",
  empty: () => PNCounter.empty(),
  fromJSON: (json) => PNCounter.fromJSON(json),
  prepare(state, op, { replica }) {
    const effect = op.type === "increment"
      ? state.prepareIncrement(replica, op.amount)
      : op.type === "decrement"
      ? state.prepareDecrement(replica, op.amount)
      : unknownOp("counter", op);
    return { effect, output: { value: state.apply(effect).value() } };
  },
  apply: (state, effect) => state.apply(effect),
};

/**
 * The add-wins OR-Set, operation-based: an add carries its fresh dot, a
 * remove the dots it observed; the outputs are those of the state-based set.
 *
 * @example
 * ```ts
 * import { opOrSetType } from "./op_based.ts";
 * import assert from "node:assert/strict";
 * const type = opOrSetType<string>();
 * const { effect } = type.prepare(type.empty(), { type: "add", element: "milk" }, { replica: "n1", now: 0 });
 * assert.deepEqual(type.apply(type.empty(), effect).value(), ["milk"]);
 * ```
 */
export function opOrSetType<T extends Json = Json>(): OpBasedType<OrSet<T>, SetOp<T>, OrSetOp<T>> {
  return {
    name: "or-set (op-based)",
    empty: () => OrSet.empty<T>(),
    fromJSON: (json) => OrSet.fromJSON<T>(json),
    prepare(state, op, { replica }) {
      switch (op.type) {
        case "add": {
          const effect = state.prepareAdd(replica, op.element);
          const { dot, observed } = effect as Extract<OrSetOp<T>, { type: "add" }>;
          const output: OrSetAddOutput = { dot, observed };
          return { effect, output };
        }
        case "remove": {
          const effect = state.prepareRemove(op.element);
          const output: OrSetRemoveOutput = { observed: effect.observed };
          return { effect, output };
        }
        default:
          return unknownOp("or-set", op);
      }
    },
    apply: (state, effect) => state.apply(effect),
  };
}

/**
 * The broadcast protocols an operation-based replica can run on: each
 * delivers a node's own broadcast to itself at once.
 *
 * @example
 * ```ts
 * import { OP_BASED_PROTOCOLS } from "./op_based.ts";
 * import assert from "node:assert/strict";
 * assert.ok(OP_BASED_PROTOCOLS.includes("causal"));
 * ```
 */
export const OP_BASED_PROTOCOLS = ["causal", "reliable", "best-effort"] as const;

/** One of {@linkcode OP_BASED_PROTOCOLS}. */
export type OpBasedProtocol = typeof OP_BASED_PROTOCOLS[number];

/**
 * Every message an operation-based replica sends or receives: its clients',
 * and its broadcast layer's (carrying effects `E`) under the name `ops`.
 *
 * @example
 * ```ts
 * import type { OpBasedMsg } from "./op_based.ts";
 * import type { CounterOp } from "./replicated_types.ts";
 * import assert from "node:assert/strict";
 * const m: OpBasedMsg<CounterOp> = { type: "request", id: 1, op: { type: "read" } };
 * const wire: OpBasedMsg<CounterOp> = { layer: "ops", msg: { layer: "rb", msg: { layer: "link", msg: { type: "ack", seq: 0 } } } };
 * assert.equal(m.type, "request");
 * assert.equal(wire.layer, "ops");
 * ```
 */
export type OpBasedMsg<Op, E = unknown> = ClientMsg<Op> | LayerMsg<"ops", BroadcastMsg<E>>;

/** An operation-based replica's timers: its broadcast layer's. */
export type OpBasedTimer = LayerTimer<"ops", BroadcastTimer>;

/**
 * A plain-data view of an operation-based replica, from
 * {@linkcode OpBasedReplica.inspect}.
 *
 * @example
 * ```ts
 * import type { OpBasedView } from "./op_based.ts";
 * import assert from "node:assert/strict";
 * const v: OpBasedView = { type: "counter (op-based)", value: 3, clients: 1, ops: { protocol: "causal", sent: 1, delivered: 3 } };
 * assert.equal(v.value, 3);
 * ```
 */
export interface OpBasedView {
  /** The replicated type's name. */
  type: string;
  /** The current value. */
  value: unknown;
  /** How many clients have a session here. */
  clients: number;
  /** The broadcast layer underneath. */
  ops: BroadcastView;
}

/**
 * An operation-based replica's configuration.
 *
 * @example
 * ```ts
 * import { type OpBasedConfig, opCounterType } from "./op_based.ts";
 * import type { PNCounter, PNCounterOp } from "./mod.ts";
 * import type { CounterOp } from "./replicated_types.ts";
 * import assert from "node:assert/strict";
 * const c: OpBasedConfig<PNCounter, CounterOp, PNCounterOp> = {
 *   type: opCounterType,
 *   nodes: ["n1", "n2", "n3"],
 * };
 * assert.equal(c.nodes.length, 3);
 * ```
 */
export interface OpBasedConfig<S extends StateCrdt<S, unknown>, Op, E> {
  type: OpBasedType<S, Op, E>;
  /** Every replica, this one included, in the same order everywhere. */
  nodes: readonly NodeId[];
  /** The broadcast underneath (default `causal`). */
  protocol?: OpBasedProtocol;
  /** Retransmission interval of the reliable links, ms (default 30). */
  retryMs?: number;
}

const STATE = "crdt/state";
const CLOCK = "crdt/clock";

/**
 * An operation-based replica: prepares client operations, broadcasts their
 * effects, applies every delivered effect.
 *
 * @example
 * ```ts
 * import { Simulation } from "../../sim/simulation.ts";
 * import { Client, scriptedWorkload } from "./client.ts";
 * import { OpBasedReplica, opCounterType } from "./op_based.ts";
 * import type { PNCounter, PNCounterOp } from "./pn_counter.ts";
 * import type { CounterOp } from "./replicated_types.ts";
 * import assert from "node:assert/strict";
 *
 * const nodes = ["n1", "n2"];
 * const sim = new Simulation({ seed: 1, network: { loss: 0.2 } });
 * for (const id of nodes) sim.spawn(id, () => new OpBasedReplica({ type: opCounterType, nodes }));
 * sim.spawn("c1", () =>
 *   new Client({
 *     replica: "n1",
 *     workload: scriptedWorkload([{ at: 5, op: { type: "increment", amount: 3 } }]),
 *   }));
 * sim.run({ until: 1000 });
 * const n2 = sim.actor<OpBasedReplica<PNCounter, CounterOp, PNCounterOp>>("n2")!;
 * assert.equal(n2.state.value(), 3);
 * assert.equal(n2.inspect().ops.protocol, "causal");
 * ```
 */
export class OpBasedReplica<
  S extends StateCrdt<S, unknown>,
  Op extends { readonly type: string },
  E,
> implements Actor<OpBasedMsg<Op, E>, OpBasedTimer> {
  /** The current state (also in storage). */
  state: S;
  /** The broadcast layer underneath, mounted as `ops`. */
  readonly ops: Broadcast<E, "ops">;
  readonly #type: OpBasedType<S, Op, E>;
  readonly #sessions = new ClientSessions();
  #clock = -Infinity;

  constructor(readonly config: OpBasedConfig<S, Op, E>) {
    this.#type = config.type;
    const protocol = config.protocol ?? "causal";
    if (!OP_BASED_PROTOCOLS.includes(protocol)) {
      throw new RangeError(
        `OpBasedReplica protocol must be one of ${OP_BASED_PROTOCOLS.join(", ")}, got ${protocol}`,
      );
    }
    this.ops = mountBroadcast(
      "ops",
      createBroadcast<E>(protocol, {
        nodes: config.nodes,
        retryMs: config.retryMs,
        deliver: (ctx, delivery) => this.#deliver(ctx, delivery),
      }),
    );
    this.state = this.#type.empty();
  }

  /** Reads the state, the clock and the client sessions back; starts the broadcast. */
  onStart(ctx: Context<OpBasedMsg<Op, E>, OpBasedTimer>): void {
    const stored = ctx.storage.get<unknown>(STATE);
    this.state = stored === undefined ? this.#type.empty() : this.#type.fromJSON(stored);
    this.#clock = ctx.storage.get<number>(CLOCK) ?? -Infinity;
    this.#sessions.load(ctx.storage);
    this.ops.start(ctx);
  }

  /** The broadcast's messages go to it; a client's request is answered here. */
  onMessage(
    ctx: Context<OpBasedMsg<Op, E>, OpBasedTimer>,
    msg: OpBasedMsg<Op, E>,
    from: NodeId,
  ): void {
    if (this.ops.message(ctx, msg, from)) return;
    switch (msg.type) {
      case "request":
        return this.#request(ctx, msg, from);
      case "reply":
        throw new Error(`${ctx.self}: a replica sends replies, it does not take them`);
      default: {
        const never: never = msg;
        throw new Error(`${ctx.self}: unexpected message ${JSON.stringify(never)}`);
      }
    }
  }

  /** Every timer is the broadcast's. */
  onTimer(ctx: Context<OpBasedMsg<Op, E>, OpBasedTimer>, timer: OpBasedTimer): void {
    this.ops.timer(ctx, timer);
  }

  /** The type, the value, the client sessions and the broadcast underneath. */
  inspect(): OpBasedView {
    return {
      type: this.#type.name,
      value: this.state.value(),
      clients: this.#sessions.size,
      ops: this.ops.inspect(),
    };
  }

  #request(
    ctx: Context<OpBasedMsg<Op, E>, OpBasedTimer>,
    msg: ClientRequest<Op>,
    from: NodeId,
  ): void {
    this.#sessions.answer(ctx, from, msg, {
      read: () => this.state.value() as Json,
      write: (op) => {
        const now = Math.max(ctx.now(), this.#clock + 0.001);
        const { effect, output } = this.#type.prepare(this.state, op, { replica: ctx.self, now });
        this.#clock = now;
        ctx.storage.set(CLOCK, now);
        // Delivers to this replica before it returns, so the state already has it.
        this.ops.broadcast(ctx, effect);
        return output;
      },
    });
  }

  #deliver(ctx: Context<OpBasedMsg<Op, E>, OpBasedTimer>, delivery: Delivery<E>): void {
    this.state = this.#type.apply(this.state, delivery.payload);
    ctx.storage.set(STATE, this.state.toJSON());
  }
}

function unknownOp(type: string, op: never): never {
  throw new TypeError(
    `${type}: unknown operation ${JSON.stringify((op as { type?: unknown })?.type)}`,
  );
}
