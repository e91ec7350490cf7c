import assert from "node:assert/strict";
import { describeAnomaly, findAnomaly } from "../protocols/quorum/anomalies.ts";
import {
  type Lesson,
  MID_WRITE_LESSON,
  runLesson,
  searchSeeds,
  STALE_READ_LESSON,
} from "../protocols/quorum/lessons.ts";
import { checkLinearizability } from "../sim/check/linearizability.ts";
import { kvModel } from "../sim/check/models.ts";
import type { Operation } from "../sim/history.ts";

/** The lesson with some scenario flags changed. */
function withFlags(lesson: Lesson, flags: Record<string, string | number>): Lesson {
  return { ...lesson, params: { ...lesson.params, flags: { ...lesson.params.flags, ...flags } } };
}

/** op(id, client, f, input, output, call, ret, status) */
function op(
  id: number,
  client: string,
  f: string,
  input: unknown,
  output: unknown,
  call: number,
  ret: number,
  status: Operation["status"] = "ok",
): Operation {
  return { id, client, f, input, output, call, ret, status };
}

/**
 * Ids of reads that returned a value older than a write that returned
 * before they began, for histories of one key with one writer (whose values
 * are ordered by call).
 */
function staleReads(ops: readonly Operation[]): number[] {
  const writes = ops.filter((o) => o.f === "write").sort((a, b) => a.call - b.call);
  const index = (v: unknown) =>
    v === null ? 0 : 1 + writes.findIndex((w) => (w.input as { value: unknown }).value === v);
  return ops.filter((o) => o.f === "read" && o.status === "ok").filter((r) =>
    writes.some((w, i) => w.status === "ok" && w.ret < r.call && i + 1 > index(r.output))
  ).map((r) => r.id);
}

Deno.test("findAnomaly names the two patterns and nothing else", async (t) => {
  const w1 = op(0, "c1", "write", { key: "x", value: "a" }, undefined, 0, 10);
  await t.step("a read that began after a write returned, and missed it", () => {
    const read = op(1, "c2", "read", { key: "x" }, null, 11, 12);
    const a = findAnomaly([w1, read]);
    assert.deepEqual(a, { kind: "stale-read", write: w1, read });
    assert.match(describeAnomaly(a!), /^stale read: op 1 \(c2\) read x -> nil \[11, 12\]/);
  });
  await t.step("lecture 7.2: new, then old, during one write", () => {
    const first = op(1, "c2", "read", { key: "x" }, "a", 2, 4);
    const second = op(2, "c3", "read", { key: "x" }, null, 5, 7);
    assert.deepEqual(findAnomaly([w1, first, second]), {
      kind: "new-then-old",
      write: w1,
      first,
      second,
    });
  });
  await t.step("not when the reads overlap, or read different keys, or are in order", () => {
    const overlapping = [
      w1,
      op(1, "c2", "read", { key: "x" }, "a", 2, 6),
      op(2, "c3", "read", { key: "x" }, null, 5, 7),
    ];
    const otherKey = [
      w1,
      op(1, "c2", "read", { key: "x" }, "a", 2, 4),
      op(2, "c3", "read", { key: "y" }, null, 5, 7),
    ];
    const fine = [
      w1,
      op(1, "c2", "read", { key: "x" }, null, 2, 4),
      op(2, "c3", "read", { key: "x" }, "a", 5, 7),
    ];
    for (const h of [overlapping, otherKey, fine]) {
      assert.equal(findAnomaly(h), undefined);
      assert.equal(checkLinearizability(h, kvModel).result, "ok");
    }
  });
  await t.step("a write that timed out (info) is never 'returned' for a stale read", () => {
    const info = op(0, "c1", "write", { key: "x", value: "a" }, undefined, 0, 3, "info");
    assert.equal(findAnomaly([info, op(1, "c2", "read", { key: "x" }, null, 5, 7)]), undefined);
  });
});

Deno.test("R + W <= N: a seed search finds a stale read, and the checker rejects it", () => {
  const found = searchSeeds(STALE_READ_LESSON, { limit: 300 });
  assert.ok(found.seed !== undefined, `no violation in ${found.tried} seeds`);
  const result = found.result!;
  assert.equal(result.violations[0].check, "linearizability");
  const ops = result.sim.history.operations;
  const anomaly = findAnomaly(ops);
  assert.equal(anomaly?.kind, "stale-read", JSON.stringify(anomaly));
  assert.ok(anomaly?.kind === "stale-read" && staleReads(ops).includes(anomaly.read.id));
  // Every seed before it was linearizable: the search stopped at the first.
  for (let seed = 1; seed < found.seed; seed++) {
    assert.ok(runLesson(STALE_READ_LESSON, seed, "off").ok, `seed ${seed}`);
  }
  // The same seed replays with the full trace for the diagram, and so do the highlights.
  const replay = runLesson(STALE_READ_LESSON, found.seed);
  assert.equal(replay.ok, false);
  assert.deepEqual(replay.sim.history.operations, ops);
  const lin = checkLinearizability(ops, kvModel);
  const marked = new Set(
    replay.sim.trace.events.flatMap((e) => e.kind === "invoke" ? [e.op] : []),
  );
  for (const id of lin.counterexample!.ops) assert.ok(marked.has(id), `op ${id} is in the trace`);
});

Deno.test("R + W > N without write-back: a seed search finds lecture 7.2's history", async (t) => {
  const found = searchSeeds(MID_WRITE_LESSON, { limit: 500 });
  assert.ok(found.seed !== undefined, `no violation in ${found.tried} seeds`);
  const ops = found.result!.sim.history.operations;
  const anomaly = findAnomaly(ops);
  assert.equal(anomaly?.kind, "new-then-old", JSON.stringify(anomaly));
  if (anomaly?.kind !== "new-then-old") return;
  // The quorums overlap, so no read missed a write that had returned ...
  assert.deepEqual(staleReads(ops), []);
  // ... and the write the first read saw was still under way when the second read began.
  assert.ok(anomaly.write.call < anomaly.first.ret);
  assert.ok(anomaly.first.ret < anomaly.second.call);
  assert.ok(anomaly.second.call < anomaly.write.ret);

  await t.step("background (async) read repair does not prevent it", () => {
    const async = searchSeeds(withFlags(MID_WRITE_LESSON, { "read-repair": "async" }), {
      limit: 500,
    });
    assert.ok(async.seed !== undefined, `no violation in ${async.tried} seeds`);
  });
  await t.step("synchronous read repair does, on every seed up to that one and beyond", () => {
    const sync = withFlags(MID_WRITE_LESSON, { "read-repair": "sync" });
    const searched = Math.max(found.seed! * 4, 200);
    const again = searchSeeds(sync, { limit: searched });
    assert.equal(again.seed, undefined, again.result?.violations[0]?.message ?? "");
  });
});
