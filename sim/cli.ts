/**
 * The command line: `list`, `run <scenario>`, `sweep <scenario>`, `merge`,
 * `replay`, `diff` and `demo`, built with `commander`. {@linkcode runCli}
 * returns the exit code instead of exiting, so tests call it in-process and
 * `main.ts` stays a thin entry point; {@linkcode runCliAsync} does the same
 * for every command, `sweep` included (its seeds run in workers).
 *
 * Exit codes: 0 the run was fine, 1 a check found a violation (or a replay
 * or diff found a difference), 2 bad input (one line on stderr naming the
 * flag and what is allowed), 70 a bug.
 *
 * @module
 */

import { lincheckCommand, MODEL_NAMES } from "./check/lincheck_command.ts";
import { txncheckCommand } from "./check/txncheck_command.ts";
import {
  isModuleReference,
  loadScenario,
  moduleRelativeTo,
  moduleScenarios,
  scenarioOfTrace,
} from "./scenario_module.ts";
import { VERSION } from "./version.ts";
import { Command, CommanderError, Option } from "npm:commander@14.0.3";
// @ts-types="npm:@types/cli-progress@3.11.6"
import cliProgress from "npm:cli-progress@3.12.0";
import { join, relative } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { styleText } from "node:util";
import { fill, WIDTH } from "./fill.ts";
import { renderDiagram } from "./render/diagram.ts";
import { checkProbability, ConfigError } from "./errors.ts";
import {
  type FaultAction,
  type FaultSpec,
  formatAction,
  formatFaults,
  parseFaults,
  parseFaultSpec,
  withInjected,
} from "./faults.ts";
import { DEFAULT_LINK, formatLatency, type NetworkOptions, parseLatency } from "./network.ts";
import { MAX_SEED } from "./random.ts";
import {
  cliCommand,
  type FlagSpec,
  type FlagValue,
  resolveParams,
  type RunGiven,
  runScenario,
  type RunSpec,
  type Scenario,
  type ScenarioParams,
  ScenarioRegistry,
  type ScenarioResult,
  toolCommand,
  withEvents,
} from "./scenario.ts";
import type { TraceEvent } from "./trace.ts";
import {
  loadTrace,
  saveTrace,
  type TraceFile,
  traceFileFromResult,
  TraceWriter,
} from "./trace_file.ts";
import { firstDifference, formatDifference, settingsDifferences } from "./explore/diff.ts";
import { chooseShard, type EnvLookup, processEnv } from "./explore/engines.ts";
import {
  EXPLORE_FORMAT,
  EXPLORE_VERSION,
  explorePart,
  type ExploreReport,
} from "./explore/explore_report.ts";
import { firstFailureLines, mergeReportFiles } from "./explore/merge_command.ts";
import {
  makeReportDir,
  reportFileName,
  shrunkFileName,
  writeReportFile,
} from "./explore/report_files.ts";
import { replayTrace } from "./explore/replay.ts";
import { formatShard, parseSeedRange, type Shard, shardSeeds } from "./explore/shard.ts";
import { explore } from "./explore/explore.ts";
import { shrinkFailure, type ShrinkResult } from "./explore/shrink.ts";
import { DEFAULT_STRATEGY, parseStrategy, strategyHelp } from "./explore/strategies.ts";
import type { StrategyHooks } from "./explore/strategy.ts";
import { ChoiceLog } from "./choices.ts";
import { formatSweep } from "./explore/summary.ts";
import {
  runSweep,
  SEED_TIMEOUT,
  type ShrunkSummary,
  sweepParams,
  type SweepReport,
  type SweepSpec,
} from "./explore/sweep.ts";
import { renderHtml } from "./render/html.ts";
import { renderPerfetto } from "./render/perfetto.ts";
import { renderShiviz } from "./render/shiviz.ts";
import { checkCommand, type CheckFlagValues } from "./exhaustive/command.ts";
import { studioCommand } from "./studio/command.ts";
import { type StateLog, StateRecorder } from "./states.ts";
import { type Counterexample, counterexampleIn } from "./check/linearizability.ts";

/**
 * Where the command line writes its output, and what it may do.
 *
 * @example
 * ```ts
 * import type { CliIO } from "./cli.ts";
 * import assert from "node:assert/strict";
 * const lines: string[] = [];
 * const io: CliIO = { stdout: (s) => lines.push(s), stderr: (s) => lines.push(s) };
 * io.stdout("hello");
 * assert.deepEqual(lines, ["hello"]);
 * ```
 */
export interface CliIO {
  /** Writes one or more lines (the caller adds the final newline). */
  stdout: (s: string) => void;
  /** Writes one or more lines of diagnostics. */
  stderr: (s: string) => void;
  /** Colour the output (a terminal that allows it); default false. */
  isTTY?: boolean;
  /** What `demo` prints. */
  demo?: () => string;
  /** Show progress bars on stderr (a terminal); default false. */
  progress?: boolean;
  /** Run sweeps in Web Workers (default true); false runs every seed in this thread. */
  workers?: boolean;
  /** The environment `--shard auto` reads (default: the process's). */
  env?: EnvLookup;
  /**
   * How the program is started, for usage and help lines (default: `deno
   * task sim` for the framework's own main.ts in its folder, else `deno
   * run -A <main module>`).
   */
  name?: string;
}

/**
 * The exit codes {@linkcode runCli} returns (70 is sysexits' EX_SOFTWARE).
 *
 * @example
 * ```ts
 * import { EXIT } from "./cli.ts";
 * import assert from "node:assert/strict";
 * assert.equal(EXIT.usage, 2);
 * ```
 */
export const EXIT: Readonly<
  { ok: 0; violation: 1; usage: 2; incomplete: 3; internal: 70 }
> = Object.freeze({ ok: 0, violation: 1, usage: 2, incomplete: 3, internal: 70 });

/** Options of the scenario commands that take a value, for finding the scenario before parsing. */
const VALUE_OPTIONS = [
  "--seed",
  "--nodes",
  "--until",
  "--stop-at",
  "--latency",
  "--loss",
  "--dup",
  "--faults",
  "--out",
  "--seeds",
  "--workers",
  "--shard",
  "--shard-count",
  "--out-dir",
  "--budget-ms",
  "--seed-timeout-ms",
  "--shrink-runs",
  "--shrink-ms",
  "--from",
  "--to",
  "--max-rows",
  "--max-events",
  "--runs",
  "--strategy",
  "--depth",
  "--choices",
  "--max-states",
  "--timing",
  "--crashes",
  "--partitions",
  "--losses",
  "--dups",
  "--liveness-steps",
];

/** `run`'s own options, as commander hands them over (all strings: we validate). */
interface RunOptions {
  seed?: string;
  nodes?: string;
  until?: string;
  stopAt?: string;
  latency?: string;
  loss?: string;
  dup?: string;
  fifo?: boolean;
  faults?: string;
  diagram?: boolean;
  from?: string;
  to?: string;
  maxRows?: string;
  maxEvents?: string;
  json?: boolean;
  out?: string;
}

/** `sweep`'s own options, besides the scenario and network ones it shares with `run`. */
interface SweepOptionValues extends RunOptions, ShardOptionValues {
  seeds: string;
  workers?: string;
  budgetMs?: string;
  seedTimeoutMs?: string;
  shrink?: boolean;
  shrinkRuns?: string;
  shrinkMs?: string;
}

/**
 * The whole command line over your scenarios: `run`, `sweep`, `replay`,
 * `diff`, `merge`, `lincheck`, `list` (and more; `--help` lists them). Give it
 * your scenarios and it serves them by name, and serves any other module's
 * scenarios by reference (`./path/to/module.ts#name`). Returns the exit code
 * instead of exiting: 0 fine, 1 a check found a violation (or a replay or
 * diff a difference), 2 bad input (one line on stderr naming the flag and
 * what is allowed), 3 a budget ran out first, 70 a bug. Never throws.
 *
 * A three-line `cli.ts` gives a project its own command line: import
 * `runCli` from the framework's `./cli` entry point (by path or URL), import
 * the project's scenarios, and end with
 * `if (import.meta.main) Deno.exit(await runCli([myScenario]));` (the
 * README's "Use it in your own project" has the whole file, run by a test).
 *
 * @example
 * ```ts
 * import { runCli } from "./cli.ts";
 * import { pingPong } from "../protocols/ping_pong/scenario.ts";
 * import assert from "node:assert/strict";
 * const out: string[] = [];
 * const io = { stdout: (s: string) => out.push(s), stderr: (s: string) => out.push(s) };
 * const code = await runCli([pingPong], ["run", "ping-pong", "--seed", "3", "--json"], io);
 * assert.equal(code, 0);
 * assert.equal(JSON.parse(out[0]).seed, 3);
 * ```
 */
export async function runCli(
  scenarios: ScenarioRegistry | Iterable<Scenario>,
  argv: string[] = Deno.args,
  io: Partial<CliIO> = {},
): Promise<number> {
  const full: CliIO = {
    stdout: io.stdout ?? ((s) => console.log(s)),
    stderr: io.stderr ?? ((s) => console.error(s)),
    isTTY: io.isTTY ?? (io.stdout === undefined && Deno.stdout.isTerminal() && !Deno.noColor),
    progress: io.progress ?? (io.stderr === undefined && Deno.stderr.isTerminal()),
    workers: io.workers ?? true,
    env: io.env ?? processEnv(),
    name: io.name ?? programName(),
    ...(io.demo === undefined ? {} : { demo: io.demo }),
  };
  let registry: ScenarioRegistry;
  let commandName: string | undefined;
  let commands: CommandNames = { all: [], scenario: new Set() };
  try {
    registry = scenarios instanceof ScenarioRegistry ? scenarios : new ScenarioRegistry(scenarios);
    commandName = argv.find((a) => !a.startsWith("-"));
    commands = commandNames(registry, full);
    const scenario = await scenarioFor(argv, registry, commands);
    let code: number = EXIT.ok;
    let pending: Promise<number> | undefined;
    const program = buildProgram(registry, full, scenario, (c) => code = c, (w) => pending = w);
    await program.parseAsync(argv, { from: "user" });
    return pending === undefined ? code : await pending;
  } catch (e) {
    return exitCodeFor(e, full, commandName, argv, commands);
  }
}

