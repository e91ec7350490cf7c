/**
 * A harness for lab-style tests of Raft, strong enough to write the MIT
 * 6.824 / 6.5840 Raft tests (labs 2A to 2D) against it without reaching
 * into internals: what `config.go` and `labrpc` give those tests.
 *
 * | 6.824 | here |
 * | --- | --- |
 * | `rf.Start(cmd)` → (index, term, isLeader) | {@linkcode RaftHarness.start} |
 * | `rf.GetState()` → (term, isLeader) | {@linkcode RaftHarness.getState} |
 * | the apply channel, snapshot messages | {@linkcode RaftHarness.onApply}, and the checks of `applier` built in |
 * | `crash1`, `start1`, `disconnect`, `connect` | `crash`, `restart`, `disconnect`, `connect` |
 * | `setunreliable`, `setlongreordering` | {@linkcode RaftHarness.setUnreliable}, {@linkcode RaftHarness.setLongReordering} |
 * | `rpcCount`, `bytesTotal` | the simulator's message statistics, requests only |
 * | `rf.Snapshot(index, data)` | {@linkcode RaftHarness.snapshot}; or `snapshotEvery` |
 * | `checkOneLeader`, `checkTerms`, `checkNoLeader`, `nCommitted`, `one`, `wait` | the same names |
 * | `time.Sleep` | {@linkcode RaftHarness.sleep}, in virtual time |
 *
 * Servers are numbered 0..n-1 as in the lab (node ids `s0`, `s1`, ...).
 * Every command goes in through a client session of the harness, so
 * `start` is the leader's append at this very instant. The no-op a new
 * leader appends is off by default, since the lab's tests count indexes.
 * The application is {@linkcode LabMachine}: the list of commands applied,
 * which is also what its snapshots hold (like the lab's service).
 *
 * @module
 */

import type { NodeId } from "../../actors/mod.ts";
import { Simulation } from "../../sim/simulation.ts";
import { RaftSafety } from "./invariants.ts";
import type { RaftMsg, Snapshot } from "./messages.ts";
import { type RaftConfig, type RaftEvent, RaftNode } from "./node.ts";
import type { MachineSnapshot, StateMachine } from "./state_machine.ts";

/**
 * The lab's application: it keeps every command applied, in order. Its
 * snapshot is that list, as the lab's service encodes its log.
 *
 * @example
 * ```ts
 * import { LabMachine } from "./harness.ts";
 * import assert from "node:assert/strict";
 * const m = new LabMachine();
 * assert.equal(m.apply(101), 1);
 * assert.deepEqual(m.snapshot(), [101]);
 * ```
 */
export class LabMachine implements StateMachine<unknown, number> {
  /** The commands applied, in order (`values[i]` is the command at index i + 1 of the applications). */
  values: unknown[] = [];

  apply(command: unknown): number {
    this.values.push(command);
    return this.values.length;
  }

  isReadOnly(): boolean {
    return false;
  }

  query(): number {
    throw new TypeError("the lab machine has no reads");
  }

  snapshot(): unknown[] {
    return [...this.values];
  }

  restore(data: unknown): void {
    this.values = [...data as unknown[]];
  }
}

/**
 * Options of a {@linkcode RaftHarness}.
 *
 * @example
 * ```ts
 * import type { RaftHarnessOptions } from "./harness.ts";
 * import assert from "node:assert/strict";
 * const o: RaftHarnessOptions = { servers: 5, seed: 3, unreliable: true, snapshotEvery: 10 };
 * assert.equal(o.servers, 5);
 * ```
 */
export interface RaftHarnessOptions {
  /** Servers 0..servers-1. */
  servers: number;
  /** The run's seed: the network, the servers and the test's own choices. */
  seed: number;
  /** 6.824's unreliable network: 10% of messages lost, delays up to 27 ms (default false). */
  unreliable?: boolean;
  /** 6.824's long reordering: two thirds of the replies delayed 200 to 2200 ms (default false). */
  longReordering?: boolean;
  /** The service snapshots after every this many applied entries; 0: never (default 0). */
  snapshotEvery?: number;
  /** A new leader appends a no-op (default false: the lab counts indexes). */
  noopOnElection?: boolean;
  /** Anything else for the servers (timing, PreVote, CheckQuorum, flow control). */
  raft?: Omit<RaftConfig<LabMachine>, "servers" | "stateMachine" | "observer">;
  /** Check Raft's five safety properties after every event too (default true). */
  safety?: boolean;
}

