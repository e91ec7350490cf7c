/**
 * Entry points: every export in deno.json resolves from a directory with no
 * import map (an empty deno.json), and only the command line's entry loads
 * the command line's packages.
 */

import assert from "node:assert/strict";
import { deno, ROOT } from "./_own_project.ts";

const CLI_PACKAGES = ["commander", "cli-progress", "cli-table3", "@commander-js"];

function exports(): Record<string, string> {
  return JSON.parse(Deno.readTextFileSync(new URL("deno.json", ROOT))).exports;
}

Deno.test("every entry point type-checks from a project with an empty deno.json", () => {
  const dir = Deno.makeTempDirSync({ prefix: "dsim-entries-" });
  try {
    Deno.writeTextFileSync(`${dir}/deno.json`, "{}\n");
    const lines = Object.entries(exports()).map(([name, path], i) =>
      `import * as e${i} from "${
        new URL(path, ROOT).href
      }"; // ${name}\nconsole.log(Object.keys(e${i}).length > 0);`
    );
    Deno.writeTextFileSync(`${dir}/all.ts`, lines.join("\n") + "\n");
    const checked = deno(dir, ["check", "all.ts"]);
    assert.equal(checked.code, 0, checked.out);
    const ran = deno(dir, ["run", "-A", "all.ts"]);
    assert.equal(ran.code, 0, ran.out);
    assert.ok(ran.stdout.trim().split("\n").every((l) => l === "true"), ran.stdout);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("only ./cli loads the command line's packages", () => {
  for (const [name, path] of Object.entries(exports())) {
    const info = deno(Deno.cwd(), ["info", "--json", new URL(path, ROOT).href]);
    assert.equal(info.code, 0, info.out);
    const graph = JSON.parse(info.stdout) as {
      modules: Array<{ kind?: string; npmPackage?: string }>;
    };
    // The graph's own npm modules (its npmPackages lists every package the lockfile knows).
    const npm = graph.modules.flatMap((m) => m.kind === "npm" ? [m.npmPackage!] : []);
    const cliOnes = npm.filter((p) => CLI_PACKAGES.some((c) => p.startsWith(c)));
    if (name === "./cli") {
      assert.ok(cliOnes.length > 0, "the command line does use commander");
    } else {
      assert.deepEqual(cliOnes, [], `${name} pulls in ${cliOnes.join(", ")}`);
    }
  }
});

Deno.test("the root module imports neither the protocol registry nor the command line", () => {
  const info = deno(Deno.cwd(), ["info", "--json", new URL("mod.ts", ROOT).href]);
  const graph = JSON.parse(info.stdout) as { modules: Array<{ specifier: string }> };
  const files = graph.modules.map((m) => m.specifier.replace(ROOT.href, ""));
  assert.ok(!files.includes("protocols/registry.ts"), "registry");
  assert.ok(!files.includes("sim/cli.ts"), "cli");
  assert.ok(files.includes("sim/simulation.ts"));
});
