/**
 * Issue 13, part 6: the MIT 6.824 / 6.5840 Raft lab tests (2A to 2D),
 * ported onto the public harness (`protocols/raft/harness.ts`) and run over
 * many seeds each. Each test follows the lab's `test_test.go`: the same
 * steps, the same checks, the same numbers; time is virtual, and the lab's
 * goroutines (concurrent clients) become interleaved steps.
 *
 * Seeds per test: 50 by default; `RAFT_6824_SEEDS=500` for more.
 *
 * @module
 */

import assert from "node:assert/strict";
import { ELECTION_TIMEOUT_MS, LabFailure, RaftHarness } from "../protocols/raft/mod.ts";

const SEEDS = Number(Deno.env.get("RAFT_6824_SEEDS") ?? 50);
const SNAPSHOT_INTERVAL = 10;
/**
 * The lab's bound is 2,000 bytes of Go's gob encoding. Our log records are
 * JSON with field names, about three times larger per entry (some 95 bytes
 * against 30), so the bound here is three times the lab's: still far below
 * the 40 kB the log reaches in this test when nothing is compacted.
 */
const MAX_LOG_SIZE = 3 * 2000;

/** Runs `test` over the seeds; fails with every failing seed and its message. */
function lab(name: string, test: (seed: number) => void): void {
  Deno.test(`6.824 ${name} (${SEEDS} seeds)`, () => {
    const failures: string[] = [];
    for (let seed = 1; seed <= SEEDS; seed++) {
      try {
        test(seed);
      } catch (e) {
        if (!(e instanceof LabFailure) && !(e instanceof assert.AssertionError)) throw e;
        failures.push(`seed ${seed}: ${e.message.split("\n")[0]}`);
      }
    }
    assert.deepEqual(failures, [], `${failures.length} of ${SEEDS} seeds failed`);
  });
}

function fail(message: string): never {
  throw new LabFailure(message);
}

// ---- 2A: leader election ------------------------------------------------------------

lab("2A initial election", (seed) => {
  const cfg = new RaftHarness({ servers: 3, seed });
  cfg.checkOneLeader();
  cfg.sleep(50);
  const term1 = cfg.checkTerms();
  if (term1 < 1) fail(`term is ${term1}, but should be at least 1`);
  cfg.sleep(2 * ELECTION_TIMEOUT_MS);
  const term2 = cfg.checkTerms();
  if (term1 !== term2) fail("term changed even though there were no failures");
  cfg.checkOneLeader();
});

lab("2A election after network failure", (seed) => {
  const servers = 3;
  const cfg = new RaftHarness({ servers, seed });
  const leader1 = cfg.checkOneLeader();
  cfg.disconnect(leader1);
  cfg.checkOneLeader();
  cfg.connect(leader1);
  const leader2 = cfg.checkOneLeader();
  cfg.disconnect(leader2);
  cfg.disconnect((leader2 + 1) % servers);
  cfg.sleep(2 * ELECTION_TIMEOUT_MS);
  cfg.checkNoLeader();
  cfg.connect((leader2 + 1) % servers);
  cfg.checkOneLeader();
  cfg.connect(leader2);
  cfg.checkOneLeader();
});

lab("2A multiple elections", (seed) => {
  const servers = 7;
  const cfg = new RaftHarness({ servers, seed });
  cfg.checkOneLeader();
  for (let ii = 1; ii < 10; ii++) {
    const [i1, i2, i3] = [cfg.rand(servers), cfg.rand(servers), cfg.rand(servers)];
    cfg.disconnect(i1);
    cfg.disconnect(i2);
    cfg.disconnect(i3);
    cfg.checkOneLeader();
    cfg.connect(i1);
    cfg.connect(i2);
    cfg.connect(i3);
  }
  cfg.checkOneLeader();
});

// ---- 2B: log replication --------------------------------------------------------------

lab("2B basic agreement", (seed) => {
  const servers = 3;
  const cfg = new RaftHarness({ servers, seed });
  for (let index = 1; index < 4; index++) {
    if (cfg.nCommitted(index).count > 0) fail("some have committed before Start()");
    const xindex = cfg.one(index * 100, servers, false);
    if (xindex !== index) fail(`got index ${xindex} but expected ${index}`);
  }
});

