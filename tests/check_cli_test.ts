/**
 * Issue 12, `sim check` on the command line: the verdicts and their exit
 * codes, the saved counterexample and its replay line, bad input as one
 * line, and a user's own scenario from a directory outside the repository.
 */

import assert from "node:assert/strict";
import { cli } from "./_cli.ts";
import { scenarios as checkScenarios } from "./_check_scenarios.ts";
import { fromFileUrl } from "./_paths.ts";

const ROOT = new URL("../", import.meta.url);

Deno.test("issue 12: sim check finds the stale read, saves it, and sim replay runs it again", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "dsim-check-" });
  try {
    const out = `${dir}/stale.json`;
    const r = await cli([
      "check",
      "quorum",
      "--r",
      "1",
      "--w",
      "1",
      "--clients",
      "2",
      "--ops",
      "1",
      "--seed",
      "12",
      "--out",
      out,
    ]);
    assert.equal(r.code, 1, r.err.join("\n"));
    const text = r.out.join("\n");
    assert.match(text, /^check quorum · seed 12 · 3 nodes · breadth-first · strict timing/);
    assert.match(text, /VIOLATION of linearizability: .*\(shortest counterexample: 11 steps\)/);
    assert.match(text, /c2 +│|│ +c2/, "the counterexample's diagram");
    const replay = text.match(/^replay +(deno task sim replay \S+ --diagram)$/m)?.[1];
    assert.equal(replay, `deno task sim replay ${out} --diagram`);
    const again = await cli(["replay", out, "--diagram"]);
    assert.equal(again.code, 0, again.err.join("\n"));
    assert.match(
      again.out.join("\n"),
      /same: quorum seed 12 replays to trace [0-9a-f]{16} .*it fails linearizability/,
    );
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("review: a counterexample whose faults were the run's own (no schedule) lists them on replay", async () => {
  // raft-figure8 scripts its crashes and partitions: its schedule is empty, its run is not.
  const dir = Deno.makeTempDirSync({ prefix: "dsim-check-" });
  try {
    const out = `${dir}/figure8.json`;
    const r = await cli([
      "check",
      "raft-figure8",
      "--unsafe-commit",
      "true",
      "--latency",
      "3",
      "--out",
      out,
    ]);
    assert.equal(r.code, 1, r.err.join("\n"));
    const again = await cli(["replay", out]);
    assert.match(
      again.out.join("\n"),
      /^faults: none scheduled; in the run: @85 partition n1,n2\|n3,n4,n5; @100 crash n1;/m,
    );
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("issue 12: sim check says when it saw every state (exit 0), and --json says it too", async () => {
  const text = await cli(["check", "ping-pong", "--rounds", "2"]);
  assert.equal(text.code, 0);
  assert.match(
    text.out.join("\n"),
    /no violation in \d+ states up to depth \d+: every reachable state was seen/,
  );
  const json = await cli(["check", "ping-pong", "--rounds", "2", "--json"]);
  assert.equal(json.code, 0);
  const report = JSON.parse(json.out[0]);
  assert.equal(report.exhausted, true);
  assert.equal(report.scenario, "ping-pong");
  assert.equal(report.spec.flags.rounds, 2);
  const dfs = await cli(["check", "ping-pong", "--rounds", "2", "--strategy", "dfs", "--json"]);
  assert.equal(dfs.code, 0);
  const deep = JSON.parse(dfs.out[0]);
  assert.equal(deep.strategy, "dfs");
  assert.equal(deep.exhausted, true);
});

Deno.test("issue 12: sim check refuses a space over its limits (exit 3) and bad input (exit 2, one line)", async () => {
  const big = await cli([
    "check",
    "abd",
    "--clients",
    "2",
    "--ops",
    "2",
    "--think-ms",
    "1",
    "--max-states",
    "200",
  ]);
  assert.equal(big.code, 3);
  assert.match(big.out.join("\n"), /stopped at --max-states 200 before seeing it all/);
  // A wall-clock budget far below what 64 steps take: stopped at its first look at the clock.
  const late = await cli(["check", "abd", "--clients", "2", "--ops", "2", "--budget-ms", "0.001"]);
  assert.equal(late.code, 3);
  assert.match(late.out.join("\n"), /the --budget-ms ran out before the search had seen every/);
  for (
    const [argv, pattern] of [
      [["check", "ping-pong", "--timing", "sometimes"], /--timing: must be strict or any/],
      [["check", "ping-pong", "--depth", "0"], /--depth: must be a whole number >= 1/],
      [["check", "ping-pong", "--strategy", "random"], /--strategy: must be bfs or dfs/],
      [["check", "ping-pong", "--budget-ms", "-5"], /--budget-ms: must be a number of ms > 0/],
      [["check", "ping-pong", "--crashes", "1"], /--crashes: ping-pong's fault model/],
      [["check", "abd", "--faults", "random"], /--faults: generated faults are for runs/],
      [["check", "raft-election", "--nodes", "15"], /--nodes: .* at most 12/],
    ] as const
  ) {
    const r = await cli([...argv]);
    assert.equal(r.code, 2, `${argv.join(" ")}: ${r.out.join("\n")}`);
    assert.equal(r.err.length, 1, r.err.join("\n"));
    assert.match(r.err[0], pattern);
  }
});

Deno.test("issue 12: sim check names the actors without inspect() and searches statelessly; --stateless and --no-symmetry ask for it", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "dsim-check-" });
  try {
    const hidden = await cli(
      ["check", "greeters", "--no-diagram", "--out", `${dir}/greeters.json`],
      checkScenarios,
    );
    assert.equal(hidden.code, 1);
    const text = hidden.out.join("\n");
    assert.match(text, /stateless: listener has no inspect\(\), so every path counts as its own/);
    assert.match(text, /VIOLATION of g1-first/);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
  const votes = async (...flags: string[]) => {
    const r = await cli(["check", "votes", "--json", ...flags], checkScenarios);
    assert.equal(r.code, 0, r.out.join("\n"));
    return JSON.parse(r.out[0]);
  };
  const reduced = await votes();
  const full = await votes("--no-symmetry");
  const paths = await votes("--stateless");
  assert.deepEqual([reduced.symmetry, full.symmetry, paths.stateless], [true, false, true]);
  assert.ok(reduced.states < full.states && full.states < paths.states);
  assert.match(
    (await cli(["check", "votes", "--stateless"], checkScenarios)).out.join("\n"),
    /paths tried \(stateless\)/,
  );
});

Deno.test("issue 12: sim check --timing strict and any differ on the timeout race", async () => {
  const strict = await cli(["check", "timeout-race"], checkScenarios);
  assert.equal(strict.code, 0);
  const dir = Deno.makeTempDirSync({ prefix: "dsim-check-" });
  try {
    const any = await cli(
      ["check", "timeout-race", "--timing", "any", "--out", `${dir}/race.json`, "--json"],
      checkScenarios,
    );
    assert.equal(any.code, 1);
    const report = JSON.parse(any.out[0]);
    assert.equal(report.violation.check, "never-gives-up");
    assert.equal(report.counterexample.file, `${dir}/race.json`);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("review: sim check --crashes on a correct protocol with an end-of-run check says no violation, at any depth", async () => {
  const shallow = await cli(
    ["check", "primary-backup", "--crashes", "1", "--depth", "40"],
    checkScenarios,
  );
  assert.equal(shallow.code, 0, shallow.err.join("\n"));
  assert.match(shallow.out.join("\n"), /no violation .*not every reachable one .*raise --depth/);
  const deep = await cli(
    ["check", "primary-backup", "--crashes", "1", "--depth", "1000"],
    checkScenarios,
  );
  assert.equal(deep.code, 0, deep.err.join("\n"));
  assert.match(deep.out.join("\n"), /no violation .*: every reachable state was seen/);
});

Deno.test("issue 12: a user's own scenario, from a directory outside the repository", () => {
  const dir = Deno.makeTempDirSync({ prefix: "dsim-check-own-" });
  const root = fromFileUrl(ROOT);
  assert.ok(!dir.startsWith(root), "outside the repository");
  try {
    Deno.writeTextFileSync(
      `${dir}/race.ts`,
      [
        `import { defineScenario } from "${ROOT.href}mod.ts";`,
        `// A reply over a 1..10 ms link against a 20 ms timeout.`,
        `export const race = defineScenario({`,
        `  name: "race",`,
        `  summary: "a timeout against a reply",`,
        `  defaults: { nodes: 2, until: 500 },`,
        `  setup(sim) {`,
        `    let late = false;`,
        `    sim.spawn("c", () => ({`,
        `      onStart(ctx) { ctx.send("s", { type: "ask" }); ctx.setTimer("give-up", 20); },`,
        `      onMessage(ctx) { ctx.cancelTimer("give-up"); },`,
        `      onTimer() { late = true; },`,
        `      inspect: () => ({}),`,
        `    }));`,
        `    sim.spawn("s", () => ({`,
        `      onMessage(ctx, _msg, from) { ctx.send(from, { type: "answer" }); },`,
        `      inspect: () => ({}),`,
        `    }));`,
        `    sim.invariant("in-time", () => !late || "gave up");`,
        `    return { inspect: () => late };`,
        `  },`,
        `});`,
        ``,
      ].join("\n"),
    );
    Deno.writeTextFileSync(`${dir}/deno.json`, "{}\n");
    const main = `${root}main.ts`;
    const run = (args: string[]) => {
      const out = new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", ...args],
        cwd: dir,
        env: { NO_COLOR: "1" },
        stdout: "piped",
        stderr: "piped",
      }).outputSync();
      const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
      return { code: out.code, text };
    };
    const strict = run([main, "check", "./race.ts#race"]);
    assert.equal(strict.code, 0, strict.text);
    assert.match(strict.text, /every reachable state was seen/);
    // A module with one scenario needs no #name.
    const bare = run([main, "check", "./race.ts", "--json"]);
    assert.equal(bare.code, 0, bare.text);
    assert.equal(JSON.parse(bare.text).scenario, "race");
    const any = run([main, "check", "./race.ts#race", "--timing", "any"]);
    assert.equal(any.code, 1, any.text);
    assert.match(any.text, /VIOLATION of in-time: gave up \(shortest counterexample: 2 steps\)/);
    const replay = any.text.match(/^replay +(deno run -A \S+ replay \S+ --diagram)$/m)?.[1];
    assert.ok(replay, any.text);
    const saved = [...Deno.readDirSync(dir)].map((e) => e.name).filter((n) =>
      n.endsWith(".check.json")
    );
    assert.equal(saved.length, 1, saved.join(", "));
    assert.match(saved[0], /^race-seed1-[0-9a-f]{8}\.check\.json$/);
    assert.ok(replay.includes(saved[0]), replay);
    const again = run(replay.split(" ").slice(2));
    assert.equal(again.code, 0, again.text);
    assert.match(again.text, /same: race seed 1 replays to trace [0-9a-f]{16} .*it fails in-time/);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("README: the 'Checking versus exploring' table's quick lines give the results it states", async () => {
  const readme = Deno.readTextFileSync(new URL("README.md", ROOT));
  const section = readme.slice(
    readme.indexOf("## Checking versus exploring"),
    readme.indexOf("## From simulation to processes"),
  );
  const rows = [
    ...section.matchAll(/^\| `check ([^`]+)`[^|]*\| +([\d,]+) \| ([^|]+?) +\| ([\d.]+) s +\|$/gm),
  ];
  assert.ok(rows.length >= 10, `${rows.length} rows`);
  const dir = Deno.makeTempDirSync({ prefix: "dsim-check-readme-" });
  try {
    let ran = 0;
    for (const [, command, states, result, seconds] of rows) {
      if (Number(seconds) > 2) continue; // the slow lines are measured, not re-run in CI
      const r = await cli(["check", ...command.split(" "), "--json", "--out", `${dir}/cx.json`]);
      const report = JSON.parse(r.out[0]);
      assert.equal(report.states, Number(states.replaceAll(",", "")), command);
      const shortest = result.match(/shortest: (\d+) steps/);
      if (shortest) {
        assert.equal(r.code, 1, command);
        assert.equal(report.violation.steps, Number(shortest[1]), command);
      } else {
        assert.equal(r.code, 0, command);
        assert.equal(report.exhausted, result.startsWith("exhausted"), command);
      }
      ran++;
    }
    assert.ok(ran >= 7, `${ran} lines ran`);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
