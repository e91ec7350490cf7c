/**
 * Issue 18, parts 1 and 2: `--shard auto` reads the shard from the engine
 * that started the job (a CI matrix, a Kubernetes Indexed Job, a Slurm job
 * array) or fails clearly; `--out-dir` names a report for its shard; `sim
 * merge DIR` merges a folder of reports and refuses a missing, duplicate,
 * overlapping or inconsistent one, naming it.
 *
 * @module
 */

import assert from "node:assert/strict";
import { EXIT } from "../sim/cli.ts";
import { ConfigError } from "../sim/errors.ts";
import { chooseShard, type EnvLookup, shardFromEnvironment } from "../sim/explore/engines.ts";
import type { ExploreReport } from "../sim/explore/explore_report.ts";
import { reportFileName } from "../sim/explore/report_files.ts";
import type { SweepReport } from "../sim/explore/sweep.ts";
import { cli } from "./_cli.ts";
import { scenarios } from "./_shard_scenarios.ts";

const COINS = `${new URL("./_shard_scenarios.ts", import.meta.url).pathname}#coins`;

function envOf(vars: Record<string, string>): EnvLookup {
  return (name) => vars[name];
}

function refused(f: () => unknown, input: string, message: RegExp): void {
  assert.throws(f, (e: unknown) => {
    assert.ok(e instanceof ConfigError, String(e));
    assert.equal(e.input, input);
    assert.match(e.message, message);
    return true;
  });
}

Deno.test("--shard auto: each engine's variables give shard K/M, 1-based", async (t) => {
  await t.step("a CI matrix: DSIM_SHARD_INDEX (0-based) of DSIM_SHARD_COUNT", () => {
    const found = shardFromEnvironment(
      envOf({ DSIM_SHARD_INDEX: "7", DSIM_SHARD_COUNT: "8", GITHUB_ACTIONS: "true" }),
    );
    assert.deepEqual(found.shard, { index: 8, count: 8 });
    assert.equal(found.engine, "matrix");
    assert.equal(
      found.source,
      "the GitHub Actions matrix (DSIM_SHARD_INDEX=7, DSIM_SHARD_COUNT=8)",
    );
  });
  await t.step("Kubernetes: JOB_COMPLETION_INDEX, the count from the flag or the variable", () => {
    const env = envOf({ JOB_COMPLETION_INDEX: "2", DSIM_SHARD_COUNT: "4" });
    assert.deepEqual(shardFromEnvironment(env).shard, { index: 3, count: 4 });
    assert.equal(
      shardFromEnvironment(env).source,
      "the Kubernetes Indexed Job (JOB_COMPLETION_INDEX=2, DSIM_SHARD_COUNT=4)",
    );
    // The flag is said on purpose: it wins over the variable.
    assert.deepEqual(shardFromEnvironment(env, 6).shard, { index: 3, count: 6 });
  });
  await t.step("Slurm: the task id counts from SLURM_ARRAY_TASK_MIN, in steps", () => {
    const task = (id: number, min: number, count: number, step = 1) =>
      shardFromEnvironment(envOf({
        SLURM_ARRAY_TASK_ID: String(id),
        SLURM_ARRAY_TASK_MIN: String(min),
        SLURM_ARRAY_TASK_MAX: String(min + (count - 1) * step),
        SLURM_ARRAY_TASK_COUNT: String(count),
        SLURM_ARRAY_TASK_STEP: String(step),
      })).shard;
    assert.deepEqual(task(1, 1, 8), { index: 1, count: 8 }); // --array=1-8
    assert.deepEqual(task(0, 0, 8), { index: 1, count: 8 }); // --array=0-7
    assert.deepEqual(task(7, 0, 8), { index: 8, count: 8 });
    assert.deepEqual(task(14, 10, 4, 2), { index: 3, count: 4 }); // --array=10-16:2
    // An older Slurm without SLURM_ARRAY_TASK_COUNT: the count from MIN, MAX and STEP.
    const old = shardFromEnvironment(envOf({
      SLURM_ARRAY_TASK_ID: "5",
      SLURM_ARRAY_TASK_MIN: "5",
      SLURM_ARRAY_TASK_MAX: "9",
    }));
    assert.deepEqual(old.shard, { index: 1, count: 5 });
    assert.equal(old.source, "the Slurm job array (SLURM_ARRAY_TASK_ID=5 of 5..9)");
  });
  await t.step("the variables set on purpose win over an engine's", () => {
    const env = envOf({
      DSIM_SHARD_INDEX: "0",
      DSIM_SHARD_COUNT: "2",
      SLURM_ARRAY_TASK_ID: "3",
      SLURM_ARRAY_TASK_MIN: "1",
      SLURM_ARRAY_TASK_COUNT: "8",
    });
    assert.deepEqual(shardFromEnvironment(env).shard, { index: 1, count: 2 });
  });
});

