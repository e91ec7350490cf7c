import assert from "node:assert/strict";
import fc from "npm:fast-check@4.10.2";
import { History, type Operation } from "../sim/history.ts";
import { checkLinearizability } from "../sim/check/linearizability.ts";
import {
  canonical,
  casRegisterModel,
  counterModel,
  isUnknown,
  kvModel,
  type Model,
  ModelInputError,
  registerModel,
  sameValue,
  setModel,
} from "../sim/check/models.ts";
import {
  detectFormat,
  HistoryFormatError,
  parseEdnHistory,
  parseHistory,
  parseJsonHistory,
  readEdn,
  toPlain,
} from "../sim/check/history_format.ts";
import { lincheckCommand, MODEL_NAMES, modelByName } from "../sim/check/lincheck_command.ts";

// ---------------------------------------------------------------------------
// Helpers

type Status = Operation["status"];

/** A compact operation builder: op(client, f, input, output, call, ret, status). */
function mk(
  rows: [string, string, unknown, unknown, number, number, Status?][],
): Operation[] {
  return rows.map(([client, f, input, output, call, ret, status], id) => ({
    id,
    client,
    f,
    input,
    output,
    call,
    ret: status === "info" || status === "pending" ? Infinity : ret,
    status: status ?? "ok",
  }));
}

function verdict<S>(ops: readonly Operation[], model: Model<S>, partition = true): string {
  return checkLinearizability(ops, model, { partition }).result;
}

// ---------------------------------------------------------------------------
// Kleppmann, Distributed Systems, lecture 7.2

Deno.test("lecture 7.2: a read after a read that saw the new value must not see the old", () => {
  // A writes 1 over a long interval; B reads 1; then, after B returned, C reads the old value.
  const ops = mk([
    ["A", "write", 1, undefined, 0, 10],
    ["B", "read", null, 1, 2, 4],
    ["C", "read", null, null, 5, 7],
  ]);
  const r = checkLinearizability(ops, registerModel);
  assert.equal(r.result, "illegal");
  assert.equal(r.ops, 3);
  const c = r.counterexample!;
  assert.equal(c.stuck, 2);
  assert.deepEqual(c.prefix, [0, 1]);
  assert.deepEqual(c.ops, [0, 1, 2]);
  assert.equal(c.state, "1");
  assert.equal(c.description.length, 1 + c.ops.length);
  assert.match(c.description[0], /op 2 .*read -> nil.*cannot be linearized/);
});

Deno.test("lecture 7.2: the same reads in the other order are fine", () => {
  const ops = mk([
    ["A", "write", 1, undefined, 0, 10],
    ["B", "read", null, null, 2, 4],
    ["C", "read", null, 1, 5, 7],
  ]);
  assert.equal(verdict(ops, registerModel), "ok");
});

Deno.test("lecture 7.2: concurrent reads may see either value, but not flip back", () => {
  // Both reads overlap the write and each other: any outcome order is possible.
  const overlap = mk([
    ["A", "write", 1, undefined, 0, 10],
    ["B", "read", null, 1, 1, 6],
    ["C", "read", null, null, 2, 8],
  ]);
  assert.equal(verdict(overlap, registerModel), "ok");
  // A read that starts after the write returned must see it.
  const after = mk([
    ["A", "write", 1, undefined, 0, 3],
    ["B", "read", null, null, 4, 5],
  ]);
  assert.equal(verdict(after, registerModel), "illegal");
});

Deno.test("lecture 7.2: two clients' cas(0, 1) cannot both succeed", () => {
  const both = mk([
    ["A", "write", 0, undefined, 0, 1],
    ["B", "cas", [0, 1], true, 2, 10],
    ["C", "cas", [0, 1], true, 3, 9],
  ]);
  assert.equal(verdict(both, casRegisterModel), "illegal");
  const one = mk([
    ["A", "write", 0, undefined, 0, 1],
    ["B", "cas", [0, 1], true, 2, 10],
    ["C", "cas", [0, 1], false, 3, 9],
    ["A", "read", null, 1, 11, 12],
  ]);
  assert.equal(verdict(one, casRegisterModel), "ok");
});

// ---------------------------------------------------------------------------
// Porcupine's and Jepsen's classic cases

Deno.test("Porcupine register: reads linearized on either side of a write", () => {
  // porcupine_test.go TestRegisterModel, with "no value" for Porcupine's initial 0.
  const ok = mk([
    ["0", "write", 100, undefined, 0, 100],
    ["1", "read", null, 100, 25, 75],
    ["2", "read", null, null, 30, 60],
  ]);
  assert.equal(verdict(ok, registerModel), "ok");
  const bad = mk([
    ["0", "write", 200, undefined, 0, 100],
    ["1", "read", null, 200, 10, 30],
    ["2", "read", null, null, 40, 90],
  ]);
  assert.equal(verdict(bad, registerModel), "illegal");
});

Deno.test("Porcupine kv: put/append/get per key, as in its etcd tests", () => {
  const ok = mk([
    ["0", "put", { key: "x", value: "a" }, undefined, 0, 10],
    ["1", "append", { key: "x", value: "b" }, undefined, 5, 15],
    ["2", "append", { key: "y", value: "z" }, undefined, 6, 8],
    ["3", "get", { key: "x" }, "ab", 20, 25],
    ["3", "get", { key: "y" }, "z", 26, 27],
  ]);
  assert.equal(verdict(ok, kvModel), "ok");
  assert.equal(verdict(ok, kvModel, false), "ok");
  // Both appends would have to come before the put.
  const bad = mk([
    ["0", "put", { key: "x", value: "a" }, undefined, 0, 10],
    ["1", "append", { key: "x", value: "b" }, undefined, 5, 15],
    ["3", "get", { key: "x" }, "ba", 20, 25],
  ]);
  assert.equal(verdict(bad, kvModel), "illegal");
});

