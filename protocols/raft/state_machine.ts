/**
 * The replicated state machine, as an interface, and the key-value store as
 * its first implementation.
 *
 * Raft only orders commands; what they mean is the application's. A
 * {@linkcode StateMachine} is that application: deterministic `apply`, a
 * read-only `query` for linearizable reads that skip the log (ReadIndex),
 * and `snapshot` / `restore` as plain data for log compaction (§7). The
 * node wraps it in a {@linkcode SessionMachine}, which adds what every
 * application needs from Raft and none should write again:
 *
 * - client sessions, so each command takes effect exactly once even when a
 *   client retries it and it lands in the log twice: the machine remembers,
 *   per client, the highest sequence number applied and its result, and
 *   answers a repeat from there (Ongaro's dissertation, §6.3);
 * - a digest, a running hash over every command applied, so checkers can
 *   compare two servers' histories at the same index in O(1).
 *
 * {@linkcode KvStore} follows `kvModel` of `sim/check/models.ts`, so client
 * histories can be checked for linearizability against it: `append` to a
 * missing key starts it, `cas` compares with "no value" as `null`. The lock
 * service in `lock_service.ts` is the second implementation.
 *
 * @module
 */

import type { NodeId } from "../../actors/mod.ts";
import type { ClusterConfig, ConfChange } from "./membership.ts";

/**
 * One key-value operation, as a client asks for it. `f` names it as the
 * client history does.
 *
 * @example
 * ```ts
 * import type { KvOp } from "./state_machine.ts";
 * import assert from "node:assert/strict";
 * const op: KvOp = { f: "cas", key: "x", from: null, to: "1" };
 * assert.equal(op.f, "cas");
 * ```
 */
export type KvOp =
  | { f: "get"; key: string }
  | { f: "put"; key: string; value: string }
  | { f: "append"; key: string; value: string }
  | { f: "cas"; key: string; from: string | null; to: string };

/**
 * What an operation returns: the value for `get` (`null` when absent),
 * whether the compare matched for `cas`, `null` for `put` and `append`.
 *
 * @example
 * ```ts
 * import type { KvResult } from "./state_machine.ts";
 * import assert from "node:assert/strict";
 * const r: KvResult = true;
 * assert.equal(r, true);
 * ```
 */
export type KvResult = string | boolean | null;

/**
 * An application replicated by Raft: `C` is its command, `R` a command's
 * result. Every method must be deterministic: servers that apply the same
 * commands in the same order must reach the same state.
 *
 * @example
 * ```ts
 * import type { StateMachine } from "./state_machine.ts";
 * import assert from "node:assert/strict";
 * class Counter implements StateMachine<{ add: number }, number> {
 *   total = 0;
 *   apply(c: { add: number }) { return (this.total += c.add); }
 *   isReadOnly(c: { add: number }) { return c.add === 0; }
 *   query() { return this.total; }
 *   snapshot() { return this.total; }
 *   restore(data: unknown) { this.total = data as number; }
 * }
 * const c = new Counter();
 * c.apply({ add: 2 });
 * assert.equal(c.query(), 2);
 * ```
 */
export interface StateMachine<C, R> {
  /** Applies one committed command and returns its result. */
  apply(command: C): R;
  /** Whether `command` only reads, so it may be served by ReadIndex without the log. */
  isReadOnly(command: C): boolean;
  /** The result of a read-only `command`, without changing anything. */
  query(command: C): R;
  /** The whole state as plain data. */
  snapshot(): unknown;
  /** Replaces the state by what `snapshot()` returned (on some server, at some time). */
  restore(data: unknown): void;
}

/**
 * Any state machine, whatever its command and result types.
 *
 * @example
 * ```ts
 * import type { AnyMachine } from "./state_machine.ts";
 * import { KvStore } from "./state_machine.ts";
 * import assert from "node:assert/strict";
 * const machines: AnyMachine[] = [new KvStore()];
 * assert.equal(machines.length, 1);
 * ```
 */
export type AnyMachine = StateMachine<never, unknown> | StateMachine<unknown, unknown>;

/**
 * The command type of a state machine.
 *
 * @example
 * ```ts
 * import type { KvOp, KvStore, OpOf } from "./state_machine.ts";
 * import assert from "node:assert/strict";
 * const op: OpOf<KvStore> = { f: "get", key: "x" } satisfies KvOp;
 * assert.equal(op.f, "get");
 * ```
 */
export type OpOf<M> = M extends StateMachine<infer C, unknown> ? C : never;

/**
 * The result type of a state machine.
 *
 * @example
 * ```ts
 * import type { KvStore, ResultOf } from "./state_machine.ts";
 * import assert from "node:assert/strict";
 * const r: ResultOf<KvStore> = "1";
 * assert.equal(r, "1");
 * ```
 */
export type ResultOf<M> = M extends StateMachine<never, infer R> ? R : never;