/** The program's commands, and those whose first argument is a scenario. */
interface CommandNames {
  all: string[];
  scenario: Set<string>;
}

/**
 * The commands as the program registers them (read from a program built
 * without a scenario), so hints and the scenario lookup never drift from it.
 */
function commandNames(registry: ScenarioRegistry, io: CliIO): CommandNames {
  const program = buildProgram(registry, io, undefined, () => {}, () => {});
  const takesScenario = (c: Command) => c.registeredArguments[0]?.name() === "scenario";
  return {
    all: program.commands.map((c) => c.name()),
    scenario: new Set(program.commands.filter(takesScenario).map((c) => c.name())),
  };
}

/**
 * The scenario a scenario command names, loaded before parsing so that its
 * own flags can be declared: a built-in's name, or a module reference.
 */
async function scenarioFor(
  argv: string[],
  registry: ScenarioRegistry,
  commands: CommandNames,
): Promise<Scenario | undefined> {
  const word = scenarioWordIn(argv, registry, commands.scenario);
  // A saved trace (the studio's other source) names its scenario inside.
  if (word === undefined || word.toLowerCase().endsWith(".json")) return undefined;
  if (registry.has(word)) return registry.get(word);
  if (isModuleReference(word)) return await loadScenario(word, Deno.cwd());
  // Fail on an unknown scenario before commander can complain about its flags.
  return registry.get(word);
}

/** Reports an error the way the command line does and gives its exit code. */
function exitCodeFor(
  e: unknown,
  io: CliIO,
  command: string | undefined,
  argv: string[],
  commands: CommandNames,
): number {
  if (e instanceof CommanderError) {
    switch (e.code) {
      case "commander.helpDisplayed":
      case "commander.version":
        return EXIT.ok;
      case "commander.help":
        // Help shown because no command was given: that is a usage error.
        return e.exitCode === 0 ? EXIT.ok : EXIT.usage;
      default:
        io.stderr(commanderLine(e, io.name ?? programName(), command, argv, commands));
        return EXIT.usage;
    }
  }
  if (e instanceof ConfigError) {
    io.stderr(`error: ${flagMessage(e)}`);
    return EXIT.usage;
  }
  const message = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  io.stderr(`error: ${oneLine(message)} (internal error; please report)`);
  return EXIT.internal;
}

function buildProgram(
  registry: ScenarioRegistry,
  io: CliIO,
  scenario: Scenario | undefined,
  setCode: (code: number) => void,
  later: (work: Promise<number>) => void,
): Command {
  const color = io.isTTY ?? false;
  const names = registry.list().map((s) => s.name);
  const scenarioHelp = names.length === 0
    ? "a module's scenario: ./path/to/module.ts#name"
    : `${names.slice(0, 3).join(", ")}${names.length > 3 ? ", ..." : ""} ` +
      "(see list), or ./module.ts#name";
  /** The scenario the command names, found before parsing (a module's is loaded then). */
  const chosen = (name: string) => scenario ?? registry.get(name);
  const name = io.name ?? programName();
  const program = new Command(name)
    .description("Run deterministic simulations of distributed protocols.")
    .version(VERSION, "--version", "print the version")
    .helpOption(
      "-h, --help",
      `show help for a command (${name} run ${names[0] ?? "<scenario>"} --help)`,
    )
    .configureHelp({ helpWidth: WIDTH })
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout(s.trimEnd()),
      writeErr: (s) => io.stderr(s.trimEnd()),
      // runCli prints the error itself, as one line.
      outputError: () => {},
    })
    .showSuggestionAfterError(true);

  program.command("list")
    .description("list the scenarios and their own flags (a module's, given its path)")
    .argument("[module]", "a module's path or URL, ./path/to/module.ts: list its scenarios")
    .action((module?: string) => {
      if (module === undefined) return io.stdout(listScenarios(registry, name));
      later(
        moduleScenarios(module, Deno.cwd()).then((found) => {
          io.stdout(listScenarios(new ScenarioRegistry(found), name, module));
          return EXIT.ok;
        }),
      );
    });

  const run = program.command("run")
    .description("run one scenario and check it")
    .argument("<scenario>", scenarioHelp)
    .option("--seed <n>", `whole number 0..${MAX_SEED} that decides every choice (default: 1)`);
  addRunOptions(run)
    .option("--strategy <name>", "an exploration strategy's hooks for the run: pct:D or sync:K")
    .option("--diagram", "print the space-time diagram")
    .option("--from <ms>", "with --diagram: start the diagram at this virtual time")
    .option("--to <ms>", "with --diagram: end the diagram at this virtual time")
    .option("--max-rows <n>", "with --diagram: most rows to draw (default 200)")
    .option("--max-events <n>", "the run's event budget (default 50000000)")
    .option("--json", "print one line of JSON instead of text")
    .option("--out <file>", `save the trace to this file, ${OUT_FORMS}`);
  const scenarioOptions = addScenarioFlags(run, scenario);
  run.action((name: string, opts: RunOptions & { strategy?: string }, cmd: Command) => {
    const scenario = chosen(name);
    const flags = scenarioFlagValues(cmd, scenarioOptions);
    const given = runParams(scenario, opts, flags);
    const params = resolveParams(scenario, given);
    const maxEvents = opts.maxEvents === undefined
      ? undefined
      : wholeNumber("--max-events", opts.maxEvents, 1, 2 ** 52);
    const result = runScenarioFor(
      scenario,
      params,
      opts.out,
      maxEvents,
      steeringOf(scenario, given, params.seed, opts.strategy),
    );
    io.stdout(opts.json ? runJson(result) : runText(result, opts, color));
    warnLateFaults(io, params, result.virtualMs);
    setCode(result.ok ? EXIT.ok : EXIT.violation);
  });

  program.command("lincheck")
    .description("check a recorded history (project JSON or Jepsen EDN) for linearizability")
    .argument("<file>", "history file: JSON array, JSON lines, or a Jepsen history.edn")
    .requiredOption("--model <name>", `the object's model: ${MODEL_NAMES.join(", ")}`)
    .option("--timeout-ms <n>", "wall-clock budget; past it the verdict is unknown (exit 3)")
    .option("--json", 'print {"linearizable": true|false|null, "ops": N, "ms": T}')
    .action((file: string, opts: { model: string; timeoutMs?: string; json?: boolean }) => {
      let timeoutMs: number | undefined;
      if (opts.timeoutMs !== undefined) {
        timeoutMs = Number(opts.timeoutMs);
        if (opts.timeoutMs.trim() === "" || !(timeoutMs > 0)) {
          throw new ConfigError(
            "--timeout-ms",
            `must be a number of ms > 0, got ${opts.timeoutMs}`,
          );
        }
      }
      const text = readFile(file);
      const outcome = lincheckCommand(text, file, {
        model: opts.model,
        timeoutMs,
        json: opts.json,
      });
      checkerOutput(io, outcome);
      setCode(outcome.exitCode);
    });

  program.command("txncheck")
    .description("check a recorded transaction history (list-append, rw-register) like Elle")
    .argument("<file>", "history file: JSON array, JSON lines, or a Jepsen history.edn")
    .option("--model <name>", "the workload: list-append or rw-register (default: detected)")
    .option("--consistency <model>", "the model it must hold (default strict-serializable)")
    .option("--timeout-ms <n>", "budget for the cycle search; past it, unknown (exit 3)")
    .option("--json", 'print {"valid": true|false|null, "anomalyTypes", "not", "anomalies", ...}')
    .action((file: string, opts: { model?: string; consistency?: string; timeoutMs?: string }) => {
      const outcome = txncheckCommand(readFile(file), file, opts);
      checkerOutput(io, outcome);
      setCode(outcome.exitCode);
    });

  const sweep = program.command("sweep")
    .description("run a scenario over many seeds in parallel workers; shrink the first failure")
    .argument("<scenario>", scenarioHelp)
    .requiredOption("--seeds <A..B>", "the seeds to run, A to B included (or one seed N)")
    .option("--workers <n>", "parallel workers, 0 for this thread (default: one per core)");
  addShardOptions(sweep, "the seeds s where s mod M is K - 1", "sweep")
    .option("--budget-ms <ms>", "wall-clock budget; seeds not reached by then are reported")
    .option(
      "--seed-timeout-ms <ms>",
      "wall-clock limit per seed; a seed still running then fails (default 300000)",
    );
  addShrinkOptions(addRunOptions(sweep))
    .option("--json", "print the report as one line of JSON (for sim merge)");
  const sweepOptions = addScenarioFlags(sweep, scenario);
  sweep.action((name: string, opts: SweepOptionValues, cmd: Command) => {
    later(sweepCommand(io, registry, chosen(name), opts, scenarioFlagValues(cmd, sweepOptions)));
  });

  const exploreCmd = program.command("explore")
    .description("search for a failure with runs drawn by a strategy; shrink the first one found")
    .argument("<scenario>", scenarioHelp)
    .option("--runs <n>", "runs at most (default 1000)")
    .option("--strategy <name>", `how runs are drawn (default mixed). ${strategyHelp()}`)
    .option("--seed <n>", "the first run's seed; run i has seed N + i (default 1)")
    .option("--workers <n>", "parallel workers, 0 for this thread (default: one per core)");
  addShardOptions(exploreCmd, "the runs i where i mod M is K - 1", "explore")
    .option("--budget-ms <ms>", "wall-clock budget; the runs not reached by then are reported")
    .option("--run-timeout-ms <ms>", "wall-clock limit per run (default 300000)");
  addShrinkOptions(addRunOptions(exploreCmd))
    .option("--json", "print the report as one line of JSON");
  const exploreOptions = addScenarioFlags(exploreCmd, scenario);
  exploreCmd.action((name: string, opts: ExploreOptionValues, cmd: Command) => {
    later(exploreCommand(io, chosen(name), opts, scenarioFlagValues(cmd, exploreOptions)));
  });

  const checkCmd = program.command("check")
    .description("check a small configuration exhaustively: every order of events, to a depth")
    .argument("<scenario>", scenarioHelp)
    .option("--seed <n>", "the seed of the actors' own random draws (default 1)")
    .option("--nodes <n>", "number of nodes (default: the scenario's)")
    .option(
      "--until <ms>",
      "virtual ms the run lasts: nothing happens after (default: the scenario's)",
    )
    .option("--latency <spec>", "link latency bounds: MS, MIN..MAX (default: the scenario's)")
    .option("--fifo", "links keep send order")
    .option("--faults <spec>", "a fault schedule to run as well: '@100 crash n1; ...'")
    .option("--depth <d>", "most steps from the start (default 200)")
    .option("--max-states <s>", "most states to store; more is exit 3 (default 50000)")
    .option("--strategy <s>", "bfs (the shortest counterexample) or dfs (default bfs)")
    .option("--timing <t>", "strict (timers keep their durations) or any (default strict)")
    .option("--crashes <k>", "crashes the checker may make, each node may restart (default 0)")
    .option("--partitions <k>", "network splits it may make, each may heal (default 0)")
    .option("--losses <k>", "messages it may lose (default 0)")
    .option("--dups <k>", "messages it may deliver twice (default 0)")
    .option("--liveness-steps <d>", "steps after the last fault each liveness property has")
    .option("--budget-ms <ms>", "wall-clock budget; stopping early is exit 3")
    .option("--no-symmetry", "count renamings of interchangeable nodes as different states")
    .option("--stateless", "store no states: every path counts as its own (re-run from the start)")
    .option("--no-diagram", "do not draw the counterexample")
    .option("--max-rows <n>", "most rows of the counterexample's diagram (default 200)")
    .option("--json", "print the report as one line of JSON")
    .option(
      "--out <file>",
      "save the counterexample here (default <scenario>-seed<N>-<tag>.check.json)",
    );
  const checkOptions = addScenarioFlags(checkCmd, scenario);
  checkCmd.action((name: string, opts: RunOptions & CheckFlagValues, cmd: Command) => {
    const scenario = chosen(name);
    const given = runParams(scenario, opts, scenarioFlagValues(cmd, checkOptions));
    const outcome = checkCommand(scenario, given, opts, { color, width: WIDTH });
    io.stdout(outcome.stdout);
    setCode(outcome.exitCode);
  });

  program.command("merge")
    .description("merge the reports of a sweep's (or an exploration's) shards into one")
    .argument("<reports...>", "report files (sweep or explore --json), or folders (--out-dir)")
    .option("--json", "print the merged report as one line of JSON")
    .action((paths: string[], opts: { json?: boolean }) => {
      const merged = mergeReportFiles(paths, readFile);
      const n = merged.skipped.length;
      if (n > 0) {
        io.stderr(`merge: passed by ${n} trace ${n === 1 ? "file" : "files"} (shrunk runs)`);
      }
      if (merged.kind === "explore") {
        const r = merged.report;
        io.stdout(opts.json ? JSON.stringify(r) : exploreText(r, color));
        setCode(r.found ? EXIT.violation : r.notReached > 0 ? EXIT.incomplete : EXIT.ok);
        return;
      }
      const r = merged.report;
      io.stdout(
        opts.json
          ? JSON.stringify(r)
          : [formatSweep(r, { color }), ...firstFailureLines(r)].join("\n"),
      );
      setCode(r.failed > 0 ? EXIT.violation : r.notReached.count > 0 ? EXIT.incomplete : EXIT.ok);
    });

  program.command("replay")
    .description("run a saved trace's scenario again: is it the same run, and do its checks hold?")
    .argument("<trace>", "a trace saved with run --out FILE.json, or a shrunk failure's file")
    .option("--check", "exit by the new run's checks (0 all hold, 1 one fails), not by its trace")
    .option(
      "--scenario <scenario>",
      "run this scenario instead of the one the file names (NAME or ./module.ts#name)",
    )
    .option("--out <file>", `save the new run's trace to this file, ${OUT_FORMS}`)
    .option("--diagram", "print the replayed run's space-time diagram")
    .option("--from <ms>", "with --diagram: start the diagram at this virtual time")
    .option("--to <ms>", "with --diagram: end the diagram at this virtual time")
    .option("--max-rows <n>", "with --diagram: most rows to draw (default 200)")
    .action(async (path: string, opts: ReplayOptions) => {
      setCode(await replayFile(io, registry, path, opts));
    });

  program.command("diff")
    .description("show the first event where two saved traces part")
    .argument("<a>", "a saved trace")
    .argument("<b>", "another saved trace")
    .option("--context <n>", "events of context around the difference (default 3)")
    .action((a: string, b: string, opts: { context?: string }) => {
      const context = opts.context === undefined
        ? 3
        : wholeNumber("--context", opts.context, 0, 1000);
      // Edited traces are worth comparing too: their hashes are not checked.
      const fa = loadTraceFile(a, false), fb = loadTraceFile(b, false);
      const d = firstDifference(fa.events, fb.events, context);
      // Settings can differ where events do not (a later until, a loss no draw reached).
      const settings = settingsDifferences(fa.spec, fb.spec, [
        fa.choices !== undefined,
        fb.choices !== undefined,
      ]);
      const said = settings.length === 0 ? [] : fill(`settings differ: ${settings.join("; ")}`, 2);
      if (d === undefined) {
        io.stdout([`same: ${fa.events.length} events, trace ${fa.traceHash}`, ...said].join("\n"));
        setCode(EXIT.ok);
        return;
      }
      io.stdout([formatDifference(d, [a, b]), ...said].join("\n"));
      setCode(EXIT.violation);
    });

  const studio = program.command("studio")
    .description("step through a run in the browser: every node's state, and what if")
    .argument("<scenario>", `a scenario: ${scenarioHelp}; or a saved trace (a .json file)`)
    .option("--seed <n>", `whole number 0..${MAX_SEED} that decides every choice (default: 1)`)
    .option("--port <n>", "serve on this port of 127.0.0.1 (default: a free one)")
    .option("--max-events <n>", "each run's event budget (default 2000000: all kept in memory)");
  addRunOptions(studio);
  const studioOptions = addScenarioFlags(studio, scenario);
  studio.option(
    "--strategy <name>",
    "steer the first run with a strategy's hooks: pct:D or sync:K",
  );
  studio.action((
    source: string,
    opts: RunOptions & { port?: string; strategy?: string },
    cmd: Command,
  ) => {
    const port = opts.port === undefined ? undefined : wholeNumber("--port", opts.port, 1, 65535);
    const maxEvents = opts.maxEvents === undefined
      ? undefined
      : wholeNumber("--max-events", opts.maxEvents, 1, 2 ** 52);
    const ranFlags = Object.keys(opts).filter((k) => !["port", "maxEvents"].includes(k));
    const from = source.toLowerCase().endsWith(".json")
      ? (() => {
        if (ranFlags.length > 0) {
          throw new ConfigError("studio", "run flags go with a scenario, not with a saved trace");
        }
        const file = loadTraceFile(source);
        return traceScenario(file, source, registry, undefined)
          .then((s) => ({ scenario: s, file, path: source }));
      })()
      : (() => {
        const scenario = chosen(source);
        const given = runParams(scenario, opts, scenarioFlagValues(cmd, studioOptions));
        const steered = steeringOf(scenario, given, given.seed ?? 1, opts.strategy);
        return Promise.resolve({ scenario, given, ...(steered === undefined ? {} : { steered }) });
      })();
    later(from.then((s) => studioCommand(io, s, { port, maxEvents })));
  });

  // The framework's own command line has a guided tour; a project's own `runCli` has none to offer.
  const demo = io.demo;
  if (demo !== undefined) {
    program.command("demo")
      .description("a guided run with faults: what the simulator shows you")
      .action(() => io.stdout(demo()));
  }
  return program;
}

