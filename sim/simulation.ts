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
 * @module
 */

import {
  type Actor,
  type ActorFactory,
  checkNodeId,
  type Context,
  MemoryStorage,
  type NodeId,
  type OpId,
  type OpStatus,
  timerKey,
  timerName,
} from "../actors/mod.ts";
import { type ClockConfig, NodeClock } from "./clock.ts";
import { ConfigError } from "./errors.ts";
import { EventQueue } from "./event_queue.ts";
import { type Fault, type FaultAction, faultNodes, formatAction } from "./faults.ts";
import { History } from "./history.ts";
import { type LinkConfig, type NetworkOptions, resolveLink, sampleLatency } from "./network.ts";
import { MAX_SEED, Random } from "./random.ts";
import { type DropReason, formatEvent, Trace, type TraceEvent, type TraceMode } from "./trace.ts";

/**
 * Options of a {@linkcode Simulation}.
 *
 * @example
 * ```ts
 * import type { SimulationOptions } from "./simulation.ts";
 * const opts: SimulationOptions = { seed: 7, network: { loss: 0.1 }, trace: "full" };
 * ```
 */
export interface SimulationOptions {
  /** The one source of every random choice: a whole number from 0 to 2^53 - 1. */
  seed: number;
  /** Default link behaviour and per-link overrides. */
  network?: NetworkOptions;
  /** `full` (default) keeps events and hash, `hash` only the hash, `off` nothing. */
  trace?: TraceMode;
  /** How many recent events a failure report shows (default 12). */
  lastEvents?: number;
  /**
   * Deep-copy each message at send, so a sender that mutates an object after
   * sending it cannot change what the receiver sees. Off by default for speed.
   */
  cloneMessages?: boolean;
}

/**
 * Options of one node.
 *
 * @example
 * ```ts
 * import type { SpawnOptions } from "./simulation.ts";
 * const slow: SpawnOptions = { serviceTimeMs: 2, mailboxCapacity: 100, clock: { drift: 0.01 } };
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
 * import type { Invariant } from "./simulation.ts";
 * const atMostOneUp: Invariant = (sim) =>
 *   sim.nodes.filter((n) => sim.status(n) === "up").length <= 1 || "two nodes up";
 * ```
 */
export type Invariant = (sim: Simulation) => InvariantResult;

/**
 * A property that did not hold, or an actor that threw.
 *
 * @example
 * ```ts
 * import type { Violation } from "./simulation.ts";
 * const v: Violation = { check: "one-leader", message: "two leaders in term 2", atMs: 120, node: "n3" };
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
}

/** Why {@linkcode Simulation.run} returned. */
export type StopReason = "quiet" | "until" | "max-events" | "violation";

/**
 * What a call to {@linkcode Simulation.run} did.
 *
 * @example
 * ```ts
 * import { Simulation } from "./simulation.ts";
 * const r = new Simulation({ seed: 1 }).run();
 * r.stop; // "quiet"
 * ```
 */
