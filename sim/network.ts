/**
 * The network model: how long a message takes on a link, whether it is lost
 * or duplicated, whether the link keeps order, and which links a partition
 * has cut. Every random choice is drawn from the run's `network` stream.
 *
 * Reordering is on by default: each message draws its own latency, so a later
 * message can overtake an earlier one. A FIFO link never delivers a message
 * before one sent earlier on the same link (as TCP would).
 *
 * @module
 */

import type { NodeId } from "../actors/mod.ts";
import { checkNonNegative, checkProbability, ConfigError } from "./errors.ts";

/**
 * How long a message spends on the wire, in virtual milliseconds.
 *
 * @example
 * ```ts
 * import { type Latency, latencyBounds } from "./network.ts";
 * import assert from "node:assert/strict";
 * const lan: Latency = { kind: "uniform", min: 1, max: 5 };
 * const wan: Latency = { kind: "exponential", mean: 40, min: 10 };
 * const custom: Latency = { kind: "custom", sample: (r, from, to) => (from < to ? 2 : 8) * r() };
 * assert.deepEqual(latencyBounds(lan), [1, 5]);
 * assert.deepEqual(latencyBounds(wan), [10, Infinity]);
 * assert.deepEqual(latencyBounds(custom), [0, Infinity]);
 * ```
 */
export type Latency =
  | { kind: "fixed"; ms: number }
  | { kind: "uniform"; min: number; max: number }
  | { kind: "exponential"; mean: number; min?: number }
  | {
    kind: "custom";
    /** Draws a latency in ms; `random` is the link's seeded stream (never Math.random); `msg` is what is sent. */
    sample: (random: () => number, from: NodeId, to: NodeId, msg?: unknown) => number;
  };

/**
 * Behaviour of one directed link.
 *
 * @example
 * ```ts
 * import { type LinkConfig, resolveLink } from "./network.ts";
 * import assert from "node:assert/strict";
 * const flaky: LinkConfig = {
 *   latency: { kind: "uniform", min: 1, max: 10 }, loss: 0.1, duplicate: 0.05, fifo: false,
 * };
 * assert.deepEqual(resolveLink({ loss: 0.1, duplicate: 0.05 }), flaky);
 * ```
 */
export interface LinkConfig {
  /** How long a message takes on the link. */
  latency: Latency;
  /** Probability that a message is lost. */
  loss: number;
  /** Probability that a message is delivered twice (each copy with its own latency). */
  duplicate: number;
  /** Keep send order on this link. */
  fifo: boolean;
}

/**
 * Network options for a simulation: defaults for every link, plus overrides
 * for particular directed links.
 *
 * @example
 * ```ts
 * import type { NetworkOptions } from "./network.ts";
 * import { Simulation } from "./simulation.ts";
 * import assert from "node:assert/strict";
 * const net: NetworkOptions = {
 *   latency: { kind: "uniform", min: 1, max: 10 },
 *   loss: 0.01,
 *   links: [{ from: "n1", to: "n2", loss: 0.5 }],
 * };
 * const sim = new Simulation({ seed: 1, network: net });
 * for (const id of ["n1", "n2"]) sim.spawn(id, () => ({ onMessage() {} }));
 * assert.equal(sim.link("n1", "n2").loss, 0.5);
 * assert.equal(sim.link("n2", "n1").loss, 0.01);
 * ```
 */
export interface NetworkOptions extends Partial<LinkConfig> {
  /** Links that differ from the default, each one way (`from` to `to`). */
  links?: Array<{ from: NodeId; to: NodeId } & Partial<LinkConfig>>;
}

/** The default link: 1-10 ms uniform latency, no loss, no duplication, reordering allowed. */
export const DEFAULT_LINK: Readonly<LinkConfig> = Object.freeze({
  latency: Object.freeze({ kind: "uniform", min: 1, max: 10 }) as Latency,
  loss: 0,
  duplicate: 0,
  fifo: false,
});

/**
 * Throws a {@linkcode ConfigError} naming the bad field unless `latency` is valid.
 *
 * @example
 * ```ts
 * import { checkLatency } from "./network.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(checkLatency({ kind: "fixed", ms: 3 }), { kind: "fixed", ms: 3 });
 * assert.throws(() => checkLatency({ kind: "uniform", min: 5, max: 1 }), /max \(1\) must be >= min \(5\)/);
 * ```
 */
