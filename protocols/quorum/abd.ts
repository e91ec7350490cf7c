/**
 * The ABD register (Attiya, Bar-Noy and Dolev, 1995; lecture 7.2): quorum
 * replication made linearizable, with no leader and no consensus.
 *
 * ```text
 * read(key)          query:  send Read(key) to all; wait for R replies
 *                            (value, ts) := the newest reply
 *                    store:  send Write(key, value, ts) to all; wait for W acks
 *                    return value
 *
 * write(key, value)  query:  send Read(key) to all; wait for R replies
 *                            ts := (largest counter seen + 1, me)
 *                    store:  send Write(key, value, ts) to all; wait for W acks
 *                    return
 * ```
 *
 * Why the read writes back: once it returns a value, a write quorum holds
 * it, and every later read quorum overlaps that write quorum (R + W > N), so
 * no later read can return anything older. Without the write-back a read
 * can see a write that is still under way and a later read can miss it.
 *
 * Why the write queries first: its timestamp must be larger than that of
 * every write that returned before it began, or replicas would keep the
 * older value. Every such write is held by a write quorum, which the query's
 * read quorum overlaps. With a single writer its own counter is enough, and
 * `singleWriter: true` skips the query, as the original single-writer ABD does.
 *
 * One shortcut: when W of the R replies already carry the newest timestamp,
 * a write quorum holds it and the read's write-back would change nothing, so
 * the read returns after one round trip.
 *
 * @module
 */

import type { Context, NodeId } from "../../actors/mod.ts";
import {
  compareTimestamps,
  newest,
  type QuorumMsg,
  type Timestamp,
  type Value,
  type Versioned,
} from "./messages.ts";
import { type Round, RoundClient, type RoundClientConfig } from "./round_client.ts";
import type { KvOp } from "./workload.ts";

/**
 * An ABD client's configuration: N replicas, read and write quorums with
 * R + W > N (a majority each is the classic choice).
 *
 * @example
 * ```ts
 * import { AbdClient, type AbdClientConfig } from "./abd.ts";
 * import assert from "node:assert/strict";
 * const c: AbdClientConfig = { replicas: ["n1", "n2", "n3"], r: 2, w: 2, workload: { ops: 10 } };
 * assert.equal(new AbdClient(c).singleWriter, false); // the default
 * assert.throws(() => new AbdClient({ ...c, w: 4 }), /W: must be a whole number from 1 to N = 3/);
 * ```
 */
export interface AbdClientConfig extends RoundClientConfig {
  /**
   * Writes skip the query round and use this client's own counter (default
   * false). Correct only when this is the only client that writes.
   */
  singleWriter?: boolean;
}

/** The rounds of an ABD operation: a query round, then a store round. */
export type AbdStep = "query" | "store";

/**
 * An ABD client.
 *
 * @example
 * ```ts
 * import { Simulation } from "../../sim/simulation.ts";
 * import { QuorumReplica } from "./replica.ts";
 * import { AbdClient } from "./abd.ts";
 * import assert from "node:assert/strict";
 * const replicas = ["n1", "n2", "n3"];
 * const sim = new Simulation({ seed: 1, trace: "off" });
 * for (const id of replicas) sim.spawn(id, () => new QuorumReplica());
 * sim.spawn("c1", () => new AbdClient({ replicas, r: 2, w: 2, workload: { ops: 4 } }));
 * sim.run();
 * assert.equal(sim.history.completed().length, 4);
 * ```
 */
export class AbdClient extends RoundClient<AbdStep> {
  /** Whether writes skip the query round (correct with one writing client only). */
  readonly singleWriter: boolean;
  /** The largest counter this client has written with (durable). */
  #counter = 0;

  /**
   * A client over `config.replicas`; throws a {@linkcode ConfigError} naming
   * a bad quorum, timeout or workload.
   *
   * @param config replicas, quorums, retries, workload and `singleWriter`
   */
  constructor(config: AbdClientConfig) {
    super(config);
    this.singleWriter = config.singleWriter ?? false;
  }

  /** Its write counter. */
  protected override inspectMore(): Record<string, unknown> {
    return { counter: this.#counter };
  }

  /** Reads back the largest counter written with. */
  protected override restore(ctx: Context<QuorumMsg>): void {
    // A write cut short by a crash may have reached replicas the next query
    // does not ask; reusing its timestamp for another value would split them.
    this.#counter = ctx.storage.get<number>("counter") ?? 0;
  }

  /** Starts with the query round (a single writer's write goes straight to the store round). */
  protected perform(ctx: Context<QuorumMsg>, op: KvOp): void {
    if (op.f === "write" && this.singleWriter) return this.#store(ctx, op.value, this.#counter);
    this.startRound(ctx, "query", { type: "Read", key: op.key, req: 0 }, this.config.r);
  }

  /** After the query: write back (a read) or store above the newest (a write); then finish. */
  protected onQuorum(ctx: Context<QuorumMsg>, round: Round<AbdStep>): void {
    const op = this.current!.op;
    switch (round.step) {
      case "query": {
        const latest = newest(round.answers.values());
        switch (op.f) {
          case "read":
            return this.#writeBack(ctx, op.key, latest, round.answers);
          case "write":
            return this.#store(ctx, op.value, latest.ts?.[0] ?? 0);
          default: {
            const never: never = op;
            throw new Error(`unknown operation ${JSON.stringify(never)}`);
          }
        }
      }
      case "store": {
        // A read returns the value it wrote back; a write returns nothing.
        const stored = round.request;
        const output = op.f === "read" && stored.type === "Write" ? stored.value : undefined;
        return this.finish(ctx, output, "ok");
      }
      default: {
        const never: never = round.step;
        throw new Error(`unknown step ${never}`);
      }
    }
  }

  /** Ends the operation: `info` for a write whose store round began, `fail` otherwise. */
  protected onGiveUp(ctx: Context<QuorumMsg>, round: Round<AbdStep>): void {
    // Until a write's store round began, no replica was asked to change
    // anything; a read never changes a value.
    const mayHaveHappened = round.step === "store" && this.current!.op.f === "write";
    this.finish(ctx, undefined, mayHaveHappened ? "info" : "fail");
  }

  /** A read's second round: return `latest` only once a write quorum holds it. */
  #writeBack(
    ctx: Context<QuorumMsg>,
    key: string,
    latest: Versioned,
    answers: ReadonlyMap<NodeId, Versioned>,
  ): void {
    const holders = new Map([...answers].filter(([, v]) => sameVersion(v, latest)));
    if (latest.ts === null || holders.size >= this.config.w) {
      return this.finish(ctx, latest.value, "ok"); // nothing written yet, or already on W replicas
    }
    const writeBack = { type: "Write", key, value: latest.value, ts: latest.ts, req: 0 } as const;
    this.startRound(ctx, "store", writeBack, this.config.w, holders);
  }

  /** Writes `value` with a timestamp above `seen` and above every one this client used. */
  #store(ctx: Context<QuorumMsg>, value: Value, seen: number): void {
    this.#counter = Math.max(this.#counter, seen) + 1;
    ctx.storage.set("counter", this.#counter);
    const ts: Timestamp = [this.#counter, ctx.self];
    const op = this.current!.op;
    this.startRound(ctx, "store", { type: "Write", key: op.key, value, ts, req: 0 }, this.config.w);
  }
}

function sameVersion(a: Versioned, b: Versioned): boolean {
  return compareTimestamps(a.ts, b.ts) === 0;
}