Deno.test("Knossos-style cas register: a cas whose precondition never held", () => {
  const ops = mk([
    ["0", "write", 1, undefined, 0, 5],
    ["1", "cas", [2, 3], true, 6, 8],
    ["0", "read", null, 3, 9, 10],
  ]);
  assert.equal(verdict(ops, casRegisterModel), "illegal");
});

Deno.test("the plain register model rejects cas; the cas register accepts {from, to}", () => {
  const ops = mk([["0", "cas", [1, 2], true, 0, 1]]);
  assert.throws(() => checkLinearizability(ops, registerModel), ModelInputError);
  const obj = mk([
    ["0", "write", 1, undefined, 0, 1],
    ["0", "cas", { from: 1, to: 2 }, "ok", 2, 3],
    ["0", "read", null, 2, 4, 5],
  ]);
  assert.equal(verdict(obj, casRegisterModel), "ok");
});

// ---------------------------------------------------------------------------
// Jepsen semantics: fail, info, pending

Deno.test("failed operations did not happen", () => {
  const ops = mk([
    ["A", "write", 5, undefined, 0, 1, "fail"],
    ["B", "read", null, 5, 2, 3],
  ]);
  assert.equal(verdict(ops, registerModel), "illegal");
  ops[1].output = null;
  assert.equal(verdict(ops, registerModel), "ok");
  // A failed cas is dropped too, even though its precondition held.
  const cas = mk([
    ["A", "write", 0, undefined, 0, 1],
    ["B", "cas", [0, 1], undefined, 2, 3, "fail"],
    ["A", "read", null, 0, 4, 5],
  ]);
  assert.equal(verdict(cas, casRegisterModel), "ok");
});

Deno.test("info and pending operations may take effect any time after their call", () => {
  for (const status of ["info", "pending"] as const) {
    const ops = mk([
      ["A", "write", 1, undefined, 0, 0, status],
      ["B", "read", null, null, 10, 11],
      ["B", "read", null, 1, 20, 21],
    ]);
    assert.equal(verdict(ops, registerModel), "ok", status);
    // But never before their call.
    const early = mk([
      ["B", "read", null, 1, 0, 1],
      ["A", "write", 1, undefined, 5, 0, status],
    ]);
    assert.equal(verdict(early, registerModel), "illegal", status);
    // And once seen, a write does not un-happen.
    const flip = mk([
      ["A", "write", 1, undefined, 0, 0, status],
      ["B", "read", null, 1, 10, 11],
      ["B", "read", null, null, 20, 21],
    ]);
    assert.equal(verdict(flip, registerModel), "illegal", status);
  }
});

Deno.test("an info operation may also never take effect", () => {
  const ops = mk([
    ["A", "write", 0, undefined, 0, 1],
    ["B", "cas", [0, 1], undefined, 2, 0, "info"],
    ["A", "read", null, 0, 10, 11],
    ["C", "cas", [0, 2], true, 12, 13],
    ["A", "read", null, 2, 14, 15],
  ]);
  assert.equal(verdict(ops, casRegisterModel), "ok");
  // A user model whose unknown op cannot run in the final state: omission still works.
  const onlyOnce: Model<number> = {
    name: "once",
    init: () => 0,
    step: (s, op) => op.f === "arm" ? { ok: s === 0, state: 1 } : { ok: op.output === s, state: s },
    key: (s) => s,
  };
  const armed = mk([
    ["A", "arm", null, undefined, 0, 1],
    ["B", "arm", null, undefined, 2, 0, "info"],
    ["A", "read", null, 1, 5, 6],
  ]);
  assert.equal(verdict(armed, onlyOnce), "ok");
});

Deno.test("operations straight from History: info keeps its return time, still never returns", () => {
  const h = new History();
  const w = h.invoke("c1", "write", 7, 0);
  h.complete(w, undefined, "info", 3);
  const r = h.invoke("c2", "read", null, 10);
  h.complete(r, 7, "ok", 12);
  h.invoke("c3", "write", 8, 13); // still pending
  assert.equal(verdict(h.operations, registerModel), "ok");
});

Deno.test("timed-out reads are dropped; the history's op count still includes them", () => {
  const ops = mk([
    ["A", "write", 1, undefined, 0, 1],
    ["B", "read", null, 42, 2, 0, "info"],
    ["C", "read", null, undefined, 3, 0, "pending"],
  ]);
  const r = checkLinearizability(ops, registerModel);
  assert.equal(r.result, "ok");
  assert.equal(r.ops, 3);
});

Deno.test("equal call and return times count as concurrent", () => {
  const ops = mk([
    ["A", "write", 1, undefined, 0, 5],
    ["B", "read", null, null, 5, 6],
  ]);
  assert.equal(verdict(ops, registerModel), "ok");
});

Deno.test("an ok operation returning before its call is rejected", () => {
  const ops = mk([["A", "write", 1, undefined, 5, 4]]);
  assert.throws(() => checkLinearizability(ops, registerModel), RangeError);
});

