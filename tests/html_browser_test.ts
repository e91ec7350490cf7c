/**
 * Loads `--out run.html` pages in headless Chromium and checks what their
 * script drew and what it shows as the reader steps through the run: lanes,
 * arrows, marks and filters; the state panel of a Raft run and of a CRDT
 * run at given events, with what changed highlighted; stepping by node and
 * to the first violation; a linearizability failure on the client
 * timelines. See tests/_browser.ts for when these tests are skipped.
 */

import assert from "node:assert/strict";
import { scenarios } from "../protocols/registry.ts";
import { runCli } from "../sim/cli.ts";
import { messageSpans, traceNodes } from "../sim/render/messages.ts";
import { runScenario } from "../sim/scenario.ts";
import { stateAt, StateRecorder } from "../sim/states.ts";
import type { TraceEvent } from "../sim/trace.ts";
import { loadTrace } from "../sim/trace_file.ts";
import { type Page, plainFields, skipBrowserTests, withBrowser } from "./_browser.ts";

const ignore = skipBrowserTests();
const quiet = { stdout: () => {}, stderr: () => {} };

/** Every match of `re` (global) in `text`, as its capture groups. */
function all(text: string, re: RegExp): string[][] {
  return [...text.matchAll(re)].map((m) => m.slice(1));
}

/** Writes `sim run <argv> --out <dir>/<name>` and returns the file's URL. */
async function page(dir: string, name: string, argv: string[]): Promise<string> {
  const path = `${dir}/${name}`;
  const code = await runCli(scenarios, ["run", ...argv, "--out", path], quiet);
  assert.ok(code === 0 || code === 1, `sim run ${argv.join(" ")} exited ${code}`);
  return new URL(`file://${path}`).href;
}

/** Runs `work` with a fresh temporary directory, removed afterwards. */
async function inTempDir(work: (dir: string) => Promise<void>): Promise<void> {
  const dir = Deno.makeTempDirSync();
  try {
    await work(dir);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
}

function dom(p: Page): Promise<string> {
  return p.eval<string>("document.documentElement.outerHTML");
}

/** The text of node `n`'s block in the state panel. */
function stateText(p: Page, n: string): Promise<string> {
  return p.text(`#state .node-state[data-node="${n}"] pre`);
}

/** The node an event happened at, as the page counts it (the sender of a send). */
function eventNode(e: TraceEvent): string | undefined {
  return "node" in e ? e.node : undefined;
}

Deno.test({
  name: "sim run --out run.html: Chromium draws lanes, arrows, marks and filters",
  ignore,
  async fn(t) {
    await inTempDir(async (dir) => {
      const argv = [
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
      assert.equal(await runCli(scenarios, ["run", ...argv, "--out", `${dir}/run.json`], quiet), 0);
      const url = await page(dir, "run.html", argv);
      const events = loadTrace(Deno.readTextFileSync(`${dir}/run.json`)).events;
      const nodes = traceNodes(events);
      const spans = messageSpans(events);
      await withBrowser(async (browser) => {
        const p = await browser.newPage();

        await t.step("the whole run", async () => {
          await p.goto(url);
          const html = await dom(p);
          const lanes = all(html, /<g class="lane" data-node="([^"]+)"/g).map(([n]) => n);
          assert.deepEqual(lanes, nodes);
          const arrows = all(
            html,
            /<g class="msg" data-id="(\d+)" data-from="([^"]+)" data-to="([^"]+)" data-fate="([^"]+)"/g,
          );
          assert.deepEqual(arrows, spans.map((m) => [String(m.id), m.from, m.to, m.fate]));
          assert.ok(arrows.some(([, , , fate]) => fate === "dropped"));
          assert.match(html, new RegExp(`<svg id="diagram"[^>]* data-messages="${spans.length}"`));
          const boxes = all(
            html,
            /<input type="checkbox" class="node-filter" data-node="([^"]+)" checked/g,
          );
          assert.deepEqual(boxes.map(([n]) => n), nodes, "one ticked box per node");
          const crashes = all(html, /<g class="mark crash" data-kind="crash" data-node="([^"]+)"/g);
          assert.deepEqual(crashes, [["n2"]]);
          assert.equal(all(html, /<g class="cut">/g).length, 1, "one partition band");
          assert.match(html, /<div id="tooltip" role="tooltip" hidden/);
          for (const id of ["zoom-in", "zoom-out", "zoom-fit"]) {
            assert.match(html, new RegExp(`<button type="button" id="${id}"`));
          }
          assert.deepEqual(p.errors, []);
        });

        await t.step("a view from the address: n2 hidden, one row per event", async () => {
          await p.goto(`${url}#hide=n2&axis=steps`);
          const html = await dom(p);
          const lanes = all(html, /<g class="lane" data-node="([^"]+)"/g).map(([n]) => n);
          assert.deepEqual(lanes, nodes.filter((n) => n !== "n2"));
          const arrows = all(
            html,
            /<g class="msg" data-id="\d+" data-from="([^"]+)" data-to="([^"]+)"/g,
          );
          const shown = spans.filter((m) => m.from !== "n2" && m.to !== "n2");
          assert.equal(arrows.length, shown.length);
          assert.ok(arrows.every(([from, to]) => from !== "n2" && to !== "n2"));
          const boxes = all(html, /class="node-filter" data-node="([^"]+)"( checked="")?>/g);
          assert.deepEqual(boxes, nodes.map((n) => [n, n === "n2" ? undefined : ' checked=""']));
          assert.match(html, /<svg id="diagram"[^>]* data-axis="steps"/);
          assert.match(html, /<input type="radio" name="axis" value="steps" checked="">/);
        });

        await t.step("the fault timeline lists every fault", async () => {
          await p.goto(url);
          const faults = await p.eval<string[]>(
            `[...document.querySelectorAll("#faults li")].map((li) => li.dataset.kind)`,
          );
          assert.deepEqual(faults, ["crash", "restart", "partition", "heal"]);
        });
      });
    });
  },
});

