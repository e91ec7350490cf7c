import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { demo } from "../examples/demo.ts";
import { scenarios } from "../protocols/registry.ts";
import { EXIT } from "../sim/cli.ts";
import { cli, type Ran } from "./_cli.ts";
import { defineScenario, flag, nodeIds, type Scenario, ScenarioRegistry } from "../sim/scenario.ts";
import { loadTrace } from "../sim/trace_file.ts";

/** The `--json` object, asserting it came as exactly one line. */
function json(ran: Ran): Record<string, unknown> {
  assert.equal(ran.err.join(""), "", "nothing on stderr");
  assert.equal(ran.out.length, 1, "one write");
  assert.ok(!ran.out[0].includes("\n"), "one line");
  return JSON.parse(ran.out[0]);
}

function text(ran: Ran): string {
  return ran.out.join("\n");
}

/** A scenario whose invariant fails once a counter passes a limit, with flags of every type. */
const counting = defineScenario({
  name: "counting",
  summary: "n1 counts ticks; an invariant says it never passes --limit",
  defaults: { nodes: 2, until: 100 },
  flags: {
    limit: flag.int("highest allowed count", 1000, { min: 0 }),
    loud: flag.bool("log each tick", false),
    mode: flag.choice("how to count", ["up", "twice"] as const, "up"),
  },
  setup(sim, params) {
    const step = params.flags.mode === "twice" ? 2 : 1;
    for (const id of nodeIds(params.nodes)) {
      sim.spawn(id, () => ({
        onStart(ctx) {
          ctx.setTimer("tick", 10);
        },
        onMessage() {},
        onTimer(ctx) {
          const count = (ctx.storage.get<number>("count") ?? 0) + step;
          ctx.storage.set("count", count);
          if (params.flags.loud) ctx.log(`tick ${count}`);
          ctx.setTimer("tick", 10);
        },
      }));
    }
    sim.invariant("under-limit", (s) => {
      const count = s.storage("n1").get<number>("count") ?? 0;
      return count <= (params.flags.limit) ||
        { message: `count ${count} passed ${params.flags.limit}`, node: "n1" };
    });
    return {
      summary: (s) => [`n1 counted ${s.storage("n1").get<number>("count") ?? 0}`],
    };
  },
});

/** A scenario with a bug: its setup throws something that is not a ConfigError. */
const broken: Scenario = {
  name: "broken",
  summary: "setup throws",
  defaults: { nodes: 1, until: 10 },
  setup() {
    throw new TypeError("cannot read properties of undefined");
  },
};

/** A bug in the framework's own code, as the command line meets it: a non-ConfigError. */
const buggy: Scenario = {
  name: "buggy",
  summary: "its defaults blow up when read",
  defaults: Object.defineProperty({ nodes: 1 }, "until", {
    get() {
      throw new TypeError("cannot read properties of undefined");
    },
  }) as Scenario["defaults"],
  setup: () => ({}),
};

const local = new ScenarioRegistry().register(counting).register(broken);
const withBug = new ScenarioRegistry([buggy]);

/** How the command line names this file's scenarios: by module, from the repository's folder. */
const HERE = "deno run -A ./main.ts run ./tests/cli_test.ts";

Deno.test("list prints each scenario with its summary and its flags, within 100 columns", async () => {
  const ran = await cli(["list"]);
  assert.equal(ran.code, EXIT.ok);
  const lines = text(ran).split("\n");
  for (const line of lines) assert.ok(columns(line) <= 100, `too wide: ${line}`);
  for (const s of scenarios.list()) {
    const at = lines.findIndex((l) => l.startsWith(`${s.name} `) || l === s.name);
    assert.ok(at >= 0, `a line for ${s.name}`);
    // The summary, wrapped onto indented lines under the name.
    let end = at + 1;
    while (end < lines.length && /^ +\S/.test(lines[end]) && !/^ +flags: /.test(lines[end])) end++;
    const said = lines.slice(at, end).join(" ").replace(/\s+/g, " ");
    assert.ok(said.endsWith(s.summary.replace(/\s+/g, " ")), said);
    const flagText = /^ +flags: /.test(lines[end] ?? "")
      ? lines.slice(end, end + 4).join(" ").replace(/\s+/g, " ")
      : "";
    for (const [name, f] of Object.entries(s.flags ?? {})) {
      assert.ok(flagText.includes(`--${name} ${f.default}`), `${s.name}: --${name} in ${flagText}`);
    }
  }
});

