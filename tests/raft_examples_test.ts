/**
 * The Raft examples and demo section: they run, tell the story they claim,
 * fit 100 columns, and need no permissions.
 *
 * @module
 */

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { raftSection } from "../examples/_raft_section.ts";
import { raftElectionExample } from "../examples/raft_election.ts";
import { raftFigure8Example } from "../examples/raft_figure8.ts";
import { parseKvArgs, raftKvExample } from "../examples/raft_kv.ts";
import { raftPartitionExample } from "../examples/raft_partition.ts";

const fits = (text: string, width = 100) => {
  for (const line of text.split("\n")) assert.ok([...line].length <= width, `too wide: ${line}`);
};

Deno.test("the Raft demo section: the partition story and the Figure 8 violation, in 100 columns", () => {
  const text = raftSection({ color: false, width: 100 });
  fits(text);
  assert.match(text, /^── Raft/);
  assert.match(text, /partition n\d,n\d \| n\d,n\d,n\d/);
  assert.match(text, /• lost quorum t1/);
  assert.match(text, /five safety properties checked after each of \d+ events; all held/);
  assert.match(text, /leader-completeness: leader n5 of term 4 lacks entry 2/);
  assert.match(text, /deno task sim run raft-figure8 --seed 1 --unsafe-commit true --diagram/);
  assert.ok(!text.includes("\x1b["), "no colour when color is false");
  fits(raftSection({ width: 80 }), 80);
});

Deno.test("raft examples tell their stories", () => {
  const election = raftElectionExample({ seed: 2 });
  fits(election);
  assert.match(election, /prevote\? t1/);
  assert.match(election, /• leader t1/);

  const f8 = raftFigure8Example();
  fits(f8);
  fits(raftFigure8Example({ width: 80 }), 80);
  // Steps 1 to 3 say what A, B and C are before the diagrams use them.
  const steps = f8.split(/\n(?=Step \d)/);
  assert.match(steps[1], /^Step 1:[^]*n5 log: A@t1\n/);
  assert.match(steps[2], /^Step 2:[^]*n2 log: A@t1 B@t1\n {2}n3 log: A@t1\n/);
  assert.match(steps[3], /^Step 3:[^]*n1 log: A@t1 B@t1 {2}\(down\)[^]*n5 log: A@t1 C@t2\n/);
  assert.equal(f8.match(/n\d log: A@t1 C@t2 D@t4 {2}x = "D"/g)?.length, 5);
  assert.match(f8, /every safety check held after every event/);
  assert.match(f8, /n2 log: A@t1 B@t1 {2}x = "B"/);
  assert.match(f8, /violation of leader-completeness/);

  const partition = raftPartitionExample({ seed: 3 });
  assert.match(partition, /heal: every link restored/);
  assert.match(partition, /\nevery check held\n/);
  assert.match(
    raftPartitionExample({ seed: 3, preVote: false }),
    /VIOLATION pre-vote: the term rose/,
  );

  const kv = raftKvExample(2);
  fits(kv);
  assert.match(kv, /faults: @500 crash n1; [^]*@3200 restart n5\n/);
  assert.match(kv, /safety: every check held after every event/);
  assert.match(kv, /linearizable: ok/);
});

Deno.test("a raft example runs with no permissions at all", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--no-prompt", "examples/raft_kv.ts", "--seed", "3"],
    cwd: fileURLToPath(new URL("..", import.meta.url)),
    stdin: "null",
  }).output();
  const stdout = new TextDecoder().decode(out.stdout);
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  assert.match(stdout, /linearizable: ok/);
});

Deno.test("raft_kv: a bad argument is one line naming it and what is allowed, exit 2", async () => {
  assert.deepEqual(parseKvArgs([]), { seed: 1 });
  assert.deepEqual(parseKvArgs(["--seed", "7"]), { seed: 7 });
  for (const args of [["--seed", "abc"], ["--seed", "1.5"], ["--seed=-1"], ["--bogus"], ["x"]]) {
    const parsed = parseKvArgs(args);
    assert.ok("error" in parsed, args.join(" "));
    assert.match(parsed.error, /^(--seed|Unknown option '--bogus'|Unexpected argument 'x')/);
    assert.match(parsed.error, /allowed: --seed N/);
  }
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--no-prompt", "examples/raft_kv.ts", "--seed", "abc"],
    cwd: fileURLToPath(new URL("..", import.meta.url)),
    stdin: "null",
  }).output();
  const stderr = new TextDecoder().decode(out.stderr);
  assert.equal(out.code, 2, stderr);
  assert.equal(stderr, "--seed abc: allowed: --seed N, N a whole number (0 to 2^53 - 1)\n");
});
