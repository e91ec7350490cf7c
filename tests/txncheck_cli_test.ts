// Issue 14, item 5: `deno task sim txncheck <file> [--json]` reads the project's JSON form and
// Jepsen's history.edn for list-append and rw-register, with lincheck's exit codes.

import assert from "node:assert/strict";
import { cli as run } from "./_cli.ts";

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const r = await run(args);
  return { code: r.code, out: r.out.join("\n"), err: r.err.join("\n") };
}
import { txncheckCommand } from "../sim/check/txncheck_command.ts";

// Write skew in the JSON form: each reads the other's key empty, then appends to its own.
const writeSkew = [
  { client: 1, f: "txn", output: [["r", "x", []], ["append", "y", 1]], call: 0, ret: 5 },
  { client: 2, f: "txn", output: [["r", "y", []], ["append", "x", 1]], call: 0, ret: 5 },
];

// The Elle paper's example (figure 2), as a Jepsen history: a G-single.
const paperEdn = [
  "{:process 0, :type :invoke, :f :txn, :value [[:append 253 1] [:append 253 3] [:append 253 4] [:append 255 2] [:append 255 3] [:append 255 4] [:append 255 5] [:append 256 1] [:append 256 2]]}",
  "{:process 0, :type :ok, :f :txn, :value [[:append 253 1] [:append 253 3] [:append 253 4] [:append 255 2] [:append 255 3] [:append 255 4] [:append 255 5] [:append 256 1] [:append 256 2]]}",
  "{:process 1, :type :invoke, :f :txn, :value [[:append 255 8] [:r 253 nil]]}",
  "{:process 1, :type :ok, :f :txn, :value [[:append 255 8] [:r 253 [1 3 4]]]}",
  "{:process 2, :type :invoke, :f :txn, :value [[:append 256 4] [:r 255 nil] [:r 256 nil] [:r 253 nil]]}",
  "{:process 2, :type :ok, :f :txn, :value [[:append 256 4] [:r 255 [2 3 4 5 8]] [:r 256 [1 2 4]] [:r 253 [1 3 4]]]}",
  "{:process :nemesis, :type :info, :f :kill, :value nil}",
  "{:process 3, :type :invoke, :f :txn, :value [[:append 250 10] [:r 253 nil] [:r 255 nil] [:append 256 3]]}",
  "{:process 3, :type :ok, :f :txn, :value [[:append 250 10] [:r 253 [1 3 4]] [:r 255 [2 3 4 5]] [:append 256 3]]}",
].join("\n");

Deno.test("sim txncheck: verdicts and exit codes through the command line", async (t) => {
  const dir = Deno.makeTempDirSync();
  const skew = `${dir}/skew.json`, paper = `${dir}/history.edn`, clean = `${dir}/clean.jsonl`;
  Deno.writeTextFileSync(skew, JSON.stringify(writeSkew));
  Deno.writeTextFileSync(paper, paperEdn);
  Deno.writeTextFileSync(
    clean,
    [
      '{"client": "a", "f": "txn", "output": [["w", "x", 1]], "call": 0, "ret": 2}',
      '{"client": "b", "f": "txn", "output": [["r", "x", 1], ["w", "x", 2]], "call": 3, "ret": 5}',
      '{"client": "c", "f": "txn", "input": [["w", "y", 9]], "call": 4, "unknown": true}',
    ].join("\n"),
  );

  await t.step("write skew is G2: exit 1, the cycle and the models it rules out", async () => {
    const r = await cli(["txncheck", skew]);
    assert.equal(r.code, 1);
    assert.match(r.out, /NOT strict-serializable \(list-append, 2 transactions/);
    assert.match(r.out, /anomalies: G2\n/);
    assert.match(r.out, /rules out: repeatable-read \(and so serializable/);
    assert.match(r.out, /T0 -rw-> T1: T0 read x empty, before T1's append of 1/);
  });
  await t.step("--consistency snapshot-isolation allows write skew: exit 0", async () => {
    assert.equal((await cli(["txncheck", skew, "--consistency", "snapshot-isolation"])).code, 0);
  });
  await t.step("Jepsen EDN: the Elle paper's G-single, with its line numbers", async () => {
    const r = await cli(["txncheck", paper, "--consistency", "serializable"]);
    assert.equal(r.code, 1);
    assert.match(r.out, /G-single \(read skew[^\n]*: T3 -rw-> T1 -wr-> T2 -ww-> T3/);
    assert.match(r.out, /T3 = line 8, client 3, ok/);
    assert.match(r.out, /T3 read 255 without T1's append of 8, which came after 5/);
  });
  await t.step("--json prints one object: valid, anomalyTypes, not, anomalies", async () => {
    const r = await cli(["txncheck", paper, "--json"]);
    const json = JSON.parse(r.out);
    assert.equal(json.valid, false);
    assert.deepEqual(json.anomalyTypes, ["G-single", "G-single-realtime"]);
    assert.deepEqual(json.not, ["repeatable-read", "snapshot-isolation"]);
    assert.deepEqual(json.anomalies[0].ops, [3, 1, 2]);
    assert.equal(json.transactions, 4);
  });
  await t.step("a clean rw-register history exits 0 (workload detected)", async () => {
    const r = await cli(["txncheck", clean]);
    assert.equal(r.code, 0, r.out + r.err);
    assert.match(r.out, /strict-serializable: no anomaly found \(rw-register, 3 transactions/);
  });
  await t.step("bad input exits 2 with one line naming it", async () => {
    for (
      const args of [
        ["txncheck", skew, "--model", "queue"],
        ["txncheck", skew, "--model", "rw-register"],
        ["txncheck", skew, "--consistency", "linearizable"],
        ["txncheck", skew, "--timeout-ms", "0"],
        ["txncheck", `${dir}/missing.json`],
      ]
    ) {
      const r = await cli(args);
      assert.equal(r.code, 2, args.join(" "));
      assert.equal(r.err.trim().split("\n").length, 1, r.err);
      assert.doesNotMatch(r.err, / {4}at /);
    }
  });
  await t.step("a malformed or unreadable transaction is named by its line", async () => {
    const broken = `${dir}/broken.edn`;
    Deno.writeTextFileSync(
      broken,
      [
        "{:process 0, :type :invoke, :f :txn, :value [[:append :x 1]]}",
        "{:process 0, :type :ok, :f :txn, :value [[:append :x 1]]}",
        "{:process 1, :type :invoke, :f :txn, :value [[:incr :x 1]]}",
        "{:process 1, :type :ok, :f :txn, :value [[:incr :x 1]]}",
      ].join("\n"),
    );
    const r = await cli(["txncheck", broken]);
    assert.equal(r.code, 2);
    assert.match(r.err, /broken\.edn:3: .*function ":incr"/);
    const syntax = `${dir}/syntax.json`;
    Deno.writeTextFileSync(
      syntax,
      '{"client": 1, "f": "txn", "output": [], "call": 0, "ret": 1}\n{oops',
    );
    assert.match((await cli(["txncheck", syntax])).err, /syntax\.json:2: /);
  });
  await t.step("a budget spent before any anomaly is found: exit 3, valid null", () => {
    const out = txncheckCommand(JSON.stringify(writeSkew), "skew.json", {
      maxSteps: 3,
      json: true,
    });
    assert.equal(out.exitCode, 3);
    assert.equal(JSON.parse(out.stdout).valid, null);
  });
});
