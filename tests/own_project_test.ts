/**
 * The README's "Use it in your own project", exactly as written: its files
 * go into a temporary directory outside the repository, with an empty
 * `deno.json`, importing the framework by file URL; then, from that
 * directory, `deno test` passes, a planted failure fails with a report whose
 * replay line works, and the command line (the framework's `main.ts` by path,
 * and the project's own `cli.ts`) runs, sweeps, shrinks and replays the
 * project's scenario. Every command line the framework prints is run as
 * printed.
 */

import assert from "node:assert/strict";
import { deno, makeProject, projectFiles, ROOT, words } from "./_own_project.ts";
import { fromFileUrl } from "./_paths.ts";

Deno.test("the README's own-project example works from a directory outside the repository", async (t) => {
  const files = projectFiles();
  assert.deepEqual([...files.keys()].sort(), ["cli.ts", "transfer.ts", "transfer_test.ts"]);
  // The framework by file URL; the project's own deno.json says nothing.
  const dir = makeProject();
  const root = fromFileUrl(ROOT);
  try {
    await t.step("deno test passes: 200 seeds with faults", () => {
      const r = deno(dir, ["test", "-A", "transfer_test.ts"]);
      assert.equal(r.code, 0, r.out);
      assert.match(r.out, /every transfer is applied exactly once \.\.\. ok/);
    });

    await t.step("a planted failure fails with its report, and its replay line works", () => {
      Deno.writeTextFileSync(
        `${dir}/planted_test.ts`,
        [
          `import { assertSeeds } from "${ROOT.href}mod.ts";`,
          `import { transfers } from "./transfer.ts";`,
          `Deno.test("without dedupe", () => {`,
          `  assertSeeds(transfers, { seeds: { from: 1, to: 200 }, network: { duplicate: 0.1 },`,
          `    flags: { dedupe: false } });`,
          `});`,
        ].join("\n"),
      );
      const r = deno(dir, ["test", "-A", "planted_test.ts"]);
      assert.equal(r.code, 1, r.out);
      assert.match(r.out, /transfers: seed \d+ failed/);
      assert.match(r.out, /violation of applied-once: balance 6 of 5/);
      assert.match(r.out, /last \d+ events before it:/);
      const replay = r.out.match(/^replay: (deno run .*)$/m)?.[1];
      assert.ok(replay, r.out);
      assert.match(replay, /^deno run -A \S*main\.ts run \.\/transfer\.ts#transfers --seed \d+ /);
      const again = deno(dir, words(replay));
      assert.equal(again.code, 1, again.out);
      assert.match(again.out, /violation of applied-once: balance 6 of 5/);
      assert.match(again.out, /sender +bank/, "the diagram");
    });

    const main = `${root}main.ts`;
    await t.step("the framework's command line runs the module's scenario by reference", () => {
      const r = deno(dir, [
        "run",
        "-A",
        main,
        "run",
        "./transfer.ts#transfers",
        "--seed",
        "3",
        "--json",
      ]);
      assert.equal(r.code, 0, r.out);
      const json = JSON.parse(r.out.trim().split("\n").at(-1)!);
      assert.equal(json.ok, true);
      assert.match(json.replay, /run \.\/transfer\.ts#transfers --seed 3$/);
    });

    await t.step("a sweep finds the planted bug, shrinks it, and its replay line draws it", () => {
      const r = deno(dir, [
        "run",
        "-A",
        main,
        "sweep",
        "./transfer.ts#transfers",
        "--seeds",
        "1..200",
        "--dup",
        "0.1",
        "--dedupe",
        "false",
        "--workers",
        "2",
        "--json",
      ]);
      assert.equal(r.code, 1, r.out);
      const report = JSON.parse(r.out.trim().split("\n").at(-1)!);
      assert.ok(report.failed > 0);
      assert.equal(report.failures[0].check, "applied-once");
      // The failure's own replay line runs from here.
      const failure = deno(dir, words(report.failures[0].replay));
      assert.equal(failure.code, 1, failure.out);
      // The shrunk run was saved here, with its draws, and its line replays and draws it.
      const shrunk = report.shrunk;
      assert.ok(shrunk.eventsAfter <= shrunk.eventsBefore);
      assert.ok(Deno.statSync(`${dir}/${shrunk.out}`).isFile);
      assert.match(shrunk.replay, /^deno run -A \S*main\.ts replay \S+\.shrunk\.json --diagram$/);
      const replayed = deno(dir, words(shrunk.replay));
      assert.equal(replayed.code, 0, replayed.out);
      assert.match(replayed.out, /same: transfers seed \d+ replays to trace [0-9a-f]{16}/);
      assert.match(replayed.out, /it fails applied-once/);
      assert.match(replayed.out, /VIOLATION applied-once at bank/);
    });

    await t.step("the project's own cli.ts serves its scenario by name", () => {
      const r = deno(dir, ["run", "-A", "cli.ts", "run", "transfers", "--seed", "3", "--json"]);
      assert.equal(r.code, 0, r.out);
      assert.equal(JSON.parse(r.out.trim().split("\n").at(-1)!).ok, true);
      const help = deno(dir, ["run", "-A", "cli.ts", "run", "transfers", "--help"]);
      assert.match(help.out, /--dedupe \[bool\]/);
      assert.match(help.out, /Usage: deno run -A \.\/cli\.ts run/);
    });
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