/**
 * A command in the replicated log: a client's operation tagged with its
 * session (client id and sequence number), a membership change, or the
 * no-op a new leader appends to commit entries of earlier terms (§8).
 *
 * @example
 * ```ts
 * import type { Command } from "./state_machine.ts";
 * import assert from "node:assert/strict";
 * const c: Command = { type: "app", client: "c1", seq: 3, op: { f: "put", key: "x", value: "a" } };
 * assert.equal(c.type, "app");
 * ```
 */
export type Command<C = KvOp> =
  | { type: "noop" }
  /** A membership change, with the whole configuration it makes (so a new server needs no other). */
  | { type: "conf"; change: ConfChange; config: ClusterConfig }
  | { type: "app"; client: NodeId; seq: number; op: C };

/**
 * The last command a client had applied, and its result.
 *
 * @example
 * ```ts
 * import type { Session } from "./state_machine.ts";
 * import assert from "node:assert/strict";
 * const s: Session = { seq: 4, result: null };
 * assert.equal(s.seq, 4);
 * ```
 */
export interface Session<R = KvResult> {
  /** The sequence number of the command. */
  seq: number;
  /** Its result. */
  result: R;
}

/**
 * A {@linkcode SessionMachine} as plain data, for snapshots.
 *
 * @example
 * ```ts
 * import type { MachineSnapshot } from "./state_machine.ts";
 * import assert from "node:assert/strict";
 * const s: MachineSnapshot = { machine: [["x", "1"]], sessions: [["c1", { seq: 1, result: null }]], digest: 7 };
 * assert.equal(s.digest, 7);
 * ```
 */
export interface MachineSnapshot {
  /** What the application's `snapshot()` returned. */
  machine: unknown;
  /** Per client, the last command applied. */
  sessions: Array<[NodeId, Session<unknown>]>;
  /** {@linkcode SessionMachine.digest} at the snapshot. */
  digest: number;
}

/**
 * What applying one command did: `applied` ran it now, `duplicate` had
 * already run it (the stored result is returned again), `stale` belongs to
 * a request the client has given up on (a later one was already applied),
 * `internal` was a no-op or membership change.
 *
 * @example
 * ```ts
 * import type { ApplyOutcome } from "./state_machine.ts";
 * import assert from "node:assert/strict";
 * const o: ApplyOutcome = { kind: "duplicate", result: "1" };
 * assert.equal(o.kind, "duplicate");
 * ```
 */
export type ApplyOutcome<R = KvResult> =
  | { kind: "applied"; result: R }
  | { kind: "duplicate"; result: R }
  | { kind: "stale" }
  | { kind: "internal" };

/**
 * A stable text for a command: two servers that hold the same command at an
 * index produce the same text. Checkers and digests compare these.
 *
 * @example
 * ```ts
 * import { commandKey } from "./state_machine.ts";
 * import assert from "node:assert/strict";
 * assert.equal(commandKey({ type: "noop" }), "noop");
 * const config = { voters: ["n1", "n2"], learners: [] };
 * assert.equal(commandKey({ type: "conf", change: { op: "remove", node: "n3" }, config }), "conf remove n3");
 * assert.equal(
 *   commandKey({ type: "app", client: "c1", seq: 2, op: { f: "get", key: "x" } }),
 *   'c1#2 {"f":"get","key":"x"}',
 * );
 * ```
 */
export function commandKey(command: Command<unknown>): string {
  switch (command.type) {
    case "noop":
      return "noop";
    case "conf":
      return `conf ${command.change.op} ${command.change.node}`;
    case "app":
      return `${command.client}#${command.seq} ${JSON.stringify(command.op)}`;
    default: {
      const never: never = command;
      throw new TypeError(`unknown command ${JSON.stringify(never)}`);
    }
  }
}

/**
 * An application with exactly-once client sessions and a history digest:
 * what a Raft server applies its committed log to.
 *
 * @example
 * ```ts
 * import { KvStore, SessionMachine } from "./state_machine.ts";
 * import assert from "node:assert/strict";
 * const sm = new SessionMachine(new KvStore());
 * const put = { type: "app" as const, client: "c1", seq: 1, op: { f: "put" as const, key: "x", value: "a" } };
 * assert.deepEqual(sm.apply(put), { kind: "applied", result: null });
 * assert.deepEqual(sm.apply(put), { kind: "duplicate", result: null }); // a retry does not run twice
 * assert.equal(sm.machine.read("x"), "a");
 * ```
 */
export class SessionMachine<M extends AnyMachine = KvStore> {
  /** The application. */
  readonly machine: M;
  #sessions = new Map<NodeId, Session<ResultOf<M>>>();
  #digest = 0;

  /** Wraps `machine`, with no session yet. */
  constructor(machine: M) {
    this.machine = machine;
  }