Deno.test("run --json prints one line with every field, typed", async () => {
  const r = json(await cli(["run", "ping-pong", "--seed", "3", "--json"]));
  assert.equal(r.scenario, "ping-pong");
  assert.equal(r.seed, 3);
  assert.equal(r.ok, true);
  assert.ok(["quiet", "until"].includes(r.stop as string), `stop ${r.stop}`);
  for (const key of ["events", "messages", "virtualMs", "wallMs"]) {
    assert.equal(typeof r[key], "number", key);
    assert.ok((r[key] as number) >= 0, key);
  }
  assert.ok((r.events as number) > 0 && (r.messages as number) > 0);
  assert.match(r.traceHash as string, /^[0-9a-f]{16}$/);
  assert.equal(r.faults, "");
  assert.deepEqual(r.violations, []);
  assert.equal(r.replay, "deno task sim run ping-pong --seed 3");
});

Deno.test("run: the same seed gives the same trace hash, different seeds differ", async () => {
  const hash = async (seed: number, ...more: string[]) =>
    json(await cli(["run", "gossip", "--seed", `${seed}`, "--loss", "0.1", "--json", ...more]))
      .traceHash;
  assert.equal(await hash(3), await hash(3));
  assert.notEqual(await hash(3), await hash(4));
  // A diagram or a saved trace needs full tracing; the hash must not notice.
  const withDiagram = await cli(["run", "gossip", "--seed", "3", "--loss", "0.1", "--diagram"]);
  assert.equal(withDiagram.code, EXIT.ok);
  assert.ok(text(withDiagram).includes(`trace     ${await hash(3)}`), text(withDiagram));
});

Deno.test("run: network flags change the run and appear in the replay command", async () => {
  const base = json(await cli(["run", "gossip", "--seed", "5", "--json"]));
  const lossy = json(await cli(["run", "gossip", "--seed", "5", "--loss", "0.3", "--json"]));
  assert.ok((lossy.dropped as number) > 0 && base.dropped === 0);
  assert.match(lossy.replay as string, / --loss 0\.3/);
  const dup = json(await cli(["run", "gossip", "--seed", "5", "--dup", "0.3", "--json"]));
  assert.ok((dup.duplicated as number) > 0);
  const slow = json(await cli(["run", "ping-pong", "--seed", "5", "--latency", "40", "--json"]));
  const fast = json(await cli(["run", "ping-pong", "--seed", "5", "--latency", "1", "--json"]));
  assert.ok((slow.lastEventMs as number) > (fast.lastEventMs as number));
  assert.match(slow.replay as string, / --latency 40/);
  const fifo = json(
    await cli(["run", "gossip", "--seed", "5", "--fifo", "--nodes", "4", "--json"]),
  );
  assert.match(fifo.replay as string, / --nodes 4 --fifo/);
  const short = json(await cli(["run", "gossip", "--seed", "5", "--until", "300", "--json"]));
  assert.ok((short.virtualMs as number) <= 300);
  // The replay command, run again, reproduces the run exactly.
  const replay = (lossy.replay as string).replace("deno task sim ", "").split(" ");
  assert.equal(json(await cli([...replay, "--json"])).traceHash, lossy.traceHash);
});

