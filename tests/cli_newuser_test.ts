/**
 * What a new user met on the command line (issues B7 to B15), in-process:
 * shrunk files that overwrote each other, `replay` after a fix, the page of
 * a shrunk run, a failed run's diagram, the list of commands, a finding
 * lost with its file, moved trace files, and the smaller ones. Each test
 * names the issue it covers. The same from a directory outside the
 * repository, in processes of their own, is in `cli_outside_test.ts`.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { Actor, Context } from "../actors/mod.ts";
import { EXIT } from "../sim/cli.ts";
import { ConfigError } from "../sim/errors.ts";
import type { ExploreReport } from "../sim/explore/explore_report.ts";
import type { SweepReport } from "../sim/explore/sweep.ts";
import { parseFaultSpec } from "../sim/faults.ts";
import { renderDiagram } from "../sim/render/diagram.ts";
import {
  defineScenario,
  flag,
  type Scenario,
  ScenarioRegistry,
  toolCommand,
} from "../sim/scenario.ts";
import { Simulation } from "../sim/simulation.ts";
import { StudioSession } from "../sim/studio/session.ts";
import { loadTrace } from "../sim/trace_file.ts";
import type { TraceEvent } from "../sim/trace.ts";
import { scenarios as exploring } from "./_explore_scenarios.ts";
import { cli, type Ran } from "./_cli.ts";

/** Everything a call printed, stdout then stderr. */
function all(ran: Ran): string {
  return [...ran.out, ...ran.err].join("\n");
}

/** A printed `deno task sim ...` line as the arguments `cli` takes. */
function argsOf(line: string): string[] {
  assert.ok(line.startsWith("deno task sim "), line);
  return line.slice("deno task sim ".length).split(" ");
}

