/**
 * Issue 18's measurement: one sweep split 8 ways through each engine's
 * variables, run locally as the ready-made files in `deploy/` run it, then
 * merged, against the same sweep unsharded.
 *
 * For each engine the script runs the file's own shell text, as a real
 * process, once per job, with what that engine would set: the GitHub
 * Actions `run:` step under bash with the workflow's and the job's `env`
 * (`DSIM_SHARD_INDEX`/`DSIM_SHARD_COUNT` from `strategy.job-index` and
 * `job-total`), the Kubernetes container's script under `sh` with its
 * `env` and `JOB_COMPLETION_INDEX`, and the Slurm script itself under bash
 * with `SLURM_ARRAY_TASK_ID`, `_MIN`, `_MAX`, `_COUNT` and `_STEP`. Each
 * job gets a folder of its own for GitHub (then the artifacts are
 * "downloaded" into one), one shared folder for the others; then the merge
 * step runs, and `merge --json` is compared with the unsharded `sweep
 * --json`: same runs, failures, counts and first shrunk seed.
 *
 * ```sh
 * deno run -A tests/bench/shard_engines.ts                       # coins, 1..10000
 * deno run -A tests/bench/shard_engines.ts --seeds 1..2000 --scenario ping-pong
 * ```
 *
 * Jobs run one after another on this machine (its 2 cores are shared), so
 * the wall time of a job is what one machine of a real fan-out would take,
 * process start-up included; the table shows each engine's slowest job, the
 * sum of its jobs and the merge.
 *
 * @module
 */

import Table from "npm:cli-table3@0.6.5";
import { parseArgs } from "node:util";
import type { SweepReport } from "../../sim/explore/sweep.ts";
import { deployFiles, kubernetesJob, ROOT, sweepFacts } from "../_deploy_files.ts";

const args = parseArgs({
  args: Deno.args,
  options: {
    scenario: { type: "string", default: "./tests/_shard_scenarios.ts#coins" },
    seeds: { type: "string", default: "1..10000" },
  },
});
const SCENARIO = args.values.scenario, SEEDS = args.values.seeds;

/** Runs `shell` with `args` in the repository's folder; returns its exit code, output and wall ms. */
function run(
  shell: string[],
  env: Record<string, string>,
): { code: number; stdout: string; stderr: string; ms: number } {
  const started = performance.now();
  const out = new Deno.Command(shell[0], {
    args: shell.slice(1),
    cwd: ROOT,
    env: { ...env, NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).outputSync();
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  return {
    code: out.code,
    stdout: text(out.stdout),
    stderr: text(out.stderr),
    ms: performance.now() - started,
  };
}

const tmp = Deno.makeTempDirSync({ prefix: "dsim-shards-" });
const sim = ["deno", "run", "--allow-env", "--allow-read", "--allow-write", "main.ts"];
console.log(`unsharded: ${SCENARIO} --seeds ${SEEDS} ...`);
const whole = run([
  ...sim,
  "sweep",
  SCENARIO,
  "--seeds",
  SEEDS,
  "--json",
  "--out-dir",
  `${tmp}/whole`,
], {});
const expected = JSON.parse(whole.stdout) as SweepReport;
const rows: Array<Array<string | number>> = [[
  "unsharded",
  1,
  `${(whole.ms / 1000).toFixed(2)}`,
  `${(whole.ms / 1000).toFixed(2)}`,
  "-",
  expected.runs,
  expected.failed,
  whole.code,
  "-",
]];

const script = kubernetesJob().script;
let allSame = true;
for (const file of deployFiles()) {
  const dir = `${tmp}/${file.engine}`;
  const shared = `${dir}/reports`;
  const times: number[] = [];
  for (let i = 0; i < file.count; i++) {
    const own = file.engine === "github-actions" ? `${dir}/runner-${i}` : shared;
    const env = {
      ...file.vars,
      SCENARIO,
      SEEDS,
      REPORTS: own,
      ...file.jobEnv(i, file.count),
    };
    const shell = file.engine === "github-actions"
      ? ["bash", "-e", "-c", file.sweep]
      : file.engine === "kubernetes"
      ? ["sh", "-c", script]
      : ["bash", `${ROOT}${file.path}`];
    const job = run(shell, env);
    const said = job.stderr.split("\n").find((l) => l.includes("--shard auto")) ?? job.stderr;
    console.log(`${file.engine} job ${i}: exit ${job.code}, ${job.ms.toFixed(0)} ms; ${said}`);
    times.push(job.ms);
    if (own !== shared) {
      Deno.mkdirSync(shared, { recursive: true });
      for (const f of Deno.readDirSync(own)) {
        Deno.copyFileSync(`${own}/${f.name}`, `${shared}/${f.name}`);
      }
    }
  }
  const mergeShell = file.engine === "github-actions" || file.engine === "kubernetes"
    ? ["sh", "-c", file.merge]
    : ["bash", `${ROOT}${file.mergePath}`];
  const merge = run(mergeShell, { ...file.vars, REPORTS: shared });
  const last = merge.stdout.trim().split("\n").slice(-3).join(" | ");
  console.log(`${file.engine} merge: exit ${merge.code}, ${merge.ms.toFixed(0)} ms; ${last}`);
  const json = run([...sim, "merge", shared, "--json"], {});
  const merged = JSON.parse(json.stdout) as SweepReport;
  const same = JSON.stringify(sweepFacts(merged)) === JSON.stringify(sweepFacts(expected)) &&
    merge.code === whole.code;
  allSame &&= same;
  rows.push([
    file.engine,
    file.count,
    (Math.max(...times) / 1000).toFixed(2),
    (times.reduce((a, b) => a + b, 0) / 1000).toFixed(2),
    (merge.ms / 1000).toFixed(2),
    merged.runs,
    merged.failed,
    merge.code,
    same ? "yes" : "NO",
  ]);
}
const table = new Table({
  head: [
    "engine",
    "jobs",
    "slowest job s",
    "all jobs s",
    "merge s",
    "seeds",
    "failed",
    "exit",
    "same as unsharded",
  ],
  style: { head: [], border: [] },
});
table.push(...rows);
console.log(table.toString());
Deno.removeSync(tmp, { recursive: true });
if (!allSame) Deno.exit(1);
