/**
 * The ready-made files in `deploy/`, read the way their engines read them:
 * the command each job runs, the variables it sees, what the engine tells
 * job number i of n, and the merge step. The deploy tests and the
 * measurement script (`tests/bench/shard_engines.ts`) both stand on this, so
 * what they run is what the files say, not a copy of it.
 *
 * @module
 */

import { parse, parseAllDocuments } from "npm:yaml@2.9.1";
import type { SweepReport } from "../sim/explore/sweep.ts";

/** The engines with a ready-made file. */
export type EngineName = "github-actions" | "kubernetes" | "slurm";

/** One engine's files, read. */
export interface DeployFile {
  engine: EngineName;
  /** The file that holds the per-job command. */
  path: string;
  /** The file that holds the merge step (may be the same). */
  mergePath: string;
  /** Shards, as the file is written. */
  count: number;
  /** The variables the file sets for its commands (defaults a user may override). */
  vars: Record<string, string>;
  /** The per-job command, as the file writes it (shell text). */
  sweep: string;
  /** The merge step's command. */
  merge: string;
  /** What the engine sets for job `index` (0-based) of `count`, with the file's own mapping. */
  jobEnv(index: number, count: number): Record<string, string>;
}

/** The repository's root folder. */
export const ROOT: string = new URL("../", import.meta.url).pathname;

function read(path: string): string {
  return Deno.readTextFileSync(`${ROOT}${path}`);
}

// deno-lint-ignore no-explicit-any
type Yaml = any;

/** The GitHub Actions workflow: a matrix job per shard, then a merge job. */
export function githubActions(): DeployFile {
  const path = "deploy/github-actions/sweep.yml";
  const doc: Yaml = parse(read(path));
  const job = doc.jobs.sweep;
  const matrix = Object.values(job.strategy.matrix) as unknown[][];
  if (matrix.length !== 1) throw new Error(`${path}: one matrix axis expected`);
  const run = (steps: Yaml[], word: string) =>
    steps.map((s) => s.run).find((r) => typeof r === "string" && r.includes(` ${word} `));
  return {
    engine: "github-actions",
    path,
    mergePath: path,
    count: matrix[0].length,
    vars: { ...doc.env },
    sweep: run(job.steps, "sweep"),
    merge: run(doc.jobs.merge.steps, "merge"),
    jobEnv(index, count) {
      const env: Record<string, string> = { GITHUB_ACTIONS: "true" };
      for (const [name, value] of Object.entries(job.env as Record<string, string>)) {
        env[name] = String(value).replace(/\$\{\{\s*([^}]*?)\s*\}\}/g, (_, expr: string) => {
          if (expr === "strategy.job-index") return String(index);
          if (expr === "strategy.job-total") return String(count);
          throw new Error(`${path}: ${name} uses \${{ ${expr} }}, which this test cannot evaluate`);
        });
      }
      return env;
    },
  };
}

/** The Kubernetes Indexed Job and its merge Job. */
export function kubernetes(): DeployFile {
  const path = "deploy/kubernetes/sweep.yaml", mergePath = "deploy/kubernetes/merge.yaml";
  const { job, script } = kubernetesJob();
  const mergeJob: Yaml = parse(read(mergePath));
  const container = job.spec.template.spec.containers[0];
  const vars: Record<string, string> = {};
  for (const e of container.env) vars[e.name] = String(e.value);
  const line = (script: string, word: string) =>
    script.replace(/\\\n\s*/g, " ").split("\n")
      .find((l) => l.trim().startsWith(`deno task sim ${word} `))!.trim();
  return {
    engine: "kubernetes",
    path,
    mergePath,
    count: job.spec.completions,
    vars,
    sweep: line(script, "sweep"),
    merge: line(mergeJob.spec.template.spec.containers[0].args.join("\n"), "merge"),
    jobEnv: (index, count) => ({
      JOB_COMPLETION_INDEX: String(index),
      // The file keeps the two equal (a test checks); another count changes both.
      DSIM_SHARD_COUNT: String(count),
    }),
  };
}

/** The Kubernetes sweep Job's parsed spec and its container's shell script. */
export function kubernetesJob(): { job: Yaml; script: string } {
  const job: Yaml = parseAllDocuments(read("deploy/kubernetes/sweep.yaml")).map((d) => d.toJS())
    .find((d: Yaml) => d.kind === "Job");
  return { job, script: job.spec.template.spec.containers[0].args.join("\n") };
}

