import assert from "node:assert/strict";
import type { Actor, NodeId } from "../actors/mod.ts";
import { AbdClient } from "../protocols/quorum/abd.ts";
import { QuorumClient, type QuorumClientConfig } from "../protocols/quorum/client.ts";
import type { QuorumMsg, Versioned } from "../protocols/quorum/messages.ts";
import { QuorumReplica, seedReplica, storedVersions } from "../protocols/quorum/replica.ts";
import type { PlannedOp } from "../protocols/quorum/workload.ts";
import { ConfigError } from "../sim/errors.ts";
import type { NetworkOptions } from "../sim/network.ts";
import { Simulation } from "../sim/simulation.ts";
import { eventsOf } from "./_helpers.ts";

const REPLICAS = ["n1", "n2", "n3"];

interface ClusterOptions {
  /** Versions of `x` the replicas start with, by index. */
  versions?: (Versioned | undefined)[];
  network?: NetworkOptions;
  /** Replicas crashed from the start. */
  down?: NodeId[];
  seed?: number;
}

/** Three replicas (optionally seeded, some down) and one client c1. */
function cluster(client: (replicas: string[]) => Actor<QuorumMsg>, o: ClusterOptions = {}) {
  const sim = new Simulation({ seed: o.seed ?? 1, network: o.network });
  REPLICAS.forEach((id, i) => {
    sim.spawn(id, () => new QuorumReplica());
    const v = o.versions?.[i];
    if (v !== undefined) seedReplica(sim.storage(id), "x", v);
  });
  for (const id of o.down ?? []) sim.crash(id);
  sim.spawn("c1", () => client(REPLICAS));
  return sim;
}

function quorumClient(ops: PlannedOp[], config: Partial<QuorumClientConfig> = {}) {
  return (replicas: string[]) =>
    new QuorumClient({ replicas, r: 2, w: 2, ...config, workload: { ops } });
}

const held = (sim: Simulation, key = "x") =>
  REPLICAS.map((id) => storedVersions(sim.storage(id)).get(key)?.value ?? null);

const OLD: Versioned = { value: "old", ts: [1, "c0"] };
const NEW: Versioned = { value: "new", ts: [2, "c0"] };

Deno.test("a read returns the newest of the R replies; a write returns after W acks", () => {
  // Only n3 holds the new value; R = 3 must hear it.
  const sim = cluster(quorumClient([{ f: "read", key: "x" }], { r: 3 }), {
    versions: [OLD, OLD, NEW],
  });
  sim.run();
  assert.equal(sim.history.operations[0].output, "new");

  // W = 2: the write returns at the second acknowledgement, not the first or third.
  const w = cluster(quorumClient([{ f: "write", key: "x", value: "v" }]), { seed: 5 });
  w.run();
  const acks = eventsOf(w, "deliver").filter((e) => (e.msg as QuorumMsg).type === "WriteAck");
  assert.equal(acks.length, 3);
  const done = eventsOf(w, "complete")[0];
  assert.equal(done.status, "ok");
  assert.equal(done.t, acks[1].t);
});

Deno.test("operations end fail or info when no quorum answers", async (t) => {
  await t.step("a read without R replies fails (it changed nothing)", () => {
    const sim = cluster(quorumClient([{ f: "read", key: "x" }]), { down: ["n2", "n3"] });
    sim.run();
    assert.equal(sim.history.operations[0].status, "fail");
  });
  await t.step("a write without W acks is info: a replica did store it", () => {
    const sim = cluster(quorumClient([{ f: "write", key: "x", value: "v" }]), {
      down: ["n2", "n3"],
    });
    sim.run();
    const op = sim.history.operations[0];
    assert.equal(op.status, "info");
    assert.deepEqual(held(sim), ["v", null, null]);
    // It waited for the first try and every retry: 3 x 40 ms.
    assert.equal(op.ret - op.call, 120);
  });
  await t.step("then the client goes on with its next operation", () => {
    const sim = cluster(
      quorumClient([{ f: "write", key: "x", value: "v" }, { f: "read", key: "x" }], { r: 1 }),
      { down: ["n2", "n3"] },
    );
    sim.run();
    assert.deepEqual(sim.history.operations.map((op) => [op.status, op.output]), [
      ["info", undefined],
      ["ok", "v"],
    ]);
  });
});

Deno.test("a timeout resends only to the silent replicas", () => {
  const sim = cluster(
    quorumClient([{ f: "write", key: "x", value: "v" }], { w: 3, timeoutMs: 40, retries: 2 }),
  );
  sim.block("c1", "n3");
  sim.at(50, (s) => s.heal());
  sim.run();
  const op = sim.history.operations[0];
  assert.equal(op.status, "ok");
  assert.ok(op.ret > 80, `the second resend (at 80 ms) got through, returned ${op.ret}`);
  const writesTo = (id: string) =>
    eventsOf(sim, "send").filter((e) => e.to === id && (e.msg as QuorumMsg).type === "Write")
      .length;
  assert.deepEqual(REPLICAS.map(writesTo), [1, 1, 3]);
});

Deno.test("duplicated answers count once toward a quorum", () => {
  // Every message duplicated: without per-replica counting one replica's two
  // acks would make W = 2 while the other replicas were cut off.
  const sim = cluster(quorumClient([{ f: "write", key: "x", value: "v" }]), {
    network: { duplicate: 1 },
    down: ["n2", "n3"],
  });
  sim.run();
  assert.equal(sim.history.operations[0].status, "info");
});

