/**
 * The page's script, assembled: the helpers every part uses (this file),
 * then the diagram, the state panel, the other panels, the studio's what-if
 * panel when the page is served by the studio, and the main script, all in
 * one function so that nothing leaks into the page's globals but
 * `window.dsim`.
 *
 * Every part is plain ES2017 in a `String.raw` template: no template
 * literals and no backticks inside, so it sits in its string as it is.
 *
 * @module
 */

import { DIAGRAM_SCRIPT } from "./page_diagram.ts";
import { KIND_ORDER } from "./page_data.ts";
import { MAIN_SCRIPT } from "./page_main.ts";
import { PANELS_SCRIPT } from "./page_panels.ts";
import { STATES_SCRIPT } from "./page_states.ts";
import { WHAT_IF_SCRIPT } from "./page_what_if.ts";

const PRELUDE = String.raw`
"use strict";
var SVG_NS = "http://www.w3.org/2000/svg";
var PALETTE = ["#1f77b4", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22",
  "#ff7f0e", "#7f7f7f", "#393b79"];
var MARK_COLOR = { start: "#2ca02c", restart: "#2ca02c", crash: "#d33", pause: "#e90",
  resume: "#2ca02c", timer: "#aaa", log: "#1f77b4", invoke: "#9467bd", complete: "#9467bd",
  clock: "#8c564b", disconnect: "#d33", reconnect: "#2ca02c", unblock: "#2ca02c" };
var tip = document.getElementById("tooltip");

function el(name, attrs, parent) {
  var e = document.createElementNS(SVG_NS, name);
  for (var k in attrs) e.setAttribute(k, attrs[k]);
  if (parent) parent.appendChild(e);
  return e;
}
function esc(s) {
  return String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;");
}
function fmt(t) { return (Math.round(t * 1000) / 1000).toString(); }
function clip(s, n) { s = String(s); return s.length > n ? s.slice(0, n - 1) + "…" : s; }
/** Compact JSON text, indented for reading (text that is not JSON as it is). */
function pretty(text) {
  try { return JSON.stringify(JSON.parse(text), null, 2); } catch (e) { return text; }
}
function clone(v) { return v === undefined ? undefined : JSON.parse(JSON.stringify(v)); }
/** The first index k of sorted a with a[k] >= x. */
function lowerBound(a, x) {
  var lo = 0, hi = a.length;
  while (lo < hi) { var mid = (lo + hi) >> 1; if (a[mid] < x) lo = mid + 1; else hi = mid; }
  return lo;
}
/** The first index k of sorted a with a[k] > x. */
function upperBound(a, x) {
  var lo = 0, hi = a.length;
  while (lo < hi) { var mid = (lo + hi) >> 1; if (a[mid] <= x) lo = mid + 1; else hi = mid; }
  return lo;
}
function colorOf(label) {
  var h = 0;
  for (var i = 0; i < label.length; i++) h = (h * 31 + label.charCodeAt(i)) >>> 0;
  return PALETTE[h % PALETTE.length];
}
function showTip(ev, html) {
  tip.innerHTML = html;
  tip.hidden = false;
  var x = ev.clientX + 14, yy = ev.clientY + 14;
  tip.style.left = Math.min(x, window.innerWidth - tip.offsetWidth - 8) + "px";
  tip.style.top = Math.min(yy, window.innerHeight - tip.offsetHeight - 8) + "px";
}
function hideTip() { tip.hidden = true; }
function hover(g, html) {
  g.addEventListener("mousemove", function (ev) { showTip(ev, html()); });
  g.addEventListener("mouseleave", hideTip);
}
`;

/**
 * The whole script of a page; `studio` adds the what-if panel (which talks
 * to the studio's server).
 *
 * @example
 * ```ts
 * import { pageScript } from "./page_script.ts";
 * import assert from "node:assert/strict";
 * assert.ok(!pageScript(false).includes("function WhatIf"));
 * assert.ok(pageScript(true).includes("function WhatIf"));
 * assert.ok(!pageScript(true).includes("`"));
 * ```
 */
export function pageScript(studio: boolean): string {
  return [
    "(function () {",
    PRELUDE,
    `var KINDS = ${JSON.stringify(KIND_ORDER)};`,
    DIAGRAM_SCRIPT,
    STATES_SCRIPT,
    PANELS_SCRIPT,
    studio ? WHAT_IF_SCRIPT : "",
    MAIN_SCRIPT,
    "})();",
  ].join("\n");
}