Deno.test("the empty history and histories of only failures are linearizable", () => {
  assert.equal(verdict([], registerModel), "ok");
  const ops = mk([["A", "write", 1, undefined, 0, 1, "fail"]]);
  assert.equal(verdict(ops, registerModel), "ok");
});

// ---------------------------------------------------------------------------
// Models

Deno.test("kv: checked per key, and the counterexample names the failing key's ops", () => {
  const ops = mk([
    ["0", "put", { key: "a", value: 1 }, undefined, 0, 10],
    ["1", "put", { key: "b", value: 1 }, undefined, 0, 2],
    ["2", "get", { key: "a" }, 1, 1, 3],
    ["2", "get", { key: "b" }, null, 4, 5],
    ["3", "get", { key: "a" }, 1, 6, 7],
    ["3", "cas", { key: "b", from: 1, to: 2 }, true, 8, 9],
  ]);
  const r = checkLinearizability(ops, kvModel);
  assert.equal(r.result, "illegal");
  const c = r.counterexample!;
  assert.equal(c.stuck, 3);
  assert.equal(c.partition, 1);
  for (const id of c.ops) assert.equal((ops[id].input as { key: string }).key, "b");
  assert.match(c.description[0], /get "b" -> nil/);
  assert.equal(verdict(ops, kvModel, false), "illegal");
  // Fix key b, and the whole history is fine; then break key a (lecture 7.2's stale read).
  ops[3].output = 1;
  assert.equal(checkLinearizability(ops, kvModel).partitions, 2);
  assert.equal(verdict(ops, kvModel), "ok");
  ops[4].output = null;
  const r2 = checkLinearizability(ops, kvModel);
  assert.equal(r2.result, "illegal");
  assert.equal(r2.counterexample!.stuck, 4);
  assert.equal(r2.counterexample!.partition, 0);
});

Deno.test("kv: Jepsen [key value] tuples, reads returning tuples", () => {
  const ops = mk([
    ["0", "write", [1, 5], [1, 5], 0, 1],
    ["1", "read", [1, null], [1, 5], 2, 3],
    ["0", "cas", [1, [5, 6]], [1, [5, 6]], 4, 5],
    ["1", "read", [1, null], [1, 6], 6, 7],
    ["1", "read", [2, null], [2, null], 8, 9],
  ]);
  assert.equal(verdict(ops, kvModel), "ok");
  ops[4].output = [2, 6];
  assert.equal(verdict(ops, kvModel), "illegal");
});

Deno.test("kv: unpartitioned checking agrees on multi-key histories with nil writes", () => {
  const ops = mk([
    ["0", "put", { key: "a", value: 1 }, undefined, 0, 1],
    ["0", "put", { key: "b", value: 2 }, undefined, 2, 3],
    ["0", "put", { key: "a", value: null }, undefined, 4, 5],
    ["0", "get", { key: "a" }, undefined, 6, 7],
    ["0", "get", { key: "b" }, 2, 8, 9],
    ["0", "append", { key: "c", value: 1 }, undefined, 10, 11],
    ["0", "append", { key: "c", value: 2 }, undefined, 12, 13],
    ["0", "get", { key: "c" }, [1, 2], 14, 15],
  ]);
  assert.equal(verdict(ops, kvModel, false), "ok");
  assert.equal(verdict(ops, kvModel, true), "ok");
  assert.equal(
    kvModel.describeState!(kvModel.step(kvModel.init(), ops[1]).state),
    '{"b" 2}',
  );
});

Deno.test("kv: a bad input throws ModelInputError naming the operation", () => {
  const ops = mk([["0", "put", 3, undefined, 0, 1]]);
  assert.throws(() => checkLinearizability(ops, kvModel), ModelInputError);
  assert.throws(() => checkLinearizability(ops, kvModel, { partition: false }), ModelInputError);
});

Deno.test("counter: reads must equal some ordering of the adds", () => {
  const ok = mk([
    ["0", "add", 1, undefined, 0, 10],
    ["1", "add", 2, undefined, 0, 10],
    ["2", "read", null, 2, 1, 9],
    ["2", "read", null, 3, 11, 12],
  ]);
  assert.equal(verdict(ok, counterModel), "ok");
  const bad = mk([
    ["0", "add", 1, undefined, 0, 10],
    ["1", "add", 2, undefined, 0, 10],
    ["2", "read", null, 4, 1, 9],
  ]);
  assert.equal(verdict(bad, counterModel), "illegal");
  // An add without an amount adds 1; an info add may count or not.
  const info = mk([
    ["0", "add", undefined, undefined, 0, 1],
    ["1", "add", 5, undefined, 2, 0, "info"],
    ["2", "read", null, 1, 3, 4],
    ["2", "read", null, 6, 5, 6],
  ]);
  assert.equal(verdict(info, counterModel), "ok");
});

Deno.test("set: reads see the adds and removes that precede them", () => {
  const ok = mk([
    ["0", "add", 1, undefined, 0, 2],
    ["1", "add", 2, undefined, 1, 5],
    ["2", "read", null, [1], 3, 4],
    ["2", "read", null, [2, 1, 1], 6, 7],
    ["0", "remove", 1, undefined, 8, 9],
    ["2", "read", null, [2], 10, 11],
  ]);
  assert.equal(verdict(ok, setModel), "ok");
  const bad = mk([
    ["0", "add", 1, undefined, 0, 2],
    ["2", "read", null, [], 3, 4],
  ]);
  assert.equal(verdict(bad, setModel), "illegal");
  assert.equal(verdict(mk([["2", "read", null, null, 3, 4]]), setModel), "ok");
});

