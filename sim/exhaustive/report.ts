/**
 * A check's report for people: the verdict first (a violation with the
 * length of its counterexample, or "no violation in S states up to depth
 * D" and whether that was every state), then the `sometimes` conditions,
 * then the search's own figures.
 *
 * @module
 */

import { styleText } from "node:util";
import type { CheckReport } from "./check.ts";

/**
 * Where a counterexample was saved, and the command that replays it.
 *
 * @example
 * ```ts
 * import type { SavedCounterexample } from "./report.ts";
 * import assert from "node:assert/strict";
 * const s: SavedCounterexample = { file: "q.check.json", replay: "deno task sim replay q.check.json --diagram" };
 * assert.match(s.replay, /replay/);
 * ```
 */
export interface SavedCounterexample {
  /** The trace file it was saved to. */
  file: string;
  /** The command that replays it. */
  replay: string;
  /** The run's space-time diagram, when it is to be shown. */
  diagram?: string;
}

/**
 * The verdict of a report in one line.
 *
 * @example
 * ```ts
 * import { verdictLine } from "./report.ts";
 * import type { CheckReport } from "./check.ts";
 * import assert from "node:assert/strict";
 * const r = { states: 12, depth: 30, maxDepth: 9, exhausted: true, stopped: null } as CheckReport;
 * assert.equal(verdictLine(r), "no violation in 12 states up to depth 9: every reachable state was seen");
 * ```
 */
export function verdictLine(r: CheckReport): string {
  if (r.violation !== undefined) {
    const shortest = r.strategy === "bfs" ? "shortest counterexample" : "counterexample";
    return `VIOLATION of ${r.violation.check}: ${r.violation.message} ` +
      `(${shortest}: ${count(r.violation.steps, "step")})`;
  }
  const states = count(r.states, r.stateless ? "path" : "state");
  if (r.stopped === "max-states") {
    return `no violation in ${states} up to depth ${r.maxDepth}, but the space is bigger: ` +
      `stopped at --max-states ${r.maxStates} before seeing it all (raise it, or lower --depth ` +
      "or the configuration)";
  }
  if (r.stopped === "budget") {
    return `no violation in ${states} up to depth ${r.maxDepth}, but the --budget-ms ran out ` +
      "before the search had seen every state";
  }
  if (r.exhausted) {
    return `no violation in ${states} up to depth ${r.maxDepth}: every reachable state was seen`;
  }
  return `no violation in ${states} up to depth ${r.depth}: every state within it was seen, ` +
    `not every reachable one (${count(r.cut, "state")} at the limit; raise --depth)`;
}

/**
 * The whole text report. `saved` adds the counterexample's diagram, file
 * and replay line.
 *
 * @example
 * ```ts
 * import { formatCheck } from "./report.ts";
 * import { checkScenario } from "./check.ts";
 * import { pingPong } from "../../protocols/ping_pong/scenario.ts";
 * import assert from "node:assert/strict";
 * const text = formatCheck(checkScenario(pingPong, { flags: { rounds: 1 } }));
 * assert.match(text, /every reachable state was seen/);
 * ```
 */
export function formatCheck(
  r: CheckReport,
  options: { color?: boolean; saved?: SavedCounterexample } = {},
): string {
  const color = options.color ?? false;
  const paint = (style: "bold" | "green" | "red" | "yellow", s: string) =>
    color ? styleText(style, s, { validateStream: false }) : s;
  const faults = Object.entries(r.budget).filter(([, n]) => n > 0).map(([k, n]) => `${k} ${n}`);
  const lines = [
    [
      paint("bold", `check ${r.scenario}`),
      `seed ${r.spec.seed}`,
      `${r.spec.nodes} nodes`,
      `${r.strategy === "bfs" ? "breadth" : "depth"}-first`,
      `${r.timing} timing`,
      `faults: ${faults.length === 0 ? "none" : faults.join(", ")}`,
      ...(r.symmetry ? ["symmetry"] : []),
      ...(r.stateless ? ["stateless"] : []),
    ].join(" · "),
  ];
  if (r.opaque.length > 0) {
    lines.push(
      `stateless: ${r.opaque.join(", ")} ${r.opaque.length === 1 ? "has" : "have"} no inspect(), ` +
        "so every path counts as its own state (give each actor an inspect() to store states)",
    );
  }
  const verdict = verdictLine(r);
  if (r.violation !== undefined) {
    lines.push(paint("red", verdict));
    const saved = options.saved;
    if (saved?.diagram !== undefined) lines.push("", saved.diagram, "");
    if (saved !== undefined) {
      lines.push(`saved     ${saved.file}`, `replay    ${saved.replay}`);
    }
  } else lines.push(paint(r.stopped === null ? "green" : "yellow", verdict));
  for (const s of r.sometimes) {
    lines.push(
      s.reached
        ? `sometimes ${s.name}: reached, first in ${count(s.steps!, "step")}`
        : `sometimes ${s.name}: ${
          r.exhausted ? "never (no reachable state meets it)" : "not reached within the bound"
        }`,
    );
  }
  const perSecond = r.wallMs > 0 ? Math.round((r.states * 1000) / r.wallMs) : 0;
  lines.push(
    `states    ${r.states} ${
      r.stateless ? "paths tried (stateless)" : "stored"
    }, ${r.transitions} steps tried, ${r.replayed} replayed to ` +
      `return to states; deepest ${r.maxDepth} of ${r.depth}`,
    `memory    ${r.bytesPerState} bytes per stored state`,
    `time      ${(r.wallMs / 1000).toFixed(1)} s wall, ${perSecond} states/s`,
  );
  return lines.join("\n");
}

function count(n: number, noun: string): string {
  return `${n.toLocaleString("en-US")} ${noun}${n === 1 ? "" : "s"}`;
}
