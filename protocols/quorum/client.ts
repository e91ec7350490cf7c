/**
 * The client of Dynamo-style quorum replication (lecture 5.2).
 *
 * ```text
 * write(key, value)    ts := (counter + 1, me)
 *                      send Write(key, value, ts) to all N replicas
 *                      return once W have acknowledged
 * read(key)            send Read(key) to all N replicas
 *                      once R have replied, return the value with the newest ts
 * ```
 *
 * With R + W > N every read quorum overlaps every write quorum, so a read
 * that starts after a write returned sees it. That is still not
 * linearizable (lecture 7.2): while a write is under way, one read can see
 * it and a later read can miss it. Read repair closes that gap only when it
 * is synchronous: the reader writes the newest value back until a write
 * quorum holds it, then returns (that is ABD's read, see `abd.ts`).
 *
 * - `readRepair: "none"`: return the newest value; stale replicas stay stale
 *   until a later write.
 * - `"async"`: return at once, and in the background send the newest value
 *   to every replica that answered with an older one, including answers
 *   that arrive after the read returned.
 * - `"sync"`: before returning, send it to every replica not known to hold
 *   it, and wait until W replicas do.
 *
 * The timestamp's counter is a Lamport clock: one more than the largest
 * counter this client has used or seen in a reply. A writer that has not
 * seen a newer write still picks a smaller timestamp than it, and its write
 * loses to the older one (last writer wins by timestamp, not by time), so
 * with several writers even synchronous read repair is not linearizable;
 * ABD's writes ask a quorum first.
 *
 * @module
 */

import type { Context, NodeId } from "../../actors/mod.ts";
import { ConfigError } from "../../sim/errors.ts";
import { compareTimestamps, newest, type QuorumMsg, type Versioned } from "./messages.ts";
import { type Round, RoundClient, type RoundClientConfig } from "./round_client.ts";
import type { KvOp } from "./workload.ts";

/**
 * When a reader repairs stale replicas: never, in the background, or before
 * it returns.
 *
 * @example
 * ```ts
 * import { QuorumClient, type ReadRepair } from "./client.ts";
 * import assert from "node:assert/strict";
 * const repair: ReadRepair = "sync";
 * const config = { replicas: ["n1"], r: 1, w: 1, readRepair: repair, workload: { ops: 0 } };
 * assert.equal(new QuorumClient(config).readRepair, "sync");
 * ```
 */
export type ReadRepair = "none" | "sync" | "async";

/**
 * Every {@linkcode ReadRepair} mode, for flags and tables.
 *
 * @example
 * ```ts
 * import { READ_REPAIR_MODES } from "./client.ts";
 * import assert from "node:assert/strict";
 * assert.ok(READ_REPAIR_MODES.includes("async"));
 * ```
 */
export const READ_REPAIR_MODES: readonly ReadRepair[] = ["none", "async", "sync"];

/**
 * A quorum client's configuration.
 *
 * @example
 * ```ts
 * import { QuorumClient, type QuorumClientConfig } from "./client.ts";
 * import assert from "node:assert/strict";
 * const c: QuorumClientConfig = {
 *   replicas: ["n1", "n2", "n3"], r: 2, w: 2, readRepair: "sync", workload: { ops: 10 },
 * };
 * assert.deepEqual(new QuorumClient(c).config, {
 *   replicas: ["n1", "n2", "n3"], r: 2, w: 2, timeoutMs: 40, retries: 2, // the defaults
 * });
 * ```
 */
export interface QuorumClientConfig extends RoundClientConfig {
  /** Default `none`. */
  readRepair?: ReadRepair;
}

/** The rounds of a quorum client's operation: a read, a write, or a read's write-back. */
export type QuorumStep = "read" | "write" | "repair";

/** The last read's answers, kept so that late replies can be repaired in the background. */
interface LastRead {
  req: number;
  key: string;
  latest: Versioned;
}

/**
 * A quorum client.
 *
 * @example
 * ```ts
 * import { Simulation } from "../../sim/simulation.ts";
 * import { QuorumReplica } from "./replica.ts";
 * import { QuorumClient } from "./client.ts";
 * import assert from "node:assert/strict";
 * const replicas = ["n1", "n2", "n3"];
 * const sim = new Simulation({ seed: 1, trace: "off" });
 * for (const id of replicas) sim.spawn(id, () => new QuorumReplica());
 * sim.spawn("c1", () => new QuorumClient({ replicas, r: 2, w: 2, workload: { ops: 4 } }));
 * sim.run();
 * assert.equal(sim.history.completed().length, 4);
 * ```
 */
export class QuorumClient extends RoundClient<QuorumStep> {
  /** How reads repair stale replicas. */
  readonly readRepair: ReadRepair;
  /** The largest timestamp counter used or seen. */
  #counter = 0;
  #lastRead: LastRead | null = null;

