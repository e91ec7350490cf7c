/**
 * Report files: where `--out-dir` puts a job's report, and which files
 * `merge DIR` reads back.
 *
 * A shard's report is named for what it holds,
 * `sweep-raft-shard-03-of-08.json`, so the reports of many jobs can land in
 * one folder (a shared volume, an artifact download) without clashing, and a
 * person can see at a glance which one is missing. It is written under a
 * temporary name and renamed, so a merge never reads half a report; a job
 * run again (a retried pod) replaces its own report.
 *
 * @module
 */

import { join } from "node:path";
import { hashString } from "../choices.ts";
import { ConfigError } from "../errors.ts";
import type { RunSpec } from "../scenario.ts";
import type { Shard } from "./shard.ts";

/**
 * The file name of a report of `kind` (the command: `sweep`, `explore`,
 * ...) for `scenario` and, if sharded, its shard (indexes padded so the
 * names sort in shard order).
 *
 * @example
 * ```ts
 * import { reportFileName } from "./report_files.ts";
 * import assert from "node:assert/strict";
 * assert.equal(reportFileName("sweep", "raft", { index: 3, count: 8 }), "sweep-raft-shard-03-of-08.json");
 * assert.equal(reportFileName("explore", "abd"), "explore-abd.json");
 * assert.equal(reportFileName("sweep", "./my.ts#x y"), "sweep-._my.ts_x_y.json");
 * ```
 */
export function reportFileName(kind: string, scenario: string, shard?: Shard): string {
  const name = scenario.replace(/[^A-Za-z0-9._-]/g, "_");
  if (shard === undefined) return `${kind}-${name}.json`;
  const width = Math.max(2, String(shard.count).length);
  const pad = (n: number) => String(n).padStart(width, "0");
  return `${kind}-${name}-shard-${pad(shard.index)}-of-${pad(shard.count)}.json`;
}

/**
 * The default file name of a shrunk failure,
 * `<scenario>-seed<N>-<tag>.shrunk.json` (of a `sim check` counterexample,
 * `.check.json`): the tag is 8 hex digits of a hash
 * of the run's spec and draws, so two different runs of one scenario and
 * seed (a sweep's and an exploration's, or runs with other flags) never
 * overwrite each other, and saving the same run again gives the same name.
 *
 * @example
 * ```ts
 * import { shrunkFileName } from "./report_files.ts";
 * import assert from "node:assert/strict";
 * const spec = { scenario: "raft", seed: 3, nodes: 3, until: 900, faults: "", flags: {} };
 * const name = shrunkFileName(spec, { "net:n1>n2": [0, 7] });
 * assert.match(name, /^raft-seed3-[0-9a-f]{8}\.shrunk\.json$/);
 * assert.equal(shrunkFileName(spec, { "net:n1>n2": [0, 7] }), name);
 * assert.notEqual(shrunkFileName({ ...spec, until: 800 }, { "net:n1>n2": [0, 7] }), name);
 * assert.notEqual(shrunkFileName(spec, { "net:n1>n2": [0, 6] }), name);
 * // `sim check`'s counterexamples are named alike, `.check.json`.
 * assert.match(shrunkFileName(spec, {}, "check"), /^raft-seed3-[0-9a-f]{8}\.check\.json$/);
 * ```
 */
export function shrunkFileName(
  spec: RunSpec,
  choices?: Record<string, number[]>,
  kind: "shrunk" | "check" = "shrunk",
): string {
  const tag = hashString(JSON.stringify([spec, choices ?? null])).toString(16).padStart(8, "0");
  return `${spec.scenario.replace(/[^A-Za-z0-9._-]/g, "_")}-seed${spec.seed}-${tag}.${kind}.json`;
}

/**
 * Makes the `--out-dir` folder (and its parents) if need be, so that a job
 * whose folder cannot be written fails before it runs, not after.
 *
 * @example
 * ```ts
 * import { makeReportDir } from "./report_files.ts";
 * import assert from "node:assert/strict";
 * const dir = Deno.makeTempDirSync();
 * makeReportDir(`${dir}/a/b`);
 * assert.ok(Deno.statSync(`${dir}/a/b`).isDirectory);
 * Deno.writeTextFileSync(`${dir}/file`, "");
 * assert.throws(() => makeReportDir(`${dir}/file/reports`), /--out-dir: cannot make/);
 * Deno.removeSync(dir, { recursive: true });
 * ```
 */
export function makeReportDir(dir: string): void {
  try {
    Deno.mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw new ConfigError(
      "--out-dir",
      `cannot make ${JSON.stringify(dir)}: ${(e as Error).message}`,
    );
  }
}

/**
 * Writes `text` to `dir/name` (making `dir` if need be) and returns the
 * path. Bad input names `--out-dir`.
 *
 * @example
 * ```ts
 * import { writeReportFile } from "./report_files.ts";
 * import assert from "node:assert/strict";
 * const dir = Deno.makeTempDirSync();
 * const path = writeReportFile(`${dir}/reports`, "sweep-x.json", "{}");
 * assert.equal(Deno.readTextFileSync(path), "{}");
 * Deno.removeSync(dir, { recursive: true });
 * ```
 */
