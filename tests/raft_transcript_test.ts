/**
 * Issue 13, part 5: transcript tests, like etcd's datadriven `testdata/*.txt`.
 * Each file in `tests/testdata/raft/` is a list of commands with the exact
 * messages and state changes each produced (see `protocols/raft/transcript.ts`
 * for the commands). A mismatch fails with a diff of the block.
 *
 * To regenerate the expected output after an intended change, run
 *
 * ```sh
 * REWRITE=1 deno test -A tests/raft_transcript_test.ts
 * deno test -A tests/raft_transcript_test.ts -- --rewrite
 * ```
 *
 * and read the diff before committing it.
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  formatTranscript,
  parseTranscript,
  RaftInteraction,
} from "../protocols/raft/transcript.ts";

const DIR = new URL("./testdata/raft/", import.meta.url);
const rewrite = Deno.args.includes("--rewrite") || Deno.env.get("REWRITE") === "1";

const files = [...Deno.readDirSync(DIR)]
  .filter((e) => e.isFile && e.name.endsWith(".txt"))
  .map((e) => e.name)
  .sort();

Deno.test("transcripts exist for the etcd cases the issue names", () => {
  for (
    const name of [
      "prevote.txt",
      "checkquorum.txt",
      "confchange.txt",
      "leader_transfer.txt",
      "slow_follower_after_compaction.txt",
      "figure8.txt",
    ]
  ) assert.ok(files.includes(name), `tests/testdata/raft/${name} is missing`);
});

for (const name of files) {
  Deno.test(`transcript ${name}`, () => {
    const url = new URL(name, DIR);
    const cases = parseTranscript(Deno.readTextFileSync(url));
    const env = new RaftInteraction();
    const actual = cases.map((c) => ({ ...c, expected: env.run(c.command) }));
    if (rewrite) {
      Deno.writeTextFileSync(url, formatTranscript(actual));
      return;
    }
    cases.forEach((c, i) => {
      assert.equal(
        actual[i].expected,
        c.expected,
        `${name}, block ${i + 1} (${c.command}): output differs (REWRITE=1 regenerates)`,
      );
    });
  });
}