/** The options that set a run's parameters, shared by run, sweep and explore. */
function addRunOptions(cmd: Command): Command {
  return cmd
    .option("--nodes <n>", "number of nodes (default: the scenario's)")
    .option("--until <ms>", "virtual ms to run for (default: the scenario's)")
    .option(
      "--stop-at <ms>",
      "stop the run here instead, the scenario still set up for --until (a shrunk repro)",
    )
    .option("--latency <spec>", "link latency: MS, MIN..MAX or exp:MEAN[+MIN] (default 1..10)")
    .option("--loss <p>", "probability a message is lost, in [0, 1]")
    .option("--dup <p>", "probability a message is duplicated, in [0, 1]")
    .option("--fifo", "links keep send order (default: they may reorder)")
    .option(
      "--faults <spec>",
      "'@100 crash n1; @300 restart n1; ...' or random[:crash=R,partition=R,pause=R,clock=R," +
        "duration=MS,skew=MS,down=N]",
    );
}

/** The options of one shard of many machines' work, shared by sweep and explore. */
interface ShardOptionValues {
  shard?: string;
  shardCount?: string;
  outDir?: string;
}

/** `--shard`, `--shard-count` and `--out-dir`; `mine` says which items shard K of M runs. */
function addShardOptions(cmd: Command, mine: string, kind: "sweep" | "explore"): Command {
  return cmd
    .option(
      "--shard <K/M|auto>",
      `run shard K of M only (${mine}); auto reads it from a Kubernetes Indexed Job, a Slurm ` +
        "job array, or DSIM_SHARD_INDEX (0-based) and DSIM_SHARD_COUNT (a CI matrix)",
    )
    .option(
      "--shard-count <M>",
      "with --shard auto: the shard count, where the engine gives only an index (Kubernetes: the " +
        "Job's completions; default $DSIM_SHARD_COUNT)",
    )
    .option(
      "--out-dir <dir>",
      `also save the JSON report in DIR, named for its shard (${kind}-<scenario>-shard-03-of-08` +
        ".json), and the shrunk failure beside it; then merge DIR",
    );
}

/**
 * The shard the options ask for (saying on stderr where `auto` found it),
 * and a function that saves the report in `--out-dir`, if given.
 */
function shardFor(
  io: CliIO,
  opts: ShardOptionValues,
  command: string,
  scenario: Scenario,
): { shard?: Shard; save: (report: object) => void } {
  const found = chooseShard(opts.shard, opts.shardCount, io.env ?? processEnv());
  if (found?.engine !== undefined) {
    io.stderr(`--shard auto: shard ${formatShard(found.shard)} from ${found.source}`);
  }
  const shard = found?.shard;
  if (opts.outDir !== undefined) makeReportDir(opts.outDir); // before the work, not after
  return {
    ...(shard === undefined ? {} : { shard }),
    save: (report) => {
      if (opts.outDir === undefined) return;
      const name = reportFileName(command, scenario.name, shard);
      io.stderr(`saved ${writeReportFile(opts.outDir, name, JSON.stringify(report))}`);
    },
  };
}

