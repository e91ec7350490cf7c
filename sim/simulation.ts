/**
 * The deterministic simulator: actors on a virtual-time scheduler that draws
 * every choice (latency, loss, duplication, generated faults, each node's
 * randomness) from one seed.
 *
 * One priority queue holds everything that will happen: message arrivals,
 * timers, faults and scripted calls, ordered by (virtual time, sequence).
 * The loop pops the earliest, lets one node handle it to completion, checks
 * the invariants, and goes on. Nothing waits on the wall clock.
 *
 * How it is built for speed (see `tests/bench/scheduler_ratio.ts`):
 *
 * - virtual time is kept in whole microseconds, so arrival times are exact
 *   integers and never need rounding twice;
 * - events live in parallel typed arrays (a slot per event, reused), so the
 *   loop allocates nothing but what actors allocate;
 * - nodes are addressed by index inside; ids stay the public names;
 * - every random choice is a counter-based draw from a named stream (see
 *   `choices.ts`): one stream per directed link and one per node, so a
 *   normal run records nothing, and a recorded or edited run replays
 *   exactly.
 *
 * And for safety: a run has an event budget, virtual time that stops moving
 * is a violation, a message or timer that is not plain data is refused at
 * the send in every trace mode, and a handler that throws, returns a
 * promise or a factory that throws stops the run with a report.
 *
 * @module
 */

import {
  type Actor,
  type ActorFactory,
  checkNodeId,
  type Context,
  MemoryStorage,
  type NodeId,
  NotPlainDataError,
  type OpId,
  type OpStatus,
  plainCopy,
  timerKey,
  timerName,
} from "../actors/mod.ts";
import {
  ContractError,
  handlerReturned,
  safeTimerName,
  sentMessage,
  setTimerValue,
} from "../actors/contract_checks.ts";
import { ChoiceLog, draw, hashString, keyOfHash, seedMix, streamKey, unit } from "./choices.ts";
import { type ClockConfig, NodeClock } from "./clock.ts";
import { ConfigError, describeError } from "./errors.ts";
import { EventHeap } from "./event_heap.ts";
import { type Fault, type FaultAction, faultNodes, formatAction } from "./faults.ts";
import { History } from "./history.ts";
import { fill } from "./fill.ts";
import { fieldsOf } from "./states.ts";
import {
  latencyBounds,
  Link,
  type LinkConfig,
  type NetworkOptions,
  resolveLink,
} from "./network.ts";
import { MAX_SEED } from "./random.ts";
import { type DropReason, formatEvent, Trace, type TraceEvent, type TraceMode } from "./trace.ts";

/**
 * Options of a {@linkcode Simulation}.
 *
 * @example
 * ```ts
 * import { Simulation, type SimulationOptions } from "./simulation.ts";
 * import assert from "node:assert/strict";
 * const opts: SimulationOptions = { seed: 7, network: { loss: 0.1 }, trace: "full" };
 * assert.equal(new Simulation(opts).seed, 7);
 * ```
 */
export interface SimulationOptions {
  /** The one source of every random choice: a whole number from 0 to 2^53 - 1. */
  seed: number;
  /** Default link behaviour and per-link overrides. */
  network?: NetworkOptions;
  /** `full` (default) keeps events and hash, `hash` only the hash, `off` nothing. */
  trace?: TraceMode;
  /**
   * How many events a `full` trace keeps in memory (default 100,000): a
   * long run's memory stays flat; older events go to the trace's sink, if
   * it has one (see {@linkcode Trace}).
   */
  traceWindow?: number;
  /** How many recent events a failure report shows (default 12). */
  lastEvents?: number;
  /**
   * Whether each message travels as a copy, as over a wire (default true):
   * the receiver gets what the JSON of the message would give, taken at the
   * send, so a sender that changes an object after sending it changes
   * nothing in flight, a receiver that changes what it got changes no other
   * copy (a duplicate's included), and a `Date` arrives as a string. With
   * `false` every message is still checked to be plain data but is passed by
   * reference: faster, and right only for actors that never change a message
   * after sending or receiving it.
   */
  copyMessages?: boolean;
  /**
   * The most events a run may handle before it stops with the violation
   * `event-budget` (default 50,000,000): a run that never reaches its
   * `until` ends with a report instead of a hang. Raise it for long runs.
   */
  maxEvents?: number;
  /** Count messages and bytes by node and message type (see `messageStats`). Off by default. */
  countMessages?: boolean;
  /**
   * Draws to use instead of the seed's (replaying a recorded or shrunk run),
   * or to record into: see {@linkcode ChoiceLog}.
   */
  choices?: { log: ChoiceLog; mode: "record" | "replay" };
}

/**
 * Options of one node.
 *
 * @example
 * ```ts
 * import type { SpawnOptions } from "./simulation.ts";
 * import assert from "node:assert/strict";
 * const slow: SpawnOptions = { serviceTimeMs: 2, mailboxCapacity: 100, clock: { drift: 0.01 } };
 * assert.equal(slow.mailboxCapacity, 100);
 * ```
 */
export interface SpawnOptions<M = unknown> {
  /** Clock skew and drift, seen through `ctx.now()`. */
  clock?: ClockConfig;
  /** Messages waiting beyond this many are dropped (`mailbox-full`). Default: unbounded. */
  mailboxCapacity?: number;
  /** Virtual time the node is busy handling each message (default 0). */
  serviceTimeMs?: number | ((msg: M) => number);
}

/**
 * What an invariant may answer: nothing (or `true`) when it holds, a message
 * (or `false`) when it does not, or a message with the node to blame.
 */
export type InvariantResult = void | undefined | boolean | string | {
  message: string;
  node?: NodeId;
};

/**
 * A property checked after every event. Throwing counts as a violation too.
 *
 * @example
 * ```ts
 * import { type Invariant, Simulation } from "./simulation.ts";
 * import assert from "node:assert/strict";
 * const atMostOneUp: Invariant = (sim) =>
 *   sim.nodes.filter((n) => sim.status(n) === "up").length <= 1 || "two nodes up";
 * const sim = new Simulation({ seed: 1 });
 * sim.spawn("a", () => ({ onMessage() {} }));
 * sim.spawn("b", () => ({ onMessage() {} }));
 * sim.invariant("one-up", atMostOneUp);
 * assert.equal(sim.run().violations[0].message, "two nodes up");
 * ```
 */
export type Invariant = (sim: Simulation) => InvariantResult;

/**
 * A property that did not hold, or an actor that threw.
 *
 * @example
 * ```ts
 * import type { Violation } from "./simulation.ts";
 * import assert from "node:assert/strict";
 * const v: Violation = { check: "one-leader", message: "two leaders in term 2", atMs: 120, node: "n3" };
 * assert.equal(v.check, "one-leader");
 * ```
 */
export interface Violation {
  /** The invariant's or checker's name; `actor-exception` when a handler threw. */
  check: string;
  /** What went wrong, for people. */
  message: string;
  /** Global virtual time at which it was seen. */
  atMs: number;
  /** The node to blame, when there is one. */
  node?: NodeId;
  /**
   * A safety property's violation, found after the run (a history that is
   * not linearizable, say): a shorter run that shows it shows the same bug,
   * so shrinking may cut the run's time. A check of what a run got done by
   * its end (every operation counted, replicas converged) leaves it unset:
   * cutting such a run would fail it for another reason. Invariants checked
   * during the run are always safety properties.
   */
  safety?: boolean;
}

/** Why {@linkcode Simulation.run} returned. */
export type StopReason = "quiet" | "until" | "max-events" | "violation";

/**
 * What a call to {@linkcode Simulation.run} did.
 *
 * @example
 * ```ts
 * import { Simulation } from "./simulation.ts";
 * import assert from "node:assert/strict";
 * const r = new Simulation({ seed: 1 }).run();
 * assert.equal(r.stop, "quiet");
 * ```
 */
export interface RunResult {
  /** Whether no invariant reported a violation. */
  ok: boolean;
  /** Why the run stopped. */
  stop: StopReason;
  /** Events handled since the simulation began. */
  events: number;
  /** Messages sent since the simulation began (duplicates not counted). */
  messages: number;
  /** Global virtual time reached. */
  virtualMs: number;
  /** The violations found, in order. */
  violations: Violation[];
  /** The trace hash (empty when tracing is off). */
  traceHash: string;
}

/** Whether a node is running, crashed, or paused. */
export type NodeStatus = "up" | "crashed" | "paused";

/**
 * Counters kept for every run, whatever the trace mode.
 *
 * @example
 * ```ts
 * import { Simulation } from "./simulation.ts";
 * import assert from "node:assert/strict";
 * assert.equal(new Simulation({ seed: 1 }).stats.delivered, 0);
 * ```
 */
export interface SimStats {
  /** Events handled (deliveries, timers, starts, faults, scenario steps). */
  events: number;
  /** Global virtual time of the last handled event, ms (as of the end of the last `run`). */
  lastEventMs: number;
  /**
   * Global virtual time of the latest fault scheduled so far (a crash, a
   * heal, a restart...; applied or still to come), or of the latest moment
   * a strategy marked as its doing ({@linkcode Simulation.interfere}), ms;
   * 0 when none. A strategy may schedule faults as the run goes: liveness
   * counts from it. A replay of a choice log counts its marks as
   * {@linkcode Simulation.lastFaultAt} reaches them.
   */
  lastFaultMs: number;
  /** Messages sent (duplicates not counted). */
  messages: number;
  /** Messages handed to a node's handler. */
  delivered: number;
  /** Messages lost, cut by a partition, or sent to a crashed node or a full mailbox. */
  dropped: number;
  /** Extra copies the network made. */
  duplicated: number;
  /** Timers that fired. */
  timers: number;
}

/**
 * Messages and their bytes (the length of their JSON text), by node and by
 * message type (`type` field; `(other)` for a message without one).
 *
 * @example
 * ```ts
 * import type { MessageCounts } from "./simulation.ts";
 * import assert from "node:assert/strict";
 * const c: MessageCounts = { n1: { AppendEntries: { count: 3, bytes: 240 } } };
 * assert.equal(c.n1.AppendEntries.count, 3);
 * ```
 */
export type MessageCounts = Record<NodeId, Record<string, { count: number; bytes: number }>>;

/**
 * Message counts of a run: `sent` by sender, `delivered` by receiver.
 *
 * @example
 * ```ts
 * import { Simulation } from "./simulation.ts";
 * import assert from "node:assert/strict";
 * const sim = new Simulation({ seed: 1, countMessages: true });
 * sim.spawn("a", () => ({ onStart: (ctx) => ctx.send("b", { type: "hi" }), onMessage() {} }));
 * sim.spawn("b", () => ({ onMessage() {} }));
 * sim.run();
 * assert.deepEqual(sim.messageStats().delivered.b.hi, { count: 1, bytes: 13 });
 * ```
 */
export interface MessageStats {
  /** Counts of messages sent, by sender and type. */
  sent: MessageCounts;
  /** Counts of messages delivered, by receiver and type. */
  delivered: MessageCounts;
}

/**
 * A message received by an external endpoint (see
 * {@linkcode Simulation.external}).
 *
 * @example
 * ```ts
 * import type { InboxMessage } from "./simulation.ts";
 * import assert from "node:assert/strict";
 * const m: InboxMessage = { from: "n1", msg: { type: "reply" }, atMs: 4.2 };
 * assert.equal(m.from, "n1");
 * ```
 */
export interface InboxMessage {
  /** Who sent it. */
  from: NodeId;
  /** The message. */
  msg: unknown;
  /** Global virtual time it arrived, ms. */
  atMs: number;
}

/**
 * What the simulator tells an observer (an exploration strategy) as a run
 * goes: each handled event, and each storage write.
 *
 * @example
 * ```ts
 * import type { Observed } from "./simulation.ts";
 * import assert from "node:assert/strict";
 * const o: Observed = { kind: "deliver", node: "n2", atMs: 3, from: "n1", msg: { type: "vote" } };
 * assert.equal(o.kind, "deliver");
 * ```
 */
export type Observed =
  | { kind: "deliver"; node: NodeId; atMs: number; from: NodeId; msg: unknown }
  | { kind: "timer"; node: NodeId; atMs: number; timer: unknown }
  | { kind: "send"; node: NodeId; atMs: number; to: NodeId; msg: unknown }
  | { kind: "storage"; node: NodeId; atMs: number; key: string }
  | { kind: "start"; node: NodeId; atMs: number };

