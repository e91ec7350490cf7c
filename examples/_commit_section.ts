/**
 * The atomic commit part of the demo tour (lecture 7.1): two-phase commit
 * blocks when its coordinator crashes after the votes; fault-tolerant
 * two-phase commit decides through Paxos without it; a coordinator that
 * forgets its decision is caught.
 *
 * @module
 */

import { commandLines, heading, wrapText } from "./_text.ts";
import {
  commitDiagram,
  CRASH_AFTER_VOTES,
  forgetfulCoordinator,
  oneTransaction,
} from "./two_phase_commit.ts";

/**
 * The section as text.
 *
 * @example
 * ```ts
 * import { commitSection } from "./_commit_section.ts";
 * import assert from "node:assert/strict";
 * assert.match(commitSection({ width: 100 }), /in doubt/);
 * ```
 */
export function commitSection(options: { color?: boolean; width?: number } = {}): string {
  const color = options.color ?? false;
  const width = options.width ?? 100;
  const say = (text: string) => wrapText(text, width, 0);
  const blocked = oneTransaction(CRASH_AFTER_VOTES, { withoutCoordinator: true });
  const ft = oneTransaction(CRASH_AFTER_VOTES, { ft: true, withoutCoordinator: true });
  const bug = forgetfulCoordinator();
  const decided = ft.summary.filter((l) => /^n\d/.test(l)).map((l) => l.split(",")[0]);
  return [
    heading("Atomic commit: two-phase commit blocks, Paxos commit does not", color, width),
    ...say(
      "A client asks the coordinator tm to commit transaction c1.1 on n1, n2 and n3. Each " +
        "participant writes its yes vote durably and sends it; tm crashes at 25 ms, before the " +
        "votes arrive, and stays down. Having voted yes, a participant may not decide alone: " +
        "it is in doubt, and asks the others, who are in doubt too.",
    ),
    "",
    commitDiagram(blocked, 0, 135, { color, width }),
    "",
    ...blocked.summary.slice(0, 3),
    ...say(`${blocked.violations[0]?.check}: ${blocked.violations[0]?.message}`),
    "",
    ...say(
      "Fault-tolerant 2PC (2pc-ft), the same crash: the participants send their votes " +
        "through Multi-Paxos among themselves, all deliver the same votes in the same order, " +
        `and decide without tm: ${decided.join("; ")}.`,
    ),
    ...(bug === undefined ? [] : say(
      `A coordinator that keeps its decision in memory only (--forget-decision) presumes ` +
        `abort after a crash: the atomicity check catches it at seed ${bug.params.seed}, ` +
        `shrunk to ${bug.after.faults} faults: ${bug.result.violations[0].message}.`,
    )),
    "replay the blocked run, and the shrunk failure:",
    ...commandLines(blocked.replay, width),
    ...(bug === undefined ? [] : commandLines(bug.replay, width)),
  ].join("\n");
}
