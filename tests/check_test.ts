/**
 * Issue 12, exhaustive checking (`sim/exhaustive/`): the shortest
 * counterexamples of the two planted bugs, exhausting a space and saying
 * so, refusing one over its limits, strict against any timing, symmetry,
 * liveness, `sometimes`, the fault budget, and replaying what was found.
 * Everything in virtual time; the wall clock is never asserted on.
 */

import assert from "node:assert/strict";
import { checkScenario, replayChoices } from "../sim/exhaustive/check.ts";
import { verdictLine } from "../sim/exhaustive/report.ts";
import { decodeChoice } from "../sim/exhaustive/choice.ts";
import { quorum } from "../protocols/quorum/scenarios.ts";
import { abd } from "../protocols/quorum/scenarios.ts";
import { raftElection, raftFigure8 } from "../protocols/raft/scenarios.ts";
import { pingPong } from "../protocols/ping_pong/scenario.ts";
import { lamport } from "../protocols/clocks/scenario.ts";
import { loadTrace, saveTrace, traceFileFromResult } from "../sim/trace_file.ts";
import { replayTrace } from "../sim/explore/replay.ts";
import { ConfigError } from "../sim/errors.ts";
import { greeters, timeoutRace, token, votes } from "./_check_scenarios.ts";
import type { CheckReport } from "../sim/exhaustive/check.ts";
import type { RunGiven, Scenario } from "../sim/scenario.ts";

/** The stale read: R + W <= N, two clients, one operation each (seed 12 writes, then reads). */
const STALE: RunGiven = { seed: 12, flags: { r: 1, w: 1, clients: 2, ops: 1 } };
/** Figure 8 with 3 ms links: the script's polls and the messages rarely tie, the space stays small. */
const FIGURE8: RunGiven = {
  flags: { "unsafe-commit": true },
  network: { latency: { kind: "fixed", ms: 3 } },
};

/**
 * Asserts that `report` found a counterexample no shorter one exists for:
 * none of its proper prefixes violates anything when replayed, and a search
 * one step shallower finds nothing (and saw every state within its depth).
 */
function assertShortest(scenario: Scenario, given: RunGiven, report: CheckReport): void {
  const v = report.violation!;
  assert.equal(v.order.length, v.steps);
  for (const k of [0, Math.floor(v.steps / 2), v.steps - 1]) {
    const run = replayChoices(scenario, report, v.order.slice(0, k));
    assert.equal(run.sim.violations.filter((x) => x.check === v.check).length, 0, `prefix ${k}`);
  }
  const full = replayChoices(scenario, report, v.order);
  assert.equal(full.violations[0]?.check, v.check);
  const shallower = checkScenario(scenario, given, { depth: v.steps - 1, maxStates: 1_000_000 });
  assert.equal(shallower.violation, undefined);
  assert.equal(shallower.stopped, null);
}

Deno.test("issue 12: quorum R + W <= N, the stale read is found as the shortest trace", () => {
  const report = checkScenario(quorum, STALE);
  const v = report.violation!;
  assert.equal(v.check, "linearizability");
  assert.match(v.message, /read "x" -> nil/);
  assert.equal(report.strategy, "bfs");
  assert.equal(report.timing, "strict");
  assert.equal(v.steps, 11);
  assertShortest(quorum, STALE, report);
  // With majorities (R + W > N; two replicas, to keep it small) it holds, every state seen.
  const ok = checkScenario(quorum, { ...STALE, nodes: 2, flags: { clients: 2, ops: 1 } });
  assert.equal(ok.violation, undefined);
  assert.equal(ok.exhausted, true);
});