/**
 * Hooks an exploration strategy may set on a run (see `sim/explore/`).
 * Everything a hook decides is a choice: the run records what it chose, so
 * a replay without the strategy gives the same run.
 *
 * @example
 * ```ts
 * import { Simulation, type RunHooks } from "./simulation.ts";
 * import assert from "node:assert/strict";
 * // Every message as slow as its link allows.
 * const slow: RunHooks = { latency: () => 0.999 };
 * const sim = new Simulation({ seed: 1 });
 * sim.hooks = slow;
 * sim.spawn("a", () => ({ onStart: (ctx) => ctx.send("b", { type: "x" }), onMessage() {} }));
 * sim.spawn("b", () => ({ onMessage() {} }));
 * sim.run();
 * assert.ok(sim.now > 9.9);
 * ```
 */
export interface RunHooks {
  /**
   * The draw in [0, 1) that sets a message's latency within its link's
   * distribution (0 the fastest), given the seed's draw `u`.
   */
  latency?(from: NodeId, to: NodeId, msg: unknown, u: number): number;
  /**
   * What call number `call` (from 0) of `node`'s `ctx.random()` returns, in
   * [0, 1), given the seed's value `u`. The value is kept to the 53 bits a
   * draw carries, so a recorded run replays it exactly.
   */
  random?(node: NodeId, call: number, u: number): number;
  /** Called after each handled event and each storage write. */
  observe?(sim: Simulation, what: Observed): void;
}

/**
 * One event that may happen next in a simulation driven step by step (see
 * {@linkcode Simulation.pending}): a message arriving, a timer firing, a
 * node starting, a scheduled fault, a scripted call, or a paused or busy
 * node taking the next thing from its mailbox (`ready`). `earliestMs` and
 * `latestMs` bound the global virtual time it can happen at: a message
 * between its send time plus its link's least and greatest latency (see
 * `latencyBounds` in `network.ts`); everything else exactly when it was
 * set to.
 *
 * @example
 * ```ts
 * import type { PendingEvent } from "./simulation.ts";
 * import assert from "node:assert/strict";
 * const e: PendingEvent = {
 *   kind: "deliver", node: "n2", from: "n1", msg: { type: "ping" }, id: 0,
 *   earliestMs: 1, latestMs: 10,
 * };
 * assert.equal(e.latestMs - e.earliestMs, 9);
 * ```
 */
export interface PendingEvent {
  /** What it is: a message arriving, a timer, a start, a mailbox turn, a fault, a scripted call. */
  kind: "deliver" | "timer" | "start" | "ready" | "fault" | "call";
  /** The node it happens at (none for faults and calls). */
  node?: NodeId;
  /** A message's sender. */
  from?: NodeId;
  /** A message's body. */
  msg?: unknown;
  /** A message's id, as the trace numbers it. */
  id?: number;
  /** A timer's value. */
  timer?: unknown;
  /** A scheduled fault. */
  action?: FaultAction;
  /** A scripted step (see {@linkcode Simulation.at}). */
  call?: (sim: Simulation) => void;
  /** The earliest global virtual time it can happen at, ms. */
  earliestMs: number;
  /** The latest, ms (Infinity for a latency with no upper bound). */
  latestMs: number;
}

/**
 * What {@linkcode Simulation.step} does next: run pending event number
 * `event` (its place in {@linkcode Simulation.pending}'s list), or, for a
 * message, lose it in flight (`drop`) or deliver a copy of it and keep it
 * in flight (`duplicate`); or apply a fault now.
 *
 * @example
 * ```ts
 * import type { StepChoice } from "./simulation.ts";
 * import assert from "node:assert/strict";
 * const choices: StepChoice[] = [{ event: 0 }, { event: 2, as: "drop" }, {
 *   fault: { type: "crash", node: "n1" },
 * }];
 * assert.equal(choices.length, 3);
 * ```
 */
export type StepChoice =
  | { event: number; as?: "run" | "drop" | "duplicate" }
  | { fault: FaultAction };

/** Events at one instant before the run stops with `time-stuck`. */
const STUCK_EVENTS = 1_000_000;
/** Default event budget of a simulation. */
const DEFAULT_MAX_EVENTS = 50_000_000;

// Kinds of scheduled event. Numbers, not strings: the loop switches on them
// millions of times a second.
const DELIVER = 0;
const TIMER = 1;
const READY = 2;
const START = 3;
const FAULT = 4;
const CALL = 5;
/** A cancelled timer still in the heap: dropped when it comes up. */
const CANCELLED = 6;

/**
 * Scheduled faults go first among the events of their instant (their
 * sequence numbers are below every other's), so a fault written as
 * `@t crash n1` lands at the same point of the run however it was made:
 * scripted, generated, or injected by a strategy while the run went on.
 */
const FAULT_SEQ_BASE = -(2 ** 52);

/** Virtual microseconds per millisecond. */
const US = 1000;
/** 2^32: a draw is below it; a link's threshold of 2^32 means "never". */
const TWO_32 = 4294967296;

/**
 * A node's waiting messages and timers (their event slots), oldest first,
 * in a ring that grows when full.
 */
class Mailbox {
  #slots = new Int32Array(8);
  #head = 0;
  size = 0;

  push(slot: number): void {
    if (this.size === this.#slots.length) {
      const grown = new Int32Array(this.#slots.length * 2);
      for (let i = 0; i < this.size; i++) {
        grown[i] = this.#slots[(this.#head + i) % this.#slots.length];
      }
      this.#slots = grown;
      this.#head = 0;
    }
    this.#slots[(this.#head + this.size) % this.#slots.length] = slot;
    this.size++;
  }

  shift(): number {
    if (this.size === 0) return -1;
    const slot = this.#slots[this.#head];
    this.#head = (this.#head + 1) % this.#slots.length;
    this.size--;
    return slot;
  }

  /** Removes the first slot for which `match` is true; returns it, or -1. */
  remove(match: (slot: number) => boolean): number {
    const n = this.#slots.length;
    for (let i = 0; i < this.size; i++) {
      const slot = this.#slots[(this.#head + i) % n];
      if (!match(slot)) continue;
      for (let j = i; j < this.size - 1; j++) {
        this.#slots[(this.#head + j) % n] = this.#slots[(this.#head + j + 1) % n];
      }
      this.size--;
      return slot;
    }
    return -1;
  }

  /** Every waiting slot, oldest first, and empties the ring. */
  drain(): number[] {
    const out: number[] = [];
    while (this.size > 0) out.push(this.shift());
    return out;
  }
}

/**
 * The live events of a run driven step by step, in the order they were
 * scheduled: sequence number, slot, and window (µs), in parallel arrays.
 */
interface SteppedEvents {
  seqs: number[];
  slots: number[];
  lo: number[];
  hi: number[];
  /** Sequence numbers (and fault sequence numbers) below these were listed already. */
  seen: number;
  faultsSeen: number;
}

/**
 * Everything the simulator keeps about one node. The maps, arrays, the
 * storage and the streams are made on first use: most nodes of a big run
 * never have a timer cut, a link override or a partition, and an idle node
 * should cost a few hundred bytes, not a few kilobytes.
 */
class NodeRecord {
  actor: Actor<unknown, unknown> | undefined = undefined;
  readonly ctx: NodeContext;
  status: NodeStatus = "up";
  /** Bumped at every crash, so events meant for an earlier life are ignored. */
  incarnation = 0;
  /** Pending timers by key, as event slots. */
  timers: Map<string, number> | null = null;
  mailbox: Mailbox | null = null;
  mailboxMessages = 0;
  busyUntilUs = -1;
  readyScheduled = false;
  /** Paused before its first start: onStart runs at resume. */
  startDeferred = false;
  /** Cut off from everyone by `disconnect`, until `reconnect`. */
  disconnected = false;
  /** blockedTo[j] = 1: this node may not send to node j (partitions, one-way blocks). */
  blockedTo: Uint8Array | null = null;
  /** Per-destination link overrides, by node index. */
  links: Map<number, Link> | null = null;
  /** Latest arrival (us) per FIFO destination, by node index. */
  fifoLast: Map<number, number> | null = null;
  /** Per destination: the link stream's key (0 until made) and its message count. */
  linkKeys: Int32Array | null = null;
  linkSent: Float64Array | null = null;
  /** The destination of this node's last send, to skip the id lookup. */
  lastTo: NodeId | null = null;
  lastTarget: NodeRecord | null = null;
  /** Null until the node's clock is skewed or drifts: then local time is global time. */
  clock: NodeClock | null;
  #storage: MemoryStorage | null = null;
  /** This node's `random()` stream: its key and the number of draws so far. */
  randomKey = 0;
  /** The hash of `net:<id>>`, the prefix of its link streams' names (0 until needed). */
  linkPrefix = 0;
  randomDraws = 0;
  /** Messages received by an external endpoint, until read. */
  inbox: InboxMessage[] | null = null;

  constructor(
    readonly id: NodeId,
    readonly index: number,
    readonly factory: ActorFactory<unknown, unknown> | null,
    readonly capacity: number,
    readonly serviceTime: number | ((msg: unknown) => number),
    clock: ClockConfig | undefined,
    sim: Simulation,
  ) {
    this.clock = clock === undefined ? null : new NodeClock(clock);
    this.ctx = new NodeContext(sim, this);
  }

  get external(): boolean {
    return this.factory === null;
  }

  get waiting(): number {
    return this.mailbox === null ? 0 : this.mailbox.size;
  }

  /** Local time at global time `t` ms (a default clock's `local(t)` is `t`, bit for bit). */
  localTime(t: number): number {
    return this.clock === null ? t : this.clock.local(t);
  }

  /** Global ms that `localMs` of local time takes. */
  globalDelay(localMs: number): number {
    return this.clock === null ? localMs : this.clock.globalDelay(localMs);
  }

  get storage(): MemoryStorage {
    return this.#storage ??= new MemoryStorage();
  }

  /** Sets the storage (an observed one, when a strategy watches writes). */
  set storage(storage: MemoryStorage) {
    this.#storage = storage;
  }

  get hasStorage(): boolean {
    return this.#storage !== null;
  }
}

/**
 * What NodeContext needs of the simulation that the public API does not show.
 * Simulation's static block fills it in, being the one place that can reach
 * its private members; one shared object rather than closures per simulation
 * keeps every context call site monomorphic.
 */
interface Internals {
  send(sim: Simulation, from: NodeRecord, to: NodeId, msg: unknown): void;
  setTimer(sim: Simulation, node: NodeRecord, timer: unknown, afterMs: number): void;
  cancelTimer(sim: Simulation, node: NodeRecord, timer: unknown): void;
  random(sim: Simulation, node: NodeRecord): number;
  record(sim: Simulation, event: TraceEvent): void;
  tracing(sim: Simulation): boolean;
}

let internals!: Internals;

/** The context a node's handlers get: its only door to the world. */
class NodeContext implements Context<unknown, unknown> {
  readonly self: NodeId;

  constructor(private readonly sim: Simulation, private readonly node: NodeRecord) {
    this.self = node.id;
  }

  get storage(): MemoryStorage {
    return this.node.storage;
  }

  now(): number {
    return this.node.localTime(this.sim.now);
  }

  send(to: NodeId, msg: unknown): void {
    internals.send(this.sim, this.node, to, msg);
  }

  setTimer(timer: unknown, afterMs: number): void {
    internals.setTimer(this.sim, this.node, timer, afterMs);
  }

  cancelTimer(timer: unknown): void {
    internals.cancelTimer(this.sim, this.node, timer);
  }

  random(): number {
    return internals.random(this.sim, this.node);
  }

  log(note: string, data?: unknown): void {
    if (!internals.tracing(this.sim)) return;
    const event: TraceEvent = { t: this.sim.now, kind: "log", node: this.self, note };
    if (data !== undefined) event.data = data;
    internals.record(this.sim, event);
  }

  invoke(f: string, input?: unknown): OpId {
    const t = this.sim.now;
    const op = this.sim.history.invoke(this.self, f, input, t);
    if (internals.tracing(this.sim)) {
      internals.record(this.sim, { t, kind: "invoke", node: this.self, op, f, input });
    }
    return op;
  }

