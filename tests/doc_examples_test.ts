/**
 * Issue 10, "entry points a user can guess": `deno doc --lint` is clean on
 * every entry point, and every `@example` asserts its results (Deno std's
 * rule), so the doc tests can fail.
 *
 * The checker's own tests come first; then the two rules over the whole
 * repository, which a new module breaks until its docs follow them.
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  checkFiles,
  checkSource,
  docLint,
  type DocProblem,
  documentedFiles,
  entryPoints,
} from "./_doc_rules.ts";

/** Wraps example lines in one JSDoc comment, as a source file would hold them. */
function jsdoc(...lines: string[]): string {
  return ["/**", ...lines.map((l) => ` * ${l}`.trimEnd()), " */", "export const x = 1;"].join("\n");
}

function rules(problems: DocProblem[]): string[] {
  return problems.map((p) => `${p.line}:${p.rule}`);
}

Deno.test("doc rules: an example that asserts its result passes", () => {
  const source = jsdoc(
    "@example",
    "```ts",
    'import assert from "node:assert/strict";',
    "assert.equal(1 + 2, 3);",
    "```",
  );
  assert.deepEqual(checkSource("a.ts", source), []);
});

Deno.test("doc rules: every assertion form counts", () => {
  for (
    const call of [
      "assert(ok)",
      "assert.ok(ok)",
      "assert.deepEqual(a, b)",
      "assert.throws(() => f())",
      "await assert.rejects(f())",
      "assert.match(s, /x/)",
      "assertEquals(a, b)",
      "assertSeeds(s, { seeds: 7 })",
    ]
  ) {
    assert.deepEqual(checkSource("a.ts", jsdoc("@example", "```ts", `${call};`, "```")), [], call);
  }
});

Deno.test("doc rules: a block without an assertion is named by file and fence line", () => {
  const source = jsdoc("Adds.", "", "@example", "```ts", "const n = 1 + 2;", "```");
  assert.deepEqual(checkSource("sim/a.ts", source), [{
    file: "sim/a.ts",
    line: 5,
    rule: "no-assert",
    message: "code block asserts nothing: check its results with node:assert/strict",
  }]);
});

Deno.test("doc rules: a type-only example must still assert something", () => {
  const source = jsdoc(
    "@example",
    "```ts",
    'import type { Options } from "./a.ts";',
    "const o: Options = { seed: 3 };",
    "```",
  );
  assert.deepEqual(rules(checkSource("a.ts", source)), ["3:no-assert"]);
});

Deno.test("doc rules: an assertion inside a comment does not count", () => {
  const source = jsdoc("@example", "```ts", "f(); // assert.equal(f(), 3)", "```");
  assert.deepEqual(rules(checkSource("a.ts", source)), ["3:no-assert"]);
});

Deno.test("doc rules: a result stated in a comment is named by its own line", () => {
  const source = jsdoc(
    "@example",
    "```ts",
    'import assert from "node:assert/strict";',
    "assert.ok(true);",
    "c.happensBefore(0, 2); // true: send -> delivery",
    'const v = clock.tick("a"); // {a:1}',
    'name; // "n1"',
    "list.length; // 3",
    "sim.run({ until: 100 }); // 100 ms of virtual time pass",
    "// a comment of its own: 3",
    "assert.equal(n, 3); // 3",
    "```",
  );
  assert.deepEqual(rules(checkSource("a.ts", source)), [
    "6:comment-result",
    "7:comment-result",
    "8:comment-result",
    "9:comment-result",
  ]);
});

Deno.test("doc rules: blocks that do not run as doc tests are not examples to assert", () => {
  const source = jsdoc(
    "A diagram:",
    "```text",
    "a -> b",
    "```",
    "@example",
    "```sh",
    "deno task sim run gossip",
    "```",
    "```ts",
    "assert.ok(1);",
    "```",
  );
  assert.deepEqual(checkSource("a.ts", source), []);
});

Deno.test("doc rules: a block without a language runs (as TypeScript) and must assert", () => {
  const source = jsdoc("@example", "```", "f();", "```");
  assert.deepEqual(rules(checkSource("a.ts", source)), ["3:no-assert"]);
});

Deno.test("doc rules: an ignored block never runs, and an example with no runnable block is named", () => {
  const ignored = jsdoc("@example", "```ts ignore", "assert.ok(f());", "```");
  assert.deepEqual(rules(checkSource("a.ts", ignored)), ["3:not-run"]);
  const textOnly = jsdoc("Intro.", "@example Output", "```text", "ok", "```", "@param x a thing");
  assert.deepEqual(rules(checkSource("a.ts", textOnly)), ["3:no-code"]);
});

Deno.test("doc rules: every JSDoc comment of a file is read, each line counted", () => {
  const source = [
    "// not JSDoc: /** ```ts f(); ``` */",
    "/** One line. */",
    "export const a = 1;",
    "",
    "export class C {",
    "  /**",
    "   * A method.",
    "   *",
    "   * @example",
    "   * ```ts",
    "   * new C().m();",
    "   * ```",
    "   */",
    "  m(): void {}",
    "}",
  ].join("\n");
  assert.deepEqual(rules(checkSource("a.ts", source)), ["10:no-assert"]);
});

Deno.test("doc rules: the documented files include every entry point and what it reaches", () => {
  const files = documentedFiles();
  for (const entry of entryPoints()) assert.ok(files.includes(entry), entry);
  assert.ok(files.includes("actors/actor.ts"));
  assert.ok(files.includes("sim/simulation.ts"));
  assert.ok(files.includes("examples/demo.ts") && files.includes("main.ts"));
  assert.ok(files.every((f) => f.endsWith(".ts") && !f.startsWith("tests/")), files.join(" "));
});

Deno.test("doc rules: deno doc --lint problems are read with their file, line and rule", () => {
  // Written inside the repository, so its problems are named relative to the root.
  const name = `tests/.doc_lint_probe_${crypto.randomUUID()}.ts`;
  const file = new URL(`../${name}`, import.meta.url);
  Deno.writeTextFileSync(
    file,
    [
      "/** A module. @module */",
      "interface Hidden { a: number }",
      "/** Documented. */",
      "export function f(h: Hidden): number { return h.a; }",
      "export const undocumented = 1;",
      "",
    ].join("\n"),
  );
  try {
    const found = docLint([name]).map((p) => `${p.file}:${p.line}:${p.rule}`).sort();
    assert.deepEqual(found, [`${name}:4:private-type-ref`, `${name}:5:missing-jsdoc`]);
  } finally {
    Deno.removeSync(file);
  }
});

Deno.test({
  name: "issue 10: every @example in every documented module runs and asserts its results",
  fn() {
    const problems = checkFiles(documentedFiles());
    assert.equal(
      problems.length,
      0,
      `${problems.length} examples state results nothing checks:\n` +
        problems.map((p) => `${p.file}:${p.line}: [${p.rule}] ${p.message}`).join("\n"),
    );
  },
});

Deno.test({
  name: "issue 10: deno doc --lint reports 0 problems on the entry points in deno.json",
  fn() {
    // All entry points in one run, as Deno std lints its packages and JSR documents
    // them: a type exported by one entry point is public for the others.
    const problems = docLint(entryPoints());
    assert.equal(
      problems.length,
      0,
      `${problems.length} problems:\n` +
        problems.map((p) => `${p.file}:${p.line}: [${p.rule}] ${p.message}`).join("\n"),
    );
  },
});
