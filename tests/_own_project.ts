/**
 * The README's "Use it in your own project" as a project in a temporary
 * directory outside the repository (its files, the framework imported by
 * file URL, an empty `deno.json`), and running `deno` there as a user does.
 *
 * @module
 */

import assert from "node:assert/strict";
import { fromFileUrl } from "./_paths.ts";

/** The repository's folder, as a URL. */
export const ROOT: URL = new URL("../", import.meta.url);

/**
 * The README's code blocks that are files of the project, by file name.
 *
 * @example
 * ```ts
 * import { projectFiles } from "./_own_project.ts";
 * import assert from "node:assert/strict";
 * assert.ok(projectFiles().has("transfer.ts"));
 * ```
 */
export function projectFiles(): Map<string, string> {
  const readme = Deno.readTextFileSync(new URL("README.md", ROOT));
  const files = new Map<string, string>();
  for (const m of readme.matchAll(/```ts\n(\/\/ ([a-z_]+\.ts):[^\n]*\n[\s\S]*?)```/g)) {
    files.set(m[2], m[1]);
  }
  return files;
}

/**
 * Writes the README's project into a new temporary directory outside the
 * repository, importing the framework by file URL; returns the directory.
 *
 * @example
 * ```ts
 * import { makeProject } from "./_own_project.ts";
 * import assert from "node:assert/strict";
 * const dir = makeProject();
 * assert.ok(Deno.statSync(`${dir}/transfer.ts`).isFile);
 * Deno.removeSync(dir, { recursive: true });
 * ```
 */
export function makeProject(): string {
  const dir = Deno.makeTempDirSync({ prefix: "dsim-own-project-" });
  assert.ok(!dir.startsWith(fromFileUrl(ROOT)), "outside the repository");
  for (const [name, code] of projectFiles()) {
    Deno.writeTextFileSync(`${dir}/${name}`, code.replaceAll('"../dsim/', `"${ROOT.href}`));
  }
  Deno.writeTextFileSync(`${dir}/deno.json`, "{}\n");
  return dir;
}

/**
 * Runs `deno args` in `cwd`; returns the exit code and what it printed
 * (`out`: stdout then stderr; `stdout` and `stderr` apart).
 *
 * @example
 * ```ts
 * import { deno } from "./_own_project.ts";
 * import assert from "node:assert/strict";
 * const r = deno(Deno.cwd(), ["eval", "console.log(1 + 1)"]);
 * assert.equal(r.code, 0);
 * assert.equal(r.stdout, "2\n");
 * ```
 */
export function deno(
  cwd: string,
  args: string[],
): { code: number; out: string; stdout: string; stderr: string } {
  const out = new Deno.Command(Deno.execPath(), {
    args,
    cwd,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).outputSync();
  const stdout = new TextDecoder().decode(out.stdout);
  const stderr = new TextDecoder().decode(out.stderr);
  return { code: out.code, out: stdout + stderr, stdout, stderr };
}

/**
 * A printed command line as arguments for `deno` (single quotes as a shell
 * reads them).
 *
 * @example
 * ```ts
 * import { words } from "./_own_project.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(words("deno run -A x.ts --faults '@1 crash n1'"), [
 *   "run", "-A", "x.ts", "--faults", "@1 crash n1",
 * ]);
 * ```
 */
export function words(command: string): string[] {
  const parts = command.match(/'[^']*'|\S+/g) ?? [];
  assert.equal(parts[0], "deno", command);
  return parts.slice(1).map((p) => p.replace(/^'|'$/g, ""));
}
