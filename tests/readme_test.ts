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
