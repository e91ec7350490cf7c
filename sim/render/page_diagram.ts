/**
 * The page's space-time diagram, as browser script: one SVG per run, lanes
 * for nodes, arrows for messages, marks for everything else, a cursor on
 * the current event and a line where two runs part.
 *
 * A large run is drawn in a window: only what lies within a screen of the
 * visible part is in the document, and scrolling redraws the window
 * (once per frame at most), so a 50,000-event run opens and scrolls without
 * freezing the page. A run small enough to draw whole is drawn whole, so
 * the document holds every arrow (what the browser tests read).
 *
 * Plain ES2017 in a string, no template literals; it runs inside the page's
 * one function, after `PRELUDE` (see `page_script.ts`).
 *
 * @module
 */

/**
 * `Diagram(host, data, view, svgId, scale)`: draws `data` (a `PageData`)
 * into the scroll container `host`, following the shared `view` (axis,
 * zoom, visible nodes), at `scale.perMs` pixels per ms when given (two runs
 * compared side by side share one scale). Methods: `render()`, `setCursor(i)`, `setDifference(i | null)`,
 * `reveal(i)`, `onPick(fn)` (a click on an arrow or a mark: fn(event index)).
 *
 * @example
 * ```ts
 * import { DIAGRAM_SCRIPT } from "./page_diagram.ts";
 * import assert from "node:assert/strict";
 * assert.match(DIAGRAM_SCRIPT, /function Diagram\(host, data, view, svgId, scale\)/);
 * ```
 */