Deno.test("--shard auto refuses what does not make one shard, naming the variable", () => {
  const none = envOf({});
  refused(() => shardFromEnvironment(none), "--shard", /auto found no shard in the environment/);
  refused(
    () => shardFromEnvironment(envOf({ GITHUB_ACTIONS: "true" })),
    "--shard",
    /set DSIM_SHARD_INDEX: \$\{\{ strategy\.job-index \}\} and DSIM_SHARD_COUNT: \$\{\{ strategy\.job-total \}\}/,
  );
  refused(
    () => shardFromEnvironment(envOf({ JOB_COMPLETION_INDEX: "1" })),
    "--shard",
    /gives its index \(JOB_COMPLETION_INDEX=1\) but not its completions; give the shard count with --shard-count M or DSIM_SHARD_COUNT=M/,
  );
  refused(
    () => shardFromEnvironment(envOf({ JOB_COMPLETION_INDEX: "4", DSIM_SHARD_COUNT: "4" })),
    "--shard",
    /JOB_COMPLETION_INDEX gives index 4 \(0-based\), but there are only 4 shards/,
  );
  refused(
    () => shardFromEnvironment(envOf({ DSIM_SHARD_INDEX: "x", DSIM_SHARD_COUNT: "4" })),
    "--shard",
    /auto: DSIM_SHARD_INDEX must be a whole number/,
  );
  refused(
    () => shardFromEnvironment(envOf({ JOB_COMPLETION_INDEX: "0", SLURM_ARRAY_TASK_ID: "1" })),
    "--shard",
    /found two engines' indexes/,
  );
  refused(
    () =>
      shardFromEnvironment(envOf({
        SLURM_ARRAY_TASK_ID: "3",
        SLURM_ARRAY_TASK_MIN: "1",
        SLURM_ARRAY_TASK_MAX: "7",
        SLURM_ARRAY_TASK_COUNT: "3",
      })),
    "--shard",
    /evenly spaced task ids/, // --array=1,3,7
  );
  refused(
    () =>
      shardFromEnvironment(
        envOf({
          SLURM_ARRAY_TASK_ID: "1",
          SLURM_ARRAY_TASK_MIN: "1",
          SLURM_ARRAY_TASK_COUNT: "8",
        }),
        4,
      ),
    "--shard-count",
    /the Slurm array has 8 tasks/,
  );
  refused(() => chooseShard("1/2", "2", none), "--shard-count", /only with --shard auto/);
  refused(() => chooseShard("auto", "0", none), "--shard-count", /whole number from 1/);
  refused(() => chooseShard("3/2", undefined, none), "--shard", /K\/M/);
});

