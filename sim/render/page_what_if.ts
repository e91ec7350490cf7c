/**
 * The studio's "what if" panel, as browser script: from the current event,
 * ask the studio's server to run the scenario again with one change (drop
 * this message, delay it by N ms, crash a node here, restart it, heal the
 * network now), then draw the new run beside this one, both marked where
 * they first part, the cursor on that event.
 *
 * The server answers `POST what-if` with `{ run, change, verdict, ok, data,
 * difference }` (see `sim/studio/server.ts`); the new run can be opened as a
 * page of its own (`?run=N`), from which further what-ifs branch.
 *
 * Plain ES2017 in a string, no template literals (see `page_script.ts`).
 *
 * @module
 */

/**
 * `WhatIf(data, view, dsim)`: reads `#studio-config` (`{ run, endpoint }`),
 * builds its buttons into `#what-if`, and follows the cursor.
 *
 * @example
 * ```ts
 * import { WHAT_IF_SCRIPT } from "./page_what_if.ts";
 * import assert from "node:assert/strict";
 * assert.match(WHAT_IF_SCRIPT, /function WhatIf\(data, view, dsim\)/);
 * ```
 */
export const WHAT_IF_SCRIPT: string = String.raw`
function WhatIf(data, view, dsim) {
  var config = JSON.parse(document.getElementById("studio-config").textContent);
  var panel = document.getElementById("what-if");
  var actions = document.createElement("div");
  actions.id = "what-if-actions";
  var result = document.createElement("div");
  result.id = "what-if-result";
  panel.appendChild(actions);
  panel.appendChild(result);
  var status = new NodeStatus(data);
  var index = new EventIndex(data);
  var column = null, other = null, busy = false, unsync = null;

  function button(id, text, enabled, title) {
    var b = document.createElement("button");
    b.type = "button";
    b.id = id;
    b.textContent = text;
    b.disabled = !enabled;
    if (title) b.title = title;
    return b;
  }
  function nodeChoice(id, nodes, preferred) {
    var s = document.createElement("select");
    s.id = id;
    nodes.forEach(function (n) {
      var o = document.createElement("option");
      o.value = n;
      o.textContent = n;
      s.appendChild(o);
    });
    if (nodes.indexOf(preferred) >= 0) s.value = preferred;
    return s;
  }
  function row() {
    var p = document.createElement("p");
    p.className = "what-if-row";
    actions.appendChild(p);
    return p;
  }

  function show(i) {
    actions.textContent = "";
    if (data.count === 0) return;
    var at = document.createElement("p");
    at.className = "hint";
    at.textContent = "from event #" + i + " (" + fmt(data.times[i]) + " ms), run again with one change:";
    actions.appendChild(at);
    var m = index.message(i);
    if (m !== null) {
      var lostAtSend = m.fate === "dropped" && m.i1 === m.i0 + 1;
      var what = (m.copyOf === null ? "message #" : "copy #") + m.id + " (" + m.label + ", " +
        m.from + " → " + m.to + ")";
      var r1 = row();
      r1.appendChild(button("what-if-drop", "drop " + what, !lostAtSend,
        lostAtSend ? "the network dropped it already" : ""))
        .addEventListener("click", function () { ask(i, { kind: "drop", message: m.id }); });
      var r2 = row();
      var ms = document.createElement("input");
      ms.type = "number";
      ms.id = "what-if-ms";
      ms.min = "0.001";
      ms.step = "any";
      ms.value = "10";
      r2.appendChild(button("what-if-delay", "delay " + what + " by", !lostAtSend))
        .addEventListener("click", function () {
          ask(i, { kind: "delay", message: m.id, ms: Number(ms.value) });
        });
      r2.appendChild(ms);
      r2.appendChild(document.createTextNode(" ms"));
    }
    var up = data.nodes.filter(function (n, k) { return status.at(k, i) === "up"; });
    var down = data.nodes.filter(function (n, k) { return status.at(k, i) === "crashed"; });
    var here = nodeOf(data, i);
    if (up.length > 0) {
      var r3 = row();
      var crashNode = nodeChoice("what-if-node", up, here);
      r3.appendChild(button("what-if-crash", "crash", true))
        .addEventListener("click", function () { ask(i, { kind: "crash", node: crashNode.value }); });
      r3.appendChild(crashNode);
      r3.appendChild(document.createTextNode(" here"));
    }
    if (down.length > 0) {
      var r4 = row();
      var restartNode = nodeChoice("what-if-restart-node", down, here);
      r4.appendChild(button("what-if-restart", "restart", true))
        .addEventListener("click", function () {
          ask(i, { kind: "restart", node: restartNode.value });
        });
      r4.appendChild(restartNode);
      r4.appendChild(document.createTextNode(" now"));
    }
    var open = data.cuts.filter(function (c) {
      return c.i <= i && (c.untilI === null || c.untilI > i);
    });
    if (open.length > 0) {
      row().appendChild(button("what-if-heal", "heal the network now (" +
        open.map(function (c) { return c.label; }).join("; ") + ")", true))
        .addEventListener("click", function () { ask(i, { kind: "heal" }); });
    }
  }

  function ask(i, change) {
    if (busy) return;
    busy = true;
    result.setAttribute("data-state", "running");
    result.innerHTML = '<p class="hint">running the scenario again…</p>';
    var request = { run: config.run, event: i, change: change };
    fetch(config.endpoint, { method: "POST", headers: { "content-type": "application/json" },
      body: JSON.stringify(request) })
      .then(function (r) { return r.json(); })
      .then(function (answer) {
        busy = false;
        if (answer.error) {
          result.setAttribute("data-state", "error");
          result.innerHTML = '<p class="error" id="what-if-error">' + esc(answer.error) + "</p>";
          return;
        }
        showAnswer(answer);
      })
      .catch(function (e) {
        busy = false;
        result.setAttribute("data-state", "error");
        result.innerHTML = '<p class="error" id="what-if-error">the studio did not answer: ' +
          esc(e && e.message ? e.message : e) + "</p>";
      });
  }

  /** Scrolling either diagram scrolls the other to the same place. */
  function syncScroll(a, b) {
    var busyScroll = false;
    function follow(from, to) {
      return function () {
        if (busyScroll) return;
        busyScroll = true;
        to.scrollTop = from.scrollTop;
        requestAnimationFrame(function () { busyScroll = false; });
      };
    }
    var ab = follow(a, b), ba = follow(b, a);
    a.addEventListener("scroll", ab);
    b.addEventListener("scroll", ba);
    return function () {
      a.removeEventListener("scroll", ab);
      b.removeEventListener("scroll", ba);
    };
  }

  function close() {
    if (unsync !== null) { unsync(); unsync = null; }
    if (column !== null) {
      dsim.unfollow(other);
      column.parentNode.removeChild(column);
      column = null;
      other = null;
    }
    mainDiagram().setDifference(null);
    document.body.classList.remove("comparing");
  }
  function mainDiagram() { return dsim.diagram; }

  function showAnswer(answer) {
    close();
    var d = answer.difference;
    result.setAttribute("data-state", "done");
    result.setAttribute("data-run", String(answer.run));
    result.setAttribute("data-difference", d === null ? "none" : String(d.index));
    result.innerHTML = '<p class="change">' + esc(answer.change) + "</p>" +
      '<p class="verdict ' + (answer.ok ? "ok" : "failed") + '" id="what-if-verdict">' +
      esc(answer.verdict) + "</p>" +
      (answer.warning ? '<p class="error" id="what-if-warning">' + esc(answer.warning) + "</p>" : "") +
      '<pre id="what-if-diff">' + esc(d === null ? "the new run is the same run, event for event" :
        d.text) + "</pre>" +
      '<p><a id="what-if-open" href="?run=' + answer.run + '" target="_blank">open the new run ' +
      "on its own page</a> · " + '<a href="trace.json?run=' + answer.run +
      '" download>save its trace</a> · <a href="#" id="what-if-close">close</a></p>';
    document.getElementById("what-if-close").addEventListener("click", function (ev) {
      ev.preventDefault();
      close();
    });
    column = document.createElement("section");
    column.id = "what-if-view";
    var title = document.createElement("h2");
    title.textContent = "what if: " + answer.change;
    var scroll = document.createElement("div");
    scroll.className = "scroll";
    column.appendChild(title);
    column.appendChild(scroll);
    document.getElementById("views").appendChild(column);
    document.body.classList.add("comparing");
    other = new Diagram(scroll, answer.data, view, "what-if-diagram",
      { perMs: mainDiagram().perMs });
    other.render();
    dsim.follow(other);
    mainDiagram().render();
    scroll.scrollTop = mainDiagram().host.scrollTop;
    unsync = syncScroll(mainDiagram().host, scroll);
    if (d !== null) {
      mainDiagram().setDifference(d.index);
      other.setDifference(d.index);
      dsim.go(Math.min(d.index, data.count - 1));
    } else {
      dsim.go(view.current);
    }
  }

  dsim.onMove(show);
  show(view.current);
}
`;
