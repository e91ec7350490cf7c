/**
 * Clock synchronisation between actors (lecture 3.2): a node polls a time
 * server, estimates the server's clock from each exchange (NTP's four
 * timestamps, or Cristian's one), and disciplines a {@linkcode SlewingClock}
 * towards the best recent estimate. A node with no server to poll is a
 * reference (NTP's stratum 1): it only answers.
 *
 * ```text
 * every pollMs:            send request(id, t1 = hardware clock) to the server
 * server, on request:      t2 := clock; hold for up to holdMs; t3 := clock; reply(id, t1, t2, t3)
 * on reply(id, t1, t2, t3): t4 := hardware clock; (θ, δ) := ntpEstimate(t1, t2, t3, t4)
 *                          discard if δ < 0 or id was answered already
 *                          keep the last `filter` samples; adjust towards the least uncertain
 *                          (δ/2, plus agePerMs for every ms since it was taken)
 * ```
 *
 * Choosing the least uncertain sample is NTP's clock filter: its error
 * bound, δ/2, is the tightest, and an old sample counts for less (its
 * clocks may have drifted, or been set, since). Offsets are measured against the hardware clock, not the
 * disciplined one, so a correction made while a request is in flight does
 * not spoil its sample.
 *
 * Mount it as a layer (`mount("clocksync", new ClockSync(config))`), or use
 * {@linkcode SyncedActor}, which also runs an actor of yours on the
 * synchronised clock. Its storage keys hold the clock's correction and last
 * reading, so the clock stays monotonic across a crash.
 *
 * @module
 */

import type { Actor, Context, NodeId } from "../../actors/mod.ts";
import { cristianEstimate, ntpEstimate, type OffsetEstimate } from "./estimates.ts";
import { SlewingClock, type SlewingClockConfig, type SlewingClockState } from "./slewing_clock.ts";

/**
 * Which algorithm a client uses.
 *
 * @example
 * ```ts
 * import type { SyncMethod } from "./clock_sync.ts";
 * import assert from "node:assert/strict";
 * const m: SyncMethod = "cristian";
 * assert.equal(m, "cristian");
 * ```
 */
export type SyncMethod = "ntp" | "cristian";

/**
 * The messages of clock synchronisation.
 *
 * @example
 * ```ts
 * import type { SyncMsg } from "./clock_sync.ts";
 * import assert from "node:assert/strict";
 * const m: SyncMsg = { type: "ntp-reply", id: 3, t1: 100, t2: 250, t3: 252 };
 * assert.equal(m.type, "ntp-reply");
 * ```
 */
export type SyncMsg =
  /** NTP: what time is it? `t1` is the client's clock as it asked, echoed back. */
  | { type: "ntp-request"; id: number; t1: number }
  /** NTP: the server's clock as the request came (`t2`) and as the reply left (`t3`). */
  | { type: "ntp-reply"; id: number; t1: number; t2: number; t3: number }
  /** Cristian: what time is it? */
  | { type: "cristian-request"; id: number }
  /** Cristian: the server's clock as it replied. */
  | { type: "cristian-reply"; id: number; time: number };

/**
 * The timers: the next poll, and a held request's reply.
 *
 * @example
 * ```ts
 * import type { SyncTimer } from "./clock_sync.ts";
 * import assert from "node:assert/strict";
 * const t: SyncTimer = { type: "answer", to: "n2", id: 4, t1: 10, t2: 40 };
 * assert.equal(t.type, "answer");
 * ```
 */
export type SyncTimer =
  | { type: "poll" }
  /** Reply to request `id` of `to` (`t1`, `t2` for NTP; `null` for Cristian's). */
  | { type: "answer"; to: NodeId; id: number; t1: number | null; t2: number | null };

/**
 * One exchange, as the client saw it: its estimate and when it was made.
 *
 * @example
 * ```ts
 * import type { SyncSample } from "./clock_sync.ts";
 * import assert from "node:assert/strict";
 * const s: SyncSample = { id: 1, offset: 146, delay: 8, t1: 100, t4: 110 };
 * assert.equal(s.t4 - s.t1, 10);
 * ```
 */
export interface SyncSample extends OffsetEstimate {
  /** The request's number. */
  id: number;
  /** Hardware clock when the request left. */
  t1: number;
  /** Hardware clock when the reply arrived. */
  t4: number;
}

/**
 * Settings of a {@linkcode ClockSync}.
 *
 * @example
 * ```ts
 * import type { ClockSyncConfig } from "./clock_sync.ts";
 * import assert from "node:assert/strict";
 * const c: ClockSyncConfig = { server: "n1", method: "ntp", pollMs: 200 };
 * assert.equal(c.server, "n1");
 * ```
 */
export interface ClockSyncConfig {
  /** The time server to poll; none: this node is a reference and only answers. */
  server?: NodeId;
  /** `ntp` (default) or `cristian`. */
  method?: SyncMethod;
  /** Time between polls, ms of local time (default 200). */
  pollMs?: number;
  /** As a server, hold each request for a random time up to this many ms before replying (default 0). */
  holdMs?: number;
  /** How many recent samples the clock filter chooses from (default 4). */
  filter?: number;
  /**
   * How fast a sample's uncertainty grows with its age, ms per ms (default
   * 0.05). NTP ages samples by its frequency tolerance, 15 ppm; a simulated
   * clock may also be set back or on, which makes an old sample worthless.
   */
  agePerMs?: number;
  /** How the clock is disciplined. */
  clock?: SlewingClockConfig;
}

