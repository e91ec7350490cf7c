/**
 * What a new user met running the framework's `main.ts` from a project
 * outside the repository, in processes of their own (the README's project,
 * see `_own_project.ts`): a finding kept when the shrunk file cannot be
 * written (B12), a trace replayed after the project folder moved (B13), and
 * help lines that name the program as it was started (B15).
 */

import assert from "node:assert/strict";
import { deno, makeProject, ROOT, words } from "./_own_project.ts";
import { fromFileUrl } from "./_paths.ts";

const MAIN = fromFileUrl(new URL("main.ts", ROOT));
/** The planted bug: the bank applies a duplicated transfer twice. */
const BUGGY = ["./transfer.ts#transfers", "--dup", "0.1", "--dedupe", "false"];

Deno.test("B12: without write access the finding is printed, then why its file was not saved (exit 1)", async (t) => {
  const dir = makeProject();
  try {
    const readOnly = ["run", "--no-prompt", "--allow-read", MAIN];
    await t.step("explore", () => {
      const r = deno(dir, [...readOnly, "explore", ...BUGGY, "--workers", "1"]);
      assert.equal(r.code, 1, r.out);
      assert.match(r.stdout, /^FOUND at run \d+ \(seed \d+, [^)]+\): applied-once$/m);
      const line = r.stdout.match(/ {2}the run:\n {4}(deno run .*)$/m)?.[1];
      assert.ok(line, r.stdout);
      assert.match(line, /run \.\/transfer\.ts#transfers --seed \d+ /);
      assert.match(
        r.stderr,
        /(^|\n)warning: shrunk seed \d+ \(applied-once\) to \d+ events but could not save it: --out: cannot write "transfers-seed\d+-[0-9a-f]{8}\.shrunk\.json": .*write access.*; the run line above reproduces the failure\n$/,
      );
      assert.doesNotMatch(r.out, /^error:/m);
    });
    await t.step("sweep", () => {
      const r = deno(dir, [...readOnly, "sweep", ...BUGGY, "--seeds", "1..20", "--workers", "1"]);
      assert.equal(r.code, 1, r.out);
      assert.match(r.stdout, /^ {2}seed \d+: applied-once: /m);
      assert.match(r.stdout, /^ {4}deno run -A \S*main\.ts run \.\/transfer\.ts#transfers --seed/m);
      assert.match(r.stdout, /^FAILED: \d+ of 20 seeds$/m);
      assert.match(r.stderr, /^warning: shrunk seed \d+ \(applied-once\) .*could not save it: /);
      assert.equal(r.stderr.trimEnd().split("\n").length, 1, r.stderr);
    });
    assert.deepEqual([...Deno.readDirSync(dir)].filter((e) => e.name.endsWith(".json")).length, 1);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("B13: a shrunk file replays after the project folder moved", () => {
  const dir = makeProject();
  const moved = `${dir}-moved`;
  try {
    const r = deno(dir, ["run", "-A", MAIN, "sweep", ...BUGGY, "--seeds", "1..20", "--json"]);
    assert.equal(r.code, 1, r.out);
    const shrunk = JSON.parse(r.stdout.trim().split("\n").at(-1)!).shrunk;
    const file = JSON.parse(Deno.readTextFileSync(`${dir}/${shrunk.out}`));
    assert.equal(file.relativeModule, "./transfer.ts");
    Deno.renameSync(dir, moved);
    const again = deno(moved, words(shrunk.replay));
    assert.equal(again.code, 0, again.out);
    assert.match(again.stdout, /same: transfers seed \d+ replays to trace [0-9a-f]{16}/);
    assert.match(again.stdout, /it fails applied-once/);
  } finally {
    // Whichever of the two folders is left.
    for (const d of [dir, moved]) {
      try {
        Deno.removeSync(d, { recursive: true });
      } catch { /* it was moved away */ }
    }
  }
});

Deno.test("B15: every command's help names the program as it was started", () => {
  const dir = makeProject();
  try {
    const framework = deno(dir, ["run", "-A", MAIN, "sweep", "./transfer.ts", "--help"]);
    assert.equal(framework.code, 0, framework.out);
    assert.match(framework.stdout, /Usage: deno run -A \S*main\.ts sweep/);
    // Help wraps at 100 columns, wherever the path's length puts the break.
    assert.match(framework.stdout, /\(deno\s+run\s+-A\s+\S*main\.ts\s+run\s+ping-pong\s+--help\)/);
    assert.doesNotMatch(framework.stdout, /deno task sim/);
    const own = deno(dir, ["run", "-A", "cli.ts", "replay", "--help"]);
    assert.match(own.stdout, /\(deno\s+run\s+-A\s+\.\/cli\.ts\s+run\s+transfers\s+--help\)/);
    assert.doesNotMatch(own.stdout, /deno task sim/);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