Deno.test({
  name: "run.html of a Raft run: step to events, read every node's state, step by node",
  ignore,
  async fn(t) {
    await inTempDir(async (dir) => {
      const argv = ["raft", "--seed", "3", "--until", "1500", "--ops", "5"];
      const url = await page(dir, "raft.html", argv);
      // The same run here, its states recorded, to know what the page must show.
      const recorder = new StateRecorder();
      const run = runScenario(scenarios.get("raft"), {
        seed: 3,
        until: 1500,
        flags: { ops: 5 },
      }, { hooks: recorder.hooks(), traceWindow: Infinity });
      const events = run.sim.trace.events;
      const { changes } = recorder.log();
      const leader = changes.find((c) =>
        c.ops.some(([path, v]) => path[0] === "role" && v === "leader")
      );
      assert.ok(leader, "someone became leader");
      await withBrowser(async (browser) => {
        const p = await browser.newPage();
        await p.goto(url);

        await t.step(
          "at the event a node became leader, its block says so, highlighted",
          async () => {
            await p.eval(`window.dsim.go(${leader.at})`);
            assert.equal(await p.eval("document.body.dataset.current"), String(leader.at));
            const text = await stateText(p, leader.node);
            assert.match(text, /"role": "leader"/);
            const changed = await p.eval<string[]>(
              `[...document.querySelectorAll("#state .node-state.changed")].map((b) => b.dataset.node)`,
            );
            assert.deepEqual(changed, [leader.node]);
            const marked = await p.text(
              `#state .node-state[data-node="${leader.node}"] .changed`,
            );
            assert.match(marked, /"role": "leader"/);
            assert.match(await p.text("#position"), new RegExp(`event ${leader.at} /`));
          },
        );

        await t.step(
          "every node's block shows its state at the event, forwards and back",
          async () => {
            for (
              const [key, at] of [["ArrowRight", leader.at + 1], ["ArrowLeft", leader.at], [
                "ArrowLeft",
                leader.at - 1,
              ]] as const
            ) {
              await p.key(key);
              assert.equal(await p.eval("window.dsim.current()"), at);
              for (const n of ["n1", "n2", "n3", "n4", "n5"]) {
                const text = await stateText(p, n);
                for (const field of plainFields(stateAt(changes, n, at))) {
                  assert.ok(text.includes(field), `${n} at ${at}: ${field} in\n${text}`);
                }
              }
            }
          },
        );

        await t.step("far jumps and back: the state is the recorded one", async () => {
          const far = events.length - 1;
          await p.key("End");
          assert.equal(await p.eval("window.dsim.current()"), far);
          await p.key("Home");
          await p.eval(`window.dsim.go(${Math.floor(far / 2)})`);
          for (const n of ["n1", "n3"]) {
            const text = await stateText(p, n);
            for (const field of plainFields(stateAt(changes, n, Math.floor(far / 2)))) {
              assert.ok(text.includes(field), `${n}: ${field}`);
            }
          }
        });

        await t.step("] and [ step through one node's events", async () => {
          await p.eval(`window.dsim.go(${leader.at})`);
          await p.eval(`(function () { var s = document.getElementById("step-node");
            s.value = "n2"; s.dispatchEvent(new Event("change")); })()`);
          const next = events.findIndex((e, i) => i > leader.at && eventNode(e) === "n2");
          await p.key("]");
          assert.equal(await p.eval("window.dsim.current()"), next);
          await p.key("[");
          let before = -1;
          events.forEach((e, i) => {
            if (i < next && eventNode(e) === "n2") before = i;
          });
          assert.equal(await p.eval("window.dsim.current()"), before);
          assert.match(await p.text("#event"), /n2/);
        });

        await t.step("the checks held, and the first-violation button says so", async () => {
          assert.match(await p.text("#checks"), /every check held/);
          assert.equal(await p.eval(`document.getElementById("first-violation").disabled`), true);
          assert.deepEqual(p.errors, []);
        });
      });
    });
  },
});

