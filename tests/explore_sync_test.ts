/**
 * The `sync` strategy and the simulator's `random` hook under it: every
 * node's first k `ctx.random()` values are the same, the values a hook
 * chose are recorded and replay without it, and on a protocol whose bug
 * needs two nodes to time out together, sync finds at once what the other
 * strategies miss in a hundred runs; the finding replays from its line and
 * from its saved file.
 */

import assert from "node:assert/strict";
import type { Actor, Context } from "../actors/mod.ts";
import { ChoiceLog } from "../sim/choices.ts";
import { Simulation } from "../sim/simulation.ts";
import { explore } from "../sim/explore/explore.ts";
import { sharedDraws, syncStrategy } from "../sim/explore/sync.ts";
import { mixedStrategy } from "../sim/explore/strategies.ts";
import { claims, elect, scenarios } from "./_explore_scenarios.ts";
import { cli } from "./_cli.ts";

/** Draws `calls` values of `ctx.random()` at start, and keeps them. */
class Drawer implements Actor<never> {
  values: number[] = [];
  constructor(readonly calls: number) {}
  onStart(ctx: Context<never>): void {
    for (let i = 0; i < this.calls; i++) this.values.push(ctx.random());
  }
  onMessage(): void {}
}

/** Each node's values from a run of three Drawers. */
function draws(
  seed: number,
  options: {
    hooks?: ReturnType<typeof sharedDraws>;
    choices?: ConstructorParameters<typeof Simulation>[0]["choices"];
  } = {},
): number[][] {
  const sim = new Simulation({ seed, ...(options.choices ? { choices: options.choices } : {}) });
  if (options.hooks !== undefined) sim.hooks = options.hooks.hooks;
  for (const id of ["n1", "n2", "n3"]) sim.spawn(id, () => new Drawer(4));
  const r = sim.run();
  assert.equal(r.ok, true, sim.failureReport());
  return ["n1", "n2", "n3"].map((id) => sim.actor<Drawer>(id)!.values);
}

Deno.test("sync: every node's first k random() values are the same, then each draws its own", () => {
  const plain = draws(9);
  const synced = draws(9, { hooks: sharedDraws(9, 2) });
  for (const node of synced) {
    assert.deepEqual(node.slice(0, 2), synced[0].slice(0, 2));
  }
  // From the third call on, each node's values are the seed's, as without the strategy.
  assert.deepEqual(synced.map((v) => v.slice(2)), plain.map((v) => v.slice(2)));
  assert.notDeepEqual(plain[0].slice(0, 2), plain[1].slice(0, 2));
  // Another seed shares other values.
  assert.notDeepEqual(draws(10, { hooks: sharedDraws(10, 2) })[0][0], synced[0][0]);
});

Deno.test("random hook: the values it chose are recorded, and a replay without it gets them back", () => {
  const log = new ChoiceLog();
  const hooked = draws(4, { hooks: sharedDraws(4, 3), choices: { log, mode: "record" } });
  const replayed = draws(4, { choices: { log, mode: "replay" } });
  assert.deepEqual(replayed, hooked);
  assert.notDeepEqual(draws(4), hooked);
});

Deno.test("random hook: a value outside [0, 1) stops the run and names the hook", () => {
  const sim = new Simulation({ seed: 1 });
  sim.hooks = { random: () => 1 };
  sim.spawn("n1", () => new Drawer(1));
  const r = sim.run();
  assert.equal(r.ok, false);
  assert.match(
    r.violations[0].message,
    /hooks\.random: must return a number in \[0, 1\) \(for n1\), got 1/,
  );
});

Deno.test("sync: a collision the other strategies miss in 100 runs is found at once, and in mixed's first sync turn", async () => {
  for (const strategy of ["random", "swarm", "pct:3", "targeted"]) {
    const r = await explore(claims, {}, { runs: 100, workers: 0, strategy });
    assert.equal(r.found, false, `${strategy} found it`);
  }
  const sync = await explore(claims, {}, { runs: 100, workers: 0, strategy: "sync" });
  assert.equal(sync.found, true);
  assert.equal(sync.failure?.run, 0);
  assert.match(sync.failure?.strategy ?? "", /^sync:[123]$/);
  const mixed = await explore(claims, {}, { runs: 100, workers: 0 });
  assert.equal(mixed.failure?.run, 3);
  assert.equal(
    mixedStrategy.plan({ scenario: claims, given: {}, seed: 4, index: 3 }).strategy,
    mixed.failure?.strategy,
  );
});