export interface RunResult {
  ok: boolean;
  stop: StopReason;
  /** Events handled since the simulation began. */
  events: number;
  /** Messages sent since the simulation began (duplicates not counted). */
  messages: number;
  /** Global virtual time reached. */
  virtualMs: number;
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
 * new Simulation({ seed: 1 }).stats.delivered; // 0
 * ```
 */
export interface SimStats {
  events: number;
  messages: number;
  delivered: number;
  dropped: number;
  duplicated: number;
  timers: number;
}

// Kinds of scheduled event. Numbers, not strings: the loop switches on them
// millions of times a second.
const DELIVER = 0;
const TIMER = 1;
const READY = 2;
const START = 3;
const FAULT = 4;
const CALL = 5;

/** One entry of the scheduler's queue; a single shape keeps the hot loop monomorphic. */
class SimEvent {
  time = 0;
  /** `time` in whole microseconds when that is exact, else -1 (see exactUs). */
  us = -1;
  seq = 0;
  cancelled = false;
  constructor(
    public kind: number,
    public node: NodeRecord | null,
    /** Sender (DELIVER), timer key (TIMER). */
    public name: string,
    /** Message (DELIVER), timer (TIMER), fault action (FAULT), callback (CALL). */
    public payload: unknown,
    /** Message id (DELIVER), node incarnation (TIMER, READY, START). */
    public id: number,
  ) {}
}

/**
 * A node's waiting messages and timers, oldest first. A moving head instead of
 * `Array.prototype.shift`, which copies a long array on every call.
 */
class Mailbox {
  #items: (SimEvent | undefined)[] = [];
  #head = 0;

  get size(): number {
    return this.#items.length - this.#head;
  }

  push(event: SimEvent): void {
    this.#items.push(event);
  }

  shift(): SimEvent | undefined {
    const items = this.#items;
    if (this.#head === items.length) return undefined;
    const event = items[this.#head];
    items[this.#head++] = undefined;
    if (this.#head === items.length) {
      items.length = 0;
      this.#head = 0;
    } else if (this.#head >= 1024 && this.#head * 2 >= items.length) {
      items.splice(0, this.#head);
      this.#head = 0;
    }
    return event;
  }

  /** Removes the oldest waiting timer whose key is `name`, if any. */
  removeTimer(name: string): void {
    const items = this.#items;
    for (let i = this.#head; i < items.length; i++) {
      const e = items[i]!;
      if (e.kind === TIMER && e.name === name) {
        items.splice(i, 1);
        return;
      }
    }
  }

  clear(): void {
    this.#items.length = 0;
    this.#head = 0;
  }
}

/**
 * Everything the simulator keeps about one node. The maps and sets, the
 * storage and the random stream are made on first use: most nodes of a big
 * run never have a timer cut, a link override or a partition, and an idle
 * node should cost a few hundred bytes, not a few kilobytes.
 */
class NodeRecord {
  actor: Actor<unknown, unknown> | undefined = undefined;
  readonly ctx: NodeContext;
  status: NodeStatus = "up";
  /** Bumped at every crash, so events meant for an earlier life are ignored. */
  incarnation = 0;
  /** Pending timers by name. */
  timers: Map<string, SimEvent> | null = null;
  #mailbox: Mailbox | null = null;
  mailboxMessages = 0;
  busyUntil = -1;
  readyScheduled = false;
  /** Paused before its first start: onStart runs at resume. */
  startDeferred = false;
  /** Links this node may not send on (partitions, one-way blocks). */
  blockedTo: Set<NodeRecord> | null = null;
  /** Per-destination link overrides. */
  links: Map<NodeId, LinkConfig> | null = null;
  /** Latest arrival time per FIFO destination. */
  fifoLast: Map<NodeRecord, number> | null = null;
  /** Null until the node's clock is skewed or drifts: then local time is global time. */
  #clock: NodeClock | null;
  /** The destination of this node's last send and its record, to skip the id lookup. */
  lastTo: NodeId | null = null;
  lastTarget: NodeRecord | undefined = undefined;
  #storage: MemoryStorage | null = null;
  #random: Random | null = null;

  constructor(
    readonly id: NodeId,
    readonly factory: ActorFactory<unknown, unknown>,
    readonly capacity: number,
    readonly serviceTime: number | ((msg: unknown) => number),
    clock: ClockConfig | undefined,
    readonly seed: number,
    sim: Simulation,
  ) {
    this.#clock = clock === undefined ? null : new NodeClock(clock);
    this.ctx = new NodeContext(sim, this);
  }

  /** Messages and timers waiting while the node is busy or paused. */
  get mailbox(): Mailbox {
    return this.#mailbox ??= new Mailbox();
  }

  /** How many messages and timers wait in the mailbox. */
  get waiting(): number {
    return this.#mailbox === null ? 0 : this.#mailbox.size;
  }

  get clock(): NodeClock {
    return this.#clock ??= new NodeClock();
  }

  /** Local time at global time `t` (a default clock's `local(t)` is `t`, bit for bit). */
  localTime(t: number): number {
    return this.#clock === null ? t : this.#clock.local(t);
  }

  /** Global time that `localMs` of local time takes. */
  globalDelay(localMs: number): number {
    return this.#clock === null ? localMs : this.#clock.globalDelay(localMs);
  }

  get storage(): MemoryStorage {
    return this.#storage ??= new MemoryStorage();
  }

  /** Streams are derived by name, so making this one late changes none of its numbers. */
  get random(): Random {
    return this.#random ??= Random.stream(this.seed, `node:${this.id}`);
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
  sometimes(sim: Simulation, name: string): void;
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

  sometimes(name: string, condition: boolean): void {
    if (condition) internals.sometimes(this.sim, name);
  }

  random(): number {
    return this.node.random.next();
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
}

/**
 * A deterministic run of actors under a seeded network and fault model.
 *
 * @example
 * ```ts
 * import { Simulation } from "./simulation.ts";
 * import type { Actor, Context } from "../actors/mod.ts";
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
 * result.ok; // true
 * result.messages; // 2
 * ```
 */
export class Simulation {
  readonly seed: number;
  readonly trace: Trace;
  readonly history: History = new History();
  readonly stats: SimStats = {
    events: 0,
    messages: 0,
    delivered: 0,
    dropped: 0,
    duplicated: 0,
    timers: 0,
  };
  readonly violations: Violation[] = [];
  /** `sometimes` conditions that held during the run, with how many times each did. */
  #reached = new Map<string, number>();

  #now = 0;
  /** `#now` in whole microseconds when that is exact, else -1 (see exactUs). */
  #nowUs = 0;
  #queue = new EventQueue<SimEvent>();
  #nodes = new Map<NodeId, NodeRecord>();
  #order: NodeId[] = [];
  #defaultLink: LinkConfig;
  #netRandom: Random;
  #tracing: boolean;
  #invariants: Array<{ name: string; check: Invariant }> = [];
  #lastEvents: number;
  #recent: TraceEvent[] = [];
  #cloneMessages: boolean;
  #nextMsgId = 0;
  #current: NodeRecord | null = null;
  #stopped = false;
  /** Whether any link is cut: while none is, a delivery need not look its sender up. */
  #anyCut = false;

