/**
 * The documentation rules, as code: every example a reader sees runs and
 * asserts its results, and `deno doc --lint` is clean on every entry point.
 *
 * Deno's standard library checks the first rule in `_tools/check_docs.ts`
 * (a snippet must use an assertion); this is the same rule for a project
 * without JSR. A code block in a JSDoc comment that `deno test --doc` runs
 * (language `ts`, `js`, ... or none, and no `ignore`) must call an assertion
 * (`assert(...)`, `assert.equal(...)`, `assertEquals(...)`, ...), and must not
 * state a result in a comment instead (`x; // true`). An `@example` must hold
 * at least one block that runs, so no example is left out of the doc tests.
 *
 * Run it as a script for a per-file summary:
 *
 * ```sh
 * deno run --allow-read --allow-run tests/_doc_rules.ts          # summary by file
 * deno run --allow-read --allow-run tests/_doc_rules.ts --list   # every problem
 * ```
 *
 * @module
 */

/** Where a documentation problem is, and what it is. */
export interface DocProblem {
  /** Path relative to the repository root. */
  file: string;
  /** 1-based line of the code block's opening fence (or of the `@example` tag). */
  line: number;
  /** Which rule: `no-assert`, `comment-result`, `not-run` or `no-code`. */
  rule: "no-assert" | "comment-result" | "not-run" | "no-code";
  /** What to do about it. */
  message: string;
}

/** The languages `deno test --doc` runs (an empty language means the file's own, TypeScript). */
const RUN_LANGS = new Set([
  "",
  "js",
  "javascript",
  "mjs",
  "cjs",
  "jsx",
  "ts",
  "typescript",
  "mts",
  "cts",
  "tsx",
]);

