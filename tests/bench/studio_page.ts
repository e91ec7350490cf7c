/**
 * How fast the run's page is in a real browser (headless Chromium), for
 * Raft runs of about 5,000 and 50,000 events: the page's size, the time to
 * build it (the run with its states recorded, then the HTML), the time to
 * open it (navigation to first drawing), and the time of a step (the cursor
 * moved, the panels updated, the frame painted): one event forwards, one
 * backwards, and jumps to random events. For comparison: re-running the
 * whole run, which is what each step backwards would cost if states were
 * obtained by re-running to the event instead of from recorded changes.
 *
 * ```sh
 * deno run -A tests/bench/studio_page.ts            # or deno task bench:studio
 * deno run -A tests/bench/studio_page.ts --steps 200
 * ```
 *
 * Wall-clock figures: they vary with the machine and its load; they are
 * printed, never asserted.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { scenarios } from "../../protocols/registry.ts";
import { renderHtml } from "../../sim/render/html.ts";
import { runScenario } from "../../sim/scenario.ts";
import { StateRecorder } from "../../sim/states.ts";
import { withBrowser } from "../_browser.ts";

const args = parseArgs({ options: { steps: { type: "string", default: "100" } } });
const STEPS = Number(args.values.steps);

/** Raft runs whose clients keep working, sized to about 5,000 and 50,000 events of the trace. */
const SIZES = [
  { name: "5k", given: { seed: 1, until: 6_500, flags: { ops: 30 } } },
  { name: "50k", given: { seed: 1, until: 60_000, flags: { ops: 340 } } },
];

function stats(xs: number[]): string {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))];
  return `median ${at(0.5).toFixed(2)} ms, p95 ${at(0.95).toFixed(2)}, max ${
    s[s.length - 1].toFixed(2)
  }`;
}

/**
 * In the page: moves the cursor to each index; for each, the ms until the
 * page is laid out again (the work of a step) and until the next frame is
 * painted (what a person sees; a frame is 16.7 ms at 60 Hz).
 */
function stepScript(targets: number[]): string {
  return `(async function () {
    var work = [], frame = [], targets = ${JSON.stringify(targets)};
    for (var k = 0; k < targets.length; k++) {
      var t0 = performance.now();
      window.dsim.go(targets[k]);
      void document.body.offsetHeight;
      work.push(performance.now() - t0);
      await new Promise(function (r) { requestAnimationFrame(function () { r(); }); });
      frame.push(performance.now() - t0);
    }
    return { work: work, frame: frame };
  })()`;
}

type Steps = { work: number[]; frame: number[] };

const dir = Deno.makeTempDirSync({ prefix: "dsim-studio-bench-" });
try {
  await withBrowser(async (browser) => {
    for (const size of SIZES) {
      const scenario = scenarios.get("raft");
      let t = performance.now();
      const bare = runScenario(scenario, size.given, { traceWindow: Infinity });
      const rerunMs = performance.now() - t;
      const recorder = new StateRecorder();
      t = performance.now();
      const run = runScenario(scenario, size.given, {
        hooks: recorder.hooks(),
        traceWindow: Infinity,
      });
      const recordedMs = performance.now() - t;
      if (run.traceHash !== bare.traceHash) throw new Error("recording changed the run");
      const log = recorder.log();
      t = performance.now();
      const html = renderHtml(run.sim.trace.events, {
        title: `raft ${size.name}`,
        states: log,
      });
      const renderMs = performance.now() - t;
      const path = `${dir}/${size.name}.html`;
      Deno.writeTextFileSync(path, html);
      const count = run.sim.trace.count;

      const page = await browser.newPage();
      const loads: number[] = [];
      for (let k = 0; k < 3; k++) {
        await page.goto(`file://${path}`, 120_000);
        loads.push(Number(await page.eval("document.body.dataset.loadMs")));
      }
      const start = Math.floor(count / 2);
      await page.eval(`window.dsim.go(${start})`);
      const forward = await page.eval<Steps>(
        stepScript(Array.from({ length: STEPS }, (_, k) => start + 1 + k)),
        120_000,
      );
      const backward = await page.eval<Steps>(
        stepScript(Array.from({ length: STEPS }, (_, k) => start + STEPS - 1 - k)),
        120_000,
      );
      let seed = 7;
      const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
      const jumps = await page.eval<Steps>(
        stepScript(Array.from({ length: STEPS }, () => Math.floor(random() * count))),
        120_000,
      );
      const heap = await page.eval<number>(
        "performance.memory ? performance.memory.usedJSHeapSize : 0",
      );
      const drawn = await page.eval<number>(`document.querySelectorAll("#diagram g.msg").length`);
      if (page.errors.length > 0) throw new Error(page.errors.join("\n"));
      console.log(
        `raft, ${count} events (${run.sim.stats.events} handled), ${log.changes.length} state changes`,
      );
      console.log(
        `  build: run ${bare.wallMs.toFixed(0)} ms bare, ${
          recordedMs.toFixed(0)
        } ms recording states; HTML ${renderMs.toFixed(0)} ms, ${
          (html.length / 1e6).toFixed(1)
        } MB (states ${(JSON.stringify(log.changes).length / 1e6).toFixed(2)} MB)`,
      );
      console.log(
        `  open: ${loads.map((x) => x.toFixed(0)).join(", ")} ms (best ${
          Math.min(...loads).toFixed(0)
        }); ${drawn} arrows in the document; JS heap ${(heap / 1e6).toFixed(0)} MB`,
      );
      for (
        const [what, steps] of [["forwards", forward], ["backwards", backward], [
          "anywhere",
          jumps,
        ]] as const
      ) {
        console.log(
          `  step ${what}: work ${stats(steps.work)}; to the next frame ${stats(steps.frame)}`,
        );
      }
      console.log(`  re-running the run instead (per step backwards): ${rerunMs.toFixed(0)} ms`);
    }
  });
} finally {
  Deno.removeSync(dir, { recursive: true });
}
