import assert from "node:assert/strict";
import type { Actor, Context, NodeId } from "../actors/mod.ts";
import {
  compareTimestamps,
  formatTimestamp,
  newest,
  type QuorumMsg,
  type Timestamp,
} from "../protocols/quorum/messages.ts";
import { QuorumReplica, seedReplica, storedVersions } from "../protocols/quorum/replica.ts";
import { Simulation } from "../sim/simulation.ts";

/** A client stand-in that sends scripted messages and keeps every answer. */
class Script implements Actor<QuorumMsg> {
  readonly answers: QuorumMsg[] = [];
  constructor(readonly to: NodeId, readonly msgs: QuorumMsg[]) {}
  onStart(ctx: Context<QuorumMsg>) {
    for (const m of this.msgs) ctx.send(this.to, m);
  }
  onMessage(_ctx: Context<QuorumMsg>, msg: QuorumMsg) {
    this.answers.push(msg);
  }
}

/** Runs `msgs` against a fresh replica n1 over FIFO links; returns the replica and the answers. */
function exchange(msgs: QuorumMsg[], prepare?: (sim: Simulation) => void) {
  const sim = new Simulation({ seed: 1, network: { fifo: true } });
  sim.spawn("n1", () => new QuorumReplica());
  prepare?.(sim);
  const script = new Script("n1", msgs);
  sim.spawn("c1", () => script);
  sim.run();
  return { sim, replica: sim.actor<QuorumReplica>("n1")!, answers: script.answers };
}

Deno.test("timestamps order by counter, then by client id; never-written is oldest", () => {
  const ordered: (Timestamp | null)[] = [null, [1, "c2"], [2, "c1"], [2, "c2"], [10, "a"]];
  for (let i = 0; i < ordered.length; i++) {
    for (let j = 0; j < ordered.length; j++) {
      assert.equal(
        Math.sign(compareTimestamps(ordered[i], ordered[j])),
        Math.sign(i - j),
        `${i} ${j}`,
      );
    }
  }
  // Counters compare as numbers, not text: 10 > 9.
  assert.ok(compareTimestamps([10, "c1"], [9, "c1"]) > 0);
  assert.deepEqual(newest([]), { value: null, ts: null });
  assert.equal(
    newest([{ value: "a", ts: [2, "c1"] }, { value: "b", ts: [1, "c9"] }, { value: "c", ts: null }])
      .value,
    "a",
  );
  assert.equal(formatTimestamp([3, "c1"]), "(3,c1)");
  assert.equal(formatTimestamp(null), "-");
});

Deno.test("a replica keeps the newest write per key and answers every request", () => {
  const { replica, answers } = exchange([
    { type: "Read", key: "x", req: 1 },
    { type: "Write", key: "x", value: "b", ts: [2, "c1"], req: 2 },
    { type: "Write", key: "x", value: "a", ts: [1, "c1"], req: 3 }, // older: ignored
    { type: "Write", key: "x", value: "c", ts: [2, "c2"], req: 4 }, // same counter, larger id: wins
    { type: "Write", key: "y", value: 7, ts: [1, "c1"], req: 5 },
    { type: "Read", key: "x", req: 6 },
  ]);
  assert.deepEqual(answers, [
    { type: "ReadReply", key: "x", value: null, ts: null, req: 1 },
    { type: "WriteAck", key: "x", req: 2 },
    { type: "WriteAck", key: "x", req: 3 }, // acknowledged all the same: it holds something newer
    { type: "WriteAck", key: "x", req: 4 },
    { type: "WriteAck", key: "y", req: 5 },
    { type: "ReadReply", key: "x", value: "c", ts: [2, "c2"], req: 6 },
  ]);
  assert.deepEqual(replica.keys(), ["x", "y"]);
  assert.equal(replica.get("y").value, 7);
});

Deno.test("a replica's writes survive a crash and restart; it ignores answers", () => {
  const sim = new Simulation({ seed: 2 });
  sim.spawn("n1", () => new QuorumReplica());
  sim.spawn("c1", () => new Script("n1", []));
  sim.send("c1", "n1", { type: "Write", key: "x", value: "v", ts: [4, "c1"], req: 1 });
  sim.send("c1", "n1", { type: "WriteAck", key: "x", req: 9 });
  sim.send("c1", "n1", { type: "ReadReply", key: "x", value: "junk", ts: [99, "c9"], req: 9 });
  sim.run();
  assert.deepEqual(sim.actor<QuorumReplica>("n1")!.get("x"), { value: "v", ts: [4, "c1"] });
  sim.crash("n1");
  sim.restart("n1");
  assert.deepEqual(sim.actor<QuorumReplica>("n1")!.get("x"), { value: "v", ts: [4, "c1"] });
  assert.deepEqual(storedVersions(sim.storage("n1")).get("x"), { value: "v", ts: [4, "c1"] });
});

Deno.test("seedReplica gives a replica a version before it starts", () => {
  const { answers } = exchange(
    [{ type: "Read", key: "x", req: 1 }],
    (sim) => seedReplica(sim.storage("n1"), "x", { value: "old", ts: [3, "c0"] }),
  );
  assert.deepEqual(answers, [{ type: "ReadReply", key: "x", value: "old", ts: [3, "c0"], req: 1 }]);
});