Deno.test({
  name: "run.html of a CRDT run: a replica's state at an event, and the change it made",
  ignore,
  async fn() {
    await inTempDir(async (dir) => {
      const url = await page(dir, "crdt.html", ["crdt-or-set", "--seed", "2"]);
      const recorder = new StateRecorder();
      runScenario(scenarios.get("crdt-or-set"), { seed: 2 }, {
        hooks: recorder.hooks(),
        traceWindow: Infinity,
      });
      const { changes, sources } = recorder.log();
      assert.equal(sources.n1, "inspect");
      // A replica's change well into the run (not its first state).
      const change = changes.filter((c) => c.node.startsWith("n") && c.ops[0][0].length > 0)[10];
      assert.ok(change);
      await withBrowser(async (browser) => {
        const p = await browser.newPage();
        await p.goto(url);
        await p.eval(`window.dsim.go(${change.at})`);
        const block = `#state .node-state[data-node="${change.node}"]`;
        assert.equal(
          await p.eval(`document.querySelector('${block}').classList.contains("changed")`),
          true,
        );
        assert.match(await p.text(`${block} .source`), /inspect\(\)/);
        const text = await stateText(p, change.node);
        for (const field of plainFields(stateAt(changes, change.node, change.at))) {
          assert.ok(text.includes(field), `${field} in\n${text}`);
        }
        assert.notEqual(await p.text(`${block} .changed`), "");
        assert.deepEqual(p.errors, []);
      });
    });
  },
});

Deno.test({
  name:
    "run.html of failures: v goes to the first violation; linearizability on the client timelines",
  ignore,
  async fn(t) {
    await inTempDir(async (dir) => {
      const figure8 = await page(dir, "figure8.html", ["raft-figure8", "--unsafe-commit", "true"]);
      const smr = await page(dir, "smr.html", ["smr-cas", "--seed", "8", "--local-reads", "true"]);
      await withBrowser(async (browser) => {
        const p = await browser.newPage();

        await t.step("raft-figure8 with unsafe commits: v jumps to the violation", async () => {
          await p.goto(figure8);
          await p.key("v");
          const at = await p.eval<number>("window.dsim.current()");
          assert.equal(await p.eval("window.dsim.data.kinds[window.dsim.current()]"), "u");
          assert.match(await p.text("#event"), /VIOLATION leader-completeness/);
          assert.match(await p.text("#checks"), new RegExp(`#${at} at`));
          assert.match(await p.text(`#state .node-state[data-node="n5"] pre`), /"role": "leader"/);
        });

        await t.step("smr-cas with local reads: the operation that cannot be placed", async () => {
          await p.goto(smr);
          const roles = await p.eval<string[]>(
            `[...document.querySelectorAll("#lin .op")].map((g) => g.dataset.role)`,
          );
          assert.equal(roles.filter((r) => r === "stuck").length, 1);
          assert.ok(roles.filter((r) => r === "prefix").length >= 1);
          assert.match(await p.text("#checks"), /cannot be linearized/);
          await p.click("#lin .op.stuck");
          assert.match(await p.text("#event"), /op\d+|invoke|ok|fail|info/);
          assert.deepEqual(p.errors, []);
        });
      });
    });
  },
});

Deno.test({
  name: "a 50,000-event page opens drawn in a window, steps anywhere, and draws where it goes",
  ignore,
  async fn() {
    await inTempDir(async (dir) => {
      const argv = ["raft", "--seed", "1", "--until", "60000", "--ops", "340"];
      const url = await page(dir, "big.html", argv);
      await withBrowser(async (browser) => {
        const p = await browser.newPage();
        await p.goto(url, 120_000);
        const count = await p.eval<number>("window.dsim.count");
        assert.ok(count >= 45_000, `${count} events`);
        const messages = await p.eval<number>("window.dsim.data.messages.length");
        const drawn = () => p.eval<number>(`document.querySelectorAll("#diagram g.msg").length`);
        const first = await drawn();
        assert.ok(first > 0 && first < messages / 10, `${first} of ${messages} arrows drawn`);
        await p.key("End");
        assert.equal(await p.eval("window.dsim.current()"), count - 1);
        const to = Number(await p.eval(`document.getElementById("diagram").dataset.drawnTo`));
        assert.equal(to, count - 1, "the window moved to the end");
        assert.ok((await drawn()) > 0);
        await p.eval(`window.dsim.go(${Math.floor(count / 3)})`);
        await p.key("ArrowLeft");
        assert.equal(await p.eval("window.dsim.current()"), Math.floor(count / 3) - 1);
        assert.match(await p.text(`#state .node-state[data-node="n1"] pre`), /"role": "/);
        assert.deepEqual(p.errors, []);
      });
    });
  },
});