Deno.test("a user-defined model: a FIFO queue", () => {
  const queue: Model<readonly number[]> = {
    name: "queue",
    init: () => [],
    step(s, op) {
      switch (op.f) {
        case "enqueue":
          return { ok: true, state: [...s, op.input as number] };
        case "dequeue":
          return { ok: isUnknown(op) || op.output === (s[0] ?? null), state: s.slice(1) };
        default:
          throw new Error(op.f);
      }
    },
    key: (s) => s.join(","),
    describe: (op) => op.f === "enqueue" ? `enqueue ${op.input}` : `dequeue -> ${op.output}`,
  };
  const ok = mk([
    ["A", "enqueue", 1, undefined, 0, 10],
    ["B", "enqueue", 2, undefined, 0, 10],
    ["C", "dequeue", null, 2, 11, 12],
    ["C", "dequeue", null, 1, 13, 14],
  ]);
  assert.equal(verdict(ok, queue), "ok");
  const bad = mk([
    ["A", "enqueue", 1, undefined, 0, 1],
    ["B", "enqueue", 2, undefined, 2, 3],
    ["C", "dequeue", null, 2, 4, 5],
  ]);
  const r = checkLinearizability(bad, queue);
  assert.equal(r.result, "illegal");
  assert.match(r.counterexample!.description.join("\n"), /dequeue -> 2/);
});

Deno.test("value helpers: nil, structure and key order", () => {
  assert.ok(sameValue(null, undefined));
  assert.ok(sameValue({ a: 1, b: [2] }, { b: [2], a: 1 }));
  assert.ok(!sameValue(1, "1"));
  assert.equal(canonical({ b: 1, a: "x" }), '{"a":"x","b":1}');
});

// ---------------------------------------------------------------------------
// Time budget

Deno.test("a time budget turns an exponential search into unknown, promptly", () => {
  // 24 concurrent writes of distinct values, then a read of a value never
  // written: proving that illegal visits ~24 * 2^23 (set, state) pairs.
  const rows: [string, string, unknown, unknown, number, number][] = [];
  for (let i = 0; i < 24; i++) rows.push([`c${i}`, "write", i, undefined, i, 100 + i]);
  rows.push(["r", "read", null, -1, 200, 201]);
  const ops = mk(rows);
  const r = checkLinearizability(ops, registerModel, { timeoutMs: 1 });
  assert.equal(r.result, "unknown");
  assert.equal(r.counterexample, undefined);
  // The same search with room to spare but a modest budget also stops.
  const r2 = checkLinearizability(ops, registerModel, { timeoutMs: 20 });
  assert.equal(r2.result, "unknown");
});

Deno.test("small parts go first, so a violation is found despite a hopeless part", () => {
  const rows: [string, string, unknown, unknown, number, number][] = [];
  for (let i = 0; i < 24; i++) {
    rows.push([`c${i}`, "put", { key: "big", value: i }, undefined, i, 100 + i]);
  }
  rows.push(["r", "get", { key: "big" }, -1, 200, 201]);
  rows.push(["a", "put", { key: "small", value: 1 }, undefined, 0, 10]);
  rows.push(["b", "get", { key: "small" }, 1, 2, 4]);
  rows.push(["c", "get", { key: "small" }, null, 5, 7]);
  const r = checkLinearizability(mk(rows), kvModel, { timeoutMs: 10_000 });
  assert.equal(r.result, "illegal");
  assert.equal(r.counterexample!.stuck, 27);
  assert.equal(r.counterexample!.partition, 1);
  assert.equal(r.partitions, 1);
});

// ---------------------------------------------------------------------------
// Generated histories (fast-check)

/** One generated client command, applied to a real object at `at`. */
interface Cmd {
  client: number;
  f: string;
  input: unknown;
  think: number;
  before: number;
  after: number;
}

/**
 * Runs commands against a real object: each takes effect at an instant
 * inside its [call, ret] interval, in the order of those instants, so the
 * history is linearizable by construction. `sequential` spaces them out.
 */
function simulate(
  cmds: readonly Cmd[],
  apply: (f: string, input: unknown) => unknown,
  sequential: boolean,
): Operation[] {
  const clock: number[] = [];
  const timed = cmds.map((c, i) => {
    if (sequential) return { c, call: 10 * i, at: 10 * i + 1, ret: 10 * i + 2 };
    const call = (clock[c.client] ?? 0) + c.think;
    const at = call + c.before;
    const ret = at + c.after;
    clock[c.client] = ret + 1;
    return { c, call, at, ret };
  });
  const outputs = new Map<number, unknown>();
  [...timed.keys()].sort((a, b) => timed[a].at - timed[b].at || a - b)
    .forEach((i) => outputs.set(i, apply(timed[i].c.f, timed[i].c.input)));
  return timed.map(({ c, call, ret }, id) => ({
    id,
    client: `c${c.client}`,
    f: c.f,
    input: c.input,
    output: outputs.get(id),
    call,
    ret,
    status: "ok" as const,
  }));
}

const timing = {
  client: fc.nat(3),
  think: fc.nat(3),
  before: fc.nat(5),
  after: fc.nat(5),
};

