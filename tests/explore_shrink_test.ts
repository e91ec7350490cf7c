import assert from "node:assert/strict";
import fc from "npm:fast-check@4.10.2";
import { scenarios as protocols } from "../protocols/registry.ts";
import { runCli } from "../sim/cli.ts";
import { ConfigError } from "../sim/errors.ts";
import { ddmin, shrinkFailure } from "../sim/explore/shrink.ts";
import { parseFaults } from "../sim/faults.ts";
import { runScenario } from "../sim/scenario.ts";
import { saveTrace, traceFileFromResult } from "../sim/trace_file.ts";

/** How the tests' scenarios' replay lines start, run from the repository's folder. */
const RUN = (name: string) => `deno run -A ./main.ts run ./tests/_explore_scenarios.ts#${name}`;
import { capped, lossyCounter, scenarios, twoDown } from "./_explore_scenarios.ts";

Deno.test("ddmin finds a failing subset from which no single item can go", () => {
  fc.assert(
    fc.property(
      fc.uniqueArray(fc.nat(60), { minLength: 1, maxLength: 40 }),
      fc.uniqueArray(fc.nat(60), { minLength: 1, maxLength: 4 }),
      (items, needed) => {
        // Fails when every needed item that is among the items is present.
        const required = needed.filter((x) => items.includes(x));
        const fails = (xs: number[]) => required.every((x) => xs.includes(x));
        const kept = ddmin(items, fails);
        assert.ok(fails(kept), "still fails");
        assert.ok(kept.every((x) => items.includes(x)), "a subset");
        assert.deepEqual([...kept].sort((a, b) => a - b), [...required].sort((a, b) => a - b));
      },
    ),
  );
  assert.deepEqual(ddmin([1, 2, 3], () => true), []);
});

Deno.test("shrinking random faults: two crashes at once, and nothing else", () => {
  // The first seed where random faults crash two nodes together.
  let seed = 1;
  while (runScenario(twoDown, { seed, trace: "off" }).ok) seed++;
  const original = runScenario(twoDown, { seed, trace: "off" });
  const s = shrinkFailure(twoDown, { seed });
  assert.equal(s.check, "at-most-one-down");
  assert.equal(s.params.seed, seed, "the seed is kept");
  const faults = parseFaults(s.faults);
  assert.equal(faults.length, 2, s.faults);
  assert.ok(faults.every((f) => f.action.type === "crash"), s.faults);
  assert.ok(s.before.faults > 2 && s.before.faults === parseFaults(original.faults).length);
  assert.equal(s.after.faults, 2);
  assert.equal(s.stopped, null, "the search ran to its end");
  assert.ok(s.params.until < original.virtualMs + 1, "no time after the violation");
  // The shrunk run, traced, fails the same way; so does its replay command.
  assert.equal(s.result.violations[0].check, "at-most-one-down");
  assert.equal(s.result.sim.trace.mode, "full");
  assert.ok(s.replay.startsWith(`${RUN("two-down")} --seed ${seed} `), s.replay);
  assert.ok(s.steps.some((step) => /^faults \d+ -> 2$/.test(step)), s.steps.join("; "));
});

Deno.test("shrinking a scenario's operations: no fewer would fail", () => {
  let seed = 1;
  while (runScenario(lossyCounter, { seed, trace: "off" }).ok) seed++;
  const s = shrinkFailure(lossyCounter, { seed });
  const ops = s.params.flags.ops as number;
  assert.ok(ops < 20, `ops ${ops}`);
  assert.equal(s.check, "all-counted");
  assert.equal(s.params.network.loss, 0.2, "without loss nothing fails, so it stays");
  // One operation fewer holds, with the same draws: the shrunk run is minimal in operations.
  const fewer = runScenario(lossyCounter, { ...s.params, flags: { ops: ops - 1 }, trace: "off" }, {
    choices: { log: s.choices, mode: "replay" },
  });
  if (ops > 1) assert.ok(fewer.ok, `ops ${ops - 1} still fails`);
  // The check is made after the run, of what it got done: a run cut short would fail it for
  // another reason, so time is only cut where the shorter run still finished its work.
  assert.equal(s.result.stop === "quiet" || s.params.until === 1000, true);
  // Most draws are lowered to 0; the loss that matters stays.
  assert.ok(s.after.draws < s.before.draws / 4, `${s.before.draws} -> ${s.after.draws} draws`);
});