export const DIAGRAM_SCRIPT: string = String.raw`
var TOP = 16, LEFT = 90, GAP = 140, ROW = 16;
/** A run with no more arrows and marks than this is drawn whole; a bigger one in a window. */
var DRAW_WHOLE = 2000;
/** At most this many arrows and marks at once, however far out the view is zoomed. */
var DRAW_MOST = 3000;

function Diagram(host, data, view, svgId, scale) {
  var self = this;
  // The id first, as the document shows it: <svg id="diagram" ...>.
  var svg = el("svg", svgId ? { id: svgId, "class": "diagram" } : { "class": "diagram" });
  var header = document.createElement("div");
  header.className = "lane-names";
  host.appendChild(header);
  host.appendChild(svg);
  // Time axis: about one row per event on average, within sane bounds (or another diagram's, to
  // compare two runs at the same scale).
  var perMs = scale && scale.perMs ? scale.perMs :
    data.end > 0 ? Math.min(50, Math.max(0.02, data.count * ROW / data.end)) : 1;
  var whole = data.messages.length + data.marks.length <= DRAW_WHOLE;
  var x = {}, width = 0, bottom = 0;
  var dyn = null, cursorLine = null, diffLine = null;
  var drawnFrom = 0, drawnTo = -1;
  var drawnByEvent = {};
  var current = -1, difference = null, pick = null, frame = 0;
  // Each node's lifeline, as [event index, status] steps, from its marks.
  var steps = {};
  data.nodes.forEach(function (n) { steps[n] = []; });
  data.marks.forEach(function (m) {
    var s = m.kind === "crash" ? "down" : m.kind === "pause" ? "paused" :
      m.kind === "restart" || m.kind === "resume" ? "up" : null;
    if (s !== null && steps[m.node]) steps[m.node].push([m.i, s]);
  });
  // Marks and messages by the event they sit at, to find them in a window quickly.
  var markAt = data.marks.map(function (m) { return m.i; });

  function y(i) {
    if (i === null || i === undefined) return bottom;
    return TOP + (view.axis === "time" ? data.times[i] * perMs : i * ROW) * view.zoom;
  }
  self.y = y;
  /** The first event index whose y is >= yy. */
  function indexAtY(yy) {
    var lo = 0, hi = data.count;
    while (lo < hi) {
      var mid = (lo + hi) >> 1;
      if (y(mid) < yy) lo = mid + 1; else hi = mid;
    }
    return lo;
  }

  self.render = function () {
    while (svg.firstChild) svg.removeChild(svg.firstChild);
    header.textContent = "";
    var shown = data.nodes.filter(function (n) { return view.visible[n] !== false; });
    x = {};
    shown.forEach(function (n, k) { x[n] = LEFT + GAP / 2 + k * GAP; });
    bottom = (data.count > 0 ? y(data.count - 1) : TOP) + 30;
    width = LEFT + Math.max(1, shown.length) * GAP + 20;
    svg.setAttribute("width", width);
    svg.setAttribute("height", bottom + 10);
    svg.setAttribute("viewBox", "0 0 " + width + " " + (bottom + 10));
    var defs = el("defs", {}, svg);
    var marker = el("marker", { id: (svgId || "d") + "-head", viewBox: "0 0 10 10", refX: "10",
      refY: "5", markerWidth: "7", markerHeight: "7", orient: "auto-start-reverse" }, defs);
    el("path", { d: "M0,0 L10,5 L0,10 z", fill: "context-stroke" }, marker);
    header.style.width = width + "px";
    shown.forEach(function (n) {
      var name = document.createElement("span");
      name.textContent = n;
      name.style.left = (x[n] - GAP / 2) + "px";
      name.style.width = GAP + "px";
      name.setAttribute("data-node", n);
      name.title = "step through " + n + "'s events ([ and ])";
      name.addEventListener("click", function () { if (self.onNode) self.onNode(n); });
      header.appendChild(name);
    });

    var cuts = el("g", { "class": "cuts" }, svg);
    data.cuts.forEach(function (c) {
      var g = el("g", { "class": "cut" }, cuts);
      var y0 = y(c.i), y1 = c.untilI === null ? bottom : y(c.untilI);
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
      var status = "up", from = 0;
      steps[n].forEach(function (s) {
        if (s[1] === status) return;
        var at = y(s[0]);
        el("line", { x1: x[n], x2: x[n], y1: from, y2: at, "class": status }, g);
        status = s[1];
        from = at;
      });
      el("line", { x1: x[n], x2: x[n], y1: from, y2: bottom, "class": status }, g);
    });
    laneNamesHeight = header.offsetHeight;
    dyn = el("g", { "class": "window" }, svg);
    var alarms = el("g", { "class": "alarms" }, svg);
    data.alarms.forEach(function (a) {
      var g = el("g", { "class": "alarm", "data-i": a.i }, alarms);
      var yy = y(a.i);
      el("line", { x1: LEFT, x2: width, y1: yy, y2: yy }, g);
      el("text", { x: LEFT + 4, y: yy - 4 }, g).textContent = "VIOLATION " + a.label;
      hover(g, function () { return "<b>violation</b> at " + fmt(a.t) + " ms: " + esc(a.label); });
      g.addEventListener("click", function () { if (pick) pick(a.i); });
    });
    cursorLine = el("line", { "class": "cursor", x1: 0, x2: width, y1: -10, y2: -10 }, svg);
    diffLine = el("g", { "class": "difference" }, svg);
    drawnFrom = 0;
    drawnTo = -1;
    drawWindow();
    svg.setAttribute("data-lanes", String(shown.length));
    svg.setAttribute("data-axis", view.axis);
    if (current >= 0) self.setCursor(current);
    self.setDifference(difference);
  };

  /** Where the SVG's top sits in the scroll container (under the sticky lane names). */
  var laneNamesHeight = 0;
  function svgTop() {
    // The lane names sit above the SVG (sticky, but they keep their place in the flow); their
    // height is measured once per drawing, so that scrolling never forces a layout.
    return laneNamesHeight;
  }
  /** The events in view: [first index, last index]. */
  function visible() {
    var top = host.scrollTop - svgTop(), h = host.clientHeight;
    return [indexAtY(top), Math.min(data.count - 1, indexAtY(top + h))];
  }
  /** What to draw: everything, or what is within a screen of the view. */
  function wanted() {
    if (whole || data.count === 0) return [0, data.count - 1];
    var top = host.scrollTop - svgTop(), h = Math.max(host.clientHeight, 400);
    return [Math.max(0, indexAtY(top - h) - 1), Math.min(data.count - 1, indexAtY(top + 2 * h))];
  }
  /** Whether the view came within half a screen of the drawn window's edge. */
  function nearEdge() {
    var v = visible(), h = host.clientHeight / 2;
    return (drawnFrom > 0 && y(v[0]) - y(drawnFrom) < h) ||
      (drawnTo < data.count - 1 && y(drawnTo) - y(v[1]) < h);
  }

  function drawWindow() {
    var range = wanted(), from = range[0], to = range[1];
    while (dyn.firstChild) dyn.removeChild(dyn.firstChild);
    drawnByEvent = {};
    drawnFrom = from;
    drawnTo = to;
    var y0 = y(from), y1 = y(to), drawn = 0, skipped = 0;
    // Time labels at the left, no closer than a row apart.
    var axis = el("g", { "class": "axis" }, dyn);
    var lastY = -Infinity, lastT = -1;
    for (var i = from; i <= to; i++) {
      var t = data.times[i];
      if (t === lastT) continue;
      var yy = y(i);
      if (yy - lastY < ROW) continue;
      el("line", { x1: LEFT - 4, x2: width, y1: yy, y2: yy }, axis);
      el("text", { x: LEFT - 8, y: yy + 3 }, axis).textContent = fmt(t) + " ms";
      lastY = yy;
      lastT = t;
    }
    var msgs = el("g", { "class": "msgs" }, dyn);
    var shownMessages = 0;
    data.messages.forEach(function (m, k) {
      if (!(m.from in x) || !(m.to in x)) return;
      shownMessages++;
      var a = y(m.i0), b = m.i1 === null ? bottom : y(m.i1);
      if (a > y1 || b < y0) return;
      if (drawn >= DRAW_MOST) { skipped++; return; }
      drawn++;
      drawMessage(msgs, m, k);
    });
    var marks = el("g", { "class": "marks" }, dyn);
    for (var k = lowerBound(markAt, from); k < data.marks.length && data.marks[k].i <= to; k++) {
      var mk = data.marks[k];
      if (!(mk.node in x)) continue;
      if (drawn >= DRAW_MOST) { skipped++; continue; }
      drawn++;
      drawMark(marks, mk, k);
    }
    svg.setAttribute("data-messages", String(shownMessages));
    svg.setAttribute("data-drawn-from", String(from));
    svg.setAttribute("data-drawn-to", String(to));
    svg.setAttribute("data-clipped", skipped > 0 ? String(skipped) : "0");
    if (skipped > 0) {
      var note = el("text", { "class": "clipped", x: LEFT + 4, y: host.scrollTop - svgTop() + 14 },
        dyn);
      note.textContent = skipped + " more arrows and marks here: zoom in to see them";
    }
    if (current >= 0) highlight(current, true);
  }

  function remember(i, g) {
    if (i === null) return;
    (drawnByEvent[i] = drawnByEvent[i] || []).push(g);
  }

  function drawMessage(parent, m, k) {
    var g = el("g", { "class": "msg", "data-id": m.id, "data-from": m.from, "data-to": m.to,
      "data-fate": m.fate }, parent);
    var x0 = x[m.from], y0 = y(m.i0), x1, y1;
    var atSend = m.fate === "dropped" && m.i1 === m.i0 + 1 &&
      (m.reason === "loss" || m.reason === "partition");
    if (m.fate === "in-flight") {
      x1 = x[m.to];
      y1 = bottom;
    } else if (atSend) {
      x1 = x0 + (x[m.to] - x0) / 2;
      y1 = y0 + ROW * 0.6 * view.zoom;
    } else {
      x1 = x[m.to];
      y1 = y(m.i1);
    }
    var color = m.fate === "dropped" ? "#d33" : colorOf(m.label);
    var attrs = { x1: x0, y1: y0, x2: x1, y2: y1, "class": "arrow", stroke: color };
    if (m.fate === "delivered") attrs["marker-end"] = "url(#" + (svgId || "d") + "-head)";
    el("line", attrs, g);
    el("line", { x1: x0, y1: y0, x2: x1, y2: y1, "class": "hit" }, g);
    if (m.fate === "dropped") el("text", { x: x1, y: y1, "class": "lost" }, g).textContent = "✗";
    el("text", { x: (x0 + x1) / 2 + 3, y: (y0 + y1) / 2 - 3 }, g).textContent = m.label;
    g.setAttribute("data-m", String(k));
    remember(m.i0, g);
    remember(m.i1, g);
  }

  function drawMark(parent, m, k) {
    var g = el("g", { "class": "mark " + m.kind, "data-kind": m.kind, "data-node": m.node,
      "data-i": m.i }, parent);
    var cx = x[m.node], cy = y(m.i);
    if (m.kind === "crash") {
      el("text", { x: cx, y: cy }, g).textContent = "✕";
    } else {
      el("circle", { cx: cx, cy: cy, r: m.kind === "timer" ? 2.5 : 4,
        fill: MARK_COLOR[m.kind] || "#555" }, g);
    }
    g.setAttribute("data-k", String(k));
    remember(m.i, g);
  }

  function highlight(i, on) {
    (drawnByEvent[i] || []).forEach(function (g) {
      if (on) g.classList.add("current"); else g.classList.remove("current");
    });
  }

  self.setCursor = function (i) {
    if (current >= 0) highlight(current, false);
    current = i;
    if (i < 0 || i >= data.count) {
      cursorLine.setAttribute("y1", -10);
      cursorLine.setAttribute("y2", -10);
      return;
    }
    var yy = y(i);
    cursorLine.setAttribute("y1", yy);
    cursorLine.setAttribute("y2", yy);
    highlight(i, true);
  };

  self.setDifference = function (i) {
    difference = i;
    if (!diffLine) return;
    while (diffLine.firstChild) diffLine.removeChild(diffLine.firstChild);
    if (i === null || i === undefined) return;
    var yy = i < data.count ? y(i) : bottom - 20;
    el("line", { x1: LEFT, x2: width, y1: yy, y2: yy }, diffLine);
    el("text", { x: width - 6, y: yy - 4 }, diffLine).textContent = "first difference #" + i;
  };

  /** Scrolls so that event i is in view (not at the very edge). */
  self.reveal = function (i) {
    if (i < 0 || i >= data.count) return;
    var yy = y(i) + svgTop(), top = host.scrollTop, h = host.clientHeight;
    if (yy < top + 40 || yy > top + h - 40) host.scrollTop = Math.max(0, yy - h / 3);
    if (!whole && (i < drawnFrom || i > drawnTo || nearEdge())) drawWindow();
  };

  self.onPick = function (fn) { pick = fn; };
  self.perMs = perMs;
  self.host = host;
  self.svg = svg;
  self.data = data;

  // One listener for every arrow and mark (a large run draws thousands as it scrolls).
  function itemOf(target) {
    var g = target && target.closest ? target.closest("g.msg, g.mark") : null;
    if (g === null) return null;
    if (g.hasAttribute("data-m")) return { message: data.messages[Number(g.getAttribute("data-m"))] };
    return { mark: data.marks[Number(g.getAttribute("data-k"))] };
  }
  svg.addEventListener("mousemove", function (ev) {
    var item = itemOf(ev.target);
    if (item === null) return hideTip();
    if (item.message) return showTip(ev, messageHtml(item.message));
    var m = item.mark;
    showTip(ev, esc(m.node) + " at " + fmt(m.t) + " ms: " + esc(m.label) +
      (m.detail ? "<pre>" + esc(pretty(m.detail)) + "</pre>" : ""));
  });
  svg.addEventListener("mouseleave", hideTip);
  svg.addEventListener("click", function (ev) {
    var item = itemOf(ev.target);
    if (item !== null && pick) pick(item.message ? item.message.i0 : item.mark.i);
  });

  host.addEventListener("scroll", function () {
    if (whole || frame) return;
    frame = requestAnimationFrame(function () {
      frame = 0;
      if (nearEdge()) drawWindow();
    });
  });
}
`;
