import assert from "node:assert/strict";
import fc from "npm:fast-check@4.10.2";
import { scenarios } from "../protocols/registry.ts";
import {
  DEFAULT_RATES,
  defineScenario,
  type Fault,
  type FaultAction,
  type FaultRates,
  type FlagValue,
  formatFaults,
  generateFaults,
  nodeIds,
  parseFaults,
  parseFaultSpec,
  runScenario,
} from "../sim/mod.ts";

const nodeId = fc.stringMatching(/^[A-Za-z0-9_.-]{1,8}$/);
/** Plain numbers, no -0 (which prints as 0). */
const num = (min: number, max: number) => fc.double({ min, max, noNaN: true }).map((x) => x + 0);
const time = fc.oneof(fc.integer({ min: 0, max: 1_000_000 }), num(0, 1_000_000));

const action: fc.Arbitrary<FaultAction> = fc.oneof(
  fc.record({ type: fc.constantFrom("crash", "restart", "pause", "resume"), node: nodeId }),
  fc.record({
    type: fc.constant("partition"),
    groups: fc.array(fc.array(nodeId, { minLength: 1, maxLength: 4 }), {
      minLength: 2,
      maxLength: 4,
    }),
  }),
  fc.record({ type: fc.constant("block"), from: nodeId, to: nodeId }),
  fc.constant({ type: "heal" }),
  fc.record({ type: fc.constant("skew"), node: nodeId, ms: num(-1e6, 1e6) }),
  fc.record({ type: fc.constant("drift"), node: nodeId, rate: num(-0.5, 1) }),
  fc.record({ type: fc.constantFrom("disconnect", "reconnect"), node: nodeId }),
  fc.record({ type: fc.constant("unblock"), from: nodeId, to: nodeId }),
  // fast-check builds records without a prototype; parsed actions are plain objects.
).map((a) => ({ ...a })) as fc.Arbitrary<FaultAction>;

/**
 * Schedules the parser accepts: a restart only of a node crashed before it,
 * a resume only of a node paused before it, and no node twice in one
 * partition (parseFaults refuses the rest, see config_errors_test.ts).
 */
const schedule: fc.Arbitrary<Fault[]> = fc.array(
  fc.record({ at: time, action }).map((f) => ({ ...f })),
  { maxLength: 12 },
).map(sensible);

function sensible(faults: Fault[]): Fault[] {
  const state = new Map<string, string>();
  const kept: Fault[] = [];
  const ordered = faults.map((f, i) => ({ f, i })).sort((a, b) => a.f.at - b.f.at || a.i - b.i);
  const keep = new Set<number>();
  for (const { f, i } of ordered) {
    const a = f.action;
    if (a.type === "partition" && new Set(a.groups.flat()).size !== a.groups.flat().length) {
      continue;
    }
    if (a.type === "restart" && state.get(a.node) !== "crashed") continue;
    if (a.type === "resume" && state.get(a.node) !== "paused") continue;
    if (a.type === "crash") state.set(a.node, "crashed");
    if (a.type === "pause" && state.get(a.node) !== "crashed") state.set(a.node, "paused");
    if (a.type === "restart" || a.type === "resume") state.delete(a.node);
    keep.add(i);
  }
  faults.forEach((f, i) => keep.has(i) && kept.push(f));
  return kept;
}

Deno.test("formatFaults and parseFaults round trip (property)", () => {
  fc.assert(
    fc.property(schedule, (s) => {
      assert.deepEqual(parseFaults(formatFaults(s)), s);
    }),
    { numRuns: 1000, seed: 20240601 },
  );
});

Deno.test("parseFaults reads the documented text form", () => {
  assert.deepEqual(
    parseFaults(
      "@100 crash n1; @300 restart n1;\n@400 partition n1,n2|n3 ; @450 block n1>n2; @600 heal",
    ),
    [
      { at: 100, action: { type: "crash", node: "n1" } },
      { at: 300, action: { type: "restart", node: "n1" } },
      { at: 400, action: { type: "partition", groups: [["n1", "n2"], ["n3"]] } },
      { at: 450, action: { type: "block", from: "n1", to: "n2" } },
      { at: 600, action: { type: "heal" } },
    ],
  );
  assert.deepEqual(parseFaults("@0 skew n2 +50; @0 drift n2 0.01; @2.5 pause n3; @80 resume n3"), [
    { at: 0, action: { type: "skew", node: "n2", ms: 50 } },
    { at: 0, action: { type: "drift", node: "n2", rate: 0.01 } },
    { at: 2.5, action: { type: "pause", node: "n3" } },
    { at: 80, action: { type: "resume", node: "n3" } },
  ]);
  assert.deepEqual(parseFaults("  ;; "), []);
});

