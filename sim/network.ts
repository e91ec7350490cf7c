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
 * import type { Latency } from "./network.ts";
 * const lan: Latency = { kind: "uniform", min: 1, max: 5 };
 * const wan: Latency = { kind: "exponential", mean: 40, min: 10 };
 * const custom: Latency = { kind: "custom", sample: (r, from, to) => (from < to ? 2 : 8) * r() };
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
 * import type { LinkConfig } from "./network.ts";
 * const flaky: LinkConfig = {
 *   latency: { kind: "uniform", min: 1, max: 10 }, loss: 0.1, duplicate: 0.05, fifo: false,
 * };
 * ```
 */
export interface LinkConfig {
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
 * const net: NetworkOptions = {
 *   latency: { kind: "uniform", min: 1, max: 10 },
 *   loss: 0.01,
 *   links: [{ from: "n1", to: "n2", loss: 0.5 }],
 * };
 * ```
 */
export interface NetworkOptions extends Partial<LinkConfig> {
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
 * checkLatency({ kind: "fixed", ms: 3 });
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
 * resolveLink({ loss: 0.1 }).fifo; // false
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

/**
 * The one latency sampler: the latency in ms of a message, from the link's
 * latency distribution and the message's draw `u` in [0, 1) (the
 * simulator's choice for it, see `choices.ts`). The smallest `u` gives the
 * smallest latency, so a shrinker lowering draws toward 0 makes messages
 * fast. A custom distribution gets `random` for draws of its own, and the
 * message, so latency may depend on what is sent (replies slower than
 * requests, say). Not rounded: the simulator rounds arrival times to the
 * microsecond.
 *
 * @example
 * ```ts
 * import { latencyMs } from "./network.ts";
 * import assert from "node:assert/strict";
 * assert.equal(latencyMs({ kind: "fixed", ms: 4 }, 0.7, "a", "b"), 4);
 * assert.equal(latencyMs({ kind: "uniform", min: 1, max: 11 }, 0.5, "a", "b"), 6);
 * assert.equal(latencyMs({ kind: "exponential", mean: 5, min: 2 }, 0, "a", "b"), 2);
 * const slowReplies = {
 *   kind: "custom" as const,
 *   sample: (_r: () => number, _from: string, _to: string, msg?: unknown) =>
 *     (msg as { type?: string })?.type === "reply" ? 50 : 1,
 * };
 * assert.equal(latencyMs(slowReplies, 0, "a", "b", { type: "reply" }), 50);
 * ```
 */
export function latencyMs(
  latency: Latency,
  u: number,
  from: NodeId,
  to: NodeId,
  msg?: unknown,
  random: () => number = () => u,
): number {
  switch (latency.kind) {
    case "uniform":
      return latency.min + u * (latency.max - latency.min);
    case "fixed":
      return latency.ms;
    case "exponential":
      return (latency.min ?? 0) - latency.mean * Math.log(1 - u);
    case "custom": {
      const ms = latency.sample(random, from, to, msg);
      if (!(typeof ms === "number" && Number.isFinite(ms) && ms >= 0)) {
        throw new ConfigError(
          "latency",
          `custom sample returned ${ms} for ${from}->${to}; must be a finite number >= 0`,
        );
      }
      return ms;
    }
    default: {
      const never: never = latency;
      throw new ConfigError("latency", `unknown kind ${JSON.stringify(never)}`);
    }
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
 * formatLatency({ kind: "uniform", min: 1, max: 10 }); // "1..10"
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
 * parseLatency("1..10"); // { kind: "uniform", min: 1, max: 10 }
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
