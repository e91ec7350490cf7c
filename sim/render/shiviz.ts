/**
 * A trace as a ShiViz log (https://bestchai.bitbucket.io/shiviz/), which
 * draws the happens-before graph of a run from each event's vector clock.
 *
 * The file is what ShiViz's "upload a log" expects: the first line is the
 * parsing regular expression, the second the (empty) delimiter between
 * executions, then two lines per event, the event's description and its
 * node with the vector clock as JSON:
 *
 * ```text
 * (?<event>.*)\n(?<host>\S*) (?<clock>{.*})
 *
 * 0.000 start
 * n1 {"n1":1}
 * 0.000 send #0 -> n2  {"type":"ping","n":1}
 * n1 {"n1":2}
 * 4.210 deliver #0 <- n1  {"type":"ping","n":1}
 * n2 {"n1":2,"n2":2}
 * ```
 *
 * The clocks are computed from what the simulator saw, not from any clock
 * a protocol keeps: each step of a node (the kinds in `PROCESS_KINDS`:
 * start, send, deliver, timer, crash, restart, pause, resume, log, invoke,
 * complete) ticks its own entry by one, as ShiViz requires, and a delivery
 * first takes the entry-wise maximum with the clock its send had (a
 * duplicate copy carries its original's). Network and environment events
 * (drops, partitions, heals, clock changes, violations) are not steps of a
 * node and are left out.
 *
 * @module
 */

import type { NodeId } from "../../actors/mod.ts";
import { PROCESS_KINDS } from "../causality.ts";
import { formatEvent, type TraceEvent } from "../trace.ts";

/**
 * The regular expression ShiViz parses each event with (the file's first line).
 *
 * @example
 * ```ts
 * import { SHIVIZ_REGEX } from "./shiviz.ts";
 * import assert from "node:assert/strict";
 * const match = new RegExp(SHIVIZ_REGEX).exec('0.000 start\nn1 {"n1":1}');
 * assert.equal(match?.groups?.host, "n1");
 * assert.equal(match?.groups?.clock, '{"n1":1}');
 * ```
 */
export const SHIVIZ_REGEX: string = String.raw`(?<event>.*)\n(?<host>\S*) (?<clock>{.*})`;

/**
 * A vector clock: for each node, how many of its steps are in the causal
 * past (the event itself included).
 *
 * @example
 * ```ts
 * import { type VectorClock, vectorClocks } from "./shiviz.ts";
 * import assert from "node:assert/strict";
 * const [first, second]: Array<VectorClock | undefined> = vectorClocks([
 *   { t: 0, kind: "start", node: "n1" },
 *   { t: 1, kind: "log", node: "n1", note: "ready" },
 * ]);
 * assert.deepEqual(first, { n1: 1 });
 * assert.deepEqual(second, { n1: 2 });
 * ```
 */
export type VectorClock = Record<NodeId, number>;

/**
 * The vector clock of every node step of a trace (undefined for events that
 * are not steps), by trace index.
 *
 * @example
 * ```ts
 * import { vectorClocks } from "./shiviz.ts";
 * import assert from "node:assert/strict";
 * const clocks = vectorClocks([
 *   { t: 0, kind: "send", node: "a", to: "b", id: 0, msg: "hi" },
 *   { t: 2, kind: "deliver", node: "b", from: "a", id: 0, msg: "hi" },
 * ]);
 * assert.deepEqual(clocks[1], { a: 1, b: 1 });
 * ```
 */
export function vectorClocks(events: readonly TraceEvent[]): Array<VectorClock | undefined> {
  const current = new Map<NodeId, VectorClock>();
  const sent = new Map<number, VectorClock>();
  const out: Array<VectorClock | undefined> = new Array(events.length);
  events.forEach((e, i) => {
    if (e.kind === "duplicate") {
      const original = sent.get(e.id);
      if (original !== undefined) sent.set(e.copy, original);
      return;
    }
    if (!PROCESS_KINDS.has(e.kind)) return;
    const node = (e as { node: NodeId }).node;
    const clock: VectorClock = { ...current.get(node) };
    if (e.kind === "deliver") {
      const carried = sent.get(e.id);
      if (carried !== undefined) {
        for (const [n, c] of Object.entries(carried)) {
          if ((clock[n] ?? 0) < c) clock[n] = c;
        }
      }
    }
    clock[node] = (clock[node] ?? 0) + 1;
    current.set(node, clock);
    if (e.kind === "send") sent.set(e.id, clock);
    out[i] = clock;
  });
  return out;
}

/**
 * The ShiViz log of `events`.
 *
 * @example
 * ```ts
 * import { renderShiviz, SHIVIZ_REGEX } from "./shiviz.ts";
 * import assert from "node:assert/strict";
 * const log = renderShiviz([{ t: 0, kind: "start", node: "n1" }]);
 * assert.deepEqual(log.split("\n"), [SHIVIZ_REGEX, "", "0.000 start", 'n1 {"n1":1}', ""]);
 * ```
 */
export function renderShiviz(events: readonly TraceEvent[]): string {
  const clocks = vectorClocks(events);
  const lines = [SHIVIZ_REGEX, ""];
  events.forEach((e, i) => {
    const clock = clocks[i];
    if (clock === undefined) return;
    const node = (e as { node: NodeId }).node;
    lines.push(describe(e, node), `${node} ${JSON.stringify(clock)}`);
  });
  lines.push("");
  return lines.join("\n");
}

/** One line: the event as `formatEvent` writes it, without the node (ShiViz shows the host). */
function describe(e: TraceEvent, node: NodeId): string {
  const text = formatEvent(e, 200).trim();
  const time = text.slice(0, text.indexOf(" "));
  const rest = text.slice(time.length).trimStart();
  const body = rest.startsWith(node + "  ") ? rest.slice(node.length + 2) : rest;
  // One event per line: notes and bodies must not break it.
  return `${time} ${body}`.replace(/[\r\n\u2028\u2029]+/g, " ");
}