const registerCmd = fc.record({
  ...timing,
  f: fc.constantFrom("read", "write", "cas"),
  input: fc.nat(3),
}).map((c): Cmd => c.f === "cas" ? { ...c, input: [c.input % 2, c.input] } : c);

function realRegister(): (f: string, input: unknown) => unknown {
  let v: unknown = null;
  return (f, input) => {
    switch (f) {
      case "read":
        return v;
      case "write":
        v = input;
        return undefined;
      case "cas": {
        const [from, to] = input as [unknown, unknown];
        if (v !== from) return false;
        v = to;
        return true;
      }
      default:
        throw new Error(f);
    }
  };
}

const kvCmd = fc.record({
  ...timing,
  f: fc.constantFrom("get", "put", "cas", "append"),
  key: fc.constantFrom("x", "y", "z"),
  value: fc.nat(3),
}).map(({ key, value, ...c }): Cmd => ({
  ...c,
  input: c.f === "cas" ? { key, from: value % 2, to: value } : { key, value },
}));

function realKv(): (f: string, input: unknown) => unknown {
  const m = new Map<string, unknown>();
  return (f, input) => {
    const { key, value, from, to } = input as {
      key: string;
      value?: unknown;
      from?: unknown;
      to?: unknown;
    };
    switch (f) {
      case "get":
        return m.get(key) ?? null;
      case "put":
        m.set(key, value);
        return undefined;
      case "append": {
        const cur = m.get(key);
        const list = cur === undefined ? [] : Array.isArray(cur) ? cur : [cur];
        m.set(key, [...list, value]);
        return undefined;
      }
      case "cas":
        if (m.get(key) !== from) return false;
        m.set(key, to);
        return true;
      default:
        throw new Error(f);
    }
  };
}

const counterCmd = fc.record({ ...timing, f: fc.constantFrom("add", "read"), input: fc.nat(4) })
  .map((c): Cmd => c.f === "read" ? { ...c, input: null } : c);

function realCounter(): (f: string, input: unknown) => unknown {
  let n = 0;
  return (f, input) => f === "read" ? n : (n += input as number, undefined);
}

const setCmd = fc.record({
  ...timing,
  f: fc.constantFrom("add", "remove", "read"),
  input: fc.nat(4),
});

function realSet(): (f: string, input: unknown) => unknown {
  const s = new Set<unknown>();
  return (f, input) => {
    if (f === "read") return [...s];
    if (f === "add") s.add(input);
    else s.delete(input);
    return undefined;
  };
}

interface Scenario {
  name: string;
  model: Model<never>;
  cmd: fc.Arbitrary<Cmd>;
  real: () => (f: string, input: unknown) => unknown;
  isRead: (op: Operation) => boolean;
  /** An output no run can produce. */
  impossible: (op: Operation) => unknown;
}

const scenarios: Scenario[] = [
  {
    name: "cas-register",
    model: casRegisterModel as Model<never>,
    cmd: registerCmd,
    real: realRegister,
    isRead: (op) => op.f === "read",
    impossible: () => "never written",
  },
  {
    name: "kv",
    model: kvModel as Model<never>,
    cmd: kvCmd,
    real: realKv,
    isRead: (op) => op.f === "get",
    impossible: () => "never written",
  },
  {
    name: "counter",
    model: counterModel as Model<never>,
    cmd: counterCmd,
    real: realCounter,
    isRead: (op) => op.f === "read",
    impossible: () => -1,
  },
  {
    name: "set",
    model: setModel as Model<never>,
    cmd: setCmd,
    real: realSet,
    isRead: (op) => op.f === "read",
    impossible: (op) => [...op.output as unknown[], "never added"],
  },
];

for (const s of scenarios) {
  Deno.test(`fast-check ${s.name}: sequential histories are linearizable`, () => {
    fc.assert(
      fc.property(fc.array(s.cmd, { maxLength: 40 }), (cmds) => {
        const h = simulate(cmds, s.real(), true);
        assert.equal(verdict(h, s.model), "ok");
      }),
      { numRuns: 150 },
    );
  });

  Deno.test(`fast-check ${s.name}: concurrent histories from a real object are linearizable`, () => {
    fc.assert(
      fc.property(fc.array(s.cmd, { maxLength: 30 }), (cmds) => {
        const h = simulate(cmds, s.real(), false);
        assert.equal(verdict(h, s.model), "ok");
        assert.equal(verdict(h, s.model, false), "ok");
      }),
      { numRuns: 150 },
    );
  });

  Deno.test(`fast-check ${s.name}: a read of a value never written is illegal`, () => {
    fc.assert(
      fc.property(
        fc.array(s.cmd, { minLength: 1, maxLength: 30 }),
        fc.boolean(),
        fc.nat(),
        (cmds, sequential, pick) => {
          const h = simulate(cmds, s.real(), sequential);
          const reads = h.filter(s.isRead);
          fc.pre(reads.length > 0);
          const victim = reads[pick % reads.length];
          victim.output = s.impossible(victim);
          const r = checkLinearizability(h, s.model);
          assert.equal(r.result, "illegal");
          assert.ok(r.counterexample!.ops.includes(r.counterexample!.stuck));
          assert.ok(r.counterexample!.ops.length <= 16);
        },
      ),
      { numRuns: 150 },
    );
  });
}

/**
 * The definition, by brute force: some order of the operations that respects
 * real time (p before o when p returned before o was called) and the model,
 * containing every ok operation and any subset of the info/pending ones.
 */