Deno.test("run: scenario flags reach the scenario", async (t) => {
  await t.step("ping-pong --rounds", async () => {
    const ran = await cli(["run", "ping-pong", "--rounds", "3", "--retry", "20"]);
    assert.equal(ran.code, 0);
    assert.ok(text(ran).includes("rounds answered: 3 of 3"), text(ran));
    assert.ok(text(ran).includes("--rounds 3 --retry 20"));
  });
  await t.step("gossip --rumours --fanout --hot-rounds", async () => {
    const r = json(
      await cli([
        "run",
        "gossip",
        "--rumours",
        "5",
        "--fanout",
        "3",
        "--hot-rounds",
        "2",
        "--json",
      ]),
    );
    assert.ok((r.summary as string[]).some((l) => l.includes("all 5 rumours")), `${r.summary}`);
    assert.match(r.replay as string, /--rumours 5 --fanout 3 --hot-rounds 2/);
  });
  await t.step("boolean and choice flags, before or after the scenario name", async () => {
    const count = async (...argv: string[]) =>
      (json(await cli(["run", ...argv, "--json"], local)).summary as string[])[0];
    // A tick every 10 ms for 100 ms.
    assert.equal(await count("counting"), "n1 counted 10");
    assert.equal(await count("--mode", "twice", "counting"), "n1 counted 20");
    assert.equal(await count("counting", "--mode=twice"), "n1 counted 20");
    const loud = json(await cli(["run", "counting", "--loud", "--json"], local));
    const quiet = json(await cli(["run", "counting", "--loud", "false", "--json"], local));
    const off = json(await cli(["run", "counting", "--no-loud", "--json"], local));
    assert.notEqual(loud.traceHash, quiet.traceHash, "--loud logs, so the trace differs");
    assert.equal(quiet.traceHash, off.traceHash);
    assert.match(loud.replay as string, /--loud true/);
  });
  await t.step("run <scenario> --help lists the scenario's own flags", async () => {
    const ran = await cli(["run", "gossip", "--help"]);
    assert.equal(ran.code, 0);
    for (const f of ["--rumours", "--fanout", "--hot-rounds", "--seed", "--faults"]) {
      assert.ok(text(ran).includes(f), f);
    }
  });
});

Deno.test("run --diagram draws one column per node", async () => {
  const ran = await cli(["run", "gossip", "--nodes", "4", "--until", "200", "--diagram"]);
  assert.equal(ran.code, 0);
  const out = text(ran);
  // The column header names every node, in order, on one line.
  const header = out.split("\n").find((l) => /\bn1\b.*\bn2\b.*\bn3\b.*\bn4\b/.test(l));
  assert.ok(header, out);
  assert.ok(!/\bn5\b/.test(out), "only the nodes that ran");
  const plain = text(await cli(["run", "gossip", "--nodes", "4", "--until", "200"]));
  assert.ok(out.split("\n").length > plain.split("\n").length + 4, "the diagram adds lines");
});