  static {
    internals = {
      send: (sim, from, to, msg) => sim.#send(from, to, msg),
      setTimer: (sim, node, timer, afterMs) => sim.#setTimer(node, timer, afterMs),
      cancelTimer: (sim, node, timer) => sim.#cancelTimer(node, timer),
      sometimes: (sim, name) => sim.#reached.set(name, (sim.#reached.get(name) ?? 0) + 1),
      record: (sim, event) => sim.#record(event),
      tracing: (sim) => sim.#tracing,
    };
  }

  constructor(options: SimulationOptions) {
    const seed = options?.seed;
    if (typeof seed !== "number" || !Number.isSafeInteger(seed) || seed < 0 || seed > MAX_SEED) {
      throw new ConfigError("seed", `must be a whole number from 0 to ${MAX_SEED}, got ${seed}`);
    }
    this.seed = seed;
    const mode = options.trace ?? "full";
    if (mode !== "full" && mode !== "hash" && mode !== "off") {
      throw new ConfigError("trace", `must be full, hash or off, got ${JSON.stringify(mode)}`);
    }
    this.trace = new Trace(mode);
    this.#tracing = mode !== "off";
    this.#lastEvents = options.lastEvents ?? 12;
    this.#cloneMessages = options.cloneMessages ?? false;
    const { links = [], ...defaults } = options.network ?? {};
    this.#defaultLink = resolveLink(defaults);
    this.#pendingLinks = links;
    this.#netRandom = Random.stream(seed, "network");
  }

  #pendingLinks: NonNullable<NetworkOptions["links"]>;

  /** Global virtual time, in ms. */
  get now(): number {
    return this.#now;
  }

  /** Node ids in spawn order. */
  get nodes(): readonly NodeId[] {
    return this.#order;
  }

  /** The default link configuration. */
  get defaultLink(): Readonly<LinkConfig> {
    return this.#defaultLink;
  }

  /**
   * Adds a node built by `factory`. Its `onStart` runs as the first event at
   * the current virtual time. The factory runs again at every restart.
   */
  spawn<M, T = string>(
    id: NodeId,
    factory: ActorFactory<M, T>,
    options: SpawnOptions<M> = {},
  ): void {
    try {
      checkNodeId(id);
    } catch (e) {
      throw new ConfigError("node id", (e as Error).message);
    }
    if (this.#nodes.has(id)) {
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
    const node = new NodeRecord(
      id,
      factory as ActorFactory<unknown, unknown>,
      capacity,
      service as number | ((msg: unknown) => number),
      options.clock,
      this.seed,
      this,
    );
    this.#nodes.set(id, node);
    this.#order.push(id);
    node.actor = node.factory(id);
    this.#push(this.#now, this.#nowUs, new SimEvent(START, node, "", null, node.incarnation));
    // Links named before their nodes existed resolve as soon as both do.
    this.#pendingLinks = this.#pendingLinks.filter((link) => {
      if (!this.#nodes.has(link.from) || !this.#nodes.has(link.to)) return true;
      this.setLink(link.from, link.to, link);
      return false;
    });
  }

