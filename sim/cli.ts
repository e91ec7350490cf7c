/**
 * The command line: `list`, `run <scenario>` and `demo`, built with
 * `commander`. {@linkcode runCli} returns the exit code instead of exiting,
 * so tests call it in-process and `main.ts` stays a thin entry point.
 *
 * Exit codes: 0 the run was fine, 1 a check found a violation, 2 bad input
 * (one line on stderr naming the flag and what is allowed), 70 a bug.
 *
 * @module
 */

import { lincheckCommand, MODEL_NAMES } from "./check/lincheck_command.ts";
import { Command, CommanderError, Option } from "commander";
import { styleText } from "node:util";
import { renderDiagram } from "./diagram.ts";
import { checkProbability, ConfigError } from "./errors.ts";
import { type FaultSpec, parseFaultSpec } from "./faults.ts";
import { DEFAULT_LINK, formatLatency, type NetworkOptions, parseLatency } from "./network.ts";
import { MAX_SEED } from "./random.ts";
import {
  type FlagValue,
  resolveParams,
  runScenario,
  type Scenario,
  type ScenarioFlag,
  type ScenarioParams,
  type ScenarioRegistry,
  type ScenarioResult,
} from "./scenario.ts";
import { saveTrace, traceFileFromResult } from "./trace_file.ts";

/**
 * Where the command line reads its scenarios from and writes its output to.
 *
 * @example
 * ```ts
 * import type { CliIO } from "./cli.ts";
 * import { ScenarioRegistry } from "./scenario.ts";
 * const lines: string[] = [];
 * const io: CliIO = {
 *   registry: new ScenarioRegistry(),
 *   stdout: (s) => lines.push(s),
 *   stderr: (s) => lines.push(s),
 * };
 * ```
 */
export interface CliIO {
  registry: ScenarioRegistry;
  /** Writes one or more lines (the caller adds the final newline). */
  stdout: (s: string) => void;
  /** Writes one or more lines of diagnostics. */
  stderr: (s: string) => void;
  /** Colour the output (a terminal that allows it); default false. */
  isTTY?: boolean;
  /** What `demo` prints. */
  demo?: () => string;
}

/**
 * The exit codes {@linkcode runCli} returns (70 is sysexits' EX_SOFTWARE).
 *
 * @example
 * ```ts
 * import { EXIT } from "./cli.ts";
 * EXIT.usage; // 2
 * ```
 */
export const EXIT = Object.freeze({ ok: 0, violation: 1, usage: 2, internal: 70 });

/** Width of the diagram: the terminal the issue asks us to fit. */
const DIAGRAM_WIDTH = 100;

/** Options of `run` that take a value, for finding the scenario name before parsing. */
const VALUE_OPTIONS = [
  "--seed",
  "--nodes",
  "--until",
  "--latency",
  "--loss",
  "--dup",
  "--faults",
  "--out",
];

/** `run`'s own options, as commander hands them over (all strings: we validate). */
interface RunOptions {
  seed?: string;
  nodes?: string;
  until?: string;
  latency?: string;
  loss?: string;
  dup?: string;
  fifo?: boolean;
  faults?: string;
  diagram?: boolean;
  json?: boolean;
  out?: string;
}

/**
 * Runs the command line on `argv` (without the program name) and returns the
 * exit code. Never calls `Deno.exit` and never throws.
 *
 * @example
 * ```ts
 * import { runCli } from "./cli.ts";
 * import { scenarios } from "../protocols/registry.ts";
 * const out: string[] = [];
 * const code = runCli(["run", "ping-pong", "--seed", "3", "--json"], {
 *   registry: scenarios,
 *   stdout: (s) => out.push(s),
 *   stderr: (s) => out.push(s),
 * });
 * code; // 0
 * JSON.parse(out[0]).seed; // 3
 * ```
 */