  /** The machine with its types spelled out (M's own types are only known to the caller). */
  get #app(): StateMachine<OpOf<M>, ResultOf<M>> {
    return this.machine as unknown as StateMachine<OpOf<M>, ResultOf<M>>;
  }

  /**
   * A running hash over every command applied so far, in order. Two
   * machines that applied the same sequence of commands have the same
   * digest, so comparing digests at the same log index compares histories.
   */
  get digest(): number {
    return this.#digest;
  }

  /** Applies one committed command (Figure 2: "apply log[lastApplied] to state machine"). */
  apply(command: Command<OpOf<M>>): ApplyOutcome<ResultOf<M>> {
    this.#digest = digestStep(this.#digest, command);
    if (command.type !== "app") return { kind: "internal" };
    const session = this.#sessions.get(command.client);
    if (session !== undefined && command.seq <= session.seq) {
      // A retry that reached the log twice: answer it, do not run it again.
      return command.seq === session.seq
        ? { kind: "duplicate", result: session.result }
        : { kind: "stale" };
    }
    const result = this.#app.apply(command.op);
    this.#sessions.set(command.client, { seq: command.seq, result });
    return { kind: "applied", result };
  }

  /** Whether `op` only reads, so ReadIndex may serve it. */
  isReadOnly(op: OpOf<M>): boolean {
    return this.#app.isReadOnly(op);
  }

  /** The answer to a read-only command, as a linearizable read returns it once it may read. */
  query(op: OpOf<M>): ResultOf<M> {
    return this.#app.query(op);
  }

  /** The last command `client` had applied, if any. */
  session(client: NodeId): Readonly<Session<ResultOf<M>>> | undefined {
    return this.#sessions.get(client);
  }

  /** The whole state as plain data. */
  snapshot(): MachineSnapshot {
    return {
      machine: this.machine.snapshot(),
      sessions: [...this.#sessions].map(([c, s]) => [c, { ...s }]),
      digest: this.#digest,
    };
  }

  /** Puts this machine in the state `snapshot` describes. */
  restore(snapshot: MachineSnapshot): void {
    this.machine.restore(snapshot.machine);
    this.#sessions = new Map(
      snapshot.sessions.map(([c, s]) => [c, { ...s } as Session<ResultOf<M>>]),
    );
    this.#digest = snapshot.digest;
  }
}

/**
 * The key-value store: the state machine the scenarios and clients use.
 *
 * @example
 * ```ts
 * import { KvStore } from "./state_machine.ts";
 * import assert from "node:assert/strict";
 * const kv = new KvStore();
 * kv.apply({ f: "put", key: "x", value: "a" });
 * assert.equal(kv.apply({ f: "cas", key: "x", from: "a", to: "b" }), true);
 * assert.equal(kv.read("x"), "b");
 * ```
 */
export class KvStore implements StateMachine<KvOp, KvResult> {
  #data = new Map<string, string>();

  /** The number of keys with a value. */
  get size(): number {
    return this.#data.size;
  }

  apply(op: KvOp): KvResult {
    switch (op.f) {
      case "get":
        return this.read(op.key);
      case "put":
        this.#data.set(op.key, op.value);
        return null;
      case "append":
        this.#data.set(op.key, (this.#data.get(op.key) ?? "") + op.value);
        return null;
      case "cas": {
        if (this.read(op.key) !== op.from) return false;
        this.#data.set(op.key, op.to);
        return true;
      }
      default: {
        const never: never = op;
        throw new TypeError(`unknown kv operation ${JSON.stringify(never)}`);
      }
    }
  }

  isReadOnly(op: KvOp): boolean {
    return op.f === "get";
  }

  query(op: KvOp): KvResult {
    if (op.f !== "get") throw new TypeError(`query: ${op.f} is not a read`);
    return this.read(op.key);
  }

  /** The value of `key`, or `null`. */
  read(key: string): string | null {
    return this.#data.get(key) ?? null;
  }

  snapshot(): Array<[string, string]> {
    return [...this.#data];
  }

  restore(data: unknown): void {
    this.#data = new Map(data as Array<[string, string]>);
  }

  /** Entries of the map, for summaries and tests. */
  entries(): Array<[string, string]> {
    return [...this.#data];
  }
}

/**
 * The next digest after `command`: FNV-1a over what names the command,
 * seeded with the previous digest. A client command is named by its
 * session (client, sequence number), which sessions make unique; comparing
 * the operations themselves is the checkers' job (they compare every
 * applied entry), so the digest need not serialise them.
 */
function digestStep(previous: number, command: Command<unknown>): number {
  let h = (previous ^ 0x811c9dc5) >>> 0;
  switch (command.type) {
    case "noop":
      return Math.imul(h ^ 0x6e, 0x01000193) >>> 0;
    case "conf":
      h = fnv(h, command.change.op);
      return fnv(h, command.change.node);
    case "app":
      h = fnv(h, command.client);
      return Math.imul(h ^ command.seq, 0x01000193) >>> 0;
    default: {
      const never: never = command;
      throw new TypeError(`unknown command ${JSON.stringify(never)}`);
    }
  }
}

function fnv(h: number, text: string): number {
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}