/** The options of shrinking a failure, shared by sweep and explore. */
function addShrinkOptions(cmd: Command): Command {
  return cmd
    .option("--no-shrink", "do not shrink the first failure")
    .option("--shrink-runs <n>", "most runs the shrinking search may take (default 500)")
    .option("--shrink-ms <ms>", "most wall time the shrinking search may take (default 60000)")
    .option(
      "--out <file>",
      "save the shrunk failure's trace, with its draws, here (default <scenario>-seed<N>.shrunk.json)",
    );
}

/** Commander options for one scenario flag; booleans get `--x [bool]` and `--no-x`. */
function flagOptions(name: string, flag: FlagSpec): Option[] {
  const dflt = ` (default: ${flag.default})`;
  switch (typeof flag.default) {
    case "boolean":
      return [
        new Option(`--${name} [bool]`, `${flag.description}${dflt}`),
        new Option(`--no-${name}`, `turn ${name} off`),
      ];
    case "number": {
      const range = flag.min !== undefined || flag.max !== undefined
        ? `, ${flag.min ?? "-inf"}..${flag.max ?? "inf"}`
        : "";
      return [new Option(`--${name} <n>`, `${flag.description}${range}${dflt}`)];
    }
    default: {
      const choices = flag.choices ? `, one of ${flag.choices.join(", ")}` : "";
      return [new Option(`--${name} <value>`, `${flag.description}${choices}${dflt}`)];
    }
  }
}

/** Adds a scenario's own flags to a command; returns them by flag name. */
function addScenarioFlags(cmd: Command, scenario: Scenario | undefined): Map<string, Option[]> {
  const byFlag = new Map<string, Option[]>();
  for (const [name, flag] of Object.entries(scenario?.flags ?? {})) {
    const options = flagOptions(name, flag);
    for (const option of options) cmd.addOption(option);
    byFlag.set(name, options);
  }
  return byFlag;
}

/** The values given for a scenario's own flags. */
function scenarioFlagValues(
  cmd: Command,
  byFlag: Map<string, Option[]>,
): Record<string, FlagValue> {
  const flags: Record<string, FlagValue> = {};
  for (const [flag, options] of byFlag) {
    const value = cmd.getOptionValue(options[0].attributeName()) as FlagValue | undefined;
    if (value !== undefined) flags[flag] = value;
  }
  return flags;
}

/**
 * Finds the scenario word of a scenario command without parsing, so that
 * its flags can be declared before commander sees them: the first word
 * after the command that is a known scenario or a module reference (the
 * first word at all, if none is), skipping the values of options that take
 * one.
 */
function scenarioWordIn(
  argv: string[],
  registry: ScenarioRegistry,
  scenarioCommands: Set<string>,
): string | undefined {
  const takesValue = new Set(VALUE_OPTIONS);
  for (const s of registry.list()) {
    for (const [name, f] of Object.entries(s.flags ?? {})) {
      if (typeof f.default !== "boolean") takesValue.add(`--${name}`);
    }
  }
  const command = argv.findIndex((a) => !a.startsWith("-"));
  if (command === -1 || !scenarioCommands.has(argv[command])) return undefined;
  const words: string[] = [];
  for (let i = command + 1; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--") {
      words.push(...argv.slice(i + 1));
      break;
    }
    if (arg.startsWith("-") && arg.length > 1) {
      if (!arg.includes("=") && takesValue.has(arg)) i++;
      continue;
    }
    words.push(arg);
  }
  return words.find((w) => registry.has(w) || isModuleReference(w)) ?? words[0];
}

/**
 * How this command line is started, for its help and usage lines:
 * `deno task sim` for the framework's own main.ts run from its folder,
 * otherwise `deno run -A <path to the main module>`.
 */
function programName(): string {
  let main: string, cwd: string;
  try {
    main = Deno.mainModule;
    cwd = Deno.cwd();
  } catch {
    return "deno task sim";
  }
  const root = new URL("../", import.meta.url);
  if (main === new URL("main.ts", root).href && `${cwd}/` === fileURLToPath(root)) {
    return "deno task sim";
  }
  if (!main.startsWith("file:")) return `deno run -A ${main}`;
  const rel = relative(cwd, fileURLToPath(main));
  return `deno run -A ${rel.startsWith(".") ? rel : `./${rel}`}`;
}

/** Turns `run`'s strings into scenario parameters, naming the flag on any bad value. */
function runParams(
  scenario: Scenario,
  opts: RunOptions,
  flags: Record<string, FlagValue>,
): Partial<Omit<ScenarioParams, "faults">> & { faults?: FaultSpec } {
  const network: NetworkOptions = {};
  if (opts.latency !== undefined) network.latency = parseLatency(opts.latency, "--latency");
  if (opts.loss !== undefined) network.loss = probability("--loss", opts.loss);
  if (opts.dup !== undefined) network.duplicate = probability("--dup", opts.dup);
  if (opts.fifo) network.fifo = true;
  let faults: FaultSpec | undefined;
  if (opts.faults !== undefined) {
    try {
      faults = parseFaultSpec(opts.faults);
    } catch (e) {
      throw e instanceof ConfigError ? new ConfigError("--faults", faultProblem(e)) : e;
    }
  }
  return {
    seed: opts.seed === undefined ? undefined : wholeNumber("--seed", opts.seed, 0, MAX_SEED),
    nodes: opts.nodes === undefined ? undefined : nodeCount(scenario, opts.nodes),
    until: opts.until === undefined ? undefined : positive("--until", opts.until),
    stopAt: opts.stopAt === undefined ? undefined : positive("--stop-at", opts.stopAt),
    network,
    faults,
    flags,
    // Only a diagram or a saved trace needs the events; the hash is the same either way.
    trace: opts.diagram || opts.out !== undefined ? "full" : "hash",
  };
}

/**
 * One line on stderr for the `--faults` entries that never happen: they
 * are due after `--until` (and after `endMs`, where the run went on
 * longer, for a liveness deadline say).
 */
function warnLateFaults(
  io: CliIO,
  params: Pick<ScenarioParams, "faults" | "until">,
  endMs = params.until,
): void {
  if (params.faults.kind !== "schedule") return;
  const end = Math.max(params.until, endMs);
  const late = params.faults.schedule.filter((f) => f.at > end);
  if (late.length === 0) return;
  io.stderr(
    `warning: --faults: ${formatFaults(late)} ${late.length === 1 ? "is" : "are"} after ` +
      `--until ${params.until} ms: ${late.length === 1 ? "it never happens" : "they never happen"}`,
  );
}

/** Runs the scenario; a fault naming an unknown node is a `--faults` error. */
function runScenarioFor(
  scenario: Scenario,
  params: ScenarioParams,
  out?: string,
  maxEvents?: number,
  steered?: { hooks: StrategyHooks; strategy: string },
): ScenarioResult {
  const hooks = steered?.hooks;
  // What a strategy's hooks chose is recorded, so the saved file replays without them.
  const choices = hooks === undefined ? undefined : new ChoiceLog();
  // A JSON trace is written while the run goes, so a long run's file holds
  // every event whatever the trace keeps in memory (a steered run's, with
  // its draws, at the end: they are known only then).
  const stream = out !== undefined && outForm(out) === "trace" && hooks === undefined
    ? new TraceStream(out)
    : undefined;
  // Hooks are made for one run: trace it in full now rather than re-run it for its events.
  if (hooks !== undefined) params = { ...params, trace: "full" };
  // A page shows every node's state at every event: the changes are recorded as the run goes.
  const states = out !== undefined && outForm(out) === "html" ? new StateRecorder() : undefined;
  try {
    const result = runScenario(scenario, params, {
      ...(maxEvents === undefined ? {} : { maxEvents }),
      ...(stream === undefined ? {} : { sink: stream.sink, onSpec: stream.start }),
      ...(hooks === undefined ? {} : { hooks: hooks.hooks, onSetup: hooks.onSetup }),
      ...(states === undefined ? {} : { hooks: states.hooks(hooks?.hooks), traceWindow: Infinity }),
      ...(choices === undefined ? {} : { choices: { log: choices, mode: "record" as const } }),
    });
    // Its replay line rebuilds the same hooks.
    if (steered !== undefined) result.replay += ` --strategy ${steered.strategy}`;
    stream?.finish(result);
    if (out !== undefined && stream === undefined) {
      // A saved file replays without the strategy: the faults it injected go into its schedule.
      const injected = hooks?.injected() ?? [];
      const saved = injected.length === 0 ? result : {
        ...result,
        spec: {
          ...result.spec,
          faults: formatFaults(withInjected(parseFaults(result.spec.faults), injected)),
        },
      };
      writeTrace(out, saved, states?.log());
    }
    // A failure is worth its events, for the report.
    return withEvents(scenario, params, result);
  } catch (e) {
    stream?.abandon();
    if (e instanceof ConfigError && /^faults? /.test(e.input)) {
      throw new ConfigError("--faults", faultProblem(e));
    }
    throw e;
  } finally {
    stream?.close();
  }
}

/** What `--out` writes, by the file's ending. */
const OUT_FORMS = "by its ending: .html a page, .perfetto.json Chrome trace events, " +
  ".shiviz.log a ShiViz log, anything else the JSON trace";

function outForm(path: string): "html" | "perfetto" | "shiviz" | "trace" {
  const name = path.toLowerCase();
  if (name.endsWith(".html") || name.endsWith(".htm")) return "html";
  if (name.endsWith(".perfetto.json")) return "perfetto";
  if (name.endsWith(".shiviz.log") || name.endsWith(".shiviz")) return "shiviz";
  return "trace";
}

/**
 * A JSON trace file written as the run records its events (see
 * {@linkcode TraceWriter}): `start` and `sink` go to `runScenario`'s
 * `onSpec` and `sink`, then `finish` and `close`. What `run --out FILE.json`
 * uses, so a long run's file holds every event while memory keeps a window.
 *
 * @example
 * ```ts
 * import { TraceStream } from "./cli.ts";
 * import { loadTrace } from "./trace_file.ts";
 * import { runScenario } from "./scenario.ts";
 * import { pingPong } from "../protocols/ping_pong/scenario.ts";
 * import assert from "node:assert/strict";
 * const path = Deno.makeTempFileSync({ suffix: ".json" });
 * const stream = new TraceStream(path);
 * const run = runScenario(pingPong, { seed: 3 }, { onSpec: stream.start, sink: stream.sink });
 * stream.finish(run);
 * stream.close();
 * assert.equal(loadTrace(Deno.readTextFileSync(path)).events.length, run.sim.trace.count);
 * ```
 */
