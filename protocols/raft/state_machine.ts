/**
 * The replicated state machine: a key-value map with client sessions.
 *
 * Every server applies the same committed commands in the same order, so
 * every server's map goes through the same states. Sessions make each client
 * command take effect exactly once even when the client retries it and it
 * lands in the log twice: the machine remembers, per client, the highest
 * sequence number it applied and that command's result, and answers a
 * repeat from there instead of executing it again (Ongaro's dissertation,
 * §6.3 "Implementing linearizable semantics").
 *
 * The operations follow `kvModel` of `sim/check/models.ts`, so client
 * histories can be checked for linearizability against it: `append` to a
 * missing key starts it, `cas` compares with "no value" as `null`.
 *
 * @module
 */

import type { NodeId } from "../../actors/mod.ts";

/**
 * One key-value operation, as a client asks for it. `f` names it as the
 * client history does.
 *
 * @example
 * ```ts
 * import type { KvOp } from "./state_machine.ts";
 * const op: KvOp = { f: "cas", key: "x", from: null, to: "1" };
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
 * const r: KvResult = true;
 * ```
 */
export type KvResult = string | boolean | null;

/**
 * A command in the replicated log: a client's operation tagged with its
 * session (client id and sequence number), or the no-op a new leader
 * appends to commit entries of earlier terms (§8 of the Raft paper).
 *
 * @example
 * ```ts
 * import type { Command } from "./state_machine.ts";
 * const c: Command = { type: "kv", client: "c1", seq: 3, op: { f: "put", key: "x", value: "a" } };
 * ```
 */
export type Command =
  | { type: "noop" }
  | { type: "kv"; client: NodeId; seq: number; op: KvOp };

/**
 * The last command a client had applied, and its result.
 *
 * @example
 * ```ts
 * import type { Session } from "./state_machine.ts";
 * const s: Session = { seq: 4, result: null };
 * ```
 */
export interface Session {
  seq: number;
  result: KvResult;
}

/**
 * The whole state machine as plain data, for snapshots.
 *
 * @example
 * ```ts
 * import type { KvSnapshot } from "./state_machine.ts";
 * const s: KvSnapshot = { data: [["x", "1"]], sessions: [["c1", { seq: 1, result: null }]], digest: 7 };
 * ```
 */
export interface KvSnapshot {
  data: Array<[string, string]>;
  sessions: Array<[NodeId, Session]>;
  /** {@linkcode KvStateMachine.digest} at the snapshot. */
  digest: number;
}

/**
 * What applying one command did: `applied` ran it now, `duplicate` had
 * already run it (the stored result is returned again), `stale` belongs to
 * a request the client has given up on (a later one was already applied).
 *
 * @example
 * ```ts
 * import type { ApplyOutcome } from "./state_machine.ts";
 * const o: ApplyOutcome = { kind: "duplicate", result: "1" };
 * ```
 */
export type ApplyOutcome =
  | { kind: "applied"; result: KvResult }
  | { kind: "duplicate"; result: KvResult }
  | { kind: "stale" }
  | { kind: "noop" };

/**
 * A stable text for a command: two servers that applied the same command
 * at an index produce the same text. Checkers compare these.
 *
 * @example
 * ```ts
 * import { commandKey } from "./state_machine.ts";
 * commandKey({ type: "noop" }); // "noop"
 * ```
 */
export function commandKey(command: Command): string {
  if (command.type === "noop") return "noop";
  const op = command.op;
  switch (op.f) {
    case "get":
      return `${command.client}#${command.seq} get ${op.key}`;
    case "put":
    case "append":
      return `${command.client}#${command.seq} ${op.f} ${op.key} ${JSON.stringify(op.value)}`;
    case "cas":
      return `${command.client}#${command.seq} cas ${op.key} ${JSON.stringify(op.from)} ${
        JSON.stringify(op.to)
      }`;
    default: {
      const never: never = op;
      throw new TypeError(`unknown kv operation ${JSON.stringify(never)}`);
    }
  }
}

/**
 * The key-value state machine with exactly-once client sessions.
 *
 * @example
 * ```ts
 * import { KvStateMachine } from "./state_machine.ts";
 * const sm = new KvStateMachine();
 * const put = { type: "kv" as const, client: "c1", seq: 1, op: { f: "put" as const, key: "x", value: "a" } };
 * sm.apply(put); // { kind: "applied", result: null }
 * sm.apply(put); // { kind: "duplicate", result: null }: a retry does not run twice
 * sm.read("x"); // "a"
 * ```
 */
export class KvStateMachine {
  #data = new Map<string, string>();
  #sessions = new Map<NodeId, Session>();
  #digest = 0;

  /**
   * A running hash over every command applied so far, in order. Two
   * machines that applied the same sequence of commands have the same
   * digest, so comparing digests at the same log index compares histories.
   */
  get digest(): number {
    return this.#digest;
  }

  /** The number of keys with a value. */
  get size(): number {
    return this.#data.size;
  }

  /** Applies one committed command (Figure 2: "apply log[lastApplied] to state machine"). */
  apply(command: Command): ApplyOutcome {
    this.#digest = chain(this.#digest, commandKey(command));
    if (command.type === "noop") return { kind: "noop" };
    const session = this.#sessions.get(command.client);
    if (session !== undefined && command.seq <= session.seq) {
      // A retry that reached the log twice: answer it, do not run it again.
      return command.seq === session.seq
        ? { kind: "duplicate", result: session.result }
        : { kind: "stale" };
    }
    const result = this.#execute(command.op);
    this.#sessions.set(command.client, { seq: command.seq, result });
    return { kind: "applied", result };
  }

  /** The value of `key`, or `null`: what a linearizable read returns once it may read. */
  read(key: string): string | null {
    return this.#data.get(key) ?? null;
  }

  /** The last command `client` had applied, if any. */
  session(client: NodeId): Readonly<Session> | undefined {
    return this.#sessions.get(client);
  }

  /** The whole state as plain data. */
  snapshot(): KvSnapshot {
    return {
      data: [...this.#data],
      sessions: [...this.#sessions].map(([c, s]) => [c, { ...s }]),
      digest: this.#digest,
    };
  }

  /** A machine in the state a snapshot describes. */
  static restore(snapshot: KvSnapshot): KvStateMachine {
    const sm = new KvStateMachine();
    sm.#data = new Map(snapshot.data);
    sm.#sessions = new Map(snapshot.sessions.map(([c, s]) => [c, { ...s }]));
    sm.#digest = snapshot.digest;
    return sm;
  }

  /** Entries of the map, for summaries and tests. */
  entries(): Array<[string, string]> {
    return [...this.#data];
  }

  #execute(op: KvOp): KvResult {
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
}

/** FNV-1a over `text`, seeded with the previous digest: a cheap hash chain. */
function chain(previous: number, text: string): number {
  let h = (previous ^ 0x811c9dc5) >>> 0;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}