export function writeReportFile(dir: string, name: string, text: string): string {
  const path = join(dir, name);
  // Not ending in .json: a merge reading the folder meanwhile passes it by.
  const partial = `${path}.${Deno.pid}.partial`;
  makeReportDir(dir);
  try {
    Deno.writeTextFileSync(partial, text);
    Deno.renameSync(partial, path);
  } catch (e) {
    try {
      Deno.removeSync(partial);
    } catch { /* never written */ }
    throw new ConfigError(
      "--out-dir",
      `cannot write ${JSON.stringify(path)}: ${(e as Error).message}`,
    );
  }
  return path;
}

/** Most files `merge` looks at in one folder, with its subfolders. */
const MAX_FILES = 100_000;

/**
 * The report files `paths` stand for: a file as given, a folder as every
 * `*.json` file in it and its subfolders (an artifact download may keep one
 * folder per job), in path order, hidden files left out; `inFolder` says
 * which were found in a folder rather than named. Throws a
 * {@linkcode ConfigError} naming a path that cannot be read, or a folder
 * with no JSON file.
 *
 * @example
 * ```ts
 * import { reportFilesIn } from "./report_files.ts";
 * import assert from "node:assert/strict";
 * const dir = Deno.makeTempDirSync();
 * Deno.mkdirSync(`${dir}/job-2`);
 * for (const f of ["job-2/b.json", "a.json", "slurm-7.out", ".a.json"]) {
 *   Deno.writeTextFileSync(`${dir}/${f}`, "{}");
 * }
 * const found = reportFilesIn([dir, `${dir}/slurm-7.out`]);
 * assert.deepEqual(found.map((f) => f.path.slice(dir.length)), [
 *   "/a.json",
 *   "/job-2/b.json",
 *   "/slurm-7.out",
 * ]);
 * assert.deepEqual(found.map((f) => f.inFolder), [true, true, false]);
 * Deno.removeSync(dir, { recursive: true });
 * ```
 */
export function reportFilesIn(
  paths: readonly string[],
): Array<{ path: string; inFolder: boolean }> {
  const files: Array<{ path: string; inFolder: boolean }> = [];
  for (const path of paths) {
    let info: Deno.FileInfo;
    try {
      info = Deno.statSync(path);
    } catch (e) {
      throw new ConfigError(path, `cannot be read (${(e as Error).message})`);
    }
    if (!info.isDirectory) {
      files.push({ path, inFolder: false });
      continue;
    }
    const found: string[] = [];
    const pending = [path];
    while (pending.length > 0) {
      const dir = pending.pop()!;
      let entries: Deno.DirEntry[];
      try {
        entries = [...Deno.readDirSync(dir)];
      } catch (e) {
        throw new ConfigError(dir, `cannot be read (${(e as Error).message})`);
      }
      for (const entry of entries) {
        if (entry.name.startsWith(".")) continue;
        const full = join(dir, entry.name);
        if (entry.isDirectory) pending.push(full);
        else if (entry.name.endsWith(".json")) found.push(full);
        if (found.length + pending.length > MAX_FILES) {
          throw new ConfigError(path, `holds more than ${MAX_FILES} files: list the reports`);
        }
      }
    }
    if (found.length === 0) {
      throw new ConfigError(path, "holds no report (no .json file): did the jobs write here?");
    }
    files.push(...found.sort().map((p) => ({ path: p, inFolder: true })));
  }
  return files;
}

/**
 * The JSON object in `text`, or a {@linkcode ConfigError} naming `name`
 * (`what` says what makes such a file).
 *
 * @example
 * ```ts
 * import { jsonObject } from "./report_files.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(jsonObject('{"a":1}', "x.json", "sweep --json"), { a: 1 });
 * assert.throws(() => jsonObject("[1]", "x.json", "sweep --json"), /x\.json: must be a JSON object/);
 * ```
 */
export function jsonObject(text: string, name: string, what: string): Record<string, unknown> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(name, `is not JSON (${(e as Error).message})`);
  }
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    throw new ConfigError(name, `must be a JSON object (the output of ${what})`);
  }
  return raw as Record<string, unknown>;
}

/**
 * The report in `text`: a JSON object of `format` and `version`, or a
 * {@linkcode ConfigError} naming `name` (the file) that says what is wrong.
 *
 * @example
 * ```ts
 * import { reportObject } from "./report_files.ts";
 * import assert from "node:assert/strict";
 * const ok = reportObject('{"format":"dsim-x","version":2,"runs":1}', "r.json", "dsim-x", 2);
 * assert.equal(ok.runs, 1);
 * assert.throws(
 *   () => reportObject('{"format":"dsim-x","version":1}', "r.json", "dsim-x", 2),
 *   /r\.json: version 1 is not supported; this build reads version 2/,
 * );
 * ```
 */
export function reportObject(
  text: string,
  name: string,
  format: string,
  version: number,
): Record<string, unknown> {
  const what = `${format.replace(/^dsim-/, "")} --json`;
  const r = jsonObject(text, name, what);
  const shown = (x: unknown) => x === undefined ? "nothing" : JSON.stringify(x);
  if (r.format !== format) {
    throw new ConfigError(name, `format must be ${format}, got ${shown(r.format)}`);
  }
  if (r.version !== version) {
    throw new ConfigError(
      name,
      `version ${shown(r.version)} is not supported; this build reads version ${version}`,
    );
  }
  return r;
}