  complete(op: OpId, output?: unknown, status: OpStatus = "ok"): void {
    const t = this.sim.now;
    this.sim.history.complete(op, output, status, t);
    if (internals.tracing(this.sim)) {
      internals.record(this.sim, { t, kind: "complete", node: this.self, op, status, output });
    }
  }

  sometimes(name: string, condition: boolean): void {
    this.sim.sometimes(name, condition);
  }
}

/** Storage that tells the simulation of each write (for strategies that crash after one). */
class ObservedStorage extends MemoryStorage {
  constructor(readonly onWrite: (key: string) => void) {
    super();
  }
  override set<T>(key: string, value: T): void {
    super.set(key, value);
    this.onWrite(key);
  }
  override delete(key: string): void {
    super.delete(key);
    this.onWrite(key);
  }
}

/**
 * A deterministic run of actors under a seeded network and fault model.
 *
 * @example
 * ```ts
 * import { Simulation } from "./simulation.ts";
 * import type { Actor, Context } from "../actors/mod.ts";
 * import assert from "node:assert/strict";
 *
 * type Msg = { type: "ping" } | { type: "pong" };
 * const pinger = (): Actor<Msg> => ({
 *   onStart: (ctx: Context<Msg>) => ctx.send("b", { type: "ping" }),
 *   onMessage: () => {},
 * });
 * const ponger = (): Actor<Msg> => ({
 *   onMessage: (ctx: Context<Msg>, msg: Msg, from: string) => {
 *     if (msg.type === "ping") ctx.send(from, { type: "pong" });
 *   },
 * });
 *
 * const sim = new Simulation({ seed: 42 });
 * sim.spawn("a", pinger);
 * sim.spawn("b", ponger);
 * const result = sim.run();
 * assert.equal(result.ok, true);
 * assert.equal(result.messages, 2);
 * ```
 */
export class Simulation {
  /** The seed every choice of the run is drawn from. */
  readonly seed: number;
  /** What the run recorded (see `SimulationOptions.trace`). */
  readonly trace: Trace;
  /** Client operations invoked and completed, for the checkers. */
  readonly history: History = new History();
  /** Counters of the run so far. */
  readonly stats: SimStats = {
    events: 0,
    lastEventMs: 0,
    lastFaultMs: 0,
    messages: 0,
    delivered: 0,
    dropped: 0,
    duplicated: 0,
    timers: 0,
  };
  /** Violations found so far; the first stops the run. */
  readonly violations: Violation[] = [];
  /** Hooks of an exploration strategy; none by default. */
  get hooks(): RunHooks | null {
    return this.#hooks;
  }

  set hooks(hooks: RunHooks | null) {
    this.#hooks = hooks;
    this.#watched = this.#tracing || this.#countMessages || hooks !== null;
  }

  #hooks: RunHooks | null = null;
  /**
   * Whether anything watches messages go by (a trace, message counts, a
   * strategy's hooks): while nothing does, a send and a delivery skip all
   * of it with one test, and stay small enough for V8 to inline.
   */
  #watched = false;

  /** Global virtual time in whole microseconds. */
  #nowUs = 0;
  #heap = new EventHeap();
  #nextSeq = 0;
  #nextFaultSeq = 0;
  // The events, struct-of-arrays: slot i's kind, node index, sender index or
  // incarnation, message id, whether cancelled, and its payload and key.
  #evKind = new Uint8Array(64);
  #evNode = new Int32Array(64);
  #evAux = new Int32Array(64);
  #evId = new Float64Array(64);
  #evPayload: unknown[] = new Array(64);
  #evKey: (string | null)[] = new Array(64);
  #free = new Int32Array(64);
  #freeCount = 0;
  #slotCount = 0;

  #nodes: NodeRecord[] = [];
  #byId = new Map<NodeId, NodeRecord>();
  #order: NodeId[] = [];
  #defaultLink: Link;
  #pendingLinks: NonNullable<NetworkOptions["links"]>;
  #tracing: boolean;
  #invariants: Array<{ name: string; check: Invariant }> = [];
  #lastEvents: number;
  #recent: TraceEvent[] = [];
  #recentNext = 0;
  #copyMessages: boolean;
  /** A full trace keeps the messages it records: a handler then gets a copy of its own to change. */
  #copyOnDeliver = false;
  #maxEvents: number;
  #countMessages: boolean;
  #messageStats: MessageStats = { sent: {}, delivered: {} };
  #choices: { log: ChoiceLog; mode: "record" | "replay" } | null;
  #nextMsgId = 0;
  #current: NodeRecord | null = null;
  #stopped = false;
  /** Whether any link is cut: while none is, a delivery need not look its sender up. */
  #anyCut = false;
  /** Events handled at the current instant, for the `time-stuck` check. */
  #sameInstant = 0;
  #lastEventUs = 0;
  #reached = new Map<string, number>();
  #asked = new Set<string>();

  static {
    internals = {
      send: (sim, from, to, msg) => sim.#send(from, to, msg),
      setTimer: (sim, node, timer, afterMs) => sim.#setTimer(node, timer, afterMs),
      cancelTimer: (sim, node, timer) => sim.#cancelTimer(node, timer),
      random: (sim, node) => sim.#random(node),
      record: (sim, event) => sim.#record(event),
      tracing: (sim) => sim.#tracing,
    };
  }

  /** A simulation with no nodes yet; throws a `ConfigError` naming a bad option. */
  constructor(options: SimulationOptions) {
    const seed = options?.seed;
    if (typeof seed !== "number" || !Number.isSafeInteger(seed) || seed < 0 || seed > MAX_SEED) {
      throw new ConfigError("seed", `must be a whole number from 0 to ${MAX_SEED}, got ${seed}`);
    }
    this.seed = seed;
    this.#seedMix = seedMix(seed);
    const mode = options.trace ?? "full";
    if (mode !== "full" && mode !== "hash" && mode !== "off") {
      throw new ConfigError("trace", `must be full, hash or off, got ${JSON.stringify(mode)}`);
    }
    this.trace = new Trace(mode, { window: options.traceWindow });
    this.#tracing = mode !== "off";
    this.#copyOnDeliver = mode === "full" && (options.copyMessages ?? true);
    this.#lastEvents = checkCount("lastEvents", options.lastEvents ?? 12, 1, 10_000);
    this.#copyMessages = options.copyMessages ?? true;
    this.#maxEvents = checkCount("maxEvents", options.maxEvents ?? DEFAULT_MAX_EVENTS, 1, 2 ** 52);
    this.#countMessages = options.countMessages ?? false;
    this.#watched = this.#tracing || this.#countMessages;
    const choices = options.choices ?? null;
    if (choices !== null && !(choices.log instanceof ChoiceLog)) {
      throw new ConfigError("choices", "needs { log: ChoiceLog, mode: 'record' | 'replay' }");
    }
    this.#choices = choices;
    if (choices?.mode === "replay") this.#marksUs = readMarks(choices.log);
    const { links = [], ...defaults } = options.network ?? {};
    this.#defaultLink = new Link(resolveLink(defaults));
    if (!Array.isArray(links)) throw new ConfigError("network.links", "must be an array");
    this.#pendingLinks = [...links];
  }

  /** Global virtual time, in ms. */
  get now(): number {
    return this.#nowUs / US;
  }

  /** Node ids in spawn order (external endpoints are not nodes). */
  get nodes(): readonly NodeId[] {
    return this.#order;
  }

  /** The default link configuration. */
  get defaultLink(): Readonly<LinkConfig> {
    return this.#defaultLink.config;
  }

  /** Changes the default link from now on (fields not given keep their value). */
  setDefaultLink(config: Partial<LinkConfig>): void {
    this.#defaultLink = new Link(resolveLink(config, this.#defaultLink.config, "default link "));
  }