export function runCli(argv: string[], io: CliIO): number {
  let code: number = EXIT.ok;
  let name: string | undefined;
  try {
    name = scenarioNameIn(argv, io.registry);
    // Fail on an unknown scenario before commander can complain about its flags.
    const scenario = name === undefined ? undefined : io.registry.get(name);
    const program = buildProgram(io, scenario, (c) => code = c);
    program.parse(argv, { from: "user" });
    return code;
  } catch (e) {
    if (e instanceof CommanderError) {
      switch (e.code) {
        case "commander.helpDisplayed":
        case "commander.version":
          return EXIT.ok;
        case "commander.help":
          // Help shown because no command was given: that is a usage error.
          return e.exitCode === 0 ? EXIT.ok : EXIT.usage;
        default:
          io.stderr(commanderLine(e, name));
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
}

function buildProgram(
  io: CliIO,
  scenario: Scenario | undefined,
  setCode: (code: number) => void,
): Command {
  const color = io.isTTY ?? false;
  const program = new Command("deno task sim")
    .description("Run deterministic simulations of distributed protocols.")
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout(s.trimEnd()),
      writeErr: (s) => io.stderr(s.trimEnd()),
      // runCli prints the error itself, as one line.
      outputError: () => {},
    })
    .showSuggestionAfterError(true);

  program.command("list")
    .description("list the scenarios and their own flags")
    .action(() => io.stdout(listScenarios(io.registry)));

  const run = program.command("run")
    .description("run one scenario and check it")
    .argument("<scenario>", `one of: ${io.registry.list().map((s) => s.name).join(", ")}`)
    .option("--seed <n>", `whole number 0..${MAX_SEED} that decides every choice (default: 1)`)
    .option("--nodes <n>", "number of nodes (default: the scenario's)")
    .option("--until <ms>", "virtual ms to run for (default: the scenario's)")
    .option("--latency <spec>", "link latency: MS, MIN..MAX or exp:MEAN[+MIN] (default 1..10)")
    .option("--loss <p>", "probability a message is lost, in [0, 1]")
    .option("--dup <p>", "probability a message is duplicated, in [0, 1]")
    .option("--fifo", "links keep send order (default: they may reorder)")
    .option(
      "--faults <spec>",
      "'@100 crash n1; @300 restart n1; ...' or random[:crash=R,partition=R,pause=R,duration=MS]",
    )
    .option("--diagram", "print the space-time diagram")
    .option("--json", "print one line of JSON instead of text")
    .option("--out <file>", "save the trace as JSON to this file");
  const scenarioOptions = new Map<string, Option[]>();
  for (const flag of scenario?.flags ?? []) {
    const options = flagOptions(flag);
    for (const option of options) run.addOption(option);
    scenarioOptions.set(flag.name, options);
  }
  run.action((name: string, opts: RunOptions, cmd: Command) => {
    // Normally the scenario found before parsing; looked up again in case that missed.
    const chosen = scenario?.name === name ? scenario : io.registry.get(name);
    const flags: Record<string, FlagValue> = {};
    for (const [flag, options] of scenarioOptions) {
      const value = cmd.getOptionValue(options[0].attributeName()) as FlagValue | undefined;
      if (value !== undefined) flags[flag] = value;
    }
    const given = runParams(chosen, opts, flags);
    const params = resolveParams(chosen, given);
    const result = runScenarioFor(chosen, params);
    if (opts.out !== undefined) writeTrace(opts.out, result, params);
    io.stdout(opts.json ? runJson(result) : runText(result, params, opts, color));
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
      let text: string;
      try {
        text = Deno.readTextFileSync(file);
      } catch (e) {
        throw new ConfigError("<file>", `cannot read ${file}: ${(e as Error).message}`);
      }
      const outcome = lincheckCommand(text, file, {
        model: opts.model,
        timeoutMs,
        json: opts.json,
      });
      if (outcome.stdout !== "") io.stdout(outcome.stdout.trimEnd());
      if (outcome.stderr !== "") io.stderr(outcome.stderr.trimEnd());
      setCode(outcome.exitCode);
    });

  program.command("demo")
    .description("a guided run with faults: what the simulator shows you")
    .action(() => {
      if (io.demo === undefined) throw new ConfigError("demo", "no demo is available here");
      io.stdout(io.demo());
    });
  return program;
}

/** Commander options for one scenario flag; booleans get `--x [bool]` and `--no-x`. */
function flagOptions(flag: ScenarioFlag): Option[] {
  const dflt = ` (default: ${flag.default})`;
  switch (typeof flag.default) {
    case "boolean":
      return [
        new Option(`--${flag.name} [bool]`, `${flag.description}${dflt}`),
        new Option(`--no-${flag.name}`, `turn ${flag.name} off`),
      ];
    case "number": {
      const range = flag.min !== undefined || flag.max !== undefined
        ? `, ${flag.min ?? "-inf"}..${flag.max ?? "inf"}`
        : "";
      return [new Option(`--${flag.name} <n>`, `${flag.description}${range}${dflt}`)];
    }
    default: {
      const choices = flag.choices ? `, one of ${flag.choices.join(", ")}` : "";
      return [new Option(`--${flag.name} <value>`, `${flag.description}${choices}${dflt}`)];
    }
  }
}

/**
 * Finds the scenario named after `run` without parsing, so that its flags can
 * be registered before commander sees them. Skips the values of options that
 * take one, whichever scenario they belong to.
 */
function scenarioNameIn(argv: string[], registry: ScenarioRegistry): string | undefined {
  const takesValue = new Set(VALUE_OPTIONS);
  for (const s of registry.list()) {
    for (const f of s.flags ?? []) {
      if (typeof f.default !== "boolean") takesValue.add(`--${f.name}`);
    }
  }
  const command = argv.findIndex((a) => !a.startsWith("-"));
  if (command === -1 || argv[command] !== "run") return undefined;
  for (let i = command + 1; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--") return argv[i + 1];
    if (arg.startsWith("-") && arg.length > 1) {
      if (!arg.includes("=") && takesValue.has(arg)) i++;
      continue;
    }
    return arg;
  }
  return undefined;
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
    network,
    faults,
    flags,
    // Only a diagram or a saved trace needs the events; the hash is the same either way.
    trace: opts.diagram || opts.out !== undefined ? "full" : "hash",
  };
}

