/**
 * Issue 18, parts 3 and 4: the ready-made files in `deploy/` (a GitHub
 * Actions matrix, a Kubernetes Indexed Job, a Slurm job array) parse, split
 * the seeds so that every one runs exactly once for any count, and, run
 * locally job by job with each engine's variables and then merged, give
 * what one unsharded sweep gives.
 *
 * @module
 */

import assert from "node:assert/strict";
import { EXIT } from "../sim/cli.ts";
import { shardFromEnvironment } from "../sim/explore/engines.ts";
import { shardSeeds } from "../sim/explore/shard.ts";
import type { SweepReport } from "../sim/explore/sweep.ts";
import { cli } from "./_cli.ts";
import {
  type DeployFile,
  deployFiles,
  githubActions,
  kubernetes,
  kubernetesJob,
  ROOT,
  shellWords,
  simArgs,
  slurm,
  slurmArray,
  slurmTaskEnv,
  sweepFacts,
} from "./_deploy_files.ts";
import { scenarios } from "./_shard_scenarios.ts";

const COINS = `${ROOT}tests/_shard_scenarios.ts#coins`;

Deno.test("deploy: each file parses and holds what its engine needs", async (t) => {
  await t.step("GitHub Actions: a matrix job per shard, then a merge job that always runs", () => {
    const gh = githubActions();
    assert.equal(gh.count, 8);
    assert.deepEqual(gh.jobEnv(2, 8), {
      GITHUB_ACTIONS: "true",
      DSIM_SHARD_INDEX: "2",
      DSIM_SHARD_COUNT: "8",
    });
    const yml = Deno.readTextFileSync(`${ROOT}${gh.path}`);
    assert.match(yml, /fail-fast: false/);
    assert.match(yml, /merge:\n\s+needs: sweep\n\s+if: \$\{\{ !cancelled\(\) \}\}/);
    assert.match(yml, /upload-artifact@v4\n\s+if: \$\{\{ !cancelled\(\) \}\}/);
    assert.match(yml, /name: sweep-shard-\$\{\{ matrix\.shard \}\}/);
    assert.match(
      yml,
      /pattern: sweep-shard-\*\n\s+path: \$\{\{ env\.REPORTS \}\}\n\s+merge-multiple: true/,
    );
  });
  await t.step("Kubernetes: an Indexed Job whose count, volume and workers agree", () => {
    const k8s = kubernetes();
    const { job } = kubernetesJob();
    assert.equal(job.spec.completionMode, "Indexed");
    assert.equal(k8s.vars.DSIM_SHARD_COUNT, String(job.spec.completions));
    const pod = job.spec.template.spec;
    assert.equal(pod.restartPolicy, "Never");
    const mounts = Object.fromEntries(
      pod.containers[0].volumeMounts.map((
        m: { name: string; mountPath: string },
      ) => [m.name, m.mountPath]),
    );
    assert.equal(mounts.reports, k8s.vars.REPORTS);
    assert.equal(mounts.project, pod.containers[0].workingDir);
    assert.equal(pod.initContainers[0].volumeMounts[0].mountPath, mounts.project);
    assert.equal(pod.containers[0].resources.requests.cpu, k8s.vars.WORKERS);
  });
  await t.step("Slurm: an array whose directives come before the script", () => {
    const s = slurm();
    assert.equal(s.count, 8);
    const lines = Deno.readTextFileSync(`${ROOT}${s.path}`).split("\n");
    const firstCommand = lines.findIndex((l) => l.trim() !== "" && !l.startsWith("#"));
    const lastDirective = lines.findLastIndex((l) => l.startsWith("#SBATCH"));
    assert.ok(lastDirective < firstCommand, "sbatch stops reading #SBATCH at the first command");
    assert.deepEqual(slurmArray("10-16:2"), [10, 12, 14, 16]);
    assert.equal(s.vars.REPORTS, "reports");
  });
  for (const file of deployFiles()) {
    await t.step(
      `${file.engine}: the job runs --shard auto into the folder the merge reads`,
      () => {
        const vars = { ...file.vars, ...file.jobEnv(0, file.count) };
        const sweep = simArgs(file.sweep, vars);
        assert.deepEqual(sweep.slice(0, 4), [
          "sweep",
          file.vars.SCENARIO,
          "--seeds",
          file.vars.SEEDS,
        ]);
        assert.equal(sweep[sweep.indexOf("--shard") + 1], "auto");
        assert.equal(sweep[sweep.indexOf("--out-dir") + 1], file.vars.REPORTS);
        assert.deepEqual(simArgs(file.merge, vars), ["merge", file.vars.REPORTS]);
      },
    );
  }
});

