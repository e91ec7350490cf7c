/**
 * Every Raft scenario over many seeds, with the safety checks after every
 * event, the liveness monitor, and the linearizability check of the client
 * history. A failure prints the seed, the violation and the command that
 * replays it. Each test also checks that its scenario really did what it is
 * named for (a crash happened, messages were lost, ...), so a pass is not
 * vacuous.
 *
 * The long sweep (tens of thousands of seeds) is `tests/raft_long.ts`.
 *
 * @module
 */

import assert from "node:assert/strict";
import { runScenario, type Scenario, type ScenarioResult } from "../sim/scenario.ts";
import type { RaftNode } from "../protocols/raft/node.ts";
import {
  raft,
  raftChurn,
  raftElection,
  raftFigure8,
  raftLeaderCrash,
  raftPartition,
  raftReplication,
  raftScenarios,
  raftUnreliable,
} from "../protocols/raft/scenarios.ts";
import { scenarios } from "../protocols/registry.ts";

type Given = Parameters<typeof runScenario>[1];

/** Runs `scenario` for seeds 1..n; fails listing every failing seed with its replay command. */
function sweep(
  scenario: Scenario,
  n: number,
  given: Given = {},
  each?: (r: ScenarioResult) => void,
): ScenarioResult[] {
  const failures: string[] = [];
  const results: ScenarioResult[] = [];
  for (let seed = 1; seed <= n; seed++) {
    const r = runScenario(scenario, { ...given, seed, trace: "off" });
    if (!r.ok) {
      const v = r.violations[0];
      failures.push(`seed ${seed}: ${v.check}: ${v.message}\n    replay: ${r.replay}`);
    } else {
      each?.(r);
    }
    results.push(r);
  }
  assert.equal(failures.length, 0, `${scenario.name} failed:\n${failures.join("\n")}`);
  return results;
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const opsOk = (r: ScenarioResult) => r.sim.history.completed().length;
const node = (r: ScenarioResult, id: string) => r.sim.actor<RaftNode>(id);
const maxTerm = (r: ScenarioResult) =>
  Math.max(...["n1", "n2", "n3", "n4", "n5"].map((id) => node(r, id)?.currentTerm ?? 0));

Deno.test("raft scenarios are all in the registry", () => {
  for (const s of raftScenarios) assert.equal(scenarios.get(s.name), s);
});

Deno.test("raft-election: one leader within the bound, and it stays (100 seeds)", () => {
  const firstAt: number[] = [];
  sweep(raftElection, 100, {}, (r) => {
    const m = r.summary[0].match(/^first leader (n\d) in term (\d+) at ([\d.]+) ms/);
    assert.ok(m, r.summary[0]);
    firstAt.push(Number(m[3]));
    assert.equal(node(r, m[1])!.role, "leader");
  });
  // Timeouts are 150-300 ms: the first leader comes soon after the first timeout.
  assert.ok(Math.max(...firstAt) < 1000, `slowest first election ${Math.max(...firstAt)} ms`);
  assert.ok(Math.min(...firstAt) >= 150);
});

Deno.test("raft-election works for other cluster sizes", () => {
  for (const nodes of [1, 2, 3, 4, 7]) sweep(raftElection, 10, { nodes });
});

Deno.test("raft-replication: every op ok, linearizable, servers equal (60 seeds)", () => {
  sweep(raftReplication, 60, {}, (r) => {
    assert.equal(opsOk(r), 90);
    assert.ok(r.summary.some((l) => l.includes("linearizable: ok")));
    // Snapshots were taken (25 applied entries each), so compaction ran too.
    assert.ok(node(r, "n1")!.log.snapshotIndex > 0);
  });
});

Deno.test("raft-replication with reads only by ReadIndex, or only through the log", () => {
  for (const reads of ["read-index", "log"]) {
    sweep(raftReplication, 10, { flags: { reads } }, (r) => assert.equal(opsOk(r), 90));
  }
});

Deno.test("raft-leader-crash: a new leader takes over, the old one rejoins (60 seeds)", () => {
  sweep(raftLeaderCrash, 60, {}, (r) => {
    const crashed = r.summary[0].match(/crashed leader (n\d)/)![1];
    assert.equal(node(r, crashed)!.role, "follower");
    assert.ok(maxTerm(r) >= 2, "a second election happened");
    assert.ok(opsOk(r) >= 85, `only ${opsOk(r)} ops ok`);
  });
});

Deno.test("raft-partition: the cut-off leader steps down, the heal disrupts nothing (60 seeds)", () => {
  sweep(raftPartition, 60, {}, (r) => {
    assert.match(r.summary[0], /was (follower|precandidate)$/);
  });
  sweep(raftPartition, 10, { nodes: 3 });
});

Deno.test("raft-partition without PreVote or CheckQuorum: the checks see the difference", () => {
  // The scenario's own checks are not vacuous: switch the features off and
  // they fail for most seeds.
  const failing = (flags: Record<string, boolean>, check: string) =>
    [1, 2, 3, 4, 5].filter((seed) =>
      runScenario(raftPartition, { seed, trace: "off", flags }).violations.some((v) =>
        v.check === check
      )
    ).length;
  assert.ok(failing({ "pre-vote": false }, "pre-vote") >= 3);
  assert.ok(failing({ "check-quorum": false }, "check-quorum") >= 3);
});

Deno.test("raft-figure8: the old-term entry is overwritten, never committed", () => {
  const results = sweep(raftFigure8, 10);
  for (const r of results) {
    for (const id of ["n1", "n2", "n3", "n4", "n5"]) {
      const line = r.summary.find((l) => l.startsWith(`${id} log:`))!;
      assert.equal(line, `${id} log: A@t1 C@t2 D@t4  x = "D"`);
    }
  }
});

Deno.test("raft-figure8 with the commit rule broken: the checks catch it", () => {
  const r = runScenario(raftFigure8, { seed: 1, flags: { "unsafe-commit": true } });
  assert.equal(r.ok, false);
  assert.equal(r.violations[0].check, "leader-completeness");
  assert.match(r.violations[0].message, /lacks entry 2 \(term 1\), committed in term 3/);
  assert.match(r.replay, /--unsafe-commit true/);
});

Deno.test("raft-churn: crashes and restarts under load (100 seeds)", () => {
  const crashes: number[] = [];
  const ok: number[] = [];
  sweep(raftChurn, 100, {}, (r) => {
    crashes.push(r.faults.split("crash").length - 1);
    ok.push(opsOk(r));
  });
  assert.ok(sum(crashes) > 300, `only ${sum(crashes)} crashes in all`);
  assert.ok(sum(ok) > 0.9 * 100 * 90, `only ${sum(ok)} ops ok`);
});

Deno.test("raft-unreliable: loss, duplication and reordering (100 seeds)", () => {
  sweep(raftUnreliable, 100, {}, (r) => {
    assert.ok(r.sim.stats.dropped > 0 && r.sim.stats.duplicated > 0);
    assert.ok(opsOk(r) >= 80, `only ${opsOk(r)} ops ok`);
  });
});

Deno.test("raft: random crashes, pauses and partitions (150 seeds)", () => {
  const kinds = new Set<string>();
  sweep(raft, 150, {}, (r) => {
    for (const k of ["crash", "pause", "partition"]) if (r.faults.includes(k)) kinds.add(k);
  });
  assert.deepEqual([...kinds].sort(), ["crash", "partition", "pause"]);
});

Deno.test("raft: harsher settings (loss and faults together, tiny snapshots, 3 and 7 servers)", () => {
  sweep(raft, 15, {
    faults: "random:crash=4,partition=3,pause=3",
    network: { loss: 0.05, duplicate: 0.1 },
    flags: { "snapshot-every": 3, clients: 4 },
  });
  sweep(raft, 10, { nodes: 3, flags: { "snapshot-every": 2, reads: "read-index" } });
  sweep(raft, 5, { nodes: 7 });
});

Deno.test("raft runs are deterministic: same seed, same trace hash", () => {
  const a = runScenario(raft, { seed: 11, trace: "hash" });
  const b = runScenario(raft, { seed: 11, trace: "hash" });
  const c = runScenario(raft, { seed: 12, trace: "hash" });
  assert.equal(a.traceHash, b.traceHash);
  assert.notEqual(a.traceHash, c.traceHash);
});

Deno.test("raft scenario notes show roles, terms and commits for the diagram", () => {
  const r = runScenario(raftLeaderCrash, { seed: 3 });
  const notes = r.sim.trace.events.flatMap((e) => e.kind === "log" ? [e.note] : []);
  for (const pattern of [/^leader t\d+$/, /^candidate t\d+$/, /^follower t\d+$/, /^commit \d+$/]) {
    assert.ok(notes.some((n) => pattern.test(n)), `no note like ${pattern}`);
  }
});