Deno.test("sim sweep --shard auto: says which engine on stderr, or exits 2 with one line", async () => {
  const dir = Deno.makeTempDirSync();
  try {
    const argv = ["sweep", COINS, "--seeds", "1..40", "--shard", "auto", "--out-dir", dir];
    const none = await cli(argv, scenarios, { env: envOf({}), workers: false });
    assert.equal(none.code, EXIT.usage);
    assert.equal(none.err.length, 1);
    assert.match(none.err[0], /^error: --shard: auto found no shard in the environment/);
    assert.deepEqual([...Deno.readDirSync(dir)], [], "nothing run, nothing written");

    const env = envOf({ JOB_COMPLETION_INDEX: "2", DSIM_SHARD_COUNT: "3" });
    const ran = await cli([...argv, "--json"], scenarios, { env, workers: false });
    assert.ok(ran.code === EXIT.ok || ran.code === EXIT.violation, ran.err.join("\n"));
    assert.equal(
      ran.err[0],
      "--shard auto: shard 3/3 from the Kubernetes Indexed Job (JOB_COMPLETION_INDEX=2, " +
        "DSIM_SHARD_COUNT=3)",
    );
    const name = "sweep-coins-shard-03-of-03.json";
    assert.ok(ran.err.includes(`saved ${dir}/${name}`), ran.err.join("\n"));
    const saved = JSON.parse(Deno.readTextFileSync(`${dir}/${name}`)) as SweepReport;
    assert.deepEqual(saved, JSON.parse(ran.out[0]), "the file holds what --json prints");
    assert.equal(saved.shard, "3/3");
    assert.equal(saved.runs, 13); // seeds 2, 5, ..., 38
    assert.equal(saved.dsim, "0.2.0");

    const flag = await cli(
      ["sweep", COINS, "--seeds", "1..9", "--shard", "auto", "--shard-count", "9"],
      scenarios,
      { env: envOf({ JOB_COMPLETION_INDEX: "0", DSIM_SHARD_COUNT: "3" }), workers: false },
    );
    assert.match(flag.err[0], /shard 1\/9 from .*--shard-count 9/);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("report names say their shard and sort in shard order", () => {
  const names = [12, 3, 1].map((k) => reportFileName("sweep", "raft", { index: k, count: 12 }));
  assert.deepEqual(names, [
    "sweep-raft-shard-12-of-12.json",
    "sweep-raft-shard-03-of-12.json",
    "sweep-raft-shard-01-of-12.json",
  ]);
  assert.equal(
    reportFileName("explore", "abd", { index: 7, count: 100 }),
    "explore-abd-shard-007-of-100.json",
  );
});

/** Runs `sweep` on coins for each shard of `count` into `dir`; returns the report files. */
async function sweepShards(
  dir: string,
  count: number,
  extra: string[] = [],
  seeds = "1..60",
): Promise<string[]> {
  const files: string[] = [];
  for (let i = 0; i < count; i++) {
    const env = envOf({ DSIM_SHARD_INDEX: String(i), DSIM_SHARD_COUNT: String(count) });
    const ran = await cli(
      ["sweep", COINS, "--seeds", seeds, "--shard", "auto", "--out-dir", dir, ...extra],
      scenarios,
      { env, workers: false },
    );
    assert.ok(ran.code <= 1, ran.err.join("\n"));
    files.push(`${dir}/${reportFileName("sweep", "coins", { index: i + 1, count })}`);
  }
  return files;
}

Deno.test("sim merge DIR: a folder of shard reports is one sweep; the first failure's replay line ends it", async () => {
  const dir = Deno.makeTempDirSync();
  try {
    await sweepShards(`${dir}/reports`, 4);
    const whole = await cli(
      ["sweep", COINS, "--seeds", "1..60", "--json", "--out-dir", dir],
      scenarios,
      {
        workers: false,
      },
    );
    const expected = JSON.parse(whole.out[0]) as SweepReport;
    assert.ok(expected.failed > 0, "coins fails on some of 60 seeds");
    const merged = await cli(["merge", `${dir}/reports`], scenarios);
    assert.equal(merged.code, EXIT.violation, merged.err.join("\n"));
    const text = merged.out.join("\n");
    assert.match(
      text,
      /seeds 1\/4 of 1\.\.60 \+ 2\/4 of 1\.\.60 \+ 3\/4 of 1\.\.60 \+ 4\/4 of 1\.\.60/,
    );
    const first = expected.failures[0];
    assert.ok(
      text.endsWith(
        `first of ${expected.failed} failures: seed ${first.seed} (${first.check}); replay it with:\n` +
          `  ${first.replay}`,
      ),
      text,
    );
    // The shrunk traces saved beside the reports are passed by, and said so.
    assert.match(merged.err.join("\n"), /^merge: passed by \d+ trace files? \(shrunk runs\)$/);
    const json = JSON.parse((await cli(["merge", `${dir}/reports`, "--json"], scenarios)).out[0]);
    for (const key of ["runs", "failed", "events", "messages", "virtualMs", "failures"] as const) {
      assert.deepEqual(json[key], expected[key], key);
    }
    assert.equal(json.shrunk.seed, expected.shrunk!.seed);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("sim merge refuses a missing, duplicate, overlapping or inconsistent shard with exit 2 naming it", async (t) => {
  const dir = Deno.makeTempDirSync();
  const reports = `${dir}/reports`;
  const files = await sweepShards(reports, 3, ["--no-shrink"]);
  const expectRefusal = async (paths: string[], message: RegExp) => {
    const ran = await cli(["merge", ...paths], scenarios);
    assert.equal(ran.code, EXIT.usage, ran.out.join("\n"));
    assert.equal(ran.out.length, 0);
    assert.equal(ran.err.length, 1, ran.err.join("\n"));
    assert.match(ran.err[0], message);
  };
  const edit = (from: string, to: string, change: (r: Record<string, unknown>) => void) => {
    const r = JSON.parse(Deno.readTextFileSync(from));
    change(r);
    Deno.writeTextFileSync(to, JSON.stringify(r));
  };
  try {
    await t.step("missing: the shard is named", async () => {
      await expectRefusal([files[0], files[2]], /^error: merge: missing shard 2\/3 of 1\.\.60: /);
      const lone = `${dir}/lone`;
      Deno.mkdirSync(lone);
      Deno.copyFileSync(files[1], `${lone}/b.json`);
      await expectRefusal([lone], /missing shards 1\/3 of 1\.\.60, 3\/3 of 1\.\.60/);
    });
    await t.step("duplicate: a second copy of a shard, under another name", async () => {
      Deno.copyFileSync(files[1], `${reports}/copy.json`);
      await expectRefusal(
        [reports],
        /^error: .*sweep-coins-shard-02-of-03\.json: 2\/3 of 1\.\.60 and 2\/3 of 1\.\.60 \(from .*copy\.json\) cover the same seeds: a duplicate shard$/,
      );
      Deno.removeSync(`${reports}/copy.json`);
    });
    await t.step("overlapping: a shard of another count over the same seeds", async () => {
      const [other] = await sweepShards(`${dir}/other`, 2, ["--no-shrink"]);
      await expectRefusal([...files, other], /may share seeds: .* different shard counts/);
    });
    await t.step("inconsistent: another scenario, other parameters, another version", async () => {
      edit(
        files[2],
        `${dir}/flips.json`,
        (r) => (r.params as { flags: { flips: number } }).flags.flips = 13,
      );
      await expectRefusal(
        [files[0], files[1], `${dir}/flips.json`],
        /^error: .*flips\.json: ran with .*"flips":13.*only runs with the same parameters merge$/,
      );
      edit(files[2], `${dir}/version.json`, (r) => r.dsim = "0.1.0");
      await expectRefusal(
        [files[0], files[1], `${dir}/version.json`],
        /version\.json: was made by dsim 0\.1\.0, but .* was made by dsim 0\.2\.0: only reports of one dsim version merge/,
      );
      edit(files[2], `${dir}/scenario.json`, (r) => r.scenario = "dice");
      await expectRefusal(
        [files[0], files[1], `${dir}/scenario.json`],
        /scenario\.json: sweeps dice, but .* sweeps coins: only one scenario merges/,
      );
      edit(files[2], `${dir}/old.json`, (r) => r.version = 1);
      await expectRefusal(
        [`${dir}/old.json`],
        /old\.json: version 1 is not supported; this build reads version 2/,
      );
    });
    await t.step("broken: half a report in the folder is refused, not passed by", async () => {
      Deno.writeTextFileSync(`${reports}/sweep-coins-shard-04-of-04.json`, '{"format":"dsim-sw');
      await expectRefusal([reports], /sweep-coins-shard-04-of-04\.json: is not JSON/);
      Deno.removeSync(`${reports}/sweep-coins-shard-04-of-04.json`);
      const empty = `${dir}/empty`;
      Deno.mkdirSync(empty);
      await expectRefusal([empty], /empty: holds no report \(no \.json file\)/);
    });
    await t.step("mixed: a sweep and an exploration do not merge", async () => {
      const ran = await cli(
        [
          "explore",
          COINS,
          "--runs",
          "5",
          "--strategy",
          "random",
          "--out-dir",
          `${dir}/x`,
          "--no-shrink",
        ],
        scenarios,
        { workers: false },
      );
      assert.ok(ran.code <= 1, ran.err.join("\n"));
      await expectRefusal(
        [...files, `${dir}/x/explore-coins.json`],
        /explore-coins\.json: is an explore report, but .* is a sweep report/,
      );
    });
    const all = await cli(["merge", reports], scenarios);
    assert.ok(all.code === EXIT.ok || all.code === EXIT.violation, all.err.join("\n"));
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("sim explore --shard auto: run i goes to shard (i mod M) + 1; merged, the first failure is the lowest run", async () => {
  const dir = Deno.makeTempDirSync();
  try {
    const explore = (extra: string[], env: Record<string, string> = {}) =>
      cli(
        ["explore", COINS, "--strategy", "random", "--no-shrink", "--json", ...extra],
        scenarios,
        { env: envOf(env), workers: false },
      );
    // A failure to find: the first failing run, and the counts where none fails.
    for (const [flags, runs] of [[[], "60"], [["--streak", "90"], "45"]] as const) {
      const out = `${dir}/${flags.length}`;
      const whole = JSON.parse((await explore([...flags, "--runs", runs])).out[0]) as ExploreReport;
      for (let i = 0; i < 4; i++) {
        const slurmTask = {
          SLURM_ARRAY_TASK_ID: String(i + 1),
          SLURM_ARRAY_TASK_MIN: "1",
          SLURM_ARRAY_TASK_COUNT: "4",
        };
        const ran = await explore(
          [...flags, "--runs", runs, "--shard", "auto", "--out-dir", out],
          slurmTask,
        );
        const part = JSON.parse(ran.out[0]) as ExploreReport;
        assert.equal(part.shard, `${i + 1}/4`);
        assert.deepEqual(part.parts, [`${i + 1}/4 of runs 0..${Number(runs) - 1}`]);
        if (part.firstFailure !== null) assert.equal(part.firstFailure.run % 4, i);
      }
      const ran = await cli(["merge", out, "--json"], scenarios);
      const merged = JSON.parse(ran.out[0]) as ExploreReport;
      assert.equal(ran.code, whole.found ? EXIT.violation : EXIT.ok);
      assert.deepEqual(merged.firstFailure, whole.firstFailure);
      if (!whole.found) {
        assert.equal(merged.runs, Number(runs));
        assert.equal(merged.runs, whole.runs);
        assert.deepEqual(merged.sometimes, whole.sometimes, "sometimes counts add up");
        assert.ok((whole.sometimes["three-heads"] ?? 0) > 0);
      } else {
        assert.ok(whole.firstFailure!.run > 0, "not found on the first run: worth merging");
      }
      const text = (await cli(["merge", out], scenarios)).out.join("\n");
      assert.match(text, /1\/4 of runs 0\.\.\d+ \+ 2\/4 of runs/);
      if (whole.found) assert.ok(text.includes(whole.firstFailure!.replay), text);
    }
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