/** Runs the scenario; a fault naming an unknown node is a `--faults` error. */
function runScenarioFor(scenario: Scenario, params: ScenarioParams): ScenarioResult {
  try {
    return runScenario(scenario, params);
  } catch (e) {
    if (e instanceof ConfigError && /^faults? /.test(e.input)) {
      throw new ConfigError("--faults", faultProblem(e));
    }
    throw e;
  }
}

/** Saves the trace where `--out` says; a path that cannot be written is bad input. */
function writeTrace(path: string, result: ScenarioResult, params: ScenarioParams): void {
  const text = saveTrace(traceFileFromResult(result, params));
  try {
    Deno.writeTextFileSync(path, text);
  } catch (e) {
    throw new ConfigError("--out", `cannot write ${JSON.stringify(path)}: ${(e as Error).message}`);
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
    throw new ConfigError(flag, `must be a number of virtual ms > 0, got ${JSON.stringify(text)}`);
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

/** Inputs that the simulator names by their field, and the flag that sets each. */
const FLAG_FOR_INPUT: Record<string, string | undefined> = {
  seed: "--seed",
  nodes: "--nodes",
  until: "--until",
  latency: "--latency",
  loss: "--loss",
  duplicate: "--dup",
  fifo: "--fifo",
};

/** One line for a commander error, with a hint for unknown options. */
function commanderLine(e: CommanderError, scenario = "<scenario>"): string {
  let line = oneLine(e.message);
  if (!line.startsWith("error:")) line = `error: ${line}`;
  if (e.code === "commander.unknownOption") {
    line += `; see the flags with: deno task sim run ${scenario} --help`;
  }
  return line;
}

function oneLine(s: string): string {
  return s.split("\n").map((l) => l.trim()).filter((l) => l !== "").join(" ");
}

/** `list`: each scenario with its summary, then its own flags indented under it. */
function listScenarios(registry: ScenarioRegistry): string {
  const all = registry.list();
  const pad = Math.max(0, ...all.map((s) => s.name.length)) + 2;
  const lines: string[] = [];
  for (const s of all) {
    lines.push(`${s.name.padEnd(pad)}${s.summary}`);
    const flags = (s.flags ?? []).map((f) => `--${f.name} ${f.default}`);
    if (flags.length > 0) lines.push(`${" ".repeat(pad)}flags: ${flags.join(", ")}`);
  }
  lines.push("", "run one: deno task sim run <scenario> [--seed N] (--help lists every flag)");
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
    replay: r.replay,
  });
}

/** The text report of `run`. */
function runText(
  r: ScenarioResult,
  params: ScenarioParams,
  opts: RunOptions,
  color: boolean,
): string {
  const bold = (s: string) => paint(color, "bold", s);
  const net = params.network;
  const header = [
    bold(r.scenario),
    `seed ${r.seed}`,
    `${params.nodes} nodes`,
    `until ${params.until} ms`,
    `latency ${formatLatency(net.latency ?? DEFAULT_LINK.latency)}`,
  ];
  if (net.loss) header.push(`loss ${net.loss}`);
  if (net.duplicate) header.push(`dup ${net.duplicate}`);
  if (net.fifo) header.push("fifo");
  const lines = [header.join(" · "), ...wrap(`faults: ${r.faults || "none"}`, "; ", "  ")];
  if (opts.diagram) {
    lines.push("", renderDiagram(r.sim.trace.events, { width: DIAGRAM_WIDTH, color }), "");
  }
  lines.push(...r.summary);
  const stats = r.sim.stats;
  const status = r.ok
    ? paint(color, "green", "ok")
    : paint(color, "red", `FAILED: ${count(r.violations.length, "violation")}`);
  const speed = r.wallMs > 0 ? `, ${Math.round(r.virtualMs / r.wallMs)}x real time` : "";
  lines.push(
    `result    ${status} (stopped: ${r.stop})`,
    `events    ${r.events}`,
    `messages  ${r.messages} sent, ${stats.delivered} delivered, ${stats.dropped} dropped, ` +
      `${stats.duplicated} duplicated`,
    `time      ${r.virtualMs} virtual ms in ${r.wallMs.toFixed(1)} wall ms${speed}`,
    `trace     ${r.traceHash}`,
  );
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

function paint(color: boolean, style: "bold" | "green" | "red", s: string): string {
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
    if (line !== "" && next.length > DIAGRAM_WIDTH) {
      lines.push(`${line}${sep.trimEnd()}`);
      line = `${indent}${part}`;
    } else {
      line = next;
    }
  }
  lines.push(line);
  return lines;
}