lab("2B RPC byte count", (seed) => {
  const servers = 3;
  const cfg = new RaftHarness({ servers, seed });
  cfg.one(99, servers, false);
  const bytes0 = cfg.bytesTotal();
  let sent = 0;
  for (let index = 2; index < 12; index++) {
    const cmd = randomString(cfg, 5000);
    const xindex = cfg.one(cmd, servers, false);
    if (xindex !== index) fail(`got index ${xindex} but expected ${index}`);
    sent += cmd.length;
  }
  const got = cfg.bytesTotal() - bytes0;
  const expected = servers * sent;
  if (got > expected + 50_000) fail(`too many RPC bytes; got ${got}, expected ${expected}`);
});

lab("2B agreement despite follower disconnection", (seed) => {
  const servers = 3;
  const cfg = new RaftHarness({ servers, seed });
  cfg.one(101, servers, false);
  const leader = cfg.checkOneLeader();
  cfg.disconnect((leader + 1) % servers);
  cfg.one(102, servers - 1, false);
  cfg.one(103, servers - 1, false);
  cfg.sleep(ELECTION_TIMEOUT_MS);
  cfg.one(104, servers - 1, false);
  cfg.one(105, servers - 1, false);
  cfg.connect((leader + 1) % servers);
  cfg.one(106, servers, true);
  cfg.sleep(ELECTION_TIMEOUT_MS);
  cfg.one(107, servers, true);
});

lab("2B no agreement if too many followers disconnect", (seed) => {
  const servers = 5;
  const cfg = new RaftHarness({ servers, seed });
  cfg.one(10, servers, false);
  const leader = cfg.checkOneLeader();
  for (const k of [1, 2, 3]) cfg.disconnect((leader + k) % servers);
  const { index, isLeader } = cfg.start(leader, 20);
  if (!isLeader) fail("leader rejected Start()");
  if (index !== 2) fail(`expected index 2, got ${index}`);
  cfg.sleep(2 * ELECTION_TIMEOUT_MS);
  const n = cfg.nCommitted(index).count;
  if (n > 0) fail(`${n} committed but no majority`);
  for (const k of [1, 2, 3]) cfg.connect((leader + k) % servers);
  const leader2 = cfg.checkOneLeader();
  const r2 = cfg.start(leader2, 30);
  if (!r2.isLeader) fail("leader2 rejected Start()");
  if (r2.index < 2 || r2.index > 3) fail(`unexpected index ${r2.index}`);
  cfg.one(1000, servers, true);
});

lab("2B concurrent Start()s", (seed) => {
  const servers = 3;
  const cfg = new RaftHarness({ servers, seed });
  let success = false;
  tries: for (let attempt = 0; attempt < 5; attempt++) {
    if (attempt > 0) cfg.sleep(3000);
    const leader = cfg.checkOneLeader();
    const first = cfg.start(leader, 1);
    if (!first.isLeader) continue;
    const indexes: number[] = [];
    for (let ii = 0; ii < 5; ii++) {
      const r = cfg.start(leader, 100 + ii);
      if (r.term === first.term && r.isLeader) indexes.push(r.index);
    }
    for (let j = 0; j < servers; j++) {
      if (cfg.getState(j).term !== first.term) continue tries;
    }
    const cmds: unknown[] = [];
    for (const index of indexes) {
      const cmd = cfg.wait(index, servers, first.term);
      if (cmd === -1) continue tries;
      cmds.push(cmd);
    }
    for (let ii = 0; ii < 5; ii++) {
      if (!cmds.includes(100 + ii)) fail(`cmd ${100 + ii} missing in ${cmds}`);
    }
    success = true;
    break;
  }
  if (!success) fail("term changed too often");
});

lab("2B rejoin of partitioned leader", (seed) => {
  const servers = 3;
  const cfg = new RaftHarness({ servers, seed });
  cfg.one(101, servers, true);
  const leader1 = cfg.checkOneLeader();
  cfg.disconnect(leader1);
  cfg.start(leader1, 102);
  cfg.start(leader1, 103);
  cfg.start(leader1, 104);
  cfg.one(103, 2, true);
  const leader2 = cfg.checkOneLeader();
  cfg.disconnect(leader2);
  cfg.connect(leader1);
  cfg.one(104, 2, true);
  cfg.connect(leader2);
  cfg.one(105, servers, true);
});