export class TraceStream {
  #file: Deno.FsFile;
  #writer: TraceWriter | undefined;
  #buffer: string[] = [];
  #size = 0;
  #first = true;
  #encoder = new TextEncoder();

  /** Opens (creates or truncates) `path`; one that cannot be written is bad input (`--out`). */
  constructor(readonly path: string) {
    try {
      this.#file = Deno.openSync(path, { write: true, create: true, truncate: true });
    } catch (e) {
      throw new ConfigError(
        "--out",
        `cannot write ${JSON.stringify(path)}: ${(e as Error).message}`,
      );
    }
  }

  /** Writes the head of the file: give it to `runScenario` as `onSpec`. */
  start = (spec: RunSpec): void => {
    this.#writer = new TraceWriter(spec, undefined, relativeModuleFor(spec, this.path));
    this.#write(this.#writer.head());
  };

  /** Writes one event: give it to `runScenario` as `sink`. */
  sink = (event: TraceEvent): void => {
    this.#write(this.#writer!.event(event, this.#first));
    this.#first = false;
  };

  /** Writes the end of the file, with the run's hash (a `ScenarioResult` has it). */
  finish(result: { traceHash: string }): void {
    this.#write(this.#writer!.tail(0, result.traceHash));
    this.#flush();
  }

  /** Drops what is not written yet (the run failed to start). */
  abandon(): void {
    this.#buffer = [];
  }

  /** Closes the file. */
  close(): void {
    this.#file.close();
  }

  #write(text: string): void {
    this.#buffer.push(text);
    this.#size += text.length;
    if (this.#size > 1 << 16) this.#flush();
  }

  #flush(): void {
    const bytes = this.#encoder.encode(this.#buffer.join(""));
    this.#buffer = [];
    this.#size = 0;
    let written = 0;
    while (written < bytes.length) written += this.#file.writeSync(bytes.subarray(written));
  }
}

/**
 * Saves the run's trace where `--out` says, in the form its ending asks for
 * (from the events the run kept in memory); a path that cannot be written
 * is bad input. `reproduce` is the command a page or a Perfetto file shows
 * to reproduce the run: its `run` line, unless the run replayed draws of
 * its own (a shrunk run), which only `replay FILE` reproduces.
 */
function writeTrace(
  path: string,
  result: ScenarioResult,
  states?: StateLog,
  reproduce: string = result.replay,
): void {
  const events = result.sim.trace.events;
  const title = `${result.scenario} seed ${result.seed}`;
  const verdict = result.ok
    ? "ok"
    : `FAILED: ${result.violations.map((v) => `${v.check}: ${v.message}`).join("; ")}`;
  let text: string;
  switch (outForm(path)) {
    case "html":
      text = renderHtml(events, {
        title,
        subtitle: [reproduce, `${verdict} · trace ${result.traceHash}`],
        ...(states === undefined ? {} : { states }),
        ...counterexampleOf(result),
      });
      break;
    case "perfetto":
      text = renderPerfetto(events, {
        title,
        endMs: result.virtualMs,
        otherData: { replay: reproduce, traceHash: result.traceHash },
      });
      break;
    case "shiviz":
      text = renderShiviz(events);
      break;
    case "trace": {
      const relativeModule = relativeModuleFor(result.spec, path);
      text = saveTrace({
        ...traceFileFromResult(result),
        ...(relativeModule === undefined ? {} : { relativeModule }),
      });
      break;
    }
  }
  try {
    Deno.writeTextFileSync(path, text);
  } catch (e) {
    throw new ConfigError("--out", `cannot write ${JSON.stringify(path)}: ${(e as Error).message}`);
  }
}

/** The module of a user's scenario relative to a trace file's folder (see `TraceFile`). */
function relativeModuleFor(spec: RunSpec, path: string): string | undefined {
  try {
    return moduleRelativeTo(spec.module, path, Deno.cwd());
  } catch {
    return undefined; // no read permission for the current directory: the URL alone
  }
}

/** A linearizability failure's counterexample, for the page to draw. */
function counterexampleOf(result: ScenarioResult): { counterexample?: Counterexample } {
  const c = counterexampleIn(result.violations);
  return c === undefined ? {} : { counterexample: c };
}

/** `sweep`: validates everything, runs the seeds, shrinks the first failure, reports. */
function sweepCommand(
  io: CliIO,
  _registry: ScenarioRegistry,
  scenario: Scenario,
  opts: SweepOptionValues,
  flags: Record<string, FlagValue>,
): Promise<number> {
  const given = runParams(scenario, opts, flags);
  const seeds = parseSeedRange(opts.seeds);
  const { shard, save } = shardFor(io, opts, "sweep", scenario);
  const workers = opts.workers === undefined
    ? (io.workers === false ? 0 : undefined)
    : wholeNumber("--workers", opts.workers, 0, 1024);
  const budgetMs = opts.budgetMs === undefined ? undefined : positive("--budget-ms", opts.budgetMs);
  const seedTimeoutMs = opts.seedTimeoutMs === undefined
    ? 300_000
    : positive("--seed-timeout-ms", opts.seedTimeoutMs);
  const shrinkRuns = opts.shrinkRuns === undefined
    ? 500
    : wholeNumber("--shrink-runs", opts.shrinkRuns, 1, 1_000_000);
  const shrinkMs = opts.shrinkMs === undefined ? 60_000 : positive("--shrink-ms", opts.shrinkMs);
  const spec: SweepSpec = {
    scenario: scenario.name,
    given: {
      nodes: given.nodes,
      until: given.until,
      ...(given.stopAt === undefined ? {} : { stopAt: given.stopAt }),
      network: given.network,
      flags: given.flags,
      ...(opts.faults === undefined ? {} : { faults: opts.faults }),
    },
    seeds,
    ...(shard === undefined ? {} : { shard }),
  };
  // Checked here so that bad input is one line, not a worker's error.
  warnLateFaults(io, resolveParams(scenario, { ...spec.given, seed: seeds.from }));
  const total = shardSeeds(seeds, shard).length;
  return (async () => {
    const started = performance.now();
    const bar = io.progress ? progressBar(total) : undefined;
    let report: SweepReport;
    try {
      report = await runSweep(scenario, spec, {
        workers,
        budgetMs,
        seedTimeoutMs,
        onProgress: bar === undefined ? undefined : (p) => bar.update(p.done, { failed: p.failed }),
      });
    } catch (e) {
      // A fault naming an unknown node is only found when a seed schedules it.
      if (e instanceof ConfigError && /^faults? /.test(e.input)) {
        throw new ConfigError("--faults", faultProblem(e));
      }
      throw e;
    } finally {
      bar?.stop();
    }
    const warnings: string[] = [];
    if (opts.shrink !== false) shrinkFirst(report, started, warnings);
    save(report);
    io.stdout(opts.json ? JSON.stringify(report) : formatSweep(report, { color: io.isTTY }));
    for (const w of warnings) io.stderr(w);
    // Seeds the budget left unchecked are not a pass: a CI job must not go green on them.
    return report.failed > 0
      ? EXIT.violation
      : report.notReached.count > 0
      ? EXIT.incomplete
      : EXIT.ok;
  })();

  /** Shrinks the report's first failure (one that did not time out) and records the result. */
  function shrinkFirst(report: SweepReport, started: number, warnings: string[]): void {
    // A seed that timed out would hang the search in this thread: shrink the first other one.
    const first = report.failures.find((f) => f.check !== SEED_TIMEOUT);
    const overBudget = () => budgetMs !== undefined && performance.now() - started >= budgetMs;
    if (first === undefined || overBudget()) return;
    const shrunk = shrinkAndSave(scenario, { ...spec.given, seed: first.seed }, {
      check: first.check,
      maxRuns: shrinkRuns,
      maxMs: shrinkMs,
      shouldStop: overBudget,
      out: opts.out,
      dir: opts.outDir,
    }, warnings);
    if (shrunk !== undefined) report.shrunk = shrunk;
  }
}

/**
 * The hooks `--strategy S` steers one run with (`run`, `studio`), or
 * undefined without it. Only strategies whose hooks a seed rebuilds are
 * taken: a swarm, targeted or random run is written out as flags instead.
 */
function steeringOf(
  scenario: Scenario,
  given: RunGiven,
  seed: number,
  strategy: string | undefined,
): { hooks: StrategyHooks; strategy: string } | undefined {
  if (strategy === undefined) return undefined;
  const plan = parseStrategy(strategy).plan({ scenario, given, seed, index: 0 });
  if (plan.replay === undefined) {
    throw new ConfigError(
      "--strategy",
      `run takes a strategy that steers a run as it goes (pct:D, sync:K); a ${strategy} ` +
        "run replays from the flags and faults its line prints",
    );
  }
  const hooks = plan.hooks?.();
  return hooks === undefined ? undefined : { hooks, strategy };
}

/**
 * What lincheck or txncheck said: bad input (exit 2) reads `error: ...`,
 * as every other command's does.
 */
function checkerOutput(io: CliIO, outcome: { exitCode: number; stdout: string; stderr: string }) {
  if (outcome.stdout !== "") io.stdout(outcome.stdout.trimEnd());
  if (outcome.stderr === "") return;
  const text = outcome.stderr.trimEnd();
  io.stderr(
    outcome.exitCode === EXIT.usage && !text.startsWith("error: ") ? `error: ${text}` : text,
  );
}

/**
 * Shrinks a failing run (see `explore/shrink.ts`) and saves the shrunk run
 * with its draws, so that `sim replay FILE` runs it again. Adds a warning
 * to `warnings` (for the caller to print after the finding) and returns
 * undefined when the run does not fail the same way here, or when the file
 * cannot be written.
 */
