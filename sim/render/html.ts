/**
 * The space-time diagram as one self-contained HTML page: inline SVG drawn
 * by inline JavaScript from the trace embedded as JSON, with inline CSS and
 * nothing fetched from the network, so it opens from a file, a CI artifact
 * or an e-mail attachment.
 *
 * One vertical lane per node, time flowing down. A delivered message is an
 * arrow from the sender's lane at the send to the receiver's lane at the
 * delivery; a dropped one is dashed and red and ends in ✗ (halfway across
 * for the network's losses and cut links, at the receiver for a crashed
 * one); one still in flight when the run ended is dotted. Crashes, restarts,
 * pauses, timers, log notes and client operations are marks on a lane;
 * partitions are shaded bands from the cut to the heal; violations are red
 * lines across.
 *
 * In the page: zoom with the buttons or Ctrl + wheel, switch the vertical
 * axis between virtual time and one row per event, hover an arrow or a mark
 * to see its details (a message's JSON body), and tick nodes on or off. The
 * view is kept in the address (`#hide=n2,n3&axis=steps&zoom=2`), so a link
 * to the file opens the same view.
 * After drawing, the script sets `data-ready="true"` on `<body>`; the SVG
 * carries one `g.lane[data-node]` per node and one `g.msg[data-id]` per
 * message, which is what the browser test checks.
 *
 * @module
 */

import type { TraceEvent } from "../trace.ts";
import { messageSpans, traceNodes } from "./messages.ts";

/**
 * What the page says about the run besides its events.
 *
 * @example
 * ```ts
 * import { type HtmlOptions, renderHtml } from "./html.ts";
 * import assert from "node:assert/strict";
 * const o: HtmlOptions = { title: "gossip seed 3", subtitle: "deno task sim run gossip --seed 3" };
 * assert.match(renderHtml([], o), /<title>gossip seed 3<\/title>/);
 * ```
 */
export interface HtmlOptions {
  /** The page's title and heading (default "dsim trace"). */
  title?: string;
  /** Lines under the heading: parameters, faults, the replay command. */
  subtitle?: string | string[];
}

/** The model the page's script draws from. */
interface PageData {
  nodes: string[];
  end: number;
  count: number;
  messages: Array<{
    id: number;
    from: string;
    to: string;
    t0: number;
    i0: number;
    t1: number | null;
    i1: number | null;
    fate: string;
    reason: string | null;
    copyOf: number | null;
    label: string;
    body: string;
  }>;
  marks: Array<{ i: number; t: number; node: string; kind: string; label: string; detail: string }>;
  cuts: Array<{ i: number; t: number; label: string; until: number | null; untilI: number | null }>;
  alarms: Array<{ i: number; t: number; node: string | null; label: string }>;
}

/**
 * The page for `events`.
 *
 * @example
 * ```ts
 * import { renderHtml } from "./html.ts";
 * import assert from "node:assert/strict";
 * const page = renderHtml([
 *   { t: 0, kind: "start", node: "n1" },
 *   { t: 0, kind: "send", node: "n1", to: "n2", id: 0, msg: { type: "ping" } },
 *   { t: 3, kind: "deliver", node: "n2", from: "n1", id: 0, msg: { type: "ping" } },
 * ], { title: "ping" });
 * assert.ok(page.startsWith("<!DOCTYPE html>"));
 * ```
 */
