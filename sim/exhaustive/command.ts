/**
 * `sim check`: the command line's side of exhaustive checking. It reads
 * the check's own options (the run's parameters come parsed, as `run`
 * reads them), checks, saves a counterexample as a trace file with its
 * choices (so `sim replay FILE` runs it again, step for step), and says
 * what it found. Exit codes as the other commands: 0 no violation (the
 * space exhausted, or every state within the depth seen), 1 a violation,
 * 2 bad input, 3 a limit (`--max-states`, `--budget-ms`) stopped the search
 * before it had seen every state within its depth.
 *
 * @module
 */

import { ConfigError } from "../errors.ts";
import { renderDiagram } from "../render/diagram.ts";
import { type RunGiven, type Scenario, toolCommand } from "../scenario.ts";
import { saveTrace, traceFileFromResult } from "../trace_file.ts";
import { shrunkFileName } from "../explore/report_files.ts";
import { type CheckOptions, type CheckReport, checkScenario, replayChoices } from "./check.ts";
import { formatCheck, type SavedCounterexample } from "./report.ts";

/**
 * The check's own options, as the command line hands them over (strings,
 * validated here).
 *
 * @example
 * ```ts
 * import type { CheckFlagValues } from "./command.ts";
 * import assert from "node:assert/strict";
 * const v: CheckFlagValues = { depth: "30", timing: "any", json: true };
 * assert.equal(v.timing, "any");
 * ```
 */
export interface CheckFlagValues {
  /** `--depth`: most steps from the start. */
  depth?: string;
  /** `--max-states`: most states stored. */
  maxStates?: string;
  /** `--strategy`: bfs or dfs. */
  strategy?: string;
  /** `--timing`: strict or any. */
  timing?: string;
  /** `--crashes`: crashes the checker may make. */
  crashes?: string;
  /** `--partitions`: network splits it may make. */
  partitions?: string;
  /** `--losses`: messages it may lose. */
  losses?: string;
  /** `--dups`: messages it may duplicate. */
  dups?: string;
  /** `--liveness-steps`: steps after the last fault each liveness property has. */
  livenessSteps?: string;
  /** `--budget-ms`: wall-clock budget. */
  budgetMs?: string;
  /** `--json`: the report as one line of JSON. */
  json?: boolean;
  /** `--out`: where to save the counterexample. */
  out?: string;
  /** Draw the counterexample (default true; `--no-diagram` turns it off). */
  diagram?: boolean;
  /** `--max-rows`: most rows of its diagram. */
  maxRows?: string;
  /** Reduce by the scenario's symmetry (default true; `--no-symmetry` turns it off). */
  symmetry?: boolean;
  /** `--stateless`: store no states, every path counts as its own. */
  stateless?: boolean;
}

/**
 * What `sim check` printed and the exit code.
 *
 * @example
 * ```ts
 * import type { CheckOutcome } from "./command.ts";
 * import assert from "node:assert/strict";
 * const o: CheckOutcome = { stdout: "…", exitCode: 0 };
 * assert.equal(o.exitCode, 0);
 * ```
 */
export interface CheckOutcome {
  /** What to print. */
  stdout: string;
  /** 0 no violation, 1 a violation, 3 a limit stopped the search first. */
  exitCode: number;
  /** The check's report. */
  report?: CheckReport;
}

/**
 * Runs `sim check` on `scenario` with the run's parameters `given` and the
 * check's options `values`. Bad input throws a {@linkcode ConfigError}
 * naming the flag (the command line prints it as one line, exit 2).
 *
 * @example
 * ```ts
 * import { checkCommand } from "./command.ts";
 * import { pingPong } from "../../protocols/ping_pong/scenario.ts";
 * import assert from "node:assert/strict";
 * const out = checkCommand(pingPong, { flags: { rounds: 1 } }, { json: true });
 * assert.equal(out.exitCode, 0);
 * assert.equal(JSON.parse(out.stdout).exhausted, true);
 * assert.throws(() => checkCommand(pingPong, {}, { depth: "0" }), /--depth/);
 * ```
 */
