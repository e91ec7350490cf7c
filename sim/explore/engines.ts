/**
 * Which shard am I? `--shard auto` asks the engine that started the job.
 *
 * Every engine that fans a job out numbers its copies, but each in its own
 * words, and none of them in ours (`K/M`, 1-based):
 *
 * | engine                 | index                              | count                        |
 * | ---------------------- | ---------------------------------- | ---------------------------- |
 * | a CI matrix (GitHub)   | `DSIM_SHARD_INDEX`, 0-based        | `DSIM_SHARD_COUNT`           |
 * | Kubernetes Indexed Job | `JOB_COMPLETION_INDEX`, 0-based    | `--shard-count` or the above |
 * | Slurm job array        | `SLURM_ARRAY_TASK_ID` from `_MIN`  | `SLURM_ARRAY_TASK_COUNT`     |
 *
 * GitHub Actions tells a matrix job nothing by itself, so the workflow
 * passes `${{ strategy.job-index }}` and `${{ strategy.job-total }}` in as
 * the two `DSIM_` variables (any other CI can do the same). Kubernetes gives
 * the index but not the Job's `completions`, so the count comes from a flag
 * or a variable. Slurm gives both, and its task ids start wherever
 * `--array` says (`1-8`, `0-7`, even `0-14:2`), so the index counts from
 * `SLURM_ARRAY_TASK_MIN` in steps of `SLURM_ARRAY_TASK_STEP`.
 *
 * The variables a user sets on purpose (`DSIM_SHARD_INDEX`) win over an
 * engine's; two engines' indexes at once are refused rather than guessed
 * between, and so is finding none: a job that silently ran every seed
 * would count them eight times over.
 *
 * @module
 */

import { ConfigError } from "../errors.ts";
import { formatShard, parseShard, type Shard } from "./shard.ts";

/**
 * Reads one environment variable (`undefined` when it is not set).
 *
 * @example
 * ```ts
 * import type { EnvLookup } from "./engines.ts";
 * import assert from "node:assert/strict";
 * const env: EnvLookup = (name) => ({ SLURM_ARRAY_TASK_ID: "3" })[name];
 * assert.equal(env("SLURM_ARRAY_TASK_ID"), "3");
 * ```
 */
export type EnvLookup = (name: string) => string | undefined;

/**
 * The engines `--shard auto` knows.
 *
 * @example
 * ```ts
 * import { SHARD_ENGINES } from "./engines.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(SHARD_ENGINES, ["matrix", "kubernetes", "slurm"]);
 * ```
 */
export const SHARD_ENGINES = ["matrix", "kubernetes", "slurm"] as const;

/**
 * One of {@linkcode SHARD_ENGINES}.
 *
 * @example
 * ```ts
 * import type { ShardEngine } from "./engines.ts";
 * import assert from "node:assert/strict";
 * const e: ShardEngine = "slurm";
 * assert.equal(e, "slurm");
 * ```
 */
export type ShardEngine = typeof SHARD_ENGINES[number];

/**
 * A shard found in the environment, with the words that say where from.
 *
 * @example
 * ```ts
 * import type { FoundShard } from "./engines.ts";
 * import assert from "node:assert/strict";
 * const f: FoundShard = {
 *   shard: { index: 3, count: 8 }, engine: "slurm",
 *   source: "the Slurm job array (SLURM_ARRAY_TASK_ID=3 of 1..8)",
 * };
 * assert.equal(f.shard.index, 3);
 * ```
 */
export interface FoundShard {
  /** Shard K of M, 1-based as `--shard K/M` writes it. */
  shard: Shard;
  /** The engine whose variables gave it. */
  engine: ShardEngine;
  /** Which engine and which variables, for the line on stderr. */
  source: string;
}

