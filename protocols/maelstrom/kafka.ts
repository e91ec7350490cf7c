/**
 * Maelstrom's `kafka` workload: append-only logs by key. Clients `send` a
 * message to a key (the server answers with the offset it assigned),
 * `poll` keys from offsets, `commit_offsets` they have processed, and on an
 * assignment of new keys `list_committed_offsets` to resume from. After the
 * network heals, each client polls every key from offset 0 to the end.
 *
 * The checker looks for what Maelstrom's (Jepsen's Kafka checker) calls
 * anomalies:
 *
 * | check | what it means |
 * | --- | --- |
 * | `inconsistent-offsets` | one offset of a key holds two different messages |
 * | `duplicate` | one message sits at two offsets |
 * | `poll-order` | a poll's offsets of a key do not strictly increase, or start before the one asked for |
 * | `skip` | a poll jumps over an offset known to hold a message (a lost write) |
 * | `unseen` | an acknowledged send that no poll ever returned, even the final ones |
 * | `committed-regressed` | `list_committed_offsets` below an offset whose commit was acknowledged before it was asked |
 *
 * @module
 */

import { canonical } from "../../sim/check/models.ts";
import type { Operation } from "../../sim/history.ts";
import type { Violation } from "../../sim/simulation.ts";
import { type ClientOp, type ClientWorkload, errorOutcome, protocolViolations } from "./client.ts";
import { historyViolation, type MaelstromWorkload } from "./workload.ts";

/**
 * The messages clients send in this workload.
 *
 * @example
 * ```ts
 * import type { KafkaRequest } from "./kafka.ts";
 * import assert from "node:assert/strict";
 * const r: KafkaRequest = { type: "poll", msg_id: 5, offsets: { "k1": 2 } };
 * assert.equal(r.type, "poll");
 * ```
 */
export type KafkaRequest =
  | { type: "send"; msg_id?: number; key: string; msg: unknown }
  | { type: "poll"; msg_id?: number; offsets: Record<string, number> }
  | { type: "commit_offsets"; msg_id?: number; offsets: Record<string, number> }
  | { type: "list_committed_offsets"; msg_id?: number; keys: string[] };

/** Messages of a poll reply: key -> `[offset, message]` pairs. */
type Polled = Record<string, Array<[number, unknown]>>;

/** Whether a poll reply's `msgs` has the documented shape. */
function isPolled(msgs: unknown): msgs is Polled {
  return typeof msgs === "object" && msgs !== null && !Array.isArray(msgs) &&
    Object.values(msgs).every((pairs) =>
      Array.isArray(pairs) &&
      pairs.every((p) => Array.isArray(p) && p.length === 2 && Number.isInteger(p[0]))
    );
}

/** Keys the clients use. */
const KEYS = ["0", "1", "2", "3"];
/** Most final polls one client makes before giving up on reaching the end. */
const MAX_FINAL_POLLS = 200;

/** A client of the workload: its assignment, where it reads next, what it must commit. */
class KafkaClient implements ClientWorkload {
  #k = 0;
  #assigned: string[] = [];
  /** Next offset to poll, per assigned key. */
  #offsets = new Map<string, number>();
  /** Highest offset polled and not yet committed, per key. */
  #toCommit = new Map<string, number>();
  /** Final phase: next offset per key, and how many polls so far. */
  #final: Map<string, number> | null = null;
  #finalPolls = 0;
  #finalDone = false;

  constructor(readonly index: number, readonly clients: number) {}

