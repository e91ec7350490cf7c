import assert from "node:assert/strict";
import { scenarios as protocols } from "../protocols/registry.ts";
import { type CliIO, EXIT, runCli } from "../sim/cli.ts";
import { ConfigError } from "../sim/errors.ts";
import { mergeSweepReports } from "../sim/explore/merge.ts";
import { formatSweep } from "../sim/explore/summary.ts";
import {
  runSweep,
  SEED_TIMEOUT,
  type SweepProgress,
  type SweepReport,
} from "../sim/explore/sweep.ts";
import { runScenario, type Scenario } from "../sim/scenario.ts";
import { scenarios } from "./_explore_scenarios.ts";

/** How the tests' scenarios' replay lines start, run from the repository's folder. */
const RUN = (name: string) => `deno run -A ./main.ts run ./tests/_explore_scenarios.ts#${name}`;

/** Per-seed facts of a report that do not depend on timing. */
function facts(r: SweepReport) {
  return {
    runs: r.runs,
    failed: r.failed,
    events: r.events,
    messages: r.messages,
    virtualMs: r.virtualMs,
    failures: r.failures,
  };
}

Deno.test("a sweep in workers finds what one thread finds, seed for seed", async () => {
  const spec = { scenario: "two-down", given: {}, seeds: { from: 1, to: 24 } };
  const here = await runSweep(scenarios.get(spec.scenario), spec, { workers: 0 });
  const two = await runSweep(scenarios.get(spec.scenario), spec, { workers: 2 });
  assert.equal(here.runs, 24);
  assert.equal(here.workers, 0);
  assert.equal(two.workers, 2);
  assert.deepEqual(facts(two), facts(here));
  // The planted bug shows up on some seeds and not on others.
  assert.ok(here.failed > 0 && here.failed < 24, `failed ${here.failed} of 24`);
  for (const f of here.failures) {
    assert.equal(f.check, "at-most-one-down");
    assert.ok(f.replay.startsWith(`${RUN("two-down")} --seed ${f.seed} --faults '`), f.replay);
    // The failure's own fault schedule reproduces it, with tracing on.
    const again = runScenario(scenarios.get("two-down"), { seed: f.seed, faults: f.faults });
    assert.equal(again.violations[0]?.message, f.message);
  }
  assert.equal(here.notReached.count, 0);
  assert.equal(here.slowest.length, 5);
  assert.ok(here.slowest.every((s, i) => i === 0 || s.wallMs <= here.slowest[i - 1].wallMs));
});

Deno.test("shards of a sweep merge into the whole sweep", async () => {
  const spec = {
    scenario: "lossy-counter",
    given: { flags: { ops: 8 } },
    seeds: { from: 3, to: 40 },
  };
  const whole = await runSweep(scenarios.get(spec.scenario), spec, { workers: 0 });
  const parts = [];
  for (let k = 1; k <= 3; k++) {
    parts.push(
      await runSweep(scenarios.get(spec.scenario), { ...spec, shard: { index: k, count: 3 } }, {
        workers: k === 2 ? 2 : 0,
      }),
    );
  }
  assert.deepEqual(parts.map((p) => p.parts[0]), ["1/3 of 3..40", "2/3 of 3..40", "3/3 of 3..40"]);
  const merged = mergeSweepReports(parts);
  assert.deepEqual(facts(merged), facts(whole));
  assert.equal(merged.seeds, "3..40");
  assert.ok(whole.failed > 0, "loss makes some seeds fall short");
});