/**
 * The variable that carries the count where the engine gives none (and the
 * index for a CI matrix).
 *
 * @example
 * ```ts
 * import { SHARD_COUNT_VAR, SHARD_INDEX_VAR } from "./engines.ts";
 * import assert from "node:assert/strict";
 * assert.equal(SHARD_INDEX_VAR, "DSIM_SHARD_INDEX");
 * assert.equal(SHARD_COUNT_VAR, "DSIM_SHARD_COUNT");
 * ```
 */
export const SHARD_COUNT_VAR = "DSIM_SHARD_COUNT";

/** See {@linkcode SHARD_COUNT_VAR}. */
export const SHARD_INDEX_VAR = "DSIM_SHARD_INDEX";

/** Most shards one sweep may be split into. */
const MAX_SHARDS = 1_000_000;

/**
 * The shard the engine that started this job gave it. `count` is the
 * `--shard-count` flag, for engines that give no count (it overrides
 * `DSIM_SHARD_COUNT`). Throws a {@linkcode ConfigError} naming `--shard`
 * when no engine's variables are set, when two engines' are, or when they
 * do not make a shard.
 *
 * @example
 * ```ts
 * import { shardFromEnvironment } from "./engines.ts";
 * import assert from "node:assert/strict";
 * const slurm = { SLURM_ARRAY_TASK_ID: "3", SLURM_ARRAY_TASK_MIN: "1", SLURM_ARRAY_TASK_COUNT: "8" };
 * assert.deepEqual(shardFromEnvironment((n) => slurm[n as keyof typeof slurm]).shard, {
 *   index: 3,
 *   count: 8,
 * });
 * // A Kubernetes Indexed Job counts from 0 and does not say how many.
 * const k8s = shardFromEnvironment((n) => n === "JOB_COMPLETION_INDEX" ? "0" : undefined, 4);
 * assert.equal(k8s.engine, "kubernetes");
 * assert.deepEqual(k8s.shard, { index: 1, count: 4 });
 * assert.throws(() => shardFromEnvironment(() => undefined), /found no shard/);
 * ```
 */
export function shardFromEnvironment(env: EnvLookup, count?: number): FoundShard {
  const set = (name: string) => {
    const v = env(name);
    return v !== undefined && v.trim() !== "";
  };
  if (set(SHARD_INDEX_VAR)) return fromMatrix(env, count);
  const k8s = set("JOB_COMPLETION_INDEX"), slurm = set("SLURM_ARRAY_TASK_ID");
  if (k8s && slurm) {
    throw new ConfigError(
      "--shard",
      `auto found two engines' indexes, JOB_COMPLETION_INDEX=${env("JOB_COMPLETION_INDEX")} ` +
        `(Kubernetes) and SLURM_ARRAY_TASK_ID=${env("SLURM_ARRAY_TASK_ID")} (Slurm): ` +
        `say which with ${SHARD_INDEX_VAR} and ${SHARD_COUNT_VAR}, or --shard K/M`,
    );
  }
  if (k8s) return fromKubernetes(env, count);
  if (slurm) return fromSlurm(env, count);
  const hint = env("GITHUB_ACTIONS") === "true"
    ? "; GitHub Actions tells a matrix job no index: set " +
      `${SHARD_INDEX_VAR}: \${{ strategy.job-index }} and ` +
      `${SHARD_COUNT_VAR}: \${{ strategy.job-total }} in the job's env`
    : "";
  throw new ConfigError(
    "--shard",
    "auto found no shard in the environment: it reads JOB_COMPLETION_INDEX (a Kubernetes " +
      `Indexed Job, with --shard-count or ${SHARD_COUNT_VAR}), SLURM_ARRAY_TASK_ID (a Slurm job ` +
      `array), or ${SHARD_INDEX_VAR} (0-based) and ${SHARD_COUNT_VAR} (a CI matrix); ` +
      `or give --shard K/M${hint}`,
  );
}