  next(random: () => number): ClientOp {
    if (this.#toCommit.size > 0) {
      const offsets = Object.fromEntries(this.#toCommit);
      this.#toCommit.clear();
      return { f: "commit", input: { offsets }, request: { type: "commit_offsets", offsets } };
    }
    const r = random();
    if (this.#assigned.length === 0 || r < 0.1) {
      const keys = KEYS.filter(() => random() < 0.5);
      if (keys.length === 0) keys.push(KEYS[Math.floor(random() * KEYS.length)]);
      return { f: "assign", input: { keys }, request: { type: "list_committed_offsets", keys } };
    }
    if (r < 0.55) {
      const key = KEYS[Math.floor(random() * KEYS.length)];
      const msg = this.index + this.clients * this.#k++;
      return { f: "send", input: { key, msg }, request: { type: "send", key, msg } };
    }
    const offsets = Object.fromEntries(this.#assigned.map((k) => [k, this.#offsets.get(k) ?? 0]));
    return { f: "poll", input: { offsets }, request: { type: "poll", offsets } };
  }

  final(): ClientOp | null {
    if (this.#finalDone || this.#finalPolls >= MAX_FINAL_POLLS) return null;
    this.#final ??= new Map(KEYS.map((k) => [k, 0]));
    this.#finalPolls++;
    const offsets = Object.fromEntries(this.#final);
    return { f: "poll", input: { offsets, final: true }, request: { type: "poll", offsets } };
  }

  outcome(op: ClientOp, reply: { [field: string]: unknown; type: string }) {
    if (reply.type === "error") return errorOutcome(reply);
    switch (op.f) {
      case "send":
        return { status: "ok" as const, output: reply.offset };
      case "poll": {
        const msgs = reply.msgs ?? {};
        if (!isPolled(msgs)) {
          return {
            status: "info" as const,
            output: { malformed: "poll_ok msgs must map keys to [offset, msg] pairs", reply },
          };
        }
        const final = (op.input as { final?: boolean }).final === true;
        const next = final ? this.#final! : this.#offsets;
        let any = false;
        for (const [key, pairs] of Object.entries(msgs)) {
          if (!Array.isArray(pairs) || pairs.length === 0) continue;
          const last = pairs[pairs.length - 1]?.[0];
          if (typeof last !== "number") continue;
          any = true;
          next.set(key, last + 1);
          if (!final) this.#toCommit.set(key, Math.max(last, this.#toCommit.get(key) ?? -1));
        }
        if (final && !any) this.#finalDone = true;
        return { status: "ok" as const, output: msgs };
      }
      case "assign": {
        const committed = (reply.offsets ?? {}) as Record<string, number>;
        const keys = (op.input as { keys: string[] }).keys;
        const offsets = new Map<string, number>();
        for (const k of keys) {
          offsets.set(k, this.#offsets.get(k) ?? (k in committed ? committed[k] + 1 : 0));
        }
        this.#assigned = keys;
        this.#offsets = offsets;
        return { status: "ok" as const, output: committed };
      }
      default:
        return { status: "ok" as const, output: null };
    }
  }
}

/**
 * The `kafka` workload.
 *
 * @example
 * ```ts
 * import { kafkaWorkload } from "./kafka.ts";
 * import assert from "node:assert/strict";
 * const op = (id: number, f: string, input: unknown, output: unknown) => ({
 *   id, client: "c1", f, input, output, call: id, ret: id + 1, status: "ok" as const,
 * });
 * const history = [
 *   op(0, "send", { key: "0", msg: 10 }, 0),
 *   op(1, "send", { key: "0", msg: 11 }, 1),
 *   op(2, "send", { key: "0", msg: 12 }, 2),
 *   op(3, "poll", { offsets: { "0": 0 }, final: true }, { "0": [[0, 10], [2, 12]] }),
 * ];
 * assert.deepEqual(kafkaWorkload.check(history).map((v) => v.check), ["skip", "unseen"]);
 * ```
 */
export const kafkaWorkload: MaelstromWorkload = {
  name: "kafka",
  summary: "append-only logs by key: no lost, skipped, reordered or duplicated messages",
  final: true,
  client(index, _servers, clients) {
    return () => new KafkaClient(index, clients);
  },
  check(history) {
    return [...protocolViolations(history), ...kafkaViolations(history)];
  },
  describe(history) {
    const sends = history.filter((op) => op.f === "send" && op.status === "ok").length;
    const polls = history.filter((op) => op.f === "poll" && op.status === "ok").length;
    return [`${sends} sends acknowledged, ${polls} polls answered`];
  },
};

/** Everything wrong with the offsets, messages and commits of a history. */
function kafkaViolations(history: readonly Operation[]): Violation[] {
  const out: Violation[] = [];
  /** key -> offset -> message text, from acknowledged sends and from polls. */
  const at = new Map<string, Map<number, string>>();
  /** key \0 message text -> offset */
  const where = new Map<string, number>();
  const record = (op: Operation, key: string, offset: number, msg: unknown) => {
    const text = canonical(msg);
    let offsets = at.get(key);
    if (offsets === undefined) at.set(key, offsets = new Map());
    const there = offsets.get(offset);
    if (there === undefined) offsets.set(offset, text);
    else if (there !== text) {
      out.push(historyViolation(
        "inconsistent-offsets",
        op,
        `key ${key} offset ${offset} holds ${there} and ${text}`,
      ));
    }
    const before = where.get(`${key}\0${text}`);
    if (before === undefined) where.set(`${key}\0${text}`, offset);
    else if (before !== offset) {
      out.push(historyViolation(
        "duplicate",
        op,
        `message ${text} of key ${key} is at offsets ${before} and ${offset}`,
      ));
    }
  };
  const sends = history.filter((op) => op.f === "send" && op.status === "ok");
  const polls = history.filter((op) => op.f === "poll" && op.status === "ok");
  for (const op of sends) {
    const { key, msg } = op.input as { key: string; msg: unknown };
    if (typeof op.output !== "number") {
      out.push(historyViolation("send", op, `send_ok without a numeric offset`));
    } else record(op, key, op.output, msg);
  }
  for (const op of polls) {
    for (const [key, pairs] of Object.entries(op.output as Polled)) {
      for (const pair of pairs) record(op, key, pair[0], pair[1]);
    }
  }
  // With every known offset in hand: the order and gaps of each poll.
  for (const op of polls) {
    const asked = (op.input as { offsets: Record<string, number> }).offsets;
    for (const [key, pairs] of Object.entries(op.output as Polled)) {
      if (pairs.length === 0) continue;
      const offsets = pairs.map((p) => p[0]);
      const from = asked[key];
      if (from === undefined) {
        out.push(historyViolation("poll-order", op, `key ${key} was not polled`));
        continue;
      }
      if (offsets[0] < from || offsets.some((o, i) => i > 0 && o <= offsets[i - 1])) {
        out.push(historyViolation(
          "poll-order",
          op,
          `key ${key} polled from ${from} returned offsets ${offsets.join(",")}`,
        ));
        continue;
      }
      const returned = new Set(offsets);
      const skipped = [...at.get(key)!.keys()]
        .filter((o) => o >= from && o < offsets[offsets.length - 1] && !returned.has(o))
        .sort((a, b) => a - b);
      if (skipped.length > 0) {
        out.push(historyViolation(
          "skip",
          op,
          `key ${key} polled from ${from} returned ${offsets.join(",")}, skipping offsets ${
            skipped.slice(0, 8).join(",")
          }${skipped.length > 8 ? ",..." : ""} which hold messages`,
        ));
      }
    }
  }
  const polled = new Set<string>();
  for (const op of polls) {
    for (const [key, pairs] of Object.entries(op.output as Polled)) {
      for (const [offset] of pairs) polled.add(`${key}\0${offset}`);
    }
  }
  for (const op of sends) {
    const { key } = op.input as { key: string };
    if (typeof op.output === "number" && !polled.has(`${key}\0${op.output}`)) {
      out.push(
        historyViolation("unseen", op, `offset ${op.output} of key ${key} was never polled`),
      );
    }
  }
  out.push(...committedViolations(history));
  return out;
}

/** A listed committed offset must not be below a commit acknowledged before the listing began. */
function committedViolations(history: readonly Operation[]): Violation[] {
  const out: Violation[] = [];
  const commits = history.filter((op) => op.f === "commit" && op.status === "ok");
  for (const op of history) {
    if (op.f !== "assign" || op.status !== "ok") continue;
    const listed = op.output as Record<string, number>;
    for (const key of (op.input as { keys: string[] }).keys) {
      const floor = commits.filter((c) => c.ret < op.call)
        .map((c) => (c.input as { offsets: Record<string, number> }).offsets[key] ?? -1)
        .reduce((a, b) => Math.max(a, b), -1);
      if (floor >= 0 && !((listed[key] ?? -1) >= floor)) {
        out.push(historyViolation(
          "committed-regressed",
          op,
          `key ${key}: offset ${floor} was committed, but the listing says ${
            listed[key] ?? "none"
          }`,
        ));
      }
    }
  }
  return out;
}