function bruteForce<S>(history: readonly Operation[], model: Model<S>): boolean {
  const ops = history.filter((o) => o.status !== "fail");
  const ret = (o: Operation) => o.status === "ok" ? o.ret : Infinity;
  const go = (left: Operation[], state: S): boolean => {
    if (left.every((o) => o.status !== "ok")) return true;
    return left.some((o) => {
      if (left.some((p) => p !== o && ret(p) < o.call)) return false;
      const r = model.step(state, o);
      return r.ok && go(left.filter((p) => p !== o), r.state);
    });
  };
  return go(ops, model.init());
}

const randomOp = fc.record({
  client: fc.nat(3),
  f: fc.constantFrom("read", "write", "cas"),
  value: fc.nat(2),
  other: fc.option(fc.nat(2)),
  flag: fc.boolean(),
  call: fc.nat(10),
  len: fc.nat(5),
  status: fc.constantFrom("ok", "ok", "ok", "info", "pending", "fail"),
});

Deno.test("fast-check: random small histories agree with a brute-force search", () => {
  let illegal = 0;
  fc.assert(
    fc.property(fc.array(randomOp, { maxLength: 8 }), (rows) => {
      const ops: Operation[] = rows.map((r, id) => ({
        id,
        client: `c${r.client}`,
        f: r.f,
        input: r.f === "cas" ? [r.other, r.value] : r.f === "write" ? r.value : null,
        output: r.f === "read" ? r.other : r.f === "cas" ? r.flag : undefined,
        call: r.call,
        ret: r.status === "ok" || r.status === "fail" ? r.call + r.len : Infinity,
        status: r.status,
      }));
      const expected = bruteForce(ops, casRegisterModel);
      const got = checkLinearizability(ops, casRegisterModel);
      assert.equal(got.result, expected ? "ok" : "illegal");
      if (!expected) {
        illegal++;
        const c = got.counterexample!;
        assert.ok(!c.prefix.includes(c.stuck));
        assert.ok(c.ops.includes(c.stuck));
        assert.equal(ops[c.stuck].status, "ok");
      }
    }),
    { numRuns: 3000 },
  );
  // The generator must exercise both verdicts.
  assert.ok(illegal > 100, `only ${illegal} illegal histories`);
});

Deno.test("fast-check: random small kv histories, split per key, agree with brute force", () => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(randomOp, fc.constantFrom("x", "y")), { maxLength: 8 }),
      (rows) => {
        const ops: Operation[] = rows.map(([r, key], id) => ({
          id,
          client: `c${r.client}`,
          f: r.f === "read" ? "get" : r.f === "write" ? "put" : "cas",
          input: r.f === "cas"
            ? { key, from: r.other, to: r.value }
            : r.f === "write"
            ? { key, value: r.value }
            : { key },
          output: r.f === "read" ? r.other : r.f === "cas" ? r.flag : undefined,
          call: r.call,
          ret: r.status === "ok" || r.status === "fail" ? r.call + r.len : Infinity,
          status: r.status,
        }));
        const expected = bruteForce(ops, kvModel) ? "ok" : "illegal";
        assert.equal(checkLinearizability(ops, kvModel).result, expected);
        assert.equal(checkLinearizability(ops, kvModel, { partition: false }).result, expected);
      },
    ),
    { numRuns: 1000 },
  );
});

// ---------------------------------------------------------------------------
// History files

const JEPSEN_EDN = `{:type :invoke, :f :write, :value 3, :process 0, :time 100, :index 0}
{:type :invoke, :f :read, :value nil, :process 1, :time 110, :index 1}
{:type :ok, :f :write, :value 3, :process 0, :time 200, :index 2}
{:type :info, :f :start, :value nil, :process :nemesis, :time 210}
{:process :nemesis,
 :type :info,
 :f :start,
 :value "Cut off [:n3 #[:n4 :n5 :n1], :n2 #[:n4 :n5 :n1]]"}
{:type :ok, :f :read, :value 3, :process 1, :time 220, :index 3}
{:type :invoke, :f :cas, :value [3 4], :process 0, :time 300, :index 4}
{:type :fail, :f :cas, :value [3 4], :process 0, :time 310, :index 5, :error :timeout-ish}
{:type :invoke, :f :cas, :value [3 5], :process 1, :time 320, :index 6}
{:type :info, :f :cas, :value [3 5], :process 1, :time 330, :index 7, :error "timed out"}
; a comment line
{:type :invoke, :f :read, :value nil, :process 2, :time 400, :index 8}
{:type :ok, :f :read, :value 5, :process 2, :time 410, :index 9}
{:type :invoke, :f :write, :value 9, :process 3, :time 500, :index 10}
`;

Deno.test("EDN: a Jepsen history pairs invocations with completions per process", () => {
  const ops = parseEdnHistory(JEPSEN_EDN);
  assert.equal(ops.length, 6);
  assert.deepEqual(ops.map((o) => [o.client, o.f, o.status]), [
    ["0", "write", "ok"],
    ["1", "read", "ok"],
    ["0", "cas", "fail"],
    ["1", "cas", "info"],
    ["2", "read", "ok"],
    ["3", "write", "pending"],
  ]);
  assert.deepEqual(ops[2].input, [3, 4]);
  assert.equal(ops[1].output, 3);
  assert.equal(ops[3].ret, Infinity);
  assert.equal(ops[5].ret, Infinity);
  assert.equal(ops[4].line, 15);
  assert.ok(ops[0].call < ops[0].ret);
  // The info cas [3 5] explains the read of 5.
  assert.equal(verdict(ops, casRegisterModel), "ok");
  ops[4].output = 4; // only the failed cas could have written 4
  assert.equal(verdict(ops, casRegisterModel), "illegal");
});

