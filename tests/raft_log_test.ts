/**
 * Unit tests of the Raft log on durable storage and of the key-value state
 * machine with sessions. The state machine is cross-checked against the
 * linearizability checker's `kvModel` with random operation sequences.
 *
 * @module
 */

import assert from "node:assert/strict";
import fc from "npm:fast-check@4.10.2";
import { MemoryStorage } from "../actors/mod.ts";
import { RaftAssertionError } from "../protocols/raft/assert.ts";
import { RaftLog } from "../protocols/raft/log.ts";
import type { Entry } from "../protocols/raft/messages.ts";
import {
  type Command,
  type KvOp,
  KvStore,
  SessionMachine,
} from "../protocols/raft/state_machine.ts";
import { checkLinearizability } from "../sim/check/linearizability.ts";
import { kvModel } from "../sim/check/models.ts";
import type { Operation } from "../sim/history.ts";

const noop = (term: number, index: number): Entry => ({ term, index, command: { type: "noop" } });

/** A log holding entries with these terms from index 1. */
function logOf(terms: number[], storage = new MemoryStorage()): RaftLog {
  const log = new RaftLog(storage);
  log.append(terms.map((t, i) => noop(t, i + 1)));
  return log;
}

Deno.test("RaftLog: indices, terms, slices and the up-to-date rule", () => {
  const log = logOf([1, 1, 2, 3]);
  assert.equal(log.lastIndex, 4);
  assert.equal(log.lastTerm, 3);
  assert.equal(log.term(0), 0, "index 0 is the empty log's 'previous entry'");
  assert.equal(log.term(3), 2);
  assert.equal(log.term(5), undefined);
  assert.deepEqual(log.slice(2, 3).map((e) => e.index), [2, 3]);
  assert.ok(log.matches(2, 1));
  assert.ok(!log.matches(2, 2));
  // §5.4.1: a later last term wins; with equal last terms, the longer log.
  assert.ok(log.isUpToDate(1, 4));
  assert.ok(log.isUpToDate(4, 3));
  assert.ok(!log.isUpToDate(3, 3));
  assert.ok(!log.isUpToDate(9, 2));
});

Deno.test("RaftLog: append only at the end, with terms that never go down", () => {
  const log = logOf([1, 2]);
  assert.throws(() => log.append([noop(2, 4)]), RaftAssertionError);
  assert.throws(() => log.append([noop(1, 3)]), RaftAssertionError);
  assert.throws(() => log.truncateFrom(0), RaftAssertionError);
});

Deno.test("RaftLog: everything written reaches storage and reads back", () => {
  const disk = new MemoryStorage();
  const records = () => disk.keys().filter((k) => k.startsWith("log/") && k !== "log/meta");
  const log = logOf([1, 1, 2, 2, 2], disk);
  assert.deepEqual(records(), ["log/1"], "one record per append, not per entry");
  log.truncateFrom(4);
  log.append([noop(3, 4)]);
  assert.deepEqual(records(), ["log/1", "log/4"], "the cut record is rewritten shorter");
  log.compact(2);
  const again = new RaftLog(disk);
  assert.equal(again.snapshotIndex, 2);
  assert.equal(again.snapshotTerm, 1);
  assert.deepEqual([3, 4].map((i) => again.term(i)), [2, 3]);
  assert.equal(again.lastIndex, 4);
  log.compact(3);
  assert.deepEqual(records(), ["log/4"], "a record the snapshot covers whole leaves the disk");
  const third = new RaftLog(disk);
  assert.deepEqual([third.firstIndex, third.lastIndex, third.term(4)], [4, 4, 3]);
});

Deno.test("RaftLog: maybeAppend keeps what matches, cuts a conflict, appends the rest", () => {
  const log = logOf([1, 1, 2]);
  assert.equal(log.maybeAppend(3, 1, [noop(3, 4)], 0), undefined, "entry 3 is term 2, not 1");
  assert.equal(log.maybeAppend(1, 1, [noop(1, 2)], 0), 2, "already there: nothing changes");
  assert.equal(log.lastIndex, 3, "a shorter, older message does not cut newer entries");
  assert.equal(log.maybeAppend(1, 1, [noop(1, 2), noop(3, 3), noop(3, 4)], 1), 4);
  assert.deepEqual([1, 2, 3, 4].map((i) => log.term(i)), [1, 1, 3, 3]);
  assert.equal(log.truncations, 1);
  assert.throws(() => log.maybeAppend(0, 0, [noop(2, 1)], 1), RaftAssertionError);
});

Deno.test("RaftLog: compaction and restore keep the boundary term", () => {
  const log = logOf([1, 1, 2, 2]);
  log.compact(3);
  assert.equal(log.firstIndex, 4);
  assert.equal(log.term(3), 2, "the snapshot's last entry still has a term");
  assert.equal(log.term(2), undefined);
  assert.equal(log.entry(3), undefined);
  assert.throws(() => log.slice(3, 4), RaftAssertionError);
  const before = log.truncations;
  log.restore(10, 5);
  assert.equal(log.lastIndex, 10);
  assert.equal(log.lastTerm, 5);
  assert.equal(log.length, 0);
  assert.equal(log.truncations, before + 1);
});