Deno.test("issue 12: raft-figure8 --unsafe-commit is found as the shortest trace", () => {
  const report = checkScenario(raftFigure8, FIGURE8);
  const v = report.violation!;
  assert.equal(v.check, "leader-completeness");
  assert.match(v.message, /lacks entry 2 \(term 1\), committed in term 3/);
  assertShortest(raftFigure8, FIGURE8, report);
  // The rule kept, no violation in the same space (it ends where the script does).
  const safe = checkScenario(raftFigure8, { ...FIGURE8, flags: { "unsafe-commit": false } });
  assert.equal(safe.violation, undefined);
});

Deno.test("issue 12: a small space is exhausted, and the report says so", () => {
  const ping = checkScenario(pingPong, { flags: { rounds: 2 } });
  assert.equal(ping.exhausted, true);
  assert.equal(ping.cut, 0);
  assert.match(verdictLine(ping), /^no violation in \d+ states up to depth \d+: every reachable/);
  // ABD with two clients whose operations overlap: every interleaving of the replies.
  const reg = checkScenario(abd, { nodes: 2, flags: { clients: 2, ops: 1, "think-ms": 1 } });
  assert.equal(reg.violation, undefined);
  assert.equal(reg.exhausted, true);
  assert.ok(reg.states > 100, `${reg.states} states`);
  // A Raft election on 3 servers to the end of the run (2 s), and the clocks on 3 nodes.
  const election = checkScenario(raftElection, {
    nodes: 3,
    network: { latency: { kind: "fixed", ms: 1 } },
  }, { depth: 1000 });
  assert.equal(election.exhausted, true);
  assert.equal(checkScenario(lamport, { nodes: 3, flags: { steps: 2 } }).exhausted, true);
  // Bounded, not exhausted: every state within the depth seen, and said so.
  const bounded = checkScenario(raftElection, {
    nodes: 3,
    network: { latency: { kind: "fixed", ms: 1 } },
  }, { depth: 20 });
  assert.equal(bounded.exhausted, false);
  assert.equal(bounded.stopped, null);
  assert.ok(bounded.cut > 0);
  assert.match(verdictLine(bounded), /every state within it was seen, not every reachable one/);
});

Deno.test("issue 12: a space over the limits is refused with a clear message, not a hang", () => {
  const big = checkScenario(abd, { flags: { clients: 2, ops: 2, "think-ms": 1 } }, {
    maxStates: 500,
  });
  assert.equal(big.stopped, "max-states");
  assert.equal(big.exhausted, false);
  assert.equal(big.states, 500);
  assert.match(verdictLine(big), /stopped at --max-states 500 before seeing it all/);
  // Over a wall-clock budget: a clock that jumps ahead stops it at once.
  let t = 0;
  const late = checkScenario(abd, { flags: { clients: 2, ops: 2, "think-ms": 1 } }, {
    budgetMs: 1000,
    clock: () => (t += 600),
  });
  assert.equal(late.stopped, "budget");
  // Too many nodes to check: refused up front.
  assert.throws(
    () => checkScenario(abd, { nodes: 9, flags: { clients: 5 } }),
    (e) => e instanceof ConfigError && /at most 12/.test(e.message),
  );
  assert.throws(() => checkScenario(pingPong, {}, { depth: 0 }), /--depth/);
  assert.throws(() => checkScenario(pingPong, {}, { maxStates: 0 }), /--max-states/);
});

Deno.test("issue 12: strict and any timing differ (a timeout that can only fire too early if timing is ignored)", () => {
  const strict = checkScenario(timeoutRace);
  assert.equal(strict.violation, undefined);
  assert.equal(strict.exhausted, true);
  const any = checkScenario(timeoutRace, {}, { timing: "any" });
  assert.equal(any.violation?.check, "never-gives-up");
  // Start, then the timer before anything else: two steps.
  assert.equal(any.violation?.steps, 2);
  assert.deepEqual(any.violation?.order.map((c) => decodeChoice(c).kind), ["run", "run"]);
});

