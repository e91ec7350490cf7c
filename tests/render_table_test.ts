import assert from "node:assert/strict";
import { formatTable } from "../sim/render/table.ts";

Deno.test("table: columns as wide as their widest cell, short rows padded", () => {
  const text = formatTable(["a", "bb"], [["long cell"], [1, 2]]);
  assert.deepEqual(text.split("\n"), [
    "┌───────────┬────┐",
    "│ a         │ bb │",
    "├───────────┼────┤",
    "│ long cell │    │",
    "│ 1         │ 2  │",
    "└───────────┴────┘",
  ]);
});

Deno.test("table: a row with more cells than columns is refused, naming the row", () => {
  assert.throws(
    () => formatTable(["a"], [["x"], ["y", "z"]]),
    /^RangeError: table row 1 has 2 cells, more than the 1 columns$/,
  );
});

Deno.test("issue 10: the quorum protocol's import graph holds no command-line package", () => {
  const out = new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", new URL("../protocols/quorum/mod.ts", import.meta.url).pathname],
    stdout: "piped",
    stderr: "piped",
  }).outputSync();
  assert.ok(out.success, new TextDecoder().decode(out.stderr));
  const graph = new TextDecoder().decode(out.stdout);
  for (const cli of ["cli-table3", "cli-progress", "commander"]) {
    assert.ok(!graph.includes(`npm:${cli}`) && !graph.includes(`npm:/${cli}`), cli);
  }
  assert.match(graph, /protocols\/quorum\/availability\.ts/); // the table's module is in it
});