Deno.test("EDN: a vector of maps, sets, tags, strings and discards", () => {
  const text = `[{:process 0 :type :invoke :f :add :value 1}
 {:process 0 :type :ok :f :add :value 1}
 {:process 1 :type :invoke :f :read :value nil :time #inst "2024-01-01T00:00:00Z"}
 #_{:process 9 :type :bogus}
 {:process 1 :type :ok :f :read :value #{1} :note "a \\"quoted\\" ;not a comment"}]`;
  assert.equal(detectFormat(text, "history.txt"), "edn");
  const ops = parseHistory(text, "history.txt");
  assert.equal(ops.length, 2);
  assert.deepEqual(ops[1].output, [1]);
  assert.equal(ops[1].line, 3);
  assert.equal(verdict(ops, setModel), "ok");
  const [form] = readEdn('{:a [1 -2 3.5 "s" \\c nil true] :b (x y) "k" #{:z}}');
  assert.deepEqual(toPlain(form.value), {
    a: [1, -2, 3.5, "s", "c", null, true],
    b: ["x", "y"],
    k: [":z"],
  });
  assert.deepEqual(toPlain(readEdn("#jepsen.history.Op{:f :read}")[0].value), { f: ":read" });
  assert.equal(readEdn('"a\\nb\\u0041\\\\"')[0].value, "a\nbA\\");
  assert.deepEqual(readEdn("1N 2.5M 1/2 ##Inf \\newline").map((f) => f.value), [
    1,
    2.5,
    0.5,
    Infinity,
    "\n",
  ]);
});

Deno.test("EDN: malformed lines name their line number", () => {
  const cases: [string, number, RegExp][] = [
    ["{:process 0, :type :invoke, :f :read}\n{:process 0, :type :oops, :f :read}", 2, /:type/],
    ["{:process 0, :type :invoke, :f :read}\n\n{:process 0, :type :ok, :f :read", 3, /not closed/],
    ["{:process 0, :type :ok, :f :read, :value 1}", 1, /without an :invoke/],
    ["{:process 0 :type :invoke :f :read}\n{:process 0 :type :invoke :f :read}", 2, /line 1/],
    ['{:process 0 :type :invoke :f :read :value "abc}', 1, /unterminated string/],
    ["{:process 0 :type :invoke :f :read}\n}", 2, /unexpected/],
    ["{:process 0 :type :invoke}", 1, /:f/],
    ["{:process 0 :type :invoke :f :read}\n{:process 0 :type :ok :f :write}", 2, /completes/],
    ["{:process 0 :type :invoke :f :read :value 12abc}", 1, /bad number/],
    ["[:a]", 1, /operation map/],
  ];
  for (const [text, line, what] of cases) {
    assert.throws(
      () => parseEdnHistory(text),
      (e: unknown) => e instanceof HistoryFormatError && e.line === line && what.test(e.message),
      text,
    );
  }
});

Deno.test("JSON: an array and JSON lines give the same operations", () => {
  const rows = [
    { client: "c1", f: "write", input: 1, call: 0, ret: 10 },
    { client: "c2", f: "read", output: 1, call: 2, ret: 4 },
    { client: 3, f: "write", input: 2, call: 6, unknown: true },
    { client: "c4", f: "write", input: 9, call: 7, ret: 8, status: "fail" },
  ];
  const asArray = parseJsonHistory(JSON.stringify(rows, null, 2));
  const asLines = parseJsonHistory(rows.map((r) => JSON.stringify(r)).join("\n") + "\n\n");
  const strip = (ops: Operation[]) => ops.map(({ ...o }) => ({ ...o, line: 0 }));
  assert.deepEqual(strip(asArray), strip(asLines));
  assert.deepEqual(asLines.map((o) => [o.status, o.ret, o.line]), [
    ["ok", 10, 1],
    ["ok", 4, 2],
    ["info", Infinity, 3],
    ["fail", 8, 4],
  ]);
  assert.equal(asLines[2].client, "3");
  assert.deepEqual(asArray.map((o) => o.line), [2, 9, 16, 23]);
  assert.equal(verdict(asLines, registerModel), "ok");
  assert.deepEqual(parseJsonHistory("[]"), []);
  assert.deepEqual(parseJsonHistory(""), []);
});

Deno.test("JSON: malformed lines name their line number", () => {
  const good = '{"client": "a", "f": "read", "call": 0, "ret": 1}';
  const cases: [string, number, RegExp][] = [
    [`${good}\n{"client": "a", "f": "read", "call": 0`, 2, /invalid JSON/],
    [`${good}\n${good}\n{"client": "a", "f": "read", "call": 5, "ret": 1}`, 3, /before "call"/],
    [`${good}\n{"f": "read", "call": 0, "ret": 1}`, 2, /"client"/],
    [`${good}\n{"client": "a", "call": 0, "ret": 1}`, 2, /"f"/],
    [`${good}\n{"client": "a", "f": "read", "call": 0}`, 2, /"ret"/],
    [`${good}\n[1, 2]`, 2, /operation object/],
    [`[\n${good},\n${good},\n{"client": "a", "f": "read", "ret": 1}\n]`, 4, /"call"/],
    [`[\n${good},\n{"client": "a" "f": 1}\n]`, 3, /invalid JSON/],
    [`[\n${good}\n${good}\n]`, 2, /invalid JSON/],
    [`[\n${good},\n`, 3, /not closed/],
    [`${good}\n{"client": "a", "f": "w", "call": 0, "ret": 1, "status": "maybe"}`, 2, /status/],
  ];
  for (const [text, line, what] of cases) {
    assert.throws(
      () => parseJsonHistory(text),
      (e: unknown) => e instanceof HistoryFormatError && e.line === line && what.test(e.message),
      text,
    );
  }
});

