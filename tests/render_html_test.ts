import assert from "node:assert/strict";
import { renderHtml } from "../sim/render/html.ts";
import { messageSpans, traceNodes } from "../sim/render/messages.ts";
import { clientServer, faultyGossip } from "./_render_runs.ts";

/** The JSON the page's script draws from. */
function embedded(page: string): {
  nodes: string[];
  messages: Array<{ id: number; fate: string; body: string }>;
  cuts: unknown[];
  alarms: Array<{ label: string }>;
} {
  const m = /<script type="application\/json" id="trace-data">(.*?)<\/script>/s.exec(page);
  assert.ok(m, "the data is embedded");
  return JSON.parse(m[1]);
}

Deno.test("the page is self-contained: nothing is fetched", () => {
  const page = renderHtml(faultyGossip().sim.trace.events, { title: "gossip" });
  assert.ok(page.startsWith("<!DOCTYPE html>"));
  assert.doesNotMatch(page, /<link\b|<script[^>]+\bsrc=|<img\b|<iframe\b|@import|url\((?!#)/i);
  // The only URLs are the SVG namespace and the arrowhead's fragment reference.
  const urls = page.match(/https?:\/\/[^\s"')]+/g) ?? [];
  assert.deepEqual([...new Set(urls)], ["http://www.w3.org/2000/svg"]);
  assert.equal((page.match(/<script\b/g) ?? []).length, 2);
  assert.equal((page.match(/<\/script>/g) ?? []).length, 2);
});

Deno.test("message bodies and titles cannot break out of the page", () => {
  const page = renderHtml(clientServer(), {
    title: "<b>x</b> & y",
    subtitle: ["deno task sim run x --faults '@1 crash \"n1\"'"],
  });
  assert.match(page, /<title>&lt;b&gt;x&lt;\/b&gt; &amp; y<\/title>/);
  assert.match(page, /@1 crash &quot;n1&quot;/);
  // The body holds "</script><b>", but only the two real closing tags are in the page.
  assert.equal((page.match(/<\/script>/g) ?? []).length, 2);
  const data = embedded(page);
  const put = data.messages.find((m) => m.body.includes('"type":"put"'))!;
  assert.match(put.body, /"value":"v1 <\/script><b>\\"&"/);
});

Deno.test("the embedded model has every node, message, cut and violation", () => {
  const run = faultyGossip();
  const events = run.sim.trace.events;
  const data = embedded(renderHtml(events));
  assert.deepEqual(data.nodes, traceNodes(events));
  const spans = messageSpans(events);
  assert.deepEqual(data.messages.map((m) => [m.id, m.fate]), spans.map((m) => [m.id, m.fate]));
  for (const fate of ["delivered", "dropped"]) {
    assert.ok(spans.some((m) => m.fate === fate), `the run has ${fate} messages`);
  }
  assert.equal(data.cuts.length, 1);
  const alarms = embedded(renderHtml(clientServer())).alarms;
  assert.deepEqual(alarms.map((a) => a.label), ["at-most-two-writes: a third write"]);
});