Deno.test("read repair", async (t) => {
  // n1 is near and has the new value; n2 and n3 are far and stale.
  const network: NetworkOptions = {
    latency: { kind: "fixed", ms: 10 },
    links: [
      { from: "c1", to: "n1", latency: { kind: "fixed", ms: 1 } },
      { from: "n1", to: "c1", latency: { kind: "fixed", ms: 1 } },
    ],
  };
  const versions = [NEW, OLD, OLD];
  const run = (readRepair: "none" | "async" | "sync", r: number) => {
    const sim = cluster(quorumClient([{ f: "read", key: "x" }], { r, readRepair }), {
      versions,
      network,
    });
    let heldAtReturn: unknown[] = [];
    sim.invariant("look at the replicas when the read returns", (s) => {
      if (s.history.operations[0]?.status === "ok" && heldAtReturn.length === 0) {
        heldAtReturn = held(s);
      }
    });
    sim.run();
    return { sim, op: sim.history.operations[0], heldAtReturn };
  };

  await t.step("none leaves stale replicas stale", () => {
    const { sim, op } = run("none", 2);
    assert.equal(op.output, "new");
    assert.deepEqual(held(sim), ["new", "old", "old"]);
  });
  await t.step("async returns at once and repairs in the background, late replies too", () => {
    const { sim, op, heldAtReturn } = run("async", 1);
    assert.equal(op.output, "new");
    assert.equal(op.ret - op.call, 2, "one round trip to the near replica");
    assert.deepEqual(heldAtReturn, ["new", "old", "old"]);
    // n2 and n3 replied after the read returned; the client repaired both.
    assert.deepEqual(held(sim), ["new", "new", "new"]);
  });
  await t.step("sync returns only once a write quorum holds the value", () => {
    const { op, heldAtReturn } = run("sync", 2);
    assert.equal(op.output, "new");
    assert.ok(heldAtReturn.filter((v) => v === "new").length >= 2, `${heldAtReturn}`);
    assert.ok(op.ret > 20, "a second round trip");
  });
  await t.step("sync skips the write-back when W replies already agree", () => {
    const sim = cluster(quorumClient([{ f: "read", key: "x" }], { readRepair: "sync" }), {
      versions: [NEW, NEW, NEW],
    });
    sim.run();
    const writes = eventsOf(sim, "send").filter((e) => (e.msg as QuorumMsg).type === "Write");
    assert.equal(sim.history.operations[0].output, "new");
    assert.equal(writes.length, 0);
  });
});

Deno.test("a writer's counter runs past every timestamp it has read", () => {
  const sim = cluster(
    quorumClient([{ f: "read", key: "x" }, { f: "write", key: "x", value: "mine" }], { r: 3 }),
    { versions: [{ value: "far", ts: [7, "c9"] }, OLD, OLD] },
  );
  sim.run();
  assert.deepEqual(storedVersions(sim.storage("n1")).get("x"), { value: "mine", ts: [8, "c1"] });
});

Deno.test("a restarted client neither redoes operations nor reuses timestamps", () => {
  // The quorum client writes at once; ABD's write queries first (10 ms) and
  // picks its timestamp only then.
  for (const [make, crashAt] of [[quorumClient, 1], [abdClient, 11]] as const) {
    const sim = cluster(
      make([
        { f: "write", key: "x", value: "a", atMs: 0 },
        { f: "write", key: "x", value: "b", atMs: 100 },
      ]),
      { network: { latency: { kind: "fixed", ms: 5 } } },
    );
    // Crash c1 while its first write is in flight, then bring it back.
    sim.at(crashAt, (s) => s.crash("c1"));
    sim.at(50, (s) => s.restart("c1"));
    sim.run();
    const ops = sim.history.operations;
    assert.deepEqual(ops.map((op) => [op.input, op.status]), [
      [{ key: "x", value: "a" }, "pending"],
      [{ key: "x", value: "b" }, "ok"],
    ]);
    const ts = storedVersions(sim.storage("n1")).get("x")!.ts!;
    assert.equal(ts[0], 2, "the first write's counter 1 is not reused");
  }
});

function abdClient(ops: PlannedOp[]) {
  return (replicas: string[]) => new AbdClient({ replicas, r: 2, w: 2, workload: { ops } });
}

Deno.test("bad configuration names the input and what is allowed", () => {
  const base = { replicas: REPLICAS, r: 2, w: 2, workload: { ops: 1 } };
  const cases: [Partial<QuorumClientConfig> & Record<string, unknown>, RegExp][] = [
    [{ r: 4 }, /^R: must be a whole number from 1 to N = 3, got 4/],
    [{ w: 0 }, /^W: must be a whole number from 1 to N = 3, got 0/],
    [{ replicas: [] }, /^replicas: needs at least one/],
    [{ replicas: ["n1", "n1"] }, /^replicas: must be distinct/],
    [{ timeoutMs: 0 }, /^timeoutMs: must be a number of ms > 0/],
    [{ retries: -1 }, /^retries: must be a whole number >= 0/],
    [{ readRepair: "eager" as "sync" }, /^readRepair: must be one of none, async, sync/],
    [{ workload: { ops: 1, keys: [] } }, /keys: needs at least one key/],
    [{ workload: { ops: 1, writeRatio: 2 } }, /writeRatio: must be in \[0, 1\]/],
    [{ workload: { ops: -1 } }, /ops: must be a whole number >= 0/],
  ];
  for (const [change, message] of cases) {
    assert.throws(
      () => new QuorumClient({ ...base, ...change }),
      (e) => e instanceof ConfigError && message.test(e.message),
      JSON.stringify(change),
    );
  }
});
