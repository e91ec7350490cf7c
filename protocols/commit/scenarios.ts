/**
 * The `2pc` and `2pc-ft` scenarios: participants `n1..nN`, a coordinator
 * `tm` and clients `c1..cK` that ask `tm` to commit transactions over
 * random sets of participants. Each participant votes no with probability
 * `--abort-chance`. Crashes, pauses and partitions of the participants and the
 * coordinator come from the seed; the network loses and duplicates 5% of
 * messages.
 *
 * After the run every fault heals and every participant must decide within
 * 5 s of virtual time (termination); then atomicity and validity are
 * checked on the participants' durable records and the clients' history.
 * With `--without-coordinator` (the default of `2pc-ft`) the coordinator
 * is crashed for good before the heal: fault-tolerant 2PC still terminates,
 * 2PC blocks whenever every participant of a transaction voted yes and the
 * decision had not reached them.
 *
 * `--forget-decision` (`2pc` only) plants the bug of a coordinator that
 * keeps its commit decision in memory only; the atomicity check catches it.
 *
 * @module
 */

import type { NodeId } from "../../actors/mod.ts";
import {
  defineScenario,
  flag,
  type FlagSpec,
  type FlagSpecs,
  nodeIds,
  type Scenario,
  type ScenarioParams,
  type ScenarioSetup,
} from "../../sim/scenario.ts";
import type { Simulation } from "../../sim/simulation.ts";
import { paxosLabel } from "../paxos/scenario.ts";
import { checkCommit, commitRecords } from "./check.ts";
import { CommitClient } from "./client.ts";
import { Coordinator } from "./coordinator.ts";
import { FtCoordinator, FtParticipant } from "./ft_commit.ts";
import { Participant } from "./participant.ts";
import { CoinResource } from "./resource.ts";

/** The coordinator's node id in both scenarios. */
export const COORDINATOR = "tm";

const WITHOUT_COORDINATOR = "judge termination with the coordinator crashed for good";

/** The flags both scenarios share. */
export type CommitFlags = {
  clients: FlagSpec<number>;
  txns: FlagSpec<number>;
  "think-ms": FlagSpec<number>;
  span: FlagSpec<number>;
  "abort-chance": FlagSpec<number>;
  "without-coordinator": FlagSpec<boolean>;
};

/** The flags both scenarios share; `2pc-ft` judges termination without the coordinator by default. */
const COMMIT_FLAGS: CommitFlags = {
  clients: flag.int("clients c1..cK", 2, { min: 1, max: 50 }),
  txns: flag.int("transactions per client", 15, { min: 0, max: 10_000 }),
  "think-ms": flag.number("mean pause before each transaction, ms", 100, { min: 0 }),
  span: flag.int("participants per transaction (0: 2..all at random)", 0, { min: 0 }),
  "abort-chance": flag.number(
    "probability that a participant votes no (so the transaction aborts)",
    0.1,
    { min: 0, max: 1 },
  ),
  "without-coordinator": flag.bool(WITHOUT_COORDINATOR, false),
} satisfies FlagSpecs;

/** The flags of `2pc`. */
export const TWO_PC_FLAGS: CommitFlags & { "forget-decision": FlagSpec<boolean> } = {
  ...COMMIT_FLAGS,
  "forget-decision": flag.bool(
    "planted bug: the coordinator keeps its commit decision in memory only",
    false,
  ),
} satisfies FlagSpecs;

/** The flags of `2pc-ft`. */
export const TWO_PC_FT_FLAGS: CommitFlags = {
  ...COMMIT_FLAGS,
  "without-coordinator": flag.bool(WITHOUT_COORDINATOR, true),
} satisfies FlagSpecs;

const DEFAULTS = {
  nodes: 3,
  minNodes: 1,
  maxNodes: 9,
  until: 3000,
  faults: "random",
  network: { loss: 0.05, duplicate: 0.05 },
};

/**
 * `deno task sim run 2pc`: two-phase commit with presumed abort, durable
 * votes and decisions, and in-doubt participants that ask the coordinator
 * and each other.
 *
 * @example
 * ```ts
 * import { runScenario } from "../../sim/scenario.ts";
 * import { twoPhaseCommit } from "./scenarios.ts";
 * import assert from "node:assert/strict";
 * assert.equal(runScenario(twoPhaseCommit, { seed: 1, trace: "off" }).ok, true);
 * ```
 */
export const twoPhaseCommit: Scenario<typeof TWO_PC_FLAGS> = defineScenario({
  name: "2pc",
  summary: "two-phase commit under faults: atomicity, validity; blocks without its coordinator",
  label: commitLabel,
  defaults: DEFAULTS,
  flags: TWO_PC_FLAGS,
  // What swarm varies: the load, the spans, the votes; never the planted bug's flag.
  explore: {
    faults: ["crash", "pause", "partition", "clock"],
    maxLoss: 0.05,
    maxDup: 0.05,
    flags: {
      clients: [1, 2, 4],
      txns: [5, 15],
      "think-ms": [0, 20, 100],
      span: [0, 2],
      "abort-chance": [0, 0.1, 0.5],
    },
  },
  setup(sim, params) {
    const resource = new CoinResource(params.flags["abort-chance"]);
    const forgetDecision = params.flags["forget-decision"];
    return commitSetup(sim, params, (participants) => {
      for (const id of participants) sim.spawn(id, () => new Participant({ resource }));
      sim.spawn(COORDINATOR, () => new Coordinator({ forgetDecision }));
    });
  },
});

