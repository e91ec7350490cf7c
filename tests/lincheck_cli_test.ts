import assert from "node:assert/strict";
import { runCli } from "../sim/cli.ts";
import { scenarios } from "../protocols/registry.ts";

async function cli(args: string[]) {
  const out: string[] = [], err: string[] = [];
  const code = await runCli(scenarios, args, {
    stdout: (s) => out.push(s),
    stderr: (s) => err.push(s),
  });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

// Lecture 7.2: c3 reads the old value after c2 has seen the new one.
const staleRead = [
  { client: "c1", f: "write", input: 1, call: 0, ret: 10 },
  { client: "c2", f: "read", output: 1, call: 2, ret: 4 },
  { client: "c3", f: "read", output: null, call: 5, ret: 7 },
];

Deno.test("sim lincheck: verdicts and exit codes through the command line", async (t) => {
  const dir = Deno.makeTempDirSync();
  const bad = `${dir}/stale.json`, good = `${dir}/good.json`, edn = `${dir}/history.edn`;
  Deno.writeTextFileSync(bad, JSON.stringify(staleRead));
  Deno.writeTextFileSync(good, JSON.stringify(staleRead.slice(0, 2)));
  Deno.writeTextFileSync(
    edn,
    [
      "{:process 0, :type :invoke, :f :write, :value 1}",
      "{:process 0, :type :ok, :f :write, :value 1}",
      "{:process 1, :type :invoke, :f :read, :value nil}",
      "{:process 1, :type :ok, :f :read, :value 1}",
    ].join("\n"),
  );
  await t.step(
    "a stale read is not linearizable: exit 1, the ops that cannot be ordered",
    async () => {
      const r = await cli(["lincheck", bad, "--model", "register"]);
      assert.equal(r.code, 1);
      assert.match(r.out, /NOT linearizable/);
      assert.match(r.out, /c3/);
    },
  );
  await t.step("--json prints one line with linearizable, ops and ms", async () => {
    const r = await cli(["lincheck", bad, "--model", "register", "--json"]);
    const json = JSON.parse(r.out);
    assert.deepEqual([json.linearizable, json.ops], [false, 3]);
    assert.equal(typeof json.ms, "number");
  });
  await t.step("a linearizable history exits 0, JSON and EDN alike", async () => {
    assert.equal((await cli(["lincheck", good, "--model", "register"])).code, 0);
    const r = await cli(["lincheck", edn, "--model", "register", "--json"]);
    assert.equal(r.code, 0);
    assert.equal(JSON.parse(r.out).linearizable, true);
  });
  await t.step("bad input exits 2 with one line naming it", async () => {
    for (
      const args of [
        ["lincheck", bad, "--model", "nope"],
        ["lincheck", `${dir}/missing.json`, "--model", "register"],
        ["lincheck", bad, "--model", "register", "--timeout-ms", "-1"],
        ["lincheck", bad],
      ]
    ) {
      const r = await cli(args);
      assert.equal(r.code, 2, args.join(" "));
      assert.equal(r.err.trim().split("\n").length, 1, r.err);
      assert.doesNotMatch(r.err, / {4}at /);
      assert.match(r.err, /^error: /, "as every command's bad input reads");
    }
    assert.match(
      (await cli(["lincheck", bad, "--model", "nope"])).err,
      /^error: --model: unknown model "nope"/,
    );
  });
  await t.step("a malformed line is named by its number", async () => {
    const broken = `${dir}/broken.json`;
    Deno.writeTextFileSync(
      broken,
      '{"client":"c1","f":"write","input":1,"call":0,"ret":1}\n{oops\n',
    );
    const r = await cli(["lincheck", broken, "--model", "register"]);
    assert.equal(r.code, 2);
    assert.match(r.err, /^error: .*broken\.json:2: /);
  });
});