/**
 * The shard a command's `--shard` and `--shard-count` ask for: none, `K/M`
 * as written, or (for `auto`) the environment's. This is all a command
 * needs to offer `--shard auto`.
 *
 * @example
 * ```ts
 * import { chooseShard } from "./engines.ts";
 * import assert from "node:assert/strict";
 * const none = () => undefined;
 * assert.equal(chooseShard(undefined, undefined, none), undefined);
 * assert.deepEqual(chooseShard("2/4", undefined, none)?.shard, { index: 2, count: 4 });
 * const matrix = (n: string) => ({ DSIM_SHARD_INDEX: "1", DSIM_SHARD_COUNT: "4" })[n];
 * assert.equal(chooseShard("auto", undefined, matrix)?.source, "DSIM_SHARD_INDEX=1, DSIM_SHARD_COUNT=4");
 * assert.throws(() => chooseShard("2/4", "4", none), /--shard-count: only with --shard auto/);
 * ```
 */
export function chooseShard(
  shard: string | undefined,
  shardCount: string | undefined,
  env: EnvLookup,
): (Omit<FoundShard, "engine"> & { engine?: ShardEngine }) | undefined {
  if (shardCount !== undefined && shard?.trim() !== "auto") {
    throw new ConfigError(
      "--shard-count",
      "only with --shard auto (it is the count an engine such as Kubernetes does not give)",
    );
  }
  if (shard === undefined) return undefined;
  if (shard.trim() !== "auto") return { shard: parseShard(shard), source: "--shard" };
  const count = shardCount === undefined ? undefined : whole("--shard-count", shardCount, 1);
  return shardFromEnvironment(env, count);
}

/**
 * The process's environment as an {@linkcode EnvLookup}; a variable this
 * process may not read (no `--allow-env`) reads as unset.
 *
 * @example
 * ```ts
 * import { processEnv } from "./engines.ts";
 * import assert from "node:assert/strict";
 * assert.equal(processEnv()("DSIM_NO_SUCH_VARIABLE_SET"), undefined);
 * ```
 */
export function processEnv(): EnvLookup {
  return (name) => {
    try {
      return Deno.env.get(name);
    } catch {
      return undefined;
    }
  };
}

/** `DSIM_SHARD_INDEX` (0-based) of `DSIM_SHARD_COUNT`: a CI matrix, or anything else. */
function fromMatrix(env: EnvLookup, count?: number): FoundShard {
  const index = whole(SHARD_INDEX_VAR, env(SHARD_INDEX_VAR)!, 0);
  const total = count ?? countVar(env, `${SHARD_INDEX_VAR}=${index} is set`);
  const where = env("GITHUB_ACTIONS") === "true" ? "the GitHub Actions matrix (" : "";
  const counted = count === undefined ? `${SHARD_COUNT_VAR}=${total}` : `--shard-count ${total}`;
  return {
    shard: zeroBased(index, total, SHARD_INDEX_VAR),
    engine: "matrix",
    source: `${where}${SHARD_INDEX_VAR}=${index}, ${counted}${where === "" ? "" : ")"}`,
  };
}

/** `JOB_COMPLETION_INDEX` (0-based); the count is the Job's `completions`, given to us. */
function fromKubernetes(env: EnvLookup, count?: number): FoundShard {
  const index = whole("JOB_COMPLETION_INDEX", env("JOB_COMPLETION_INDEX")!, 0);
  const total = count ??
    countVar(
      env,
      `a Kubernetes Indexed Job gives its index (JOB_COMPLETION_INDEX=${index}) but not its ` +
        "completions",
    );
  const counted = count === undefined ? `${SHARD_COUNT_VAR}=${total}` : `--shard-count ${total}`;
  return {
    shard: zeroBased(index, total, "JOB_COMPLETION_INDEX"),
    engine: "kubernetes",
    source: `the Kubernetes Indexed Job (JOB_COMPLETION_INDEX=${index}, ${counted})`,
  };
}

