/**
 * Issue 17, bounded memory: the linearizability checker working in windows
 * as a run goes (sim/check/linearizability_windows.ts), releasing what it
 * has checked from the compact history. Its verdicts must be the ones the
 * whole-history check gives, a stale read planted deep in a long history
 * must still be caught across windows, and the history must stay small.
 */

import assert from "node:assert/strict";
import fc from "npm:fast-check@4.10.2";
import { History, type Operation } from "../sim/history.ts";
import { checkLinearizability } from "../sim/check/linearizability.ts";
import { LinearizabilityWindows } from "../sim/check/linearizability_windows.ts";
import { casRegisterModel, kvModel, type Model } from "../sim/check/models.ts";
import { runScenario } from "../sim/scenario.ts";
import { raft } from "../protocols/raft/scenarios.ts";

/** Replays `ops` into a fresh history, invocations and completions in time order. */
function record<S>(
  ops: readonly Operation[],
  model: Model<S>,
  keep: number,
): { history: History; windows: LinearizabilityWindows<S>; maxHeld: number } {
  const history = new History();
  const windows = new LinearizabilityWindows(history, model, { keep });
  type Step = { t: number; kind: 0 | 1; op: Operation };
  const steps: Step[] = [];
  for (const op of ops) {
    steps.push({ t: op.call, kind: 0, op });
    if (op.status !== "pending") steps.push({ t: op.ret, kind: 1, op });
  }
  // Invocations in id order (their calls never go back); at one instant, invocations first.
  steps.sort((a, b) => a.t - b.t || a.kind - b.kind || a.op.id - b.op.id);
  let maxHeld = 0;
  for (const s of steps) {
    if (s.kind === 0) {
      const id = history.invoke(s.op.client, s.op.f, s.op.input, s.op.call);
      assert.equal(id, s.op.id);
    } else {
      history.complete(s.op.id, s.op.output, s.op.status as "ok" | "info" | "fail", s.op.ret);
    }
    maxHeld = Math.max(maxHeld, history.held);
  }
  return { history, windows, maxHeld };
}

/** mulberry32: a seeded generator for the histories below. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A key-value history from a real map: each operation takes effect at an
 * instant inside its interval; some end `info` (their effect applied or
 * not), some `fail` (no effect), and with `corrupt` one read in twenty
 * reports a wrong value, so both verdicts occur. Calls never go back.
 */
function kvHistory(
  seed: number,
  n: number,
  keys: number,
  clients: number,
  corrupt: boolean,
  infoRate = 0.05,
) {
  const rand = prng(seed);
  const int = (k: number) => Math.floor(rand() * k);
  const clock = new Array<number>(clients).fill(0);
  const rows: (Operation & { at: number; applies: boolean })[] = [];
  for (let i = 0; i < n; i++) {
    const c = int(clients);
    const call = clock[c] + int(4);
    const at = call + int(3);
    const ret = at + int(3);
    clock[c] = ret + 1;
    const key = `k${int(keys)}`;
    const dice = rand();
    const status = dice < infoRate
      ? "info" as const
      : dice < infoRate + 0.03
      ? "fail" as const
      : "ok" as const;
    const base = { id: 0, client: `c${c}`, call, ret, status, output: undefined as unknown };
    const f = rand();
    const applies = status === "ok" || (status === "info" && rand() < 0.5);
    if (f < 0.45) rows.push({ ...base, f: "get", input: { key }, at, applies });
    else if (f < 0.85) rows.push({ ...base, f: "put", input: { key, value: int(4) }, at, applies });
    else rows.push({ ...base, f: "cas", input: { key, from: int(4), to: int(4) }, at, applies });
  }
  const store = new Map<string, number>();
  for (const op of [...rows].sort((a, b) => a.at - b.at)) {
    if (!op.applies) continue;
    const input = op.input as { key: string; value?: number; from?: number; to?: number };
    if (op.f === "get") op.output = store.get(input.key) ?? null;
    else if (op.f === "put") store.set(input.key, input.value!);
    else {
      op.output = store.get(input.key) === input.from;
      if (op.output) store.set(input.key, input.to!);
    }
  }
  rows.sort((a, b) => a.call - b.call);
  return rows.map(({ at: _at, applies: _applies, ...op }, id): Operation => {
    const out = { ...op, id };
    if (corrupt && out.f === "get" && out.status === "ok" && rand() < 0.05) {
      out.output = ((out.output as number | null) ?? 0) + 1;
    }
    return out;
  });
}

Deno.test("windows give the whole-history verdict on random kv histories (info and fail too)", () => {
  let illegal = 0, windowed = 0;
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 2 ** 30 }), fc.boolean(), (seed, corrupt) => {
      const ops = kvHistory(seed, 150, 2, 3, corrupt);
      const whole = checkLinearizability(ops, kvModel);
      const { windows } = record(ops, kvModel, 8);
      const got = windows.finish();
      assert.equal(got.result, whole.result, `seed ${seed}`);
      if (whole.result === "illegal") {
        illegal++;
        const stuck = ops[got.counterexample!.stuck];
        assert.equal(stuck.status, "ok");
      }
      if (windows.windows > 0) windowed++;
    }),
    { numRuns: 300 },
  );
  // Both verdicts, and windows actually checked (not everything left for the end).
  assert.ok(illegal > 30, `only ${illegal} illegal histories`);
  assert.ok(windowed > 250, `only ${windowed} histories were windowed`);
});