export function renderHtml(events: readonly TraceEvent[], options: HtmlOptions = {}): string {
  const title = options.title ?? "dsim trace";
  const subtitle = options.subtitle === undefined
    ? []
    : Array.isArray(options.subtitle)
    ? options.subtitle
    : [options.subtitle];
  const data = pageData(events);
  // "<" escaped so that no string in the data can close the script element.
  const json = JSON.stringify(data).replace(/</g, "\\u003c").replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
  return [
    "<!DOCTYPE html>",
    '<html lang="en">',
    "<head>",
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(title)}</title>`,
    `<style>${CSS}</style>`,
    "</head>",
    "<body>",
    `<header><h1>${escapeHtml(title)}</h1>`,
    ...subtitle.map((s) => `<p class="sub">${escapeHtml(s)}</p>`),
    "</header>",
    '<nav id="controls">',
    '<button type="button" id="zoom-in" title="zoom in">+</button>',
    '<button type="button" id="zoom-out" title="zoom out">&minus;</button>',
    '<button type="button" id="zoom-fit" title="fit">fit</button>',
    '<label><input type="radio" name="axis" value="time" checked> time</label>',
    '<label><input type="radio" name="axis" value="steps"> one row per event</label>',
    '<span class="hint">Ctrl + wheel zooms; hover an arrow for its message</span>',
    '<fieldset id="filter"><legend>nodes</legend></fieldset>',
    "</nav>",
    '<main id="view"><svg id="diagram" xmlns="http://www.w3.org/2000/svg"></svg></main>',
    '<div id="tooltip" role="tooltip" hidden></div>',
    `<script type="application/json" id="trace-data">${json}</script>`,
    `<script>${SCRIPT}</script>`,
    "</body>",
    "</html>",
    "",
  ].join("\n");
}

function pageData(events: readonly TraceEvent[]): PageData {
  const data: PageData = {
    nodes: traceNodes(events),
    end: events.length === 0 ? 0 : events[events.length - 1].t,
    count: events.length,
    messages: messageSpans(events).map((m) => ({
      id: m.id,
      from: m.from,
      to: m.to,
      t0: m.sentAt,
      i0: m.sendIndex,
      t1: m.endAt ?? null,
      i1: m.endIndex ?? null,
      fate: m.fate,
      reason: m.reason ?? null,
      copyOf: m.copyOf ?? null,
      label: label(m.msg),
      body: body(m.msg),
    })),
    marks: [],
    cuts: [],
    alarms: [],
  };
  const open: PageData["cuts"] = [];
  events.forEach((e, i) => {
    const mark = (kind: string, node: string, text: string, detail = "") =>
      data.marks.push({ i, t: e.t, node, kind, label: text, detail });
    switch (e.kind) {
      case "send":
      case "deliver":
      case "drop":
      case "duplicate":
        return;
      case "start":
      case "crash":
      case "restart":
      case "pause":
      case "resume":
        return mark(e.kind, e.node, e.kind);
      case "timer":
        return mark("timer", e.node, `timer ${e.name}`);
      case "log":
        return mark("log", e.node, e.note, e.data === undefined ? "" : body(e.data));
      case "invoke":
        return mark("invoke", e.node, `invoke op${e.op} ${e.f}`, body(e.input));
      case "complete":
        return mark("complete", e.node, `${e.status} op${e.op}`, body(e.output));
      case "clock":
        return mark("clock", e.node, `clock skew ${e.skew} drift ${e.drift}`);
      case "partition":
      case "block": {
        const text = e.kind === "partition"
          ? `partition ${e.groups.map((g) => g.join(",")).join(" | ")}`
          : `block ${e.from} -> ${e.to}`;
        const cut = { i, t: e.t, label: text, until: null, untilI: null };
        data.cuts.push(cut);
        open.push(cut);
        return;
      }
      case "heal":
        // Heal restores partitions and blocks; a disconnected node stays cut.
        for (const cut of open.filter((c) => !c.label.startsWith("disconnect "))) {
          open.splice(open.indexOf(cut), 1);
          cut.until = e.t;
          cut.untilI = i;
        }
        return;
      case "unblock":
      case "reconnect": {
        const [label, node] = e.kind === "unblock"
          ? [`block ${e.from} -> ${e.to}`, e.from]
          : [`disconnect ${e.node}`, e.node];
        const cut = open.find((c) => c.label === label);
        if (cut !== undefined) {
          open.splice(open.indexOf(cut), 1);
          cut.until = e.t;
          cut.untilI = i;
        }
        return mark(e.kind, node, e.kind);
      }
      case "disconnect": {
        const cut = { i, t: e.t, label: `disconnect ${e.node}`, until: null, untilI: null };
        data.cuts.push(cut);
        open.push(cut);
        return mark("disconnect", e.node, "disconnect");
      }
      case "violation":
        data.alarms.push({ i, t: e.t, node: e.node ?? null, label: `${e.check}: ${e.message}` });
        return;
      default: {
        const never: never = e;
        throw new Error(`internal: unknown event ${JSON.stringify(never)}`);
      }
    }
  });
  return data;
}

/** A message's short label: its `type`, or its JSON clipped. */
function label(msg: unknown): string {
  if (msg !== null && typeof msg === "object" && "type" in msg) {
    return String((msg as { type: unknown }).type);
  }
  const s = body(msg);
  return s.length > 16 ? s.slice(0, 15) + "…" : s;
}

/** Pretty JSON of any value, never throwing (cycles and bigints become text). */
function body(x: unknown): string {
  try {
    return JSON.stringify(x, (_, v) => typeof v === "bigint" ? `${v}n` : v, 2) ?? "undefined";
  } catch {
    return String(x);
  }
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(
    /"/g,
    "&quot;",
  );
}

const CSS = `
:root { color-scheme: light; font: 13px/1.4 system-ui, sans-serif; }
body { margin: 0; color: #222; background: #fff; }
header { padding: 8px 16px 0; }
h1 { font-size: 16px; margin: 0 0 4px; }
.sub { margin: 0; color: #555; font-family: ui-monospace, monospace; font-size: 12px; }
#controls { position: sticky; top: 0; z-index: 2; background: #f6f6f6; border-bottom: 1px solid #ddd;
  padding: 6px 16px; display: flex; flex-wrap: wrap; gap: 8px; align-items: center; }
#controls button { min-width: 32px; }
.hint { color: #777; }
#filter { border: 0; margin: 0; padding: 0; display: flex; flex-wrap: wrap; gap: 6px; }
#filter legend { float: left; padding: 0 4px 0 0; color: #555; }
#view { overflow: auto; padding: 0 16px 16px; }
svg { display: block; }
.lane line { stroke: #999; stroke-width: 1; }
.lane line.down { stroke: #d33; stroke-dasharray: 2 4; }
.lane line.paused { stroke: #e90; stroke-dasharray: 6 3; }
.lane text { font-weight: 600; text-anchor: middle; }
.axis text { fill: #777; font: 10px ui-monospace, monospace; text-anchor: end; }
.axis line { stroke: #eee; }
.msg .arrow { stroke-width: 1.4; fill: none; }
.msg .hit { stroke: transparent; stroke-width: 9; }
.msg text { font-size: 10px; fill: #444; }
.msg[data-fate="dropped"] .arrow { stroke: #d33; stroke-dasharray: 4 3; }
.msg[data-fate="in-flight"] .arrow { stroke-dasharray: 1 3; }
.msg .lost { fill: #d33; font-size: 12px; text-anchor: middle; dominant-baseline: middle; }
.msg:hover .arrow, .mark:hover * { stroke-width: 3; }
.mark circle { stroke: #fff; stroke-width: 1; }
.mark.crash text { fill: #d33; font-weight: 700; text-anchor: middle; dominant-baseline: middle; }
.cut rect { fill: #f4c542; opacity: 0.15; }
.cut text { fill: #a07800; font-size: 10px; }
.alarm line { stroke: #d33; stroke-width: 2; }
.alarm text { fill: #d33; font-weight: 600; }
#tooltip { position: fixed; z-index: 3; max-width: 480px; max-height: 60vh; overflow: auto;
  background: #fffff4; border: 1px solid #bbb; box-shadow: 0 2px 8px rgba(0,0,0,.2);
  padding: 6px 8px; pointer-events: none; }
#tooltip pre { margin: 4px 0 0; font: 12px ui-monospace, monospace; white-space: pre-wrap; }
`;

// The page's script: plain ES2017, no template literals, so it can sit in this string as is.
const SCRIPT = String.raw`
(function () {
  "use strict";
  var SVG = "http://www.w3.org/2000/svg";
  var data = JSON.parse(document.getElementById("trace-data").textContent);
  var svg = document.getElementById("diagram");
  var tip = document.getElementById("tooltip");
  var filter = document.getElementById("filter");
  var PALETTE = ["#1f77b4", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22",
    "#ff7f0e", "#7f7f7f", "#393b79"];
  var MARK_COLOR = { start: "#2ca02c", restart: "#2ca02c", crash: "#d33", pause: "#e90",
    resume: "#2ca02c", timer: "#aaa", log: "#1f77b4", invoke: "#9467bd", complete: "#9467bd",
    clock: "#8c564b" };
  var state = {
    axis: "time",
    zoom: 1,
    visible: {},
  };
  data.nodes.forEach(function (n) { state.visible[n] = true; });
  // The view can come from the address: #hide=n2,n3&axis=steps&zoom=2 (kept up to date below).
  location.hash.replace(/^#/, "").split("&").forEach(function (part) {
    var kv = part.split("="), value = decodeURIComponent(kv[1] || "");
    if (kv[0] === "hide") value.split(",").forEach(function (n) {
      if (n in state.visible) state.visible[n] = false;
    });
    if (kv[0] === "axis" && (value === "time" || value === "steps")) state.axis = value;
    if (kv[0] === "zoom" && Number(value) > 0) state.zoom = Number(value);
  });
  function syncAddress() {
    var hidden = data.nodes.filter(function (n) { return !state.visible[n]; });
    var parts = [];
    if (hidden.length > 0) parts.push("hide=" + encodeURIComponent(hidden.join(",")));
    if (state.axis !== "time") parts.push("axis=" + state.axis);
    if (state.zoom !== 1) parts.push("zoom=" + Math.round(state.zoom * 1000) / 1000);
    try {
      history.replaceState(null, "", parts.length > 0 ? "#" + parts.join("&") : location.pathname);
    } catch (e) {
      // Some viewers (a sandboxed frame) refuse; the view still works.
    }
  }
  var TOP = 40, LEFT = 90, GAP = 140, ROW = 16;
  // Time axis: about one row per event on average, within sane bounds.
  var perMs = data.end > 0 ? Math.min(50, Math.max(0.02, data.count * ROW / data.end)) : 1;

  function el(name, attrs, parent) {
    var e = document.createElementNS(SVG, name);
    for (var k in attrs) e.setAttribute(k, attrs[k]);
    if (parent) parent.appendChild(e);
    return e;
  }
  function y(t, i) {
    return TOP + (state.axis === "time" ? t * perMs : i * ROW) * state.zoom;
  }
  function colorOf(label) {
    var h = 0;
    for (var i = 0; i < label.length; i++) h = (h * 31 + label.charCodeAt(i)) >>> 0;
    return PALETTE[h % PALETTE.length];
  }
  function fmt(t) { return (Math.round(t * 1000) / 1000).toString(); }

  function showTip(ev, html) {
    tip.innerHTML = html;
    tip.hidden = false;
    var x = ev.clientX + 14, yy = ev.clientY + 14;
    tip.style.left = Math.min(x, window.innerWidth - tip.offsetWidth - 8) + "px";
    tip.style.top = Math.min(yy, window.innerHeight - tip.offsetHeight - 8) + "px";
  }
  function hideTip() { tip.hidden = true; }
  function esc(s) {
    return String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  }
  function hover(g, html) {
    g.addEventListener("mousemove", function (ev) { showTip(ev, html()); });
    g.addEventListener("mouseleave", hideTip);
  }

  function render() {
    while (svg.firstChild) svg.removeChild(svg.firstChild);
    var shown = data.nodes.filter(function (n) { return state.visible[n]; });
    var x = {};
    shown.forEach(function (n, k) { x[n] = LEFT + GAP / 2 + k * GAP; });
    var last = data.count > 0 ? data.count - 1 : 0;
    var bottom = y(data.end, last) + 30;
    var width = LEFT + Math.max(1, shown.length) * GAP + 20;
    svg.setAttribute("width", width);
    svg.setAttribute("height", bottom + 10);
    svg.setAttribute("viewBox", "0 0 " + width + " " + (bottom + 10));
    var defs = el("defs", {}, svg);
    var marker = el("marker", { id: "head", viewBox: "0 0 10 10", refX: "10", refY: "5",
      markerWidth: "7", markerHeight: "7", orient: "auto-start-reverse" }, defs);
    el("path", { d: "M0,0 L10,5 L0,10 z", fill: "context-stroke" }, marker);

    // Time labels at the left, no closer than a row apart.
    var axis = el("g", { "class": "axis" }, svg);
    var lastY = -Infinity, lastT = -1;
    for (var i = 0; i < data.count; i++) {
      var t = eventTime(i);
      if (t === lastT) continue;
      var yy = y(t, i);
      if (yy - lastY < ROW) continue;
      el("line", { x1: LEFT - 4, x2: width, y1: yy, y2: yy }, axis);
      var label = el("text", { x: LEFT - 8, y: yy + 3 }, axis);
      label.textContent = fmt(t) + " ms";
      lastY = yy;
      lastT = t;
    }

    var cuts = el("g", { "class": "cuts" }, svg);
    data.cuts.forEach(function (c) {
      var g = el("g", { "class": "cut" }, cuts);
      var y0 = y(c.t, c.i), y1 = c.until === null ? bottom : y(c.until, c.untilI);
      el("rect", { x: LEFT, y: y0, width: width - LEFT, height: Math.max(2, y1 - y0) }, g);
      el("text", { x: LEFT + 4, y: y0 + 11 }, g).textContent = c.label;
      hover(g, function () {
        return esc(c.label) + "<br>from " + fmt(c.t) + " ms" +
          (c.until === null ? " to the end" : " to " + fmt(c.until) + " ms (heal)");
      });
    });

    var lanes = el("g", { "class": "lanes" }, svg);
    shown.forEach(function (n) {
      var g = el("g", { "class": "lane", "data-node": n }, lanes);
      el("text", { x: x[n], y: TOP - 16 }, g).textContent = n;
      // The lifeline, broken into up, crashed and paused stretches.
      var status = "up", from = TOP - 8;
      data.marks.forEach(function (m) {
        if (m.node !== n) return;
        var next = m.kind === "crash" ? "down" : m.kind === "pause" ? "paused" :
          m.kind === "restart" || m.kind === "resume" ? "up" : status;
        if (next === status) return;
        var at = y(m.t, m.i);
        el("line", { x1: x[n], x2: x[n], y1: from, y2: at, "class": status }, g);
        status = next;
        from = at;
      });
      el("line", { x1: x[n], x2: x[n], y1: from, y2: bottom, "class": status }, g);
    });

    var msgs = el("g", { "class": "msgs" }, svg);
    var drawn = 0;
    data.messages.forEach(function (m) {
      if (!state.visible[m.from] || !state.visible[m.to]) return;
      drawn++;
      var g = el("g", { "class": "msg", "data-id": m.id, "data-from": m.from, "data-to": m.to,
        "data-fate": m.fate }, msgs);
      var x0 = x[m.from], y0 = y(m.t0, m.i0), x1, y1;
      var atSend = m.fate === "dropped" && (m.reason === "loss" || m.reason === "partition");
      if (m.fate === "in-flight") {
        x1 = x[m.to];
        y1 = bottom;
      } else if (atSend) {
        x1 = x0 + (x[m.to] - x0) / 2;
        y1 = y0 + ROW * 0.6 * state.zoom;
      } else {
        x1 = x[m.to];
        y1 = y(m.t1, m.i1);
      }
      var color = m.fate === "dropped" ? "#d33" : colorOf(m.label);
      var attrs = { x1: x0, y1: y0, x2: x1, y2: y1, "class": "arrow", stroke: color };
      if (m.fate === "delivered") attrs["marker-end"] = "url(#head)";
      el("line", attrs, g);
      el("line", { x1: x0, y1: y0, x2: x1, y2: y1, "class": "hit" }, g);
      if (m.fate === "dropped") el("text", { x: x1, y: y1, "class": "lost" }, g).textContent = "✗";
      var tx = el("text", { x: (x0 + x1) / 2 + 3, y: (y0 + y1) / 2 - 3 }, g);
      tx.textContent = m.label;
      hover(g, function () {
        var head = "#" + m.id + (m.copyOf === null ? "" : " (copy of #" + m.copyOf + ")") +
          "  " + esc(m.from) + " &rarr; " + esc(m.to) + "<br>sent " + fmt(m.t0) + " ms, ";
        var end = m.fate === "delivered"
          ? "delivered " + fmt(m.t1) + " ms (" + fmt(m.t1 - m.t0) + " ms in flight)"
          : m.fate === "dropped" ? "dropped at " + fmt(m.t1) + " ms (" + esc(m.reason) + ")"
          : "still in flight when the run ended";
        return head + end + "<pre>" + esc(m.body) + "</pre>";
      });
    });

    var marks = el("g", { "class": "marks" }, svg);
    data.marks.forEach(function (m) {
      if (!state.visible[m.node]) return;
      var g = el("g", { "class": "mark " + m.kind, "data-kind": m.kind, "data-node": m.node },
        marks);
      var cx = x[m.node], cy = y(m.t, m.i);
      if (m.kind === "crash") {
        el("text", { x: cx, y: cy }, g).textContent = "✕";
      } else {
        el("circle", { cx: cx, cy: cy, r: m.kind === "timer" ? 2.5 : 4,
          fill: MARK_COLOR[m.kind] || "#555" }, g);
      }
      hover(g, function () {
        return esc(m.node) + " at " + fmt(m.t) + " ms: " + esc(m.label) +
          (m.detail ? "<pre>" + esc(m.detail) + "</pre>" : "");
      });
    });

    var alarms = el("g", { "class": "alarms" }, svg);
    data.alarms.forEach(function (a) {
      var g = el("g", { "class": "alarm" }, alarms);
      var yy = y(a.t, a.i);
      el("line", { x1: LEFT, x2: width, y1: yy, y2: yy }, g);
      el("text", { x: LEFT + 4, y: yy - 4 }, g).textContent = "VIOLATION " + a.label;
      hover(g, function () { return "<b>violation</b> at " + fmt(a.t) + " ms: " + esc(a.label); });
    });

    svg.setAttribute("data-lanes", String(shown.length));
    svg.setAttribute("data-messages", String(drawn));
    svg.setAttribute("data-axis", state.axis);
    syncAddress();
  }

  var times = null;
  function eventTime(i) {
    if (times === null) {
      // Every event's time, from the model's own lists (events of every kind are in one of them).
      times = new Array(data.count).fill(null);
      data.messages.forEach(function (m) {
        times[m.i0] = m.t0;
        if (m.i1 !== null) times[m.i1] = m.t1;
      });
      data.marks.forEach(function (m) { times[m.i] = m.t; });
      data.cuts.forEach(function (c) {
        times[c.i] = c.t;
        if (c.untilI !== null) times[c.untilI] = c.until;
      });
      data.alarms.forEach(function (a) { times[a.i] = a.t; });
      var prev = 0;
      for (var k = 0; k < times.length; k++) {
        if (times[k] === null) times[k] = prev;
        prev = times[k];
      }
    }
    return times[i];
  }

  // Node filter: one checkbox per node.
  data.nodes.forEach(function (n) {
    var label = document.createElement("label");
    var box = document.createElement("input");
    box.type = "checkbox";
    box.className = "node-filter";
    box.setAttribute("data-node", n);
    // defaultChecked is the attribute, so the state shows in the DOM as well.
    box.defaultChecked = box.checked = state.visible[n];
    box.addEventListener("change", function () {
      state.visible[n] = box.defaultChecked = box.checked;
      render();
    });
    label.appendChild(box);
    label.appendChild(document.createTextNode(" " + n));
    filter.appendChild(label);
  });

  function zoomBy(f) {
    state.zoom = Math.min(200, Math.max(0.01, state.zoom * f));
    render();
  }
  document.getElementById("zoom-in").addEventListener("click", function () { zoomBy(1.5); });
  document.getElementById("zoom-out").addEventListener("click", function () { zoomBy(1 / 1.5); });
  document.getElementById("zoom-fit").addEventListener("click", function () {
    var room = window.innerHeight - svg.getBoundingClientRect().top - 40;
    var span = y(data.end, Math.max(0, data.count - 1)) - TOP;
    if (span > 0) state.zoom = Math.max(0.01, state.zoom * room / span);
    render();
  });
  document.getElementById("view").addEventListener("wheel", function (ev) {
    if (!ev.ctrlKey && !ev.metaKey) return;
    ev.preventDefault();
    zoomBy(ev.deltaY < 0 ? 1.2 : 1 / 1.2);
  }, { passive: false });
  Array.prototype.forEach.call(document.querySelectorAll("input[name=axis]"), function (r) {
    r.defaultChecked = r.checked = r.value === state.axis;
    r.addEventListener("change", function () {
      if (r.checked) {
        state.axis = r.value;
        render();
      }
    });
  });

  render();
  document.body.setAttribute("data-ready", "true");
})();
`;
