/**
 * The page's state panel, as browser script: every node's state at the
 * current event, from the run's recorded state changes (`../states.ts`),
 * with what changed at that event highlighted.
 *
 * States are materialised by applying the changes in order. Going forwards
 * applies the changes in between; going backwards restores the nearest
 * checkpoint (one every 500 changes, taken on the way forwards) and applies
 * from there, so any step costs at most 500 small patches.
 *
 * Plain ES2017 in a string, no template literals (see `page_script.ts`).
 *
 * @module
 */

/**
 * `StateStore(data)`: `seek(i)` makes `state(k)` node k's state just after
 * event i; `changesAt(i)` lists `[node index, patch]` of event i;
 * `version(k)` changes whenever node k's state does. `StatePanel(host,
 * data, store)`: `show(i)` draws one block per node.
 *
 * @example
 * ```ts
 * import { STATES_SCRIPT } from "./page_states.ts";
 * import assert from "node:assert/strict";
 * assert.match(STATES_SCRIPT, /function StateStore\(data\)/);
 * assert.match(STATES_SCRIPT, /function StatePanel\(host, data, store\)/);
 * ```
 */
export const STATES_SCRIPT: string = String.raw`
var CHECKPOINT_EVERY = 500;
/** Arrays longer than this show their first and last items and what changed. */
var LONG_ARRAY = 40;

function applyOps(state, ops) {
  for (var k = 0; k < ops.length; k++) {
    var op = ops[k], path = op[0];
    var value = op.length === 2 ? clone(op[1]) : undefined;
    if (path.length === 0) { state = value; continue; }
    var parent = state;
    for (var j = 0; j < path.length - 1; j++) parent = parent[path[j]];
    var key = path[path.length - 1];
    if (op.length === 2) parent[key] = value; else delete parent[key];
  }
  return state;
}

function StateStore(data) {
  var self = this;
  var changes = data.states ? data.states.changes : [];
  var ats = changes.map(function (c) { return c[0]; });
  var n = data.nodes.length;
  var states = new Array(n), versions = new Array(n), applied = 0;
  for (var k = 0; k < n; k++) versions[k] = 0;
  var checkpoints = [clone(states)];
  // Top-level fields that never change after a node's first state (a configuration, say): the
  // panel folds them, so that what moves stands out.
  var moved = data.nodes.map(function () { return {}; }), seen = data.nodes.map(function () {
    return false;
  });
  changes.forEach(function (c) {
    var k = c[1];
    if (!seen[k]) { seen[k] = true; return; }
    c[2].forEach(function (op) {
      if (op[0].length > 0) moved[k][op[0][0]] = true;
      else if (op.length === 2 && op[1] !== null && typeof op[1] === "object") {
        Object.keys(op[1]).forEach(function (key) { moved[k][key] = true; });
      }
    });
  });
  self.moved = function (k) { return moved[k]; };
  self.recorded = data.states !== null;
  self.count = changes.length;

  self.seek = function (i) {
    var target = upperBound(ats, i);
    if (target < applied) {
      var c = Math.floor(target / CHECKPOINT_EVERY);
      states = clone(checkpoints[c]);
      applied = c * CHECKPOINT_EVERY;
      for (var k = 0; k < n; k++) versions[k]++;
    }
    while (applied < target) {
      var change = changes[applied];
      states[change[1]] = applyOps(states[change[1]], change[2]);
      versions[change[1]]++;
      applied++;
      if (applied % CHECKPOINT_EVERY === 0 && checkpoints.length === applied / CHECKPOINT_EVERY) {
        checkpoints.push(clone(states));
      }
    }
  };
  self.state = function (k) { return states[k]; };
  self.version = function (k) { return versions[k]; };
  self.changesAt = function (i) {
    var out = [];
    for (var c = lowerBound(ats, i); c < changes.length && ats[c] === i; c++) {
      out.push([changes[c][1], changes[c][2]]);
    }
    return out;
  };
}

/** Each node's status (up, crashed, paused, not started) at any event, from its marks. */
function NodeStatus(data) {
  var steps = data.nodes.map(function () { return { at: [], status: [] }; });
  var index = {};
  data.nodes.forEach(function (n, k) { index[n] = k; });
  data.marks.forEach(function (m) {
    var s = m.kind === "start" || m.kind === "restart" || m.kind === "resume" ? "up" :
      m.kind === "crash" ? "crashed" : m.kind === "pause" ? "paused" : null;
    if (s === null || !(m.node in index)) return;
    var st = steps[index[m.node]];
    st.at.push(m.i);
    st.status.push(s);
  });
  this.at = function (k, i) {
    var st = steps[k], j = upperBound(st.at, i) - 1;
    return j < 0 ? "not started" : st.status[j];
  };
}

function samePrefix(prefix, path) {
  if (prefix.length > path.length) return false;
  for (var k = 0; k < prefix.length; k++) if (String(prefix[k]) !== String(path[k])) return false;
  return true;
}

/** Whether the value at path changed under ops (set there, above it, or truncated there). */
function changedBy(ops, path) {
  for (var k = 0; k < ops.length; k++) {
    var p = ops[k][0];
    if (ops[k].length === 2 && samePrefix(p, path)) return true;
    if (p.length === path.length + 1 && p[p.length - 1] === "length" && samePrefix(path, p)) {
      return true;
    }
  }
  return false;
}

/**
 * A state as indented JSON in HTML, changed lines marked, removed fields listed; top-level fields
 * not in moved (when given) folded to one line.
 */
function stateHtml(value, ops, moved) {
  var out = [];
  function line(indent, text, changed) {
    var pad = new Array(indent + 1).join("  ");
    out.push(changed ? '<span class="changed">' + pad + text + "</span>" : pad + text);
  }
  function removedUnder(path, indent) {
    ops.forEach(function (op) {
      if (op.length === 1 && op[0].length === path.length + 1 && samePrefix(path, op[0])) {
        line(indent, '<span class="removed">&minus; ' + esc(JSON.stringify(String(op[0][path.length]))) +
          " removed</span>", true);
      }
    });
  }
  function walk(v, path, indent, head, tail) {
    var changed = changedBy(ops, path);
    if (v === null || typeof v !== "object") {
      line(indent, head + esc(JSON.stringify(v)) + tail, changed);
      return;
    }
    var isArray = Array.isArray(v), keys = isArray ? null : Object.keys(v);
    var size = isArray ? v.length : keys.length;
    var short = JSON.stringify(v);
    if (moved && path.length === 1 && !moved[path[0]] && size > 0 && short.length > 60 && !changed) {
      line(indent, head + '<span class="folded" title="the same all run: click to unfold">' +
        (isArray ? "[…]" : "{…}") + "</span>" + tail, false);
      return;
    }
    if (size === 0 || (short.length <= 60 && !hasInner(path, changed))) {
      line(indent, head + esc(short) + tail, changed);
      if (!isArray) removedUnder(path, indent + 1);
      return;
    }
    line(indent, head + (isArray ? "[" : "{"), changed);
    if (isArray) {
      var skipped = 0;
      for (var i = 0; i < v.length; i++) {
        var keep = v.length <= LONG_ARRAY || i < 20 || i >= v.length - 10 ||
          changedBy(ops, path.concat([i])) || hasInner(path.concat([i]), false);
        if (!keep) { skipped++; continue; }
        if (skipped > 0) {
          line(indent + 1, '<span class="elided">… ' + skipped + " more …</span>", false);
          skipped = 0;
        }
        walk(v[i], path.concat([i]), indent + 1, "", i < v.length - 1 ? "," : "");
      }
    } else {
      keys.forEach(function (k, j) {
        walk(v[k], path.concat([k]), indent + 1, esc(JSON.stringify(k)) + ": ",
          j < keys.length - 1 ? "," : "");
      });
      removedUnder(path, indent + 1);
    }
    line(indent, (isArray ? "]" : "}") + tail, false);
  }
  /** Whether some op touches a path strictly below this one (so it must be drawn open). */
  function hasInner(path, changedHere) {
    if (changedHere) return false;
    for (var k = 0; k < ops.length; k++) {
      if (ops[k][0].length > path.length && samePrefix(path, ops[k][0])) return true;
    }
    return false;
  }
  walk(value, [], 0, "", "");
  return out.join("\n");
}

function StatePanel(host, data, store) {
  var self = this;
  var status = new NodeStatus(data);
  var blocks = [], drawn = [], unfolded = [];
  if (!store.recorded) {
    host.innerHTML = '<p class="none">This page has no state changes: they are recorded by ' +
      "<code>sim run --out run.html</code> and the studio.</p>";
  }
  data.nodes.forEach(function (n, k) {
    var block = document.createElement("section");
    block.className = "node-state";
    block.setAttribute("data-node", n);
    var h = document.createElement("h3");
    var name = document.createElement("span");
    name.className = "name";
    name.textContent = n;
    var st = document.createElement("span");
    st.className = "status";
    var src = document.createElement("span");
    src.className = "source";
    var source = data.states ? data.states.sources[k] : "";
    src.textContent = source === "inspect" ? "inspect()" : source === "fields" ? "public fields" : "";
    src.title = source === "fields" ? "this actor has no inspect(): its public plain-data fields" : "";
    h.appendChild(name);
    h.appendChild(st);
    h.appendChild(src);
    var pre = document.createElement("pre");
    pre.className = "state";
    block.appendChild(h);
    block.appendChild(pre);
    h.addEventListener("click", function () { if (self.onNode) self.onNode(n); });
    pre.addEventListener("click", function (ev) {
      if (!ev.target.classList || !ev.target.classList.contains("folded")) return;
      unfolded[k] = true;
      drawn[k] = "";
      self.show(view.current);
    });
    if (store.recorded) host.appendChild(block);
    blocks.push({ block: block, status: st, pre: pre });
    drawn.push("");
  });

  self.show = function (i) {
    if (!store.recorded) return;
    store.seek(i);
    var changed = {};
    store.changesAt(i).forEach(function (c) {
      changed[c[0]] = (changed[c[0]] || []).concat(c[1]);
    });
    data.nodes.forEach(function (n, k) {
      var b = blocks[k], s = status.at(k, i);
      var key = store.version(k) + "|" + (changed[k] ? i : "-") + "|" + s;
      b.block.hidden = view.visible[n] === false;
      if (drawn[k] === key) return;
      drawn[k] = key;
      b.status.textContent = s;
      b.status.setAttribute("data-status", s);
      b.block.setAttribute("data-status", s);
      if (changed[k]) b.block.classList.add("changed"); else b.block.classList.remove("changed");
      var state = store.state(k);
      b.pre.innerHTML = state === undefined
        ? '<span class="none">(no state yet)</span>'
        : stateHtml(state, changed[k] || [], unfolded[k] ? null : store.moved(k));
    });
  };
}
`;
