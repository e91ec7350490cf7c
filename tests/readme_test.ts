import assert from "node:assert/strict";

/** The README's runnable TypeScript blocks: the ones that import from the repository root. */
function readmeBlocks(): string[] {
  const readme = Deno.readTextFileSync(new URL("../README.md", import.meta.url));
  return [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1])
    .filter((code) => /from "\.\/(mod|sim\/)/.test(code));
}

function runBlock(code: string, args: string[]): { code: number; out: string } {
  // Written beside README.md so its "./mod.ts" imports resolve as a reader's would.
  const file = new URL(`../.readme_block_${crypto.randomUUID()}.ts`, import.meta.url);
  Deno.writeTextFileSync(file, code);
  try {
    const out = new Deno.Command(Deno.execPath(), {
      args: [...args, file.pathname],
      env: { NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).outputSync();
    const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
    return { code: out.code, out: text };
  } finally {
    Deno.removeSync(file);
  }
}

Deno.test("README: the 'write your own actor' example runs and finishes its rounds", () => {
  const block = readmeBlocks().find((b) => b.includes("class Pinger"));
  assert.ok(block, "README has the Pinger example");
  const { code, out } = runBlock(block, ["run"]);
  assert.equal(code, 0, out);
  assert.match(out, /^true 5 [0-9a-f]{16}$/m);
});

Deno.test("README: the TestContext example asserts what the handler sent", () => {
  const block = readmeBlocks().find((b) => b.includes("new TestContext"));
  assert.ok(block, "README has the TestContext example");
  const { code, out } = runBlock(block, ["run"]);
  assert.equal(code, 0, out);
});

Deno.test("README: the layer stacking example runs: an answer is delivered after its question", () => {
  const block = readmeBlocks().find((b) => b.includes("mountBroadcast("));
  assert.ok(block, "README has the mountBroadcast example");
  const { code, out } = runBlock(block, ["run"]);
  assert.equal(code, 0, out);
  assert.equal(out.trim(), "lunch? then yes!");
});

Deno.test("README: the client-history example checks linearizability and holds", () => {
  const block = readmeBlocks().find((b) => b.includes("checkLinearizability(s.history"));
  assert.ok(block, "README has the client-history example");
  const { code, out } = runBlock(block, ["run"]);
  assert.equal(code, 0, out);
  assert.equal(out.trim(), "true 4");
});

/** The command of the README table row whose first cell is `concept`, as arguments after `sim`. */
function rowCommand(concept: string): string[] {
  const readme = Deno.readTextFileSync(new URL("../README.md", import.meta.url));
  const row = readme.split("\n").find((l) => l.startsWith(`| ${concept} `));
  assert.ok(row, `README has the row "${concept}"`);
  const command = row.match(/`deno task sim (.*?)`/)?.[1];
  assert.ok(command, row);
  // Split like a shell: single-quoted words stay whole.
  return [...command.matchAll(/'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2]);
}

Deno.test("README: course rows show what they say (a stale read, clocks lost in a crash, 2PC blocking)", async () => {
  const { cli } = await import("./_cli.ts");
  const stale = await cli(rowCommand("R + W <= N: a read misses the latest write"));
  assert.equal(stale.code, 1, stale.out.join("\n"));
  assert.match(stale.out.join("\n"), /linearizable: NO/);
  const clocks = await cli(rowCommand("clocks must be durable across crashes"));
  assert.equal(clocks.code, 1, clocks.out.join("\n"));
  assert.match(clocks.out.join("\n"), /violation of lamport-causality/);
  const blocking = await cli(
    rowCommand("the blocking case: the coordinator crashes after the votes; all in doubt"),
  );
  assert.equal(blocking.code, 1);
  const text = blocking.out.join("\n");
  assert.match(text, /Vote c1\.1 yes/, "the votes are drawn");
  assert.match(text, /X CRASH/, "and the coordinator's crash");
  assert.match(text, /undecided c1\.1 \(in doubt\)/);
});

Deno.test("the demo's CRDT hint loses an add under clock skew, as it says", async () => {
  const { cli } = await import("./_cli.ts");
  const source = Deno.readTextFileSync(new URL("../examples/_crdt_section.ts", import.meta.url));
  const hint = source.match(
    /deno task sim (run crdt-lww-set [^(]*?) \(lost adds under clock skew\)/,
  )?.[1];
  assert.ok(hint, "the demo has the hint");
  const r = await cli(hint.split(" "));
  assert.match(
    r.out.join("\n"),
    /^[1-9]\d* acknowledged add\(s\) lost to a remove that never saw them/m,
  );
});