Deno.test("parseFaultSpec reads schedules, none, and random with rates", () => {
  assert.deepEqual(parseFaultSpec("random"), { kind: "random", rates: { ...DEFAULT_RATES } });
  assert.deepEqual(parseFaultSpec("random:crash=1,partition=0.5,pause=0,duration=300"), {
    kind: "random",
    rates: { crash: 1, partition: 0.5, pause: 0, meanDurationMs: 300 },
  });
  assert.deepEqual(parseFaultSpec("none"), { kind: "schedule", schedule: [] });
  assert.deepEqual(parseFaultSpec(""), { kind: "schedule", schedule: [] });
  assert.deepEqual(parseFaultSpec("@5 heal"), {
    kind: "schedule",
    schedule: [{ at: 5, action: { type: "heal" } }],
  });
});

Deno.test("generateFaults is deterministic per seed", () => {
  const nodes = nodeIds(5);
  const distinct = new Set<string>();
  for (let seed = 0; seed < 100; seed++) {
    const a = generateFaults(seed, nodes, 3000);
    assert.deepEqual(generateFaults(seed, nodes, 3000), a, `seed ${seed}`);
    distinct.add(formatFaults(a));
  }
  assert.ok(distinct.size > 95, `only ${distinct.size} distinct schedules from 100 seeds`);
});

/** Counts of fault onsets by kind. */
function onsets(schedule: Fault[]): Record<string, number> {
  const count: Record<string, number> = { crash: 0, pause: 0, partition: 0 };
  for (const f of schedule) if (f.action.type in count) count[f.action.type]++;
  return count;
}

function assertPoisson(what: string, observed: number, mean: number, k = 5) {
  assert.ok(
    Math.abs(observed - mean) <= k * Math.sqrt(mean),
    `${what}: ${observed}, expected ${mean} ± ${(k * Math.sqrt(mean)).toFixed(1)}`,
  );
}

Deno.test("generateFaults respects the rates roughly", () => {
  // Many nodes and short faults, so almost no onset is skipped for overlap.
  const nodes = nodeIds(101);
  const until = 100_000;
  for (const seed of [1, 2]) {
    const only = onsets(generateFaults(seed, nodes, until, { crash: 10, meanDurationMs: 1 }));
    assertPoisson(`seed ${seed} crashes at 10/s`, only.crash, 1000);
    assert.equal(only.pause + only.partition, 0);
    const mixed = onsets(
      generateFaults(seed, nodes, until, { crash: 6, pause: 3, partition: 3, meanDurationMs: 1 }),
    );
    assertPoisson(`seed ${seed} crashes at 6/s`, mixed.crash, 600);
    assertPoisson(`seed ${seed} pauses at 3/s`, mixed.pause, 300);
    assertPoisson(`seed ${seed} partitions at 3/s`, mixed.partition, 300);
  }
  assert.deepEqual(generateFaults(1, nodes, until, { crash: 0, pause: 0, partition: 0 }), []);
});

/**
 * Walks a schedule as the simulator would apply it and checks that every
 * fault ends before `until` and no more than `maxDown` nodes are down at once.
 */
function assertWellFormed(s: Fault[], nodes: string[], until: number, maxDown: number) {
  const down = new Map<string, "crash" | "pause">();
  let partitioned = false;
  let prev = 0;
  for (const { at, action } of s) {
    const where = `@${at} ${action.type} in ${formatFaults(s)}`;
    assert.ok(at >= prev && at <= until, `${where}: out of order or past ${until}`);
    prev = at;
    switch (action.type) {
      case "crash":
      case "pause":
        assert.ok(nodes.includes(action.node), where);
        assert.ok(!down.has(action.node), `${where}: ${action.node} is already down`);
        down.set(action.node, action.type);
        assert.ok(down.size <= maxDown, `${where}: ${down.size} nodes down, at most ${maxDown}`);
        break;
      case "restart":
      case "resume":
        assert.equal(down.get(action.node), action.type === "restart" ? "crash" : "pause", where);
        down.delete(action.node);
        break;
      case "partition":
        assert.ok(!partitioned, `${where}: partitions overlap`);
        assert.deepEqual(action.groups.flat().sort(), [...nodes].sort(), where);
        partitioned = true;
        break;
      case "heal":
        assert.ok(partitioned, `${where}: heal without a partition`);
        partitioned = false;
        break;
      default:
        assert.fail(`${where}: generated an unexpected action`);
    }
  }
  assert.equal(down.size, 0, `still down at the end: ${[...down.keys()]}`);
  assert.ok(!partitioned, "still partitioned at the end");
}

