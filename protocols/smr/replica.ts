/**
 * A replica of any {@linkcode StateMachine}, over total order broadcast
 * (lectures 5.3 and 7.2 of Kleppmann's course):
 *
 * ```text
 * on request (id, op) from client c:
 *   broadcast (c, id, op) by total order broadcast
 * on delivering (c, id, op) from replica r, in the order every replica delivers in:
 *   if c's last applied request is older than id:
 *     state, output := apply(state, op); remember (id, output) as c's last
 *   if r is me: reply (id, output) to c
 * ```
 *
 * Reads go through the order too: a replica's own state may lag behind the
 * order (it has not delivered everything yet), so a read answered from it
 * could miss a write that has already returned to another client. The
 * `localReads` option does exactly that, as a planted bug for the
 * linearizability checker to catch.
 *
 * The total order broadcast is a layer mounted as `tob` (a sequencer, or
 * Lamport clocks with acknowledgements from all; see `protocols/broadcast/`),
 * so a replica's messages are its clients' and `{ layer: "tob", msg }`.
 *
 * Durability: the state, the client sessions and the log of applied commands
 * are written to storage before a client is answered, and the broadcast
 * layer keeps its own state durable, so a replica that crashes and restarts
 * carries on where the order is.
 *
 * @module
 */

import type { Actor, Context, LayerMsg, LayerTimer, NodeId, Storage } from "../../actors/mod.ts";
import { createBroadcast } from "../broadcast/create.ts";
import type { LamportMsg, LamportTimer } from "../broadcast/total_lamport.ts";
import type { SequencerMsg, SequencerTimer } from "../broadcast/total_sequencer.ts";
import { DurableMap } from "../broadcast/durable_map.ts";
import {
  type Broadcast,
  type BroadcastView,
  type Delivery,
  mountBroadcast,
} from "../broadcast/layer.ts";
import type { ClientMsg, Command, Session, StateMachine } from "./machine.ts";

/**
 * The total order broadcast protocols a replica can run on.
 *
 * @example
 * ```ts
 * import { TOTAL_ORDERS } from "./replica.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(TOTAL_ORDERS, ["total-sequencer", "total-lamport"]);
 * ```
 */
export const TOTAL_ORDERS = ["total-sequencer", "total-lamport"] as const;

/** One of {@linkcode TOTAL_ORDERS}. */
export type TotalOrder = typeof TOTAL_ORDERS[number];

/**
 * A replica's configuration.
 *
 * @example
 * ```ts
 * import type { SmrConfig } from "./replica.ts";
 * import { casRegister, type RegisterOp, type RegisterOutput, type RegisterState } from "./register.ts";
 * import assert from "node:assert/strict";
 * const c: SmrConfig<RegisterState, RegisterOp, RegisterOutput> = {
 *   machine: casRegister,
 *   replicas: ["n1", "n2", "n3"],
 * };
 * assert.equal(c.replicas.length, 3);
 * ```
 */
export interface SmrConfig<S, Op, Out> {
  /** What is replicated. */
  machine: StateMachine<S, Op, Out>;
  /** Every replica, this one included, in the same order everywhere. */
  replicas: readonly NodeId[];
  /** The total order underneath (default `total-sequencer`, the first replica ordering). */
  order?: TotalOrder;
  /** The planted bug: answer reads from the local state, not through the order (default false). */
  localReads?: boolean;
  /** Retransmission interval of the links underneath, ms (default 30). */
  retryMs?: number;
}

/**
 * A replica's messages: its clients', and its total order broadcast's under
 * the name `tob`.
 *
 * @example
 * ```ts
 * import type { SmrMsg } from "./replica.ts";
 * import type { RegisterOp, RegisterOutput } from "./register.ts";
 * import assert from "node:assert/strict";
 * const m: SmrMsg<RegisterOp, RegisterOutput> = { layer: "tob", msg: { layer: "link", msg: { type: "ack", seq: 0 } } };
 * assert.equal(m.layer, "tob");
 * ```
 */
export type SmrMsg<Op, Out> =
  | ClientMsg<Op, Out>
  | LayerMsg<"tob", SequencerMsg<Command<Op>> | LamportMsg<Command<Op>>>;