Deno.test("shrinking time, nodes and flags for a violation seen during the run", () => {
  const s = shrinkFailure(capped, { seed: 4, nodes: 5, until: 1000, flags: { limit: 7 } });
  assert.equal(s.check, "under-limit");
  assert.equal(s.params.nodes, 1);
  // The smallest cap fails at the first tick, 10 ms in; the run ends there.
  assert.equal(s.params.flags.limit, 0);
  assert.equal(s.params.until, 10);
  assert.ok(s.after.events < s.before.events);
  assert.deepEqual(s.steps.slice(0, 3), ["until 1000 -> 80", "nodes 5 -> 1", "--limit 7 -> 0"]);
  const shorter = runScenario(capped, { ...s.params, until: 9, trace: "off" });
  assert.ok(shorter.ok, "no shorter run fails");
});

Deno.test("the search stops at its run limit with the best run so far", () => {
  let seed = 1;
  while (runScenario(twoDown, { seed, trace: "off" }).ok) seed++;
  const s = shrinkFailure(twoDown, { seed }, { maxRuns: 3 });
  assert.equal(s.runs, 3);
  assert.equal(s.stopped, "runs");
  assert.equal(s.result.violations[0].check, "at-most-one-down");
  assert.ok(s.after.faults <= s.before.faults);
});

Deno.test("the search stops when asked (a time limit), with the best run so far", () => {
  let seed = 1;
  while (runScenario(twoDown, { seed, trace: "off" }).ok) seed++;
  let asked = 0;
  const s = shrinkFailure(twoDown, { seed }, { shouldStop: () => ++asked > 5 });
  assert.equal(s.stopped, "asked");
  assert.ok(s.runs <= 6, `${s.runs} runs`);
  assert.equal(s.result.violations[0].check, "at-most-one-down");
});

Deno.test("a run that holds has nothing to shrink", () => {
  assert.throws(
    () => shrinkFailure(protocols.get("ping-pong"), { seed: 1 }),
    (e: unknown) => e instanceof ConfigError && /nothing to shrink/.test(e.message),
  );
  assert.throws(
    () => shrinkFailure(capped, { seed: 1, flags: { limit: 3 } }, { check: "other" }),
    (e: unknown) => e instanceof ConfigError && /fails under-limit, not other/.test(e.message),
  );
});

Deno.test("the shrunk run, saved with its draws, replays through the command line", async () => {
  let seed = 1;
  while (runScenario(twoDown, { seed, trace: "off" }).ok) seed++;
  const s = shrinkFailure(twoDown, { seed });
  const dir = Deno.makeTempDirSync();
  try {
    const file = `${dir}/shrunk.json`;
    Deno.writeTextFileSync(file, saveTrace(traceFileFromResult(s.result)));
    const out: string[] = [];
    const code = await runCli(scenarios, ["replay", file], {
      stdout: (x) => out.push(x),
      stderr: (x) => out.push(x),
    });
    assert.equal(code, 0, out.join("\n"));
    assert.match(out[0], new RegExp(`replays to trace ${s.result.traceHash}`));
    assert.match(out[0], /it fails at-most-one-down/);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("shrinking never makes a run larger in events, and keeps the failing check", () => {
  for (
    const [scenario, given] of [
      [twoDown, { seed: 3 }],
      [capped, { seed: 2, nodes: 4, flags: { limit: 5 } }],
      [lossyCounter, { seed: 5 }],
    ] as const
  ) {
    const first = runScenario(scenario, { ...given, trace: "off" });
    if (first.ok) continue;
    const s = shrinkFailure(scenario, given);
    assert.ok(
      s.after.events <= s.before.events,
      `${scenario.name}: ${s.before.events} -> ${s.after.events}`,
    );
    assert.equal(s.result.violations[0].check, first.violations[0].check);
  }
});
