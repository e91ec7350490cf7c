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
 * In the page: step through the run event by event (the scrubber, the
 * buttons, or the keys: → ← one event, ] [ one node's events, v the first
 * violation), and see beside the diagram the current event and its message,
 * every node's state at that event with what changed highlighted (when the
 * run recorded its state changes: `sim run --out run.html` and the studio
 * do), the checks (a linearizability failure drawn on the client
 * timelines) and the fault timeline. Zoom with the buttons or Ctrl + wheel,
 * switch the vertical axis between virtual time and one row per event,
 * hover an arrow or a mark for its details, tick nodes on or off. The view
 * is kept in the address (`#e=120&hide=n2,n3&axis=steps&zoom=2`), so a link
 * to the file opens the same view at the same event.
 *
 * After drawing, the script sets `data-ready="true"` on `<body>`; the SVG
 * carries one `g.lane[data-node]` per node and one `g.msg[data-id]` per
 * message drawn (a large run draws the part in view), which is what the
 * browser tests check. The studio (`sim/studio/`) serves the same page with
 * its what-if panel added.
 *
 * @module
 */

import type { TraceEvent } from "../trace.ts";
import { pageData, type PageOptions } from "./page_data.ts";
import { pageScript } from "./page_script.ts";
import { PAGE_CSS } from "./page_style.ts";

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
export interface HtmlOptions extends PageOptions {
  /** The page's title and heading (default "dsim trace"). */
  title?: string;
  /** Lines under the heading: parameters, faults, the replay command. */
  subtitle?: string | string[];
  /**
   * Served by the studio: the run's id there and where to ask for a
   * what-if (adds the what-if panel).
   */
  studio?: { run: number; endpoint: string };
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
 * assert.match(page, /<input type="range" id="scrubber"/);
 * ```
 */
export function renderHtml(events: readonly TraceEvent[], options: HtmlOptions = {}): string {
  const title = options.title ?? "dsim trace";
  const subtitle = options.subtitle === undefined
    ? []
    : Array.isArray(options.subtitle)
    ? options.subtitle
    : [options.subtitle];
  const data = pageData(events, options);
  const studio = options.studio;
  return [
    "<!DOCTYPE html>",
    '<html lang="en">',
    "<head>",
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(title)}</title>`,
    `<style>${PAGE_CSS}</style>`,
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
    '<span class="hint">Ctrl + wheel zooms; hover an arrow for its message, click to step there</span>',
    '<fieldset id="filter"><legend>nodes</legend></fieldset>',
    "</nav>",
    '<nav id="stepper">',
    '<button type="button" id="step-first" title="first event (Home)">|&#x25C0;</button>',
    '<button type="button" id="step-prev" title="previous event (&larr; or k)">&#x25C0;</button>',
    '<input type="range" id="scrubber" min="0" max="0" value="0" aria-label="event">',
    '<button type="button" id="step-next" title="next event (&rarr; or j)">&#x25B6;</button>',
    '<button type="button" id="step-last" title="last event (End)">&#x25B6;|</button>',
    '<span id="position"></span>',
    '<label>node <select id="step-node"><option value="">(the event\'s)</option></select></label>',
    '<button type="button" id="node-prev" title="its previous event ([)">[</button>',
    '<button type="button" id="node-next" title="its next event (])">]</button>',
    '<button type="button" id="first-violation" title="first violation (v)">first violation</button>',
    "</nav>",
    '<div id="main">',
    '<div id="views"><section id="run-view"><h2 class="view-title">this run</h2>' +
    '<main id="view"></main></section></div>',
    '<aside id="side">',
    '<section><h2>event</h2><div id="event"></div></section>',
    ...(studio === undefined
      ? []
      : ['<section><h2>what if</h2><div id="what-if"></div></section>']),
    '<section><h2>state</h2><div id="state"></div></section>',
    '<section><h2>checks</h2><div id="checks"></div></section>',
    '<section><h2>faults</h2><div id="faults"></div></section>',
    "</aside>",
    "</div>",
    '<div id="tooltip" role="tooltip" hidden></div>',
    `<script type="application/json" id="trace-data">${scriptJson(data)}</script>`,
    ...(studio === undefined
      ? []
      : [`<script type="application/json" id="studio-config">${scriptJson(studio)}</script>`]),
    `<script>${pageScript(studio !== undefined)}</script>`,
    "</body>",
    "</html>",
    "",
  ].join("\n");
}

/** JSON that can sit in a script element: no "<" can close it, no line separators break it. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, "\\u003c").replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(
    /"/g,
    "&quot;",
  );
}