/** The Slurm array script and its merge script. */
export function slurm(): DeployFile {
  const path = "deploy/slurm/sweep.sbatch", mergePath = "deploy/slurm/merge.sbatch";
  const text = read(path);
  const array = /^#SBATCH --array=(\S+)/m.exec(text)?.[1];
  if (array === undefined) throw new Error(`${path}: no #SBATCH --array line`);
  const tasks = slurmArray(array);
  const defaults = (script: string) => {
    const vars: Record<string, string> = {};
    for (const m of script.matchAll(/^([A-Z_]+)=\$\{\1:-([^}]*)\}/gm)) vars[m[1]] = m[2];
    return vars;
  };
  const command = (script: string, word: string) => {
    const joined = script.replace(/\\\n/g, " ");
    return joined.split("\n").find((l) => l.startsWith(`deno task sim ${word} `))!;
  };
  return {
    engine: "slurm",
    path,
    mergePath,
    count: tasks.length,
    vars: { ...defaults(read(mergePath)), ...defaults(text) },
    sweep: command(text, "sweep"),
    merge: command(read(mergePath), "merge"),
    // Another count: the array 1-N, as the file writes it.
    jobEnv: (index, count) => slurmTaskEnv(count === tasks.length ? array : `1-${count}`, index),
  };
}

/** The task ids of a Slurm `--array=A-B[:S][%L]` (or a single id). */
export function slurmArray(spec: string): number[] {
  const m = /^(\d+)(?:-(\d+)(?::(\d+))?)?(?:%\d+)?$/.exec(spec);
  if (m === null) throw new Error(`cannot read --array=${spec}`);
  const from = Number(m[1]), to = Number(m[2] ?? m[1]), step = Number(m[3] ?? 1);
  const ids: number[] = [];
  for (let id = from; id <= to; id += step) ids.push(id);
  return ids;
}

/** The variables Slurm sets for task number `index` (0-based) of `--array=spec`. */
export function slurmTaskEnv(spec: string, index: number): Record<string, string> {
  const ids = slurmArray(spec);
  const step = /:(\d+)/.exec(spec)?.[1] ?? "1";
  return {
    SLURM_ARRAY_JOB_ID: "4242",
    SLURM_ARRAY_TASK_ID: String(ids[index]),
    SLURM_ARRAY_TASK_MIN: String(ids[0]),
    SLURM_ARRAY_TASK_MAX: String(ids[ids.length - 1]),
    SLURM_ARRAY_TASK_COUNT: String(ids.length),
    SLURM_ARRAY_TASK_STEP: step,
  };
}

/** Every engine's files. */
export function deployFiles(): DeployFile[] {
  return [githubActions(), kubernetes(), slurm()];
}

/**
 * A shell command line as the words the shell would pass on: `"..."` and
 * `'...'` quoting, backslash-newline, and `$NAME`, `${NAME}` and
 * `${NAME:-default}` taken from `vars` (an unset one without a default is
 * an error: the test must know every variable a command uses).
 */
export function shellWords(command: string, vars: Record<string, string>): string[] {
  const words: string[] = [];
  let word: string | undefined;
  const text = command.replace(/\\\n/g, " ");
  const expand = (i: number): [string, number] => {
    const braced = /^\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/.exec(text.slice(i));
    const bare = /^\$([A-Za-z_][A-Za-z0-9_]*)/.exec(text.slice(i));
    const m = braced ?? bare;
    if (m === null) return ["$", i + 1];
    const value = vars[m[1]] ?? m[2];
    if (value === undefined) throw new Error(`$${m[1]} is not set: ${command}`);
    return [value, i + m[0].length];
  };
  for (let i = 0; i < text.length;) {
    const c = text[i];
    if (/\s/.test(c)) {
      if (word !== undefined) words.push(word);
      word = undefined;
      i++;
    } else if (c === "'") {
      const end = text.indexOf("'", i + 1);
      word = (word ?? "") + text.slice(i + 1, end);
      i = end + 1;
    } else if (c === '"') {
      word ??= "";
      for (i++; text[i] !== '"';) {
        if (i >= text.length) throw new Error(`unclosed quote: ${command}`);
        if (text[i] === "$") {
          const [value, next] = expand(i);
          word += value;
          i = next;
        } else word += text[i++];
      }
      i++;
    } else if (c === "$") {
      const [value, next] = expand(i);
      word = (word ?? "") + value;
      i = next;
    } else {
      word = (word ?? "") + c;
      i++;
    }
  }
  if (word !== undefined) words.push(word);
  return words;
}

/** The arguments after `deno task sim` of one of the files' commands. */
export function simArgs(command: string, vars: Record<string, string>): string[] {
  const words = shellWords(command, vars);
  if (words.slice(0, 3).join(" ") !== "deno task sim") {
    throw new Error(`expected a "deno task sim" command, got ${command}`);
  }
  return words.slice(3);
}

/**
 * What a sweep found, without what depends on timing or on how it was
 * split: what a merge of shards must give exactly as one sweep does.
 */
export function sweepFacts(r: SweepReport): Record<string, unknown> {
  return {
    runs: r.runs,
    failed: r.failed,
    events: r.events,
    messages: r.messages,
    virtualMs: r.virtualMs,
    notReached: r.notReached.count,
    failures: r.failures,
    shrunk: r.shrunk === undefined ? undefined : { seed: r.shrunk.seed, check: r.shrunk.check },
  };
}