export function checkLatency(latency: Latency, input = "latency"): Latency {
  switch (latency?.kind) {
    case "fixed":
      checkNonNegative(input, latency.ms);
      break;
    case "uniform":
      checkNonNegative(`${input} min`, latency.min);
      checkNonNegative(`${input} max`, latency.max);
      if (latency.max < latency.min) {
        throw new ConfigError(input, `max (${latency.max}) must be >= min (${latency.min})`);
      }
      break;
    case "exponential":
      checkNonNegative(`${input} mean`, latency.mean);
      if (latency.min !== undefined) checkNonNegative(`${input} min`, latency.min);
      break;
    case "custom":
      if (typeof latency.sample !== "function") {
        throw new ConfigError(input, "custom latency needs a sample(random, from, to) function");
      }
      break;
    default:
      throw new ConfigError(
        input,
        `unknown kind ${
          JSON.stringify((latency as { kind?: unknown })?.kind)
        }; allowed: fixed, uniform, exponential, custom`,
      );
  }
  return latency;
}

/**
 * Fills in defaults and validates a partial link configuration.
 *
 * @example
 * ```ts
 * import { resolveLink } from "./network.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(resolveLink({ loss: 0.1 }).fifo, false);
 * ```
 */
export function resolveLink(
  partial: Partial<LinkConfig>,
  base: LinkConfig = DEFAULT_LINK,
  where = "",
): LinkConfig {
  const link: LinkConfig = {
    latency: partial.latency ?? base.latency,
    loss: partial.loss ?? base.loss,
    duplicate: partial.duplicate ?? base.duplicate,
    fifo: partial.fifo ?? base.fifo,
  };
  checkLatency(link.latency, `${where}latency`);
  checkProbability(`${where}loss`, link.loss);
  checkProbability(`${where}duplicate`, link.duplicate);
  if (typeof link.fifo !== "boolean") {
    throw new ConfigError(`${where}fifo`, `must be true or false, got ${link.fifo}`);
  }
  return link;
}

/** 2^32: a 32-bit draw divided by this is a fraction in [0, 1). */
const TWO_32 = 4294967296;

/**
 * A link's configuration compiled for the simulator's hot path: its loss
 * and duplication as thresholds on a message's 32-bit draws, and its
 * latency as whole microseconds. This is the one latency sampler: the
 * simulator and everything else that asks what latency a draw gives use
 * {@linkcode Link.latencyUs}.
 *
 * Every draw reads "small is simple": draw 0 never loses a message, never
 * duplicates it, and gives the smallest latency, so a shrinker that lowers
 * draws toward 0 makes a run's messages fast and reliable.
 *
 * @example
 * ```ts
 * import { Link } from "./network.ts";
 * import assert from "node:assert/strict";
 * const link = new Link({ latency: { kind: "uniform", min: 1, max: 11 }, loss: 0.25, duplicate: 0, fifo: false });
 * assert.equal(link.latencyUs(0, "a", "b"), 1000);
 * assert.equal(link.latencyUs(2 ** 31, "a", "b"), 6000);
 * assert.equal(link.lost(0), false);
 * assert.equal(link.lost(2 ** 32 - 1), true);
 * const slowReplies = new Link({
 *   latency: {
 *     kind: "custom",
 *     sample: (_r, _from, _to, msg) => (msg as { type?: string })?.type === "reply" ? 50 : 1,
 *   },
 *   loss: 0, duplicate: 0, fifo: false,
 * });
 * assert.equal(slowReplies.latencyUs(0, "a", "b", { type: "reply" }), 50_000);
 * ```
 */
export class Link {
  /** The configuration it was compiled from. */
  readonly config: LinkConfig;
  /** A loss draw at or above this loses the message (2^32: never). */
  readonly lossAt: number;
  /** A duplicate draw at or above this sends a second copy (2^32: never). */
  readonly dupAt: number;
  /** Whether messages on this link never overtake each other. */
  readonly fifo: boolean;
  /** Whether the latency is a custom function (which gets draws of its own and the message). */
  readonly custom: boolean;
  /** 0 fixed, 1 uniform, 2 any other distribution. */
  readonly #kind: number;
  readonly #minUs: number;
  readonly #usPerDraw: number;