/** A replica's timers: its total order broadcast's. */
export type SmrTimer = LayerTimer<"tob", SequencerTimer | LamportTimer>;

/**
 * One entry of a replica's log of applied commands (durable, under
 * `log/<index>`): whose request it was. Replicas agree when their logs are
 * prefixes of one another.
 *
 * @example
 * ```ts
 * import type { Applied } from "./replica.ts";
 * import assert from "node:assert/strict";
 * const a: Applied = { client: "c2", id: 5 };
 * assert.equal(a.client, "c2");
 * ```
 */
export interface Applied {
  /** The client that asked. */
  client: NodeId;
  /** Its request number. */
  id: number;
}

/**
 * A plain-data view of a replica, from {@linkcode SmrReplica.inspect}.
 *
 * @example
 * ```ts
 * import type { SmrView } from "./replica.ts";
 * import assert from "node:assert/strict";
 * const v: SmrView = { state: 7, applied: 12, sessions: 3, tob: { protocol: "total-sequencer", sent: 4, delivered: 13 } };
 * assert.equal(v.applied, 12);
 * ```
 */
export interface SmrView {
  /** The state machine's state. */
  state: unknown;
  /** Commands applied (the log's length). */
  applied: number;
  /** Clients with a session here. */
  sessions: number;
  /** The total order broadcast underneath. */
  tob: BroadcastView;
}

/**
 * A state machine replica over total order broadcast.
 *
 * @example
 * ```ts
 * import { Simulation } from "../../sim/simulation.ts";
 * import type { Actor } from "../../actors/mod.ts";
 * import { SmrReplica } from "./replica.ts";
 * import { casRegister, type RegisterOp } from "./register.ts";
 * import assert from "node:assert/strict";
 *
 * const replicas = ["n1", "n2", "n3"];
 * const sim = new Simulation({ seed: 1 });
 * for (const id of replicas) sim.spawn(id, () => new SmrReplica({ machine: casRegister, replicas }));
 * // Replicas lose a fifth of what they send each other (their broadcast retransmits); the
 * // clients below send once and do not retry, so their own links lose nothing.
 * for (const a of replicas) for (const b of replicas) if (a !== b) sim.setLink(a, b, { loss: 0.2 });
 * // Two clients race to set the empty register, through different replicas.
 * const answers: Record<string, unknown> = {};
 * const racer = (via: string, op: RegisterOp): Actor<unknown> => ({
 *   onStart: (ctx) => ctx.send(via, { type: "request", id: 1, op }),
 *   onMessage: (ctx, msg) => void (answers[ctx.self] = (msg as { output: unknown }).output),
 * });
 * sim.spawn("alice", () => racer("n2", { type: "cas", from: null, to: 1 }));
 * sim.spawn("bob", () => racer("n3", { type: "cas", from: null, to: 2 }));
 * sim.run({ until: 500 });
 * // The order lets exactly one win, and every replica holds the winner's value.
 * assert.deepEqual(Object.values(answers).sort(), [false, true]);
 * const winner = answers.alice === true ? 1 : 2;
 * for (const id of replicas) assert.equal(sim.actor<SmrReplica<unknown, unknown, unknown>>(id)!.state, winner);
 * ```
 */
export class SmrReplica<S, Op, Out> implements Actor<SmrMsg<Op, Out>, SmrTimer> {
  /** The state machine's current state (also in storage). */
  state: S;
  /** The total order broadcast underneath, mounted as `tob`. */
  readonly tob: Broadcast<Command<Op>, "tob">;
  readonly #machine: StateMachine<S, Op, Out>;
  readonly #localReads: boolean;
  /** How many commands were applied (durable). */
  #applied = 0;
  /** Per client, its last applied request and output (durable). */
  readonly #sessions = new DurableMap<Session<Out>>("session");
  /** Whose command each applied one was, by index (durable). */
  readonly #log = new DurableMap<Applied>("log");

