/**
 * The replication-by-total-order section of the demo tour (`deno task
 * demo`): a compare-and-set register replicated over total order broadcast
 * under faults, checked for linearizability; the race only the order can
 * decide; and what a down sequencer costs.
 *
 * @module
 */

import { styleText } from "node:util";
import { smrCas } from "../protocols/smr/scenario.ts";
import { runScenario } from "../sim/scenario.ts";
import { checkSeeds } from "../sim/testing.ts";
import { casRace, duringOutage } from "./smr_register.ts";
import { heading, wrapText } from "./_text.ts";

/**
 * The section as text, every line at most `width` columns (default 100, at least 80).
 *
 * @example
 * ```ts
 * import { smrSection } from "./_smr_section.ts";
 * import assert from "node:assert/strict";
 * const text = smrSection({ color: false, width: 100 });
 * assert.ok(text.includes("linearizable: yes"));
 * assert.ok(text.split("\n").every((line) => line.length <= 100));
 * ```
 */
export function smrSection(options: { color?: boolean; width?: number } = {}): string {
  const color = options.color ?? false;
  const width = Math.max(80, options.width ?? 100);
  const run = runScenario(smrCas, { seed: 3 });
  const verdict = run.ok
    ? "ok: the replicas' logs agree, the history is linearizable, every client finished"
    : `FAILED: ${run.violations.map((v) => `${v.check} (${v.message})`).join("; ")}`;
  const race = Object.entries(casRace(10)).map(([k, n]) => `${k} ${n} times`).join(", ");
  const sequencerDown = duringOutage("smr", "n1");
  const abdDown = duringOutage("abd", "n1");
  const caught = checkSeeds(smrCas, { seeds: { from: 1, to: 100 }, flags: { "local-reads": true } })
    .failures[0]?.seed;
  const lines = [
    heading("Replication by total order: a compare-and-set register", color, width),
    "Every replica applies the same commands in the same order, so every replica goes through the " +
    "same states (lecture 5.3). The order comes from total order broadcast, mounted as a layer in " +
    "each replica; clients' reads, writes and compare-and-sets all go through it, so each takes " +
    "effect at one point between its request and its reply: linearizable (lecture 7.2). Three " +
    "replicas, three clients, random crashes, pauses and partitions, 5% loss and duplication:",
    ...run.summary.map((line) => `  ${line}`),
    `  ${
      color ? styleText(run.ok ? "green" : "red", verdict, { validateStream: false }) : verdict
    }`,
    "",
    `Alice and Bob race cas nil→1 and cas nil→2 through different replicas (10 seeds): ${race}. ` +
    "Exactly one wins: deciding that is consensus, which quorum reads and writes cannot do.",
    `The price: with the sequencer n1 down for 300 ms, ${sequencerDown.down} operations completed ` +
    `(ABD's quorum register, with n1 down: ${abdDown.down}).`,
    "",
    "Try: deno run examples/smr_register.ts                  (the comparison with ABD, in full)",
    `     deno task sim run smr-cas --local-reads true --seed ${caught}  (local reads: caught)`,
    "     deno task sim run smr-cas --order total-lamport       (Lamport clocks instead)",
  ];
  return lines.flatMap((line) => wrapText(line, width, line.startsWith(" ") ? 2 : 0)).join("\n");
}
