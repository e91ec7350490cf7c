/**
 * Atomic commit (lecture 7.1), told with one transaction over three
 * participants on 10 ms links:
 *
 * 1. two-phase commit when nothing fails;
 * 2. the coordinator crashes after the participants voted yes: they are in
 *    doubt, ask each other, and nobody can decide (2PC blocks);
 * 3. the coordinator comes back with no commit record and presumes abort;
 * 4. the coordinator had decided commit and written it down when it
 *    crashed: it comes back and sends the decision again;
 * 5. the same crash as 2 under fault-tolerant 2PC: the participants decide
 *    through Paxos without it;
 * 6. a coordinator that keeps its decision in memory only, caught by the
 *    atomicity check.
 *
 * Run it with `deno run examples/two_phase_commit.ts [--color]`.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { commitLabel, twoPhaseCommit, twoPhaseCommitFt } from "../protocols/commit/scenarios.ts";
import { renderDiagram, shouldColor } from "../sim/render/diagram.ts";
import { runScenario, type ScenarioResult } from "../sim/scenario.ts";
import { checkSeeds } from "../sim/testing.ts";
import { shrinkFailure, type ShrinkResult } from "../sim/explore/shrink.ts";
import type { TraceKind } from "../sim/trace.ts";
import { commandLines, wrapText } from "./_text.ts";

/**
 * How to draw the example.
 *
 * @example
 * ```ts
 * import type { CommitExampleOptions } from "./two_phase_commit.ts";
 * import assert from "node:assert/strict";
 * const o: CommitExampleOptions = { width: 100, color: false };
 * assert.equal(o.width, 100);
 * ```
 */
export interface CommitExampleOptions {
  /** Columns to fit (default 100). */
  width?: number;
  /** ANSI colours (default false). */
  color?: boolean;
}

/** One transaction, all three participants, every vote yes, 10 ms links that lose nothing. */
const ONE_TXN = { clients: 1, txns: 1, span: 3, "abort-chance": 0, "think-ms": 0 };
const QUIET = { loss: 0, duplicate: 0, latency: { kind: "fixed" as const, ms: 10 } };

/**
 * Transaction `c1.1` under `2pc` (or `2pc-ft`) with the given faults.
 *
 * @example
 * ```ts
 * import { oneTransaction } from "./two_phase_commit.ts";
 * import assert from "node:assert/strict";
 * assert.match(oneTransaction("").summary[0], /^n1 committed 1, aborted 0$/);
 * ```
 */
export function oneTransaction(
  faults: string,
  options: { ft?: boolean; withoutCoordinator?: boolean } = {},
): ScenarioResult {
  const given = {
    seed: 1,
    network: QUIET,
    faults,
    flags: { ...ONE_TXN, "without-coordinator": options.withoutCoordinator ?? false },
  };
  return options.ft ? runScenario(twoPhaseCommitFt, given) : runScenario(twoPhaseCommit, given);
}

/** The fault of scene 2: the coordinator crashes after the votes left, before they arrive. */
export const CRASH_AFTER_VOTES = "@25 crash tm";

const KINDS: TraceKind[] = ["deliver", "drop", "crash", "restart", "block", "heal", "log"];

/**
 * The run's messages from `from` to `to` ms, labelled by `commitLabel`.
 *
 * @example
 * ```ts
 * import { commitDiagram, oneTransaction } from "./two_phase_commit.ts";
 * import assert from "node:assert/strict";
 * assert.match(commitDiagram(oneTransaction(""), 0, 60, {}), /Prepare c1\.1/);
 * ```
 */
export function commitDiagram(
  run: ScenarioResult,
  from: number,
  to: number,
  options: CommitExampleOptions,
): string {
  return renderDiagram(run.sim.trace.events, {
    width: options.width ?? 100,
    color: options.color ?? false,
    nodes: ["c1", "tm", "n1", "n2", "n3"],
    from,
    to,
    kinds: KINDS,
    label: commitLabel,
    maxRows: 60,
    legend: false,
  });
}

/**
 * The first seed in 1..`limit` whose run with the planted bug breaks a
 * check under frequent crashes, shrunk to its fewest faults and nodes.
 *
 * @example
 * ```ts
 * import { forgetfulCoordinator } from "./two_phase_commit.ts";
 * import assert from "node:assert/strict";
 * assert.equal(forgetfulCoordinator()?.check, "atomicity");
 * ```
 */
export function forgetfulCoordinator(limit = 200): ShrinkResult | undefined {
  const given = {
    flags: { "forget-decision": true },
    faults: "random:crash=8,partition=1,pause=1,duration=100",
  };
  const found = checkSeeds(twoPhaseCommit, { seeds: { from: 1, to: limit }, ...given }).failures[0];
  if (found === undefined) return undefined;
  return shrinkFailure(twoPhaseCommit, { seed: found.seed, ...given });
}

