/**
 * Issue 15: the runtime's command line (`deno task node`, `maelstrom`,
 * `cluster`) refuses bad input with exit code 2 and one line naming it,
 * before any process starts.
 */

import assert from "node:assert/strict";
import { clusterScenarios } from "../protocols/registry.ts";
import { runRuntimeCli } from "../runtime/cli.ts";

async function run(...args: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [], err: string[] = [];
  const code = await runRuntimeCli(args, {
    stdout: (s) => out.push(s),
    stderr: (s) => err.push(s),
    clusterScenarios,
  });
  return { code, out, err };
}

Deno.test("runtime cli: usage, and the cluster scenarios it knows", async () => {
  assert.equal((await run()).code, 2);
  assert.match((await run("nonsense")).err[0], /^usage:/);
  const list = await run("cluster", "--list");
  assert.equal(list.code, 0);
  assert.ok(list.out[0].startsWith("raft-kv "));
  assert.ok(list.out.some((l) => l.startsWith("maelstrom-kafka ")));
});

Deno.test("runtime cli: bad input exits 2 naming the flag", async () => {
  const cases: Array<[string[], RegExp]> = [
    [["node", "x.ts#y"], /--id: is required/],
    [["node", "x.ts#y", "--id", "n 1", "--listen", "127.0.0.1:1"], /--id "n 1" is not allowed/],
    [
      ["node", "x.ts#y", "--id", "n1", "--listen", "127.0.0.1:1", "--peers", "n1=127.0.0.1:2"],
      /--peers: lists n1, which is this node/,
    ],
    [
      ["node", "x.ts#y", "--id", "n1", "--listen", "127.0.0.1:1", "--control", "tcp"],
      /--control: the only control channel is stdin/,
    ],
    [
      ["node", "x.ts#not-an-export!", "--id", "n1", "--listen", "127.0.0.1:1"],
      /is not module#export/,
    ],
    [["cluster", "nope"], /unknown cluster scenario "nope"; known: raft-kv/],
    [["cluster", "protocols/raft/cluster.ts#raftServer"], /is not a cluster scenario/],
    [["cluster", "raft-kv", "--nodes", "0"], /nodes: raft-kv runs with 1 to 9 nodes, got 0/],
    [
      ["cluster", "raft-kv", "--faults", "@10 crash n7"],
      /no server n7; the servers are n1, n2, n3/,
    ],
    [["cluster", "raft-kv", "--faults", "@10 skew n1 +5"], /skew n1 \+5: a real cluster injects/],
    [["cluster", "raft-kv", "--seed=-1"], /--seed: must be a whole number >= 0/],
    [["cluster", "raft-kv", "--seed", "-1"], /Option '--seed' argument is ambiguous/],
    [["cluster", "raft-kv", "--what"], /arguments: Unknown option '--what'/],
  ];
  for (const [args, message] of cases) {
    const { code, err } = await run(...args);
    assert.equal(code, 2, args.join(" "));
    assert.equal(err.length, 1, args.join(" "));
    assert.match(err[0], message, args.join(" "));
  }
});