Deno.test("run --faults takes the text schedule and random rates", async (t) => {
  await t.step("text schedule", async () => {
    const spec = "@100 crash n1; @300 restart n1; @150 partition n2|n3,n4; @400 heal";
    const r = json(await cli(["run", "gossip", "--nodes", "4", "--faults", spec, "--json"]));
    assert.equal(r.ok, true);
    assert.equal(r.faults, spec);
    assert.ok((r.replay as string).endsWith(`--faults '${spec}'`));
    const clean = json(await cli(["run", "gossip", "--nodes", "4", "--json"]));
    assert.notEqual(r.traceHash, clean.traceHash);
  });
  await t.step("random, with and without rates", async () => {
    const a = json(await cli(["run", "gossip", "--seed", "8", "--faults", "random", "--json"]));
    const b = json(await cli(["run", "gossip", "--seed", "8", "--faults", "random", "--json"]));
    assert.match(a.faults as string, /^@\d+ /);
    assert.equal(a.faults, b.faults, "generated from the seed");
    assert.equal(a.traceHash, b.traceHash);
    const crashes = json(
      await cli([
        "run",
        "gossip",
        "--seed",
        "8",
        "--faults",
        "random:crash=5,partition=0,pause=0",
        "--json",
      ]),
    );
    assert.match(crashes.faults as string, /crash/);
    assert.doesNotMatch(crashes.faults as string, /partition|pause/);
    // The replay carries the generated schedule as text, so it replays without the rates.
    assert.match(crashes.replay as string, /--faults '@\d+ crash/);
  });
  await t.step("the text form shows up in the report", async () => {
    const out = text(await cli(["run", "ping-pong", "--faults", "@10 crash n2; @60 restart n2"]));
    assert.ok(out.includes("faults: @10 crash n2; @60 restart n2"), out);
  });
});

Deno.test("bad input: one line on stderr naming the flag, exit 2, no stack trace", async (t) => {
  const cases: Array<[string[], RegExp]> = [
    [["run", "ping-pong", "--bogus"], /unknown option '--bogus'/],
    [["run", "ping-pong", "--seed"], /--seed.*missing/],
    [
      ["run", "ping-pong", "--seed", "abc"],
      /--seed: must be a whole number from 0 to 9007199254740991/,
    ],
    [["run", "ping-pong", "--seed", "-1"], /--seed: .*got "-1"/],
    [["run", "ping-pong", "--seed", "1.5"], /--seed: /],
    [["run", "ping-pong", "--seed", "9007199254740992"], /--seed: .*9007199254740991/],
    [["run", "ping-pong", "--nodes", "0"], /--nodes: must be 2 for ping-pong, got "0"/],
    [["run", "gossip", "--nodes", "0"], /--nodes: must be a whole number from 2 to 1000/],
    [["run", "gossip", "--nodes", "many"], /--nodes: /],
    [["run", "gossip", "--until", "0"], /--until: must be a number of ms > 0/],
    [["run", "gossip", "--until", "soon"], /--until: /],
    [["run", "gossip", "--loss", "1.5"], /--loss: must be a probability in \[0, 1\], got 1\.5/],
    [["run", "gossip", "--loss", "-0.1"], /--loss: must be a probability/],
    [["run", "gossip", "--loss", "half"], /--loss: must be a probability.*"half"/],
    [["run", "gossip", "--dup", "2"], /--dup: must be a probability/],
    [["run", "gossip", "--latency", "5..1"], /--latency: max \(1\) must be >= min \(5\)/],
    [
      ["run", "gossip", "--latency", "abc"],
      /--latency: cannot read "abc"; allowed: MS, MIN\.\.MAX/,
    ],
    [["run", "gossip", "--latency", "-3"], /--latency: /],
    [["run", "gossip", "--faults", "@x crash n1"], /--faults: entry 1 .*cannot read it/],
    [["run", "gossip", "--faults", "@100 explode n1"], /--faults: .*unknown action 'explode'/],
    [["run", "gossip", "--faults", "@-5 crash n1"], /--faults: /],
    [["run", "gossip", "--faults", "random:crash=x"], /--faults: cannot read rate "crash=x"/],
    [["run", "gossip", "--faults", "random:storms=1"], /--faults: unknown rate "storms"/],
    [
      ["run", "gossip", "--faults", "@100 crash n99"],
      /--faults: .*unknown node id "n99"; known: n1/,
    ],
    [["run", "ping-pong", "--faults", "@1 partition n1|n7"], /--faults: .*"n7"/],
    [["run", "nope"], /unknown scenario "nope"; known: ping-pong, gossip/],
    [["run"], /missing required argument 'scenario'/],
    [["run", "gossip", "extra"], /too many arguments/],
    [["frob"], /unknown command 'frob'/],
    [["run", "gossip", "--rumours", "0"], /--rumours: must be a whole number in 1\.\.1000/],
    [["run", "gossip", "--fanout", "abc"], /--fanout: /],
    [["run", "ping-pong", "--fanout", "3"], /unknown option '--fanout'/],
    [["run", "counting", "--mode", "down"], /--mode: must be one of up, twice, got "down"/],
    [["run", "counting", "--loud", "maybe"], /--loud: must be true or false/],
  ];
  for (const [argv, expected] of cases) {
    await t.step(argv.join(" ") || "(nothing)", async () => {
      const registry = argv.includes("counting") ? local : scenarios;
      const ran = await cli(argv, registry);
      assert.equal(ran.code, EXIT.usage, `exit code; stderr: ${ran.err}`);
      assert.deepEqual(ran.out, [], "nothing on stdout");
      assert.equal(ran.err.length, 1, "one write");
      const line = ran.err[0];
      assert.ok(!line.includes("\n"), `one line: ${line}`);
      assert.ok(line.startsWith("error: "), line);
      assert.ok(!line.includes("    at "), `no stack trace: ${line}`);
      assert.match(line, expected);
    });
  }
});

Deno.test("no command prints the usage on stderr and exits 2; --help exits 0", async () => {
  const none = await cli([]);
  assert.equal(none.code, EXIT.usage);
  assert.match(none.err.join("\n"), /Usage: deno task sim/);
  const help = await cli(["--help"], scenarios, { demo: () => "the tour" });
  assert.equal(help.code, EXIT.ok);
  assert.match(help.out.join("\n"), /list.*\n.*run.*\n.*demo/s);
});

Deno.test("a violation exits 1 and reports the check, the seed and the replay", async () => {
  const failing = ["run", "counting", "--limit", "4", "--seed", "9"];
  const r = json(await cli([...failing, "--json"], local));
  assert.equal(r.ok, false);
  assert.equal(r.stop, "violation");
  const violations = r.violations as Array<Record<string, unknown>>;
  assert.equal(violations.length, 1);
  assert.deepEqual(violations[0], {
    check: "under-limit",
    message: "count 5 passed 4",
    atMs: 50,
    node: "n1",
  });
  assert.equal(r.replay, `${HERE}#counting --seed 9 --limit 4`);
  assert.equal((await cli([...failing, "--json"], local)).code, EXIT.violation);
  const ran = await cli(failing, local);
  assert.equal(ran.code, EXIT.violation);
  const out = text(ran);
  assert.match(out, /FAILED: 1 violation/);
  assert.match(out, /violation of under-limit: count 5 passed 4/);
  assert.match(out, /seed 9, node n1, virtual time 50 ms/);
  assert.ok(out.includes(`replay    ${HERE}#counting --seed 9 --limit 4`), out);
  // And the same scenario within its limit is fine.
  assert.equal((await cli(["run", "counting", "--limit", "100"], local)).code, EXIT.ok);
});

Deno.test("a scenario whose setup throws is a failed run, not a crash", async () => {
  const ran = await cli(["run", "broken", "--json"], local);
  assert.equal(ran.code, EXIT.violation);
  const r = JSON.parse(ran.out[0]);
  assert.equal(r.violations[0].check, "scenario-setup");
  assert.match(r.violations[0].message, /setup of broken threw TypeError: cannot read/);
});

Deno.test("an unexpected error is a bug: one line, exit 70", async () => {
  const ran = await cli(["run", "buggy"], withBug);
  assert.equal(ran.code, EXIT.internal);
  assert.equal(ran.err.length, 1);
  assert.match(ran.err[0], /TypeError: cannot read properties of undefined/);
  assert.ok(ran.err[0].endsWith("(internal error; please report)"));
  assert.ok(!ran.err[0].includes("    at "));
});

Deno.test("run --out saves the trace as JSON", async () => {
  const dir = Deno.makeTempDirSync();
  try {
    const file = `${dir}/run.json`;
    const r = json(await cli(["run", "ping-pong", "--seed", "4", "--out", file, "--json"]));
    // loadTrace checks that the events hash to the hash the run reported.
    const saved = loadTrace(Deno.readTextFileSync(file));
    assert.equal(saved.traceHash, r.traceHash);
    assert.equal(saved.spec.scenario, "ping-pong");
    assert.equal(saved.spec.seed, 4);
    assert.ok(saved.events.some((e) => e.kind === "deliver"), "and the events");
    const bad = await cli(["run", "ping-pong", "--out", `${dir}/missing/dir/run.json`]);
    assert.equal(bad.code, EXIT.usage);
    assert.match(bad.err[0], /^error: --out: cannot write /);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

/** Visible width of a line: ANSI colour codes take no columns. */
function columns(line: string): number {
  // deno-lint-ignore no-control-regex
  return [...line.replace(/\x1b\[[0-9;]*m/g, "")].length;
}

Deno.test("demo: a faulty run, explained, that fits 100 columns", async () => {
  const plain = demo();
  // Nothing measured in wall time is printed: two demos are the same, byte for byte.
  assert.equal(plain, demo(), "deterministic");
  for (const line of plain.split("\n")) assert.ok(columns(line) <= 100, `too wide: ${line}`);
  assert.match(plain, /crash/);
  assert.match(plain, /trace hash [0-9a-f]{16}/);
  assert.match(joinLines(plain), /deno task sim run gossip --seed \d+ .*--faults '@\d+ crash/);
  assert.ok(!plain.includes("\x1b["), "no colour unless asked");
  const colored = demo({ color: true });
  assert.ok(colored.includes("\x1b["));
  for (const line of colored.split("\n")) assert.ok(columns(line) <= 100, `too wide: ${line}`);
  // `demo` on the command line prints what it is given.
  const ran = await cli(["demo"], scenarios, { demo: () => "the tour" });
  assert.deepEqual(ran, { code: 0, out: ["the tour"], err: [] });
  // A project's own command line (runCli without a demo) does not offer one.
  const none = await cli(["--help"], scenarios);
  assert.doesNotMatch(none.out.join("\n"), /^ +demo\b/m);
  assert.match((await cli(["demo"], scenarios)).err.join("\n"), /unknown command 'demo'/);
});

/** The demo's replay command is broken over lines with shell `\` continuations. */
function joinLines(s: string): string {
  return s.replace(/ \\\n\s+/g, " ");
}

Deno.test("the demo's replay command reproduces its run", async () => {
  const shown = demo();
  const replay = joinLines(shown).match(/deno task sim run (gossip .*)$/m)?.[1];
  assert.ok(replay, shown);
  const hash = shown.match(/trace hash ([0-9a-f]{16})/)?.[1];
  // Split the command line by hand: the fault schedule is one quoted argument.
  const [before, faults] = replay.split(" --faults ");
  const argv = ["run", ...before.split(" "), "--faults", faults.replace(/^'|'$/g, ""), "--json"];
  assert.equal(json(await cli(argv)).traceHash, hash);
});

const root = fileURLToPath(new URL("..", import.meta.url));

async function deno(...args: string[]) {
  const out = await new Deno.Command(Deno.execPath(), { args, cwd: root, stdin: "null" }).output();
  const decode = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stdout: decode(out.stdout), stderr: decode(out.stderr) };
}

Deno.test("end to end: main.ts in its own process, with the tasks' permissions", async () => {
  const perms = ["--allow-env", "--allow-read", "--allow-write"];
  const ok = await deno("run", ...perms, "main.ts", "run", "ping-pong", "--seed", "3", "--json");
  assert.equal(ok.code, 0, ok.stderr);
  const lines = ok.stdout.trimEnd().split("\n");
  assert.equal(lines.length, 1);
  // Same seed, another process: the same hash as in this one.
  assert.equal(
    JSON.parse(lines[0]).traceHash,
    json(await cli(["run", "ping-pong", "--seed", "3", "--json"])).traceHash,
  );
  const bad = await deno("run", ...perms, "main.ts", "run", "ping-pong", "--loss", "1.5");
  assert.equal(bad.code, 2);
  assert.equal(bad.stdout, "");
  assert.equal(bad.stderr, "error: --loss: must be a probability in [0, 1], got 1.5\n");
  const failed = await deno(
    "run",
    ...perms,
    "main.ts",
    "run",
    "ping-pong",
    "--rounds",
    "50",
    "--until",
    "100",
    "--json",
  );
  assert.equal(failed.code, 1, failed.stderr);
  // `deno task demo` grants only --allow-env: the demo must need nothing more.
  const tour = await deno("task", "demo");
  assert.equal(tour.code, 0, tour.stderr);
  assert.match(tour.stdout, /trace hash [0-9a-f]{16}/);
  assert.match(tour.stdout, /deno task sim run gossip/);
});

Deno.test("run --diagram --from/--to/--max-rows draw the window the footer points to", async () => {
  const whole = (await cli(["run", "gossip", "--seed", "3", "--diagram"])).out.join("\n");
  assert.match(whole, /more events from [0-9.]+ ms \(use --from\/--to\)/);
  const windowed = await cli([
    "run",
    "gossip",
    "--seed",
    "3",
    "--diagram",
    "--from",
    "500",
    "--to",
    "600",
    "--max-rows",
    "1000",
  ]);
  assert.equal(windowed.code, 0);
  const times = windowed.out.join("\n").split("\n")
    .map((line) => line.match(/^\s*([0-9]+\.[0-9]{3}) │/)?.[1])
    .filter((t): t is string => t !== undefined).map(Number);
  assert.ok(times.length > 0, "rows in the window");
  assert.ok(times.every((t) => t >= 500 && t <= 600), `times outside 500..600: ${times}`);
  for (const bad of [["--from", "-1"], ["--to", "x"], ["--max-rows", "0"]]) {
    const r = await cli(["run", "gossip", "--diagram", ...bad]);
    assert.equal(r.code, 2);
    assert.match(r.err.join(""), new RegExp(`^error: ${bad[0]}: `));
  }
});