/** A call of an assertion: `assert(`, `assert.equal(`, `assertEquals(`, `assertSeeds(`, ... */
const ASSERTION = /\bassert(?:[A-Z]\w*)?(?:\.\w+)?\s*\(/;

/** A value stated in a trailing comment, as in `x; // true` or `n = f(); // 3 (three nodes)`. */
const COMMENT_RESULT = new RegExp(
  String.raw`\S.*?\s//\s*(?:=>|->|→)?\s*` +
    String.raw`(?:true|false|null|undefined|NaN|-?Infinity|-?\d[\d_.e]*n?|` +
    String.raw`"[^"]*"|'[^']*'|\x60[^\x60]*\x60|\[.*\]|\{.*\})` +
    String.raw`\s*(?:$|[:(,;]|--|—)`,
);

const FENCE = /^(`{3,}|~{3,})\s*([\w-]*)(.*)$/;
const TAG = /^@(\w+)/;

/** One line of a JSDoc comment, with its `*` gutter removed. */
interface DocLine {
  text: string;
  line: number;
}

/** The JSDoc comments (`/** ... *\/` opening a line) of a source text, line by line. */
function jsDocComments(source: string): DocLine[][] {
  const lines = source.split("\n");
  const comments: DocLine[][] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = lines[i].match(/^\s*\/\*\*(.*)$/);
    if (!open) continue;
    const comment: DocLine[] = [];
    let rest = open[1];
    for (let j = i;; j++) {
      if (j >= lines.length) throw new Error(`unterminated JSDoc comment at line ${i + 1}`);
      const body = j === i ? rest : lines[j].replace(/^\s*\*?(?!\/) ?/, "");
      const end = body.indexOf("*/");
      comment.push({ text: end >= 0 ? body.slice(0, end) : body, line: j + 1 });
      if (end >= 0) {
        i = j;
        break;
      }
      rest = "";
    }
    comments.push(comment);
  }
  return comments;
}

/** The code of a block with its line comments removed, so `// assert(x)` does not count. */
function withoutComments(code: string): string {
  return code.split("\n").map((l) => l.replace(/(^|\s)\/\/.*$/, "$1")).join("\n");
}

/**
 * The documentation problems of one source file.
 *
 * @param file path shown in the problems (relative to the repository root)
 * @param source the file's text
 */
export function checkSource(file: string, source: string): DocProblem[] {
  const problems: DocProblem[] = [];
  for (const comment of jsDocComments(source)) {
    let example: { line: number; runs: number } | undefined;
    const closeExample = () => {
      if (example && example.runs === 0) {
        problems.push({
          file,
          line: example.line,
          rule: "no-code",
          message: "@example has no code block that runs: add a ```ts block that asserts",
        });
      }
      example = undefined;
    };
    for (let k = 0; k < comment.length; k++) {
      const { text, line } = comment[k];
      const trimmed = text.trim();
      const tag = trimmed.match(TAG);
      if (tag) {
        closeExample();
        if (tag[1] === "example") example = { line, runs: 0 };
        continue;
      }
      const fence = trimmed.match(FENCE);
      if (!fence) continue;
      const [, marks, lang, attrs] = fence;
      const body: DocLine[] = [];
      let j = k + 1;
      while (j < comment.length && !comment[j].text.trim().startsWith(marks)) {
        body.push(comment[j]);
        j++;
      }
      k = j;
      if (!RUN_LANGS.has(lang.toLowerCase())) continue;
      if (/\bignore\b/.test(attrs)) {
        problems.push({
          file,
          line,
          rule: "not-run",
          message: "code block marked `ignore` never runs: make it run and assert",
        });
        if (example) example.runs++;
        continue;
      }
      if (example) example.runs++;
      const code = body.map((b) => b.text).join("\n");
      if (!ASSERTION.test(withoutComments(code))) {
        problems.push({
          file,
          line,
          rule: "no-assert",
          message: "code block asserts nothing: check its results with node:assert/strict",
        });
      }
      for (const b of body) {
        const t = b.text.trim();
        if (t.startsWith("//") || ASSERTION.test(t)) continue;
        if (COMMENT_RESULT.test(t)) {
          problems.push({
            file,
            line: b.line,
            rule: "comment-result",
            message: `result stated in a comment, not asserted: ${t}`,
          });
        }
      }
    }
    closeExample();
  }
  return problems;
}

const ROOT = new URL("../", import.meta.url);

/** A path relative to the repository root, from a `file:` URL. */
function relative(url: URL | string): string {
  const href = typeof url === "string" ? url : url.href;
  if (!href.startsWith(ROOT.href)) throw new Error(`${href} is outside ${ROOT.href}`);
  return href.slice(ROOT.href.length);
}

/** The entry points in deno.json's `exports`, as paths relative to the root (`mod.ts`, ...). */
export function entryPoints(): string[] {
  const config = JSON.parse(Deno.readTextFileSync(new URL("deno.json", ROOT)));
  return Object.values(config.exports as Record<string, string>).map((p) => p.replace(/^\.\//, ""));
}

/** Every `.ts` file under `dir` (relative to the root), sorted. */
function walk(dir: string): string[] {
  const out: string[] = [];
  for (const entry of Deno.readDirSync(new URL(dir + "/", ROOT))) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory) out.push(...walk(path));
    else if (entry.isFile && entry.name.endsWith(".ts")) out.push(path);
  }
  return out.sort();
}

/**
 * The files whose documentation a user reads: every module of the repository
 * reachable from an entry point, every `.ts` under actors/, sim/, protocols/
 * and examples/, and main.ts. Sorted, relative to the root.
 */
export function documentedFiles(): string[] {
  const files = new Set<string>(["actors", "sim", "protocols", "examples"].flatMap(walk));
  files.add("main.ts");
  for (const entry of entryPoints()) {
    const out = new Deno.Command(Deno.execPath(), {
      args: ["info", "--json", entry],
      cwd: ROOT,
      env: { NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).outputSync();
    if (!out.success) {
      throw new Error(`deno info ${entry} failed:\n${new TextDecoder().decode(out.stderr)}`);
    }
    const info = JSON.parse(new TextDecoder().decode(out.stdout));
    for (const m of info.modules as { specifier: string }[]) {
      if (m.specifier.startsWith(ROOT.href)) files.add(relative(m.specifier));
    }
  }
  return [...files].sort();
}

/** The documentation problems of the given files (relative to the root). */
export function checkFiles(files: readonly string[]): DocProblem[] {
  return files.flatMap((f) => checkSource(f, Deno.readTextFileSync(new URL(f, ROOT))));
}

/** One finding of `deno doc --lint`. */
export interface LintProblem {
  /** The lint rule, as `missing-jsdoc` or `private-type-ref`. */
  rule: string;
  /** What deno doc says. */
  message: string;
  /** Path relative to the repository root. */
  file: string;
  /** 1-based line. */
  line: number;
}

/**
 * Runs `deno doc --lint` on the given entry points (relative to the root)
 * and returns its problems, read from its output.
 *
 * @param entries entry point paths, as `mod.ts`
 */
export function docLint(entries: readonly string[]): LintProblem[] {
  const out = new Deno.Command(Deno.execPath(), {
    args: ["doc", "--lint", ...entries],
    cwd: ROOT,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).outputSync();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  const problems: LintProblem[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const head = lines[i].match(/^error\[([\w-]+)\]: (.*)$/);
    if (!head) continue;
    const at = lines[i + 1]?.match(/-->\s+(.*):(\d+):\d+$/);
    if (!at) throw new Error(`deno doc --lint: no location after "${lines[i]}"`);
    const file = at[1].startsWith("/") ? relative(new URL(`file://${at[1]}`)) : at[1];
    problems.push({ rule: head[1], message: head[2], file, line: Number(at[2]) });
  }
  const total = text.match(/Found (\d+) documentation lint errors?/);
  if (out.success !== (problems.length === 0) || (total && Number(total[1]) !== problems.length)) {
    throw new Error(
      `deno doc --lint ${entries.join(" ")}: exit ${out.code}, ` +
        `read ${problems.length} problems from its output:\n${text}`,
    );
  }
  return problems;
}

if (import.meta.main) {
  const list = Deno.args.includes("--list");
  const examples = checkFiles(documentedFiles());
  const lint = docLint(entryPoints());
  if (list) {
    for (const p of examples) console.log(`${p.file}:${p.line}: [${p.rule}] ${p.message}`);
    for (const p of lint) console.log(`${p.file}:${p.line}: [doc-lint ${p.rule}] ${p.message}`);
  } else {
    const byFile = new Map<string, { blocks: number; comments: number; lint: number }>();
    const row = (f: string) => {
      if (!byFile.has(f)) byFile.set(f, { blocks: 0, comments: 0, lint: 0 });
      return byFile.get(f)!;
    };
    for (const p of examples) {
      if (p.rule === "comment-result") row(p.file).comments++;
      else row(p.file).blocks++;
    }
    for (const p of lint) row(p.file).lint++;
    console.log(
      `${"file".padEnd(44)} ${"blocks".padStart(6)} ${"//=".padStart(4)} ${"lint".padStart(4)}`,
    );
    for (const [f, r] of [...byFile].sort(([a], [b]) => a.localeCompare(b))) {
      console.log(
        `${f.padEnd(44)} ${String(r.blocks).padStart(6)} ${String(r.comments).padStart(4)} ` +
          `${String(r.lint).padStart(4)}`,
      );
    }
    console.log(
      `blocks: examples that assert nothing or do not run; //=: results stated in comments; ` +
        `lint: deno doc --lint problems (all entry points in one run)`,
    );
    console.log(`total: ${examples.length} example problems, ${lint.length} doc-lint problems`);
  }
}