Deno.test("deploy: every seed runs in exactly one job, for any number of jobs", () => {
  const ranges = [{ from: 1, to: 10_000 }, { from: 7, to: 50 }, { from: 0, to: 2 }];
  const check = (what: string, envs: Array<Record<string, string>>) => {
    for (const range of ranges) {
      const seen = new Map<number, number>();
      for (const env of envs) {
        const { shard } = shardFromEnvironment((name) => env[name]);
        assert.equal(shard.count, envs.length, what);
        for (const seed of shardSeeds(range, shard)) seen.set(seed, (seen.get(seed) ?? 0) + 1);
      }
      const size = range.to - range.from + 1;
      assert.equal(seen.size, size, `${what}: every seed of ${range.from}..${range.to}`);
      assert.ok([...seen.values()].every((n) => n === 1), `${what}: no seed twice`);
    }
  };
  for (const file of deployFiles()) {
    for (const count of new Set([file.count, 1, 2, 3, 5, 13, 64])) {
      check(
        `${file.engine}, ${count} jobs`,
        Array.from({ length: count }, (_, i) => ({ ...file.vars, ...file.jobEnv(i, count) })),
      );
    }
  }
  // Slurm arrays start anywhere and may step.
  for (const spec of ["0-7", "1-8", "3-3", "10-40:3", "1-8%2"]) {
    const n = slurmArray(spec).length;
    check(`--array=${spec}`, Array.from({ length: n }, (_, i) => slurmTaskEnv(spec, i)));
  }
});

Deno.test("deploy: the Kubernetes pod counts a violation or a spent budget as a report written", () => {
  const { script } = kubernetesJob();
  for (const [code, want] of [[0, 0], [1, 0], [3, 0], [2, 2], [70, 70]]) {
    // The real script, with deno standing in for itself: it exits as the sweep would.
    const out = new Deno.Command("sh", {
      args: ["-c", `deno() { return ${code}; }\n${script}`],
      stdout: "null",
      stderr: "null",
    }).outputSync();
    assert.equal(out.code, want, `sweep exit ${code}`);
  }
});

/**
 * Runs `file`'s per-job command for every job, each with what its engine
 * would set, in a folder of its own (a runner, a pod), collects the reports
 * the way the file hands them to the merge step (artifacts downloaded into
 * one folder; a shared volume), and runs the merge step there.
 */
async function runLocally(
  file: DeployFile,
  dir: string,
  overrides: Record<string, string>,
): Promise<{ code: number; report: SweepReport; errs: string[] }> {
  const shared = `${dir}/merge/${file.vars.REPORTS.replace(/^\//, "")}`;
  const errs: string[] = [];
  for (let i = 0; i < file.count; i++) {
    const own = file.engine === "github-actions" ? `${dir}/runner-${i}/reports` : shared;
    const vars: Record<string, string> = {
      ...file.vars,
      ...overrides,
      REPORTS: own,
      ...file.jobEnv(i, file.count),
    };
    // In this thread, for speed: the seeds are what the file says, the workers are ours.
    const argv = [...simArgs(file.sweep, vars), "--workers", "0"];
    const ran = await cli(argv, scenarios, { env: (name) => vars[name] });
    assert.ok(ran.code === EXIT.ok || ran.code === EXIT.violation, ran.err.join("\n"));
    errs.push(ran.err[0]);
    if (own !== shared) {
      // actions/download-artifact with merge-multiple: every job's files in one folder.
      Deno.mkdirSync(shared, { recursive: true });
      for (const f of Deno.readDirSync(own)) {
        Deno.copyFileSync(`${own}/${f.name}`, `${shared}/${f.name}`);
      }
    }
  }
  const vars = { ...file.vars, ...overrides, REPORTS: shared };
  const merged = await cli([...simArgs(file.merge, vars), "--json"], scenarios);
  assert.equal(merged.err.filter((e) => e.startsWith("error")).length, 0, merged.err.join("\n"));
  return { code: merged.code, report: JSON.parse(merged.out[0]), errs };
}

