import assert from "node:assert/strict";
import type { Actor } from "../actors/mod.ts";
import { scenarios as protocols } from "../protocols/registry.ts";
import { EXIT, runCli } from "../sim/cli.ts";
import { ConfigError } from "../sim/errors.ts";
import { firstDifference, formatDifference } from "../sim/explore/diff.ts";
import { replayTrace } from "../sim/explore/replay.ts";
import {
  nodeIds,
  paramsOfSpec,
  resolveParams,
  runScenario,
  type Scenario,
  ScenarioRegistry,
} from "../sim/scenario.ts";
import { scenarioOfSpec } from "../sim/scenario_module.ts";
import { formatEvent, type TraceEvent } from "../sim/trace.ts";
import { loadTrace, saveTrace, traceFileFromResult } from "../sim/trace_file.ts";

/** A relay ring; `version` 2 changes the code: the 3rd hop adds a log note. */
function relay(version: 1 | 2): Scenario {
  return {
    name: "relay",
    summary: "a token passed around a ring",
    defaults: { nodes: 3, until: 200 },
    flags: { "hops": { description: "hops to make", default: 6, min: 1 } },
    setup(sim, params) {
      const ids = nodeIds(params.nodes);
      ids.forEach((id, i) => {
        sim.spawn(id, (): Actor<{ type: "token"; hop: number }> => ({
          onStart(ctx) {
            if (i === 0) ctx.send(ids[1 % ids.length], { type: "token", hop: 1 });
          },
          onMessage(ctx, msg) {
            if (version === 2 && msg.hop === 3) ctx.log("third hop");
            if (msg.hop < (params.flags.hops as number)) {
              ctx.send(ids[(i + 1) % ids.length], { type: "token", hop: msg.hop + 1 });
            }
          },
        }));
      });
      return {};
    },
  };
}

const v1 = new ScenarioRegistry().register(relay(1));
const v2 = new ScenarioRegistry().register(relay(2));

function saved(registry: ScenarioRegistry, given: Parameters<typeof resolveParams>[1]) {
  const scenario = registry.get("relay");
  const run = runScenario(scenario, given);
  return { run, file: traceFileFromResult(run) };
}

Deno.test("replay: the same code gives the same hash from the saved parameters", () => {
  const given = {
    seed: 11,
    nodes: 4,
    until: 150,
    network: { loss: 0.1, duplicate: 0.1 },
    flags: { hops: 9 },
    faults: "@20 crash n3; @60 restart n3",
  };
  const { run, file } = saved(v1, given);
  const loaded = loadTrace(saveTrace(file));
  const p = paramsOfSpec(relay(1), loaded.spec);
  assert.deepEqual(
    { seed: p.seed, nodes: p.nodes, until: p.until, flags: p.flags },
    { seed: 11, nodes: 4, until: 150, flags: { hops: 9 } },
  );
  assert.equal(p.network.loss, 0.1);
  assert.equal(p.network.duplicate, 0.1);
  const replay = replayTrace(v1.get("relay"), loaded);
  assert.equal(replay.same, true);
  assert.equal(replay.actual, run.traceHash);
  assert.equal(replay.difference, undefined);
});

Deno.test("replay: changed code differs, and the first differing event is shown", () => {
  const { file } = saved(v1, { seed: 2 });
  const replay = replayTrace(v2.get("relay"), file);
  assert.equal(replay.same, false);
  assert.equal(replay.expected, file.traceHash);
  const d = replay.difference!;
  // Up to the third delivery both runs agree; then version 2 logs a note.
  const third = file.events.findIndex((e) =>
    e.kind === "deliver" && (e.msg as { hop: number }).hop === 3
  );
  assert.equal(d.index, third + 1);
  assert.equal(d.b?.kind, "log");
  assert.deepEqual(d.before.at(-1), file.events[third]);
  const text = formatDifference(d, ["saved", "now"]);
  assert.match(text, new RegExp(`^the runs part at event #${third + 1}, t = `));
  assert.ok(text.includes(formatEvent(d.a!, 80)));
  assert.ok(text.includes(formatEvent(d.b!, 80)));
});