Deno.test("sync: the finding's replay line names the strategy, and run and its saved file reproduce it", async () => {
  const found = await explore(claims, {}, { runs: 10, workers: 0, strategy: "sync:1" });
  const failure = found.failure!;
  assert.match(failure.replay, / --strategy sync:1$/);
  const seed = String(failure.seed);
  const dir = Deno.makeTempDirSync();
  try {
    const out = `${dir}/run.json`;
    const steered = await cli(
      ["run", "claims", "--seed", seed, "--faults", "none", "--strategy", "sync:1", "--out", out],
      scenarios,
    );
    assert.equal(steered.code, 1, steered.err.join("\n"));
    assert.match(steered.out.join("\n"), /both claimed to lead/);
    // The run's own replay line keeps the strategy, or it would replay another run.
    assert.match(steered.out.join("\n"), /replay +.* --strategy sync:1\n?/);
    // Without the strategy, the seed's own draws: nobody collides.
    const plain = await cli(["run", "claims", "--seed", seed, "--faults", "none"], scenarios);
    assert.equal(plain.code, 0, plain.out.join("\n"));
    // The saved file carries the draws the strategy chose: it replays the same run without it.
    const replayed = await cli(["replay", out, "--check"], scenarios);
    assert.equal(replayed.code, 1, replayed.out.join("\n") + replayed.err.join("\n"));
    assert.match(replayed.out.join("\n"), /draws: the file's own/);
    assert.match(replayed.out.join("\n"), /^same: /m);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("sync: a count outside 1..20 is refused, naming the option", () => {
  assert.throws(
    () => syncStrategy(21),
    /--strategy: sync's count must be a whole number from 1 to 20, got 21/,
  );
  assert.equal(
    syncStrategy(3).plan({ scenario: claims, given: {}, seed: 1, index: 0 }).replay,
    "sync:3",
  );
});

Deno.test("sync: a correct election is not failed on its liveness bound for the rounds the collisions cost", async () => {
  // A leader within 1000 ms of the last fault, timeouts of 250 to 500 ms: three forced
  // collisions cost more than that, unless the deadline counts from where sync let go.
  for (const strategy of ["sync:1", "sync:2", "sync:3", "mixed"]) {
    const r = await explore(elect, {}, { runs: 200, workers: 0, strategy });
    assert.equal(r.found, false, `${strategy}: ${r.failure?.message}`);
  }
});

Deno.test("sync: where it let go is marked with the draws, so the saved file and the replay line judge liveness alike", async () => {
  // Too tight a bound fails every strategy: the finding is a liveness one, and the marks decide when.
  const found = await explore(elect, { flags: { within: 300 } }, {
    runs: 20,
    workers: 0,
    strategy: "sync:3",
  });
  const failure = found.failure!;
  assert.equal(failure.check, "liveness:leader");
  // The deadline counted from a mark after the start (a moment sync let go), not from 0.
  assert.match(failure.message, /after the last fault at [1-9][\d.]* ms/);
  assert.match(failure.replay, /--faults none --strategy sync:3$/);
  const dir = Deno.makeTempDirSync();
  try {
    const out = `${dir}/elect.json`;
    const args = ["--seed", String(failure.seed), "--within", "300", "--faults", "none"];
    const run = await cli(
      ["run", "elect", ...args, "--strategy", "sync:3", "--out", out],
      scenarios,
    );
    assert.equal(run.code, 1);
    // The report wraps the message at 100 columns.
    const said = run.out.join("\n").replace(/\s+/g, " ");
    assert.ok(said.includes(failure.message), run.out.join("\n"));
    const file = JSON.parse(Deno.readTextFileSync(out));
    assert.ok(file.choices.marks.length >= 2, "the marks are saved with the draws");
    const replayed = await cli(["replay", out], scenarios);
    assert.match(replayed.out.join("\n"), /^same: /m, replayed.out.join("\n"));
    // Shrunk, the finding still fails on its marks' deadline, and replays.
    const shrunk = await cli(
      [
        "explore",
        "elect",
        "--within",
        "300",
        "--strategy",
        "sync:3",
        "--runs",
        "20",
        "--workers",
        "0",
        "--out",
        `${dir}/shrunk.json`,
      ],
      scenarios,
    );
    assert.equal(shrunk.code, 1, shrunk.err.join("\n"));
    const again = await cli(["replay", `${dir}/shrunk.json`], scenarios);
    assert.match(again.out.join("\n"), /^same: .* fails liveness:leader/m, again.out.join("\n"));
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("interfere: liveness counts from the marked moment, and a replay of the draws marks it again", () => {
  const marked = (mode: "record" | "replay", log: ChoiceLog) => {
    const sim = new Simulation({ seed: 1, choices: { log, mode } });
    const seen: number[] = [];
    sim.at(5, (s) => mode === "record" && s.interfere());
    sim.at(2, (s) => seen.push(s.lastFaultAt()));
    sim.at(7, (s) => seen.push(s.lastFaultAt()));
    sim.schedule([{ at: 3, action: { type: "heal" } }]);
    sim.run();
    return seen;
  };
  const log = new ChoiceLog();
  // A scheduled fault counts at once (it is known); the mark from when it is made.
  assert.deepEqual(marked("record", log), [3, 5]);
  assert.deepEqual([...log.values("marks")], [0, 5000]);
  assert.deepEqual(marked("replay", log), [3, 5]);
});

Deno.test("run --strategy takes the strategies that steer a run (pct, sync); the others, and a bad count, are refused", async () => {
  for (const strategy of ["swarm", "targeted", "random", "mixed"]) {
    const r = await cli(["run", "claims", "--strategy", strategy], scenarios);
    assert.equal(r.code, 2, strategy);
    assert.match(
      r.err.join("\n"),
      /^error: --strategy: run takes a strategy that steers a run as it goes \(pct:D, sync:K\)/,
    );
  }
  const count = await cli(["explore", "claims", "--strategy", "sync:abc"], scenarios);
  assert.equal(count.code, 2);
  assert.match(
    count.err.join("\n"),
    /^error: --strategy: sync:abc: the part after "sync:" must be a whole number$/,
  );
  const window = await cli(
    ["run", "claims", "--diagram", "--from", "100", "--to", "50"],
    scenarios,
  );
  assert.equal(window.code, 2);
  assert.match(window.err.join("\n"), /^error: --to: must be >= --from \(100\), got 50$/);
});

Deno.test("studio --strategy: the first run is the steered one, and its what-ifs replay the choices without the hooks", async () => {
  const { StudioSession } = await import("../sim/studio/session.ts");
  const session = new StudioSession({
    scenario: claims,
    given: { seed: 1 },
    steered: { hooks: sharedDraws(1, 1), strategy: "sync:1" },
  });
  assert.equal(session.base.result.ok, false);
  assert.equal(session.base.result.violations[0].check, "one-leader");
  assert.match(session.page(0), /--strategy sync:1/);
  // A change at the start: the shared draws come from the recorded choices, not the hooks.
  const healed = session.whatIf(0, 0, { kind: "heal" });
  assert.equal(healed.run.result.violations[0]?.check, "one-leader");
  const refused = await cli(["studio", "claims", "--strategy", "swarm"], scenarios);
  assert.equal(refused.code, 2);
  assert.match(refused.err.join("\n"), /^error: --strategy: run takes a strategy that steers/);
});

Deno.test("explore cut by --budget-ms says so (exit 3) and gives the --seed that searches on with new runs", async () => {
  // elect is correct: no run fails, so the budget is what stops the search.
  const r = await cli([
    "explore",
    "elect",
    "--runs",
    "100000",
    "--budget-ms",
    "50",
    "--workers",
    "0",
  ], scenarios);
  assert.equal(r.code, 3, r.out.join("\n") + r.err.join("\n"));
  const text = r.out.join("\n");
  const [, done, left] = text.match(
    /INCOMPLETE: no failure in (\d+) runs?; (\d+) not reached \(exit 3\)/,
  )!;
  assert.equal(Number(done) + Number(left), 100000);
  assert.match(text, /to search on, run the same command with --seed 100001: its runs are all new/);
});

Deno.test("a run that liveness keeps going past --until says so on its time line", async () => {
  const r = await cli(["run", "elect", "--until", "100"], scenarios);
  assert.equal(r.code, 0, r.out.join("\n"));
  assert.match(r.out.join("\n"), /^time +1000 virtual ms .*; liveness ran it past 100$/m);
});

Deno.test("a misspelt scenario name is met with the nearest one", async () => {
  const r = await cli(["run", "elcet"], scenarios);
  assert.equal(r.code, 2);
  assert.match(r.err.join("\n"), /unknown scenario "elcet" \(did you mean elect\?\); known: /);
  const far = await cli(["run", "nothing-like-it"], scenarios);
  assert.doesNotMatch(far.err.join("\n"), /did you mean/);
});
