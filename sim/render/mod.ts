/**
 * Pictures of a run: the space-time diagram in the terminal, the same as a
 * self-contained HTML page, a Chrome/Perfetto trace-event file and a ShiViz
 * log. Each takes the events of a full trace.
 *
 * @example
 * ```ts
 * import { renderDiagram, renderShiviz } from "./mod.ts";
 * import { runScenario } from "../scenario.ts";
 * import { pingPong } from "../../protocols/ping_pong/scenario.ts";
 * import assert from "node:assert/strict";
 * const run = runScenario(pingPong, { seed: 1, flags: { rounds: 2 } });
 * const diagram = renderDiagram(run.sim.trace.events, { width: 80 });
 * assert.match(diagram, /n1/);
 * assert.match(renderShiviz(run.sim.trace.events), /n2 \{/);
 * ```
 *
 * @module
 */

export {
  type DiagramHighlight,
  type DiagramOptions,
  renderDiagram,
  shouldColor,
  visibleWidth,
} from "./diagram.ts";
export { type HtmlOptions, renderHtml } from "./html.ts";
export { type MessageSpan, messageSpans, traceNodes } from "./messages.ts";
export {
  type ChromeTrace,
  type ChromeTraceEvent,
  type PerfettoOptions,
  renderPerfetto,
  toChromeTrace,
} from "./perfetto.ts";
export { renderShiviz, SHIVIZ_REGEX, type VectorClock, vectorClocks } from "./shiviz.ts";
