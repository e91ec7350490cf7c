/**
 * The checker's choices, one 32-bit number each: what happens next at a
 * state. A run the checker took is the list of its choices, in order: the
 * choice stream `order` of a saved counterexample (see `trace_file.ts`),
 * which `sim replay` feeds back step by step.
 *
 * A number is `argument * 8 + kind`:
 *
 * | kind | what happens | argument |
 * | --- | --- | --- |
 * | 0 `run` | a pending event happens next (a message arrives, a timer fires, ...) | its place in `Simulation.pending()` |
 * | 1 `drop` | a message in flight is lost | its place |
 * | 2 `duplicate` | a message arrives and a copy stays in flight | its place |
 * | 3 `crash` | a node crashes | its place in `sim.nodes` |
 * | 4 `restart` | a node the checker crashed restarts | its place in `sim.nodes` |
 * | 5 `partition` | the network splits in two | the split's place in {@linkcode partitionOptions} |
 * | 6 `heal` | the split heals | 0 |
 *
 * @module
 */

import type { NodeId } from "../../actors/mod.ts";
import { ConfigError } from "../errors.ts";
import type { FaultAction } from "../faults.ts";
import type { Simulation, StepChoice } from "../simulation.ts";

/**
 * What a choice does (see the module's table).
 *
 * @example
 * ```ts
 * import type { ChoiceKind } from "./choice.ts";
 * import assert from "node:assert/strict";
 * const k: ChoiceKind = "heal";
 * assert.equal(k, "heal");
 * ```
 */
export type ChoiceKind =
  | "run"
  | "drop"
  | "duplicate"
  | "crash"
  | "restart"
  | "partition"
  | "heal";

/** The kinds of choice, by their number. */
const KINDS: readonly ChoiceKind[] = [
  "run",
  "drop",
  "duplicate",
  "crash",
  "restart",
  "partition",
  "heal",
];

/**
 * One choice, decoded.
 *
 * @example
 * ```ts
 * import { type Choice, decodeChoice, encodeChoice } from "./choice.ts";
 * import assert from "node:assert/strict";
 * const c: Choice = { kind: "crash", arg: 2 };
 * assert.deepEqual(decodeChoice(encodeChoice(c)), c);
 * ```
 */
export interface Choice {
  /** What it does. */
  kind: ChoiceKind;
  /** The event's, node's or split's place (0 for `heal`). */
  arg: number;
}

/**
 * A choice as its number.
 *
 * @example
 * ```ts
 * import { encodeChoice } from "./choice.ts";
 * import assert from "node:assert/strict";
 * assert.equal(encodeChoice({ kind: "run", arg: 3 }), 24);
 * assert.equal(encodeChoice({ kind: "drop", arg: 3 }), 25);
 * ```
 */
export function encodeChoice(choice: Choice): number {
  const kind = KINDS.indexOf(choice.kind);
  if (kind < 0 || !(Number.isInteger(choice.arg) && choice.arg >= 0 && choice.arg < 2 ** 29)) {
    throw new ConfigError("choice", `cannot encode ${JSON.stringify(choice)}`);
  }
  return choice.arg * 8 + kind;
}

/**
 * A choice's number, decoded. Throws a {@linkcode ConfigError} for a number
 * that is no choice (a damaged `order` stream).
 *
 * @example
 * ```ts
 * import { decodeChoice } from "./choice.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(decodeChoice(24), { kind: "run", arg: 3 });
 * assert.throws(() => decodeChoice(7), /order/);
 * ```
 */
export function decodeChoice(code: number): Choice {
  const kind = KINDS[code & 7];
  if (!(Number.isInteger(code) && code >= 0 && code < 2 ** 32) || kind === undefined) {
    throw new ConfigError("order", `${code} is not a checker's choice (kinds 0 to 6)`);
  }
  return { kind, arg: Math.floor(code / 8) };
}

/**
 * The ways the checker may split `targets` in two, the first target always
 * in the first group (a split and its mirror image are the same cut): for
 * three nodes, each node alone against the other two.
 *
 * @example
 * ```ts
 * import { partitionOptions } from "./choice.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(partitionOptions(["n1", "n2", "n3"]), [
 *   [["n1"], ["n2", "n3"]],
 *   [["n1", "n2"], ["n3"]],
 *   [["n1", "n3"], ["n2"]],
 * ]);
 * ```
 */
export function partitionOptions(targets: readonly NodeId[]): NodeId[][][] {
  const n = targets.length;
  if (n > 16) {
    throw new ConfigError(
      "--partitions",
      `splits of ${n} nodes are too many to try all; at most 16`,
    );
  }
  const out: NodeId[][][] = [];
  for (let mask = 0; mask < 2 ** (n - 1) - 1; mask++) {
    const a = [targets[0]], b: NodeId[] = [];
    for (let i = 1; i < n; i++) ((mask >> (i - 1)) & 1 ? a : b).push(targets[i]);
    if (b.length > 0) out.push([a, b]);
  }
  return out;
}

/**
 * What a choice asks the simulation to do, as a {@linkcode StepChoice}.
 * `targets` are the nodes faults may hit (for the splits).
 *
 * @example
 * ```ts
 * import { stepOf } from "./choice.ts";
 * import { Simulation } from "../simulation.ts";
 * import assert from "node:assert/strict";
 * const sim = new Simulation({ seed: 1 });
 * sim.spawn("n1", () => ({ onMessage() {} }));
 * assert.deepEqual(stepOf(8 * 0 + 3, sim, ["n1"]), { fault: { type: "crash", node: "n1" } });
 * assert.deepEqual(stepOf(8 * 4 + 1, sim, ["n1"]), { event: 4, as: "drop" });
 * ```
 */
export function stepOf(code: number, sim: Simulation, targets: readonly NodeId[]): StepChoice {
  const { kind, arg } = decodeChoice(code);
  const node = (): NodeId => {
    const id = sim.nodes[arg];
    if (id === undefined) throw new ConfigError("order", `no node number ${arg}`);
    return id;
  };
  let fault: FaultAction;
  switch (kind) {
    case "run":
      return { event: arg };
    case "drop":
    case "duplicate":
      return { event: arg, as: kind };
    case "crash":
      fault = { type: "crash", node: node() };
      break;
    case "restart":
      fault = { type: "restart", node: node() };
      break;
    case "partition": {
      const split = partitionOptions(targets)[arg];
      if (split === undefined) throw new ConfigError("order", `no split number ${arg}`);
      fault = { type: "partition", groups: split };
      break;
    }
    case "heal":
      fault = { type: "heal" };
      break;
    default: {
      const never: never = kind;
      throw new Error(`internal: unknown choice ${never}`);
    }
  }
  return { fault };
}