function shrinkAndSave(
  scenario: Scenario,
  given: RunGiven,
  options: {
    check: string;
    maxRuns: number;
    maxMs: number;
    shouldStop?: () => boolean;
    out?: string;
    /** Where the default file goes (`--out-dir`). */
    dir?: string;
    hooks?: () => StrategyHooks;
  },
  warnings: string[],
): ShrunkSummary | undefined {
  const shrinking = performance.now();
  let shrunk: ShrinkResult;
  try {
    shrunk = shrinkFailure(scenario, given, {
      check: options.check,
      maxRuns: options.maxRuns,
      shouldStop: () =>
        (options.shouldStop?.() ?? false) || performance.now() - shrinking >= options.maxMs,
      ...(options.hooks === undefined ? {} : { hooks: options.hooks }),
    });
  } catch (e) {
    if (!(e instanceof ConfigError && e.input === "shrink")) throw e;
    // Run again here, the seed did not fail the same way: worth saying, but not bad input.
    warnings.push(
      `warning: seed ${given.seed} failed ${options.check} in a worker but not when run ` +
        `again to shrink it: is ${scenario.name} deterministic? (${oneLine(e.message)})`,
    );
    return undefined;
  }
  const r = shrunk.result;
  const out = options.out ?? join(options.dir ?? "", shrunkFileName(r.spec, r.choices?.toJSON()));
  const file = outForm(out) === "trace" ? out : `${out}.json`;
  const replay = `${toolCommand("replay")} ${quoteWord(file)}`;
  try {
    // A page or a picture of the shrunk run as asked; the JSON trace (with its draws) always.
    if (outForm(out) !== "trace") writeTrace(out, r, undefined, replay);
    writeTrace(file, r);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    // The finding stands without the file: say what was lost, and keep the exit code.
    warnings.push(
      `warning: shrunk seed ${given.seed} (${shrunk.check}) to ${shrunk.after.events} events ` +
        `but could not save it: ${flagMessage(e)}; the run line above reproduces the failure`,
    );
    return undefined;
  }
  return {
    seed: given.seed ?? 1,
    check: shrunk.check,
    changed: settingsChanged(scenario, given, shrunk.params),
    replay: `${replay} --diagram`,
    runs: shrunk.runs,
    stopped: shrunk.stopped === "asked" ? "time" : shrunk.stopped,
    faultsBefore: shrunk.before.faults,
    faultsAfter: shrunk.after.faults,
    eventsBefore: shrunk.before.events,
    eventsAfter: shrunk.after.events,
    delivered: shrunk.after.delivered,
    nodes: shrunk.after.nodes,
    out: file,
  };
}

/**
 * The settings a shrink changed besides faults and draws (`nodes 5 -> 3`,
 * `until 1000 -> 240`, a flag `ops 5 -> 4`), so a reader sees that the
 * shrunk run is not the configuration that failed.
 */
function settingsChanged(
  scenario: Scenario,
  given: RunGiven,
  after: ScenarioParams,
): string[] {
  const before = resolveParams(scenario, given);
  const changed: string[] = [];
  const note = (name: string, a: unknown, b: unknown) => {
    if (a !== b) changed.push(`${name} ${a} -> ${b}`);
  };
  note("nodes", before.nodes, after.nodes);
  note("until", before.until, after.until);
  // Cut short of its until (the scenario planned for the whole of it).
  if (after.stopAt !== undefined) note("stop at", before.stopAt ?? before.until, after.stopAt);
  const latency = (p: ScenarioParams) => formatLatency(p.network.latency ?? DEFAULT_LINK.latency);
  note("latency", latency(before), latency(after));
  note("loss", before.network.loss ?? 0, after.network.loss ?? 0);
  note("dup", before.network.duplicate ?? 0, after.network.duplicate ?? 0);
  for (const [name, value] of Object.entries(before.flags)) {
    note(`--${name}`, value, (after.flags as Record<string, unknown>)[name]);
  }
  return changed;
}

/** `replay`'s options, as commander hands them over. */
interface ReplayOptions extends DiagramWindow {
  check?: boolean;
  scenario?: string;
  out?: string;
  diagram?: boolean;
}

/**
 * `replay`: runs a saved trace's scenario again, says whether it is the
 * same run and whether it holds its checks; the exit code says the first
 * (or, with `--check`, the second).
 */
async function replayFile(
  io: CliIO,
  registry: ScenarioRegistry,
  path: string,
  opts: ReplayOptions,
): Promise<number> {
  const color = io.isTTY ?? false;
  const file = loadTraceFile(path);
  const scenario = await traceScenario(file, path, registry, opts.scenario);
  const replay = replayTrace(scenario, file);
  const r = replay.result;
  // A run of the file's own draws is reproduced by the file, not by a run line.
  const reproduce = file.choices === undefined
    ? r.replay
    : `${toolCommand("replay")} ${quoteWord(path)}`;
  if (opts.out !== undefined) writeTrace(opts.out, r, undefined, reproduce);
  const what = `${file.spec.scenario} seed ${file.spec.seed}`;
  // What is replayed, as `run` heads its report: a shrunk file's settings are not the defaults.
  const lines = runHeader(r, color);
  if (file.choices !== undefined) {
    lines.push("draws: the file's own (a shrink's edits, or a strategy's choices)");
  }
  if (opts.diagram) lines.push("", diagramOf(r, opts, color), "");
  const verdict = r.ok
    ? "the run holds every check"
    : `it fails ${r.violations.map((v) => `${v.check}: ${v.message}`).join("; ")}`;
  const size = `${r.events} events handled, ${r.sim.trace.count} in the trace`;
  if (replay.same) {
    lines.push(`same: ${what} replays to trace ${replay.actual} (${size}); ${verdict}`);
  } else {
    lines.push(
      paint(color, "red", `DIFFERENT: ${what} was ${replay.expected}, now ${replay.actual}`),
    );
    if (replay.difference !== undefined) {
      lines.push(formatDifference(replay.difference, [path, "this run"]));
    }
    lines.push(
      `the new run (${size}): ${r.ok ? "holds every check" : verdict.replace(/^it /, "")}`,
    );
    const saved = [...new Set(file.events.flatMap((e) => e.kind === "violation" ? [e.check] : []))];
    if (!r.ok && saved.length > 0 && !r.violations.some((v) => saved.includes(v.check))) {
      lines.push(`(the saved run failed ${saved.join(", ")}: the new run fails another check)`);
    }
    if (!opts.check) lines.push("(replay --check exits by the new run's checks instead)");
  }
  io.stdout(lines.join("\n"));
  if (opts.check) return r.ok ? EXIT.ok : EXIT.violation;
  return replay.same ? EXIT.ok : EXIT.violation;
}

/**
 * The scenario a saved trace runs with: `--scenario` when given, else the
 * one its spec names (found beside the file when its folder has moved). A
 * module that cannot be loaded is bad input, with the flag that overrides it.
 */
async function traceScenario(
  file: TraceFile,
  path: string,
  registry: ScenarioRegistry,
  override: string | undefined,
): Promise<Scenario> {
  try {
    return await scenarioOfTrace(file, path, registry, {
      ...(override === undefined ? {} : { override }),
      cwd: Deno.cwd(),
    });
  } catch (e) {
    if (!(e instanceof ConfigError) || override !== undefined) throw e;
    throw new ConfigError(
      e.input,
      `${e.message.slice(e.input.length + 2)} (moved? name it with --scenario ` +
        `./path/to/module.ts#${file.spec.scenario})`,
    );
  }
}