lab("2B leader backs up quickly over incorrect follower logs", (seed) => {
  const servers = 5;
  const cfg = new RaftHarness({ servers, seed });
  cfg.one(cfg.rand(1e9), servers, true);
  const leader1 = cfg.checkOneLeader();
  for (const k of [2, 3, 4]) cfg.disconnect((leader1 + k) % servers);
  for (let i = 0; i < 50; i++) cfg.start(leader1, cfg.rand(1e9));
  cfg.sleep(ELECTION_TIMEOUT_MS / 2);
  for (const k of [0, 1]) cfg.disconnect((leader1 + k) % servers);
  for (const k of [2, 3, 4]) cfg.connect((leader1 + k) % servers);
  for (let i = 0; i < 50; i++) cfg.one(cfg.rand(1e9), 3, true);
  const leader2 = cfg.checkOneLeader();
  let other = (leader1 + 2) % servers;
  if (leader2 === other) other = (leader2 + 1) % servers;
  cfg.disconnect(other);
  for (let i = 0; i < 50; i++) cfg.start(leader2, cfg.rand(1e9));
  cfg.sleep(ELECTION_TIMEOUT_MS / 2);
  for (let i = 0; i < servers; i++) cfg.disconnect(i);
  cfg.connect((leader1 + 0) % servers);
  cfg.connect((leader1 + 1) % servers);
  cfg.connect(other);
  for (let i = 0; i < 50; i++) cfg.one(cfg.rand(1e9), 3, true);
  for (let i = 0; i < servers; i++) cfg.connect(i);
  cfg.one(cfg.rand(1e9), servers, true);
});

lab("2B RPC counts aren't too high", (seed) => {
  const servers = 3;
  const cfg = new RaftHarness({ servers, seed });
  const rpcs = () => [0, 1, 2].reduce((n, j) => n + cfg.rpcCount(j), 0);
  cfg.checkOneLeader();
  let total1 = rpcs();
  if (total1 > 30 || total1 < 1) fail(`too many or few RPCs (${total1}) to elect initial leader`);
  let total2 = 0;
  let success = false;
  tries: for (let attempt = 0; attempt < 5; attempt++) {
    if (attempt > 0) cfg.sleep(3000);
    const leader = cfg.checkOneLeader();
    total1 = rpcs();
    const iters = 10;
    const first = cfg.start(leader, 1);
    if (!first.isLeader) continue;
    const cmds: number[] = [];
    for (let i = 1; i < iters + 2; i++) {
      const x = cfg.rand(2 ** 31);
      cmds.push(x);
      const r = cfg.start(leader, x);
      if (r.term !== first.term || !r.isLeader) continue tries;
      if (first.index + i !== r.index) fail("Start() failed");
    }
    for (let i = 1; i < iters + 1; i++) {
      const cmd = cfg.wait(first.index + i, servers, first.term);
      if (cmd === -1) continue tries;
      if (cmd !== cmds[i - 1]) fail(`wrong value ${cmd} committed for index ${first.index + i}`);
    }
    let failed = false;
    total2 = 0;
    for (let j = 0; j < servers; j++) {
      if (cfg.getState(j).term !== first.term) failed = true;
      total2 += cfg.rpcCount(j);
    }
    if (failed) continue;
    if (total2 - total1 > (iters + 1 + 3) * 3) {
      fail(`too many RPCs (${total2 - total1}) for ${iters} entries`);
    }
    success = true;
    break;
  }
  if (!success) fail("term changed too often");
  cfg.sleep(ELECTION_TIMEOUT_MS);
  const total3 = rpcs();
  if (total3 - total2 > 3 * 20) fail(`too many RPCs (${total3 - total2}) for 1 second of idleness`);
});

// ---- 2C: persistence ---------------------------------------------------------------------

lab("2C basic persistence", (seed) => {
  const servers = 3;
  const cfg = new RaftHarness({ servers, seed });
  cfg.one(11, servers, true);
  for (let i = 0; i < servers; i++) cfg.restart(i);
  for (let i = 0; i < servers; i++) {
    cfg.disconnect(i);
    cfg.connect(i);
  }
  cfg.one(12, servers, true);
  const leader1 = cfg.checkOneLeader();
  cfg.disconnect(leader1);
  cfg.restart(leader1);
  cfg.connect(leader1);
  cfg.one(13, servers, true);
  const leader2 = cfg.checkOneLeader();
  cfg.disconnect(leader2);
  cfg.one(14, servers - 1, true);
  cfg.restart(leader2);
  cfg.connect(leader2);
  cfg.wait(4, servers, -1);
  const i3 = (cfg.checkOneLeader() + 1) % servers;
  cfg.disconnect(i3);
  cfg.one(15, servers - 1, true);
  cfg.restart(i3);
  cfg.connect(i3);
  cfg.one(16, servers, true);
});