  /**
   * Adds a node built by `factory`. Its `onStart` runs as the first event at
   * the current virtual time. The factory runs again at every restart. A
   * factory that throws stops the run with the violation `actor-factory`.
   */
  spawn<M, T = string>(
    id: NodeId,
    factory: ActorFactory<M, T>,
    options: SpawnOptions<M> = {},
  ): void {
    try {
      checkNodeId(id, "id");
    } catch (e) {
      // "node id: id "a|b" is not allowed", not "node id: node id ...".
      throw new ConfigError("node id", (e as Error).message.replace(/^id /, ""));
    }
    if (this.#byId.has(id)) {
      throw new ConfigError("node id", `${JSON.stringify(id)} is already spawned`);
    }
    if (typeof factory !== "function") {
      throw new ConfigError(`spawn ${id}`, "needs a factory function () => Actor");
    }
    const capacity = options.mailboxCapacity ?? Infinity;
    if (!(capacity >= 1) || (capacity !== Infinity && !Number.isInteger(capacity))) {
      throw new ConfigError(
        `mailboxCapacity of ${id}`,
        `must be a whole number >= 1, got ${capacity}`,
      );
    }
    const service = options.serviceTimeMs ?? 0;
    if (typeof service === "number" && !(Number.isFinite(service) && service >= 0)) {
      throw new ConfigError(`serviceTimeMs of ${id}`, `must be a number >= 0, got ${service}`);
    }
    const node = this.#addNode(
      id,
      factory as unknown as ActorFactory<unknown, unknown>,
      capacity,
      service as number | ((msg: unknown) => number),
      options.clock,
    );
    this.#order.push(id);
    this.#current = node;
    node.actor = this.#build(node);
    if (node.actor !== undefined) {
      const slot = this.#alloc(START, node.index, node.incarnation, null);
      this.#heap.push(this.#nowUs, this.#nextSeq++, slot);
    }
    // Links named before their nodes existed resolve as soon as both do.
    this.#pendingLinks = this.#pendingLinks.filter((link) => {
      if (!this.#byId.has(link.from) || !this.#byId.has(link.to)) return true;
      this.setLink(link.from, link.to, link);
      return false;
    });
  }

  /**
   * Registers an external endpoint: an id that is not an actor (a test's
   * "tester", a client driven from outside) but can receive replies through
   * the network; read them with {@linkcode Simulation.inbox}. Sending from
   * an unknown id with {@linkcode Simulation.send} registers it too.
   */
  external(id: NodeId): void {
    try {
      checkNodeId(id, "id");
    } catch (e) {
      throw new ConfigError("external", (e as Error).message.replace(/^id /, ""));
    }
    const known = this.#byId.get(id);
    if (known !== undefined) {
      if (known.external) return;
      throw new ConfigError("external", `${JSON.stringify(id)} is a spawned node`);
    }
    this.#addNode(id, null, Infinity, 0, undefined).inbox = [];
  }

  /** Returns and forgets what the external endpoint `id` received, oldest first. */
  inbox(id: NodeId): InboxMessage[] {
    const node = this.#node(id, "inbox");
    if (!node.external) throw new ConfigError("inbox", `${id} is a node, not an external endpoint`);
    return node.inbox!.splice(0, node.inbox!.length);
  }

  /** Overrides the link `from` -> `to` (fields not given keep the default). */
  setLink(from: NodeId, to: NodeId, config: Partial<LinkConfig>): void {
    const node = this.#node(from, "link from");
    const target = this.#node(to, "link to");
    (node.links ??= new Map()).set(
      target.index,
      new Link(resolveLink(config, this.#defaultLink.config, `link ${from}->${to} `)),
    );
  }

  /** The configuration of the link `from` -> `to`. */
  link(from: NodeId, to: NodeId): Readonly<LinkConfig> {
    const node = this.#node(from, "link from");
    return (node.links?.get(this.#node(to, "link to").index) ?? this.#defaultLink).config;
  }

  /** The current actor instance of `id` (a new one after each restart), or undefined while crashed. */
  actor<A = Actor<unknown, unknown>>(id: NodeId): A | undefined {
    return this.#node(id).actor as A | undefined;
  }

  /** The durable storage of `id`. */
  storage(id: NodeId): MemoryStorage {
    return this.#node(id).storage;
  }

  /** Whether `id` is up, crashed or paused. */
  status(id: NodeId): NodeStatus {
    return this.#node(id).status;
  }

  /** The local clock reading of `id` now. */
  localTime(id: NodeId): number {
    return this.#node(id).localTime(this.now);
  }

  /** Whether messages from `from` to `to` are currently cut. */
  isBlocked(from: NodeId, to: NodeId): boolean {
    return this.#cut(this.#node(from), this.#node(to));
  }

  /** Adds a named invariant, checked after every event. */
  invariant(name: string, check: Invariant): void {
    if (typeof check !== "function") {
      throw new ConfigError(`invariant ${name}`, "needs a function (sim) => result");
    }
    this.#invariants.push({ name, check });
  }

  /** The `sometimes` conditions that held so far, with how many times each did. */
  get reached(): ReadonlyMap<string, number> {
    return this.#reached;
  }

  /**
   * Every `sometimes` condition asked about so far, held or not: a checker
   * that has seen every state can say which of them can never hold.
   */
  get asked(): ReadonlySet<string> {
    return this.#asked;
  }

  /** Marks an interesting moment (see `Context.sometimes`). */
  sometimes(name: string, condition: boolean): void {
    this.#asked.add(name);
    if (condition) this.#reached.set(name, (this.#reached.get(name) ?? 0) + 1);
  }

  /** Message and byte counts by node and type; needs `countMessages: true`. */
  messageStats(): MessageStats {
    if (!this.#countMessages) {
      throw new ConfigError(
        "messageStats",
        "count them with new Simulation({ countMessages: true })",
      );
    }
    return structuredClone(this.#messageStats);
  }

  /**
   * The node whose handler ran in the event being handled: inside a handler,
   * a hook or an invariant, the node that took the step just taken (or is
   * taking it). Undefined before any node has run and in scenario steps and
   * faults, which no node takes.
   *
   * @example
   * ```ts
   * import { Simulation } from "./simulation.ts";
   * import assert from "node:assert/strict";
   * const sim = new Simulation({ seed: 1 });
   * sim.spawn("a", () => ({ onStart(ctx) { ctx.send("b", { type: "hi" }); }, onMessage() {} }));
   * sim.spawn("b", () => ({ onMessage() {} }));
   * const steps: string[] = [];
   * sim.invariant("who", (s) => { steps.push(s.current ?? "-"); });
   * sim.run();
   * assert.deepEqual(steps, ["a", "b", "b"]);
   * ```
   */
  get current(): NodeId | undefined {
    return this.#current?.id;
  }

  /**
   * Calls `fn` now with node `id`'s actor and context, as a local call on
   * that node (a client library's method, a test harness's `Start(cmd)`):
   * what it sends, timers it sets and storage it writes are the node's, and
   * it works while the node is disconnected (its sends are then dropped, as
   * any of its messages would be). For code outside the run (a test, a
   * scenario step in {@linkcode Simulation.at}), not for handlers. Throws a
   * {@linkcode ConfigError} for an unknown, crashed or paused node; an
   * exception inside `fn` stops the run, as one inside a handler does, and
   * is thrown on.
   *
   * @example
   * ```ts
   * import type { Context } from "../actors/mod.ts";
   * import { Simulation } from "./simulation.ts";
   * import assert from "node:assert/strict";
   * class Counter {
   *   n = 0;
   *   add(ctx: Context<{ type: "added"; n: number }>): number {
   *     ctx.send("log", { type: "added", n: ++this.n });
   *     return this.n;
   *   }
   *   onMessage(): void {}
   * }
   * const sim = new Simulation({ seed: 1 });
   * sim.spawn("c", () => new Counter());
   * sim.spawn("log", () => ({ onMessage() {} }));
   * sim.run();
   * assert.equal(sim.call<Counter, number>("c", (counter, ctx) => counter.add(ctx)), 1);
   * sim.run();
   * assert.equal(sim.stats.delivered, 1);
   * ```
   */
  call<A = Actor<unknown, unknown>, R = unknown>(
    id: NodeId,
    fn: (actor: A, ctx: Context<never, never>) => R,
  ): R {
    const node = this.#node(id, "call");
    if (typeof fn !== "function") throw new ConfigError("call", "needs a function (actor, ctx)");
    if (node.external || node.actor === undefined || node.status !== "up") {
      throw new ConfigError(
        `call ${id}`,
        `the node is ${
          node.external ? "an external endpoint" : node.status
        }; only a running node takes a local call`,
      );
    }
    if (this.#tracing) this.#record({ t: this.now, kind: "log", node: id, note: "local call" });
    const previous = this.#current;
    this.#current = node;
    try {
      return fn(node.actor as A, node.ctx as unknown as Context<never, never>);
    } catch (e) {
      this.#fail("actor-exception", e, id, `a local call on ${id} threw`);
      throw e;
    } finally {
      this.#current = previous;
    }
  }

  /**
   * Injects a message from outside the cluster (or on behalf of a node),
   * delivered now without passing the network. A sender that is neither a
   * node nor an external endpoint becomes an external endpoint, so replies
   * to it arrive in its {@linkcode Simulation.inbox}.
   */
  send(from: NodeId, to: NodeId, msg: unknown): void {
    let sender = this.#byId.get(from);
    if (sender !== undefined && !sender.external) {
      this.#node(to, "send to");
      this.#current = sender;
      this.#send(sender, to, msg);
      return;
    }
    if (sender === undefined) {
      this.external(from);
      sender = this.#byId.get(from)!;
    }
    const target = this.#node(to, "send to");
    try {
      msg = plainCopy(msg);
    } catch (e) {
      if (!(e instanceof NotPlainDataError)) throw e;
      throw new ConfigError(
        "send",
        `message from ${from}: ${e.problem}; messages must be plain data`,
      );
    }
    const id = this.#nextMsgId++;
    this.stats.messages++;
    if (this.#tracing) this.#record({ t: this.now, kind: "send", node: from, to, id, msg });
    if (this.#countMessages) this.#count(this.#messageStats.sent, from, msg);
    const slot = this.#alloc(DELIVER, target.index, sender.index, msg);
    this.#evId[slot] = id;
    this.#heap.push(this.#nowUs, this.#nextSeq++, slot);
  }

  /** Runs `fn` at global virtual time `at` (a scripted step of a scenario). */
  at(at: number, fn: (sim: Simulation) => void): void {
    if (!(Number.isFinite(at) && at >= this.now)) {
      throw new ConfigError("at", `time must be a number >= now (${this.now}), got ${at}`);
    }
    if (typeof fn !== "function") throw new ConfigError("at", "needs a function (sim) => void");
    const slot = this.#alloc(CALL, -1, 0, fn);
    this.#heap.push(toUs(at), this.#nextSeq++, slot);
  }

  /** Schedules faults. Throws a {@linkcode ConfigError} naming a bad time or unknown node. */
  schedule(faults: Fault | readonly Fault[]): void {
    const list = Array.isArray(faults) ? faults : [faults as Fault];
    list.forEach((fault, i) => {
      const where = `faults entry ${i + 1} (@${fault?.at} ${
        fault?.action ? formatAction(fault.action) : "?"
      })`;
      if (!(typeof fault?.at === "number" && Number.isFinite(fault.at) && fault.at >= 0)) {
        throw new ConfigError(where, `time must be a number >= 0, got ${fault?.at}`);
      }
      if (fault.at < this.now) {
        throw new ConfigError(where, `time ${fault.at} is in the past (now ${this.now})`);
      }
      for (const id of faultNodes(fault.action)) {
        const node = this.#byId.get(id);
        if (node === undefined || node.external) {
          throw new ConfigError(
            where,
            `unknown node id ${JSON.stringify(id)}; known: ${this.#order.join(", ")}`,
          );
        }
      }
    });
    for (const fault of list) {
      if (fault.at > this.stats.lastFaultMs) this.stats.lastFaultMs = fault.at;
      const slot = this.#alloc(FAULT, -1, 0, fault.action);
      this.#heap.push(toUs(fault.at), FAULT_SEQ_BASE + this.#nextFaultSeq++, slot);
    }
  }

  /**
   * Says that a strategy's hand in the run reaches to now, as a fault's
   * would (its choices of the nodes' random values, say): liveness deadlines
   * count from here (see `SimStats.lastFaultMs`). Recorded with the run's
   * draws, so a replay of them counts from the same moments without the
   * strategy.
   */
  interfere(): void {
    const nowUs = this.#nowUs;
    if (this.#choices?.mode === "replay") return; // the recorded marks stand in for it
    if (nowUs <= this.#interferedUs) return;
    this.#interferedUs = nowUs;
    if (nowUs / US > this.stats.lastFaultMs) this.stats.lastFaultMs = nowUs / US;
    if (this.#choices?.mode === "record") {
      const log = this.#choices.log, n = log.values(MARKS_STREAM).length;
      log.record(MARKS_STREAM, n, Math.floor(nowUs / TWO_32));
      log.record(MARKS_STREAM, n + 1, nowUs % TWO_32);
    }
  }

  /**
   * The latest fault scheduled so far, or moment a strategy marked
   * ({@linkcode Simulation.interfere}; when replaying a choice log, its
   * marks up to now), ms: where liveness deadlines count from. Also kept
   * in `stats.lastFaultMs`, which this brings up to date.
   */
  lastFaultAt(): number {
    const marks = this.#marksUs;
    if (marks !== null) {
      while (this.#marksSeen < marks.length && marks[this.#marksSeen] <= this.#nowUs) {
        this.#marksSeen++;
      }
      const marked = this.#marksSeen === 0 ? 0 : marks[this.#marksSeen - 1] / US;
      if (marked > this.stats.lastFaultMs) this.stats.lastFaultMs = marked;
    }
    return this.stats.lastFaultMs;
  }

  /** Applies one fault now. */
  apply(action: FaultAction): void {
    switch (action.type) {
      case "crash":
        return this.crash(action.node);
      case "restart":
        return this.restart(action.node);
      case "pause":
        return this.pause(action.node);
      case "resume":
        return this.resume(action.node);
      case "partition":
        return this.partition(...action.groups);
      case "block":
        return this.block(action.from, action.to);
      case "unblock":
        return this.unblock(action.from, action.to);
      case "disconnect":
        return this.disconnect(action.node);
      case "reconnect":
        return this.reconnect(action.node);
      case "heal":
        return this.heal();
      case "skew":
        return this.setClock(action.node, { skewMs: action.ms });
      case "drift":
        return this.setClock(action.node, { drift: action.rate });
      default: {
        const never: never = action;
        throw new ConfigError("fault", `unknown action ${JSON.stringify(never)}`);
      }
    }
  }

  /**
   * Crashes `id`: its instance, mailbox and timers are gone; its storage
   * stays. Messages arriving while it is down are dropped. No-op if already crashed.
   */
  crash(id: NodeId): void {
    const node = this.#faultTarget(id, "crash");
    if (node.status === "crashed") return;
    node.status = "crashed";
    node.actor = undefined;
    node.incarnation++;
    node.startDeferred = false;
    if (node.timers !== null) {
      for (const slot of node.timers.values()) this.#evKind[slot] = CANCELLED;
      node.timers.clear();
    }
    if (node.mailbox !== null) { for (const slot of node.mailbox.drain()) this.#release(slot); }
    node.mailboxMessages = 0;
    node.busyUntilUs = -1;
    node.readyScheduled = false;
    node.fifoLast?.clear();
    if (this.#tracing) this.#record({ t: this.now, kind: "crash", node: id });
  }

  /** Restarts a crashed `id` as a fresh instance with its storage; `onStart` runs again. */
  restart(id: NodeId): void {
    const node = this.#faultTarget(id, "restart");
    if (node.status !== "crashed") return;
    node.status = "up";
    if (this.#tracing) this.#record({ t: this.now, kind: "restart", node: id });
    // onStart runs right away, so no message can reach the new instance before it.
    this.#current = node;
    node.actor = this.#build(node);
    if (node.actor === undefined) return;
    this.#start(node);
  }

  /** Pauses `id`: it handles nothing until resumed; messages and timers wait in its mailbox. */
  pause(id: NodeId): void {
    const node = this.#faultTarget(id, "pause");
    if (node.status !== "up") return;
    node.status = "paused";
    if (this.#tracing) this.#record({ t: this.now, kind: "pause", node: id });
  }

  /** Resumes a paused `id`; what waited in its mailbox is handled in order. */
  resume(id: NodeId): void {
    const node = this.#faultTarget(id, "resume");
    if (node.status !== "paused") return;
    node.status = "up";
    if (this.#tracing) this.#record({ t: this.now, kind: "resume", node: id });
    if (node.startDeferred) {
      // A node paused before it ever started starts now, before its mailbox.
      node.startDeferred = false;
      this.#start(node);
    }
    this.#scheduleReady(node, Math.max(this.#nowUs, node.busyUntilUs));
  }

  /** Cuts every link between nodes of different groups, both ways (adds to existing cuts). */
  partition(...groups: NodeId[][]): void {
    const records = groups.map((g) => g.map((id) => this.#faultTarget(id, "partition")));
    const seen = new Set<NodeRecord>();
    for (const group of records) {
      for (const node of group) {
        if (seen.has(node)) {
          throw new ConfigError("partition", `${node.id} is in two groups of one partition`);
        }
        seen.add(node);
      }
    }
    for (let i = 0; i < records.length; i++) {
      for (let j = 0; j < records.length; j++) {
        if (i === j) continue;
        for (const a of records[i]) for (const b of records[j]) this.#setBlocked(a, b, 1);
      }
    }
    if (this.#tracing) {
      this.#record({ t: this.now, kind: "partition", groups: groups.map((g) => [...g]) });
    }
  }

  /** Cuts the one-way link `from` -> `to`. */
  block(from: NodeId, to: NodeId): void {
    this.#setBlocked(this.#faultTarget(from, "block from"), this.#faultTarget(to, "block to"), 1);
    if (this.#tracing) this.#record({ t: this.now, kind: "block", from, to });
  }

  /** Restores the one-way link `from` -> `to` (cut by a block or a partition). */
  unblock(from: NodeId, to: NodeId): void {
    const a = this.#faultTarget(from, "unblock from"), b = this.#faultTarget(to, "unblock to");
    this.#setBlocked(a, b, 0);
    if (this.#tracing) this.#record({ t: this.now, kind: "unblock", from, to });
  }

  /** Cuts every link to and from `id` until {@linkcode Simulation.reconnect}; `heal` leaves it cut. */
  disconnect(id: NodeId): void {
    const node = this.#faultTarget(id, "disconnect");
    if (node.disconnected) return;
    node.disconnected = true;
    this.#anyCut = true;
    if (this.#tracing) this.#record({ t: this.now, kind: "disconnect", node: id });
  }

  /** Restores the links of a disconnected `id` (other cuts stay). */
  reconnect(id: NodeId): void {
    const node = this.#faultTarget(id, "reconnect");
    if (!node.disconnected) return;
    node.disconnected = false;
    if (this.#tracing) this.#record({ t: this.now, kind: "reconnect", node: id });
  }

  /** Restores every link cut by partitions and blocks (disconnected nodes stay cut). */
  heal(): void {
    for (const node of this.#nodes) node.blockedTo = null;
    this.#anyCut = this.#nodes.some((n) => n.disconnected);
    if (this.#tracing) this.#record({ t: this.now, kind: "heal" });
  }

  /**
   * Changes the skew and/or drift of `id`'s clock. Changing only the drift
   * keeps the clock's current reading (the skew absorbs the difference).
   */
  setClock(id: NodeId, config: ClockConfig): void {
    const node = this.#faultTarget(id, "clock");
    const clock = node.clock ??= new NodeClock();
    const now = this.now;
    const before = clock.local(now);
    clock.set(config);
    if (config.drift !== undefined && config.skewMs === undefined) {
      // A new rate changes how fast the clock runs from now on, not what it
      // reads now: a real oscillator does not jump when it warms up.
      clock.set({ skewMs: before - now * (1 + clock.drift) });
    }
    if (this.#tracing) {
      this.#record({ t: now, kind: "clock", node: id, skew: clock.skewMs, drift: clock.drift });
    }
  }

  /**
   * Runs until virtual time `until` (and leaves the clock there), until no
   * events are left (quiet), until `maxEvents` events in total, or until a
   * violation, whichever comes first. May be called again to continue. Past
   * the simulation's own event budget the run stops with the violation
   * `event-budget`; with 1,000,000 events at one instant, `time-stuck`.
   */
  run(options: { until?: number; maxEvents?: number } = {}): RunResult {
    const until = options.until ?? Infinity;
    const maxEvents = options.maxEvents ?? Infinity;
    if (!(typeof until === "number" && until >= this.now)) {
      throw new ConfigError("until", `must be a time >= now (${this.now}), got ${until}`);
    }
    if (!(typeof maxEvents === "number" && maxEvents >= 0)) {
      throw new ConfigError("maxEvents", `must be a number >= 0, got ${maxEvents}`);
    }
    this.#checkLinks();
    const untilUs = until === Infinity ? Infinity : toUs(until);
    const budget = this.#maxEvents;
    // One comparison per event for both limits; which one it was is sorted out after.
    const limit = Math.min(maxEvents, budget);
    let stop: StopReason = "quiet";
    const heap = this.#heap;
    const checks = this.#invariants;
    const stats = this.stats;
    while (!this.#stopped) {
      const time = heap.peekTime();
      if (time === Infinity) {
        if (untilUs !== Infinity) this.#nowUs = untilUs;
        stop = "quiet";
        break;
      }
      if (time > untilUs) {
        this.#nowUs = untilUs;
        stop = "until";
        break;
      }
      if (stats.events >= limit) {
        if (stats.events >= maxEvents) stop = "max-events";
        else this.#overBudget(until);
        break;
      }
      const slot = heap.pop();
      const kind = this.#evKind[slot];
      if (kind === CANCELLED) {
        this.#release(slot);
        continue;
      }
      // Counts this event among the instant's: the report's figure is the events handled then.
      if (time !== this.#nowUs) {
        this.#nowUs = time;
        this.#sameInstant = 1;
      } else if (++this.#sameInstant > STUCK_EVENTS) {
        this.#timeStuck(slot);
        break;
      }
      // Most events are deliveries: straight to #arrive, the rest through #dispatch.
      if (kind === DELIVER) this.#arrive(slot);
      else if (!this.#dispatch(slot)) continue;
      stats.events++;
      this.#lastEventUs = time;
      if (checks.length > 0) this.#checkInvariants();
    }
    stats.lastEventMs = this.#lastEventUs / US;
    if (this.#stopped) stop = "violation";
    return {
      ok: this.violations.length === 0,
      stop,
      events: stats.events,
      messages: stats.messages,
      virtualMs: this.now,
      violations: [...this.violations],
      traceHash: this.trace.hash(),
    };
  }

  /** Records a violation found outside the loop (by a post-run checker) without stopping anything. */
  reportViolation(violation: Violation): void {
    this.violations.push(violation);
    if (this.#tracing) {
      const event: TraceEvent = {
        t: violation.atMs,
        kind: "violation",
        check: violation.check,
        message: violation.message,
      };
      if (violation.node !== undefined) event.node = violation.node;
      this.#record(event);
    }
  }

  /** The most recent events (up to `lastEvents`), oldest first; empty when tracing is off. */
  recentEvents(): TraceEvent[] {
    const r = this.#recent, n = r.length;
    if (n < this.#lastEvents) return [...r];
    return [...r.slice(this.#recentNext), ...r.slice(0, this.#recentNext)];
  }

  /**
   * A readable report of the first violation: check, message, seed, node,
   * virtual time, and the last events before it.
   */
  failureReport(): string {
    // The earliest violation heads the report: checks run after the run may
    // report several, in no particular order of time.
    const v = this.violations.reduce<Violation | undefined>(
      (first, x) => first === undefined || x.atMs < first.atMs ? x : first,
      undefined,
    );
    if (v === undefined) return `seed ${this.seed}: no violation`;
    const lines = [
      // A checker's message can run to hundreds of characters: wrapped, as every report line is.
      ...fill(`violation of ${v.check}: ${v.message}`, 2),
      `  seed ${this.seed}, node ${
        v.node ?? "-"
      }, virtual time ${v.atMs} ms, after ${this.stats.events} events`,
    ];
    if (this.#tracing) {
      const recent = this.#eventsBefore(v);
      lines.push(`  last ${recent.length} events before it:`);
      for (const e of recent) lines.push(`  ${formatEvent(e)}`);
    } else {
      lines.push("  (tracing was off: run the same seed with tracing on to see the last events)");
    }
    lines.push(...this.#statesLines());
    return lines.join("\n");
  }

  /**
   * Each node's state when the run stopped, one line each: its `inspect()`
   * (or its public fields) as JSON, status and local clock. Bounded: the
   * first 16 nodes, four lines of 80 columns each.
   */
  #statesLines(): string[] {
    const lines = ["  nodes when the run stopped (inspect(), or public fields):"];
    const shown = this.#nodes.filter((n) => !n.external);
    for (const node of shown.slice(0, 16)) {
      let view: string;
      try {
        const actor = node.actor;
        const state = actor === undefined
          ? undefined
          : typeof actor.inspect === "function"
          ? actor.inspect()
          : fieldsOf(actor);
        view = state === undefined ? "" : JSON.stringify(state) ?? "";
      } catch (e) {
        view = `(inspect threw ${describeError(e)})`;
      }
      const clock = Math.round(node.localTime(this.now) * 1000) / 1000;
      lines.push(`    ${node.id} ${node.status}, clock ${clock} ms`);
      // Within 80 columns (reports are printed in narrow examples too); four lines a node at most.
      for (let i = 0; i < view.length && i < 4 * 72; i += 72) {
        const piece = view.slice(i, i + 72);
        lines.push(
          `      ${i + 72 < view.length && i + 72 >= 4 * 72 ? `${piece.slice(0, 71)}…` : piece}`,
        );
      }
    }
    if (shown.length > 16) lines.push(`    … and ${shown.length - 16} more nodes`);
    return lines;
  }

  /** The last `lastEvents` events up to the violation's time. */
  #eventsBefore(v: Violation): TraceEvent[] {
    const events = this.trace.mode === "full" ? this.trace.events : this.recentEvents();
    let end = events.length;
    while (end > 0 && (events[end - 1].t > v.atMs || events[end - 1].kind === "violation")) end--;
    return events.slice(Math.max(0, end - this.#lastEvents), end);
  }

  // ---- driving a run step by step (exhaustive checking) ---------------------
  //
  // A separate path from `run()`: the checker lists what may happen next
  // and picks, and the loop above pays nothing for it. This path keeps its
  // own list of the live events, oldest first, each with its window; an
  // event joins the list the first time the path looks after it was made,
  // at the current time: every event is born at the time of the step that
  // made it, and time only moves inside a step.

  /** The live events in the order they were scheduled, with their windows; null until used. */
  #ctl: SteppedEvents | null = null;

  /**
   * What may happen next, oldest first (in the order it was scheduled):
   * every pending message, timer, start, scheduled fault and scripted call,
   * each with the window of virtual time it can happen in. For driving a
   * run step by step with {@linkcode Simulation.step} (exhaustive checking);
   * a simulation driven this way is not also `run()`.
   *
   * @example
   * ```ts
   * import { Simulation } from "./simulation.ts";
   * import assert from "node:assert/strict";
   * const sim = new Simulation({ seed: 1 }); // links: 1..10 ms
   * sim.spawn("a", () => ({ onStart: (ctx) => ctx.send("b", { type: "hi" }), onMessage() {} }));
   * sim.spawn("b", () => ({ onMessage() {} }));
   * assert.deepEqual(sim.pending().map((e) => e.kind), ["start", "start"]);
   * sim.step({ event: 0 }); // a starts and sends
   * const hi = sim.pending()[1];
   * assert.deepEqual([hi.kind, hi.earliestMs, hi.latestMs], ["deliver", 1, 10]);
   * ```
   */
  pending(): PendingEvent[] {
    const ctl = this.#sync();
    return ctl.slots.map((slot, i) => {
      const kind = this.#evKind[slot];
      const lo = ctl.lo[i], hi = ctl.hi[i];
      const node = this.#evNode[slot] >= 0 ? this.#nodes[this.#evNode[slot]].id : undefined;
      const window = { earliestMs: lo / US, latestMs: hi / US };
      switch (kind) {
        case DELIVER:
          return {
            kind: "deliver",
            node,
            from: this.#nodes[this.#evAux[slot]].id,
            msg: this.#evPayload[slot],
            id: this.#evId[slot],
            ...window,
          };
        case TIMER:
          return { kind: "timer", node, timer: this.#evPayload[slot], ...window };
        case START:
          return { kind: "start", node, ...window };
        case READY:
          return { kind: "ready", node, ...window };
        case FAULT:
          return { kind: "fault", action: this.#evPayload[slot] as FaultAction, ...window };
        case CALL:
          return {
            kind: "call",
            call: this.#evPayload[slot] as (sim: Simulation) => void,
            ...window,
          };
        default:
          throw new Error(`internal: unknown event kind ${kind}`);
      }
    });
  }

  /**
   * Takes one step: runs the pending event `choice.event` (a place in
   * {@linkcode Simulation.pending}'s list) next, whatever its time, or loses
   * or duplicates a message, or applies a fault now; then checks the
   * invariants (unless `check` is false: replaying steps known to hold).
   * Virtual time moves to the event's earliest time if that is later than
   * now, and never back: each event happens as soon as the steps before it
   * allow. Throws a {@linkcode ConfigError} for a choice that is not there,
   * or after a violation stopped the run.
   *
   * @example
   * ```ts
   * import { Simulation } from "./simulation.ts";
   * import assert from "node:assert/strict";
   * const sim = new Simulation({ seed: 1 });
   * sim.spawn("a", () => ({
   *   onStart: (ctx) => {
   *     ctx.send("b", { type: "first" });
   *     ctx.send("b", { type: "second" });
   *   },
   *   onMessage() {},
   * }));
   * const got: string[] = [];
   * sim.spawn("b", () => ({ onMessage: (_ctx, msg) => got.push((msg as { type: string }).type) }));
   * sim.step({ event: 0 }); // a starts
   * sim.step({ event: 0 }); // b starts
   * sim.step({ event: 1 }); // the second message overtakes the first
   * sim.step({ event: 0, as: "duplicate" }); // the first arrives, and stays in flight
   * sim.step({ event: 0 }); // and arrives again
   * assert.deepEqual(got, ["second", "first", "first"]);
   * assert.equal(sim.now, 1);
   * ```
   */
  step(choice: StepChoice, options: { check?: boolean } = {}): void {
    if (this.#stopped) {
      throw new ConfigError("step", "the run stopped at a violation; start a new simulation");
    }
    if ("fault" in choice) {
      this.#current = null;
      this.apply(choice.fault);
    } else {
      const ctl = this.#sync();
      const i = choice.event;
      if (!(Number.isInteger(i) && i >= 0 && i < ctl.seqs.length)) {
        throw new ConfigError(
          "step",
          `no pending event ${i}; there are ${ctl.seqs.length} (0..${ctl.seqs.length - 1})`,
        );
      }
      const slot = ctl.slots[i], lo = ctl.lo[i];
      const how = choice.as ?? "run";
      const kind = this.#evKind[slot];
      if (how !== "run" && (kind !== DELIVER || this.#nodes[this.#evAux[slot]].external)) {
        throw new ConfigError("step", `only a message sent over the network can be ${how}d`);
      }
      if (how !== "duplicate") {
        // The message stays in flight when duplicated: only its copy arrives.
        this.#heap.remove(slot);
        ctl.seqs.splice(i, 1);
        ctl.slots.splice(i, 1);
        ctl.lo.splice(i, 1);
        ctl.hi.splice(i, 1);
      }
      if (how === "drop") {
        const from = this.#nodes[this.#evAux[slot]].id;
        this.#drop(from, from, this.#nodes[this.#evNode[slot]].id, this.#evId[slot], "loss");
        this.#release(slot);
      } else {
        const at = lo > this.#nowUs ? lo : this.#nowUs;
        if (at !== this.#nowUs) this.#sameInstant = 0;
        this.#nowUs = at;
        if (how === "duplicate") {
          const copy = this.#alloc(DELIVER, this.#evNode[slot], this.#evAux[slot], null);
          // A copy of its own, as the network's duplicates are.
          const msg = this.#evPayload[slot];
          this.#evPayload[copy] = this.#copyMessages ? plainCopy(msg) : msg;
          this.#evId[copy] = this.#nextMsgId++;
          this.stats.duplicated++;
          if (this.#tracing) {
            this.#record({
              t: this.now,
              kind: "duplicate",
              node: this.#nodes[this.#evAux[slot]].id,
              to: this.#nodes[this.#evNode[slot]].id,
              id: this.#evId[slot],
              copy: this.#evId[copy],
            });
          }
          this.#arrive(copy);
        } else if (kind === DELIVER) this.#arrive(slot);
        else this.#dispatch(slot);
      }
    }
    this.stats.events++;
    this.#lastEventUs = this.#nowUs;
    this.stats.lastEventMs = this.now;
    if ((options.check ?? true) && this.#invariants.length > 0 && !this.#stopped) {
      this.#checkInvariants();
    }
  }

  /** Whether this simulation is driven step by step (see {@linkcode Simulation.pending}). */
  get stepped(): boolean {
    return this.#ctl !== null;
  }

  /** How many draws node `id`'s `ctx.random()` stream has given (two a call): its position. */
  randomDraws(id: NodeId): number {
    return this.#node(id).randomDraws;
  }

  /**
   * Brings this path's list of live events up to date: events made since
   * it last looked join it (born now), cancelled timers leave it (and the
   * heap).
   */
  #sync(): SteppedEvents {
    let ctl = this.#ctl;
    if (ctl === null) {
      this.#checkLinks();
      ctl = this.#ctl = { seqs: [], slots: [], lo: [], hi: [], seen: 0, faultsSeen: 0 };
    }
    if (this.#nextSeq > ctl.seen || this.#nextFaultSeq > ctl.faultsSeen) this.#listNew(ctl);
    // Timers cancelled since: out of the list and the heap.
    let kept = 0;
    const n = ctl.slots.length;
    for (let i = 0; i < n; i++) {
      const slot = ctl.slots[i];
      if (this.#evKind[slot] === CANCELLED) {
        this.#heap.remove(slot);
        this.#release(slot);
        continue;
      }
      if (kept !== i) {
        ctl.seqs[kept] = ctl.seqs[i];
        ctl.slots[kept] = slot;
        ctl.lo[kept] = ctl.lo[i];
        ctl.hi[kept] = ctl.hi[i];
      }
      kept++;
    }
    if (kept < n) {
      ctl.seqs.length =
        ctl.slots.length =
        ctl.lo.length =
        ctl.hi.length =
          kept;
    }
    return ctl;
  }

  /** Adds the events made since the list last looked, born now, in sequence order. */
  #listNew(ctl: SteppedEvents): void {
    const seen = ctl.seen, faultsFrom = FAULT_SEQ_BASE + ctl.faultsSeen;
    const fresh: number[] = []; // seq, slot, time: a few a step
    this.#heap.forEach((time, seq, slot) => {
      if (seq >= seen || (seq < 0 && seq >= faultsFrom)) fresh.push(seq, slot, time);
    });
    // Insertion sort by sequence number: a step makes few events.
    for (let i = 3; i < fresh.length; i += 3) {
      for (let j = i; j > 0 && fresh[j - 3] > fresh[j]; j -= 3) {
        for (let k = 0; k < 3; k++) {
          const t = fresh[j + k];
          fresh[j + k] = fresh[j - 3 + k];
          fresh[j - 3 + k] = t;
        }
      }
    }
    // New faults (negative numbers) go after the old ones, before everything else.
    let at = 0;
    while (at < ctl.seqs.length && ctl.seqs[at] < 0) at++;
    for (let f = 0; f < fresh.length; f += 3) {
      const seq = fresh[f], slot = fresh[f + 1], time = fresh[f + 2];
      let lo = time, hi = time;
      const from = this.#evKind[slot] === DELIVER ? this.#nodes[this.#evAux[slot]] : undefined;
      if (from !== undefined && !from.external) {
        const link = from.links?.get(this.#evNode[slot]) ?? this.#defaultLink;
        const [min, max] = latencyBounds(link.config.latency);
        lo = this.#nowUs + toUs(min);
        hi = max === Infinity ? Infinity : this.#nowUs + toUs(max);
      }
      if (seq >= 0) {
        ctl.seqs.push(seq);
        ctl.slots.push(slot);
        ctl.lo.push(lo);
        ctl.hi.push(hi);
      } else {
        ctl.seqs.splice(at, 0, seq);
        ctl.slots.splice(at, 0, slot);
        ctl.lo.splice(at, 0, lo);
        ctl.hi.splice(at, 0, hi);
        at++;
      }
    }
    ctl.seen = this.#nextSeq;
    ctl.faultsSeen = this.#nextFaultSeq;
  }

  /** Links named for nodes that were never spawned are an error once the run starts. */
  #checkLinks(): void {
    if (this.#pendingLinks.length > 0) {
      const l = this.#pendingLinks[0];
      throw new ConfigError(
        `link ${l.from}->${l.to}`,
        `names a node that was never spawned; known: ${this.#order.join(", ")}`,
      );
    }
  }

  // ---- the loop's internals -------------------------------------------------

  #node(id: NodeId, what = "node id"): NodeRecord {
    const node = this.#byId.get(id);
    if (node === undefined) {
      throw new ConfigError(
        what,
        `unknown node id ${JSON.stringify(id)}; known: ${this.#order.join(", ") || "(none)"}`,
      );
    }
    return node;
  }

  /** A node a fault may act on: spawned, not an external endpoint. */
  #faultTarget(id: NodeId, what: string): NodeRecord {
    const node = this.#node(id, what);
    if (node.external) {
      throw new ConfigError(what, `${id} is an external endpoint, not a node`);
    }
    return node;
  }

  #addNode(
    id: NodeId,
    factory: ActorFactory<unknown, unknown> | null,
    capacity: number,
    service: number | ((msg: unknown) => number),
    clock: ClockConfig | undefined,
  ): NodeRecord {
    const node = new NodeRecord(id, this.#nodes.length, factory, capacity, service, clock, this);
    node.randomKey = streamKey(this.seed, `node:${id}`);
    this.#nodes.push(node);
    this.#byId.set(id, node);
    return node;
  }

  /** Builds a node's actor; a factory that throws (or returns no actor) stops the run. */
  #build(node: NodeRecord): Actor<unknown, unknown> | undefined {
    let actor: Actor<unknown, unknown>;
    try {
      actor = node.factory!(node.id);
    } catch (e) {
      this.#fail("actor-factory", e, node.id, `the factory of ${node.id} threw`);
      return undefined;
    }
    if (typeof actor !== "object" || actor === null || typeof actor.onMessage !== "function") {
      this.#stopWith({
        check: "actor-factory",
        message: `the factory of ${node.id} returned ${
          actor === null ? "null" : typeof actor
        }, not an actor with onMessage(ctx, msg, from)`,
        atMs: this.now,
        node: node.id,
      });
      return undefined;
    }
    if (this.#hooks?.observe !== undefined && !node.hasStorage) {
      node.storage = new ObservedStorage((key) =>
        this.#observe({ kind: "storage", node: node.id, atMs: this.now, key })
      );
    }
    return actor;
  }

  #alloc(kind: number, node: number, aux: number, payload: unknown): number {
    let slot: number;
    if (this.#freeCount > 0) slot = this.#free[--this.#freeCount];
    else {
      slot = this.#slotCount++;
      if (slot === this.#evKind.length) this.#growSlots();
    }
    this.#evKind[slot] = kind;
    this.#evNode[slot] = node;
    this.#evAux[slot] = aux;
    this.#evPayload[slot] = payload;
    return slot;
  }

  #release(slot: number): void {
    this.#evPayload[slot] = undefined;
    if (this.#evKind[slot] !== DELIVER) this.#evKey[slot] = null;
    if (this.#freeCount === this.#free.length) {
      const grown = new Int32Array(this.#free.length * 2);
      grown.set(this.#free);
      this.#free = grown;
    }
    this.#free[this.#freeCount++] = slot;
  }

  #growSlots(): void {
    const n = this.#evKind.length * 2;
    const grow = <A extends Uint8Array | Int32Array | Float64Array>(
      a: A,
      make: (n: number) => A,
    ) => {
      const b = make(n);
      b.set(a);
      return b;
    };
    this.#evKind = grow(this.#evKind, (k) => new Uint8Array(k));
    this.#evNode = grow(this.#evNode, (k) => new Int32Array(k));
    this.#evAux = grow(this.#evAux, (k) => new Int32Array(k));
    this.#evId = grow(this.#evId, (k) => new Float64Array(k));
    this.#evPayload.length = n;
    this.#evKey.length = n;
  }

  #record(event: TraceEvent): void {
    this.trace.record(event);
    const recent = this.#recent;
    if (recent.length < this.#lastEvents) recent.push(event);
    else {
      recent[this.#recentNext] = event;
      this.#recentNext = (this.#recentNext + 1) % this.#lastEvents;
    }
  }

  /** Handles one event other than a delivery; returns false when it was a no-op (not counted). */
  #dispatch(slot: number): boolean {
    const kind = this.#evKind[slot];
    switch (kind) {
      case TIMER: {
        const node = this.#nodes[this.#evNode[slot]];
        node.timers!.delete(this.#evKey[slot]!);
        if (node.status === "paused" || node.busyUntilUs > this.#nowUs || node.waiting > 0) {
          (node.mailbox ??= new Mailbox()).push(slot);
          this.#scheduleReady(node, node.busyUntilUs);
          return true;
        }
        this.#fireTimer(node, slot);
        this.#release(slot);
        return true;
      }
      case READY: {
        const node = this.#nodes[this.#evNode[slot]];
        const incarnation = this.#evAux[slot];
        this.#release(slot);
        // A READY from before a crash must not clear the flag of the new life's READY.
        if (incarnation !== node.incarnation) return false;
        node.readyScheduled = false;
        if (node.status !== "up") return false;
        const next = node.mailbox === null ? -1 : node.mailbox.shift();
        if (next === -1) return false;
        if (this.#evKind[next] === DELIVER) {
          node.mailboxMessages--;
          this.#handleMessage(node, next);
        } else {
          this.#fireTimer(node, next);
        }
        this.#release(next);
        if (node.waiting > 0) this.#scheduleReady(node, node.busyUntilUs);
        return true;
      }
      case START: {
        const node = this.#nodes[this.#evNode[slot]];
        const incarnation = this.#evAux[slot];
        this.#release(slot);
        if (incarnation !== node.incarnation || node.actor === undefined) return false;
        if (node.status === "paused") {
          // A paused node does nothing, starting included.
          node.startDeferred = true;
          return true;
        }
        this.#start(node);
        return true;
      }
      case FAULT: {
        const action = this.#evPayload[slot] as FaultAction;
        this.#release(slot);
        this.#current = null;
        try {
          this.apply(action);
        } catch (e) {
          // A fault the schedule could not have known was wrong (a restart of a running node is a no-op).
          this.#fail("fault", e, undefined, `the fault ${formatAction(action)} failed`);
        }
        return true;
      }
      case CALL: {
        const fn = this.#evPayload[slot] as (sim: Simulation) => void;
        this.#release(slot);
        this.#current = null;
        try {
          fn(this);
        } catch (e) {
          this.#fail("scenario", e, undefined);
        }
        return true;
      }
      default:
        throw new Error(`internal: unknown event kind ${kind}`);
    }
  }

  #start(node: NodeRecord): void {
    if (this.#tracing) this.#record({ t: this.now, kind: "start", node: node.id });
    this.#current = node;
    try {
      const returned = node.actor!.onStart?.(node.ctx);
      if (returned !== undefined) this.#returned(node, "onStart", returned);
    } catch (e) {
      this.#fail("actor-exception", e, node.id);
    }
    if (this.#hooks !== null) this.#observe({ kind: "start", node: node.id, atMs: this.now });
  }

  #arrive(slot: number): void {
    const node = this.#nodes[this.#evNode[slot]];
    const fromIndex = this.#evAux[slot];
    if (node.status === "crashed") return this.#dropArrival(slot, node, "crashed");
    if (this.#anyCut && this.#cut(this.#nodes[fromIndex], node)) {
      return this.#dropArrival(slot, node, "partition");
    }
    if (node.status === "paused" || node.busyUntilUs > this.#nowUs || node.waiting > 0) {
      if (node.mailboxMessages >= node.capacity) {
        return this.#dropArrival(slot, node, "mailbox-full");
      }
      (node.mailbox ??= new Mailbox()).push(slot);
      node.mailboxMessages++;
      this.#scheduleReady(node, node.busyUntilUs);
      return;
    }
    this.#handleMessage(node, slot);
    this.#release(slot);
  }

  #dropArrival(slot: number, node: NodeRecord, reason: DropReason): void {
    const from = this.#nodes[this.#evAux[slot]].id;
    this.#drop(node.id, from, node.id, this.#evId[slot], reason);
    this.#release(slot);
  }

  #scheduleReady(node: NodeRecord, atUs: number): void {
    if (node.readyScheduled || node.status !== "up" || node.waiting === 0) return;
    node.readyScheduled = true;
    const slot = this.#alloc(READY, node.index, node.incarnation, null);
    this.#heap.push(atUs > this.#nowUs ? atUs : this.#nowUs, this.#nextSeq++, slot);
  }

  #handleMessage(node: NodeRecord, slot: number): void {
    this.stats.delivered++;
    const msg = this.#evPayload[slot];
    const from = this.#nodes[this.#evAux[slot]].id;
    if (this.#watched) this.#noteDelivery(node, slot, msg, from);
    if (node.factory === null) {
      // An external endpoint: the message waits in its inbox until read.
      this.#current = null;
      node.inbox!.push({ from, msg, atMs: this.now });
      return;
    }
    const service = node.serviceTime;
    if (service !== 0) {
      const ms = typeof service === "number" ? service : service(msg);
      node.busyUntilUs = this.#nowUs + toUsDelay(ms);
    }
    this.#current = node;
    try {
      const returned = node.actor!.onMessage(
        node.ctx,
        this.#copyOnDeliver ? plainCopy(msg) : msg,
        from,
      );
      if (returned !== undefined) this.#returned(node, "onMessage", returned);
    } catch (e) {
      this.#fail("actor-exception", e, node.id);
    }
    if (this.#hooks !== null) {
      this.#observe({ kind: "deliver", node: node.id, atMs: this.now, from, msg });
    }
  }

  /** A delivery, for the trace and the message counts. */
  #noteDelivery(node: NodeRecord, slot: number, msg: unknown, from: NodeId): void {
    if (this.#tracing) {
      this.#record({
        t: this.now,
        kind: "deliver",
        node: node.id,
        from,
        id: this.#evId[slot],
        msg,
      });
    }
    if (this.#countMessages) this.#count(this.#messageStats.delivered, node.id, msg);
  }

  /** Tells a strategy's `observe` hook, when there is one. */
  #observe(what: Observed): void {
    this.#hooks?.observe?.(this, what);
  }

  #fireTimer(node: NodeRecord, slot: number): void {
    this.stats.timers++;
    const timer = this.#evPayload[slot];
    if (this.#tracing) {
      this.#record({ t: this.now, kind: "timer", node: node.id, name: timerName(timer) });
    }
    this.#current = node;
    const actor = node.actor!;
    if (actor.onTimer === undefined) return;
    try {
      const returned = actor.onTimer(node.ctx, timer);
      if (returned !== undefined) this.#returned(node, "onTimer", returned);
    } catch (e) {
      this.#fail("actor-exception", e, node.id);
    }
    if (this.#hooks !== null) {
      this.#observe({ kind: "timer", node: node.id, atMs: this.now, timer });
    }
  }

  /** A handler returned something: a promise is refused (handlers run to completion). */
  #returned(node: NodeRecord, handler: string, value: unknown): void {
    handlerReturned(node.id, handler, value);
  }

  #send(from: NodeRecord, to: NodeId, msg: unknown): void {
    // Most sends answer the last sender or repeat the last destination.
    const target = from.lastTo === to ? from.lastTarget! : this.#lookUp(from, to);
    // Two calls, each with a constant, so that the one taken inlines to its half.
    msg = this.#copyMessages
      ? sentMessage(from.id, to, msg, true)
      : sentMessage(from.id, to, msg, false);
    const id = this.#nextMsgId++;
    this.stats.messages++;
    if (this.#watched) this.#noteSend(from, to, id, msg);
    if (this.#anyCut && this.#cut(from, target)) {
      return this.#drop(from.id, from.id, to, id, "partition");
    }
    const link = from.links === null
      ? this.#defaultLink
      : (from.links.get(target.index) ?? this.#defaultLink);
    // Four draws per message on the link's stream: loss, duplicate, latency
    // of the message, latency of its duplicate. A fixed layout keeps each
    // message's draws where a replay or an edit expects them. Every draw
    // reads "small is simple": 0 keeps the message, sends no copy and is
    // the fastest latency, so a shrinker lowering draws simplifies the run.
    const ti = target.index;
    if (from.linkSent === null || ti >= from.linkSent.length) this.#growLinks(from);
    const k = from.linkSent![ti]++;
    const base = k * 4;
    if (link.lossAt !== TWO_32 && link.lost(this.#netDraw(from, ti, base))) {
      return this.#drop(from.id, from.id, to, id, "loss");
    }
    this.#transmit(from, target, link, msg, id, base + 2);
    if (link.dupAt !== TWO_32) this.#maybeDuplicate(from, target, link, msg, id, base);
  }

  /** The node a send names, or a contract error naming the unknown id; remembered as the last. */
  #lookUp(from: NodeRecord, to: NodeId): NodeRecord {
    const target = this.#byId.get(to);
    if (target === undefined) {
      throw new ContractError(
        `${from.id} sent to unknown node id ${JSON.stringify(to)}; known: ${
          this.#order.join(", ")
        }`,
      );
    }
    from.lastTo = to;
    from.lastTarget = target;
    return target;
  }

  /** A send, for the trace, the message counts and a strategy's hook. */
  #noteSend(from: NodeRecord, to: NodeId, id: number, msg: unknown): void {
    if (this.#tracing) this.#record({ t: this.now, kind: "send", node: from.id, to, id, msg });
    if (this.#countMessages) this.#count(this.#messageStats.sent, from.id, msg);
    if (this.#hooks !== null) {
      this.#observe({ kind: "send", node: from.id, atMs: this.now, to, msg });
    }
  }

  /** The network may send a second copy of message `id`: its draw at `base + 1` says. */
  #maybeDuplicate(
    from: NodeRecord,
    target: NodeRecord,
    link: Link,
    msg: unknown,
    id: number,
    base: number,
  ): void {
    if (!link.duplicated(this.#netDraw(from, target.index, base + 1))) return;
    const copy = this.#nextMsgId++;
    this.stats.duplicated++;
    if (this.#tracing) {
      this.#record({ t: this.now, kind: "duplicate", node: from.id, to: target.id, id, copy });
    }
    // The copy is a message of its own: a receiver that changes one changes not the other.
    this.#transmit(from, target, link, this.#copyMessages ? plainCopy(msg) : msg, copy, base + 3);
  }

  #transmit(
    from: NodeRecord,
    to: NodeRecord,
    link: Link,
    msg: unknown,
    id: number,
    drawIndex: number,
  ): void {
    // A fixed latency needs no draw (and records none); hooks and custom latencies go the long way.
    const latencyUs = this.#hooks === null && !link.custom
      ? link.latencyUs(link.fixed ? 0 : this.#netDraw(from, to.index, drawIndex), from.id, to.id)
      : this.#chosenLatencyUs(from, to, link, msg, drawIndex);
    let arrival = this.#nowUs + latencyUs;
    if (link.fifo) arrival = this.#fifoArrival(from, to, arrival);
    const slot = this.#alloc(DELIVER, to.index, from.index, msg);
    this.#evId[slot] = id;
    this.#heap.push(arrival, this.#nextSeq++, slot);
  }

  /** The latency of a message when a strategy's hook may choose it, or the link's is custom. */
  #chosenLatencyUs(
    from: NodeRecord,
    to: NodeRecord,
    link: Link,
    msg: unknown,
    drawIndex: number,
  ): number {
    let draw = this.#netDraw(from, to.index, drawIndex);
    const hook = this.#hooks?.latency;
    if (hook !== undefined) {
      draw = this.#chosen(from, to.index, drawIndex, hook(from.id, to.id, msg, unit(draw >>> 0)));
    }
    return link.custom
      ? link.latencyUs(draw, from.id, to.id, msg, this.#customRandom(from, to))
      : link.latencyUs(draw, from.id, to.id);
  }

  /** Never arrive before an earlier message on this link; equal times keep send order (by sequence number). */
  #fifoArrival(from: NodeRecord, to: NodeRecord, arrival: number): number {
    const fifoLast = from.fifoLast ??= new Map();
    const last = fifoLast.get(to.index);
    if (last !== undefined && last > arrival) arrival = last;
    fifoLast.set(to.index, arrival);
    return arrival;
  }

  /** The random source of a custom latency: its own stream per link, drawn in sequence. */
  #customRandom(from: NodeRecord, to: NodeRecord): () => number {
    const key = streamKey(this.seed, `latency:${from.id}>${to.id}`);
    const counters = this.#customDraws;
    const name = `${from.index}>${to.index}`;
    return () => {
      const i = counters.get(name) ?? 0;
      counters.set(name, i + 1);
      return unit(draw(key, i));
    };
  }
  #customDraws = new Map<string, number>();
  /** The seed's part of every stream key (see `seedMix`). */
  #seedMix = 0;
  /** The latest moment `interfere` marked, µs. */
  #interferedUs = 0;
  /** Replaying a choice log: the moments it marked, µs, in order, and how many are past. */
  #marksUs: number[] | null = null;
  #marksSeen = 0;

  /**
   * Draw `index` of the link stream `from` -> node `ti`: the seed's, or the
   * choice log's. As a signed 32-bit integer: V8 passes those without
   * allocating, where an unsigned one above 2^31 would be boxed on every
   * call; {@linkcode Link} reads it back as unsigned.
   */
  #netDraw(from: NodeRecord, ti: number, index: number): number {
    let key = from.linkKeys![ti];
    if (key === 0) key = this.#linkKey(from, ti);
    if (this.#choices === null) return mixDraw(key, index);
    return this.#logged(`net:${from.id}>${this.#nodes[ti].id}`, key, index);
  }

  /** A hook changed draw `index` of a link stream to `u`: record the change when recording. */
  #chosen(from: NodeRecord, ti: number, index: number, u: number): number {
    if (!(u >= 0 && u < 1)) {
      throw new ConfigError("hooks.latency", `must return a number in [0, 1), got ${u}`);
    }
    const value = Math.floor(u * TWO_32);
    if (this.#choices?.mode === "record") {
      this.#choices.log.record(`net:${from.id}>${this.#nodes[ti].id}`, index, value);
    }
    return value;
  }

  #linkKey(from: NodeRecord, ti: number): number {
    // streamKey(seed, `net:${from}>${to}`), from the hash of the name's prefix:
    // a 100-node run makes 9,900 of these, and need build no string for them.
    // 0 marks "not made yet", so a key of 0 is nudged to 1.
    const prefix = from.linkPrefix ||= hashString(`net:${from.id}>`);
    const key = keyOfHash(hashString(this.#nodes[ti].id, prefix), this.#seedMix) | 0 || 1;
    from.linkKeys![ti] = key;
    return key;
  }

  #growLinks(from: NodeRecord): void {
    const n = Math.max(this.#nodes.length, 8);
    const sent = new Float64Array(n);
    if (from.linkSent !== null) {
      sent.set(from.linkSent.subarray(0, Math.min(n, from.linkSent.length)));
    }
    from.linkSent = sent;
    const keys = new Int32Array(n);
    if (from.linkKeys !== null) {
      keys.set(from.linkKeys.subarray(0, Math.min(n, from.linkKeys.length)));
    }
    from.linkKeys = keys;
  }

  #random(node: NodeRecord): number {
    // Kept small so that V8 inlines it into the actor's call, and the double
    // it returns need not be boxed; a run with a choice log or hooks goes the long way.
    if (this.#choices !== null || this.#hooks !== null) return this.#loggedRandom(node);
    const i = node.randomDraws;
    node.randomDraws = i + 2;
    const key = node.randomKey;
    return toUnit53(mixDraw(key, i), mixDraw(key, i + 1));
  }

  #loggedRandom(node: NodeRecord): number {
    const i = node.randomDraws;
    node.randomDraws = i + 2;
    const name = `node:${node.id}`;
    const key = node.randomKey;
    const u = this.#choices === null
      ? toUnit53(mixDraw(key, i), mixDraw(key, i + 1))
      : toUnit53(this.#logged(name, key, i), this.#logged(name, key, i + 1));
    const hook = this.#hooks?.random;
    return hook === undefined ? u : this.#chosenRandom(node, name, i, hook(node.id, i / 2, u));
  }

  /**
   * A hook chose `u` for the `ctx.random()` whose draws start at `index`:
   * kept to 53 bits, and recorded as the two draws that give it back.
   */
  #chosenRandom(node: NodeRecord, name: string, index: number, u: number): number {
    if (!(u >= 0 && u < 1)) {
      throw new ConfigError(
        "hooks.random",
        `must return a number in [0, 1) (for ${node.id}), got ${u}`,
      );
    }
    // toUnit53 reads 27 bits from the first draw (its top) and 26 from the second.
    const bits = Math.floor(u * 9007199254740992);
    const hi = Math.floor(bits / 67108864) * 32;
    const lo = (bits % 67108864) * 64;
    if (this.#choices?.mode === "record") {
      this.#choices.log.record(name, index, hi);
      this.#choices.log.record(name, index + 1, lo);
    }
    return toUnit53(hi, lo);
  }

  /** A draw when a choice log is in play: recorded, or read back (the seed's past its end). */
  #logged(name: string, key: number, index: number): number {
    const choices = this.#choices!;
    if (choices.mode === "replay") {
      const value = choices.log.get(name, index);
      return value === -1 ? mixDraw(key, index) : value | 0;
    }
    const value = mixDraw(key, index);
    choices.log.record(name, index, value >>> 0);
    return value;
  }

  #drop(node: NodeId, from: NodeId, to: NodeId, id: number, reason: DropReason): void {
    this.stats.dropped++;
    if (this.#tracing) this.#record({ t: this.now, kind: "drop", node, from, to, id, reason });
  }

  #cut(from: NodeRecord, to: NodeRecord): boolean {
    return from.disconnected || to.disconnected ||
      (from.blockedTo !== null && to.index < from.blockedTo.length &&
        from.blockedTo[to.index] === 1);
  }

  #setBlocked(from: NodeRecord, to: NodeRecord, value: 0 | 1): void {
    let blocked = from.blockedTo;
    if (blocked === null || to.index >= blocked.length) {
      if (value === 0) return;
      const grown = new Uint8Array(Math.max(this.#nodes.length, 8));
      if (blocked !== null) grown.set(blocked);
      blocked = from.blockedTo = grown;
    }
    blocked[to.index] = value;
    if (value === 1) this.#anyCut = true;
  }

  #setTimer(node: NodeRecord, timer: unknown, afterMs: number): void {
    if (!(typeof afterMs === "number" && Number.isFinite(afterMs) && afterMs >= 0)) {
      throw new RangeError(
        `setTimer(${safeTimerName(timer)}): afterMs must be a finite number >= 0, got ${afterMs}`,
      );
    }
    timer = setTimerValue(node.id, timer);
    const key = timerKey(timer);
    const timers = node.timers ??= new Map();
    const old = timers.get(key);
    if (old !== undefined) this.#evKind[old] = CANCELLED;
    const slot = this.#alloc(TIMER, node.index, node.incarnation, timer);
    this.#evKey[slot] = key;
    timers.set(key, slot);
    this.#heap.push(this.#nowUs + toUsDelay(node.globalDelay(afterMs)), this.#nextSeq++, slot);
  }

  #cancelTimer(node: NodeRecord, timer: unknown): void {
    const key = timerKey(timer);
    const old = node.timers?.get(key);
    if (old !== undefined) {
      this.#evKind[old] = CANCELLED;
      node.timers!.delete(key);
    }
    // A timer that already fired into a busy node's mailbox is cancelled too.
    if (node.waiting > 0) {
      const removed = node.mailbox!.remove((s) =>
        this.#evKind[s] === TIMER && this.#evKey[s] === key
      );
      if (removed !== -1) this.#release(removed);
    }
  }

  #count(counts: MessageCounts, node: NodeId, msg: unknown): void {
    const type = typeof (msg as { type?: unknown })?.type === "string"
      ? (msg as { type: string }).type
      : "(other)";
    const byType = counts[node] ??= {};
    const c = byType[type] ??= { count: 0, bytes: 0 };
    c.count++;
    c.bytes += JSON.stringify(msg)?.length ?? 0;
  }

  #checkInvariants(): void {
    for (const { name, check } of this.#invariants) {
      let result: InvariantResult;
      try {
        result = check(this);
      } catch (e) {
        this.#fail(name, e, this.#current?.id);
        return;
      }
      if (result === undefined || result === true) continue;
      const message = result === false
        ? "does not hold"
        : typeof result === "string"
        ? result
        : result.message;
      const node = typeof result === "object"
        ? result.node ?? this.#current?.id
        : this.#current?.id;
      this.#stopWith({ check: name, message, atMs: this.now, node });
      return;
    }
  }

  #overBudget(until: number): void {
    const goal = until === Infinity ? "" : ` and has not reached until ${until} ms`;
    this.#stopWith({
      check: "event-budget",
      message: `the run handled ${this.#maxEvents} events (its budget) by ${this.now} ms${goal}; ` +
        "raise it with new Simulation({ maxEvents }) (--max-events) if the run is meant to be this long",
      atMs: this.now,
    });
  }

  #timeStuck(slot: number): void {
    const node = this.#evNode[slot] >= 0 ? this.#nodes[this.#evNode[slot]].id : undefined;
    const what = this.#evKind[slot] === TIMER
      ? `timer ${safeTimerName(this.#evPayload[slot])} of ${node}`
      : this.#evKind[slot] === DELIVER
      ? `a message to ${node}`
      : "an event";
    this.#release(slot);
    this.#stopWith({
      check: "time-stuck",
      message: `virtual time stopped moving: ${STUCK_EVENTS} events at ${this.now} ms ` +
        `(the last one ${what}); a timer that re-arms itself with 0 ms, or messages ` +
        "answered at once in a loop?",
      atMs: this.now,
      ...(node === undefined ? {} : { node }),
    });
  }

  #fail(check: string, error: unknown, node: NodeId | undefined, context?: string): void {
    const described = error instanceof ContractError ? error.message : describeError(error);
    const message = context === undefined ? described : `${context}: ${described}`;
    this.#stopWith({ check, message, atMs: this.now, node });
  }

  #stopWith(violation: Violation): void {
    if (violation.node === undefined) delete violation.node;
    this.reportViolation(violation);
    this.#stopped = true;
  }
}

/**
 * The choice log's stream of the moments a strategy marked as its doing
 * (`Simulation.interfere`): pairs of high and low 32 bits of a time in µs.
 * Not a draw: a shrinker leaves it as it is.
 */
export const MARKS_STREAM = "marks";

/** The moments a choice log marked, µs, in order. */
function readMarks(log: ChoiceLog): number[] {
  const values = log.values(MARKS_STREAM), out: number[] = [];
  for (let i = 0; i + 1 < values.length; i += 2) out.push(values[i] * TWO_32 + values[i + 1]);
  return out;
}

/**
 * The counter-based draw of `choices.ts`, inlined here for the hot path, as
 * a signed 32-bit integer (the same bits; see `#netDraw` for why).
 */
function mixDraw(key: number, index: number): number {
  if (index >= 4294967296) return draw(key, index) | 0;
  let x = (key + Math.imul(index, 0x9e3779b9)) | 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x;
}

/** Two 32-bit draws as the 53 bits of a double in [0, 1). */
function toUnit53(hi: number, lo: number): number {
  return ((hi >>> 5) * 67108864 + (lo >>> 6)) / 9007199254740992;
}

/** Milliseconds of virtual time as whole microseconds (the run's clock). */
function toUs(ms: number): number {
  return Math.round(ms * US);
}

/** A delay in ms as whole microseconds, never negative. */
function toUsDelay(ms: number): number {
  // Math.round of a value >= 0 without the branch on the fraction: the
  // delays of a run are random, and a mispredicted branch per message shows.
  const x = ms * US;
  return x >= 0.5 && x < 4503599627370496 ? Math.floor(x + 0.5) : Math.round(Math.max(0, x));
}

function checkCount(input: string, n: number, min: number, max: number): number {
  if (!(typeof n === "number" && Number.isInteger(n) && n >= min && n <= max)) {
    throw new ConfigError(input, `must be a whole number from ${min} to ${max}, got ${n}`);
  }
  return n;
}