/**
 * `deno task sim run 2pc-ft`: fault-tolerant two-phase commit, the votes
 * decided through Multi-Paxos among the participants; termination is
 * judged with the coordinator crashed for good.
 *
 * @example
 * ```ts
 * import { runScenario } from "../../sim/scenario.ts";
 * import { twoPhaseCommitFt } from "./scenarios.ts";
 * import assert from "node:assert/strict";
 * assert.equal(runScenario(twoPhaseCommitFt, { seed: 1, trace: "off" }).ok, true);
 * ```
 */
export const twoPhaseCommitFt: Scenario<typeof TWO_PC_FT_FLAGS> = defineScenario({
  name: "2pc-ft",
  summary: "fault-tolerant 2PC, votes decided by Paxos: terminates without its coordinator",
  label: commitLabel,
  defaults: DEFAULTS,
  flags: TWO_PC_FT_FLAGS,
  setup(sim, params) {
    const resource = new CoinResource(params.flags["abort-chance"]);
    return commitSetup(sim, params, (group) => {
      for (const id of group) sim.spawn(id, () => new FtParticipant({ group, resource }));
      sim.spawn(COORDINATOR, () => new FtCoordinator());
    });
  },
});

/**
 * Spawns participants and coordinator (with `spawn`) and the clients;
 * returns the checks and the summary.
 */
function commitSetup(
  sim: Simulation,
  params: ScenarioParams<typeof COMMIT_FLAGS>,
  spawn: (participants: NodeId[]) => void,
): ScenarioSetup {
  const participants = nodeIds(params.nodes);
  spawn(participants);
  for (const id of nodeIds(params.flags.clients, "c")) {
    sim.spawn(id, () =>
      new CommitClient({
        coordinator: COORDINATOR,
        participants,
        txns: params.flags.txns,
        span: params.flags.span,
        thinkMs: params.flags["think-ms"],
      }));
  }
  const withoutCoordinator = params.flags["without-coordinator"];
  return {
    faultTargets: [...participants, COORDINATOR],
    check: (s) => {
      if (withoutCoordinator && s.status(COORDINATOR) !== "crashed") {
        s.schedule({ at: s.now, action: { type: "crash", node: COORDINATOR } });
      }
      return checkCommit(s, participants, withoutCoordinator ? [COORDINATOR] : []);
    },
    summary: (s) => commitSummary(s, participants),
  };
}

/**
 * What a run of `2pc` or `2pc-ft` did: per participant, transactions
 * committed, aborted and undecided; the clients' view.
 *
 * @example
 * ```ts
 * import { runScenario } from "../../sim/scenario.ts";
 * import { commitSummary, twoPhaseCommit } from "./scenarios.ts";
 * import assert from "node:assert/strict";
 * const run = runScenario(twoPhaseCommit, { seed: 2, trace: "off" });
 * assert.match(commitSummary(run.sim, ["n1", "n2", "n3"])[0], /^n1 committed \d+, aborted \d+/);
 * ```
 */
export function commitSummary(sim: Simulation, participants: readonly NodeId[]): string[] {
  const lines: string[] = [];
  const records = commitRecords(sim, participants);
  for (const id of participants) {
    let committed = 0, aborted = 0;
    const open: string[] = [];
    for (const [txn, byNode] of records) {
      const r = byNode.get(id);
      if (r?.outcome === "commit") committed++;
      else if (r?.outcome === "abort") aborted++;
      else if (r !== undefined) open.push(r.vote === "yes" ? `${txn} (in doubt)` : txn);
    }
    const status = sim.status(id) === "up" ? "" : ` (${sim.status(id)})`;
    lines.push(
      `${id} committed ${committed}, aborted ${aborted}${
        open.length > 0 ? `, undecided ${open.join(" ")}` : ""
      }${status}`,
    );
  }
  const ops = sim.history.operations;
  const count = (f: (o: (typeof ops)[number]) => boolean) => ops.filter(f).length;
  lines.push(
    `clients: ${count((o) => o.output === "commit")} told commit, ` +
      `${count((o) => o.output === "abort")} told abort, ` +
      `${count((o) => o.status === "info")} gave up waiting, of ${ops.length}; ` +
      `coordinator ${sim.status(COORDINATOR)}`,
  );
  return lines;
}

/**
 * How diagrams label commit messages: `Prepare c1.2`, `Vote c1.2 yes`,
 * `Decision c1.2 commit`; Paxos messages as `paxosLabel` does.
 *
 * @example
 * ```ts
 * import { commitLabel } from "./scenarios.ts";
 * import assert from "node:assert/strict";
 * assert.equal(commitLabel({ type: "Vote", txn: "c1.2", yes: true, epoch: 1 }), "Vote c1.2 yes");
 * assert.equal(commitLabel({ type: "Decision", txn: "c1.2", outcome: "abort" }), "Decision c1.2 abort");
 * ```
 */
export function commitLabel(msg: unknown): string {
  if ((msg as { layer?: string }).layer !== undefined) return paxosLabel(msg);
  const m = msg as { type: string; txn?: string; yes?: boolean; outcome?: string };
  const parts = [m.type];
  if (m.txn !== undefined) parts.push(m.txn);
  if (m.yes !== undefined) parts.push(m.yes ? "yes" : "no");
  if (m.outcome !== undefined) parts.push(m.outcome);
  return parts.join(" ");
}