lab("2C more persistence", (seed) => {
  const servers = 5;
  const cfg = new RaftHarness({ servers, seed });
  let index = 1;
  for (let iters = 0; iters < 5; iters++) {
    cfg.one(10 + index++, servers, true);
    const leader1 = cfg.checkOneLeader();
    cfg.disconnect((leader1 + 1) % servers);
    cfg.disconnect((leader1 + 2) % servers);
    cfg.one(10 + index++, servers - 2, true);
    cfg.disconnect((leader1 + 0) % servers);
    cfg.disconnect((leader1 + 3) % servers);
    cfg.disconnect((leader1 + 4) % servers);
    cfg.restart((leader1 + 1) % servers);
    cfg.restart((leader1 + 2) % servers);
    cfg.connect((leader1 + 1) % servers);
    cfg.connect((leader1 + 2) % servers);
    cfg.sleep(ELECTION_TIMEOUT_MS);
    cfg.restart((leader1 + 3) % servers);
    cfg.connect((leader1 + 3) % servers);
    cfg.one(10 + index++, servers - 2, true);
    cfg.connect((leader1 + 4) % servers);
    cfg.connect((leader1 + 0) % servers);
  }
  cfg.one(1000, servers, true);
});

lab("2C partitioned leader and one follower crash, leader restarts", (seed) => {
  const servers = 3;
  const cfg = new RaftHarness({ servers, seed });
  cfg.one(101, 3, true);
  const leader = cfg.checkOneLeader();
  cfg.disconnect((leader + 2) % servers);
  cfg.one(102, 2, true);
  cfg.crash((leader + 0) % servers);
  cfg.crash((leader + 1) % servers);
  cfg.connect((leader + 2) % servers);
  cfg.restart((leader + 0) % servers);
  cfg.connect((leader + 0) % servers);
  cfg.one(103, 2, true);
  cfg.restart((leader + 1) % servers);
  cfg.connect((leader + 1) % servers);
  cfg.one(104, servers, true);
});

lab("2C Figure 8", (seed) => {
  const servers = 5;
  const cfg = new RaftHarness({ servers, seed });
  cfg.one(cfg.rand(1e9), 1, true);
  let nup = servers;
  for (let iters = 0; iters < 1000; iters++) {
    let leader = -1;
    for (let i = 0; i < servers; i++) {
      if (cfg.node(i) !== undefined && cfg.start(i, cfg.rand(1e9)).isLeader) leader = i;
    }
    cfg.sleep(cfg.rand(1000) < 100 ? cfg.rand(ELECTION_TIMEOUT_MS / 2) : cfg.rand(13));
    if (leader !== -1) {
      cfg.crash(leader);
      nup--;
    }
    if (nup < 3) {
      const s = cfg.rand(servers);
      if (cfg.node(s) === undefined) {
        cfg.restart(s);
        cfg.connect(s);
        nup++;
      }
    }
  }
  for (let i = 0; i < servers; i++) {
    if (cfg.node(i) === undefined) {
      cfg.restart(i);
      cfg.connect(i);
    }
  }
  cfg.one(cfg.rand(1e9), servers, true);
});

lab("2C unreliable agreement", (seed) => {
  const servers = 5;
  const cfg = new RaftHarness({ servers, seed, unreliable: true });
  // The lab runs four concurrent one() per iteration; here they go in turn.
  for (let iters = 1; iters < 50; iters++) {
    for (let j = 0; j < 4; j++) cfg.one(100 * iters + j, 1, true);
    cfg.one(iters, 1, true);
  }
  cfg.setUnreliable(false);
  cfg.one(100, servers, true);
});

