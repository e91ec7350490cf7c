/**
 * The mutation suite's own checks, fast enough for `deno task test`: every
 * mutant applies cleanly to the current tree (issue 11, item 6: the suite
 * must keep applying as the code moves), names a registered scenario, and
 * the harness reads explore's report and prints and parses its table.
 * Running the suite itself (`deno task mutants`) takes many minutes and is
 * not part of the tests.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { scenarios } from "../protocols/registry.ts";
import { mutants } from "./mutants/mod.ts";
import { applyEdit, MutantError, mutatedFiles, occurrences } from "./mutants/mutant.ts";
import { exploreArgs, ROOT } from "./mutants/run.ts";
import {
  formatTable,
  median,
  type MutantRow,
  parseTable,
  rowOf,
  summaryLine,
} from "./mutants/table.ts";

Deno.test("mutants: at least 25, uniquely named, across every protocol", () => {
  assert.ok(mutants.length >= 25, `only ${mutants.length} mutants`);
  const names = mutants.map((m) => m.name);
  assert.equal(new Set(names).size, names.length, "mutant names are unique");
  for (const name of names) assert.match(name, /^[a-z0-9]+(-[a-z0-9]+)*$/);
  const protocols = new Set(mutants.map((m) => m.protocol));
  for (
    const p of [
      "gossip",
      "clocksync",
      "clocks",
      "broadcast",
      "quorum",
      "smr",
      "paxos",
      "raft",
      "commit",
      "crdt",
      "txn-kv",
      "spanner",
    ]
  ) {
    assert.ok(protocols.has(p), `a mutant of ${p}`);
  }
});

Deno.test("mutants: each applies cleanly to the current tree and names a scenario", () => {
  for (const m of mutants) {
    assert.ok(scenarios.has(m.scenario), `${m.name}: scenario ${m.scenario} is registered`);
    assert.ok(m.edits.length >= 1 && m.edits.length <= 5, `${m.name}: one to five edits`);
    const changed = mutatedFiles(m, (file) => Deno.readTextFileSync(join(ROOT, file)));
    for (const [file, text] of changed) {
      assert.notEqual(text, Deno.readTextFileSync(join(ROOT, file)), `${m.name} changes ${file}`);
    }
  }
});

Deno.test("mutants: an edit must match exactly once", () => {
  assert.equal(occurrences("a b a", "a"), 2);
  assert.equal(applyEdit("x = 1;", { file: "f.ts", find: "1", replace: "2" }), "x = 2;");
  assert.throws(
    () => applyEdit("a a", { file: "f.ts", find: "a", replace: "b" }, "m"),
    (e: unknown) =>
      e instanceof MutantError && /m: f\.ts must hold "a" exactly once, found 2/.test(e.message),
  );
  assert.throws(
    () => applyEdit("a", { file: "f.ts", find: "zz", replace: "b" }),
    /exactly once, found 0/,
  );
});

Deno.test("mutants: explore's --json report becomes a row; the table prints and parses back", () => {
  const report = {
    scenario: "lamport",
    strategy: "mixed",
    runs: 7,
    found: true,
    firstFailure: { run: 6, seed: 7, strategy: "swarm", check: "lamport-order", message: "m" },
    shrunk: { events: 12, delivered: 4, nodes: 2, faults: 0, runs: 30, file: "f", command: "c" },
    sometimes: {},
  };
  const found = rowOf(
    "lamport-receive-no-max",
    "lamport",
    `noise\n${JSON.stringify(report)}\n`,
    1.23,
  );
  assert.deepEqual(found, {
    mutant: "lamport-receive-no-max",
    scenario: "lamport",
    found: "yes",
    runs: 7,
    check: "lamport-order",
    events: 12,
    delivered: 4,
    seconds: 1.2,
  });
  const none = { ...report, runs: 1000, found: false, firstFailure: null, shrunk: null };
  const missed = rowOf("gcounter-merge-min", "crdt-counter", JSON.stringify(none), 30);
  assert.equal(missed.found, "no");
  assert.equal(missed.runs, null);
  const broken = rowOf("x", "raft", "error: boom", 0.5);
  assert.equal(broken.found, "error");
  const rows: MutantRow[] = [found, missed, broken];
  const table = formatTable(rows);
  assert.match(table.split("\n")[0], /^mutant\s+scenario\s+found\s+runs\s+events\s+delivered/);
  assert.deepEqual(parseTable(`some log line\n${table}\n${summaryLine(rows, 1000)}`), rows);
  assert.equal(
    summaryLine(rows, 1000),
    "found 1 of 3 within 1000 runs; median shrunk repro 12 events (4 delivered); " +
      "1 at 25 events or fewer; 1 errors",
  );
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 2, 3]), 2.5);
  assert.equal(median([]), null);
});

Deno.test("mutants: explore runs with the default strategy and nothing tuned to the mutant", () => {
  const m = mutants[0];
  const args = exploreArgs(m, { runs: 1000 });
  assert.deepEqual(args.slice(args.indexOf("explore")), [
    "explore",
    m.scenario,
    "--json",
    "--runs",
    "1000",
  ]);
  const baseline = exploreArgs(m, { runs: 1000, strategy: "random", workers: 2 });
  assert.deepEqual(baseline.slice(-4), ["--strategy", "random", "--workers", "2"]);
});