export function checkCommand(
  scenario: Scenario,
  given: RunGiven,
  values: CheckFlagValues,
  options: { color?: boolean; width?: number } = {},
): CheckOutcome {
  const report = checkScenario(scenario, given, checkOptions(values));
  let saved: SavedCounterexample | undefined;
  if (report.violation !== undefined) {
    const run = replayChoices(scenario, report, report.violation.order);
    const traceFile = traceFileFromResult(run);
    // Tagged by the run, so a second check (other timing, other flags) writes a file of its own.
    const file = values.out ?? shrunkFileName(traceFile.spec, traceFile.choices, "check");
    try {
      Deno.writeTextFileSync(file, saveTrace(traceFile));
    } catch (e) {
      throw new ConfigError(
        "--out",
        `cannot write ${JSON.stringify(file)}: ${(e as Error).message}`,
      );
    }
    saved = {
      file,
      replay: `${toolCommand("replay")} ${quoteWord(file)} --diagram`,
      ...(values.diagram === false || values.json ? {} : {
        diagram: renderDiagram(run.sim.trace.events, {
          width: options.width ?? 100,
          color: options.color ?? false,
          label: run.label,
          maxRows: values.maxRows === undefined ? 200 : whole("--max-rows", values.maxRows, 1),
        }),
      }),
    };
  }
  const exitCode = report.violation !== undefined ? 1 : report.stopped !== null ? 3 : 0;
  const stdout = values.json
    ? JSON.stringify({
      ...report,
      ...(saved === undefined
        ? {}
        : { counterexample: { file: saved.file, replay: saved.replay } }),
    })
    : formatCheck(report, { color: options.color ?? false, ...(saved ? { saved } : {}) });
  return { stdout, exitCode, report };
}

/** The check's options from their strings. */
function checkOptions(v: CheckFlagValues): CheckOptions {
  const o: CheckOptions = {};
  if (v.depth !== undefined) o.depth = whole("--depth", v.depth, 1);
  if (v.maxStates !== undefined) o.maxStates = whole("--max-states", v.maxStates, 1);
  if (v.strategy !== undefined) {
    if (v.strategy !== "bfs" && v.strategy !== "dfs") {
      throw new ConfigError("--strategy", `must be bfs or dfs, got ${JSON.stringify(v.strategy)}`);
    }
    o.strategy = v.strategy;
  }
  if (v.timing !== undefined) {
    if (v.timing !== "strict" && v.timing !== "any") {
      throw new ConfigError("--timing", `must be strict or any, got ${JSON.stringify(v.timing)}`);
    }
    o.timing = v.timing;
  }
  if (v.symmetry === false) o.symmetry = false;
  if (v.stateless === true) o.stateless = true;
  if (v.crashes !== undefined) o.crashes = whole("--crashes", v.crashes, 0);
  if (v.partitions !== undefined) o.partitions = whole("--partitions", v.partitions, 0);
  if (v.losses !== undefined) o.losses = whole("--losses", v.losses, 0);
  if (v.dups !== undefined) o.dups = whole("--dups", v.dups, 0);
  if (v.livenessSteps !== undefined) {
    o.livenessSteps = whole("--liveness-steps", v.livenessSteps, 1);
  }
  if (v.budgetMs !== undefined) {
    const ms = Number(v.budgetMs);
    if (v.budgetMs.trim() === "" || !(ms > 0)) {
      throw new ConfigError("--budget-ms", `must be a number of ms > 0, got ${v.budgetMs}`);
    }
    o.budgetMs = ms;
  }
  return o;
}

function whole(flag: string, text: string, min: number): number {
  const n = Number(text);
  if (text.trim() === "" || !Number.isInteger(n) || n < min) {
    throw new ConfigError(flag, `must be a whole number >= ${min}, got ${JSON.stringify(text)}`);
  }
  return n;
}

/** A path as one shell word. */
function quoteWord(word: string): string {
  return /^[A-Za-z0-9_./#:@=+-]+$/.test(word) ? word : `'${word.split("'").join("'\\''")}'`;
}
