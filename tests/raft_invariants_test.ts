/**
 * The Raft checkers must catch what they claim to. Each test builds servers
 * by hand (stand-ins exposing just what the checkers read: role, term, log,
 * commit and apply indexes, state machine digest), breaks one property, and
 * expects exactly that check to object, while the unbroken case passes.
 *
 * @module
 */

import assert from "node:assert/strict";
import type { Actor } from "../actors/mod.ts";
import { MemoryStorage } from "../actors/mod.ts";
import { RaftLiveness, RaftSafety } from "../protocols/raft/invariants.ts";
import { RaftLog } from "../protocols/raft/log.ts";
import type { Entry } from "../protocols/raft/messages.ts";
import type { Role } from "../protocols/raft/node.ts";
import { Simulation } from "../sim/simulation.ts";

/** What the checkers read of a server. */
class FakeServer implements Actor<never> {
  readonly started = true;
  #version = 0;
  /** Tests change fields directly, so every look counts as a change. */
  get version(): number {
    return this.#version++;
  }
  role: Role = "follower";
  currentTerm = 1;
  log = new RaftLog(new MemoryStorage());
  commitIndex = 0;
  lastApplied = 0;
  stateMachine = { digest: 0 };
  onMessage(): void {}

  /** Appends entries with these terms, each a put of `${value}${index}`. */
  add(terms: number[], value = "v"): this {
    const from = this.log.lastIndex + 1;
    this.log.append(terms.map((term, k): Entry => ({
      term,
      index: from + k,
      command: {
        type: "app",
        client: "c",
        seq: from + k,
        op: { f: "put", key: "x", value: `${value}${from + k}` },
      },
    })));
    return this;
  }
}

const IDS = ["n1", "n2", "n3"];

function cluster() {
  const sim = new Simulation({ seed: 1, trace: "off" });
  const servers = IDS.map(() => new FakeServer());
  IDS.forEach((id, i) => sim.spawn(id, () => servers[i]));
  return { sim, servers, safety: new RaftSafety(IDS) };
}

const failed = (r: unknown) =>
  r !== undefined && r !== true
    ? (typeof r === "object" ? (r as { message: string }).message : String(r))
    : null;

Deno.test("election safety: a second leader in a term is caught, even after the first stepped down", () => {
  const { sim, servers: [a, b], safety } = cluster();
  a.role = "leader";
  a.currentTerm = b.currentTerm = 2;
  assert.equal(failed(safety.electionSafety(sim)), null);
  a.role = "follower";
  b.role = "leader";
  assert.match(failed(safety.electionSafety(sim))!, /two leaders in term 2: n1 and n2/);
  b.currentTerm = 3;
  assert.equal(failed(safety.electionSafety(sim)), null, "a leader of the next term is fine");
});

Deno.test("leader append-only: a leader that truncates its own log is caught", () => {
  const { sim, servers: [a], safety } = cluster();
  a.role = "leader";
  a.add([1, 1, 1]);
  assert.equal(failed(safety.leaderAppendOnly(sim)), null);
  a.add([1]);
  assert.equal(failed(safety.leaderAppendOnly(sim)), null, "appending is fine");
  a.log.truncateFrom(3);
  assert.match(failed(safety.leaderAppendOnly(sim))!, /leader n1 of term 1 removed or overwrote/);
});

Deno.test("log matching: the same (index, term) with different commands is caught", () => {
  const { sim, servers: [a, b], safety } = cluster();
  a.add([1, 1]);
  b.add([1]);
  assert.equal(failed(safety.logMatching(sim)), null);
  b.add([1], "other");
  assert.match(
    failed(safety.logMatching(sim))!,
    /n1 and n2 hold different commands at index 2, term 1/,
  );
});

Deno.test("log matching: the same entry after different predecessors is caught", () => {
  const { sim, servers: [a, b], safety } = cluster();
  a.add([1, 2]);
  b.add([2]);
  b.log.append([{ ...a.log.entry(2)! }]);
  assert.match(
    failed(safety.logMatching(sim))!,
    /agree on entry \(2, term 2\) but not on the term of entry 1/,
  );
});

Deno.test("log matching rechecks what a truncation replaced", () => {
  const { sim, servers: [a, b], safety } = cluster();
  a.add([1, 1, 1]);
  b.add([1, 1, 1]);
  assert.equal(failed(safety.logMatching(sim)), null);
  b.log.truncateFrom(2);
  b.add([1, 1], "forged");
  assert.match(failed(safety.logMatching(sim))!, /different commands at index 2/);
});

Deno.test("leader completeness: a new leader without a committed entry is caught", () => {
  const { sim, servers: [a, b, c], safety } = cluster();
  for (const s of [a, b]) s.add([1, 1]);
  c.add([1]);
  assert.equal(failed(safety.leaderCompleteness(sim)), null);
  a.commitIndex = 2;
  assert.equal(failed(safety.leaderCompleteness(sim)), null);
  c.role = "leader";
  c.currentTerm = 2;
  assert.match(
    failed(safety.leaderCompleteness(sim))!,
    /leader n3 of term 2 lacks entry 2 \(term 1\), committed in term 1/,
  );
});

