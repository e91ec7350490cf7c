/**
 * Pictures of a run: the space-time diagram in the terminal, the same as a
 * self-contained HTML page, a Chrome/Perfetto trace-event file and a ShiViz
 * log. Each takes the events of a full trace.
 *
 * @example
 * ```ts
 * import { renderDiagram, renderShiviz } from "./mod.ts";
 * import { Simulation } from "../simulation.ts";
 * import assert from "node:assert/strict";
 * const sim = new Simulation({ seed: 1 });
 * sim.spawn("n1", () => ({ onStart: (ctx) => ctx.send("n2", "ping"), onMessage() {} }));
 * sim.spawn("n2", () => ({ onMessage: (ctx, msg, from) => ctx.log(`got ${msg} from ${from}`) }));
 * sim.run({ until: 100 });
 * const diagram = renderDiagram(sim.trace.events, { width: 80 });
 * assert.match(diagram, /ping #0/);
 * assert.match(renderShiviz(sim.trace.events), /log got ping from n1\nn2 \{"n2":3,"n1":2\}/);
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
  KIND_ORDER,
  type PageData,
  pageData,
  type PageLinearizability,
  type PageOp,
  type PageOptions,
} from "./page_data.ts";
export {
  type ChromeTrace,
  type ChromeTraceEvent,
  type PerfettoOptions,
  renderPerfetto,
  toChromeTrace,
} from "./perfetto.ts";
// The types the renderers' signatures name, so that this entry point is whole on its own.
export type { NodeId, OpId, OpStatus } from "../../actors/mod.ts";
export type { Counterexample } from "../check/linearizability.ts";
export type { StateChange, StateLog, StateOp, StatePath, StateSource } from "../states.ts";
export type { DropReason, TraceEvent, TraceKind } from "../trace.ts";
export { renderShiviz, SHIVIZ_REGEX, type VectorClock, vectorClocks } from "./shiviz.ts";
