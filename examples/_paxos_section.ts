/**
 * The Paxos part of the demo tour: two proposers, one value chosen, and a
 * late proposer that proposes the chosen value again instead of its own;
 * the rule switched off and caught; and Multi-Paxos keeping one log
 * through a leader's crash.
 *
 * @module
 */

import type { PaxosLogNode } from "../protocols/paxos/log_node.ts";
import type { PaxosNode } from "../protocols/paxos/single_decree.ts";
import { heading, wrapText } from "./_text.ts";
import { duel, multiPaxosRun, phaseDiagram } from "./paxos.ts";

/**
 * The section as text.
 *
 * @example
 * ```ts
 * import { paxosSection } from "./_paxos_section.ts";
 * import assert from "node:assert/strict";
 * assert.match(paxosSection({ width: 100 }), /agreement: n1 decided v-n1/);
 * ```
 */
export function paxosSection(options: { color?: boolean; width?: number } = {}): string {
  const color = options.color ?? false;
  const width = options.width ?? 100;
  const say = (text: string) => wrapText(text, width, 0);
  const good = duel();
  const bad = duel(true);
  const { sim: multi } = multiPaxosRun();
  const decided = (id: string) => good.actor<PaxosNode>(id)?.decided;
  const logs = ["n1", "n2", "n3"].map((id) => multi.actor<PaxosLogNode>(id)?.values.join(" "));
  return [
    heading("Paxos: a value, then a log, chosen by majorities", color, width),
    ...say(
      "Single-decree Paxos on n1..n3. n1 proposes v-n1 with ballot 1.n1; n3, later, v-n3 with " +
        "2.n3, so the acceptors refuse n1's Accept. n2 and n3 choose v-n3 while n1 is cut off. " +
        "After the heal (200 ms) n1 tries a higher ballot, and the promises tell it what was " +
        "accepted: it proposes v-n3, not its own value.",
    ),
    "",
    phaseDiagram(good, 230, 270, { color, width }),
    "",
    `decided: ${["n1", "n2", "n3"].map((id) => `${id} ${decided(id)}`).join(", ")}`,
    ...say(
      `With that rule switched off (--ignore-accepted), the check stops the run: ` +
        `${bad.violations[0]?.check}: ${bad.violations[0]?.message}.`,
    ),
    ...say(
      "Multi-Paxos: a leader runs phase 1 once for the whole log; it crashes at 300 ms, the " +
        "next leader re-proposes what the promises report; every node delivers one log: " +
        (new Set(logs).size === 1 ? logs[0] : `they differ! ${logs.join(" / ")}`) + ".",
    ),
    "the scenario under random faults, and the planted bug caught:",
    "  deno task sim run paxos --seed 1 --faults random --diagram",
    "  deno task sim sweep paxos --mode single --seeds 1..100 --ignore-accepted true",
  ].join("\n");
}
