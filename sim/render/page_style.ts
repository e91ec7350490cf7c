/**
 * The page's style sheet: a bar of controls, the diagram (or two, side by
 * side, when the studio compares a what-if with the run) filling the
 * window, and the side panels (event, what if, state, checks, faults)
 * scrolling on their own.
 *
 * @module
 */

/**
 * The CSS of a run's page.
 *
 * @example
 * ```ts
 * import { PAGE_CSS } from "./page_style.ts";
 * import assert from "node:assert/strict";
 * assert.match(PAGE_CSS, /#side/);
 * ```
 */
export const PAGE_CSS: string = `
:root { color-scheme: light; font: 13px/1.4 system-ui, sans-serif; }
html, body { height: 100%; }
body { margin: 0; color: #222; background: #fff; display: flex; flex-direction: column; }
header { padding: 8px 16px 0; }
h1 { font-size: 16px; margin: 0 0 4px; }
h2 { font-size: 13px; margin: 0 0 4px; text-transform: uppercase; letter-spacing: .04em;
  color: #555; }
h3 { font-size: 13px; margin: 0; }
.sub { margin: 0; color: #555; font-family: ui-monospace, monospace; font-size: 12px;
  max-height: 2.8em; overflow: auto; }
nav { background: #f6f6f6; border-bottom: 1px solid #ddd; padding: 5px 16px; display: flex;
  flex-wrap: wrap; gap: 8px; align-items: center; }
nav button { min-width: 30px; }
.hint { color: #777; }
#filter { border: 0; margin: 0; padding: 0; display: flex; flex-wrap: wrap; gap: 6px; }
#filter legend { float: left; padding: 0 4px 0 0; color: #555; }
#scrubber { flex: 1; min-width: 200px; }
#position { font-family: ui-monospace, monospace; min-width: 16em; }
#main { flex: 1; min-height: 0; display: flex; }
#views { flex: 1; min-width: 0; display: flex; }
#view, #what-if-view .scroll { position: relative; overflow: auto; flex: 1; min-width: 0;
  padding: 0 8px 16px; }
#run-view, #what-if-view { flex: 1; min-width: 0; display: flex; flex-direction: column; }
#what-if-view { border-left: 3px solid #c3c; }
#views h2 { padding: 4px 8px; margin: 0; height: 18px; overflow: hidden; white-space: nowrap;
  text-overflow: ellipsis; }
#what-if-view h2 { background: #fbeefb; color: #838; }
#run-view .view-title { display: none; background: #eef3fb; color: #357; }
body.comparing #run-view .view-title { display: block; }
#side { width: 440px; flex: none; overflow: auto; border-left: 1px solid #ddd; padding: 8px 12px;
  background: #fcfcfc; }
#side section { margin-bottom: 14px; }
#side pre { margin: 4px 0; font: 12px/1.35 ui-monospace, monospace; white-space: pre-wrap;
  word-break: break-word; }
#event .where { margin: 0; }
#event .line { margin: 2px 0; font: 12px ui-monospace, monospace; word-break: break-word; }
.node-state { contain: content; border: 1px solid #e3e3e3; border-radius: 4px; padding: 4px 6px; margin: 0 0 6px;
  background: #fff; }
.node-state.changed { border-color: #e0a800; box-shadow: 0 0 0 2px #fff1b8; }
.node-state h3 { display: flex; gap: 8px; align-items: baseline; cursor: pointer; }
.node-state .status { font-weight: 400; font-size: 11px; padding: 0 5px; border-radius: 8px;
  background: #e6f4e6; color: #276b27; }
.node-state .status[data-status="crashed"] { background: #fde2e2; color: #a11; }
.node-state .status[data-status="paused"] { background: #fff0d6; color: #8a5a00; }
.node-state .status[data-status="not started"] { background: #eee; color: #666; }
.node-state[data-status="crashed"] pre { opacity: .5; }
.node-state .source { margin-left: auto; font-weight: 400; font-size: 11px; color: #888; }
.changed { background: #fff1b8; }
.removed { color: #a11; }
.elided, .none { color: #888; }
.folded { color: #888; cursor: pointer; text-decoration: underline dotted; }
ol.faults, ol.violations { margin: 0; padding-left: 20px; font: 12px ui-monospace, monospace; }
ol.faults li { cursor: pointer; color: #999; }
ol.faults li.past { color: #222; }
ol.faults li.latest { font-weight: 700; }
ol.violations li { color: #a11; margin-bottom: 4px; }
.ok { color: #276b27; }
.failed, .error { color: #a11; }
.what-if-row { margin: 3px 0; }
#what-if-ms { width: 5em; }
#what-if-diff { background: #fbeefb; padding: 4px; max-height: 14em; overflow: auto; }
#event pre { max-height: 12em; overflow: auto; }
.legend .op { padding: 0 4px; border-radius: 3px; font-size: 11px; }
.op.stuck rect, .legend .stuck { fill: #f4b6b6; background: #f4b6b6; stroke: #a11; }
.op.prefix rect, .legend .prefix { fill: #cfe9cf; background: #cfe9cf; stroke: #276b27; }
.op.waiting rect, .legend .waiting { fill: #ffe0a8; background: #ffe0a8; stroke: #8a5a00; }
.op.other rect, .legend .other { fill: #eee; background: #eee; stroke: #aaa; }
#lin text { font-size: 10px; }
#lin .row { stroke: #eee; }
#lin .client { font-weight: 600; font-size: 11px; }
#lin .axis-note { fill: #777; }
#lin .axis-note.end { text-anchor: end; }
#lin .op { cursor: pointer; }
.lane-names { position: sticky; top: 0; z-index: 1; height: 20px; background: #fffe;
  border-bottom: 1px solid #eee; }
.lane-names span { position: absolute; top: 2px; text-align: center; font-weight: 600;
  cursor: pointer; }
svg { display: block; }
.lane line { stroke: #999; stroke-width: 1; }
.lane line.down { stroke: #d33; stroke-dasharray: 2 4; }
.lane line.paused { stroke: #e90; stroke-dasharray: 6 3; }
.axis text { fill: #777; font: 10px ui-monospace, monospace; text-anchor: end; }
.axis line { stroke: #f0f0f0; }
.msg, .mark, .alarm { cursor: pointer; }
.msg .arrow { stroke-width: 1.4; fill: none; }
.msg .hit { stroke: transparent; stroke-width: 9; }
.msg text { font-size: 10px; fill: #444; }
.msg[data-fate="dropped"] .arrow { stroke: #d33; stroke-dasharray: 4 3; }
.msg[data-fate="in-flight"] .arrow { stroke-dasharray: 1 3; }
.msg .lost { fill: #d33; font-size: 12px; text-anchor: middle; dominant-baseline: middle; }
.msg:hover .arrow, .mark:hover * { stroke-width: 3; }
.msg.current .arrow { stroke-width: 3.5; }
.msg.current text { font-weight: 700; fill: #000; }
.mark circle { stroke: #fff; stroke-width: 1; }
.mark.current circle { stroke: #000; stroke-width: 2; r: 6; }
.mark.crash text { fill: #d33; font-weight: 700; text-anchor: middle; dominant-baseline: middle; }
.cut rect { fill: #f4c542; opacity: 0.15; }
.cut text { fill: #a07800; font-size: 10px; }
.alarm line { stroke: #d33; stroke-width: 2; }
.alarm text { fill: #d33; font-weight: 600; }
.cursor { stroke: #1a73e8; stroke-width: 1; stroke-dasharray: 3 2; pointer-events: none; }
.difference line { stroke: #c3c; stroke-width: 2; stroke-dasharray: 6 3; }
.difference text { fill: #c3c; font-weight: 700; text-anchor: end; font-size: 11px; }
.clipped { fill: #a07800; font-size: 11px; }
#tooltip { position: fixed; z-index: 3; max-width: 480px; max-height: 60vh; overflow: auto;
  background: #fffff4; border: 1px solid #bbb; box-shadow: 0 2px 8px rgba(0,0,0,.2);
  padding: 6px 8px; pointer-events: none; }
#tooltip pre { margin: 4px 0 0; font: 12px ui-monospace, monospace; white-space: pre-wrap; }
`;
