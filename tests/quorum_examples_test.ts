import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { quorumSection } from "../examples/_quorum_section.ts";
import { scenarios } from "../protocols/registry.ts";
import { EXIT, runCli } from "../sim/cli.ts";

const root = fileURLToPath(new URL("..", import.meta.url));

/** Runs an example in its own process with no permissions at all. */
async function runExample(path: string) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--no-prompt", path],
    cwd: root,
    stdin: "null",
    env: { NO_COLOR: "1" },
  }).output();
  const decode = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stdout: decode(out.stdout), stderr: decode(out.stderr) };
}

Deno.test("the demo section shows the anomaly, the fix and the table, within 100 columns", () => {
  const text = quorumSection({ color: false });
  for (const line of text.split("\n")) assert.ok([...line].length <= 100, line);
  assert.match(text, /^── Quorums/);
  assert.match(text, /seed \d+ is not/);
  assert.match(text, /new then old: op \d+ \(c\d\) read x/);
  assert.match(text, /linearizable: NO/);
  assert.match(text, /Seeds 1\.\.\d+ are then all linearizable/);
  assert.match(text, /│ 3 │ 2 │ 2 │ ABD +│ yes +│ 1 down │ 1 down │ linearizable +│ agrees │/);
  assert.ok(!text.includes("\x1b["), "no colour when color is false");
  // The printed command replays the violation.
  const replay = text.match(/deno task sim run (quorum .*)$/m)?.[1];
  assert.ok(replay, text);
  const out: string[] = [];
  const code = runCli(["run", ...replay.split(" "), "--json"], {
    registry: scenarios,
    stdout: (s) => out.push(s),
    stderr: (s) => out.push(s),
  });
  assert.equal(code, EXIT.violation, out.join("\n"));
  assert.equal(JSON.parse(out[0]).violations[0].check, "linearizability");
});

Deno.test("both examples run with no permissions", async () => {
  const [quorum, consistency] = await Promise.all([
    runExample("examples/quorum.ts"),
    runExample("examples/consistency_demo.ts"),
  ]);
  assert.equal(quorum.code, 0, quorum.stderr);
  assert.equal(quorum.stderr, "");
  assert.match(quorum.stdout, /stale read: op \d+/);
  assert.match(quorum.stdout, /--read-repair none +runs ending with a replica behind: +\d+/);
  assert.doesNotMatch(quorum.stdout, /DIFFERS/);
  assert.equal(consistency.code, 0, consistency.stderr);
  assert.equal(consistency.stderr, "");
  assert.match(consistency.stdout, /new then old: op \d+/);
  assert.match(consistency.stdout, /Seeds 1\.\.1000: no violation/);
  assert.match(consistency.stdout, /1000 seeds in \d+ ms: 0 violations/);
  assert.match(consistency.stdout, /seed \d+ loses an update/);
});