Deno.test("generated faults always end before until and take down a minority at most (one at least)", () => {
  const heavy: FaultRates = { crash: 20, pause: 20, partition: 5, meanDurationMs: 500 };
  let sawMaxDown = 0;
  for (const n of [1, 2, 3, 5, 7]) {
    const nodes = nodeIds(n);
    // A minority, but at least one: one or two nodes still crash and restart.
    const maxDown = Math.max(1, Math.floor((n - 1) / 2));
    for (let seed = 0; seed < 60; seed++) {
      for (const rates of [DEFAULT_RATES, heavy]) {
        const s = generateFaults(seed, nodes, 3000, rates);
        assertWellFormed(s, nodes, 3000, maxDown);
        let down = 0;
        for (const f of s) {
          down += f.action.type === "crash" || f.action.type === "pause"
            ? 1
            : f.action.type === "restart" || f.action.type === "resume"
            ? -1
            : 0;
          if (n === 7 && down === maxDown) sawMaxDown++;
        }
      }
    }
  }
  // The heavy rates must push against the limit, or the check above proves little.
  assert.ok(sawMaxDown > 10, `reached ${3} nodes down only ${sawMaxDown} times`);
  const one = generateFaults(3, nodeIds(7), 3000, { ...heavy, maxDown: 1 });
  assertWellFormed(one, nodeIds(7), 3000, 1);
  const none = generateFaults(3, nodeIds(2), 3000, { ...heavy, maxDown: 0 });
  assert.ok(none.every((f) => f.action.type === "partition" || f.action.type === "heal"));
});

Deno.test("a one- or two-node protocol sees crashes; down=N and a scenario's maxDown set the limit", () => {
  const crashes = (faults: string) => (faults.match(/crash/g) ?? []).length;
  for (const n of [1, 2]) {
    const s = formatFaults(generateFaults(1, nodeIds(n), 5000, { crash: 5 }));
    assert.ok(crashes(s) > 0, `${n} node(s): ${s}`);
  }
  assert.deepEqual(parseFaultSpec("random:crash=2,down=0"), {
    kind: "random",
    rates: { crash: 2, maxDown: 0 },
  });
  assert.throws(() => parseFaultSpec("random:down=1.5"), /down must be a whole number/);
  const ping = scenarios.get("ping-pong");
  const ran = runScenario(ping, { seed: 1, faults: "random:crash=5,down=0" });
  assert.equal(crashes(ran.faults), 0);
  const limited = defineScenario({
    ...ping,
    name: "ping-pong-no-crash",
    setup: (sim, params) => ({ ...ping.setup(sim, params as never) ?? {}, maxDown: 0 }),
  });
  assert.equal(crashes(runScenario(limited, { seed: 1, faults: "random:crash=5" }).faults), 0);
  assert.ok(crashes(runScenario(ping, { seed: 1, faults: "random:crash=5" }).faults) > 0);
});

Deno.test("scheduled faults replay identically: run, print, parse, re-run", async (t) => {
  // Partitions only, so the forty rounds finish whatever the seed.
  const runs: Array<{ name: string; faults: string; flags: Record<string, FlagValue> }> = [
    { name: "ping-pong", faults: "random:partition=10,duration=30", flags: { rounds: 40 } },
    { name: "gossip", faults: "random", flags: {} },
  ];
  for (const { name, faults, flags } of runs) {
    await t.step(name, () => {
      const scenario = scenarios.get(name);
      for (const seed of [1, 2, 3, 4, 5]) {
        const network = { loss: 0.05, duplicate: 0.05 };
        const first = runScenario(scenario, { seed, network, flags, faults });
        assert.notEqual(first.faults, "", `seed ${seed} generated no faults`);
        assert.ok(first.replay.includes(`--faults '${first.faults}'`), first.replay);
        const text = runScenario(scenario, { seed, network, flags, faults: first.faults });
        assert.equal(text.traceHash, first.traceHash, `seed ${seed}: text replay differs`);
        const parsed = runScenario(scenario, {
          seed,
          network,
          flags,
          faults: { kind: "schedule", schedule: parseFaults(first.faults) },
        });
        assert.equal(parsed.traceHash, first.traceHash, `seed ${seed}: parsed replay differs`);
        assert.equal(parsed.faults, first.faults);
        // Faults matter to the run: without them the trace differs.
        const none = runScenario(scenario, { seed, network, flags, faults: "none" });
        assert.notEqual(none.traceHash, first.traceHash);
      }
    });
  }
});