  /** Checks `config.order`; the broadcast layer checks `config.replicas`. */
  constructor(readonly config: SmrConfig<S, Op, Out>) {
    const order = config.order ?? "total-sequencer";
    if (!TOTAL_ORDERS.includes(order)) {
      throw new RangeError(
        `SmrReplica order must be one of ${TOTAL_ORDERS.join(", ")}, got ${JSON.stringify(order)}`,
      );
    }
    this.#machine = config.machine;
    this.#localReads = config.localReads ?? false;
    this.state = this.#machine.init();
    this.tob = mountBroadcast(
      "tob",
      createBroadcast<Command<Op>>(order, {
        nodes: config.replicas,
        retryMs: config.retryMs,
        deliver: (ctx, d) => this.#deliver(ctx, d),
      }),
    );
  }

  /** Reads the state, the sessions and the log back; starts the total order broadcast. */
  onStart(ctx: Context<SmrMsg<Op, Out>, SmrTimer>): void {
    this.state = ctx.storage.get<S>("state") ?? this.#machine.init();
    this.#applied = ctx.storage.get<number>("applied") ?? 0;
    this.#sessions.load(ctx.storage);
    this.#log.load(ctx.storage);
    this.tob.start(ctx);
  }

  /** The broadcast's messages go to it; a client's request goes into the order. */
  onMessage(ctx: Context<SmrMsg<Op, Out>, SmrTimer>, msg: SmrMsg<Op, Out>, from: NodeId): void {
    if (this.tob.message(ctx, msg, from)) return;
    switch (msg.type) {
      case "request":
        if (this.#localReads && this.#machine.isRead(msg.op)) {
          // The planted bug: this replica may not have delivered everything yet.
          const { output } = this.#machine.apply(this.state, msg.op);
          return ctx.send(from, { type: "reply", id: msg.id, output });
        }
        this.tob.broadcast(ctx, { client: from, id: msg.id, op: msg.op });
        return;
      case "reply":
        throw new Error(`${ctx.self}: a replica sends replies, it does not take them`);
      default: {
        const never: never = msg;
        throw new Error(`${ctx.self}: unexpected message ${JSON.stringify(never)}`);
      }
    }
  }

  /** Every timer is the broadcast's. */
  onTimer(ctx: Context<SmrMsg<Op, Out>, SmrTimer>, timer: SmrTimer): void {
    this.tob.timer(ctx, timer);
  }

  /** The state, how much was applied, the sessions, and the broadcast underneath. */
  inspect(): SmrView {
    return {
      state: this.state,
      applied: this.#applied,
      sessions: this.#sessions.size,
      tob: this.tob.inspect(),
    };
  }

  /** Every replica delivers the same commands in the same order: apply each once. */
  #deliver(ctx: Context<SmrMsg<Op, Out>, SmrTimer>, d: Delivery<Command<Op>>): void {
    const { client, id, op } = d.payload;
    const last = this.#sessions.get(client);
    let output: Out;
    ctx.sometimes("a command ordered twice", last !== undefined && id === last.id);
    if (last !== undefined && id <= last.id) {
      // Ordered twice (the client retried through another replica): applied once.
      if (id < last.id) return;
      output = last.output;
    } else {
      ({ state: this.state, output } = this.#machine.apply(this.state, op));
      this.#log.set(ctx.storage, String(this.#applied), { client, id });
      ctx.storage.set("applied", ++this.#applied);
      ctx.storage.set("state", this.state);
      this.#sessions.set(ctx.storage, client, { id, output });
    }
    // The replica the client asked answers it; the others only apply.
    if (d.origin === ctx.self) ctx.send(client, { type: "reply", id, output });
  }
}

/**
 * A replica's log of applied commands, read from its storage: what the
 * agreement check compares.
 *
 * @example
 * ```ts
 * import { MemoryStorage } from "../../actors/mod.ts";
 * import { appliedLog } from "./replica.ts";
 * import assert from "node:assert/strict";
 * const disk = new MemoryStorage();
 * disk.set("log/1", { client: "c2", id: 1 });
 * disk.set("log/0", { client: "c1", id: 1 });
 * assert.deepEqual(appliedLog(disk), [{ client: "c1", id: 1 }, { client: "c2", id: 1 }]);
 * ```
 */
export function appliedLog(storage: Storage): Applied[] {
  const log = new DurableMap<Applied>("log").load(storage);
  return Array.from({ length: log.size }, (_, k) => {
    const entry = log.get(String(k));
    if (entry === undefined) throw new Error(`applied log has a gap at ${k}`);
    return entry;
  });
}