Deno.test("leader completeness: a leader of a term before the commit need not hold the entry", () => {
  // A candidate of term 4 wins, then pauses before it learns anything; the
  // leader of term 6 commits entry 2 meanwhile. When the term-4 leader wakes
  // up without entry 2, nothing is wrong: entry 2 was committed in term 6.
  const { sim, servers: [a, b, c], safety } = cluster();
  for (const s of [a, b]) s.add([1, 1]);
  c.add([1]);
  safety.leaderCompleteness(sim);
  a.role = "leader";
  a.currentTerm = b.currentTerm = 6;
  a.commitIndex = 2;
  assert.equal(failed(safety.leaderCompleteness(sim)), null);
  c.role = "leader";
  c.currentTerm = 4;
  assert.equal(failed(safety.leaderCompleteness(sim)), null);
  c.currentTerm = 7;
  assert.match(failed(safety.leaderCompleteness(sim))!, /committed in term 6/);
});

Deno.test("leader completeness: two servers committing different entries at an index is caught", () => {
  const { sim, servers: [a, b], safety } = cluster();
  a.add([1, 1]);
  b.add([1, 2]);
  safety.leaderCompleteness(sim);
  a.commitIndex = 2;
  b.commitIndex = 2;
  assert.match(
    failed(safety.leaderCompleteness(sim))!,
    /index 2 committed with term 1 at n1 but term 2 at n2/,
  );
});

Deno.test("state machine safety: different commands applied at one index are caught", () => {
  const { sim, servers: [a, b], safety } = cluster();
  a.add([1]);
  b.add([1], "other");
  safety.stateMachineSafety(sim);
  a.lastApplied = 1;
  a.stateMachine.digest = 11;
  assert.equal(failed(safety.stateMachineSafety(sim)), null);
  b.lastApplied = 1;
  b.stateMachine.digest = 11;
  assert.match(
    failed(safety.stateMachineSafety(sim))!,
    /n1 applied c#1 \{"f":"put","key":"x","value":"v1"\} at index 1 but n2 applied/,
  );
});

Deno.test("state machine safety: different digests at one applied index are caught", () => {
  const { sim, servers: [a, b], safety } = cluster();
  safety.stateMachineSafety(sim);
  // Both jumped to index 5 by installing snapshots (no entries to compare).
  a.log.restore(5, 1);
  b.log.restore(5, 1);
  a.lastApplied = b.lastApplied = 5;
  a.stateMachine.digest = 1;
  b.stateMachine.digest = 2;
  assert.match(
    failed(safety.stateMachineSafety(sim))!,
    /n1 and n2 have applied different histories through index 5/,
  );
});

Deno.test("liveness: a connected majority without a leader past the bound is caught", () => {
  const { sim, servers } = cluster();
  const live = new RaftLiveness(IDS, [], { leaderWithinMs: 100, commitWithinMs: 100 });
  sim.invariant("liveness", (s) => live.check(s));
  let r = sim.run({ until: 90 });
  assert.ok(r.ok);
  // A majority cut in two has no healthy majority: no deadline runs.
  sim.partition(["n1"], ["n2"], ["n3"]);
  sim.at(500, () => {});
  r = sim.run({ until: 500 });
  assert.ok(r.ok, "no connected majority, nothing promised");
  sim.heal();
  sim.at(650, () => {}); // healthy again from here
  sim.at(780, () => {});
  r = sim.run({ until: 800 });
  assert.equal(r.ok, false);
  assert.match(
    r.violations[0].message,
    /no leader for 1\d\d ms while n1,n2,n3 were up and connected/,
  );
  assert.ok(servers.every((s) => s.role === "follower"));
});

Deno.test("liveness: an operation that does not commit under a steady leader is caught", () => {
  const sim = new Simulation({ seed: 1, trace: "off" });
  const servers = IDS.map(() => new FakeServer());
  IDS.forEach((id, i) => sim.spawn(id, () => servers[i]));
  servers[0].role = "leader";
  sim.spawn("c1", () => ({
    onStart(ctx) {
      ctx.complete(ctx.invoke("put", { key: "x", value: "1" }), null);
      ctx.invoke("put", { key: "x", value: "2" }); // never answered
    },
    onMessage() {},
  }));
  const live = new RaftLiveness(IDS, ["c1"], { leaderWithinMs: 100, commitWithinMs: 200 });
  sim.invariant("liveness", (s) => live.check(s));
  sim.at(150, () => {});
  assert.ok(sim.run({ until: 150 }).ok);
  sim.at(300, () => {});
  const r = sim.run({ until: 300 });
  assert.equal(r.ok, false);
  assert.match(
    r.violations[0].message,
    /operation 1 \(put by c1, called at 0\) did not commit within 200 ms/,
  );
  assert.equal(live.opsJudged, 1);
});
