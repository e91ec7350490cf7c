/**
 * Errors the simulator raises for bad configuration. Each names the input that
 * is wrong and what is allowed, so the command line can print it as one line.
 *
 * @module
 */

/**
 * A configuration value is impossible (a negative latency, a probability
 * outside [0, 1], an unknown node id, a malformed fault schedule, ...).
 *
 * @example
 * ```ts
 * import { ConfigError } from "./errors.ts";
 * import assert from "node:assert/strict";
 * const e = new ConfigError("loss", "must be a probability in [0, 1], got 1.5");
 * assert.equal(e.message, "loss: must be a probability in [0, 1], got 1.5");
 * ```
 */
export class ConfigError extends Error {
  /** The name of the bad input, e.g. `latency`, `loss`, `faults`, `node id`. */
  readonly input: string;

  /**
   * An error whose message is `input: problem`.
   *
   * @param input the name of the bad input
   * @param problem what is wrong with it and what is allowed
   */
  constructor(input: string, problem: string) {
    super(`${input}: ${problem}`);
    this.name = "ConfigError";
    this.input = input;
  }
}

/**
 * Throws a {@linkcode ConfigError} unless `p` is a probability.
 *
 * @example
 * ```ts
 * import { checkProbability } from "./errors.ts";
 * import assert from "node:assert/strict";
 * assert.equal(checkProbability("loss", 0.1), 0.1);
 * ```
 */
export function checkProbability(input: string, p: number): number {
  if (typeof p !== "number" || !(p >= 0 && p <= 1)) {
    throw new ConfigError(input, `must be a probability in [0, 1], got ${p}`);
  }
  return p;
}

/**
 * Throws a {@linkcode ConfigError} unless `x` is a finite number >= 0.
 *
 * @example
 * ```ts
 * import { checkNonNegative } from "./errors.ts";
 * import assert from "node:assert/strict";
 * assert.equal(checkNonNegative("latency", 5), 5);
 * ```
 */
export function checkNonNegative(input: string, x: number): number {
  if (typeof x !== "number" || !Number.isFinite(x) || x < 0) {
    throw new ConfigError(input, `must be a finite number >= 0, got ${x}`);
  }
  return x;
}

/** The framework's own code: a report points past it, at the line of the user's that threw. */
const FRAMEWORK_DIRS = [
  new URL("../sim/", import.meta.url).href,
  new URL("../actors/", import.meta.url).href,
];

/**
 * An error for a report: `Name: message (at file:line:column)`, the place
 * being the first stack frame outside the framework's own `sim/` and
 * `actors/`, so the report points at the line of the protocol, check or
 * scenario that threw. Anything thrown that is not an Error is shown as a
 * string.
 *
 * @example
 * ```ts
 * import { describeError } from "./errors.ts";
 * import assert from "node:assert/strict";
 * assert.equal(describeError("just text"), "just text");
 * const e = new TypeError("x is undefined");
 * e.stack = "TypeError: x is undefined\n    at check (file:///home/me/bank.ts:12:5)";
 * assert.equal(describeError(e), "TypeError: x is undefined (at file:///home/me/bank.ts:12:5)");
 * ```
 */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const frame = error.stack?.split("\n").slice(1).map((l) => l.trim()).find((l) =>
    l.includes("file://") && !FRAMEWORK_DIRS.some((dir) => l.includes(dir))
  );
  const at = frame?.match(/\((file:\/\/[^)]*)\)$/)?.[1] ?? frame?.match(/(file:\/\/\S*)$/)?.[1];
  return `${error.name}: ${error.message}${at === undefined ? "" : ` (at ${at})`}`;
}