Deno.test("replay refuses a trace of a scenario it cannot find", async () => {
  const { file } = saved(v1, { seed: 1 });
  await assert.rejects(
    () => scenarioOfSpec(file.spec, protocols),
    (e: unknown) => e instanceof ConfigError && /unknown scenario "relay"/.test(e.message),
  );
  const elsewhere = { ...file.spec, module: "file:///nowhere/gone.ts" };
  await assert.rejects(
    () => scenarioOfSpec(elsewhere, protocols),
    (e: unknown) =>
      e instanceof ConfigError && /cannot load file:\/\/\/nowhere\/gone.ts/.test(e.message),
  );
});

Deno.test("firstDifference: equal, longer, shorter, and context", () => {
  const ev = (t: number): TraceEvent => ({ t, kind: "timer", node: "n1", name: `t${t}` });
  const a = [0, 1, 2, 3, 4, 5].map(ev);
  assert.equal(firstDifference(a, [...a]), undefined);
  const longer = firstDifference(a, [...a, ev(6)], 2)!;
  assert.equal(longer.index, 6);
  assert.equal(longer.a, undefined);
  assert.deepEqual(longer.before, [ev(4), ev(5)]);
  assert.match(formatDifference(longer, ["x", "y"]), /x ends there \(x has 6 events, y 7\)/);
  const changed = [...a];
  changed[2] = ev(2.5);
  const d = firstDifference(a, changed, 1)!;
  assert.equal(d.index, 2);
  assert.deepEqual(d.afterA, [ev(3)]);
  assert.deepEqual(d.before, [ev(1)]);
});

Deno.test("sim replay and sim diff on files: exit 0 same, 1 different, 2 bad", async () => {
  const dir = Deno.makeTempDirSync();
  const io = (out: string[]) => ({
    stdout: (s: string) => out.push(s),
    stderr: (s: string) => out.push(s),
  });
  try {
    const a = `${dir}/a.json`, b = `${dir}/b.json`;
    assert.equal(await runCli(v1, ["run", "relay", "--seed", "5", "--out", a], io([])), EXIT.ok);
    assert.equal(await runCli(v1, ["run", "relay", "--seed", "6", "--out", b], io([])), EXIT.ok);

    const same: string[] = [];
    assert.equal(await runCli(v1, ["replay", a], io(same)), EXIT.ok);
    assert.match(
      same[0],
      /^same: relay seed 5 replays to trace [0-9a-f]{16} \(\d+ events handled, \d+ in the trace\); the run holds every check$/m,
    );

    const changed: string[] = [];
    assert.equal(await runCli(v2, ["replay", a], io(changed)), EXIT.violation);
    assert.match(
      changed.join("\n"),
      /^DIFFERENT: relay seed 5 was [0-9a-f]{16}, now [0-9a-f]{16}/m,
    );
    assert.match(changed.join("\n"), /the runs part at event #\d+/);

    const diff: string[] = [];
    assert.equal(await runCli(v1, ["diff", a, b, "--context", "1"], io(diff)), EXIT.violation);
    const fa = loadTrace(Deno.readTextFileSync(a)), fb = loadTrace(Deno.readTextFileSync(b));
    const d = firstDifference(fa.events, fb.events, 1)!;
    // The settings the two runs differ in follow the events.
    assert.equal(diff.join("\n"), `${formatDifference(d, [a, b])}\nsettings differ: seed 5 vs 6`);

    const self: string[] = [];
    assert.equal(await runCli(v1, ["diff", a, a], io(self)), EXIT.ok);
    assert.match(self[0], /^same: \d+ events, trace [0-9a-f]{16}$/);

    // Same events, other settings (a run that goes on, quiet, after its last event): said, exit 0.
    const later = `${dir}/later.json`;
    assert.equal(
      await runCli(v1, ["run", "relay", "--seed", "5", "--until", "5000", "--out", later], io([])),
      EXIT.ok,
    );
    const quiet: string[] = [];
    assert.equal(await runCli(v1, ["diff", a, later], io(quiet)), EXIT.ok);
    assert.match(
      quiet.join("\n"),
      /^same: \d+ events, trace [0-9a-f]{16}\nsettings differ: until \d+ vs 5000$/,
    );

    Deno.writeTextFileSync(`${dir}/bad.json`, "{ not json");
    const bad: string[] = [];
    assert.equal(await runCli(v1, ["replay", `${dir}/bad.json`], io(bad)), EXIT.usage);
    assert.match(bad[0], /^error: .*bad\.json: not JSON at line 1, column 3/);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
