/**
 * The true happens-before relation of a run, computed from what the
 * simulator saw rather than from any clock a protocol keeps.
 *
 * Lamport's definition: event a happens before event b (a → b) when a comes
 * before b on the same node (program order), or a is the send of a message
 * and b its delivery, or there is an event c with a → c and c → b. Two
 * distinct events where neither happens before the other are concurrent
 * (a ∥ b). The simulator knows every send and every delivery, so this is
 * the ground truth that logical clocks are checked against.
 *
 * Each node's events form a chain, so the transitive closure is kept
 * compactly: for every event, and for every node, the last step of that node
 * in the event's causal past (its "frontier"). Then a → b exactly when a's
 * step is within b's frontier for a's node. Computing the frontier walks the
 * events once, in trace order, which is causal order because a delivery is
 * always recorded after its send.
 *
 * @module
 */

import type { NodeId } from "../actors/mod.ts";
import { ConfigError } from "./errors.ts";
import type { TraceEvent, TraceKind } from "./trace.ts";

/**
 * How two events are related: a → b (`before`), b → a (`after`), the same
 * event (`equal`), or neither (`concurrent`). Vector clocks answer with the
 * same words.
 *
 * @example
 * ```ts
 * import { type CausalOrder, Causality } from "./causality.ts";
 * import assert from "node:assert/strict";
 * const c = new Causality([{ node: "a" }, { node: "b" }, { node: "b", from: 0 }]);
 * const o: CausalOrder = c.compare(0, 1);
 * assert.equal(o, "concurrent");
 * assert.equal(c.compare(0, 2), "before");
 * ```
 */
export type CausalOrder = "before" | "after" | "equal" | "concurrent";

/**
 * The trace kinds that are steps of a node's own history. Network events
 * (`drop`, `duplicate`), environment events (`partition`, `block`, `heal`,
 * `clock`) and checker output (`violation`) are not: nothing a node does
 * depends on them except through a step that is in this set.
 *
 * @example
 * ```ts
 * import { PROCESS_KINDS } from "./causality.ts";
 * import assert from "node:assert/strict";
 * assert.ok(PROCESS_KINDS.has("deliver"));
 * assert.equal(PROCESS_KINDS.has("drop"), false);
 * ```
 */
export const PROCESS_KINDS: ReadonlySet<TraceKind> = new Set<TraceKind>([
  "start",
  "send",
  "deliver",
  "timer",
  "crash",
  "restart",
  "pause",
  "resume",
  "log",
  "invoke",
  "complete",
]);

/**
 * One event for {@linkcode Causality}'s general constructor: the node it
 * happens on and, for a receive, the index of the send it receives.
 *
 * @example
 * ```ts
 * import { Causality, type CausalStep } from "./causality.ts";
 * import assert from "node:assert/strict";
 * const send: CausalStep = { node: "a" };
 * const receive: CausalStep = { node: "b", from: 0 };
 * assert.ok(new Causality([send, receive]).happensBefore(0, 1));
 * ```
 */
export interface CausalStep {
  /** The node the event happens on. */
  node: NodeId;
  /** Index (in the same list) of the event this one receives from. */
  from?: number;
}

/**
 * The happens-before relation over a list of events.
 *
 * Indices are positions in the list given to the constructor (for
 * {@linkcode Causality.fromTrace}, positions in the trace), so results line
 * up with the events a caller already has. Entries that are `undefined` (or,
 * from a trace, events that are not steps of a node) are not events of the
 * relation; asking about them throws.
 *
 * @example
 * ```ts
 * import { Causality } from "./causality.ts";
 * import assert from "node:assert/strict";
 * // a0 sends to b; b0 is a local step of b; b1 receives a0's message.
 * const c = new Causality([{ node: "a" }, { node: "b" }, { node: "b", from: 0 }]);
 * assert.ok(c.happensBefore(0, 2)); // send -> delivery
 * assert.ok(c.happensBefore(1, 2)); // program order
 * assert.ok(c.concurrent(0, 1));
 * ```
 */
export class Causality {
  /** Nodes in order of first appearance. */
  readonly nodes: readonly NodeId[];
  /** Number of entries in the input (events or not). */
  readonly size: number;
  readonly #nodeIndex = new Map<NodeId, number>();
  /** Node index per entry, -1 when the entry is not an event. */
  readonly #node: Int32Array;
  /** Position of the entry on its node's chain, from 0. */
  readonly #step: Int32Array;
  /** Row i * k .. i * k + k - 1: for each node, its last step in i's causal past, or -1. */
  readonly #frontier: Int32Array;
  readonly #chains: number[][] = [];

