import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { quorumSection } from "../examples/_quorum_section.ts";
import { consistencyDemo } from "../examples/consistency_demo.ts";
import { scenarios } from "../protocols/registry.ts";
import { EXIT, runCli } from "../sim/cli.ts";
import { ABD_LESSON, MID_WRITE_LESSON, runLesson } from "../protocols/quorum/lessons.ts";

const root = fileURLToPath(new URL("..", import.meta.url));

/** Runs an example in its own process with no permissions at all. */
async function runExample(path: string) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--no-prompt", path],
    cwd: root,
    stdin: "null",
    env: { NO_COLOR: "1" },
  }).output();
  const decode = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stdout: decode(out.stdout), stderr: decode(out.stderr) };
}

Deno.test("the demo section shows the anomaly, the fix and the table, within 100 columns", async () => {
  const text = quorumSection({ color: false });
  for (const line of text.split("\n")) assert.ok([...line].length <= 100, line);
  assert.match(text, /^── Quorums/);
  assert.match(text, /seed \d+ is not/);
  assert.match(text, /new then old: op \d+ \(c\d\) read x/);
  assert.match(text, /linearizable: NO/);
  assert.match(text, /Seeds 1\.\.\d+ are then all linearizable/);
  assert.match(text, /│ 3 │ 2 │ 2 │ ABD +│ yes +│ 1 down │ 1 down │ linearizable +│ agrees │/);
  assert.ok(!text.includes("\x1b["), "no colour when color is false");
  // The printed command replays the violation.
  const replay = text.match(/deno task sim run (quorum .*)$/m)?.[1];
  assert.ok(replay, text);
  const out: string[] = [];
  const code = await runCli(scenarios, ["run", ...replay.split(" "), "--json"], {
    stdout: (s) => out.push(s),
    stderr: (s) => out.push(s),
  });
  assert.equal(code, EXIT.violation, out.join("\n"));
  assert.equal(JSON.parse(out[0]).violations[0].check, "linearizability");
});

Deno.test("both examples run with no permissions", async () => {
  const [quorum, consistency] = await Promise.all([
    runExample("examples/quorum.ts"),
    runExample("examples/consistency_demo.ts"),
  ]);
  assert.equal(quorum.code, 0, quorum.stderr);
  assert.equal(quorum.stderr, "");
  assert.match(quorum.stdout, /stale read: op \d+/);
  assert.match(quorum.stdout, /--read-repair none +runs ending with a replica behind: +\d+/);
  assert.doesNotMatch(quorum.stdout, /DIFFERS/);
  assert.equal(consistency.code, 0, consistency.stderr);
  assert.equal(consistency.stderr, "");
  assert.match(consistency.stdout, /new then old: op \d+/);
  assert.match(consistency.stdout, /Seeds 1\.\.1000: no violation/);
  assert.match(consistency.stdout, /1000 seeds: 0 violations/);
  assert.match(consistency.stdout, /seed \d+ loses an update/);
});

/**
 * The words a shell makes of the printed command: `\` + newline joins lines,
 * and a newline inside single quotes stays part of the word.
 */
function shellWords(lines: string[]): string[] {
  const text = lines.join("\n").replace(/\\\n/g, " ");
  return [...text.matchAll(/'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2]);
}

Deno.test("the consistency demo draws every client it names and its commands replay", async () => {
  const text = consistencyDemo({ color: false });
  for (const line of text.split("\n")) assert.ok([...line].length <= 100, line);
  const section1 = text.split("── 2.")[0];
  const header = section1.split("\n").find((l) => /^ +ms │/.test(l)) ?? "";
  for (const client of new Set(section1.match(/\(c\d+\)/g)?.map((c) => c.slice(1, -1)))) {
    assert.match(header, new RegExp(`\\b${client}\\b`), `${client} not drawn: ${header}`);
  }
  const commands = text.split("replay it:\n").slice(1).map((rest) => {
    const lines = rest.split("\n");
    const end = lines.findIndex((l) => l === "" || l.startsWith("──"));
    return shellWords(lines.slice(0, end === -1 ? undefined : end));
  });
  assert.equal(commands.length, 2);
  // The section 4 command's fault list goes on inside its quotes, over lines.
  assert.ok(commands[1].some((w) => w.includes("\n")), commands[1].join(" "));
  const lessons = [MID_WRITE_LESSON, {
    ...ABD_LESSON,
    params: { ...ABD_LESSON.params, flags: { ...ABD_LESSON.params.flags, "single-writer": true } },
  }];
  for (const [i, words] of commands.entries()) {
    assert.deepEqual(words.slice(0, 4), ["deno", "task", "sim", "run"]);
    const out: string[] = [];
    const code = await runCli(scenarios, ["run", ...words.slice(4), "--json"], {
      stdout: (s) => out.push(s),
      stderr: (s) => out.push(s),
    });
    assert.equal(code, EXIT.violation, out.join("\n"));
    // The same run as the demo's, event for event.
    const seed = Number(words[words.indexOf("--seed") + 1]);
    assert.equal(JSON.parse(out[0]).traceHash, runLesson(lessons[i], seed).traceHash);
  }
});