Deno.test("issue 12: symmetry reduction counts renamings of interchangeable nodes as one state", () => {
  for (const nodes of [3, 4]) {
    const reduced = checkScenario(votes, { nodes });
    const full = checkScenario(votes, { nodes }, { symmetry: false });
    assert.equal(reduced.symmetry, true);
    assert.equal(full.symmetry, false);
    assert.equal(reduced.exhausted && full.exhausted, true);
    assert.ok(reduced.states < full.states, `${reduced.states} < ${full.states}`);
    assert.deepEqual(reduced.sometimes, full.sometimes.map((s) => ({ ...s })));
  }
  // Nodes that draw from their own random streams are not interchangeable: refused.
  assert.throws(
    () => checkScenario(votes, { flags: { random: true } }),
    (e) => e instanceof ConfigError && /v1 called ctx.random\(\)/.test(e.message),
  );
});

Deno.test("issue 12: without inspect() the search is stateless (choice prefixes run again), and finds what a partial view hides", () => {
  // The listener shows nothing: every path is its own state, and the bad order is found.
  const none = checkScenario(greeters, { flags: { shown: "none" } });
  assert.equal(none.stateless, true);
  assert.deepEqual(none.opaque, ["listener"]);
  assert.equal(none.violation?.check, "g1-first");
  assert.match(verdictLine(none), /VIOLATION of g1-first/);
  // It shows all of its state: stored states, found too.
  const all = checkScenario(greeters, { flags: { shown: "all" } });
  assert.equal(all.stateless, false);
  assert.deepEqual(all.opaque, []);
  assert.equal(all.violation?.check, "g1-first");
  // It shows a count and not the order: the two orders are one state, and the bug hides
  // (why inspect() must show everything an actor's future depends on).
  const count = checkScenario(greeters, { flags: { shown: "count" } });
  assert.equal(count.violation, undefined);
  assert.equal(count.exhausted, true);
  // Asked for, a stateless search gives the same verdict on a space it could store, with
  // as many paths as there are states or more.
  for (const strategy of ["bfs", "dfs"] as const) {
    const stored = checkScenario(votes, { nodes: 3 }, { strategy, symmetry: false });
    const paths = checkScenario(votes, { nodes: 3 }, { strategy, stateless: true });
    assert.equal(paths.stateless, true);
    assert.equal(paths.symmetry, false);
    assert.equal(stored.exhausted && paths.exhausted, true);
    assert.ok(paths.states > stored.states, `${paths.states} > ${stored.states}`);
    assert.deepEqual(
      paths.sometimes.map((s) => [s.name, s.reached]),
      stored.sometimes.map((s) => [s.name, s.reached]),
    );
  }
});

Deno.test("issue 12: sometimes conditions are reached, or proven unreachable when the space is exhausted", () => {
  const r = checkScenario(votes, { nodes: 3 });
  assert.deepEqual(r.sometimes, [
    { name: "a-no-vote", reached: false },
    { name: "all-voted", reached: true, steps: 7 },
  ]);
  assert.equal(r.exhausted, true);
  const mixed = checkScenario(votes, { nodes: 3, flags: { alike: false } });
  assert.equal(mixed.sometimes.find((s) => s.name === "a-no-vote")?.reached, true);
});

Deno.test("issue 12: bounded liveness after the last fault, reported as a stuck run or a lasso", () => {
  // No fault: the token comes back in every run.
  assert.equal(checkScenario(token).violation, undefined);
  // A crash (restarted later) loses the token: stuck where the run ends.
  const stuck = checkScenario(token, {}, { crashes: 1 });
  assert.equal(stuck.violation?.check, "liveness:token-back");
  assert.match(stuck.violation!.message, /does not hold where the run ends: stuck/);
  // Within 6 steps of the last fault, under strict timing: stuck, no state repeats.
  const bound = checkScenario(token, {}, { crashes: 1, livenessSteps: 6 });
  assert.match(
    bound.violation!.message,
    /within 6 steps of the last fault .*stuck, no state repeats/,
  );
  // Timers free to fire at any moment: the ticks loop back to a state, a lasso.
  const lasso = checkScenario(token, {}, { crashes: 1, livenessSteps: 6, timing: "any" });
  assert.match(lasso.violation!.message, /a lasso, the run is back after step \d+ in the state/);
});