  /**
   * Builds the relation; throws a {@linkcode ConfigError} when a step's
   * `from` is not the index of an earlier event.
   *
   * @param steps the events in order (`undefined` for an entry that is not one)
   */
  constructor(steps: readonly (CausalStep | undefined)[]) {
    this.size = steps.length;
    const nodes: NodeId[] = [];
    for (const s of steps) {
      if (s !== undefined && !this.#nodeIndex.has(s.node)) {
        this.#nodeIndex.set(s.node, nodes.length);
        nodes.push(s.node);
      }
    }
    this.nodes = nodes;
    const k = nodes.length;
    this.#node = new Int32Array(steps.length).fill(-1);
    this.#step = new Int32Array(steps.length).fill(-1);
    this.#frontier = new Int32Array(steps.length * k);
    for (let p = 0; p < k; p++) this.#chains.push([]);
    const last = new Int32Array(k).fill(-1);
    const frontier = this.#frontier;
    for (let i = 0; i < steps.length; i++) {
      const s = steps[i];
      if (s === undefined) continue;
      const p = this.#nodeIndex.get(s.node)!;
      const row = i * k;
      const prev = last[p];
      if (prev >= 0) frontier.copyWithin(row, prev * k, prev * k + k);
      else frontier.fill(-1, row, row + k);
      if (s.from !== undefined) {
        const f = s.from;
        if (!Number.isInteger(f) || f < 0 || f >= i || this.#node[f] < 0) {
          throw new ConfigError(
            `causality step ${i}`,
            `'from' must be the index of an earlier event, got ${f}`,
          );
        }
        const src = f * k;
        for (let q = 0; q < k; q++) {
          if (frontier[src + q] > frontier[row + q]) frontier[row + q] = frontier[src + q];
        }
      }
      const step = this.#chains[p].length;
      frontier[row + p] = step;
      this.#chains[p].push(i);
      this.#node[i] = p;
      this.#step[i] = step;
      last[p] = i;
    }
  }

  /**
   * The relation of a run from its trace: program order on each node over the
   * {@linkcode PROCESS_KINDS} events, plus send → delivery for every delivered
   * message (a duplicate copy's delivery receives from the original send).
   *
   * @example
   * ```ts
   * import { Causality } from "./causality.ts";
   * import assert from "node:assert/strict";
   * const c = Causality.fromTrace([
   *   { t: 0, kind: "send", node: "a", to: "b", id: 0, msg: "hi" },
   *   { t: 1, kind: "log", node: "b", note: "busy" },
   *   { t: 2, kind: "deliver", node: "b", from: "a", id: 0, msg: "hi" },
   * ]);
   * assert.ok(c.happensBefore(0, 2));
   * assert.ok(c.concurrent(0, 1));
   * ```
   */
  static fromTrace(events: readonly TraceEvent[]): Causality {
    const sendAt = new Map<number, number>();
    const copyOf = new Map<number, number>();
    const steps: (CausalStep | undefined)[] = new Array(events.length);
    for (let i = 0; i < events.length; i++) {
      const e = events[i];
      if (e.kind === "duplicate") copyOf.set(e.copy, e.id);
      if (!PROCESS_KINDS.has(e.kind)) continue;
      const node = (e as { node: NodeId }).node;
      if (e.kind === "send") {
        sendAt.set(e.id, i);
        steps[i] = { node };
      } else if (e.kind === "deliver") {
        const from = sendAt.get(e.id) ?? sendAt.get(copyOf.get(e.id) ?? -1);
        steps[i] = from === undefined ? { node } : { node, from };
      } else {
        steps[i] = { node };
      }
    }
    return new Causality(steps);
  }

  /** Whether entry `i` is an event of the relation. */
  isEvent(i: number): boolean {
    return Number.isInteger(i) && i >= 0 && i < this.size && this.#node[i] >= 0;
  }

  /** The node event `i` happens on. */
  nodeOf(i: number): NodeId {
    return this.nodes[this.#node[this.#check(i)]];
  }

  /** Event `i`'s position on its node's chain, from 0. */
  stepOf(i: number): number {
    return this.#step[this.#check(i)];
  }

  /** The indices of every event, in order. */
  events(): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.size; i++) if (this.#node[i] >= 0) out.push(i);
    return out;
  }

  /** The indices of `node`'s events, in program order (empty for an unknown node). */
  eventsOn(node: NodeId): readonly number[] {
    const p = this.#nodeIndex.get(node);
    return p === undefined ? [] : this.#chains[p];
  }

  /** a → b: `a` happens before `b` (false when a is b). */
  happensBefore(a: number, b: number): boolean {
    this.#check(a);
    this.#check(b);
    if (a === b) return false;
    const k = this.nodes.length;
    return this.#frontier[b * k + this.#node[a]] >= this.#step[a];
  }

  /** a ∥ b: distinct events, neither happening before the other. */
  concurrent(a: number, b: number): boolean {
    return a !== b && !this.happensBefore(a, b) && !this.happensBefore(b, a);
  }

  /** How `a` relates to `b`. */
  compare(a: number, b: number): CausalOrder {
    if (this.#check(a) === this.#check(b)) return "equal";
    if (this.happensBefore(a, b)) return "before";
    if (this.happensBefore(b, a)) return "after";
    return "concurrent";
  }

  /**
   * How many events of each node are in the causal past of `i`, `i`
   * included: exactly the vector clock a correct vector-clock protocol that
   * ticks on every event would give `i`.
   */
  pastCounts(i: number): Map<NodeId, number> {
    this.#check(i);
    const k = this.nodes.length;
    const out = new Map<NodeId, number>();
    for (let q = 0; q < k; q++) {
      const last = this.#frontier[i * k + q];
      if (last >= 0) out.set(this.nodes[q], last + 1);
    }
    return out;
  }

  #check(i: number): number {
    if (!this.isEvent(i)) {
      throw new ConfigError(
        "event index",
        `${i} is not an event of this relation (indices 0..${this.size - 1} that are node steps)`,
      );
    }
    return i;
  }
}