Deno.test("windows agree with the whole check on a single register with heavy overlap", () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 2 ** 30 }), (seed) => {
      const ops = kvHistory(seed, 80, 1, 4, true).map((op) => ({
        ...op,
        f: op.f === "get" ? "read" : op.f === "put" ? "write" : "cas",
        input: op.f === "get"
          ? null
          : op.f === "put"
          ? (op.input as { value: number }).value
          : [(op.input as { from: number }).from, (op.input as { to: number }).to],
      }));
      const { windows } = record(ops, casRegisterModel, 4);
      assert.equal(windows.finish().result, checkLinearizability(ops, casRegisterModel).result);
    }),
    { numRuns: 200 },
  );
});

Deno.test("a stale read planted deep in a long history is caught, and the history stays small", () => {
  const n = 50_000;
  // Few info operations: each is carried (it may take effect later) until its part gives up windowing.
  const base = kvHistory(7, n, 3, 3, false, 0.0002);
  // On a key of its own, across half the history: put a, put b, a read of a, put c.
  const plant = (f: string, value: unknown, output: unknown, at: number): Operation => ({
    id: 0,
    client: "c9",
    f,
    input: value === undefined ? { key: "k9" } : { key: "k9", value },
    output,
    call: base[at].call,
    ret: base[at].call + 1,
    status: "ok",
  });
  const ops = [
    ...base,
    plant("put", "a", undefined, n / 4),
    plant("put", "b", undefined, n / 2),
    plant("get", undefined, "a", (3 * n) / 4),
    plant("put", "c", undefined, n - 10),
  ].sort((a, b) => a.call - b.call).map((op, id) => ({ ...op, id }));
  const staleId = ops.findIndex((op) => op.output === "a");
  const { windows, history, maxHeld } = record(ops, kvModel, 1_000);
  const r = windows.finish();
  assert.equal(r.result, "illegal");
  assert.equal(r.counterexample!.stuck, staleId);
  assert.ok(windows.windows > 20, `${windows.windows} windows`);
  assert.ok(maxHeld < 3_000, `the history held up to ${maxHeld} operations`);
  assert.ok(history.first > 20_000, `released up to ${history.first}`);
  // The read of b instead is fine: the verdict comes from the plant, not from the windows.
  const fixed = ops.map((op) => op.id === staleId ? { ...op, output: "b" } : op);
  assert.equal(record(fixed, kvModel, 1_000).windows.finish().result, "ok");
  assert.equal(checkLinearizability(ops, kvModel).result, "illegal");
});

Deno.test("an info write carried across many windows may take effect late, or never", () => {
  const ops: Operation[] = [];
  const push = (f: string, input: unknown, output: unknown, call: number, ret: number, s = "ok") =>
    ops.push({
      id: ops.length,
      client: "c1",
      f,
      input,
      output,
      call,
      ret,
      status: s as Operation["status"],
    });
  push("put", { key: "x", value: "late" }, undefined, 0, 1, "info");
  let t = 10;
  for (let i = 0; i < 200; i++, t += 4) push("get", { key: "x" }, null, t, t + 1);
  const observed = [...ops];
  push("get", { key: "x" }, "late", t, t + 1); // the info put took effect only now
  assert.equal(record(ops, kvModel, 8).windows.finish().result, "ok");
  assert.ok(record(ops, kvModel, 8).windows.windows > 10);
  // A value nobody wrote is still caught after the same windows.
  observed.push({ ...ops[ops.length - 1], output: "never" });
  assert.equal(record(observed, kvModel, 8).windows.finish().result, "illegal");
  // And once seen, the late value cannot be followed by the old one again.
  const flip = [...ops];
  flip.push({ ...ops[1], id: flip.length, call: t + 10, ret: t + 11, output: null });
  assert.equal(record(flip, kvModel, 8).windows.finish().result, "illegal");
});

Deno.test("a short history is checked once at the end, exactly as before", () => {
  const ops = kvHistory(3, 200, 2, 3, true);
  const { windows } = record(ops, kvModel, 10_000);
  const got = windows.finish();
  assert.equal(windows.windows, 0);
  const whole = checkLinearizability(ops, kvModel);
  assert.deepEqual({ ...got, ms: 0 }, { ...whole, ms: 0 });
});

Deno.test("the raft scenario's history check windows a long run and releases it", () => {
  const r = runScenario(raft, { seed: 3, until: 240_000, trace: "off", flags: { ops: 1_000_000 } });
  assert.ok(r.ok, r.violations.map((v) => v.message).join("; "));
  const h = r.sim.history;
  assert.ok(h.length > 12_000, `${h.length} operations`);
  assert.ok(h.held < 12_000, `${h.held} operations held`);
  assert.match(r.summary.join("\n"), /linearizable: ok \(3 keys\)/);
});
