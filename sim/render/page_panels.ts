/**
 * The page's side panels besides the state, as browser script: the current
 * event and its message, the fault timeline, and the checks (where an
 * invariant failed; for a linearizability failure, the client timelines
 * with the longest linearizable prefix and the operation that cannot follow
 * it).
 *
 * Plain ES2017 in a string, no template literals (see `page_script.ts`).
 *
 * @module
 */

/**
 * `EventPanel(host, data)`, `FaultPanel(host, data, index)` (index: the
 * event panel's `EventIndex`), `CheckPanel(host, data)`: each has
 * `show(i)` for the current event; the last two call `onPick(i)` when a
 * line is clicked.
 *
 * @example
 * ```ts
 * import { PANELS_SCRIPT } from "./page_panels.ts";
 * import assert from "node:assert/strict";
 * for (const signature of ["EventPanel(host, data)", "FaultPanel(host, data, index)"]) {
 *   assert.ok(PANELS_SCRIPT.includes("function " + signature));
 * }
 * ```
 */
export const PANELS_SCRIPT: string = String.raw`
/** For each event, the message, mark, cut or alarm it belongs to. */
function EventIndex(data) {
  var refKind = new Int8Array(data.count), ref = new Int32Array(data.count);
  data.messages.forEach(function (m, k) {
    refKind[m.i0] = 1; ref[m.i0] = k;
    if (m.i1 !== null) { refKind[m.i1] = 1; ref[m.i1] = k; }
  });
  data.marks.forEach(function (m, k) { refKind[m.i] = 2; ref[m.i] = k; });
  data.cuts.forEach(function (c, k) {
    refKind[c.i] = 3; ref[c.i] = k;
    if (c.untilI !== null && refKind[c.untilI] === 0) { refKind[c.untilI] = 3; ref[c.untilI] = k; }
  });
  data.alarms.forEach(function (a, k) { refKind[a.i] = 4; ref[a.i] = k; });
  this.message = function (i) { return refKind[i] === 1 ? data.messages[ref[i]] : null; };
  this.mark = function (i) { return refKind[i] === 2 ? data.marks[ref[i]] : null; };
  this.cut = function (i) { return refKind[i] === 3 ? data.cuts[ref[i]] : null; };
  this.alarm = function (i) { return refKind[i] === 4 ? data.alarms[ref[i]] : null; };
}

function kindOf(data, i) { return KINDS[data.kinds.charCodeAt(i) - 97]; }
function nodeOf(data, i) { return data.who[i] < 0 ? null : data.nodes[data.who[i]]; }

/** One event as a line of text, as the terminal's formatEvent writes it. */
function eventText(data, index, i) {
  var kind = kindOf(data, i), node = nodeOf(data, i), m = index.message(i);
  var at = fmt(data.times[i]) + " ms  " + (node || "*") + "  ";
  if (m !== null) {
    if (kind === "send") return at + "send #" + m.id + " -> " + m.to + "  " + clip(m.body, 80);
    if (kind === "deliver") return at + "deliver #" + m.id + " <- " + m.from + "  " + clip(m.body, 80);
    if (kind === "drop") return at + "drop #" + m.id + " " + m.from + " -> " + m.to + " (" + m.reason + ")";
    if (kind === "duplicate") return at + "duplicate #" + m.copyOf + " -> " + m.to + " as #" + m.id;
  }
  var mk = index.mark(i);
  if (mk !== null) return at + mk.label + (mk.detail ? " " + clip(mk.detail, 80) : "");
  var a = index.alarm(i);
  if (a !== null) return at + "VIOLATION " + a.label;
  var c = index.cut(i);
  if (c !== null && c.i === i) return at + c.label;
  return at + kind;
}

function messageHtml(m) {
  var head = "#" + m.id + (m.copyOf === null ? "" : " (copy of #" + m.copyOf + ")") +
    "  " + esc(m.from) + " &rarr; " + esc(m.to) + "<br>sent " + fmt(m.t0) + " ms, ";
  var end = m.fate === "delivered"
    ? "delivered " + fmt(m.t1) + " ms (" + fmt(m.t1 - m.t0) + " ms in flight)"
    : m.fate === "dropped" ? "dropped at " + fmt(m.t1) + " ms (" + esc(m.reason) + ")"
    : "still in flight when the run ended";
  return head + end + "<pre>" + esc(pretty(m.body)) + "</pre>";
}

function EventPanel(host, data) {
  var index = new EventIndex(data);
  this.index = index;
  this.show = function (i) {
    if (data.count === 0) { host.innerHTML = '<p class="none">no events</p>'; return; }
    var kind = kindOf(data, i), node = nodeOf(data, i);
    var html = '<p class="where">event <b>#' + i + "</b> of " + data.count + " &middot; " +
      fmt(data.times[i]) + " ms" + (node ? " &middot; " + esc(node) : "") + " &middot; " + kind + "</p>";
    html += '<p class="line">' + esc(eventText(data, index, i)) + "</p>";
    var m = index.message(i), mk = index.mark(i), a = index.alarm(i), c = index.cut(i);
    if (m !== null) {
      html += '<div class="message" data-id="' + m.id + '">' + messageHtml(m) + "</div>";
      var links = [];
      if (m.i0 !== i) links.push('<a href="#" data-go="' + m.i0 + '">its send (#' + m.i0 + ")</a>");
      if (m.i1 !== null && m.i1 !== i) {
        links.push('<a href="#" data-go="' + m.i1 + '">its ' +
          (m.fate === "delivered" ? "delivery" : "drop") + " (#" + m.i1 + ")</a>");
      }
      if (links.length > 0) html += '<p class="links">' + links.join(" &middot; ") + "</p>";
    } else if (mk !== null && mk.detail) {
      html += "<pre>" + esc(pretty(mk.detail)) + "</pre>";
    } else if (a !== null) {
      html += '<p class="violation">' + esc(a.label) + "</p>";
    } else if (c !== null) {
      html += "<p>" + esc(c.label) + (c.untilI === null ? ", never healed" : ", healed at #" + c.untilI) +
        "</p>";
    }
    host.innerHTML = html;
    host.setAttribute("data-i", String(i));
    host.setAttribute("data-kind", kind);
  };
}

var FAULT_KINDS = { crash: 1, restart: 1, pause: 1, resume: 1, partition: 1, block: 1, unblock: 1,
  disconnect: 1, reconnect: 1, heal: 1, clock: 1 };

function FaultPanel(host, data, index) {
  var self = this, items = [];
  var list = document.createElement("ol");
  list.className = "faults";
  for (var i = 0; i < data.count; i++) {
    var kind = kindOf(data, i);
    if (!(kind in FAULT_KINDS)) continue;
    var li = document.createElement("li");
    li.setAttribute("data-i", String(i));
    li.setAttribute("data-kind", kind);
    li.textContent = eventText(data, index, i);
    (function (at) { li.addEventListener("click", function () { if (self.onPick) self.onPick(at); }); })(i);
    list.appendChild(li);
    items.push({ i: i, li: li });
  }
  if (items.length === 0) host.innerHTML = '<p class="none">no faults in this run</p>';
  else host.appendChild(list);
  var past = -1;
  this.show = function (i) {
    var now = upperBound(items.map(function (x) { return x.i; }), i);
    if (now === past) return;
    items.forEach(function (x, k) {
      if (k < now) x.li.classList.add("past"); else x.li.classList.remove("past");
      if (k === now - 1) x.li.classList.add("latest"); else x.li.classList.remove("latest");
    });
    past = now;
  };
}

function CheckPanel(host, data) {
  var self = this;
  var html = "";
  if (data.alarms.length === 0) html += '<p class="ok">every check held</p>';
  else {
    html += '<ol class="violations">';
    data.alarms.forEach(function (a) {
      html += '<li data-i="' + a.i + '"><a href="#" data-go="' + a.i + '">#' + a.i + " at " +
        fmt(a.t) + " ms</a> " + (a.node ? esc(a.node) + ": " : "") + esc(a.label) + "</li>";
    });
    html += "</ol>";
  }
  var lin = data.linearizability;
  if (lin) {
    html += '<h3>linearizability</h3><p class="lin-summary">' + esc(lin.description[0]) + "</p>";
    html += '<p class="legend"><span class="op stuck">cannot be placed</span> ' +
      '<span class="op prefix">in the longest linearizable prefix (' + lin.prefixLength +
      ' ops; numbered in order)</span> <span class="op waiting">not placed</span> ' +
      '<span class="op other">overlapping</span></p><div id="lin-timelines"></div>';
  }
  host.innerHTML = html;
  if (lin) drawClientTimelines(host.querySelector("#lin-timelines"), lin, function (i) {
    if (self.onPick) self.onPick(i);
  });
  this.show = function () {};
}

/** The client timelines of a linearizability failure: one row per client, a bar per operation. */
function drawClientTimelines(host, lin, pick) {
  var clients = [];
  lin.ops.forEach(function (op) { if (clients.indexOf(op.client) < 0) clients.push(op.client); });
  // The stretch the checker's operations span, a little wider; longer operations are cut at it.
  var pad = Math.max((lin.to - lin.from) * 0.05, 0.5);
  var from = lin.from - pad, to = lin.to + pad;
  var W = Math.max(320, host.clientWidth || 400), L = 40, RH = 34;
  var span = Math.max(to - from, 1e-3);
  var sx = function (t) { return Math.max(L, Math.min(W - 10, L + (t - from) / span * (W - L - 10))); };
  var svg = el("svg", { id: "lin", width: W, height: clients.length * RH + 24,
    viewBox: "0 0 " + W + " " + (clients.length * RH + 24) }, host);
  clients.forEach(function (c, k) {
    el("text", { x: 4, y: k * RH + 20, "class": "client" }, svg).textContent = c;
    el("line", { x1: L, x2: W - 10, y1: k * RH + 26, y2: k * RH + 26, "class": "row" }, svg);
  });
  lin.ops.forEach(function (op) {
    var k = clients.indexOf(op.client);
    var x0 = sx(op.call), x1 = op.ret === null ? W - 10 : Math.max(sx(op.ret), x0 + 3);
    if (x0 >= W - 10) x0 = W - 13;
    var g = el("g", { "class": "op " + op.role, "data-op": op.op, "data-role": op.role }, svg);
    el("rect", { x: x0, y: k * RH + 8, width: x1 - x0, height: 14, rx: 2 }, g);
    var text = (op.order !== null ? op.order + ". " : "") + op.f + " " + clip(op.input, 12) +
      (op.ret === null ? " …" : " → " + clip(op.output, 12));
    el("text", { x: x0 + 2, y: k * RH + 19 }, g).textContent = text;
    hover(g, function () {
      return "op " + op.op + " (" + esc(op.client) + "): " + esc(op.f) + " " + esc(op.input) +
        " &rarr; " + esc(op.output || "(no reply)") + "<br>" + fmt(op.call) + " ms to " +
        (op.ret === null ? "never returned" : fmt(op.ret) + " ms") + ", " + op.status +
        "<br>" + (op.role === "stuck" ? "cannot be placed after the prefix" :
          op.role === "prefix" ? "linearized #" + op.order : op.role === "waiting" ?
          "not linearized" : "overlaps them");
    });
    g.addEventListener("click", function () { pick(op.i1 !== null ? op.i1 : op.i0); });
  });
  el("text", { x: L, y: clients.length * RH + 20, "class": "axis-note" }, svg).textContent =
    fmt(from) + " ms";
  el("text", { x: W - 10, y: clients.length * RH + 20, "class": "axis-note end" }, svg).textContent =
    fmt(to) + " ms";
}
`;