/** Requests in flight a client remembers; older ones' replies are ignored. */
const MAX_OUTSTANDING = 16;
const CLOCK_KEY = "clock";
const SEQ_KEY = "seq";

/**
 * The clock synchronisation layer (see the module documentation).
 *
 * @example
 * ```ts
 * import { ClockSync } from "./clock_sync.ts";
 * import { TestContext } from "../../actors/test_context.ts";
 * import assert from "node:assert/strict";
 * const client = new ClockSync({ server: "ts", pollMs: 100 });
 * const ctx = new TestContext<any, any>("n2", { now: 1000 });
 * client.onStart(ctx);
 * ctx.fire(client, { type: "poll" });
 * assert.deepEqual(ctx.takeSent(), [{ to: "ts", msg: { type: "ntp-request", id: 1, t1: 1000 } }]);
 * ctx.advance(10);
 * // The server's clock read 1200 on arrival and 1202 on departure.
 * client.onMessage(ctx, { type: "ntp-reply", id: 1, t1: 1000, t2: 1200, t3: 1202 }, "ts");
 * assert.deepEqual(client.samples.at(-1), { id: 1, offset: 196, delay: 8, t1: 1000, t4: 1010 });
 * // Stepped forwards at once, as far as the truth is certain to be (θ - δ/2).
 * assert.equal(client.time(ctx), 1010 + 196 - 4);
 * ```
 */
export class ClockSync implements Actor<SyncMsg, SyncTimer> {
  /** The settings it was built with. */
  readonly config: ClockSyncConfig;
  /** `ntp` or `cristian`. */
  readonly method: SyncMethod;
  /** Time between polls, ms. */
  readonly pollMs: number;
  /** Most a request is held before the reply, ms. */
  readonly holdMs: number;
  /** Samples the clock filter chooses from. */
  readonly filterSize: number;
  /** How fast a sample's uncertainty grows with its age. */
  readonly agePerMs: number;
  /** The disciplined clock. */
  clock: SlewingClock;
  /** The last samples, oldest first (at most `filter`). */
  samples: SyncSample[] = [];
  /** Samples taken since this instance started. */
  taken = 0;
  /** Replies ignored: duplicates, answers to forgotten requests, negative delays. */
  ignored = 0;
  #seq = 0;
  /** Requests in flight: id → hardware clock when sent. */
  readonly #outstanding = new Map<number, number>();

  /** A client of `config.server`, or a reference when there is none. */
  constructor(config: ClockSyncConfig = {}) {
    this.config = config;
    this.method = config.method ?? "ntp";
    this.pollMs = config.pollMs ?? 200;
    this.holdMs = config.holdMs ?? 0;
    this.filterSize = config.filter ?? 4;
    this.agePerMs = config.agePerMs ?? 0.05;
    this.clock = new SlewingClock(config.clock);
    if (this.method !== "ntp" && this.method !== "cristian") {
      throw new RangeError(`ClockSync method must be "ntp" or "cristian", got ${config.method}`);
    }
    if (!(this.pollMs > 0)) {
      throw new RangeError(`ClockSync pollMs must be > 0, got ${config.pollMs}`);
    }
    if (!(this.holdMs >= 0)) {
      throw new RangeError(`ClockSync holdMs must be >= 0, got ${config.holdMs}`);
    }
    if (!(this.agePerMs >= 0)) {
      throw new RangeError(`ClockSync agePerMs must be >= 0, got ${config.agePerMs}`);
    }
    if (!(Number.isInteger(this.filterSize) && this.filterSize >= 1)) {
      throw new RangeError(`ClockSync filter must be a whole number >= 1, got ${config.filter}`);
    }
  }

  /** Restores the clock from storage and, as a client, starts polling. */
  onStart(ctx: Context<SyncMsg, SyncTimer>): void {
    this.clock = new SlewingClock(this.config.clock);
    const saved = ctx.storage.get<SlewingClockState>(CLOCK_KEY);
    if (saved !== undefined) this.clock.restore(saved);
    ctx.sometimes("clock restored after a restart", saved !== undefined);
    // Request ids keep growing across restarts, so an old reply is never taken for a new one.
    this.#seq = ctx.storage.get<number>(SEQ_KEY) ?? 0;
    if (this.config.server !== undefined) {
      ctx.setTimer({ type: "poll" }, this.pollMs * ctx.random());
    }
  }

  /** The synchronised clock's reading now: never less than an earlier one. */
  time(ctx: Context<unknown, unknown>): number {
    const r = this.clock.read(ctx.now());
    ctx.storage.set(CLOCK_KEY, this.clock.toJSON());
    return r;
  }