Deno.test("issue 12: the fault budget stays within the scenario's fault model", () => {
  assert.throws(
    () => checkScenario(pingPong, {}, { crashes: 1 }),
    (e) => e instanceof ConfigError && e.input === "--crashes" && /fault model/.test(e.message),
  );
  assert.throws(() => checkScenario(raftElection, {}, { losses: 1 }), /--losses/);
  assert.throws(() => checkScenario(abd, { faults: "random" }), /--faults/);
  // ABD allows loss, duplication and crashes: one of each, still linearizable.
  const faulty = checkScenario(abd, { nodes: 2, flags: { clients: 1, ops: 1 } }, {
    losses: 1,
    dups: 1,
    crashes: 1,
  });
  assert.equal(faulty.violation, undefined);
  assert.equal(faulty.exhausted, true);
  assert.deepEqual(faulty.budget, { crashes: 1, partitions: 0, losses: 1, dups: 1 });
  // A split while the token is in flight loses it: the shortest such run splits the
  // network right after n1 starts, delivers nothing across it, and heals at the end.
  const split = checkScenario(token, {}, { partitions: 1 });
  assert.equal(split.violation?.check, "liveness:token-back");
  const kinds = split.violation!.order.map((c) => decodeChoice(c).kind);
  assert.deepEqual([kinds[1], kinds.at(-1)], ["partition", "heal"]);
  assert.equal(kinds.filter((k) => k === "partition").length, 1);
});

Deno.test("issue 12: depth-first search finds a violation too, and sees the same finite space", () => {
  const dfs = checkScenario(timeoutRace, {}, { strategy: "dfs", timing: "any" });
  assert.equal(dfs.violation?.check, "never-gives-up");
  assert.equal(checkScenario(timeoutRace, {}, { strategy: "dfs" }).exhausted, true);
  const bfs = checkScenario(pingPong, { flags: { rounds: 2 } }, { timing: "any", depth: 8 });
  const dfs2 = checkScenario(pingPong, { flags: { rounds: 2 } }, {
    timing: "any",
    depth: 8,
    strategy: "dfs",
  });
  assert.equal(dfs2.states, bfs.states);
});

Deno.test("issue 12: the saved counterexample replays to the same run and the same violation", () => {
  const report = checkScenario(quorum, STALE);
  const run = replayChoices(quorum, report, report.violation!.order);
  const file = loadTrace(saveTrace(traceFileFromResult(run)));
  assert.deepEqual(file.choices?.order, report.violation!.order);
  const again = replayTrace(quorum, file);
  assert.equal(again.same, true);
  assert.equal(again.result.violations[0].check, "linearizability");
  // A liveness counterexample replays to its violation too (the file carries the checker's settings).
  const live = checkScenario(token, {}, { crashes: 1, livenessSteps: 6 });
  const saved = loadTrace(
    saveTrace(traceFileFromResult(replayChoices(token, live, live.violation!.order))),
  );
  const relived = replayTrace(token, saved);
  assert.equal(relived.same, true);
  assert.match(relived.result.violations[0].message, /did not hold within 6 steps/);
  // An order edited into one the checker could not have made is refused, clearly.
  const edited = { ...file, choices: { ...file.choices!, order: [999 * 8] } };
  assert.throws(() => replayTrace(quorum, edited), /not one the checker could make/);
});

Deno.test("issue 12: the same check twice gives the same report (wall time apart)", () => {
  const strip = (r: CheckReport) => ({ ...r, wallMs: 0 });
  assert.deepEqual(strip(checkScenario(quorum, STALE)), strip(checkScenario(quorum, STALE)));
});
