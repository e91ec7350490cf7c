/**
 * The examples and demo sections of issue 14's lectures (Paxos, atomic
 * commit, transactions): they run, tell the story they claim, fit the page
 * and need no permissions.
 *
 * @module
 */

import assert from "node:assert/strict";
import { commitSection } from "../examples/_commit_section.ts";
import { txnSection } from "../examples/_txn_section.ts";
import { anomalousRun, transactionsExample } from "../examples/transactions.ts";
import { paxosSection } from "../examples/_paxos_section.ts";
import { demo } from "../examples/demo.ts";
import { duel, multiPaxosRun, paxosExample } from "../examples/paxos.ts";
import { forgetfulCoordinator, twoPhaseCommitExample } from "../examples/two_phase_commit.ts";
import type { PaxosLogNode } from "../protocols/paxos/log_node.ts";
import type { PaxosNode } from "../protocols/paxos/single_decree.ts";

const fits = (text: string, width = 100) => {
  for (const line of text.split("\n")) assert.ok([...line].length <= width, `too wide: ${line}`);
};

Deno.test("paxos example: the late proposer re-proposes the chosen value; the planted rule is caught", () => {
  const good = duel();
  for (const id of ["n1", "n2", "n3"]) assert.equal(good.actor<PaxosNode>(id)?.decided, "v-n3");
  assert.equal(good.violations.length, 0);
  assert.equal(duel(true).violations[0].check, "agreement");
  const { sim } = multiPaxosRun();
  const logs = ["n1", "n2", "n3"].map((id) => sim.actor<PaxosLogNode>(id)?.values.join(" "));
  assert.equal(new Set(logs).size, 1);
  assert.equal(logs[0]?.split(" ").length, 6);
  const text = paxosExample();
  fits(text);
  fits(paxosExample({ width: 80 }), 80);
  assert.match(text, /Accept \d+\.n1 v-n3/); // n1's later ballot carries n3's value
  assert.match(text, /agreement: n1 decided v-n1 but n\d decided v-n3/);
  assert.match(text, /• leader \d+\.n\d/);
  assert.ok(!text.includes("\x1b["), "no colour unless asked");
});

Deno.test("two-phase commit example: blocking, presumed abort, durable decisions, 2PC-FT, the forgetful coordinator", () => {
  const text = twoPhaseCommitExample();
  fits(text);
  fits(twoPhaseCommitExample({ width: 80 }), 80);
  const scenes = text.split(/\n(?=\d\. )/);
  assert.equal(scenes.length, 6);
  assert.match(scenes[0], /n1 committed 1, aborted 0/);
  assert.match(scenes[1], /X CRASH/);
  assert.match(scenes[1], /DecisionRequ/);
  assert.match(scenes[1], /undecided c1\.1 \(in doubt\)/);
  assert.match(
    scenes[1].replaceAll("\n", " "),
    /termination: .* still undecided \(tm down for good\)/,
  );
  assert.match(scenes[2], /n1 committed 0, aborted 1/);
  assert.match(scenes[3], /tm commit c1\.1 at 30 ms\n {2}n1 commit c1\.1 at 4\d\d ms/);
  assert.match(scenes[4], /n1 commit c1\.1 at \d+ ms/);
  assert.match(scenes[4], /termination with tm down for good: held/);
  assert.match(scenes[5], /atomicity: /);
  // The replay line, joined where it wraps (a backslash, then the next line).
  const line = scenes[5].replace(/ \\\n\s+/g, " ");
  assert.match(line, /deno task sim run 2pc --seed \d+ .*--forget-decision true/);
  assert.equal(forgetfulCoordinator()?.check, "atomicity");
});

Deno.test("transactions example: the history in Jepsen's form; clean with locks, anomalies without", () => {
  const text = transactionsExample();
  fits(text);
  fits(transactionsExample({ width: 80 }), 80);
  assert.match(text, /\{:process c\d, :type :invoke, :f :txn, :value \[\[:\w+ \d+ nil\]/);
  assert.match(text, /\{:process c\d, :type :ok, :f :txn, :value/);
  assert.match(text, /strict-serializable: yes/);
  assert.match(text, /strict-serializable: NO/);
  assert.match(text, /deno task sim run txn-kv --seed \d+ --no-locking/);
  assert.equal(anomalousRun(1, "rw-register").violations[0].check, "transactions");
});

Deno.test("the demo tour has Paxos, atomic commit and transactions sections, in course order", () => {
  const paxos = paxosSection({ width: 100 });
  fits(paxos);
  assert.match(paxos, /^── Paxos/);
  assert.match(paxos, /agreement: n1 decided v-n1/);
  const commit = commitSection({ width: 100 });
  fits(commit);
  // The tour reads the same every time: no wall-clock figures in these sections.
  assert.equal(commitSection({ width: 100 }), commit);
  assert.equal(paxosSection({ width: 100 }), paxos);
  assert.match(commit, /^── Atomic commit/);
  assert.match(commit, /in doubt/);
  assert.match(
    commit.replaceAll("\n", " "),
    /decide without tm: n1 committed 1; n2 committed 1; n3 committed 1/,
  );
  fits(commitSection({ width: 80 }), 80);
  const tour = demo({ width: 100 });
  const txn = txnSection({ width: 100 });
  fits(txn);
  assert.equal(txnSection({ width: 100 }), txn);
  assert.match(txn, /^── Transactions/);
  assert.match(txn, /strict-serializable: yes/);
  assert.match(txn, /strict-serializable: NO/);
  const order = [
    "── Quorums",
    "── Raft",
    "── Paxos",
    "── Atomic commit",
    "── Transactions",
    "── CRDTs",
  ]
    .map((h) => tour.indexOf(h));
  assert.ok(order.every((at, i) => at >= 0 && (i === 0 || at > order[i - 1])), `${order}`);
});