  /** Answers requests (as a server) and takes samples from replies (as a client). */
  onMessage(ctx: Context<SyncMsg, SyncTimer>, msg: SyncMsg, from: NodeId): void {
    switch (msg.type) {
      case "ntp-request":
        // t2: the request has arrived. The reply leaves after the hold, with t3.
        return this.#hold(ctx, {
          type: "answer",
          to: from,
          id: msg.id,
          t1: msg.t1,
          t2: this.time(ctx),
        });
      case "cristian-request":
        return this.#hold(ctx, { type: "answer", to: from, id: msg.id, t1: null, t2: null });
      case "ntp-reply":
        return this.#sample(
          ctx,
          msg.id,
          (t1, t4) => ntpEstimate({ t1, t2: msg.t2, t3: msg.t3, t4 }),
        );
      case "cristian-reply":
        return this.#sample(ctx, msg.id, (t1, t4) => cristianEstimate(t1, msg.time, t4));
      default: {
        const never: never = msg;
        throw new Error(`${ctx.self}: unexpected clock message ${JSON.stringify(never)}`);
      }
    }
  }

  /** Polls, or sends a held reply. */
  onTimer(ctx: Context<SyncMsg, SyncTimer>, timer: SyncTimer): void {
    switch (timer.type) {
      case "poll":
        return this.#poll(ctx);
      case "answer": {
        const t3 = this.time(ctx);
        if (timer.t1 !== null && timer.t2 !== null) {
          ctx.send(timer.to, { type: "ntp-reply", id: timer.id, t1: timer.t1, t2: timer.t2, t3 });
        } else {
          ctx.send(timer.to, { type: "cristian-reply", id: timer.id, time: t3 });
        }
        return;
      }
      default: {
        const never: never = timer;
        throw new Error(`${ctx.self}: unexpected clock timer ${JSON.stringify(never)}`);
      }
    }
  }

  /**
   * How uncertain `sample` is at hardware time `now`: half its delay, plus
   * how far the clocks may have wandered since it was taken.
   */
  uncertainty(sample: SyncSample, now: number): number {
    return sample.delay / 2 + Math.max(0, now - sample.t4) * this.agePerMs;
  }

  /**
   * The best recent sample at hardware time `now` (least uncertain), or
   * `undefined` before the first.
   */
  best(now: number): SyncSample | undefined {
    let best: SyncSample | undefined;
    for (const s of this.samples) {
      if (best === undefined || this.uncertainty(s, now) < this.uncertainty(best, now)) best = s;
    }
    return best;
  }

  /** A plain-data view: role, the clock's correction, the last sample. */
  inspect(): unknown {
    const last = this.samples.at(-1);
    return {
      role: this.config.server === undefined ? "reference" : `client of ${this.config.server}`,
      method: this.method,
      clock: this.clock.toJSON(),
      samples: this.taken,
      ignored: this.ignored,
      last: last === undefined ? null : { offset: last.offset, delay: last.delay },
    };
  }

  #poll(ctx: Context<SyncMsg, SyncTimer>): void {
    const id = ++this.#seq;
    ctx.storage.set(SEQ_KEY, this.#seq);
    const t1 = ctx.now();
    this.#outstanding.set(id, t1);
    // Forget the oldest request when too many are in flight (a partition, a dead server).
    if (this.#outstanding.size > MAX_OUTSTANDING) {
      this.#outstanding.delete(this.#outstanding.keys().next().value!);
    }
    const server = this.config.server!;
    ctx.send(
      server,
      this.method === "ntp" ? { type: "ntp-request", id, t1 } : { type: "cristian-request", id },
    );
    ctx.setTimer({ type: "poll" }, this.pollMs);
  }

  #hold(ctx: Context<SyncMsg, SyncTimer>, answer: SyncTimer & { type: "answer" }): void {
    if (this.holdMs === 0) return this.onTimer(ctx, answer);
    ctx.setTimer(answer, this.holdMs * ctx.random());
  }

  #sample(
    ctx: Context<SyncMsg, SyncTimer>,
    id: number,
    estimate: (t1: number, t4: number) => OffsetEstimate,
  ): void {
    const t1 = this.#outstanding.get(id);
    // A duplicate, or the reply to a request this instance forgot (or never sent).
    if (t1 === undefined) {
      this.ignored++;
      return;
    }
    this.#outstanding.delete(id);
    const t4 = ctx.now();
    const e = estimate(t1, t4);
    // A negative round trip: the hardware clock was set back during the exchange.
    ctx.sometimes("negative round trip ignored", e.delay < 0);
    if (e.delay < 0) {
      this.ignored++;
      return;
    }
    const sample: SyncSample = { id, offset: e.offset, delay: e.delay, t1, t4 };
    this.samples.push(sample);
    if (this.samples.length > this.filterSize) this.samples.shift();
    this.taken++;
    const best = this.best(t4)!;
    ctx.sometimes(
      "clock ahead of the estimate: slewing back",
      best.offset < this.clock.correction(t4),
    );
    this.clock.adjust(t4, best.offset, this.uncertainty(best, t4));
    ctx.storage.set(CLOCK_KEY, this.clock.toJSON());
    ctx.log("clock sample", { id, offset: round(e.offset), delay: round(e.delay) });
  }
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