  /**
   * A client over `config.replicas`; throws a {@linkcode ConfigError} naming
   * a bad quorum, timeout, workload or read-repair mode.
   *
   * @param config replicas, quorums, retries, workload and `readRepair`
   */
  constructor(config: QuorumClientConfig) {
    super(config);
    const mode = config.readRepair ?? "none";
    if (!READ_REPAIR_MODES.includes(mode)) {
      throw new ConfigError(
        "readRepair",
        `must be one of ${READ_REPAIR_MODES.join(", ")}, got ${JSON.stringify(mode)}`,
      );
    }
    this.readRepair = mode;
  }

  /** Its timestamp counter and the read it may repair. */
  protected override inspectMore(): Record<string, unknown> {
    return { counter: this.#counter, lastRead: this.#lastRead };
  }

  /** Reads back the largest timestamp counter used. */
  protected override restore(ctx: Context<QuorumMsg>): void {
    // Never reuse a timestamp after a restart: two values with one timestamp
    // would leave replicas disagreeing for ever.
    this.#counter = ctx.storage.get<number>("counter") ?? 0;
  }

  /** A read asks R replicas; a write sends a fresh timestamp to W. */
  protected perform(ctx: Context<QuorumMsg>, op: KvOp): void {
    const { r, w } = this.config;
    switch (op.f) {
      case "read":
        return this.startRound(ctx, "read", { type: "Read", key: op.key, req: 0 }, r);
      case "write": {
        this.#counter++;
        ctx.storage.set("counter", this.#counter);
        const ts = [this.#counter, ctx.self] as const;
        const write = { type: "Write", key: op.key, value: op.value, ts, req: 0 } as const;
        return this.startRound(ctx, "write", write, w);
      }
      default: {
        const never: never = op;
        throw new Error(`unknown operation ${JSON.stringify(never)}`);
      }
    }
  }

  /** Finishes the operation, after a write-back first when `readRepair` is `sync`. */
  protected onQuorum(ctx: Context<QuorumMsg>, round: Round<QuorumStep>): void {
    switch (round.step) {
      case "read":
        return this.#gotReadQuorum(ctx, round);
      case "write":
        return this.finish(ctx, undefined, "ok");
      case "repair":
        // A write quorum now holds the value: any later read will see it.
        return this.finish(ctx, writtenValue(round), "ok");
      default: {
        const never: never = round.step;
        throw new Error(`unknown step ${never}`);
      }
    }
  }

  /** Ends the operation: `info` for a write (it may have been stored), `fail` for a read. */
  protected onGiveUp(ctx: Context<QuorumMsg>, round: Round<QuorumStep>): void {
    switch (round.step) {
      case "read":
      case "repair":
        // A read changes no value (a repair only spreads one already written).
        return this.finish(ctx, undefined, "fail");
      case "write":
        // Some replica may have stored it even if no acknowledgement came back.
        return this.finish(ctx, undefined, "info");
      default: {
        const never: never = round.step;
        throw new Error(`unknown step ${never}`);
      }
    }
  }

  /** Learns newer counters, and with `async` repair repairs a late, stale replier. */
  protected override onReadReply(
    ctx: Context<QuorumMsg>,
    msg: Extract<QuorumMsg, { type: "ReadReply" }>,
    from: NodeId,
  ): void {
    if (msg.ts !== null && msg.ts[0] > this.#counter) this.#counter = msg.ts[0];
    const last = this.#lastRead;
    if (last !== null && msg.req === last.req && compareTimestamps(msg.ts, last.latest.ts) < 0) {
      this.#repair(ctx, [from], last);
    }
  }

  #gotReadQuorum(ctx: Context<QuorumMsg>, round: Round<QuorumStep>): void {
    const { key, req } = round.request;
    const latest = newest(round.answers.values());
    const holders = new Map([...round.answers].filter(([, v]) => sameTs(v, latest)));
    switch (this.readRepair) {
      case "none":
        return this.finish(ctx, latest.value, "ok");
      case "async": {
        this.#lastRead = { req, key, latest };
        const stale = [...round.answers.keys()].filter((id) => !holders.has(id));
        this.#repair(ctx, stale, this.#lastRead);
        return this.finish(ctx, latest.value, "ok");
      }
      case "sync": {
        if (latest.ts === null || holders.size >= this.config.w) {
          return this.finish(ctx, latest.value, "ok");
        }
        const writeBack = {
          type: "Write",
          key,
          value: latest.value,
          ts: latest.ts,
          req: 0,
        } as const;
        return this.startRound(ctx, "repair", writeBack, this.config.w, holders);
      }
      default: {
        const never: never = this.readRepair;
        throw new Error(`unknown read repair ${never}`);
      }
    }
  }

  /** Sends the newest version to stale replicas, not waiting for their acknowledgements. */
  #repair(ctx: Context<QuorumMsg>, stale: readonly NodeId[], last: LastRead): void {
    const ts = last.latest.ts;
    if (ts === null || stale.length === 0) return;
    const req = this.newReq(ctx);
    for (const replica of stale) {
      ctx.send(replica, { type: "Write", key: last.key, value: last.latest.value, ts, req });
    }
  }
}

function sameTs(a: Versioned, b: Versioned): boolean {
  return compareTimestamps(a.ts, b.ts) === 0;
}

function writtenValue(round: Round<QuorumStep>): Versioned["value"] | undefined {
  return round.request.type === "Write" ? round.request.value : undefined;
}