lab("2C Figure 8 (unreliable)", (seed) => {
  const servers = 5;
  const cfg = new RaftHarness({ servers, seed, unreliable: true });
  cfg.one(cfg.rand(10_000), 1, true);
  let nup = servers;
  for (let iters = 0; iters < 1000; iters++) {
    if (iters === 200) cfg.setLongReordering(true);
    let leader = -1;
    for (let i = 0; i < servers; i++) {
      if (cfg.start(i, cfg.rand(10_000)).isLeader && cfg.connected(i)) leader = i;
    }
    cfg.sleep(cfg.rand(1000) < 100 ? cfg.rand(ELECTION_TIMEOUT_MS / 2) : cfg.rand(13));
    if (leader !== -1 && cfg.rand(1000) < ELECTION_TIMEOUT_MS / 2) {
      cfg.disconnect(leader);
      nup--;
    }
    if (nup < 3) {
      const s = cfg.rand(servers);
      if (!cfg.connected(s)) {
        cfg.connect(s);
        nup++;
      }
    }
  }
  for (let i = 0; i < servers; i++) if (!cfg.connected(i)) cfg.connect(i);
  cfg.one(cfg.rand(10_000), servers, true);
});

/** 2C churn: crashes, disconnections and restarts while three clients propose. */
function churn(seed: number, unreliable: boolean): void {
  const servers = 5;
  const cfg = new RaftHarness({ servers, seed, unreliable });
  // The lab's three client goroutines, as steps between the faults: each
  // starts a value at every server and waits a little for it to commit.
  const committed: number[] = [];
  const client = () => {
    const x = cfg.rand(2 ** 31);
    let index = -1;
    for (let i = 0; i < servers; i++) {
      if (cfg.node(i) === undefined) continue;
      const r = cfg.start(i, x);
      if (r.isLeader) index = r.index;
    }
    if (index === -1) return cfg.sleep(79);
    for (const to of [10, 20, 50, 100, 200]) {
      const { count, command } = cfg.nCommitted(index);
      if (count > 0) {
        if (command === x) committed.push(x);
        return;
      }
      cfg.sleep(to);
    }
  };
  for (let iters = 0; iters < 20; iters++) {
    if (cfg.rand(1000) < 200) cfg.disconnect(cfg.rand(servers));
    if (cfg.rand(1000) < 500) {
      const i = cfg.rand(servers);
      if (cfg.node(i) === undefined) cfg.restart(i);
      cfg.connect(i);
    }
    if (cfg.rand(1000) < 200) {
      const i = cfg.rand(servers);
      if (cfg.node(i) !== undefined) cfg.crash(i);
    }
    const until = cfg.sim.now + (ELECTION_TIMEOUT_MS * 7) / 10;
    while (cfg.sim.now < until) client();
  }
  cfg.sleep(ELECTION_TIMEOUT_MS);
  cfg.setUnreliable(false);
  for (let i = 0; i < servers; i++) {
    if (cfg.node(i) === undefined) cfg.restart(i);
    cfg.connect(i);
  }
  cfg.sleep(ELECTION_TIMEOUT_MS);
  const lastIndex = cfg.one(cfg.rand(2 ** 31), servers, true);
  const really: unknown[] = [];
  for (let index = 1; index <= lastIndex; index++) really.push(cfg.wait(index, servers, -1));
  for (const v of committed) if (!really.includes(v)) fail(`didn't find a value (${v})`);
}

lab("2C churn", (seed) => churn(seed, false));
lab("2C unreliable churn", (seed) => churn(seed, true));

// ---- 2D: log compaction --------------------------------------------------------------------

function snapcommon(seed: number, disconnect: boolean, reliable: boolean, crash: boolean): void {
  const servers = 3;
  const cfg = new RaftHarness({
    servers,
    seed,
    unreliable: !reliable,
    snapshotEvery: SNAPSHOT_INTERVAL,
  });
  cfg.one(cfg.rand(1e9), servers, true);
  let leader1 = cfg.checkOneLeader();
  for (let i = 0; i < 30; i++) {
    let victim = (leader1 + 1) % servers;
    let sender = leader1;
    if (i % 3 === 1) {
      sender = (leader1 + 1) % servers;
      victim = leader1;
    }
    if (disconnect) {
      cfg.disconnect(victim);
      cfg.one(cfg.rand(1e9), servers - 1, true);
    }
    if (crash) {
      cfg.crash(victim);
      cfg.one(cfg.rand(1e9), servers - 1, true);
    }
    for (let k = 0; k < SNAPSHOT_INTERVAL + 1; k++) cfg.start(sender, cfg.rand(1e9));
    cfg.one(cfg.rand(1e9), servers - 1, true);
    for (let j = 0; j < servers; j++) {
      if (cfg.logSize(j) >= MAX_LOG_SIZE) fail(`log size too large (${cfg.logSize(j)} bytes)`);
    }
    if (disconnect) {
      cfg.connect(victim);
      cfg.one(cfg.rand(1e9), servers, true);
      leader1 = cfg.checkOneLeader();
    }
    if (crash) {
      cfg.restart(victim);
      cfg.connect(victim);
      cfg.one(cfg.rand(1e9), servers, true);
      leader1 = cfg.checkOneLeader();
    }
  }
}