Deno.test("progress is reported after every seed", async () => {
  const seen: SweepProgress[] = [];
  const report = await runSweep(scenarios.get("capped"), {
    scenario: "capped",
    given: { flags: { limit: 1000 } },
    seeds: { from: 1, to: 9 },
  }, { workers: 2, onProgress: (p) => seen.push(p) });
  assert.equal(report.failed, 0);
  assert.deepEqual(seen.map((p) => p.done), [1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.ok(seen.every((p) => p.total === 9 && p.failed === 0));
});

Deno.test("errors inside workers come back as bad input or as bugs", async (t) => {
  await t.step("a ConfigError keeps its input", async () => {
    await assert.rejects(
      runSweep(
        scenarios.get("picky"),
        { scenario: "picky", given: {}, seeds: { from: 4, to: 5 } },
        {
          workers: 1,
        },
      ),
      (e: unknown) => e instanceof ConfigError && e.message === "--seed: 5 is not allowed here",
    );
  });
  await t.step("a setup that throws anything else is that seed's failure", async () => {
    const report = await runSweep(
      scenarios.get("picky"),
      { scenario: "picky", given: {}, seeds: { from: 7, to: 7 } },
      { workers: 1 },
    );
    assert.equal(report.failed, 1);
    assert.equal(report.failures[0].check, "scenario-setup");
    assert.match(report.failures[0].message, /TypeError: seed 7 breaks the setup/);
  });
  await t.step("workers need the scenario's module", async () => {
    const loose: Scenario = { ...scenarios.get("capped"), module: undefined };
    await assert.rejects(
      runSweep(loose, { scenario: "capped", given: {}, seeds: { from: 1, to: 2 } }, {
        workers: 2,
      }),
      (e: unknown) =>
        e instanceof ConfigError && /has none: define it with defineScenario/.test(e.message),
    );
  });
});

/** One in-process call of the command line. */
async function cli(argv: string[], io: Partial<CliIO> = {}) {
  const out: string[] = [], err: string[] = [];
  const code = await runCli(protocols, argv, {
    stdout: (s) => out.push(s),
    stderr: (s) => err.push(s),
    ...io,
  });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

Deno.test("sim sweep: exit 0 when every seed holds, a table, JSON on request", async () => {
  const text = await cli(["sweep", "ping-pong", "--seeds", "1..12", "--workers", "2"]);
  assert.equal(text.code, EXIT.ok, text.err);
  assert.match(text.out, /ping-pong · seeds 1\.\.12 · 2 workers/);
  assert.match(text.out, /│ runs │ ok │ failed │ not reached │ events │ events\/s │ seeds\/s │/);
  assert.match(text.out, /slowest seed/);
  assert.match(text.out, /ok: all 12 seeds hold$/);
  const json = await cli(["sweep", "ping-pong", "--seeds", "1..12", "--shard", "2/3", "--json"]);
  assert.equal(json.code, EXIT.ok);
  const report = JSON.parse(json.out) as SweepReport;
  assert.equal(report.runs, 4);
  assert.equal(report.shard, "2/3");
  assert.deepEqual(report.params.flags, { rounds: 10, retry: 50 });
});

Deno.test("sim sweep: exit 1 on a failure, which it shrinks to one replay command", async () => {
  const dir = Deno.makeTempDirSync();
  try {
    const out = `${dir}/small.json`;
    const ran = await cli([
      "sweep",
      "gossip",
      "--seeds",
      "1..10",
      "--nodes",
      "6",
      "--until",
      "600",
      // n2 is down from before its rumour starts to the very end: the check
      // at the end fails (generated faults would heal early enough for
      // gossip's anti-entropy: the scenario asks for that, recoverMs).
      "--faults",
      "@5 partition n3|n1,n2,n4,n5,n6; @25 heal; @10 crash n2; @595 restart n2",
      "--out",
      out,
      "--json",
    ]);
    assert.equal(ran.code, EXIT.violation, ran.err);
    const report = JSON.parse(ran.out) as SweepReport;
    assert.ok(report.failed > 0);
    const shrunk = report.shrunk!;
    assert.equal(shrunk.seed, report.failures[0].seed);
    assert.ok(shrunk.faultsAfter < shrunk.faultsBefore, JSON.stringify(shrunk));
    assert.ok(shrunk.eventsAfter <= shrunk.eventsBefore, JSON.stringify(shrunk));
    assert.equal(shrunk.out, out);
    assert.equal(shrunk.replay, `deno task sim replay ${out} --diagram`);
    // The one command line replays the saved run, its edited draws included, and it fails.
    const again = await cli(shrunk.replay.replace("deno task sim ", "").split(" "));
    assert.equal(again.code, EXIT.ok, again.out);
    assert.match(
      again.out,
      /same: gossip seed \d+ replays to trace [0-9a-f]{16} \(\d+ events handled, \d+ in the trace\); it fails /,
    );
    assert.ok(again.out.includes(`it fails ${shrunk.check}`), again.out);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("sim sweep and merge: bad input is one line and exit 2", async (t) => {
  const cases: Array<[string[], RegExp]> = [
    [["sweep", "ping-pong", "--seeds", "9..1"], /^error: --seeds: .*ends before it starts/],
    [["sweep", "ping-pong"], /^error: required option '--seeds <A\.\.B>' not specified/],
    [["sweep", "ping-pong", "--seeds", "1..3", "--shard", "4/3"], /^error: --shard: must be K\/M/],
    [["sweep", "ping-pong", "--seeds", "1..3", "--workers", "x"], /^error: --workers: /],
    [["sweep", "ping-pong", "--seeds", "1..3", "--budget-ms", "0"], /^error: --budget-ms: /],
    [["sweep", "ping-pong", "--seeds", "1..3", "--rounds", "0"], /^error: --rounds: /],
    [["sweep", "ping-pong", "--seeds", "1..3", "--faults", "@5 crash n9"], /^error: --faults: /],
    [["sweep", "nope", "--seeds", "1..3"], /^error: scenario: unknown scenario "nope"/],
    [["merge", "/nonexistent/a.json"], /^error: \/nonexistent\/a\.json: cannot be read/],
  ];
  for (const [argv, message] of cases) {
    await t.step(argv.join(" "), async () => {
      const ran = await cli(argv);
      assert.equal(ran.code, EXIT.usage, ran.out);
      assert.equal(ran.out, "");
      assert.equal(ran.err.split("\n").length, 1, ran.err);
      assert.match(ran.err, message);
    });
  }
});

Deno.test("sim merge: shard files merge; overlaps and mismatches are refused", async () => {
  const dir = Deno.makeTempDirSync();
  try {
    const files: string[] = [];
    for (const k of [1, 2]) {
      const ran = await cli([
        "sweep",
        "ping-pong",
        "--seeds",
        "1..20",
        "--shard",
        `${k}/2`,
        "--until",
        "60",
        "--no-shrink",
        "--json",
      ]);
      files.push(`${dir}/${k}.json`);
      Deno.writeTextFileSync(files[k - 1], ran.out);
    }
    const whole = JSON.parse(
      (await cli([
        "sweep",
        "ping-pong",
        "--seeds",
        "1..20",
        "--until",
        "60",
        "--no-shrink",
        "--json",
      ]))
        .out,
    ) as SweepReport;
    const merged = await cli(["merge", ...files, "--json"]);
    const report = JSON.parse(merged.out) as SweepReport;
    assert.deepEqual(facts(report), facts(whole));
    assert.equal(merged.code, whole.failed > 0 ? EXIT.violation : EXIT.ok);
    const text = await cli(["merge", ...files]);
    assert.match(text.out, /seeds 1\/2 of 1\.\.20 \+ 2\/2 of 1\.\.20/);
    const half = await cli(["merge", files[0]]);
    assert.equal(half.code, EXIT.usage);
    assert.match(
      half.err,
      /^error: merge: missing shard 2\/2 of 1\.\.20: merge the report of every shard$/,
    );

    const twice = await cli(["merge", files[0], files[0]]);
    assert.equal(twice.code, EXIT.usage);
    assert.match(twice.err, /cover the same seeds/);
    const other = await cli(["sweep", "ping-pong", "--seeds", "21..22", "--json"]);
    Deno.writeTextFileSync(`${dir}/other.json`, other.out);
    const mismatch = await cli(["merge", files[0], `${dir}/other.json`]);
    assert.equal(mismatch.code, EXIT.usage);
    assert.match(mismatch.err, /only runs with the same parameters merge/);
    Deno.writeTextFileSync(`${dir}/junk.json`, '{"format":"dsim-trace"}');
    const junk = await cli(["merge", `${dir}/junk.json`]);
    assert.equal(junk.code, EXIT.usage);
    assert.match(junk.err, /junk\.json: format must be dsim-sweep/);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("a budget stops a seed that does not end in time and reports what was not reached", async () => {
  const out: string[] = [];
  const argv = ["sweep", "stalls", "--seeds", "1..6", "--budget-ms", "1000", "--json"];
  const code = await runCli(scenarios, argv, {
    stdout: (s) => out.push(s),
    stderr: (s) => out.push(s),
  });
  // Nothing failed; the budget ended the sweep, since seed 3 takes 2 s.
  // Seeds left unchecked are not a pass.
  assert.equal(code, EXIT.incomplete, out.join("\n"));
  const report = JSON.parse(out[0]) as SweepReport;
  const nr = report.notReached;
  const unsent = nr.rest.flatMap((r) =>
    Array.from({ length: r.to - r.from + 1 }, (_, i) => r.from + i)
  );
  assert.ok([...nr.seeds, ...unsent].includes(3), JSON.stringify(nr));
  assert.equal(nr.count, nr.seeds.length + unsent.length);
  assert.equal(report.runs + nr.count, 6);
  assert.equal(report.failed, 0);
  assert.equal(report.budgetMs, 1000);
  const text = formatSweep(report);
  assert.match(text, new RegExp(`not reached within the 1000 ms budget: ${nr.count} seeds`));
  if (nr.seeds.length > 0) assert.match(text, /stopped while running: \d+(, \d+)*/);
  // The resume range starts at the first seed the budget stopped, so none is skipped.
  const first = Math.min(...nr.seeds, ...unsent);
  assert.match(
    text,
    new RegExp(
      `resume with:\\n {4}deno run -A \\./main\\.ts sweep \\./tests/_explore_scenarios\\.ts#stalls ` +
        `--seeds ${first}\\.\\.\\d+ --nodes 1`,
    ),
  );
  assert.match(
    text,
    new RegExp(
      `INCOMPLETE: ${report.runs} of 6 seeds hold, ${nr.count} not reached \\(exit 3\\)$`,
    ),
  );
});

Deno.test("a seed past its timeout fails on its own; the sweep goes on without it", async () => {
  const out: string[] = [];
  const argv = ["sweep", "stalls", "--seeds", "1..8", "--seed-timeout-ms", "700", "--json"];
  const code = await runCli(scenarios, argv, {
    stdout: (s) => out.push(s),
    stderr: (s) => out.push(s),
  });
  assert.equal(code, EXIT.violation, out.join("\n"));
  const report = JSON.parse(out[0]) as SweepReport;
  assert.equal(report.runs, 8, "every other seed still ran");
  assert.equal(report.notReached.count, 0);
  assert.deepEqual(report.failures.map((f) => [f.seed, f.check]), [[3, SEED_TIMEOUT]]);
  assert.match(report.failures[0].message, /still running after 700 ms of wall time/);
  assert.equal(report.failures[0].replay, `${RUN("stalls")} --seed 3`);
  assert.equal(report.shrunk, undefined, "a run that never ends is not shrunk in this thread");
});