Deno.test("format detection", () => {
  assert.equal(detectFormat("[]", "h.edn"), "edn");
  assert.equal(detectFormat("{:process 0}", "h"), "edn");
  assert.equal(detectFormat("  [ {:process 0}]", "h"), "edn");
  assert.equal(detectFormat("; knossos\n({:process 0})", "h"), "edn");
  assert.equal(detectFormat('{"client": 1}', "h"), "json");
  assert.equal(detectFormat("{:process 0}", "h.json"), "json");
});

// ---------------------------------------------------------------------------
// lincheck

const STALE_READ = [
  '{"client": "a", "f": "write", "input": 1, "call": 0, "ret": 10}',
  '{"client": "b", "f": "read", "output": 1, "call": 2, "ret": 4}',
  '{"client": "c", "f": "read", "output": null, "call": 5, "ret": 7}',
].join("\n");

Deno.test("lincheck: exit 0 when linearizable, 1 when not, with the ops that cannot be ordered", () => {
  const ok = lincheckCommand(JEPSEN_EDN, "history.edn", { model: "cas-register" });
  assert.equal(ok.exitCode, 0);
  assert.match(ok.stdout, /history\.edn: linearizable/);
  const bad = lincheckCommand(STALE_READ, "h.jsonl", { model: "register" });
  assert.equal(bad.exitCode, 1);
  assert.match(bad.stdout, /NOT linearizable/);
  assert.match(bad.stdout, /op 2 \(c\): read -> nil \[5, 7\], cannot be placed \(line 3\)/);
  assert.match(bad.stdout, /op 0 \(a\): write 1 \[0, 10\], linearized #1 \(line 1\)/);
  assert.equal(bad.stderr, "");
});

Deno.test("lincheck --json prints one line", () => {
  const ok = lincheckCommand(JEPSEN_EDN, "history.edn", { model: "cas-register", json: true });
  const j = JSON.parse(ok.stdout);
  assert.deepEqual(Object.keys(j), ["linearizable", "ops", "ms"]);
  assert.equal(j.linearizable, true);
  assert.equal(j.ops, 6);
  assert.equal(typeof j.ms, "number");
  assert.equal(ok.stdout.trim().split("\n").length, 1);
  const bad = lincheckCommand(STALE_READ, "h", { model: "register", json: true });
  assert.equal(bad.exitCode, 1);
  assert.equal(JSON.parse(bad.stdout).linearizable, false);
});

Deno.test("lincheck: exit 3 with null when the budget runs out", () => {
  const lines = [];
  for (let i = 0; i < 24; i++) {
    lines.push(JSON.stringify({ client: i, f: "write", input: i, call: i, ret: 100 + i }));
  }
  lines.push(JSON.stringify({ client: "r", f: "read", output: -1, call: 200, ret: 201 }));
  const r = lincheckCommand(lines.join("\n"), "h.json", {
    model: "register",
    timeoutMs: 1,
    json: true,
  });
  assert.equal(r.exitCode, 3);
  assert.equal(JSON.parse(r.stdout).linearizable, null);
  const text = lincheckCommand(lines.join("\n"), "h.json", { model: "register", timeoutMs: 1 });
  assert.equal(text.exitCode, 3);
  assert.match(text.stdout, /unknown/);
});

Deno.test("lincheck: exit 2 for bad input", () => {
  const model = lincheckCommand(STALE_READ, "h", { model: "queue" });
  assert.equal(model.exitCode, 2);
  assert.match(model.stderr, /register\|cas-register\|kv\|counter\|set/);
  const line = lincheckCommand(STALE_READ + "\n{oops", "h.jsonl", { model: "register" });
  assert.equal(line.exitCode, 2);
  assert.match(line.stderr, /^h\.jsonl:4: invalid JSON/);
  const edn = lincheckCommand("{:process 0 :type :ok :f :read}", "h.edn", { model: "register" });
  assert.equal(edn.exitCode, 2);
  assert.match(edn.stderr, /h\.edn:1:/);
  const wrongOp = lincheckCommand(STALE_READ, "h", { model: "counter" });
  assert.equal(wrongOp.exitCode, 2);
  assert.match(wrongOp.stderr, /h:1: .*unknown operation "write"/);
  const kvBad = lincheckCommand(STALE_READ, "h", { model: "kv" });
  assert.equal(kvBad.exitCode, 2);
  const budget = lincheckCommand(STALE_READ, "h", { model: "register", timeoutMs: -1 });
  assert.equal(budget.exitCode, 2);
});

Deno.test("every listed model name resolves", () => {
  for (const name of MODEL_NAMES) assert.equal(modelByName(name)?.name, name);
});
