/**
 * Issue 15, parts 1 and 4: clusters of real processes on loopback. The
 * project's Raft KV as three `RaftNode` processes, clients in the driver,
 * SIGKILL and restarts, partitions through the runtime's own transport, and
 * the simulator's linearizability checker on the history; and a Maelstrom
 * reference solution under the same clients and checker as in the
 * simulator. Every process is gone when a run is over.
 */

import assert from "node:assert/strict";
import { linKvWorkload } from "../protocols/maelstrom/lin_kv.ts";
import { maelstromCluster } from "../protocols/maelstrom/scenarios.ts";
import { maelstromClusters } from "../protocols/maelstrom/solutions.ts";
import { raftKvCluster } from "../protocols/raft/cluster.ts";
import { runCluster } from "../runtime/cluster.ts";
import { parseAddress } from "../runtime/transport.ts";

/** Whether something still listens at `address`. */
async function listening(address: string): Promise<boolean> {
  try {
    const conn = await Deno.connect(parseAddress(address));
    conn.close();
    return true;
  } catch {
    return false;
  }
}

Deno.test("raft-kv on 3 processes: kills, restarts and partitions; the history is linearizable", async () => {
  const faults = [
    "@1500 crash n1",
    "@3000 restart n1",
    "@4000 partition n2|n1,n3",
    "@5500 heal",
    "@6000 crash n2",
    "@7000 restart n2",
    "@7500 partition n3|n1,n2",
    "@9000 heal",
  ].join("; ");
  const result = await runCluster(raftKvCluster, {
    nodes: 3,
    durationMs: 10_000,
    settleMs: 2000,
    faults,
    seed: 7,
  });
  const report = [...result.events, ...result.summary, ...result.violations.map((v) => v.message)]
    .join("\n");
  assert.equal(result.ok, true, report);
  assert.equal(result.faults, faults);
  // Every fault happened, on real processes.
  for (const f of ["crash n1", "restart n1", "partition n2|n1,n3", "heal", "crash n2"]) {
    assert.ok(result.events.some((e) => e.endsWith(f)), `no ${f} in\n${report}`);
  }
  assert.deepEqual(result.servers.map((s) => s.starts), [2, 2, 1]);
  // The clients got answers, and the checker judged them all.
  assert.ok(result.history.some((op) => op.status === "ok"), report);
  assert.match(result.summary.join("\n"), /linearizable: ok/);
  // No process outlives the run.
  for (const s of result.servers) {
    assert.equal(await listening(s.address), false, `${s.id} still listens on ${s.address}`);
  }
});

Deno.test("maelstrom-broadcast as processes: the simulator's clients and checker, a partition and a kill", async () => {
  const broadcast = maelstromClusters.find((c) => c.name === "maelstrom-broadcast")!;
  const result = await runCluster(broadcast, {
    nodes: 3,
    durationMs: 3000,
    faults: "@500 partition n1|n2,n3; @1000 crash n2; @1500 restart n2; @2000 heal",
  });
  const report = [...result.events, ...result.summary, ...result.violations.map((v) => v.message)]
    .join("\n");
  assert.equal(result.ok, true, report);
  // Every client made its final read, and it held every acknowledged broadcast.
  const finals = result.history.filter((op) =>
    op.f === "read" && (op.input as { final?: boolean } | null)?.final === true
  );
  assert.equal(finals.length, 3, report);
  assert.ok(finals.every((op) => op.status === "ok"), report);
  for (const s of result.servers) assert.equal(await listening(s.address), false);
});

Deno.test("the cluster's checker fails a store that is not linearizable, on real processes", async () => {
  const separate = maelstromCluster(
    linKvWorkload,
    new URL("./_runtime_actors.ts#separateKvNode", import.meta.url).href,
  );
  const dir = await Deno.makeTempDir({ prefix: "dsim-cluster-" });
  try {
    const result = await runCluster(separate, { nodes: 3, durationMs: 2000, dir });
    assert.equal(result.ok, false);
    assert.deepEqual(result.violations.map((v) => v.check), ["linearizability"]);
    for (const s of result.servers) assert.equal(await listening(s.address), false);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
