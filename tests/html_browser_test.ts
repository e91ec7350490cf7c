/**
 * Loads `--out run.html` pages in headless Chromium and checks the DOM after
 * their script ran. Chromium must be at /usr/bin/chromium (`.ci/run`
 * installs Debian's package); without it this test fails, unless
 * DSIM_SKIP_BROWSER=1 says to skip it on a machine that cannot have it.
 */

import assert from "node:assert/strict";
import { scenarios } from "../protocols/registry.ts";
import { runCli } from "../sim/cli.ts";
import { messageSpans, traceNodes } from "../sim/render/messages.ts";
import { loadTrace } from "../sim/trace_file.ts";

const CHROMIUM = "/usr/bin/chromium";
const skip = Deno.env.get("DSIM_SKIP_BROWSER") === "1";

/** The page's DOM once its scripts ran, as Chromium serialises it. */
async function dumpDom(url: string): Promise<string> {
  try {
    Deno.statSync(CHROMIUM);
  } catch {
    assert.fail(
      `${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium, as .ci/run ` +
        "does), or set DSIM_SKIP_BROWSER=1 to skip the browser test on this machine",
    );
  }
  const profile = Deno.makeTempDirSync({ prefix: "dsim-chromium-" });
  try {
    const out = await new Deno.Command(CHROMIUM, {
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        `--user-data-dir=${profile}`,
        "--dump-dom",
        url,
      ],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    const dom = new TextDecoder().decode(out.stdout);
    assert.equal(out.code, 0, new TextDecoder().decode(out.stderr).slice(-2000));
    return dom;
  } finally {
    Deno.removeSync(profile, { recursive: true });
  }
}

/** Every match of `re` (global) in `text`, as its capture groups. */
function all(text: string, re: RegExp): string[][] {
  return [...text.matchAll(re)].map((m) => m.slice(1));
}

Deno.test({
  name: "sim run --out run.html: Chromium draws lanes, arrows, marks and filters",
  ignore: skip,
  async fn(t) {
    const dir = Deno.makeTempDirSync();
    try {
      const json = `${dir}/run.json`, html = `${dir}/run.html`;
      const argv = [
        "run",
        "gossip",
        "--seed",
        "4",
        "--nodes",
        "5",
        "--until",
        "300",
        "--loss",
        "0.1",
        "--faults",
        "@40 crash n2; @120 restart n2; @150 partition n1,n2|n3,n4,n5; @250 heal",
      ];
      const io = { stdout: () => {}, stderr: () => {} };
      assert.equal(await runCli(scenarios, [...argv, "--out", json], io), 0);
      assert.equal(await runCli(scenarios, [...argv, "--out", html], io), 0);
      const events = loadTrace(Deno.readTextFileSync(json)).events;
      const nodes = traceNodes(events);
      const spans = messageSpans(events);
      const url = new URL(`file://${html}`).href;

      await t.step("the whole run", async () => {
        const dom = await dumpDom(url);
        assert.match(dom, /<body[^>]* data-ready="true"/, "the page's script ran to the end");
        const lanes = all(dom, /<g class="lane" data-node="([^"]+)"/g).map(([n]) => n);
        assert.deepEqual(lanes, nodes);
        const arrows = all(
          dom,
          /<g class="msg" data-id="(\d+)" data-from="([^"]+)" data-to="([^"]+)" data-fate="([^"]+)"/g,
        );
        assert.deepEqual(arrows, spans.map((m) => [String(m.id), m.from, m.to, m.fate]));
        assert.ok(arrows.some(([, , , fate]) => fate === "dropped"));
        assert.match(dom, new RegExp(`<svg id="diagram"[^>]* data-messages="${spans.length}"`));
        const boxes = all(
          dom,
          /<input type="checkbox" class="node-filter" data-node="([^"]+)" checked/g,
        );
        assert.deepEqual(boxes.map(([n]) => n), nodes, "one ticked box per node");
        const crashes = all(dom, /<g class="mark crash" data-kind="crash" data-node="([^"]+)"/g);
        assert.deepEqual(crashes, [["n2"]]);
        assert.equal(all(dom, /<g class="cut">/g).length, 1, "one partition band");
        assert.match(dom, /<div id="tooltip" role="tooltip" hidden/);
        for (const id of ["zoom-in", "zoom-out", "zoom-fit"]) {
          assert.match(dom, new RegExp(`<button type="button" id="${id}"`));
        }
      });

      await t.step("a view from the address: n2 hidden, one row per event", async () => {
        const dom = await dumpDom(`${url}#hide=n2&axis=steps`);
        assert.match(dom, /<body[^>]* data-ready="true"/);
        const lanes = all(dom, /<g class="lane" data-node="([^"]+)"/g).map(([n]) => n);
        assert.deepEqual(lanes, nodes.filter((n) => n !== "n2"));
        const arrows = all(
          dom,
          /<g class="msg" data-id="\d+" data-from="([^"]+)" data-to="([^"]+)"/g,
        );
        const shown = spans.filter((m) => m.from !== "n2" && m.to !== "n2");
        assert.equal(arrows.length, shown.length);
        assert.ok(arrows.every(([from, to]) => from !== "n2" && to !== "n2"));
        const boxes = all(dom, /class="node-filter" data-node="([^"]+)"( checked="")?>/g);
        assert.deepEqual(boxes, nodes.map((n) => [n, n === "n2" ? undefined : ' checked=""']));
        assert.match(dom, /<svg id="diagram"[^>]* data-axis="steps"/);
        assert.match(dom, /<input type="radio" name="axis" value="steps" checked="">/);
      });
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
  },
});