/** A path as one shell word. */
function quoteWord(word: string): string {
  return /^[A-Za-z0-9_./#:@=+-]+$/.test(word) ? word : `'${word.split("'").join("'\\''")}'`;
}

/** `explore`'s own options, besides the run ones it shares with `run`. */
interface ExploreOptionValues extends RunOptions, ShardOptionValues {
  runs?: string;
  strategy?: string;
  workers?: string;
  budgetMs?: string;
  runTimeoutMs?: string;
  shrink?: boolean;
  shrinkRuns?: string;
  shrinkMs?: string;
}

/**
 * What `explore --json` prints (see `explore/explore_report.ts`).
 *
 * @example
 * ```ts
 * import type { ExploreReport } from "./cli.ts";
 * import assert from "node:assert/strict";
 * const found = (r: ExploreReport) => r.firstFailure?.replay;
 * assert.equal(typeof found, "function");
 * ```
 */
export type { ExploreReport };

/** `explore`: validates, searches, shrinks the first failure, reports. */
async function exploreCommand(
  io: CliIO,
  scenario: Scenario,
  opts: ExploreOptionValues,
  flags: Record<string, FlagValue>,
): Promise<number> {
  const given = runParams(scenario, opts, flags);
  // Checked here so that bad input is one line, not a worker's error.
  warnLateFaults(io, resolveParams(scenario, { ...given, seed: given.seed ?? 1 }));
  const runs = opts.runs === undefined ? 1000 : wholeNumber("--runs", opts.runs, 1, 100_000_000);
  const strategy = opts.strategy ?? DEFAULT_STRATEGY;
  parseStrategy(strategy);
  if (opts.faults !== undefined && /^(mixed|targeted|swarm)\b/.test(strategy)) {
    io.stderr(
      fill(
        `note: --faults given: ${strategy} adds no faults of its own (its runs keep the ` +
          "given faults as they are; only what the command line left open varies)",
        2,
      ).join("\n"),
    );
  } else if (
    opts.faults === undefined && (scenario.explore?.faults ?? []).length === 0 &&
    (scenario.defaults.faults ?? "").trim() === ""
  ) {
    // Crashing what the protocol was never meant to survive would be a false alarm; saying
    // nothing would let "no failure" read as "survives crashes".
    io.stderr(
      fill(
        `note: ${scenario.name} declares no fault model (explore: { faults: [...] }) and no ` +
          "default faults: explore adds no crash, pause or partition of its own (timing, loss and " +
          "sizes vary; faults the scenario schedules itself still happen). Declare the faults it " +
          "should survive in its explore model, or give --faults random",
        2,
      ).join("\n"),
    );
  }
  const workers = opts.workers === undefined
    ? (io.workers === false ? 0 : undefined)
    : wholeNumber("--workers", opts.workers, 0, 1024);
  const budgetMs = opts.budgetMs === undefined ? undefined : positive("--budget-ms", opts.budgetMs);
  const runTimeoutMs = opts.runTimeoutMs === undefined
    ? undefined
    : positive("--run-timeout-ms", opts.runTimeoutMs);
  const shrinkRuns = opts.shrinkRuns === undefined
    ? 500
    : wholeNumber("--shrink-runs", opts.shrinkRuns, 1, 1_000_000);
  const shrinkMs = opts.shrinkMs === undefined ? 60_000 : positive("--shrink-ms", opts.shrinkMs);
  const { seed: base = 1, ...shared } = given;
  const { shard, save } = shardFor(io, opts, "explore", scenario);
  const faults = opts.faults ?? scenario.defaults.faults ?? "";
  const params = sweepParams(scenario, resolveParams(scenario, { ...given, seed: base }), faults);
  const started = performance.now();
  const bar = io.progress ? progressBar(runs, "explore", "runs") : undefined;
  let found;
  try {
    found = await explore(scenario, shared, {
      runs,
      strategy,
      seed: base,
      ...(workers === undefined ? {} : { workers }),
      ...(budgetMs === undefined ? {} : { budgetMs }),
      ...(runTimeoutMs === undefined ? {} : { runTimeoutMs }),
      ...(shard === undefined ? {} : { shard }),
      onProgress: bar === undefined ? undefined : (done) => bar.update(done, { failed: 0 }),
    });
  } finally {
    bar?.stop();
  }
  const wallMs = performance.now() - started;
  const f = found.failure;
  let shrunk: ExploreReport["shrunk"] = null;
  const warnings: string[] = [];
  if (f !== null && opts.shrink !== false && f.check !== "run-timeout") {
    const plan = parseStrategy(strategy).plan({
      scenario,
      given: shared,
      seed: f.seed,
      index: f.run,
    });
    const s = shrinkAndSave(scenario, plan.given, {
      check: f.check,
      maxRuns: shrinkRuns,
      maxMs: shrinkMs,
      out: opts.out,
      dir: opts.outDir,
      ...(plan.hooks === undefined ? {} : { hooks: plan.hooks }),
    }, warnings);
    if (s !== undefined) {
      shrunk = {
        events: s.eventsAfter,
        delivered: s.delivered,
        nodes: s.nodes,
        faults: s.faultsAfter,
        runs: s.runs,
        file: s.out,
        command: s.replay,
        changed: s.changed ?? [],
      };
    }
  }
  const report: ExploreReport = {
    format: EXPLORE_FORMAT,
    version: EXPLORE_VERSION,
    dsim: VERSION,
    scenario: scenario.name,
    ...(scenario.module === undefined || cliCommand(scenario, "x").startsWith("deno task")
      ? {}
      : { module: scenario.module }),
    strategy,
    seed: base,
    params,
    shard: shard === undefined ? null : formatShard(shard),
    parts: [explorePart(runs, shard)],
    runs: found.runs,
    found: found.found,
    firstFailure: f === null ? null : {
      run: f.run,
      seed: f.seed,
      strategy: f.runStrategy,
      check: f.check,
      message: f.message,
      replay: f.replay,
    },
    shrunk,
    sometimes: found.sometimes,
    wallMs: Math.round(wallMs),
    runsPerSecond: Math.round(found.runs / Math.max(0.001, found.wallMs / 1000)),
    notReached: found.notReached,
    workers: found.workers,
  };
  save(report);
  io.stdout(opts.json ? JSON.stringify(report) : exploreText(report, io.isTTY ?? false));
  for (const w of warnings) io.stderr(w);
  return found.found ? EXIT.violation : found.notReached > 0 ? EXIT.incomplete : EXIT.ok;
}

/** The text report of `explore`. */
function exploreText(r: ExploreReport, color: boolean): string {
  const parts = r.shard === null && r.parts.length === 1 ? "" : ` · ${r.parts.join(" + ")}`;
  const lines = [
    `explore ${r.scenario} · strategy ${r.strategy} · seeds ${r.seed}..${parts} · ` +
    `${
      count(r.runs, "run")
    } finished in ${r.wallMs} ms (${r.runsPerSecond} runs/s, ${r.workers} workers)`,
  ];
  const reached = Object.entries(r.sometimes);
  if (reached.length > 0) {
    lines.push("sometimes (runs that reached it):");
    for (const [name, n] of reached) lines.push(`  ${name.padEnd(40)} ${n}`);
  }
  const f = r.firstFailure;
  if (f === null) {
    lines.push(
      r.notReached > 0
        ? paint(
          color,
          "yellow",
          `INCOMPLETE: no failure in ${count(r.runs, "run")}; ${r.notReached} not reached (exit 3)`,
        )
        : paint(color, "green", `ok: no failure in ${count(r.runs, "run")}`),
    );
    if (r.notReached > 0) {
      // A search goes on with runs it has not made yet: seeds past the ones this one planned.
      lines.push(
        ...fill(
          `  to search on, run the same command with --seed ${r.seed + r.runs + r.notReached}: ` +
            "its runs are all new",
          4,
        ),
      );
    }
    return lines.join("\n");
  }
  lines.push(
    paint(color, "red", `FOUND at run ${f.run} (seed ${f.seed}, ${f.strategy}): ${f.check}`),
    ...fill(`  ${f.message}`, 4),
    ...fill(
      `  the search stopped at this first failure, after ${count(r.runs, "finished run")}` +
        (f.run < r.runs
          ? ""
          : " (they go in parallel: a run's number, from 0, may pass the count)"),
      4,
    ),
    "  the run:",
    ...shellWrap(f.replay, "    "),
  );
  if (r.shrunk !== null) {
    const s = r.shrunk;
    lines.push(
      `  shrunk in ${s.runs} runs to ${s.events} events (${s.delivered} delivered), ${s.nodes} ` +
        `nodes, ${s.faults} faults; saved ${s.file}; replay and draw it:`,
      ...shellWrap(s.command, "    "),
    );
    if (s.changed !== undefined && s.changed.length > 0) {
      lines.push(...fill(`  (the shrink also changed ${s.changed.join(", ")})`, 4));
    }
  }
  return lines.join("\n");
}

/** A long command as lines of at most WIDTH, each ending in a backslash but the last. */
function shellWrap(command: string, indent: string): string[] {
  const lines: string[] = [];
  let line = indent;
  for (const word of command.split(/ (?=--)/)) {
    if (line.trim() !== "" && line.length + word.length + 3 > WIDTH) {
      lines.push(`${line} \\`);
      line = `${indent}  `;
    }
    line += line.trim() === "" ? word : ` ${word}`;
  }
  lines.push(line);
  return lines;
}

/** A progress bar on stderr: seeds done of the total, and failures so far. */
function progressBar(total: number, what = "sweep", unit = "seeds"): cliProgress.SingleBar {
  const bar = new cliProgress.SingleBar({
    format: `${what} [{bar}] {value}/{total} ${unit} · {failed} failed · {eta_formatted} left`,
    stream: process.stderr,
    clearOnComplete: true,
    hideCursor: true,
  }, cliProgress.Presets.shades_classic);
  bar.start(total, 0, { failed: 0 });
  return bar;
}

/** A file's text; one that cannot be read is bad input naming the file. */
function readFile(path: string): string {
  let info: Deno.FileInfo;
  try {
    info = Deno.statSync(path);
  } catch (e) {
    throw new ConfigError(path, `cannot be read (${(e as Error).message})`);
  }
  // A FIFO or a device would block or never end; a huge file would exhaust memory.
  if (!info.isFile) {
    throw new ConfigError(path, "is not a regular file (a directory, pipe or device)");
  }
  if (info.size > MAX_INPUT_BYTES) {
    throw new ConfigError(
      path,
      `is ${info.size} bytes, more than the ${MAX_INPUT_BYTES} this command reads`,
    );
  }
  try {
    return Deno.readTextFileSync(path);
  } catch (e) {
    throw new ConfigError(path, `cannot be read (${(e as Error).message})`);
  }
}

/** The largest file `lincheck`, `replay`, `diff` and `merge` read: 512 MiB. */
const MAX_INPUT_BYTES = 512 * 1024 * 1024;

/** A saved trace, its problems reported against the file's name. */
function loadTraceFile(path: string, verify = true): TraceFile {
  const text = readFile(path);
  try {
    return loadTrace(text, { verify });
  } catch (e) {
    if (e instanceof ConfigError) {
      throw new ConfigError(path, e.message.replace(/^trace file:\s*/, ""));
    }
    throw e;
  }
}

const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?$/i;

function wholeNumber(flag: string, text: string, min: number, max: number): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || n < min || n > max) {
    throw new ConfigError(
      flag,
      `must be a whole number from ${min} to ${max}, got ${JSON.stringify(text)}`,
    );
  }
  return n;
}

function nodeCount(scenario: Scenario, text: string): number {
  const min = scenario.defaults.minNodes ?? 1, max = scenario.defaults.maxNodes ?? 1000;
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || n < min || n > max) {
    const allowed = min === max ? `${min}` : `a whole number from ${min} to ${max}`;
    throw new ConfigError(
      "--nodes",
      `must be ${allowed} for ${scenario.name}, got ${JSON.stringify(text)}`,
    );
  }
  return n;
}

function positive(flag: string, text: string): number {
  const n = Number(text);
  if (!NUMBER.test(text.trim()) || !Number.isFinite(n) || n <= 0) {
    throw new ConfigError(flag, `must be a number of ms > 0, got ${JSON.stringify(text)}`);
  }
  return n;
}

function probability(flag: string, text: string): number {
  if (!NUMBER.test(text.trim())) {
    throw new ConfigError(flag, `must be a probability in [0, 1], got ${JSON.stringify(text)}`);
  }
  return checkProbability(flag, Number(text));
}

/** A fault error's problem without its leading `faults`, which the flag already says. */
function faultProblem(e: ConfigError): string {
  return e.message.replace(/^faults?:?\s*/, "");
}

/** The error message with the input named as the command-line flag that sets it. */
function flagMessage(e: ConfigError): string {
  const input = e.input;
  const problem = e.message.slice(input.length).replace(/^:\s*/, "");
  const flag = input.startsWith("-") ? input : FLAG_FOR_INPUT[input.split(" ")[0]];
  return oneLine(flag === undefined ? e.message : `${flag}: ${problem}`);
}