/** Runs `body` with a fresh temporary folder, removed after. */
async function inTempDir(body: (dir: string) => Promise<void>): Promise<void> {
  const dir = Deno.makeTempDirSync({ prefix: "dsim-newuser-" });
  try {
    await body(dir);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
}

/** Sweeps or explores `exploring`'s scenarios in this thread; the report parsed. */
async function report<R>(argv: string[]): Promise<{ ran: Ran; report: R }> {
  const ran = await cli([...argv, "--json"], exploring, { workers: false });
  assert.equal(ran.code, EXIT.violation, all(ran));
  return { ran, report: JSON.parse(ran.out[0]) as R };
}

/**
 * A counter whose `buggy` version applies a resent increment twice (the
 * invariant catches it); the fixed one does not. Same name, so a file saved
 * with one replays with the other: "I fixed it; does the shrunk run pass?".
 */
function resent(version: "buggy" | "fixed") {
  return defineScenario({
    name: "resent",
    summary: "a client resends each increment until it is acknowledged",
    defaults: { nodes: 2, minNodes: 2, maxNodes: 2, until: 400, network: { loss: 0.3 } },
    flags: { ops: flag.int("increments", 4, { min: 1, max: 50 }) },
    setup(sim, params) {
      const ops = params.flags.ops;
      type Msg = { type: "inc"; id: number } | { type: "ack"; id: number };
      sim.spawn("server", (): Actor<Msg> => ({
        onMessage(ctx, msg, from) {
          if (msg.type !== "inc") return;
          const seen = ctx.storage.get<number[]>("seen") ?? [];
          if (version === "buggy" || !seen.includes(msg.id)) {
            ctx.storage.set("seen", [...seen, msg.id]);
          }
          ctx.send(from, { type: "ack", id: msg.id });
        },
      }));
      type Resend = { type: "resend"; id: number };
      const send = (ctx: Context<Msg, Resend>, timer: Resend) => {
        ctx.send("server", { type: "inc", id: timer.id });
        ctx.setTimer(timer, 20);
      };
      sim.spawn("client", (): Actor<Msg, Resend> => ({
        onStart(ctx) {
          for (let id = 1; id <= ops; id++) send(ctx, { type: "resend", id });
        },
        onMessage(ctx, msg) {
          if (msg.type === "ack") ctx.cancelTimer({ type: "resend", id: msg.id });
        },
        onTimer: send,
      }));
      const applied = () => (sim.storage("server").get<number[]>("seen") ?? []).length;
      sim.invariant("applied-once", () => applied() <= ops || `${applied()} of ${ops} applied`);
      return {};
    },
  });
}
const buggy = new ScenarioRegistry([resent("buggy")]);
const fixed = new ScenarioRegistry([resent("fixed")]);

/** Sweeps `resent` (buggy) to a shrunk file in `dir`; returns its path and report. */
async function shrunkResent(dir: string): Promise<{ file: string; report: SweepReport }> {
  const ran = await cli(
    ["sweep", "resent", "--seeds", "1..20", "--out-dir", dir, "--json"],
    buggy,
    { workers: false },
  );
  assert.equal(ran.code, EXIT.violation, all(ran));
  const r = JSON.parse(ran.out[0]) as SweepReport;
  assert.ok(r.shrunk !== undefined, all(ran));
  return { file: r.shrunk.out, report: r };
}

Deno.test("B7: shrunk files of different runs of one scenario and seed never overwrite each other", async () => {
  await inTempDir(async (dir) => {
    // An exploration's first failure, then sweeps of its seed with other flags.
    const explored = await report<ExploreReport>([
      "explore",
      "lossy-counter",
      "--runs",
      "20",
      "--out-dir",
      dir,
    ]);
    const seed = explored.report.firstFailure!.seed;
    /** Sweeps just that seed, with `more` flags. */
    const sweep = (...more: string[]) =>
      report<SweepReport>(["sweep", "lossy-counter", "--seeds", `${seed}..${seed}`, ...more]);
    const swept = await sweep("--out-dir", dir);
    const moreOps = await sweep("--ops", "30", "--out-dir", dir);
    const files = [
      explored.report.shrunk!.file,
      swept.report.shrunk!.out,
      moreOps.report.shrunk!.out,
    ];
    assert.equal(new Set(files).size, 3, `three runs, three files: ${files}`);
    for (const file of files) {
      assert.match(file, new RegExp(`lossy-counter-seed${seed}-[0-9a-f]{8}\\.shrunk\\.json$`));
    }
    // Each replay line printed replays its own run, whatever ran after it.
    const lines = [
      explored.report.shrunk!.command,
      swept.report.shrunk!.replay,
      moreOps.report.shrunk!.replay,
    ];
    for (const [i, line] of lines.entries()) {
      const again = await cli(argsOf(line), exploring);
      assert.equal(again.code, EXIT.ok, all(again));
      assert.match(again.out.join("\n"), /^same: lossy-counter seed \d+ replays to trace/m);
      assert.equal(loadTrace(Deno.readTextFileSync(files[i])).spec.seed, seed);
    }
    // The same run saved again keeps its name: no pile of copies.
    const twice = await sweep("--out-dir", dir);
    assert.equal(twice.report.shrunk!.out, swept.report.shrunk!.out);
    // --out is the explicit name.
    const named = await sweep("--out", join(dir, "mine.json"));
    assert.equal(named.report.shrunk!.out, join(dir, "mine.json"));
  });
});

Deno.test("B8: replay says whether the new run holds its checks; --check exits by them", async () => {
  await inTempDir(async (dir) => {
    const { file } = await shrunkResent(dir);
    // The same code: the same run, which fails; exit 0 by the trace, 1 by the checks.
    const same = await cli(["replay", file], buggy);
    assert.equal(same.code, EXIT.ok, all(same));
    assert.match(same.out[0], /; it fails applied-once: \d+ of \d+ applied$/m);
    assert.equal((await cli(["replay", file, "--check"], buggy)).code, EXIT.violation);
    // After the fix: a different run, and it holds every check.
    const after = await cli(["replay", file], fixed);
    assert.equal(after.code, EXIT.violation, all(after));
    const text = after.out.join("\n");
    assert.match(text, /^DIFFERENT: resent seed \d+ was [0-9a-f]{16}, now [0-9a-f]{16}/m);
    assert.match(
      text,
      /^the new run \(\d+ events handled, \d+ in the trace\): holds every check$/m,
    );
    assert.match(text, /replay --check exits by the new run's checks instead/);
    const checked = await cli(["replay", file, "--check"], fixed);
    assert.equal(checked.code, EXIT.ok, all(checked));
    assert.match(checked.out.join("\n"), /holds every check/);
    assert.doesNotMatch(checked.out.join("\n"), /--check exits/);
  });
});

Deno.test("B9: a shrunk run's page, Perfetto file and studio show the replay line, not a run line", async () => {
  await inTempDir(async (dir) => {
    const page = join(dir, "shrunk.html");
    const ran = await cli(
      ["sweep", "resent", "--seeds", "1..20", "--out", page, "--json"],
      buggy,
      { workers: false },
    );
    const shrunk = (JSON.parse(ran.out[0]) as SweepReport).shrunk!;
    assert.equal(shrunk.out, `${page}.json`);
    const html = Deno.readTextFileSync(page);
    assert.ok(html.includes(`${toolCommand("replay")} ${page}.json`), "the page's command");
    assert.doesNotMatch(html, /main\.ts run /);

    // Replaying the shrunk file: its page and its Perfetto file point at the file.
    const file = shrunk.out;
    const again = join(dir, "again.html"), perfetto = join(dir, "again.perfetto.json");
    assert.equal((await cli(["replay", file, "--out", again], buggy)).code, EXIT.ok);
    assert.ok(Deno.readTextFileSync(again).includes(`${toolCommand("replay")} ${file}`));
    assert.doesNotMatch(Deno.readTextFileSync(again), /main\.ts run /);
    assert.equal((await cli(["replay", file, "--out", perfetto], buggy)).code, EXIT.ok);
    const other = JSON.parse(Deno.readTextFileSync(perfetto)).otherData;
    assert.equal(other.replay, `${toolCommand("replay")} ${file}`);

    // The studio's page of the file.
    const trace = loadTrace(Deno.readTextFileSync(file));
    const session = new StudioSession({ scenario: buggy.get("resent"), file: trace, path: file });
    assert.ok(session.page(0).includes(`${toolCommand("replay")} ${file}`));
    assert.doesNotMatch(session.page(0), /main\.ts run /);

    // A run that is its seed's own keeps its run line.
    const plain = join(dir, "plain.html");
    assert.equal((await cli(["run", "resent", "--seed", "2", "--out", plain], fixed)).code, 0);
    assert.match(Deno.readTextFileSync(plain), /main\.ts run \S*#resent --seed 2/);
  });
});

Deno.test("B10: a failed run's diagram ends at its violation and says how to see the start", async () => {
  const argv = ["run", "capped", "--limit", "300", "--until", "5000", "--diagram"];
  const ran = await cli(argv, exploring);
  assert.equal(ran.code, EXIT.violation);
  const text = ran.out.join("\n");
  const rows = text.split("\n").filter((l) => / │ /.test(l) && !/ ms │ /.test(l));
  assert.match(rows.at(-1)!, /VIOLATION under-limit/);
  const earlier = text.match(/… (\d+) earlier events not drawn, 0 to (\d+) ms/);
  assert.ok(earlier, text);
  assert.match(text, /\(--from 0 draws from the start\)/);
  // The rows drawn are the last 200 events up to the violation at 3010 ms.
  const first = Number(rows[0].match(/^\s*([0-9.]+) │/)![1]);
  assert.ok(first > Number(earlier[2]) && first < 3010, rows[0]);
  // --from 0 draws from the start, with the usual footer.
  const start = (await cli([...argv, "--from", "0"], exploring)).out.join("\n");
  assert.match(start, /^\s+0 │/m);
  assert.match(start, /more events from [0-9.]+ ms \(use --from\/--to\)/);
  // --max-rows sets the window's length.
  const ten = (await cli([...argv, "--max-rows", "10"], exploring)).out.join("\n");
  const tenRows = ten.split("\n").filter((l) => / │ /.test(l) && !/ ms │ /.test(l));
  assert.equal(tenRows.length, 10);
  assert.match(tenRows.at(-1)!, /VIOLATION/);
});

Deno.test("B10: renderDiagram's last option draws the last rows and counts the earlier ones", () => {
  const events: TraceEvent[] = [];
  for (let t = 0; t < 50; t++) events.push({ t, kind: "timer", node: "n1", name: "tick" });
  const text = renderDiagram(events, { maxRows: 5, last: true, legend: false });
  const rows = text.split("\n").slice(2, -1);
  assert.deepEqual(rows.map((r) => Number(r.match(/^\s*(\d+) │/)![1])), [45, 46, 47, 48, 49]);
  assert.equal(
    text.split("\n").at(-1),
    "… 45 earlier events not drawn, 0 to 44 ms (--from 0 draws from the start)",
  );
  // Fewer events than rows: all of them, no footer.
  assert.equal(renderDiagram(events, { last: true, legend: false }).split("\n").length, 52);
});

Deno.test("B11: the commands in the hints are the program's own", async () => {
  const help = (await cli(["--help"])).out.join("\n");
  const commands = [...help.matchAll(/^ {2}([a-z]+)\b/gm)].map((m) => m[1]);
  const listed = commands.filter((c) => c !== "help");
  assert.ok(listed.includes("txncheck") && listed.includes("studio"), listed.join(", "));
  const ran = await cli(["frob", "./x.ts"]);
  assert.equal(ran.code, EXIT.usage);
  const said = ran.err[0].match(/; the commands: (.*)$/)?.[1].split(", ");
  assert.deepEqual(said, listed);
  // A command the program does not have is not in its list.
  if (!listed.includes("check")) {
    const check = await cli(["check", "ping-pong"]);
    assert.doesNotMatch(check.err[0], /commands: .*\bcheck\b/);
  }
  // The studio still takes a scenario first: its flags are declared before parsing.
  const studio = await cli(["studio", "gossip", "--rumours", "x"]);
  assert.equal(studio.code, EXIT.usage);
  assert.match(studio.err[0], /--rumours: /);
});

Deno.test("B15: the explore report's counts agree: runs finished, and where the search stopped", async () => {
  const argv = ["explore", "lossy-counter", "--runs", "50", "--no-shrink"];
  const { ran, report: r } = await report<ExploreReport>(argv);
  assert.equal(r.firstFailure!.run, r.runs - 1, "in this thread, the failing run is the last one");
  const text = await cli(argv, exploring, { workers: false });
  assert.equal(text.code, EXIT.violation, all(ran));
  const out = text.out.join("\n");
  assert.match(out, new RegExp(`· ${r.runs} runs? finished in \\d+ ms`));
  assert.match(
    out,
    new RegExp(`stopped at this first failure, after ${r.runs} finished runs?$`, "m"),
  );
  // Parallel runs finish out of order: a merged report where the failing run passed the count.
  await inTempDir(async (dir) => {
    const ahead = { ...r, runs: 3, firstFailure: { ...r.firstFailure!, run: 7 } };
    Deno.writeTextFileSync(join(dir, "explore.json"), JSON.stringify(ahead));
    const merged = (await cli(["merge", join(dir, "explore.json")], exploring)).out.join("\n");
    assert.match(merged, /· 3 runs finished in/);
    assert.match(
      merged,
      /after 3 finished runs \(they go in parallel: a run's\s+number, from 0, may/,
    );
  });
});

Deno.test("B15: shrinking and replay count events the same way, and label the trace's count", async () => {
  await inTempDir(async (dir) => {
    const { file, report: r } = await shrunkResent(dir);
    const text = (await cli(["replay", file], buggy)).out.join("\n");
    const [, handled, traced] = text.match(/\((\d+) events handled, (\d+) in the trace\)/)!;
    assert.equal(Number(handled), r.shrunk!.eventsAfter);
    assert.equal(Number(traced), loadTrace(Deno.readTextFileSync(file)).events.length);
    const run = (await cli(["run", "resent", "--seed", "2"], fixed)).out.join("\n");
    assert.match(run, /^events {4}\d+ handled, \d+ in the trace$/m);
  });
});

Deno.test("B15: a missing ';' between faults gets a hint", async () => {
  assert.throws(
    () => parseFaultSpec("@10 crash backup @20 restart backup"),
    (e: unknown) =>
      e instanceof ConfigError &&
      /'crash' takes 1 argument\(s\), got 4 \(missing ';' between faults\?\)$/.test(e.message),
  );
  assert.throws(
    () => parseFaultSpec("@10 crash n1 n2"),
    (e: Error) => !/missing ';'/.test(e.message),
  );
  const ran = await cli(["run", "ping-pong", "--faults", "@10 heal @20 crash n1"]);
  assert.equal(ran.code, EXIT.usage);
  assert.match(ran.err[0], /^error: --faults: .*'heal' takes 0 argument\(s\), got 3 \(missing ';'/);
});

Deno.test("B15: a fault due after --until is a one-line warning that it never happens", async () => {
  const late = await cli(["run", "ping-pong", "--faults", "@5000 crash n2"]);
  assert.equal(late.code, EXIT.ok, all(late));
  assert.deepEqual(late.err, [
    "warning: --faults: @5000 crash n2 is after --until 1000 ms: it never happens",
  ]);
  const two = await cli([
    "run",
    "ping-pong",
    "--until",
    "20",
    "--faults",
    "@30 crash n1; @40 heal",
  ]);
  assert.deepEqual(two.err, [
    "warning: --faults: @30 crash n1; @40 heal are after --until 20 ms: they never happen",
  ]);
  assert.deepEqual((await cli(["run", "ping-pong", "--faults", "@1000 crash n1"])).err, []);
  const swept = await cli(
    ["sweep", "ping-pong", "--seeds", "1..2", "--faults", "@2000 crash n1", "--json"],
    undefined,
    { workers: false },
  );
  assert.equal(swept.code, EXIT.ok);
  assert.equal(swept.err.length, 1);
  assert.match(swept.err[0], /^warning: --faults: @2000 crash n1 is after --until 1000 ms/);
});

Deno.test("B15: a bad node id is named once", () => {
  const sim = new Simulation({ seed: 1 });
  assert.throws(
    () => sim.spawn("a|b", () => ({ onMessage() {} })),
    (e: unknown) =>
      e instanceof ConfigError &&
      e.message === `node id: "a|b" is not allowed: use 1-32 letters, digits, '-', '_' or '.'`,
  );
});

Deno.test("B15: help names the program as it was started", async () => {
  const name = "deno run -A ./cli.ts";
  const help = await cli(["run", "ping-pong", "--help"], undefined, { name });
  const text = help.out.join("\n");
  assert.match(text, /show help for a command \(deno run -A \.\/cli\.ts run ping-pong --help\)/);
  assert.doesNotMatch(text, /deno task sim/);
  const list = await cli(["list"], new ScenarioRegistry([resent("fixed")]), { name });
  assert.match(list.out.join("\n"), /run one: deno run -A \.\/cli\.ts run <scenario>/);
});

Deno.test("list ./module.ts lists a module's scenarios and flags", async () => {
  const module = "./tests/_explore_scenarios.ts";
  const ran = await cli(["list", module]);
  assert.equal(ran.code, EXIT.ok, all(ran));
  const text = ran.out.join("\n");
  const literal = (t: string) => t.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  for (const s of exploring.list()) {
    assert.match(text, new RegExp(`^${literal(s.name)} +${literal(s.summary)}`, "m"));
  }
  assert.match(text, /^ +flags: --ops 20$/m);
  assert.match(
    text,
    /run one: deno task sim run \.\/tests\/_explore_scenarios\.ts#name \[--seed N\]/,
  );
  // One scenario: its run line needs no name.
  const one = await cli(["list", "./protocols/ping_pong/scenario.ts"]);
  assert.match(
    one.out.join("\n"),
    /run one: .* run \.\/protocols\/ping_pong\/scenario\.ts \[--seed N\]/,
  );
  // Bad input: one line, exit 2.
  for (const bad of ["./no/such/module.ts", "./sim/errors.ts"]) {
    const r = await cli(["list", bad]);
    assert.equal(r.code, EXIT.usage, all(r));
    assert.equal(r.err.length, 1);
    assert.match(r.err[0], /^error: scenario: .*(cannot load|exports no scenario)/);
  }
});

Deno.test("run prints the sometimes conditions it reached, in one line, only when there are any", async () => {
  const reaching = defineScenario({
    name: "reaching",
    summary: "a node that notes a condition on each tick",
    defaults: { nodes: 1, until: 35 },
    setup(sim) {
      sim.spawn("n1", (): Actor<never> => ({
        onStart: (ctx) => ctx.setTimer("tick", 10),
        onMessage() {},
        onTimer(ctx) {
          ctx.sometimes("ticked", true);
          ctx.sometimes("late", ctx.now() > 25);
          ctx.sometimes("never", false);
          ctx.setTimer("tick", 10);
        },
      }));
    },
  });
  const registry = new ScenarioRegistry([reaching]);
  const text = (await cli(["run", "reaching"], registry)).out.join("\n");
  assert.match(text, /^sometimes late \(1 time\); ticked \(3 times\)$/m);
  const json = JSON.parse((await cli(["run", "reaching", "--json"], registry)).out[0]);
  assert.deepEqual(json.sometimes, { ticked: 3, late: 1 });
  const none = (await cli(["run", "ping-pong"])).out.join("\n");
  assert.doesNotMatch(none, /^sometimes/m);
});

Deno.test("B13: a trace of a moved project folder replays; --scenario names a module that moved alone", async () => {
  await inTempDir(async (dir) => {
    const mod = new URL("../mod.ts", import.meta.url).href;
    const before = join(dir, "before"), after = join(dir, "after");
    Deno.mkdirSync(join(before, "traces"), { recursive: true });
    Deno.writeTextFileSync(
      join(before, "ticks.ts"),
      [
        `import { defineScenario } from "${mod}";`,
        `export const ticks = defineScenario({`,
        `  name: "ticks", summary: "one node ticks", defaults: { nodes: 1, until: 100 },`,
        `  setup(sim) {`,
        `    sim.spawn("n1", () => ({ onStart: (c) => c.setTimer("t", 10), onMessage() {},`,
        `      onTimer: (c) => c.setTimer("t", 10) }));`,
        `  },`,
        `});`,
      ].join("\n"),
    );
    const trace = join(before, "traces", "t.json");
    const ran = await cli(["run", join(before, "ticks.ts"), "--seed", "4", "--out", trace]);
    assert.equal(ran.code, EXIT.ok, all(ran));
    const saved = loadTrace(Deno.readTextFileSync(trace));
    assert.equal(saved.relativeModule, "../ticks.ts");
    assert.equal(saved.spec.module, new URL(`file://${before}/ticks.ts`).href);
    // An older file, without the field, as the user had (of a module never loaded here).
    const old = join(before, "traces", "old.json");
    Deno.writeTextFileSync(
      old,
      Deno.readTextFileSync(trace).replace(/^ {2}"relativeModule".*\n/m, "")
        .replace("/before/ticks.ts", "/elsewhere/ticks.ts"),
    );
    assert.equal(loadTrace(Deno.readTextFileSync(old)).relativeModule, undefined);

    Deno.renameSync(before, after);
    const moved = await cli(["replay", join(after, "traces", "t.json")]);
    assert.equal(moved.code, EXIT.ok, all(moved));
    assert.match(moved.out[0], /^same: ticks seed 4 replays to trace/m);
    // Without the relative path: bad input, naming the way out.
    const lost = await cli(["replay", join(after, "traces", "old.json")]);
    assert.equal(lost.code, EXIT.usage);
    assert.equal(lost.err.length, 1);
    assert.match(lost.err[0], /^error: scenario: cannot load file:\/\/\S*\/elsewhere\/ticks\.ts: /);
    assert.match(
      lost.err[0],
      /\(moved\? name it with --scenario \.\/path\/to\/module\.ts#ticks\)$/,
    );
    const named = await cli([
      "replay",
      join(after, "traces", "old.json"),
      "--scenario",
      `${join(after, "ticks.ts")}#ticks`,
    ]);
    assert.equal(named.code, EXIT.ok, all(named));
    assert.match(named.out[0], /^same: ticks seed 4 replays to trace/m);
    // A scenario the command line knows, by name: the module's, under another name.
    const { ticks } = await import(pathToFileURL(join(after, "ticks.ts")).href) as {
      ticks: Scenario;
    };
    const known = new ScenarioRegistry([{ ...ticks, name: "mine" }]);
    const byName = await cli(
      ["replay", join(after, "traces", "old.json"), "--scenario", "mine"],
      known,
    );
    assert.equal(byName.code, EXIT.ok, all(byName));
  });
});

Deno.test("explore says when a scenario has no fault model, and when --faults keeps a strategy's own out", async () => {
  // ping-pong declares no fault model and no default faults: "no failure" must not read as
  // "survives crashes".
  const bare = await cli(["explore", "ping-pong", "--runs", "3"], undefined, { workers: false });
  assert.equal(bare.code, EXIT.ok, all(bare));
  const note = bare.err.join("\n");
  assert.match(note, /ping-pong declares no fault model \(explore: \{ faults: \[\.\.\.\] \}\)/);
  assert.match(note, /--faults random/);
  assert.ok(note.split("\n").every((line) => line.length <= 100), note);
  // raft declares one: no such note.
  const modelled = await cli(["explore", "raft", "--runs", "1"], undefined, { workers: false });
  assert.doesNotMatch(modelled.err.join("\n"), /declares no fault model/);
  // Given faults, swarm (as mixed and targeted) adds none of its own, and says so.
  const given = await cli(
    ["explore", "ping-pong", "--runs", "3", "--strategy", "swarm", "--faults", "@10 crash n2"],
    undefined,
    { workers: false },
  );
  assert.match(given.err.join("\n"), /--faults given: swarm adds no faults of its own/);
  assert.doesNotMatch(given.err.join("\n"), /declares no fault model/);
});