lab("2D snapshots basic", (seed) => snapcommon(seed, false, true, false));
lab("2D install snapshots (disconnect)", (seed) => snapcommon(seed, true, true, false));
lab(
  "2D install snapshots (disconnect+unreliable)",
  (seed) => snapcommon(seed, true, false, false),
);
lab("2D install snapshots (crash)", (seed) => snapcommon(seed, false, true, true));
lab("2D install snapshots (unreliable+crash)", (seed) => snapcommon(seed, false, false, true));

lab("2D crash and restart all servers", (seed) => {
  const servers = 3;
  const cfg = new RaftHarness({ servers, seed, snapshotEvery: SNAPSHOT_INTERVAL });
  cfg.one(cfg.rand(1e9), servers, true);
  for (let i = 0; i < 5; i++) {
    const nn = SNAPSHOT_INTERVAL / 2 + cfg.rand(SNAPSHOT_INTERVAL);
    for (let j = 0; j < nn; j++) cfg.one(cfg.rand(1e9), servers, true);
    const index1 = cfg.one(cfg.rand(1e9), servers, true);
    for (let k = 0; k < servers; k++) cfg.crash(k);
    for (let k = 0; k < servers; k++) {
      cfg.restart(k);
      cfg.connect(k);
    }
    const index2 = cfg.one(cfg.rand(1e9), servers, true);
    if (index2 < index1 + 1) fail(`index decreased from ${index1} to ${index2}`);
  }
});

lab("2D snapshot initialization after crash", (seed) => {
  const servers = 3;
  const cfg = new RaftHarness({ servers, seed, snapshotEvery: SNAPSHOT_INTERVAL });
  cfg.one(cfg.rand(1e9), servers, true);
  for (let i = 0; i < SNAPSHOT_INTERVAL + 1; i++) cfg.one(cfg.rand(1e9), servers, true);
  const reviveAll = () => {
    for (let k = 0; k < servers; k++) cfg.crash(k);
    for (let k = 0; k < servers; k++) {
      cfg.restart(k);
      cfg.connect(k);
    }
  };
  reviveAll();
  cfg.one(cfg.rand(1e9), servers, true);
  reviveAll();
  cfg.one(cfg.rand(1e9), servers, true);
});

Deno.test("harness: Snapshot(index) at a chosen index keeps the entries after it", () => {
  const cfg = new RaftHarness({ servers: 3, seed: 7 });
  for (let i = 1; i <= 12; i++) cfg.one(i, 3, false);
  const leader = cfg.checkOneLeader();
  cfg.snapshot(leader, 9);
  const node = cfg.node(leader)!;
  assert.equal(node.log.snapshotIndex, 9, "the log starts after index 9");
  assert.equal(node.snapshot?.lastIncludedIndex, 12, "the state machine's own snapshot, at 12");
  const events: string[] = [];
  cfg.onApply((server, e) => events.push(`${server} ${e.type}`));
  cfg.one(13, 3, false);
  assert.equal(events.filter((e) => e.endsWith("applied")).length, 3);
  const follower = (leader + 1) % 3;
  const counts = cfg.messageCounts(follower);
  assert.ok(counts.AppendEntries.count > 0 && counts.AppendEntries.bytes > 0);
  assert.equal(cfg.rpcCount(follower) >= counts.AppendEntries.count, true);
});

function randomString(cfg: RaftHarness, n: number): string {
  const chars = "abcdefghijklmnopqrstuvwxyz0123456789";
  let s = "";
  for (let i = 0; i < n; i++) s += chars[cfg.rand(chars.length)];
  return s;
}
