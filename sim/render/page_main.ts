/**
 * The page's main script: reads the run's model, builds the diagram and
 * the panels, and moves the current event with the scrubber, the buttons
 * and the keyboard.
 *
 * Keys: → or j next event, ← or k previous; ] and [ (or Shift+→, Shift+←)
 * the next and previous event of the chosen node; v the first violation;
 * Home and End the first and last event. The view is kept in the address
 * (`#e=120&node=n2&hide=n3&axis=steps&zoom=2`), so a link opens the same
 * view at the same event.
 *
 * After the first drawing it sets `data-ready="true"` and `data-load-ms` (ms
 * since the navigation began) on `<body>`; `window.dsim` offers `go(i)`,
 * `current()` and `count` to scripts (the browser tests and the bench).
 *
 * Plain ES2017 in a string, no template literals (see `page_script.ts`).
 *
 * @module
 */

/**
 * The main script (runs last, after the other parts).
 *
 * @example
 * ```ts
 * import { MAIN_SCRIPT } from "./page_main.ts";
 * import assert from "node:assert/strict";
 * assert.match(MAIN_SCRIPT, /data-ready/);
 * ```
 */
export const MAIN_SCRIPT: string = String.raw`
var data = JSON.parse(document.getElementById("trace-data").textContent);
var view = { axis: "time", zoom: 1, visible: {}, current: 0, node: null };
data.nodes.forEach(function (n) { view.visible[n] = true; });
location.hash.replace(/^#/, "").split("&").forEach(function (part) {
  var kv = part.split("="), value = decodeURIComponent(kv[1] || "");
  if (kv[0] === "hide") value.split(",").forEach(function (n) {
    if (n in view.visible) view.visible[n] = false;
  });
  if (kv[0] === "axis" && (value === "time" || value === "steps")) view.axis = value;
  if (kv[0] === "zoom" && Number(value) > 0) view.zoom = Number(value);
  if (kv[0] === "e" && /^[0-9]+$/.test(value)) view.current = Number(value);
  if (kv[0] === "node" && data.nodes.indexOf(value) >= 0) view.node = value;
});
view.current = Math.max(0, Math.min(view.current, data.count - 1));

var addressTimer = 0;
function syncAddress() {
  // Browsers refuse a flood of address changes (holding a key down): write it once things settle.
  clearTimeout(addressTimer);
  addressTimer = setTimeout(function () {
    var hidden = data.nodes.filter(function (n) { return !view.visible[n]; });
    var parts = [];
    if (view.current > 0) parts.push("e=" + view.current);
    if (view.node !== null) parts.push("node=" + encodeURIComponent(view.node));
    if (hidden.length > 0) parts.push("hide=" + encodeURIComponent(hidden.join(",")));
    if (view.axis !== "time") parts.push("axis=" + view.axis);
    if (view.zoom !== 1) parts.push("zoom=" + Math.round(view.zoom * 1000) / 1000);
    try {
      history.replaceState(null, "", parts.length > 0 ? "#" + parts.join("&") : location.pathname);
    } catch (e) {
      // Some viewers (a sandboxed frame) refuse; the view still works.
    }
  }, 250);
}

var host = document.getElementById("view");
var diagram = new Diagram(host, data, view, "diagram");
var store = new StateStore(data);
var statePanel = new StatePanel(document.getElementById("state"), data, store);
var eventPanel = new EventPanel(document.getElementById("event"), data);
var faultPanel = new FaultPanel(document.getElementById("faults"), data, eventPanel.index);
var checkPanel = new CheckPanel(document.getElementById("checks"), data);
var scrubber = document.getElementById("scrubber");
var position = document.getElementById("position");
var nodeSelect = document.getElementById("step-node");
/** Diagrams of other runs (a what-if) whose cursor follows this one's. */
var followers = [];
var listeners = [];

function go(i) {
  if (data.count === 0) return;
  i = Math.max(0, Math.min(data.count - 1, i));
  view.current = i;
  scrubber.value = String(i);
  position.textContent = "event " + i + " / " + (data.count - 1) + " · " + fmt(data.times[i]) + " ms";
  diagram.setCursor(i);
  diagram.reveal(i);
  followers.forEach(function (d) { d.setCursor(i); d.reveal(Math.min(i, d.data.count - 1)); });
  statePanel.show(i);
  eventPanel.show(i);
  faultPanel.show(i);
  listeners.forEach(function (fn) { fn(i); });
  document.body.setAttribute("data-current", String(i));
  syncAddress();
}

function chooseNode(n) {
  view.node = n;
  nodeSelect.value = n;
  syncAddress();
}

/** The next (dir 1) or previous (dir -1) event of the chosen node, from the current one. */
function stepNode(dir) {
  var n = view.node !== null ? view.node : nodeOf(data, view.current);
  if (n === null) return;
  if (view.node === null) chooseNode(n);
  var k = data.nodes.indexOf(n);
  for (var i = view.current + dir; i >= 0 && i < data.count; i += dir) {
    if (data.who[i] === k) return go(i);
  }
}

function firstViolation() {
  if (data.alarms.length > 0) go(data.alarms[0].i);
}

diagram.onPick(go);
diagram.onNode = chooseNode;
statePanel.onNode = chooseNode;
faultPanel.onPick = go;
checkPanel.onPick = go;

// Links inside panels ("its delivery", a violation) move the cursor.
document.getElementById("side").addEventListener("click", function (ev) {
  var a = ev.target.closest ? ev.target.closest("[data-go]") : null;
  if (!a) return;
  ev.preventDefault();
  go(Number(a.getAttribute("data-go")));
});

scrubber.max = String(Math.max(0, data.count - 1));
scrubber.addEventListener("input", function () { go(Number(scrubber.value)); });
data.nodes.forEach(function (n) {
  var o = document.createElement("option");
  o.value = n;
  o.textContent = n;
  nodeSelect.appendChild(o);
});
nodeSelect.value = view.node !== null ? view.node : "";
nodeSelect.addEventListener("change", function () { chooseNode(nodeSelect.value || null); });
var buttons = {
  "step-first": function () { go(0); },
  "step-prev": function () { go(view.current - 1); },
  "step-next": function () { go(view.current + 1); },
  "step-last": function () { go(data.count - 1); },
  "node-prev": function () { stepNode(-1); },
  "node-next": function () { stepNode(1); },
  "first-violation": firstViolation,
};
Object.keys(buttons).forEach(function (id) {
  document.getElementById(id).addEventListener("click", buttons[id]);
});
document.getElementById("first-violation").disabled = data.alarms.length === 0;

document.addEventListener("keydown", function (ev) {
  var t = ev.target;
  if (t && (t.tagName === "TEXTAREA" || t.tagName === "SELECT" ||
    (t.tagName === "INPUT" && t.type !== "range" && t.type !== "checkbox" && t.type !== "radio"))) {
    return;
  }
  if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
  var key = ev.key, done = true;
  if ((key === "ArrowRight" && ev.shiftKey) || key === "]") stepNode(1);
  else if ((key === "ArrowLeft" && ev.shiftKey) || key === "[") stepNode(-1);
  else if (key === "ArrowRight" || key === "ArrowDown" || key === "j") go(view.current + 1);
  else if (key === "ArrowLeft" || key === "ArrowUp" || key === "k") go(view.current - 1);
  else if (key === "v") firstViolation();
  else if (key === "Home") go(0);
  else if (key === "End") go(data.count - 1);
  else done = false;
  if (done) ev.preventDefault();
});

// Node filter: one checkbox per node.
var filter = document.getElementById("filter");
data.nodes.forEach(function (n) {
  var label = document.createElement("label");
  var box = document.createElement("input");
  box.type = "checkbox";
  box.className = "node-filter";
  box.setAttribute("data-node", n);
  // defaultChecked is the attribute, so the state shows in the DOM as well.
  box.defaultChecked = box.checked = view.visible[n];
  box.addEventListener("change", function () {
    view.visible[n] = box.defaultChecked = box.checked;
    redraw();
  });
  label.appendChild(box);
  label.appendChild(document.createTextNode(" " + n));
  filter.appendChild(label);
});

function redraw() {
  diagram.render();
  followers.forEach(function (d) { d.render(); });
  go(view.current);
}
function zoomBy(f) {
  view.zoom = Math.min(200, Math.max(0.01, view.zoom * f));
  redraw();
}
document.getElementById("zoom-in").addEventListener("click", function () { zoomBy(1.5); });
document.getElementById("zoom-out").addEventListener("click", function () { zoomBy(1 / 1.5); });
document.getElementById("zoom-fit").addEventListener("click", function () {
  var room = host.clientHeight - 40;
  var span = data.count > 0 ? diagram.y(data.count - 1) - diagram.y(0) : 0;
  if (span > 0) view.zoom = Math.max(0.01, view.zoom * room / span);
  redraw();
});
host.addEventListener("wheel", function (ev) {
  if (!ev.ctrlKey && !ev.metaKey) return;
  ev.preventDefault();
  zoomBy(ev.deltaY < 0 ? 1.2 : 1 / 1.2);
}, { passive: false });
Array.prototype.forEach.call(document.querySelectorAll("input[name=axis]"), function (r) {
  r.defaultChecked = r.checked = r.value === view.axis;
  r.addEventListener("change", function () {
    if (r.checked) {
      view.axis = r.value;
      redraw();
    }
  });
});

window.dsim = {
  go: go,
  current: function () { return view.current; },
  count: data.count,
  data: data,
  follow: function (d) { followers.push(d); },
  unfollow: function (d) { followers = followers.filter(function (x) { return x !== d; }); },
  onMove: function (fn) { listeners.push(fn); },
  view: view,
  diagram: diagram,
};
if (typeof WhatIf === "function") new WhatIf(data, view, window.dsim);
diagram.render();
go(view.current);
document.body.setAttribute("data-load-ms", String(Math.round(performance.now())));
document.body.setAttribute("data-ready", "true");
`;