Deno.test("deploy: each file's jobs, run locally with its engine's variables and merged, equal one sweep", async (t) => {
  const dir = Deno.makeTempDirSync();
  try {
    const seeds = "1..200";
    const whole = await cli(
      ["sweep", COINS, "--seeds", seeds, "--json", "--out-dir", `${dir}/whole`],
      scenarios,
      { workers: false },
    );
    const expected = JSON.parse(whole.out[0]) as SweepReport;
    assert.ok(expected.failed > 0 && expected.failed < 200, `${expected.failed} failed`);
    assert.ok(expected.shrunk !== undefined);
    const said: Record<string, RegExp> = {
      "github-actions":
        /^--shard auto: shard (\d+)\/8 from the GitHub Actions matrix \(DSIM_SHARD_INDEX=\d+/,
      kubernetes:
        /^--shard auto: shard (\d+)\/8 from the Kubernetes Indexed Job \(JOB_COMPLETION_INDEX=/,
      slurm: /^--shard auto: shard (\d+)\/8 from the Slurm job array \(SLURM_ARRAY_TASK_ID=/,
    };
    for (const file of deployFiles()) {
      await t.step(`${file.engine}: ${file.count} jobs, then the merge step`, async () => {
        const got = await runLocally(file, `${dir}/${file.engine}`, {
          SCENARIO: COINS,
          SEEDS: seeds,
        });
        got.errs.forEach((line, i) => {
          assert.equal(said[file.engine].exec(line)?.[1], String(i + 1), line);
        });
        assert.equal(got.code, whole.code);
        assert.deepEqual(sweepFacts(got.report), sweepFacts(expected));
        assert.equal(got.report.parts.length, file.count);
      });
    }
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("deploy: the shell words of a command are what the shell would pass", () => {
  const vars = { A: "x y", B: "1..9" };
  assert.deepEqual(shellWords(`run "$A" --seeds "\${B}" -n "\${C:-4}" 'q $A' \\\n  z`, vars), [
    "run",
    "x y",
    "--seeds",
    "1..9",
    "-n",
    "4",
    "q $A",
    "z",
  ]);
  assert.throws(() => shellWords("run $NOPE", vars), /\$NOPE is not set/);
});

/** The README's "Sweeping on many machines" section. */
function readmeSection(): string {
  const readme = Deno.readTextFileSync(`${ROOT}README.md`);
  const start = readme.indexOf("## Sweeping on many machines");
  assert.ok(start >= 0, "README has the section");
  return readme.slice(start, readme.indexOf("\n## ", start + 1));
}

Deno.test("README: 'Sweeping on many machines' names each file and the commands its header gives", () => {
  const section = readmeSection();
  const files = [...section.matchAll(/`(deploy\/[^`]+)`/g)].map((m) => m[1]);
  const named = new Set(files.flatMap((f) => f.split(/`, `/)));
  for (const f of deployFiles()) {
    assert.ok(named.has(f.path), `README names ${f.path}`);
    assert.ok(section.includes(f.mergePath.split("/").pop()!), `README names ${f.mergePath}`);
  }
  for (const f of named) assert.ok(Deno.statSync(`${ROOT}${f}`).isFile, f);
  const headers = deployFiles().flatMap((f) => [f.path, f.mergePath])
    .map((p) => Deno.readTextFileSync(`${ROOT}${p}`)).join("\n");
  const blocks = [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]);
  const submits = blocks.flatMap((b) => b.split("\n"))
    .filter((l) => /^(kubectl |sbatch |jobid=|gh )/.test(l));
  assert.equal(submits.length, 7, submits.join("\n"));
  for (const line of submits) {
    // The file's own header says the same command, so the two cannot drift apart.
    assert.ok(
      headers.includes(line.replace(/^gh (.*)$/, "`gh $1`")) || headers.includes(`#   ${line}`),
      line,
    );
  }
});

Deno.test("README: the one-machine example runs as written and merges to one sweep", async () => {
  const block = [...readmeSection().matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1])
    .find((b) => b.startsWith("for i in"));
  assert.ok(block, "README has the loop");
  const m =
    /^for i in ([\d ]+); do\n\s+((?:[A-Z_]+=\S+ )+)(deno task sim .*)\ndone\n(deno task sim merge .*)\n$/
      .exec(block);
  assert.ok(m, block);
  const dir = Deno.makeTempDirSync();
  // The folder the example names, in a temporary place rather than the reader's.
  const here = (words: string[]) => words.map((w) => w === "reports" ? `${dir}/reports` : w);
  try {
    for (const i of m[1].split(" ")) {
      const env: Record<string, string> = {};
      for (const pair of shellWords(m[2], { i })) {
        const [name, value] = pair.split("=");
        env[name] = value;
      }
      const ran = await cli(here(simArgs(m[3], {})), undefined, {
        env: (name) => env[name],
        workers: false,
      });
      assert.ok(ran.code <= 1, ran.err.join("\n"));
    }
    const merged = await cli([...here(simArgs(m[4], {})), "--json"]);
    const sweepArgs = here(simArgs(m[3], {}));
    sweepArgs.splice(sweepArgs.indexOf("--shard"), 2);
    sweepArgs.splice(sweepArgs.indexOf("--out-dir"), 2);
    const whole = await cli([...sweepArgs, "--json"], undefined, { workers: false });
    assert.equal(merged.code, whole.code);
    assert.deepEqual(sweepFacts(JSON.parse(merged.out[0])), sweepFacts(JSON.parse(whole.out[0])));
    assert.ok(JSON.parse(whole.out[0]).failed > 0, "the example shows a failure to replay");
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
