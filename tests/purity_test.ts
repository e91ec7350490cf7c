import assert from "node:assert/strict";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

/** Every .ts file under `dir` (relative to the repository root), recursively. */
async function tsFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const entry of Deno.readDir(join(ROOT, dir))) {
    const path = join(dir, entry.name);
    if (entry.isDirectory) out.push(...await tsFiles(path));
    else if (entry.isFile && entry.name.endsWith(".ts")) out.push(path);
  }
  return out.sort();
}

/**
 * Blanks out `//` and `/* *\/` comments, keeping strings (a `//` inside a
 * string is not a comment) and every newline (so line numbers stay right).
 */
function stripComments(src: string): string {
  let out = "";
  let i = 0;
  while (i < src.length) {
    const c = src[i], next = src[i + 1];
    if (c === "/" && next === "/") {
      while (i < src.length && src[i] !== "\n") (out += " "), i++;
    } else if (c === "/" && next === "*") {
      out += "  ";
      i += 2;
      while (i < src.length && !(src[i] === "*" && src[i + 1] === "/")) {
        out += src[i] === "\n" ? "\n" : " ";
        i++;
      }
      out += "  ";
      i += 2;
    } else if (c === '"' || c === "'" || c === "`") {
      out += c;
      i++;
      while (i < src.length && src[i] !== c) {
        if (src[i] === "\\") (out += src[i]), i++;
        out += src[i];
        i++;
      }
      out += src[i] ?? "";
      i++;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

const FORBIDDEN = /\b(Date\.now|Math\.random|performance\.now|setTimeout|setInterval)\b/g;

/** `line: call` for every forbidden call outside comments. */
function forbiddenCalls(src: string): string[] {
  return stripComments(src).split("\n").flatMap((line, i) =>
    [...line.matchAll(FORBIDDEN)].map((m) => `${i + 1}: ${m[1]}`)
  );
}

/** Module specifiers a source imports or re-exports (comments ignored). */
function importsOf(src: string): string[] {
  const code = stripComments(src);
  const found: string[] = [];
  for (
    const re of [
      /\b(?:import|export)\s+(?:type\s+)?[^;]*?\bfrom\s*["']([^"']+)["']/g,
      /\bimport\s*["']([^"']+)["']/g,
      /\bimport\s*\(\s*["']([^"']+)["']\s*\)/g,
    ]
  ) {
    for (const m of code.matchAll(re)) found.push(m[1]);
  }
  return found;
}

/** The top folder (`actors`, `sim`, ...) a relative import from `file` lands in. */
function layerOf(file: string, specifier: string): string | undefined {
  if (!specifier.startsWith(".")) return undefined;
  const target = relative(ROOT, resolve(ROOT, dirname(file), specifier));
  return target.split(/[\\/]/)[0];
}

Deno.test("the purity checker finds calls in code and ignores them in comments", () => {
  const src = [
    "// Math.random in a line comment",
    "/* Date.now() and",
    "   setTimeout in a block comment */",
    'const url = "http://x"; const t = Date.now();',
    "const s = 'no // comment here'; setInterval(f, 1);",
    "const r = Math.random(); // performance.now()",
    "performance.now();",
    "const ok = myDate.nowish + setTimeouts;",
  ].join("\n");
  assert.deepEqual(forbiddenCalls(src), [
    "4: Date.now",
    "5: setInterval",
    "6: Math.random",
    "7: performance.now",
  ]);
  assert.deepEqual(
    importsOf(
      'import { a } from "../sim/x.ts";\n// import "../protocols/y.ts"\nexport * from "./z.ts";',
    ),
    ["../sim/x.ts", "./z.ts"],
  );
  assert.equal(layerOf(join("sim", "check", "a.ts"), "../../protocols/raft/node.ts"), "protocols");
  assert.equal(layerOf(join("sim", "check", "a.ts"), "../models.ts"), "sim");
  assert.equal(layerOf(join("actors", "a.ts"), "npm:fast-check"), undefined);
});

Deno.test("no code under actors/, protocols/ or examples/maelstrom/ reads the clock, randomness or real timers", async () => {
  const files = [
    ...await tsFiles("actors"),
    ...await tsFiles("protocols"),
    // The Maelstrom solutions are actors too: the same code runs in the simulator.
    ...await tsFiles(join("examples", "maelstrom")),
  ];
  // The scan must see the code it guards, or passing means nothing.
  assert.ok(files.includes(join("actors", "actor.ts")), "actors/actor.ts not scanned");
  assert.ok(files.includes(join("protocols", "gossip", "gossip.ts")), "nested folders not scanned");
  const offences = [];
  for (const file of files) {
    for (const hit of forbiddenCalls(await Deno.readTextFile(join(ROOT, file)))) {
      offences.push(`${file}:${hit}`);
    }
  }
  assert.deepEqual(offences, [], `actors must be pure reactions; found:\n${offences.join("\n")}`);
});

Deno.test("layering: actors/ imports nothing of sim/ or protocols/, sim/ nothing of protocols/, runtime/ nothing of protocols/", async () => {
  const rules: Array<[string, string[]]> = [
    ["actors", ["sim", "protocols", "runtime"]],
    ["sim", ["protocols", "runtime"]],
    ["runtime", ["protocols", "examples"]],
  ];
  const offences = [];
  let seen = 0;
  for (const [layer, forbidden] of rules) {
    const files = await tsFiles(layer);
    assert.ok(files.length >= 3, `only ${files.length} files under ${layer}/`);
    for (const file of files) {
      for (const specifier of importsOf(await Deno.readTextFile(join(ROOT, file)))) {
        seen++;
        const target = layerOf(file, specifier);
        if (target !== undefined && forbidden.includes(target)) {
          offences.push(`${file} imports ${specifier}`);
        }
      }
    }
  }
  assert.ok(seen > 10, `only ${seen} imports found: is the import scanner broken?`);
  assert.deepEqual(offences, [], `imports must point down the layers:\n${offences.join("\n")}`);
});

Deno.test("layering: runtime/ runs actors without the simulator's scheduler", async () => {
  // Beside sim/, the runtime may borrow its data and checkers (histories,
  // faults, seeded streams, linearizability) and its types, never its loop.
  const scheduler =
    /^import\s+(?!type\b)[^;]*?from\s*["']([^"']*\/sim\/(?:simulation|scenario|settle|explore\/[^"']*)\.ts)["']/gm;
  const offences = [];
  const files = await tsFiles("runtime");
  assert.ok(files.includes(join("runtime", "host.ts")), "runtime/host.ts not scanned");
  for (const file of files) {
    const code = stripComments(await Deno.readTextFile(join(ROOT, file)));
    for (const m of code.matchAll(scheduler)) offences.push(`${file} imports ${m[1]}`);
  }
  assert.deepEqual(
    offences,
    [],
    `the runtime must not need the simulator:\n${offences.join("\n")}`,
  );
});