  /** Compiles `config` (already checked: see `resolveLink`). */
  constructor(config: LinkConfig) {
    this.config = config;
    this.lossAt = config.loss > 0 ? Math.ceil((1 - config.loss) * TWO_32) : TWO_32;
    this.dupAt = config.duplicate > 0 ? Math.ceil((1 - config.duplicate) * TWO_32) : TWO_32;
    const latency = config.latency;
    this.fifo = config.fifo;
    this.custom = latency.kind === "custom";
    this.#kind = latency.kind === "fixed" ? 0 : latency.kind === "uniform" ? 1 : 2;
    this.#minUs = latency.kind === "fixed"
      ? Math.round(latency.ms * 1000)
      : latency.kind === "uniform"
      ? Math.round(latency.min * 1000)
      : 0;
    this.#usPerDraw = latency.kind === "uniform"
      ? (Math.round(latency.max * 1000) - this.#minUs) / TWO_32
      : 0;
  }

  /** Whether a message whose loss draw is `draw` is lost. */
  lost(draw: number): boolean {
    return draw >>> 0 >= this.lossAt;
  }

  /** Whether a message whose duplicate draw is `draw` gets a second copy. */
  duplicated(draw: number): boolean {
    return draw >>> 0 >= this.dupAt;
  }

  /** Whether this link's latency is the same whatever the draw. */
  get fixed(): boolean {
    return this.#kind === 0;
  }

  /**
   * The latency in whole microseconds of a message whose latency draw is
   * `draw` (32 bits, read as unsigned: -1 and 2^32 - 1 are the same draw).
   * A custom distribution gets `random` for draws
   * of its own, and the message, so latency may depend on what is sent.
   */
  latencyUs(
    draw: number,
    from: NodeId,
    to: NodeId,
    msg?: unknown,
    random?: () => number,
  ): number {
    if (this.#kind === 1) return this.#minUs + Math.floor((draw >>> 0) * this.#usPerDraw);
    if (this.#kind === 0) return this.#minUs;
    return this.#otherUs(draw, from, to, msg, random);
  }

  /** The latencies that are rare on the hot path, apart so that `latencyUs` stays small enough to inline. */
  #otherUs(
    draw: number,
    from: NodeId,
    to: NodeId,
    msg: unknown,
    random: (() => number) | undefined,
  ): number {
    const latency = this.config.latency;
    let ms: number;
    if (latency.kind === "exponential") {
      ms = (latency.min ?? 0) - latency.mean * Math.log(1 - (draw >>> 0) / TWO_32);
    } else if (latency.kind === "custom") {
      // The default made here, not as a parameter default: that would be a closure per call.
      ms = latency.sample(random ?? (() => (draw >>> 0) / TWO_32), from, to, msg);
      if (!(typeof ms === "number" && Number.isFinite(ms) && ms >= 0)) {
        throw new ConfigError(
          "latency",
          `custom sample returned ${ms} for ${from}->${to}; must be a finite number >= 0`,
        );
      }
    } else {
      throw new ConfigError("latency", `unknown kind ${JSON.stringify(latency)}`);
    }
    return Math.round(ms * 1000);
  }
}

/**
 * The smallest and largest latency a link can give, ms (Infinity for an
 * unbounded distribution): the bounds exhaustive checking keeps timings in.
 *
 * @example
 * ```ts
 * import { latencyBounds } from "./network.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(latencyBounds({ kind: "uniform", min: 1, max: 10 }), [1, 10]);
 * assert.deepEqual(latencyBounds({ kind: "exponential", mean: 5 }), [0, Infinity]);
 * ```
 */
export function latencyBounds(latency: Latency): [number, number] {
  switch (latency.kind) {
    case "uniform":
      return [latency.min, latency.max];
    case "fixed":
      return [latency.ms, latency.ms];
    case "exponential":
      return [latency.min ?? 0, Infinity];
    case "custom":
      return [0, Infinity];
  }
}

/**
 * Describes a latency in the command line's form (`5`, `1..10`, `exp:40`).
 *
 * @example
 * ```ts
 * import { formatLatency } from "./network.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(formatLatency({ kind: "uniform", min: 1, max: 10 }), "1..10");
 * ```
 */
export function formatLatency(latency: Latency): string {
  switch (latency.kind) {
    case "fixed":
      return `${latency.ms}`;
    case "uniform":
      return `${latency.min}..${latency.max}`;
    case "exponential":
      return latency.min ? `exp:${latency.mean}+${latency.min}` : `exp:${latency.mean}`;
    case "custom":
      return "custom";
  }
}

/**
 * Parses the command line's latency form: `5` (fixed), `1..10` (uniform),
 * `exp:40` or `exp:40+10` (exponential with mean 40, plus a floor of 10).
 *
 * @example
 * ```ts
 * import { parseLatency } from "./network.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(parseLatency("1..10"), { kind: "uniform", min: 1, max: 10 });
 * ```
 */
export function parseLatency(text: string, input = "latency"): Latency {
  const num = String.raw`(\d+(?:\.\d+)?)`;
  let m: RegExpMatchArray | null;
  const allowed = "allowed: MS, MIN..MAX or exp:MEAN[+MIN], e.g. 5, 1..10, exp:40";
  if ((m = text.match(new RegExp(`^${num}$`)))) {
    return checkLatency({ kind: "fixed", ms: Number(m[1]) }, input);
  }
  if ((m = text.match(new RegExp(`^${num}\\.\\.${num}$`)))) {
    return checkLatency({ kind: "uniform", min: Number(m[1]), max: Number(m[2]) }, input);
  }
  if ((m = text.match(new RegExp(`^exp:${num}(?:\\+${num})?$`)))) {
    const latency: Latency = { kind: "exponential", mean: Number(m[1]) };
    if (m[2] !== undefined) latency.min = Number(m[2]);
    return checkLatency(latency, input);
  }
  throw new ConfigError(input, `cannot read ${JSON.stringify(text)}; ${allowed}`);
}