/**
 * What `start` returns: where the command will be, if it commits.
 *
 * @example
 * ```ts
 * import type { StartResult } from "./harness.ts";
 * import assert from "node:assert/strict";
 * const r: StartResult = { index: 4, term: 2, isLeader: true };
 * assert.equal(r.isLeader, true);
 * ```
 */
export interface StartResult {
  /** The index the command will have if it commits. */
  index: number;
  /** The leader's term. */
  term: number;
  /** Whether the server believed it led (and appended the command). */
  isLeader: boolean;
}

/**
 * A failed lab check: the message the lab's `t.Fatalf` would print.
 *
 * @example
 * ```ts
 * import { LabFailure } from "./harness.ts";
 * import assert from "node:assert/strict";
 * assert.equal(new LabFailure("expected one leader").name, "LabFailure");
 * ```
 */
export class LabFailure extends Error {
  /** A lab failure saying `message`. */
  constructor(message: string) {
    super(message);
    this.name = "LabFailure";
  }
}

const TESTER = "tester";
/** The lab's election bound: a leader within a second. */
export const ELECTION_TIMEOUT_MS = 1000;

/**
 * A Raft cluster driven the way the 6.824 tests drive theirs.
 *
 * @example
 * ```ts
 * import { RaftHarness } from "./harness.ts";
 * import assert from "node:assert/strict";
 * const h = new RaftHarness({ servers: 3, seed: 1 });
 * const leader = h.checkOneLeader();
 * assert.equal(h.getState(leader).isLeader, true);
 * assert.equal(h.one(101, 3, false), 1);
 * assert.deepEqual(h.nCommitted(1), { count: 3, command: 101 });
 * ```
 */
export class RaftHarness {
  /** The simulation the servers run in. */
  readonly sim: Simulation;
  /** The number of servers. */
  readonly n: number;
  /** The node ids of servers 0..n-1. */
  readonly ids: readonly NodeId[];
  /** What each server applied: index -> command (6.824's `cfg.logs`). */
  readonly logs: Array<Map<number, unknown>>;
  /** Problems the apply checks found (6.824's `applyErr`); a test fails on the first. */
  readonly applyErrors: string[] = [];
  /** Raft's five safety properties, checked after every event. */
  readonly safety: RaftSafety;
  #lastApplied: number[];
  #listeners: Array<(server: number, event: RaftEvent<unknown>) => void> = [];
  #seq = 0;
  #random: () => number;
  #unreliable = false;
  #longReordering = false;
  #connected: boolean[];

