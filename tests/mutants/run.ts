/**
 * `deno task mutants`: plants each mutant of the suite in a temporary copy
 * of the repository and runs `sim explore` there on the mutant's scenario,
 * with the default strategy (or `--strategy S`) and nothing tuned to the
 * mutant: `--json`, a run limit, and as many workers as the machine has.
 * Prints one row per mutant as it finishes, then the table and a summary.
 * The repository itself is never modified.
 *
 * ```sh
 * deno task mutants                      # every mutant, the default strategy
 * deno task mutants --strategy random    # the baseline: today's sweep
 * deno task mutants --only fifo-no-drain # one (or a comma-separated few)
 * ```
 *
 * Options: `--runs N` (default 1000), `--workers N` (default: explore's,
 * one per core), `--seed N` (default 1), `--keep` (leave the copies in
 * place and print where they are), `--list` (names only).
 *
 * @module
 */

import { parseArgs } from "node:util";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { mutants } from "./mod.ts";
import { type Mutant, mutatedFiles } from "./mutant.ts";
import { formatTable, type MutantRow, rowOf, summaryLine } from "./table.ts";

/** The repository this script belongs to. */
export const ROOT: string = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** The files of the repository at `root` (tracked and untracked, not ignored); null without git. */
async function gitFiles(root: string): Promise<string[] | null> {
  try {
    const out = await new Deno.Command("git", {
      args: ["ls-files", "-z", "--cached", "--others", "--exclude-standard"],
      cwd: root,
      stdout: "piped",
      stderr: "null",
    }).output();
    if (!out.success) return null;
    return new TextDecoder().decode(out.stdout).split("\0").filter((f) => f !== "");
  } catch {
    return null;
  }
}

/** Every file under `root`, skipping `.git` and `node_modules`. */
async function walk(root: string, dir = ""): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(join(root, dir))) {
    if (e.name === ".git" || e.name === "node_modules") continue;
    const path = dir === "" ? e.name : `${dir}/${e.name}`;
    if (e.isDirectory) out.push(...await walk(root, path));
    else if (e.isFile) out.push(path);
  }
  return out;
}

/** A copy of the repository in a new temporary directory, with `mutant` planted in it. */
export async function plant(mutant: Mutant, root = ROOT): Promise<string> {
  // Read and mutate first: a mutant that does not apply leaves nothing behind.
  const changed = mutatedFiles(mutant, (file) => Deno.readTextFileSync(join(root, file)));
  const dir = await Deno.makeTempDir({ prefix: `dsim-mutant-${mutant.name}-` });
  const files = await gitFiles(root) ?? await walk(root);
  for (const file of files) {
    const to = join(dir, file);
    await Deno.mkdir(dirname(to), { recursive: true });
    try {
      await Deno.copyFile(join(root, file), to);
    } catch (e) {
      // Listed by git but deleted in the work tree.
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
  }
  for (const [file, text] of changed) await Deno.writeTextFile(join(dir, file), text);
  return dir;
}

/** What to run for every mutant. */
export interface SuiteOptions {
  runs: number;
  strategy?: string;
  workers?: number;
  seed?: number;
  keep?: boolean;
}

/** The `sim explore` command line for `mutant` (relative to the copy's root). */
export function exploreArgs(mutant: Mutant, options: SuiteOptions): string[] {
  return [
    "run",
    "--allow-env",
    "--allow-read",
    "--allow-write",
    "main.ts",
    "explore",
    mutant.scenario,
    "--json",
    "--runs",
    String(options.runs),
    ...(options.strategy === undefined ? [] : ["--strategy", options.strategy]),
    ...(options.workers === undefined ? [] : ["--workers", String(options.workers)]),
    ...(options.seed === undefined ? [] : ["--seed", String(options.seed)]),
  ];
}

/** Plants `mutant`, explores it, and returns its row. */
export async function runMutant(mutant: Mutant, options: SuiteOptions): Promise<MutantRow> {
  const dir = await plant(mutant);
  const started = performance.now();
  try {
    const out = await new Deno.Command(Deno.execPath(), {
      args: exploreArgs(mutant, options),
      cwd: dir,
      stdout: "piped",
      stderr: "piped",
      env: { NO_COLOR: "1" },
    }).output();
    const stdout = new TextDecoder().decode(out.stdout);
    const row = rowOf(mutant.name, mutant.scenario, stdout, (performance.now() - started) / 1000);
    if (row.found === "error") {
      const err = new TextDecoder().decode(out.stderr).trim().split("\n").slice(-5).join("\n");
      console.error(`${mutant.name}: explore exited ${out.code}:\n${err}`);
    }
    return row;
  } finally {
    if (options.keep) console.error(`${mutant.name}: kept ${dir}`);
    else await Deno.remove(dir, { recursive: true });
  }
}

function wholeNumber(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) {
    throw new Error(`--${name}: must be a whole number, got ${JSON.stringify(text)}`);
  }
  return n;
}

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      strategy: { type: "string" },
      only: { type: "string" },
      runs: { type: "string" },
      workers: { type: "string" },
      seed: { type: "string" },
      keep: { type: "boolean" },
      list: { type: "boolean" },
    },
  });
  const only = values.only?.split(",").map((s) => s.trim()).filter((s) => s !== "");
  const unknown = only?.filter((name) => !mutants.some((m) => m.name === name)) ?? [];
  if (unknown.length > 0) {
    console.error(
      `--only: no mutant named ${unknown.join(", ")}; known: ${mutants.map((m) => m.name)}`,
    );
    return 2;
  }
  const chosen = only === undefined ? mutants : mutants.filter((m) => only.includes(m.name));
  if (values.list) {
    for (const m of chosen) {
      console.log(`${m.name.padEnd(30)} ${m.scenario.padEnd(18)} ${m.mistake}`);
    }
    return 0;
  }
  const options: SuiteOptions = {
    runs: wholeNumber("runs", values.runs) ?? 1000,
    strategy: values.strategy,
    workers: wholeNumber("workers", values.workers),
    seed: wholeNumber("seed", values.seed),
    keep: values.keep,
  };
  const rows: MutantRow[] = [];
  console.error(
    `${chosen.length} mutants, ${options.runs} runs each, strategy ` +
      `${options.strategy ?? "default"}`,
  );
  for (const m of chosen) {
    const row = await runMutant(m, options);
    rows.push(row);
    console.error(
      `${m.name}: ${row.found}` +
        (row.found === "yes" ? ` at run ${row.runs}, ${row.events} events (${row.check})` : "") +
        ` [${row.seconds} s]`,
    );
  }
  console.log(formatTable(rows));
  console.log(summaryLine(rows, options.runs));
  return rows.some((r) => r.found === "error") ? 2 : 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