  /** Overrides the link `from` -> `to` (fields not given keep the default). */
  setLink(from: NodeId, to: NodeId, config: Partial<LinkConfig>): void {
    const node = this.#node(from, "link from");
    this.#node(to, "link to");
    (node.links ??= new Map()).set(
      to,
      resolveLink(config, this.#defaultLink, `link ${from}->${to} `),
    );
  }

  /** The configuration of the link `from` -> `to`. */
  link(from: NodeId, to: NodeId): Readonly<LinkConfig> {
    return this.#node(from, "link from").links?.get(to) ?? this.#defaultLink;
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
    return this.#node(id).localTime(this.#now);
  }

  /** Whether messages from `from` to `to` are currently cut. */
  isBlocked(from: NodeId, to: NodeId): boolean {
    const source = this.#node(from);
    const target = this.#node(to);
    return source.blockedTo?.has(target) ?? false;
  }

  /** Adds a named invariant, checked after every event. */
  invariant(name: string, check: Invariant): void {
    this.#invariants.push({ name, check });
  }

  /** Injects a message from outside the cluster (or on behalf of a node), sent now. */
  send(from: NodeId, to: NodeId, msg: unknown): void {
    const node = this.#nodes.get(from);
    if (node) {
      this.#send(node, to, msg);
    } else {
      try {
        checkNodeId(from, "sender id");
      } catch (e) {
        throw new ConfigError("send", (e as Error).message);
      }
      const target = this.#node(to, "send to");
      const id = this.#nextMsgId++;
      this.stats.messages++;
      if (this.#tracing) this.#record({ t: this.#now, kind: "send", node: from, to, id, msg });
      this.#push(this.#now, this.#nowUs, new SimEvent(DELIVER, target, from, msg, id));
    }
  }

  /** Runs `fn` at global virtual time `at` (a scripted step of a scenario). */
  at(at: number, fn: (sim: Simulation) => void): void {
    if (!(Number.isFinite(at) && at >= this.#now)) {
      throw new ConfigError("at", `time must be a number >= now (${this.#now}), got ${at}`);
    }
    this.#push(at, exactUs(at), new SimEvent(CALL, null, "", fn, 0));
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
      if (fault.at < this.#now) {
        throw new ConfigError(where, `time ${fault.at} is in the past (now ${this.#now})`);
      }
      for (const id of faultNodes(fault.action)) {
        if (!this.#nodes.has(id)) {
          throw new ConfigError(
            where,
            `unknown node id ${JSON.stringify(id)}; known: ${this.#order.join(", ")}`,
          );
        }
      }
    });
    for (const fault of list) {
      this.#push(fault.at, exactUs(fault.at), new SimEvent(FAULT, null, "", fault.action, 0));
    }
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
    const node = this.#node(id);
    if (node.status === "crashed") return;
    node.status = "crashed";
    node.actor = undefined;
    node.incarnation++;
    node.startDeferred = false;
    if (node.timers !== null) {
      for (const timer of node.timers.values()) timer.cancelled = true;
      node.timers.clear();
    }
    if (node.waiting > 0) node.mailbox.clear();
    node.mailboxMessages = 0;
    node.busyUntil = -1;
    node.readyScheduled = false;
    node.fifoLast?.clear();
    if (this.#tracing) this.#record({ t: this.#now, kind: "crash", node: id });
  }

  /** Restarts a crashed `id` as a fresh instance with its storage; `onStart` runs again. */
  restart(id: NodeId): void {
    const node = this.#node(id);
    if (node.status !== "crashed") return;
    node.status = "up";
    if (this.#tracing) this.#record({ t: this.#now, kind: "restart", node: id });
    // onStart runs right away, so no message can reach the new instance before it.
    this.#invoke(node, () => {
      node.actor = node.factory(id);
      if (this.#tracing) this.#record({ t: this.#now, kind: "start", node: id });
      node.actor.onStart?.(node.ctx);
    });
  }

  /** Pauses `id`: it handles nothing until resumed; messages and timers wait in its mailbox. */
  pause(id: NodeId): void {
    const node = this.#node(id);
    if (node.status !== "up") return;
    node.status = "paused";
    if (this.#tracing) this.#record({ t: this.#now, kind: "pause", node: id });
  }

  /** Resumes a paused `id`; what waited in its mailbox is handled in order. */
  resume(id: NodeId): void {
    const node = this.#node(id);
    if (node.status !== "paused") return;
    node.status = "up";
    if (this.#tracing) this.#record({ t: this.#now, kind: "resume", node: id });
    if (node.startDeferred) {
      // A node paused before it ever started starts now, before its mailbox.
      node.startDeferred = false;
      if (this.#tracing) this.#record({ t: this.#now, kind: "start", node: id });
      this.#invoke(node, () => node.actor!.onStart?.(node.ctx));
    }
    this.#scheduleReady(node, Math.max(this.#now, node.busyUntil));
  }

  /** Cuts every link between nodes of different groups, both ways (adds to existing cuts). */
  partition(...groups: NodeId[][]): void {
    const records = groups.map((g) => g.map((id) => this.#node(id, "partition")));
    for (let i = 0; i < records.length; i++) {
      for (let j = 0; j < records.length; j++) {
        if (i === j) continue;
        for (const a of records[i]) {
          for (const b of records[j]) {
            (a.blockedTo ??= new Set()).add(b);
            this.#anyCut = true;
          }
        }
      }
    }
    if (this.#tracing) {
      this.#record({ t: this.#now, kind: "partition", groups: groups.map((g) => [...g]) });
    }
  }

  /** Cuts the one-way link `from` -> `to`. */
  block(from: NodeId, to: NodeId): void {
    const source = this.#node(from, "block from");
    (source.blockedTo ??= new Set()).add(this.#node(to, "block to"));
    this.#anyCut = true;
    if (this.#tracing) this.#record({ t: this.#now, kind: "block", from, to });
  }

  /** Restores every cut link. */
  heal(): void {
    for (const node of this.#nodes.values()) node.blockedTo = null;
    this.#anyCut = false;
    if (this.#tracing) this.#record({ t: this.#now, kind: "heal" });
  }

  /**
   * Changes the skew and/or drift of `id`'s clock. Changing only the drift
   * keeps the clock's current reading (the skew absorbs the difference).
   */
  setClock(id: NodeId, config: ClockConfig): void {
    const node = this.#node(id);
    const before = node.clock.local(this.#now);
    node.clock.set(config);
    if (config.drift !== undefined && config.skewMs === undefined) {
      // A new rate changes how fast the clock runs from now on, not what it
      // reads now: a real oscillator does not jump when it warms up.
      node.clock.set({ skewMs: before - this.#now * (1 + node.clock.drift) });
    }
    if (this.#tracing) {
      this.#record({
        t: this.#now,
        kind: "clock",
        node: id,
        skew: node.clock.skewMs,
        drift: node.clock.drift,
      });
    }
  }

  /**
   * Runs until virtual time `until`, until no events are left (quiet), until
   * `maxEvents` events in total, or until a violation, whichever comes first.
   * May be called again to continue.
   */
  run(options: { until?: number; maxEvents?: number } = {}): RunResult {
    const until = options.until ?? Infinity;
    const maxEvents = options.maxEvents ?? Infinity;
    if (!(until >= this.#now)) {
      throw new ConfigError("until", `must be a time >= now (${this.#now}), got ${until}`);
    }
    if (!(maxEvents >= 0)) {
      throw new ConfigError("maxEvents", `must be a number >= 0, got ${maxEvents}`);
    }
    if (this.#pendingLinks.length > 0) {
      const l = this.#pendingLinks[0];
      throw new ConfigError(
        `link ${l.from}->${l.to}`,
        `names a node that was never spawned; known: ${this.#order.join(", ")}`,
      );
    }
    let stop: StopReason = "quiet";
    const queue = this.#queue;
    const checks = this.#invariants;
    const stats = this.stats;
    while (!this.#stopped) {
      const event = queue.peek();
      if (event === undefined) {
        stop = "quiet";
        break;
      }
      if (event.time > until) {
        this.#now = until;
        this.#nowUs = exactUs(until);
        stop = "until";
        break;
      }
      if (stats.events >= maxEvents) {
        stop = "max-events";
        break;
      }
      queue.pop();
      if (event.cancelled) continue;
      this.#now = event.time;
      this.#nowUs = event.us;
      // Most events are deliveries: straight to #arrive, the rest through #dispatch.
      if (event.kind === DELIVER) this.#arrive(event);
      else if (!this.#dispatch(event)) continue;
      stats.events++;
      if (checks.length > 0) this.#checkInvariants();
    }
    if (this.#stopped) stop = "violation";
    return {
      ok: this.violations.length === 0,
      stop,
      events: stats.events,
      messages: stats.messages,
      virtualMs: this.#now,
      violations: [...this.violations],
      traceHash: this.trace.hash(),
    };
  }

  /** The `sometimes` conditions that held so far, with how many times each did. */
  get reached(): ReadonlyMap<string, number> {
    return this.#reached;
  }

  /** Marks an interesting moment seen by a scenario (see `Context.sometimes`). */
  sometimes(name: string, condition: boolean): void {
    if (condition) this.#reached.set(name, (this.#reached.get(name) ?? 0) + 1);
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
    return [...this.#recent];
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
      `violation of ${v.check}: ${v.message}`,
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
    return lines.join("\n");
  }

  /** The last `lastEvents` events up to the violation's time (full traces keep them all). */
  #eventsBefore(v: Violation): TraceEvent[] {
    if (this.trace.mode !== "full") {
      // Only a ring of recent events is kept: those up to the violation's time.
      return this.#recent.filter((e) => e.t <= v.atMs && e.kind !== "violation");
    }
    const events = this.trace.events;
    let end = events.length;
    while (end > 0 && (events[end - 1].t > v.atMs || events[end - 1].kind === "violation")) end--;
    return events.slice(Math.max(0, end - this.#lastEvents), end);
  }

  // ---- the loop's internals -------------------------------------------------

  #node(id: NodeId, what = "node id"): NodeRecord {
    const node = this.#nodes.get(id);
    if (node === undefined) {
      throw new ConfigError(
        what,
        `unknown node id ${JSON.stringify(id)}; known: ${this.#order.join(", ") || "(none)"}`,
      );
    }
    return node;
  }

  #push(time: number, us: number, event: SimEvent): void {
    event.time = time;
    event.us = us;
    this.#queue.push(event);
  }

  #record(event: TraceEvent): void {
    this.trace.record(event);
    const recent = this.#recent;
    recent.push(event);
    if (recent.length > this.#lastEvents) recent.shift();
  }

  /** Handles one event; returns false when it turned out to be a no-op (not counted). */
  #dispatch(event: SimEvent): boolean {
    switch (event.kind) {
      case DELIVER:
        this.#arrive(event);
        return true;
      case TIMER: {
        const node = event.node!;
        node.timers!.delete(event.name);
        if (node.status === "paused" || node.busyUntil > this.#now || node.waiting > 0) {
          node.mailbox.push(event);
          this.#scheduleReady(node, node.busyUntil);
          return true;
        }
        this.#fireTimer(node, event);
        return true;
      }
      case READY: {
        const node = event.node!;
        // A READY from before a crash must not clear the flag of the new life's READY.
        if (event.id !== node.incarnation) return false;
        node.readyScheduled = false;
        if (node.status !== "up") return false;
        const next = node.mailbox.shift();
        if (next === undefined) return false;
        if (next.kind === DELIVER) {
          node.mailboxMessages--;
          this.#handleMessage(node, next);
        } else {
          this.#fireTimer(node, next);
        }
        if (node.waiting > 0) this.#scheduleReady(node, node.busyUntil);
        return true;
      }
      case START: {
        const node = event.node!;
        if (event.id !== node.incarnation || node.actor === undefined) return false;
        if (node.status === "paused") {
          // A paused node does nothing, starting included.
          node.startDeferred = true;
          return true;
        }
        if (this.#tracing) this.#record({ t: this.#now, kind: "start", node: node.id });
        this.#invoke(node, () => node.actor!.onStart?.(node.ctx));
        return true;
      }
      case FAULT:
        this.#current = null;
        this.apply(event.payload as FaultAction);
        return true;
      case CALL:
        this.#current = null;
        try {
          (event.payload as (sim: Simulation) => void)(this);
        } catch (e) {
          this.#fail("scenario", e, undefined);
        }
        return true;
      default:
        throw new Error(`internal: unknown event kind ${event.kind}`);
    }
  }

  #arrive(event: SimEvent): void {
    const node = event.node!;
    const from = event.name;
    if (node.status === "crashed") return this.#drop(node.id, from, node.id, event.id, "crashed");
    if (this.#anyCut && this.#nodes.get(from)?.blockedTo?.has(node)) {
      return this.#drop(node.id, from, node.id, event.id, "partition");
    }
    if (node.status === "paused" || node.busyUntil > this.#now || node.waiting > 0) {
      if (node.mailboxMessages >= node.capacity) {
        return this.#drop(node.id, from, node.id, event.id, "mailbox-full");
      }
      node.mailbox.push(event);
      node.mailboxMessages++;
      this.#scheduleReady(node, node.busyUntil);
      return;
    }
    this.#handleMessage(node, event);
  }

  #scheduleReady(node: NodeRecord, at: number): void {
    if (node.readyScheduled || node.status !== "up" || node.waiting === 0) return;
    node.readyScheduled = true;
    const event = new SimEvent(READY, node, "", null, node.incarnation);
    if (at > this.#now) this.#push(at, exactUs(at), event);
    else this.#push(this.#now, this.#nowUs, event);
  }

  #handleMessage(node: NodeRecord, event: SimEvent): void {
    this.stats.delivered++;
    const msg = event.payload;
    if (this.#tracing) {
      this.#record({
        t: this.#now,
        kind: "deliver",
        node: node.id,
        from: event.name,
        id: event.id,
        msg,
      });
    }
    const service = node.serviceTime;
    if (service !== 0) {
      const ms = typeof service === "number" ? service : service(msg);
      node.busyUntil = this.#now + ms;
    }
    this.#current = node;
    const actor = node.actor!;
    try {
      actor.onMessage(node.ctx, msg, event.name);
    } catch (e) {
      this.#fail("actor-exception", e, node.id);
    }
  }

  #fireTimer(node: NodeRecord, event: SimEvent): void {
    this.stats.timers++;
    if (this.#tracing) {
      this.#record({ t: this.#now, kind: "timer", node: node.id, name: timerName(event.payload) });
    }
    this.#current = node;
    const actor = node.actor!;
    if (actor.onTimer === undefined) return;
    try {
      actor.onTimer(node.ctx, event.payload);
    } catch (e) {
      this.#fail("actor-exception", e, node.id);
    }
  }

  #invoke(node: NodeRecord, handler: () => void): void {
    this.#current = node;
    try {
      handler();
    } catch (e) {
      this.#fail("actor-exception", e, node.id);
    }
  }

  #send(from: NodeRecord, to: NodeId, msg: unknown): void {
    // Most sends answer the last sender or repeat the last destination.
    const target = from.lastTo === to ? from.lastTarget : this.#nodes.get(to);
    if (target === undefined) {
      throw new ConfigError(
        `send from ${from.id}`,
        `unknown node id ${JSON.stringify(to)}; known: ${this.#order.join(", ")}`,
      );
    }
    from.lastTo = to;
    from.lastTarget = target;
    if (this.#cloneMessages) msg = structuredClone(msg);
    const id = this.#nextMsgId++;
    this.stats.messages++;
    const now = this.#now;
    if (this.#tracing) this.#record({ t: now, kind: "send", node: from.id, to, id, msg });
    if (from.blockedTo !== null && from.blockedTo.has(target)) {
      return this.#drop(from.id, from.id, to, id, "partition");
    }
    const link = from.links === null
      ? this.#defaultLink
      : (from.links.get(to) ?? this.#defaultLink);
    const random = this.#netRandom;
    if (random.chance(link.loss)) return this.#drop(from.id, from.id, to, id, "loss");
    this.#transmit(from, target, link, msg, id);
    if (random.chance(link.duplicate)) {
      const copy = this.#nextMsgId++;
      this.stats.duplicated++;
      if (this.#tracing) {
        this.#record({ t: now, kind: "duplicate", node: from.id, to, id, copy });
      }
      this.#transmit(from, target, link, msg, copy);
    }
  }

  #transmit(from: NodeRecord, to: NodeRecord, link: LinkConfig, msg: unknown, id: number): void {
    // The arrival time is rounded to the microsecond so times stay readable
    // and exact in traces: roundUs(now + sampleLatency(...)), computed in
    // whole microseconds (`us`) on the way.
    const latency = link.latency;
    let us: number;
    if (latency.kind === "uniform") {
      // sampleLatency's uniform draw, before its division by 1000.
      const latencyUs = roundHalfUp(this.#netRandom.uniform(latency.min, latency.max) * 1000);
      us = this.#nowUs + latencyUs;
      // When now is exact in microseconds, adding integers gives the same
      // number (see exactUs) for a division and a rounding less per message.
      if (!(this.#nowUs >= 0 && us <= MAX_EXACT_US)) {
        us = roundHalfUp((this.#now + latencyUs / 1000) * 1000);
      }
    } else {
      const ms = sampleLatency(latency, this.#netRandom, from.id, to.id);
      us = roundHalfUp((this.#now + ms) * 1000);
    }
    let arrival = us / 1000;
    if (link.fifo) {
      // Never arrive before an earlier message on this link; equal times keep
      // send order because the queue breaks ties by sequence number.
      const fifoLast = from.fifoLast ??= new Map();
      const last = fifoLast.get(to);
      if (last !== undefined && last > arrival) {
        arrival = last;
        us = roundHalfUp(last * 1000);
      }
      fifoLast.set(to, arrival);
    }
    this.#push(arrival, us <= MAX_EXACT_US ? us : -1, new SimEvent(DELIVER, to, from.id, msg, id));
  }

  #drop(node: NodeId, from: NodeId, to: NodeId, id: number, reason: DropReason): void {
    this.stats.dropped++;
    if (this.#tracing) this.#record({ t: this.#now, kind: "drop", node, from, to, id, reason });
  }

  #setTimer(node: NodeRecord, timer: unknown, afterMs: number): void {
    if (!(Number.isFinite(afterMs) && afterMs >= 0)) {
      throw new RangeError(
        `setTimer(${timerName(timer)}): afterMs must be >= 0, got ${afterMs}`,
      );
    }
    const name = timerKey(timer);
    const timers = node.timers ??= new Map();
    const old = timers.get(name);
    if (old !== undefined) old.cancelled = true;
    const event = new SimEvent(TIMER, node, name, timer, node.incarnation);
    timers.set(name, event);
    // Rounded to the microsecond, as arrivals are (see #transmit).
    const us = roundHalfUp((this.#now + node.globalDelay(afterMs)) * 1000);
    this.#push(us / 1000, us <= MAX_EXACT_US ? us : -1, event);
  }

  #cancelTimer(node: NodeRecord, timer: unknown): void {
    const name = timerKey(timer);
    const old = node.timers?.get(name);
    if (old !== undefined) {
      old.cancelled = true;
      node.timers!.delete(name);
    }
    // A timer that already fired into a busy node's mailbox is cancelled too.
    if (node.waiting > 0) node.mailbox.removeTimer(name);
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
      this.#stopWith({ check: name, message, atMs: this.#now, node });
      return;
    }
  }

  #fail(check: string, error: unknown, node: NodeId | undefined): void {
    const message = error instanceof Error
      ? `${error.name}: ${error.message}${stackHint(error)}`
      : String(error);
    this.#stopWith({ check, message, atMs: this.#now, node });
  }

  #stopWith(violation: Violation): void {
    if (violation.node === undefined) delete violation.node;
    this.reportViolation(violation);
    this.#stopped = true;
  }
}

/**
 * `Math.round` for numbers >= 0, in a form V8 compiles without a branch on
 * the fraction: that branch, mispredicted on half of all random latencies,
 * cost about 5 ns a message on the scheduler benchmark. For
 * 0.5 <= x < 2^52, x + 0.5 is exact, or rounds within its binade without
 * reaching the next integer, so its floor is Math.round(x). Below 0.5
 * (0.49999999999999994 + 0.5 rounds up to 1) and from 2^52 on, Math.round.
 */
function roundHalfUp(x: number): number {
  return x >= 0.5 && x < 4503599627370496 ? Math.floor(x + 0.5) : Math.round(x);
}

/** Virtual times up to 2^50 us (about 35 years) are kept in whole microseconds too. */
const MAX_EXACT_US = 2 ** 50;

/**
 * `t` in whole microseconds when `t` is exactly that many microseconds as a
 * double (`us / 1000 === t`), else -1.
 *
 * Why #transmit may add microseconds: with now = us0 / 1000 and
 * ms = us1 / 1000, each correctly rounded, the double (now + ms) * 1000 lies
 * within about 3 * 2^-53 * (us0 + us1) of the integer us0 + us1: under 0.4
 * while us0 + us1 <= 2^50. So it rounds to exactly us0 + us1, and
 * (us0 + us1) / 1000 is the rounded arrival time, bit for bit.
 */
function exactUs(t: number): number {
  const us = roundHalfUp(t * 1000);
  return us >= 0 && us <= MAX_EXACT_US && us / 1000 === t ? us : -1;
}

/** The first stack frame inside project code, so a report points at the line that threw. */
function stackHint(error: Error): string {
  const frame = error.stack?.split("\n").slice(1).find((l) =>
    !l.includes("/sim/simulation.ts") && l.includes("file://")
  );
  return frame ? ` (${frame.trim().replace(/^at /, "at ")})` : "";
}
