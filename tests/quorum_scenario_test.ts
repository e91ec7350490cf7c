import assert from "node:assert/strict";
import { searchSeeds, STALE_READ_LESSON } from "../protocols/quorum/lessons.ts";
import { abd, clusterShape, quorum } from "../protocols/quorum/scenarios.ts";
import { scenarios } from "../protocols/registry.ts";
import { EXIT, runCli } from "../sim/cli.ts";
import { resolveParams, type RunGiven, runScenario } from "../sim/scenario.ts";

async function cli(argv: string[]) {
  const out: string[] = [], err: string[] = [];
  const code = await runCli(scenarios, argv, {
    stdout: (s) => out.push(s),
    stderr: (s) => err.push(s),
  });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

Deno.test("quorum and abd are registered", () => {
  assert.equal(scenarios.get("quorum"), quorum);
  assert.equal(scenarios.get("abd"), abd);
});

Deno.test("a violating run reports linearizability in --json, and the counterexample in text", async () => {
  const found = searchSeeds(STALE_READ_LESSON, { limit: 300 });
  assert.ok(found.seed !== undefined);
  const argv = ["run", "quorum", "--r", "1", "--w", "1", "--seed", String(found.seed)];
  const asJson = await cli([...argv, "--json"]);
  assert.equal(asJson.code, EXIT.violation);
  const r = JSON.parse(asJson.out);
  assert.equal(r.ok, false);
  assert.equal(r.violations.length, 1);
  assert.equal(r.violations[0].check, "linearizability");
  assert.match(r.violations[0].message, /^op \d+ \(c\d: read "x" -> .*cannot be linearized/);
  assert.ok(r.summary.some((l: string) => l.startsWith("linearizable: NO")));
  assert.equal(r.replay, `deno task sim run quorum --seed ${found.seed} --r 1 --w 1`);

  const asText = await cli(argv);
  assert.equal(asText.code, EXIT.violation);
  const lines = asText.out.split("\n");
  const verdict = lines.findIndex((l) => l.startsWith("linearizable: NO"));
  assert.ok(verdict >= 0, asText.out);
  // The counterexample follows, one indented line per operation involved.
  assert.match(lines[verdict + 1], /^ {2}op \d+ .* cannot be linearized after/);
  assert.match(lines[verdict + 2], /^ {2}op \d+ \(c\d\): (read|write) /);
  assert.match(asText.out, /violation of linearizability: op \d+/);
});

Deno.test("healthy runs say so, with the configuration and the replicas' state", async () => {
  const r = JSON.parse((await cli(["run", "abd", "--seed", "4", "--json"])).out);
  assert.equal(r.ok, true);
  assert.deepEqual(r.violations, []);
  assert.ok(r.faults !== "", "abd runs with random faults by default");
  const summary: string[] = r.summary;
  assert.match(summary[0], /^ABD: N=3 R=2 W=2; R \+ W > N: reads linearizable$/);
  assert.ok(summary.some((l) => /^n1( \(\w+\))?: x=/.test(l)));
  assert.ok(summary.some((l) => /^linearizable: yes \(\d+ operations/.test(l)));

  const q = JSON.parse(
    (await cli(["run", "quorum", "--seed", "4", "--read-repair", "sync", "--json"])).out,
  );
  assert.equal(q.ok, true);
  assert.match(q.summary[0], /read repair sync; R \+ W > N: reads linearizable, 1 writer$/);
  assert.match(q.summary.join("\n"), /replicas agree on every key/);
});

Deno.test("N, R and W: defaults, majorities and errors", async () => {
  const shape = (s: typeof quorum | typeof abd, given: RunGiven) =>
    clusterShape(
      resolveParams(s as typeof quorum, given as RunGiven<NonNullable<typeof quorum.flags>>),
    );
  assert.deepEqual(
    [shape(quorum, {}).n, shape(quorum, {}).r, shape(quorum, {}).w],
    [3, 2, 2],
  );
  const five = shape(quorum, { flags: { n: 5 } });
  assert.deepEqual([five.n, five.r, five.w], [5, 3, 3]);
  assert.equal(shape(quorum, { nodes: 5 }).n, 5, "--nodes is N too");
  assert.equal(shape(abd, { flags: { n: 4, r: 1, w: 4 } }).r, 1);
  assert.equal(shape(quorum, { flags: { clients: 2, writers: 5 } }).writers, 2);
  assert.deepEqual(shape(quorum, { flags: { keys: 3 } }).keys, ["x", "y", "z"]);

  const bad = async (argv: string[], message: RegExp) => {
    const ran = await cli(["run", ...argv]);
    assert.equal(ran.code, EXIT.usage, argv.join(" "));
    assert.match(ran.err, message);
  };
  await bad(["quorum", "--r", "4"], /^error: --r: must be at most N = 3, got 4$/);
  await bad(["abd", "--n", "5", "--w", "6"], /^error: --w: must be at most N = 5, got 6$/);
  await bad(["quorum", "--n", "5", "--nodes", "4"], /^error: --n: 5 contradicts --nodes 4/);
  await bad(
    ["quorum", "--read-repair", "eager"],
    /--read-repair: must be one of none, async, sync/,
  );
  await bad(["quorum", "--n", "16"], /--n: must be a whole number in 0\.\.15/);
});

Deno.test("the same seed replays the same run; --n shows in the replay command", () => {
  const a = runScenario(quorum, { seed: 9, flags: { n: 5, "read-repair": "async" } });
  const b = runScenario(quorum, { seed: 9, flags: { n: 5, "read-repair": "async" } });
  assert.equal(a.traceHash, b.traceHash);
  assert.deepEqual(a.sim.history.operations, b.sim.history.operations);
  assert.equal(a.replay, "deno task sim run quorum --seed 9 --n 5 --read-repair async");
  assert.equal(a.sim.nodes.filter((id) => id.startsWith("n")).length, 5);
});