/**
 * The example as text.
 *
 * @example
 * ```ts
 * import { twoPhaseCommitExample } from "./two_phase_commit.ts";
 * import assert from "node:assert/strict";
 * assert.match(twoPhaseCommitExample(), /in doubt/);
 * ```
 */
export function twoPhaseCommitExample(options: CommitExampleOptions = {}): string {
  const width = options.width ?? 100;
  const say = (text: string) => wrapText(text, width, 0);
  const wrapLines = (lines: string[]) => lines.flatMap((l) => wrapText(l, width));
  const happy = oneTransaction("");
  const blocked = oneTransaction(CRASH_AFTER_VOTES, { withoutCoordinator: true });
  const presumed = oneTransaction(`${CRASH_AFTER_VOTES}; @400 restart tm`);
  const durable = oneTransaction(
    "@29 block tm>n1; @29 block tm>n2; @29 block tm>n3; @35 crash tm; @400 restart tm; @400 heal",
  );
  const ft = oneTransaction(CRASH_AFTER_VOTES, { ft: true, withoutCoordinator: true });
  const bug = forgetfulCoordinator();
  const commitsOf = (run: ScenarioResult) =>
    run.sim.trace.events.flatMap((e) =>
      e.kind === "log" && /^(commit|abort) c1\.1/.test(e.note)
        ? [`${e.node} ${e.note} at ${Math.round(e.t)} ms`]
        : []
    );
  return [
    ...say(
      "1. Two-phase commit, nothing failing. The client asks the coordinator tm to commit " +
        "c1.1; tm asks every participant to prepare; each writes its yes vote durably, then " +
        "sends it; with every yes, tm writes commit durably, then tells everyone, and they " +
        "acknowledge:",
    ),
    "",
    commitDiagram(happy, 0, 60, options),
    "",
    ...wrapLines(happy.summary),
    "",
    ...say(
      "2. The coordinator crashes at 25 ms, after the participants voted yes and before their " +
        "votes arrive. A participant that voted yes may neither commit nor abort on its own: " +
        "it is in doubt. It asks the coordinator and the other participants; but they are in " +
        "doubt too, and nobody can decide. Two-phase commit blocks:",
    ),
    "",
    commitDiagram(blocked, 0, 135, options),
    "",
    ...wrapLines(blocked.summary),
    ...say(`${blocked.violations[0]?.check}: ${blocked.violations[0]?.message}`),
    "",
    ...say(
      "3. When the coordinator comes back (at 400 ms) it has no commit record, so it never " +
        "committed: it presumes abort and answers the participants' questions with abort.",
    ),
    ...wrapLines(presumed.summary.slice(0, 3)),
    "",
    ...say(
      "4. Had it decided first: tm collects the votes at 30 ms and writes commit, its " +
        "decisions are lost (its links to the participants are cut at 29 ms), and it crashes " +
        "at 35 ms. The participants stay in doubt until it restarts at 400 ms, reads its " +
        "commit record back and sends the decision again:",
    ),
    ...commitsOf(durable).map((l) => `  ${l}`),
    "",
    ...say(
      "5. Fault-tolerant two-phase commit, the crash of scene 2. Each participant sends its " +
        "vote through total order broadcast (Multi-Paxos among the participants); every one " +
        "delivers the same votes in the same order and decides the same; a participant that " +
        "does not hear a vote in time votes no on its behalf. Nobody waits for tm:",
    ),
    ...commitsOf(ft).map((l) => `  ${l}`),
    `termination with tm down for good: ${ft.ok ? "held" : ft.violations[0].message}`,
    "",
    ...say(
      "6. A coordinator that keeps its commit decision in memory only (--forget-decision), " +
        "under frequent crashes: after a crash it presumes abort for a transaction it had " +
        "committed, and its client or some participants were already told commit.",
    ),
    ...(bug === undefined ? ["  (no seed in 200 showed it)"] : [
      ...say(
        `Seed ${bug.params.seed} fails; shrunk to ${bug.after.faults} faults and ` +
          `${bug.after.nodes} participant${bug.after.nodes === 1 ? "" : "s"}:`,
      ),
      ...wrapText(`  ${bug.check}: ${bug.result.violations[0].message}`, width),
      ...commandLines(`${bug.replay} --diagram`, width),
    ]),
  ].join("\n");
}

if (import.meta.main) {
  const { values } = parseArgs({ args: Deno.args, options: { color: { type: "boolean" } } });
  console.log(twoPhaseCommitExample({ color: values.color ?? shouldColor() }));
}
