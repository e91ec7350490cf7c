/**
 * Where two runs part: the first event at which two traces differ, with the
 * events around it, for `deno task sim diff a.json b.json` and for replay.
 *
 * Events are compared as the trace hash sees them (their JSON), so two
 * traces with the same hash never differ here and two that differ always do.
 *
 * @module
 */

import { RUN_SPEC_FIELDS, type RunSpec } from "../scenario.ts";
import { formatEvent, type TraceEvent } from "../trace.ts";

/**
 * The first difference between two traces.
 *
 * @example
 * ```ts
 * import { firstDifference, type TraceDifference } from "./diff.ts";
 * import assert from "node:assert/strict";
 * const d: TraceDifference | undefined = firstDifference(
 *   [{ t: 0, kind: "start", node: "n1" }, { t: 1, kind: "crash", node: "n1" }],
 *   [{ t: 0, kind: "start", node: "n1" }],
 * );
 * assert.equal(d?.index, 1);
 * assert.deepEqual(d?.a, { t: 1, kind: "crash", node: "n1" });
 * assert.equal(d?.b, undefined); // the second trace ended there
 * assert.deepEqual(d?.lengths, [2, 1]);
 * ```
 */
export interface TraceDifference {
  /** Index of the first event that differs (or that one trace lacks). */
  index: number;
  /** That event in the first trace; undefined when the first trace ended there. */
  a?: TraceEvent;
  /** That event in the second trace; undefined when the second trace ended there. */
  b?: TraceEvent;
  /** Events both traces share just before `index`, oldest first. */
  before: TraceEvent[];
  /** A few events after `a` in the first trace. */
  afterA: TraceEvent[];
  /** A few events after `b` in the second trace. */
  afterB: TraceEvent[];
  /** Lengths of the two traces. */
  lengths: [number, number];
}

/**
 * The first event where `a` and `b` differ, with `context` events of
 * context on each side, or undefined when they are the same.
 *
 * @example
 * ```ts
 * import { firstDifference } from "./diff.ts";
 * import assert from "node:assert/strict";
 * const start = { t: 0, kind: "start", node: "n1" } as const;
 * const d = firstDifference(
 *   [start, { t: 1, kind: "crash", node: "n1" }],
 *   [start, { t: 1, kind: "pause", node: "n1" }],
 * );
 * assert.equal(d?.index, 1);
 * assert.deepEqual(d?.before, [start]);
 * assert.equal(firstDifference([start], [start]), undefined);
 * ```
 */
export function firstDifference(
  a: readonly TraceEvent[],
  b: readonly TraceEvent[],
  context = 3,
): TraceDifference | undefined {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && JSON.stringify(a[i]) === JSON.stringify(b[i])) i++;
  if (i === n && a.length === b.length) return undefined;
  return {
    index: i,
    a: a[i],
    b: b[i],
    before: a.slice(Math.max(0, i - context), i),
    afterA: a.slice(i + 1, i + 1 + context),
    afterB: b.slice(i + 1, i + 1 + context),
    lengths: [a.length, b.length],
  };
}

/**
 * A difference as text: where the runs part, the shared events before, and
 * each run's events from there on, one per line with {@linkcode formatEvent}.
 *
 * @example
 * ```ts
 * import { firstDifference, formatDifference } from "./diff.ts";
 * import assert from "node:assert/strict";
 * const d = firstDifference([{ t: 0, kind: "heal" }], []);
 * assert.equal(
 *   formatDifference(d!, ["a.json", "b.json"]).split("\n")[0],
 *   "the runs part at event #0, t = 0 ms: b.json ends there (a.json has 1 event, b.json 0)",
 * );
 * ```
 */
export function formatDifference(d: TraceDifference, names: [string, string] = ["a", "b"]): string {
  const at = (d.a ?? d.b)!.t;
  const [la, lb] = d.lengths;
  const ended = d.a === undefined ? names[0] : d.b === undefined ? names[1] : undefined;
  const counts = `${names[0]} has ${count(la)}, ${names[1]} ${lb}`;
  const lines = [
    `the runs part at event #${d.index}, t = ${at} ms: ` +
    (ended === undefined ? `the events differ (${counts})` : `${ended} ends there (${counts})`),
  ];
  const row = (mark: string, index: number, e: TraceEvent) =>
    `  ${mark} #${String(index).padEnd(6)}${formatEvent(e, 80)}`;
  if (d.before.length > 0) {
    lines.push("  both:");
    d.before.forEach((e, k) => lines.push(row(" ", d.index - d.before.length + k, e)));
  }
  const side = (name: string, e: TraceEvent | undefined, after: TraceEvent[]) => {
    lines.push(`  ${name}:`);
    if (e === undefined) {
      lines.push(`  > #${String(d.index).padEnd(6)}(no more events)`);
      return;
    }
    lines.push(row(">", d.index, e));
    after.forEach((x, k) => lines.push(row(" ", d.index + 1 + k, x)));
  };
  side(names[0], d.a, d.afterA);
  side(names[1], d.b, d.afterB);
  return lines.join("\n");
}

function count(n: number): string {
  return `${n} event${n === 1 ? "" : "s"}`;
}

/**
 * The settings two runs differ in, one `field a vs b` phrase each (scenario
 * flags by name, a draw log as "own draws"): what `diff` says beside the
 * events, since two runs with different settings can still have the same
 * events (a longer `until` after the last one, a loss no draw reached).
 *
 * @example
 * ```ts
 * import { settingsDifferences } from "./diff.ts";
 * import assert from "node:assert/strict";
 * const a = { scenario: "raft", seed: 3, nodes: 5, until: 6000, faults: "", flags: { ops: 30 } };
 * assert.deepEqual(settingsDifferences(a, { ...a, until: 400, loss: 0.1, flags: { ops: 5 } }), [
 *   "until 6000 vs 400",
 *   "loss default vs 0.1",
 *   "--ops 30 vs 5",
 * ]);
 * assert.deepEqual(settingsDifferences(a, a, [true, false]), ["draws its own vs the seed's"]);
 * ```
 */
export function settingsDifferences(
  a: RunSpec,
  b: RunSpec,
  ownDraws: [boolean, boolean] = [false, false],
): string[] {
  const out: string[] = [];
  const show = (v: unknown) => v === undefined ? "default" : v === "" ? "none" : JSON.stringify(v);
  const plain = (v: unknown) => typeof v === "string" && v !== "" ? v : show(v);
  for (const key of RUN_SPEC_FIELDS) {
    if (JSON.stringify(a[key]) !== JSON.stringify(b[key])) {
      out.push(`${key} ${plain(a[key])} vs ${plain(b[key])}`);
    }
  }
  const names = [...new Set([...Object.keys(a.flags ?? {}), ...Object.keys(b.flags ?? {})])];
  for (const name of names) {
    const x = a.flags?.[name], y = b.flags?.[name];
    if (JSON.stringify(x) !== JSON.stringify(y)) out.push(`--${name} ${plain(x)} vs ${plain(y)}`);
  }
  if (ownDraws[0] !== ownDraws[1]) {
    out.push(
      `draws ${ownDraws[0] ? "its own" : "the seed's"} vs ${
        ownDraws[1] ? "its own" : "the seed's"
      }`,
    );
  }
  return out;
}