/** A number of virtual ms >= 0 from the command line. */
function nonNegative(flag: string, text: string): number {
  const n = Number(text);
  if (text.trim() === "" || !Number.isFinite(n) || n < 0) {
    throw new ConfigError(flag, `must be a number of virtual ms >= 0, got ${JSON.stringify(text)}`);
  }
  return n;
}

/** Inputs that the simulator names by their field, and the flag that sets each. */
const FLAG_FOR_INPUT: Record<string, string | undefined> = {
  seed: "--seed",
  nodes: "--nodes",
  until: "--until",
  stopAt: "--stop-at",
  latency: "--latency",
  loss: "--loss",
  duplicate: "--dup",
  fifo: "--fifo",
  faults: "--faults",
};

/** One line for a commander error, with a hint naming the command's help. */
function commanderLine(
  e: CommanderError,
  program: string,
  command: string | undefined,
  argv: string[],
  commands: CommandNames,
): string {
  let line = oneLine(e.message);
  if (!line.startsWith("error:")) line = `error: ${line}`;
  const known = command !== undefined && commands.all.includes(command);
  if (
    e.code === "commander.unknownOption" || e.code === "commander.missingArgument" ||
    e.code === "commander.missingMandatoryOptionValue" ||
    e.code === "commander.optionMissingArgument"
  ) {
    const scenario = known && commands.scenario.has(command!)
      ? ` ${argv[argv.indexOf(command!) + 1] ?? "<scenario>"}`.replace(/ -.*$/, " <scenario>")
      : "";
    line += known ? `; see: ${program} ${command}${scenario} --help` : `; see: ${program} --help`;
  } else if (e.code === "commander.unknownCommand") {
    line += `; the commands: ${commands.all.join(", ")}`;
  }
  return line;
}

function oneLine(s: string): string {
  return s.split("\n").map((l) => l.trim()).filter((l) => l !== "").join(" ");
}

/**
 * `list`: each scenario with its summary, then its own flags under it,
 * within the width; with `module`, how to run the module's scenarios.
 */
function listScenarios(registry: ScenarioRegistry, program: string, module?: string): string {
  const all = registry.list();
  const pad = Math.min(24, Math.max(0, ...all.map((s) => s.name.length)) + 2);
  const lines: string[] = [];
  for (const s of all) {
    const name = s.name.length + 2 > pad ? `${s.name}\n${" ".repeat(pad)}` : s.name.padEnd(pad);
    lines.push(...fill(`${name}${s.summary}`, pad));
    const flags = Object.entries(s.flags ?? {}).map(([n, f]) => `--${n} ${f.default}`);
    if (flags.length > 0) {
      lines.push(...fill(`${" ".repeat(pad)}flags: ${flags.join(", ")}`, pad + 7));
    }
  }
  if (module !== undefined) {
    const target = all.length === 1 ? module : `${module.replace(/#.*$/, "")}#name`;
    lines.push(
      "",
      `run one: ${program} run ${quoteWord(target)} [--seed N] (--help lists every flag)`,
    );
    return lines.join("\n");
  }
  lines.push(
    "",
    `run one: ${program} run <scenario> [--seed N] (--help lists every flag)`,
    `a module's own: ${program} run ./path/to/module.ts#name`,
  );
  return lines.join("\n");
}

/** The one-line JSON object of `run --json`. */
function runJson(r: ScenarioResult): string {
  return JSON.stringify({
    scenario: r.scenario,
    seed: r.seed,
    ok: r.ok,
    stop: r.stop,
    events: r.events,
    messages: r.messages,
    dropped: r.sim.stats.dropped,
    duplicated: r.sim.stats.duplicated,
    virtualMs: r.virtualMs,
    lastEventMs: r.sim.stats.lastEventMs,
    wallMs: r.wallMs,
    traceHash: r.traceHash,
    faults: r.faults,
    violations: r.violations.map((v) => ({
      check: v.check,
      message: v.message,
      atMs: v.atMs,
      node: v.node ?? null,
    })),
    summary: r.summary,
    sometimes: Object.fromEntries(r.sim.reached),
    replay: r.replay,
  });
}

/** The first lines of a run's report: scenario, seed, size, network, flags, faults. */
function runHeader(r: ScenarioResult, color: boolean): string[] {
  const spec = r.spec;
  const header = [
    paint(color, "bold", r.scenario),
    `seed ${r.seed}`,
    `${spec.nodes} nodes`,
    spec.stopAt === undefined
      ? `until ${spec.until} ms`
      : `until ${spec.until} ms (stop at ${spec.stopAt})`,
    `latency ${spec.latency ?? formatLatency(DEFAULT_LINK.latency)}`,
  ];
  if (spec.loss) header.push(`loss ${spec.loss}`);
  if (spec.dup) header.push(`dup ${spec.dup}`);
  if (spec.fifo) header.push("fifo");
  const lines = [header.join(" · ")];
  const flags = Object.entries(spec.flags).map(([name, value]) => `--${name} ${value}`);
  if (flags.length > 0) lines.push(...wrap(`flags: ${flags.join(" ")}`, " ", "  "));
  const unscheduled = r.faults === "" ? faultsInTrace(r.sim.trace.events) : [];
  lines.push(
    ...wrap(
      unscheduled.length === 0
        ? `faults: ${r.faults || "none"}`
        : `faults: none scheduled; in the run: ${unscheduled.join("; ")}`,
      "; ",
      "  ",
    ),
  );
  return lines;
}

/**
 * The faults a trace shows, as `@t action`: for a run whose faults were not
 * a schedule (a checker's choices, a scenario's own script).
 */
function faultsInTrace(events: readonly TraceEvent[]): string[] {
  // A fault's trace event carries its action's fields, under `kind` for `type`.
  return events.filter((e) => FAULT_EVENTS.has(e.kind)).map((e) => {
    const { t, kind, ...fields } = e;
    return `@${t} ${formatAction({ type: kind, ...fields } as FaultAction)}`;
  });
}

/** The trace events that are faults as a schedule writes them (a clock event carries skew and drift, not a fault). */
const FAULT_EVENTS = new Set<TraceEvent["kind"]>([
  "crash",
  "restart",
  "pause",
  "resume",
  "disconnect",
  "reconnect",
  "partition",
  "block",
  "unblock",
  "heal",
]);

/** The text report of `run`. */
function runText(r: ScenarioResult, opts: RunOptions, color: boolean): string {
  const lines = runHeader(r, color);
  if (opts.diagram) lines.push("", diagramOf(r, opts, color), "");
  lines.push(...r.summary);
  const stats = r.sim.stats;
  const status = r.ok
    ? paint(color, "green", "ok")
    : paint(color, "red", `FAILED: ${count(r.violations.length, "violation")}`);
  const speed = r.wallMs > 0 ? `, ${Math.round(r.virtualMs / r.wallMs)}x real time` : "";
  lines.push(
    `result    ${status} (stopped: ${
      r.stop === "until" && r.spec.stopAt !== undefined ? `--stop-at ${r.spec.stopAt}` : r.stop
    })`,
    `events    ${r.events} handled, ${r.sim.trace.count} in the trace`,
    `messages  ${r.messages} sent, ${stats.delivered} delivered, ${stats.dropped} dropped, ` +
      `${stats.duplicated} duplicated`,
    `time      ${r.virtualMs} virtual ms in ${r.wallMs.toFixed(1)} wall ms${speed}` +
      // A liveness deadline after `until` keeps the run going to judge it.
      (r.virtualMs > r.spec.until && r.spec.stopAt === undefined
        ? `; liveness ran it past ${r.spec.until}`
        : ""),
    `trace     ${r.traceHash}`,
  );
  const reached = [...r.sim.reached].sort(([a], [b]) => a < b ? -1 : 1)
    .map(([name, n]) => `${name} (${count(n, "time")})`);
  if (reached.length > 0) {
    lines.push(...wrap(`sometimes ${reached.join("; ")}`, "; ", " ".repeat(10)));
  }
  if (opts.out !== undefined) lines.push(`saved     ${opts.out}`);
  if (!r.ok) {
    lines.push("", paint(color, "red", r.sim.failureReport()));
    for (const v of r.violations.slice(1)) {
      lines.push(`also: ${v.check}: ${v.message} (node ${v.node ?? "-"}, at ${v.atMs} ms)`);
    }
    lines.push("");
  }
  lines.push(`replay    ${r.replay}`);
  return lines.join("\n");
}

/** `--diagram`'s window: `--from`, `--to` and `--max-rows`, as commander hands them over. */
interface DiagramWindow {
  from?: string;
  to?: string;
  maxRows?: string;
}

/**
 * The run's space-time diagram in the window asked for; a failed run with
 * no `--from` or `--to` is drawn up to its first violation, its last
 * `--max-rows` events (the footer says how to draw the start).
 */
function diagramOf(r: ScenarioResult, window: DiagramWindow, color: boolean): string {
  const from = window.from === undefined ? undefined : nonNegative("--from", window.from);
  const to = window.to === undefined ? undefined : nonNegative("--to", window.to);
  if (from !== undefined && to !== undefined && from > to) {
    throw new ConfigError("--to", `must be >= --from (${from}), got ${to}`);
  }
  const maxRows = window.maxRows === undefined
    ? undefined
    : wholeNumber("--max-rows", window.maxRows, 1, 1_000_000);
  const failure = from === undefined && to === undefined ? r.violations[0] : undefined;
  return renderDiagram(r.sim.trace.events, {
    width: WIDTH,
    color,
    label: r.label,
    from,
    to: failure?.atMs ?? to,
    maxRows,
    last: failure !== undefined,
  });
}

function paint(color: boolean, style: "bold" | "green" | "red" | "yellow", s: string): string {
  return color ? styleText(style, s, { validateStream: false }) : s;
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}

/** Breaks `text` at `sep` so that no line passes the diagram's width. */
function wrap(text: string, sep: string, indent: string): string[] {
  const parts = text.split(sep);
  const lines: string[] = [];
  let line = "";
  for (const part of parts) {
    const next = line === "" ? part : `${line}${sep}${part}`;
    // Room for the separator the line ends with when the next part goes on a line of its own.
    if (line !== "" && next.length + sep.trimEnd().length > WIDTH) {
      lines.push(`${line}${sep.trimEnd()}`);
      line = `${indent}${part}`;
    } else {
      line = next;
    }
  }
  lines.push(line);
  return lines;
}