/**
 * `SLURM_ARRAY_TASK_ID` in an array from `SLURM_ARRAY_TASK_MIN` to `..._MAX`
 * in steps of `..._STEP`: shard `(id - min) / step + 1` of the array's size.
 */
function fromSlurm(env: EnvLookup, count?: number): FoundShard {
  const id = whole("SLURM_ARRAY_TASK_ID", env("SLURM_ARRAY_TASK_ID")!, 0);
  const read = (name: string) => {
    const v = env(name);
    return v === undefined || v.trim() === "" ? undefined : whole(name, v, 0);
  };
  const min = read("SLURM_ARRAY_TASK_MIN");
  if (min === undefined) {
    throw new ConfigError(
      "--shard",
      `auto found SLURM_ARRAY_TASK_ID=${id} without SLURM_ARRAY_TASK_MIN: is this a Slurm ` +
        "job array (sbatch --array=A-B)?",
    );
  }
  const step = read("SLURM_ARRAY_TASK_STEP") ?? 1;
  const max = read("SLURM_ARRAY_TASK_MAX");
  const size = read("SLURM_ARRAY_TASK_COUNT") ??
    (max === undefined ? undefined : Math.floor((max - min) / Math.max(1, step)) + 1);
  if (size === undefined) {
    throw new ConfigError(
      "--shard",
      "auto found a Slurm array task but neither SLURM_ARRAY_TASK_COUNT nor SLURM_ARRAY_TASK_MAX",
    );
  }
  const even = step >= 1 && id >= min && (id - min) % step === 0 &&
    (max === undefined || max === min + (size - 1) * step);
  if (!even) {
    throw new ConfigError(
      "--shard",
      `auto needs a Slurm array of evenly spaced task ids (--array=A-B or A-B:S), but task ` +
        `${id} is in one of ${size} tasks from ${min} to ${max ?? "?"} in steps of ${step}`,
    );
  }
  if (count !== undefined && count !== size) {
    throw new ConfigError(
      "--shard-count",
      `is ${count}, but the Slurm array has ${size} tasks: leave it out, Slurm gives the count`,
    );
  }
  const index = (id - min) / step;
  return {
    shard: zeroBased(index, size, "SLURM_ARRAY_TASK_ID"),
    engine: "slurm",
    source: `the Slurm job array (SLURM_ARRAY_TASK_ID=${id} of ${min}..${min + (size - 1) * step}` +
      `${step === 1 ? "" : ` step ${step}`})`,
  };
}

/** The count from `DSIM_SHARD_COUNT`, or a clear refusal saying why it was needed. */
function countVar(env: EnvLookup, why: string): number {
  const v = env(SHARD_COUNT_VAR);
  if (v === undefined || v.trim() === "") {
    throw new ConfigError(
      "--shard",
      `auto: ${why}; give the shard count with --shard-count M or ${SHARD_COUNT_VAR}=M`,
    );
  }
  return whole(SHARD_COUNT_VAR, v, 1);
}

/** Shard `index + 1` of `count`, refusing an index past the count. */
function zeroBased(index: number, count: number, name: string): Shard {
  if (index >= count) {
    throw new ConfigError(
      "--shard",
      `auto: ${name} gives index ${index} (0-based), but there are only ${count} shards: ` +
        "is the shard count the number of jobs?",
    );
  }
  const shard = { index: index + 1, count };
  return parseShard(formatShard(shard)); // the same checks as --shard K/M
}

function whole(name: string, text: string, min: number): number {
  const n = Number(text.trim());
  if (!/^\d+$/.test(text.trim()) || n < min || n > MAX_SHARDS) {
    throw new ConfigError(
      name.startsWith("-") ? name : "--shard",
      `${name.startsWith("-") ? "" : `auto: ${name} `}must be a whole number from ${min} to ` +
        `${MAX_SHARDS}, got ${JSON.stringify(text)}`,
    );
  }
  return n;
}