Deno.test("RaftLog: findConflictByTerm skips whole terms (etcd's examples)", () => {
  // Leader side: terms 1 3 3 3 5 5 5 5 5 and a follower hint (6, term 2):
  // every index above 1 has a term above 2, so probe at 1.
  assert.deepEqual(logOf([1, 3, 3, 3, 5, 5, 5, 5, 5]).findConflictByTerm(6, 2), {
    index: 1,
    term: 1,
  });
  // Follower side: terms 1 3 3 4 4 5 5 5 6 probed at 8 with term 3: index 3.
  assert.deepEqual(logOf([1, 3, 3, 4, 4, 5, 5, 5, 6]).findConflictByTerm(8, 3), {
    index: 3,
    term: 3,
  });
  assert.deepEqual(logOf([1, 1]).findConflictByTerm(2, 7), { index: 2, term: 1 });
  const compacted = logOf([1, 2, 3, 4]);
  compacted.compact(2);
  assert.deepEqual(compacted.findConflictByTerm(4, 1), { index: 2, term: 2 });
  assert.deepEqual(compacted.findConflictByTerm(1, 1), { index: 1, term: 0 });
});

const kv = (client: string, seq: number, op: KvOp): Command => ({ type: "app", client, seq, op });

Deno.test("KvStore with sessions: operations and exactly-once sessions", () => {
  const sm = new SessionMachine(new KvStore());
  assert.deepEqual(sm.apply(kv("a", 1, { f: "get", key: "x" })), { kind: "applied", result: null });
  assert.deepEqual(sm.apply(kv("a", 2, { f: "cas", key: "x", from: null, to: "1" })), {
    kind: "applied",
    result: true,
  });
  assert.deepEqual(sm.apply(kv("b", 1, { f: "cas", key: "x", from: null, to: "2" })), {
    kind: "applied",
    result: false,
  });
  sm.apply(kv("b", 2, { f: "append", key: "x", value: "+" }));
  // A retry of (b, 2) that reached the log again: answered, not re-run.
  assert.deepEqual(sm.apply(kv("b", 2, { f: "append", key: "x", value: "+" })), {
    kind: "duplicate",
    result: null,
  });
  assert.equal(sm.machine.read("x"), "1+");
  // A request the client gave up on, applied after a newer one: ignored.
  sm.apply(kv("b", 3, { f: "put", key: "y", value: "new" }));
  assert.deepEqual(sm.apply(kv("b", 2, { f: "put", key: "y", value: "old" })), { kind: "stale" });
  assert.equal(sm.machine.read("y"), "new");
  assert.deepEqual(sm.session("b"), { seq: 3, result: null });
});

/** A machine restored from a snapshot. */
function restored(snapshot: ReturnType<SessionMachine["snapshot"]>): SessionMachine {
  const sm = new SessionMachine(new KvStore());
  sm.restore(snapshot);
  return sm;
}

Deno.test("KvStore with sessions: snapshots restore state, sessions and digest", () => {
  const sm = new SessionMachine(new KvStore());
  sm.apply({ type: "noop" });
  sm.apply(kv("a", 1, { f: "put", key: "x", value: "1" }));
  const copy = restored(structuredClone(sm.snapshot()));
  assert.equal(copy.digest, sm.digest);
  assert.equal(copy.machine.read("x"), "1");
  assert.deepEqual(copy.apply(kv("a", 1, { f: "put", key: "x", value: "1" })).kind, "duplicate");
  // The digest tells histories apart, even ones that end in the same state.
  const other = new SessionMachine(new KvStore());
  other.apply(kv("a", 1, { f: "put", key: "x", value: "1" }));
  other.apply({ type: "noop" });
  assert.equal(other.machine.read("x"), "1");
  assert.notEqual(other.digest, sm.digest);
});

Deno.test("KvStore with sessions agrees with the checker's kvModel on any sequence of operations", () => {
  const value = fc.constantFrom("a", "b", "ab");
  const op: fc.Arbitrary<KvOp> = fc.oneof(
    fc.record({ f: fc.constant("get" as const), key: fc.constantFrom("x", "y") }),
    fc.record({ f: fc.constant("put" as const), key: fc.constantFrom("x", "y"), value }),
    fc.record({ f: fc.constant("append" as const), key: fc.constantFrom("x", "y"), value }),
    fc.record({
      f: fc.constant("cas" as const),
      key: fc.constantFrom("x", "y"),
      from: fc.option(value, { nil: null }),
      to: value,
    }),
  );
  fc.assert(
    fc.property(fc.array(op, { maxLength: 30 }), (ops) => {
      // One client, one operation at a time: the history is sequential, so
      // it is linearizable exactly when every output is what the model says.
      const sm = new SessionMachine(new KvStore());
      const history: Operation[] = ops.map((o, i) => {
        const outcome = sm.apply(kv("c", i + 1, o));
        assert.equal(outcome.kind, "applied");
        const { f, ...input } = o;
        return {
          id: i,
          client: "c",
          f,
          input,
          output: outcome.kind === "applied" ? outcome.result : undefined,
          call: 2 * i,
          ret: 2 * i + 1,
          status: "ok",
        };
      });
      assert.equal(checkLinearizability(history, kvModel).result, "ok");
    }),
    { numRuns: 300, seed: 42 },
  );
});