  /** Spawns the servers and starts them. */
  constructor(options: RaftHarnessOptions) {
    this.n = options.servers;
    this.ids = Array.from({ length: this.n }, (_, i) => `s${i}`);
    this.logs = this.ids.map(() => new Map());
    this.#lastApplied = this.ids.map(() => 0);
    this.#connected = this.ids.map(() => true);
    this.#unreliable = options.unreliable ?? false;
    this.#longReordering = options.longReordering ?? false;
    // The test's own random choices (which server, which command), from the seed.
    let state = (options.seed * 2654435761) >>> 0 || 1;
    this.#random = () => {
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      return (state >>> 0) / 4294967296;
    };
    this.sim = new Simulation({
      seed: options.seed,
      trace: "off",
      countMessages: true,
      network: {
        latency: {
          kind: "custom",
          sample: (random, _from, to, msg) => this.#latency(random, to, msg),
        },
      },
    });
    this.#applyLoss();
    this.sim.external(TESTER);
    this.safety = new RaftSafety(this.ids);
    const watch = (options.safety ?? true) ? this.safety.observer() : undefined;
    const byId = new Map(this.ids.map((id, i) => [id, i]));
    const config: RaftConfig<LabMachine> = {
      ...options.raft,
      servers: this.ids,
      stateMachine: () => new LabMachine(),
      noopOnElection: options.noopOnElection ?? false,
      snapshotEvery: options.snapshotEvery ?? 0,
      // Like the lab's Raft: a snapshot drops everything it covers.
      trailingEntries: options.raft?.trailingEntries ?? 0,
      observer: (id, event, server) => {
        watch?.(id, event, server);
        if (event.type === "changed" || event.type === "role") return;
        this.#applied(byId.get(id)!, event, server);
      },
    };
    for (const id of this.ids) this.sim.spawn(id, () => new RaftNode(config));
    if (options.safety ?? true) this.safety.install(this.sim);
  }

  // ---- the Raft API the lab tests call ------------------------------------------

  /**
   * 6.824's `rf.Start(command)`: if server `i` leads, it appends the command
   * now; returns the index it will have if it commits, the term, and
   * whether `i` believed it led.
   */
  start(i: number, command: unknown): StartResult {
    const node = this.node(i);
    if (node === undefined || node.role !== "leader") {
      return { index: -1, term: node?.currentTerm ?? 0, isLeader: false };
    }
    const seq = ++this.#seq;
    this.#call(i, { type: "ClientRequest", seq, op: command });
    const index = node.proposedIndex(TESTER, seq);
    return index === undefined
      ? { index: -1, term: node.currentTerm, isLeader: false }
      : { index, term: node.currentTerm, isLeader: true };
  }

  /** 6.824's `rf.GetState()`: the server's term and whether it believes it leads. */
  getState(i: number): { term: number; isLeader: boolean } {
    const node = this.node(i);
    return { term: node?.currentTerm ?? 0, isLeader: node?.role === "leader" };
  }

  /** Server `i`'s instance, or undefined while it is crashed. */
  node(i: number): RaftNode<LabMachine> | undefined {
    const n = this.sim.actor<RaftNode<LabMachine>>(this.ids[i]);
    return n !== undefined && n.started ? n : undefined;
  }

  /** Calls `listener` with every entry a server applies and every snapshot it installs. */
  onApply(listener: (server: number, event: RaftEvent<unknown>) => void): void {
    this.#listeners.push(listener);
  }

  /**
   * 6.824's `rf.Snapshot(index, data)`: server `i` snapshots its state
   * machine (the application's own data) and drops its log through `index`.
   */
  snapshot(i: number, index: number): void {
    if (this.node(i) === undefined) return;
    this.#call(i, { type: "TakeSnapshot", index });
  }

  // ---- faults ------------------------------------------------------------------

  /** 6.824's `crash1`: the server stops; its disk stays. */
  crash(i: number): void {
    if (this.sim.status(this.ids[i]) !== "crashed") this.sim.crash(this.ids[i]);
  }

  /**
   * 6.824's `start1`: a crashed server starts again from its disk (a
   * running one is crashed first). Its connection is as it was.
   */
  restart(i: number): void {
    this.crash(i);
    // Like the lab's start1: what the server's snapshot holds is applied.
    const snap = this.sim.storage(this.ids[i]).get<Snapshot>("raft/snapshot");
    this.#lastApplied[i] = 0;
    if (snap !== undefined) this.#ingest(i, snap.lastIncludedIndex, snap.state);
    this.sim.restart(this.ids[i]);
    this.#advance(this.sim.now);
  }

  /** Cuts every link of server `i`. */
  disconnect(i: number): void {
    this.#connected[i] = false;
    this.sim.disconnect(this.ids[i]);
  }

  /** Restores the links of server `i`. */
  connect(i: number): void {
    this.#connected[i] = true;
    this.sim.reconnect(this.ids[i]);
  }

  /** Whether server `i` is connected. */
  connected(i: number): boolean {
    return this.#connected[i];
  }

  /** 6.824's `setunreliable`: 10% loss, short random delays. */
  setUnreliable(on: boolean): void {
    this.#unreliable = on;
    this.#applyLoss();
  }

  /** 6.824's `setlongreordering`: two thirds of the replies take 200 to 2200 ms. */
  setLongReordering(on: boolean): void {
    this.#longReordering = on;
  }

  /** Lets `ms` of virtual time pass (6.824's `time.Sleep`). */
  sleep(ms: number): void {
    this.#advance(this.sim.now + ms);
  }

  // ---- counting -------------------------------------------------------------------

  /** Requests (not replies) delivered to server `i` so far (6.824's `rpcCount`). */
  rpcCount(i: number): number {
    return this.#requests().filter((r) => r.to === this.ids[i]).reduce((s, r) => s + r.count, 0);
  }

  /**
   * The messages delivered to server `i` so far, by type, with their bytes
   * (replies included).
   */
  messageCounts(i: number): Record<string, { count: number; bytes: number }> {
    return this.sim.messageStats().delivered[this.ids[i]] ?? {};
  }

  /** Bytes of every request delivered so far (6.824's `bytesTotal`). */
  bytesTotal(): number {
    return this.#requests().reduce((s, r) => s + r.bytes, 0);
  }

  /** Bytes of server `i`'s Raft state on disk, its snapshot aside (6.824's `RaftStateSize`). */
  logSize(i: number): number {
    const disk = this.sim.storage(this.ids[i]);
    let bytes = 0;
    for (const key of disk.keys()) {
      if (key === "raft/snapshot") continue;
      const v = disk.get(key);
      bytes += typeof v === "string" ? v.length : JSON.stringify(v).length;
    }
    return bytes;
  }

  // ---- the lab's checks (config.go) ---------------------------------------------------

  /** A random whole number below `n`, from the seed (the lab's `rand.Int() % n`). */
  rand(n: number): number {
    return Math.floor(this.#random() * n);
  }

  /**
   * Waits up to 5 s for exactly one leader among the connected servers (in
   * the latest term with one); fails on two leaders in one term.
   */
  checkOneLeader(): number {
    for (let iter = 0; iter < 10; iter++) {
      this.sleep(450 + this.rand(100));
      const leaders = new Map<number, number[]>();
      for (let i = 0; i < this.n; i++) {
        if (!this.#connected[i]) continue;
        const s = this.getState(i);
        if (s.isLeader) leaders.set(s.term, [...(leaders.get(s.term) ?? []), i]);
      }
      let last = -1;
      for (const [term, ids] of leaders) {
        if (ids.length > 1) throw new LabFailure(`term ${term} has ${ids.length} (>1) leaders`);
        last = Math.max(last, term);
      }
      if (leaders.size !== 0) return leaders.get(last)![0];
    }
    throw new LabFailure("expected one leader, got none");
  }

  /** The term every connected server agrees on; fails if they disagree. */
  checkTerms(): number {
    let term = -1;
    for (let i = 0; i < this.n; i++) {
      if (!this.#connected[i]) continue;
      const t = this.getState(i).term;
      if (term === -1) term = t;
      else if (term !== t) throw new LabFailure("servers disagree on term");
    }
    return term;
  }

  /** Fails if a connected server believes it leads. */
  checkNoLeader(): void {
    for (let i = 0; i < this.n; i++) {
      if (this.#connected[i] && this.getState(i).isLeader) {
        throw new LabFailure(`expected no leader among connected servers, but ${i} claims to be`);
      }
    }
  }

  /** How many servers applied an entry at `index`, and which command (they must agree). */
  nCommitted(index: number): { count: number; command: unknown } {
    this.#failOnApplyError();
    let count = 0, command: unknown = undefined;
    for (let i = 0; i < this.n; i++) {
      if (!this.logs[i].has(index)) continue;
      const c = this.logs[i].get(index);
      if (count > 0 && !sameCommand(c, command)) {
        throw new LabFailure(`committed values do not match: index ${index}, ${c}, ${command}`);
      }
      count++;
      command = c;
    }
    return { count, command };
  }

  /**
   * Waits for at least `n` servers to apply index `index`; gives up (-1)
   * when some server moved past `startTerm` (-1: no term check).
   */
  wait(index: number, n: number, startTerm: number): unknown {
    let to = 10;
    for (let iter = 0; iter < 30; iter++) {
      const { count } = this.nCommitted(index);
      if (count >= n) break;
      this.sleep(to);
      if (to < 1000) to *= 2;
      if (startTerm > -1) {
        for (let i = 0; i < this.n; i++) {
          const t = this.node(i)?.currentTerm;
          if (t !== undefined && t > startTerm) return -1; // someone moved on
        }
      }
    }
    const { count, command } = this.nCommitted(index);
    if (count < n) throw new LabFailure(`only ${count} decided for index ${index}; wanted ${n}`);
    return command;
  }

  /**
   * 6.824's `one`: starts `command` at a leader and waits until `expected`
   * servers applied it; with `retry`, starts it again if a leader fails
   * first. Returns its index; fails after 10 s.
   */
  one(command: unknown, expected: number, retry: boolean): number {
    const t0 = this.sim.now;
    let starts = 0;
    while (this.sim.now - t0 < 10_000) {
      let index = -1;
      for (let si = 0; si < this.n; si++) {
        starts = (starts + 1) % this.n;
        if (!this.#connected[starts] || this.node(starts) === undefined) continue;
        const r = this.start(starts, command);
        if (r.isLeader) {
          index = r.index;
          break;
        }
      }
      if (index !== -1) {
        const t1 = this.sim.now;
        while (this.sim.now - t1 < 2000) {
          const { count, command: c } = this.nCommitted(index);
          if (count > 0 && count >= expected && sameCommand(c, command)) return index;
          this.sleep(20);
        }
        if (!retry) throw new LabFailure(`one(${command}) failed to reach agreement`);
      } else {
        this.sleep(50);
      }
    }
    throw new LabFailure(`one(${command}) failed to reach agreement`);
  }

  // ---- inside -------------------------------------------------------------------------

  /**
   * Hands `msg` to server `i` and lets it handle it at this instant: the
   * lab's Start and Snapshot are local calls, so a disconnected server
   * takes them too (its links are opened for this instant only).
   */
  #call(i: number, msg: RaftMsg<unknown, number>): void {
    const cut = !this.#connected[i];
    if (cut) this.sim.reconnect(this.ids[i]);
    this.sim.send(TESTER, this.ids[i], msg);
    try {
      this.#advance(this.sim.now);
    } finally {
      if (cut) this.sim.disconnect(this.ids[i]);
    }
  }

  #advance(until: number): void {
    const r = this.sim.run({ until });
    this.sim.inbox(TESTER); // the leaders' answers to the harness's session: not needed
    if (!r.ok) throw new LabFailure(this.sim.failureReport());
    this.#failOnApplyError();
  }

  #failOnApplyError(): void {
    if (this.applyErrors.length > 0) throw new LabFailure(this.applyErrors[0]);
  }

  /** 6.824's `applier` and `applierSnap`: every apply in order, the same everywhere. */
  #applied(i: number, event: RaftEvent<unknown>, server: RaftNode<LabMachine>): void {
    for (const l of this.#listeners) l(i, event);
    if (event.type === "applied") {
      if (event.command.type !== "app") {
        // A no-op or a membership change takes an index the lab does not see.
        this.#lastApplied[i] = event.index;
        return;
      }
      const command = event.command.op;
      if (event.index !== this.#lastApplied[i] + 1) {
        this.applyErrors.push(
          `server ${i} apply out of order: expected index ${this.#lastApplied[i] + 1}, ` +
            `got ${event.index}`,
        );
      }
      for (let j = 0; j < this.n; j++) {
        const other = this.logs[j].get(event.index);
        if (this.logs[j].has(event.index) && !sameCommand(other, command)) {
          this.applyErrors.push(
            `commit index=${event.index} server=${i} ${command} != server=${j} ${other}`,
          );
        }
      }
      this.logs[i].set(event.index, command);
      this.#lastApplied[i] = event.index;
    } else if (event.type === "snapshot-installed") {
      this.#ingest(i, event.index, server.stateMachine.snapshot());
    }
  }

  /** Takes in a snapshot's content as server `i`'s applied log through `index`. */
  #ingest(i: number, index: number, state: MachineSnapshot): void {
    const values = state.machine as unknown[];
    // The lab machine lists every command applied; indexes skip no-ops and
    // membership changes, so read them back from the end.
    const log = this.logs[i];
    log.clear();
    // Without no-ops (the lab's setting) command k is at index k.
    values.forEach((v, k) => {
      const at = index - values.length + k + 1;
      if (at >= 1) log.set(at, v);
    });
    this.#lastApplied[i] = index;
  }

  #applyLoss(): void {
    this.sim.setDefaultLink({ loss: this.#unreliable ? 0.1 : 0 });
  }

  #latency(random: () => number, to: NodeId, msg: unknown): number {
    if (this.#longReordering && to !== TESTER && isReply(msg) && random() < 2 / 3) {
      return 200 + random() * 2000;
    }
    return this.#unreliable ? random() * 27 : random() * 2;
  }

  #requests(): Array<{ to: NodeId; count: number; bytes: number }> {
    const delivered = this.sim.messageStats().delivered;
    const out: Array<{ to: NodeId; count: number; bytes: number }> = [];
    for (const id of this.ids) {
      for (const [type, c] of Object.entries(delivered[id] ?? {})) {
        if (REQUESTS.has(type)) out.push({ to: id, count: c.count, bytes: c.bytes });
      }
    }
    return out;
  }
}

/** The messages that are RPC requests, as labrpc counts calls. */
const REQUESTS = new Set([
  "AppendEntries",
  "RequestVote",
  "PreVote",
  "InstallSnapshot",
  "TimeoutNow",
]);

function isReply(msg: unknown): boolean {
  const type = (msg as { type?: string } | null)?.type;
  return typeof type === "string" && type.endsWith("Reply");
}

function sameCommand(a: unknown, b: unknown): boolean {
  return a === b || JSON.stringify(a) === JSON.stringify(b);
}
