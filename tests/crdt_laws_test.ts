/**
 * The CRDT laws, by property tests: for every type, random states built from
 * random updates and merges at three replicas must satisfy
 *
 * - merge is commutative, associative and idempotent, with `empty()` as bottom;
 * - `leq` is the lattice order: `a ≤ a ⊔ b`, and `a ≤ b` exactly when `a ⊔ b = b`;
 * - every update only moves a state up, and its delta (where there is one)
 *   joined to the state gives the updated state;
 * - the JSON form round-trips and is canonical (equal states, equal JSON);
 * - replicas that receive the same updates in any order, with duplicates, converge;
 * - for the op-based interfaces: concurrent operations commute, and replicas
 *   that apply the same operations in any causal order converge.
 *
 * States are built from one shared run rather than independently, because only
 * reachable states need obey the laws: two independent OR-Sets could both hold
 * a dot ["a", 1] for different elements, which no real system produces.
 */

import assert from "node:assert/strict";
import fc from "npm:fast-check@4.10.2";
import type { NodeId } from "../actors/mod.ts";
import {
  type CrdtCodec,
  CrdtError,
  GCounter,
  type GCounterOp,
  GSet,
  type Json,
  LwwElementSet,
  LwwRegister,
  mergeAll,
  MvRegister,
  OrSet,
  type OrSetOp,
  PNCounter,
  type PNCounterOp,
  Rga,
  type RgaOp,
  type StateCrdt,
  TwoPhaseSet,
} from "../protocols/crdt/mod.ts";

const RUNS = { numRuns: 200 };
const REPLICAS: readonly NodeId[] = ["a", "b", "c"];

/** How to drive one type: its bottom, its decoder, and its updates. */
interface Harness<S extends StateCrdt<S, unknown>, Op, E = never> {
  readonly name: string;
  readonly empty: () => S;
  readonly codec: CrdtCodec<S>;
  /** The parameters of one random update. */
  readonly op: fc.Arbitrary<Op>;
  /** The update at `replica`; an update the type forbids here leaves `s` alone. */
  readonly update: (s: S, replica: NodeId, op: Op) => S;
  /** The delta of the same update, for types with delta mutators. */
  readonly delta?: (s: S, replica: NodeId, op: Op) => S;
  /** Op-based interface: prepare at the source (undefined if impossible), effect downstream. */
  readonly opBased?: {
    readonly prepare: (s: S, replica: NodeId, op: Op) => E | undefined;
    readonly effect: (s: S, e: E) => S;
  };
}

/** Skips updates the type forbids (a 2P-Set re-add), so random runs stay legal. */
function allowed<S>(s: S, f: () => S): S {
  try {
    return f();
  } catch (e) {
    if (e instanceof CrdtError) return s;
    throw e;
  }
}

const ELEMENTS: readonly Json[] = ["x", "y", "z", 7, { k: [1, "w"] }];
const element = fc.constantFrom(...ELEMENTS);
const time = fc.nat(6); // a small range, so equal times (and their tiebreaks) happen often

type SetOp = { readonly remove: boolean; readonly element: Json };
const setOp = fc.record({ remove: fc.boolean(), element });
type TimedSetOp = SetOp & { readonly time: number };
const timedSetOp = fc.record({ remove: fc.boolean(), element, time });

const gCounter: Harness<GCounter, number, GCounterOp> = {
  name: "G-Counter",
  empty: GCounter.empty,
  codec: GCounter,
  op: fc.nat(4),
  update: (s, r, n) => s.increment(r, n),
  delta: (s, r, n) => s.incrementDelta(r, n),
  opBased: { prepare: (s, r, n) => s.prepareIncrement(r, n), effect: (s, e) => s.apply(e) },
};

type PnOp = { readonly down: boolean; readonly n: number };
const pnCounter: Harness<PNCounter, PnOp, PNCounterOp> = {
  name: "PN-Counter",
  empty: PNCounter.empty,
  codec: PNCounter,
  op: fc.record({ down: fc.boolean(), n: fc.nat(4) }),
  update: (s, r, { down, n }) => down ? s.decrement(r, n) : s.increment(r, n),
  delta: (s, r, { down, n }) => down ? s.decrementDelta(r, n) : s.incrementDelta(r, n),
  opBased: {
    prepare: (s, r, { down, n }) => down ? s.prepareDecrement(r, n) : s.prepareIncrement(r, n),
    effect: (s, e) => s.apply(e),
  },
};

const gSet: Harness<GSet, Json> = {
  name: "G-Set",
  empty: GSet.empty,
  codec: GSet,
  op: element,
  update: (s, _r, e) => s.add(e),
};

const twoPhaseSet: Harness<TwoPhaseSet, SetOp> = {
  name: "2P-Set",
  empty: TwoPhaseSet.empty,
  codec: TwoPhaseSet,
  op: setOp,
  update: (s, _r, op) => allowed(s, () => op.remove ? s.remove(op.element) : s.add(op.element)),
};

type WriteOp = { readonly time: number; readonly value: Json };
const lwwRegister: Harness<LwwRegister, WriteOp> = {
  name: "LWW-Register",
  empty: LwwRegister.empty,
  codec: LwwRegister,
  op: fc.record({ time, value: element }),
  update: (s, node, op) => s.set({ time: op.time, node }, op.value),
};

function lwwElementSet(bias: "add" | "remove"): Harness<LwwElementSet, TimedSetOp> {
  return {
    name: `LWW-Element-Set (${bias}-bias)`,
    empty: () => LwwElementSet.empty(bias),
    codec: LwwElementSet,
    op: timedSetOp,
    update: (s, node, op) =>
      op.remove
        ? s.remove({ time: op.time, node }, op.element)
        : s.add({ time: op.time, node }, op.element),
  };
}

const orSet: Harness<OrSet, SetOp, OrSetOp<Json>> = {
  name: "OR-Set",
  empty: OrSet.empty,
  codec: OrSet,
  op: setOp,
  update: (s, r, op) => op.remove ? s.remove(op.element) : s.add(r, op.element),
  delta: (s, r, op) => op.remove ? s.removeDelta(op.element) : s.addDelta(r, op.element),
  opBased: {
    prepare: (s, r, op) => op.remove ? s.prepareRemove(op.element) : s.prepareAdd(r, op.element),
    effect: (s, e) => s.apply(e),
  },
};

const mvRegister: Harness<MvRegister, Json> = {
  name: "MV-Register",
  empty: MvRegister.empty,
  codec: MvRegister,
  op: element,
  update: (s, r, v) => s.set(r, v),
};

type EditOp = { readonly del: boolean; readonly pos: number; readonly text: string };
const rga: Harness<Rga, EditOp, RgaOp> = {
  name: "RGA",
  empty: Rga.empty,
  codec: Rga,
  op: fc.record({
    del: fc.boolean(),
    pos: fc.nat(40),
    text: fc.constantFrom("a", "b", "c", "xy", "😀"),
  }),
  update: (s, r, { del, pos, text }) => {
    if (!del) return s.insert(r, pos % (s.length + 1), text);
    return s.length === 0 ? s : s.delete(pos % s.length);
  },
  opBased: {
    prepare: (s, r, { del, pos, text }) => {
      if (!del) return s.prepareInsert(r, pos % (s.length + 1), [...text][0]);
      return s.length === 0 ? undefined : s.prepareDelete(pos % s.length);
    },
    effect: (s, e) => s.apply(e),
  },
};

// --- Random runs -------------------------------------------------------------

type Step<Op> =
  | { readonly kind: "update"; readonly at: number; readonly op: Op }
  | { readonly kind: "sync"; readonly from: number; readonly to: number };

function steps<Op>(op: fc.Arbitrary<Op>, maxLength = 40): fc.Arbitrary<Step<Op>[]> {
  const replica = fc.nat(REPLICAS.length - 1);
  const step: fc.Arbitrary<Step<Op>> = fc.oneof(
    { weight: 3, arbitrary: fc.record({ kind: fc.constant("update" as const), at: replica, op }) },
    {
      weight: 1,
      arbitrary: fc.record({ kind: fc.constant("sync" as const), from: replica, to: replica }),
    },
  );
  return fc.array(step, { maxLength, size: "max" });
}

type Run<S> = {
  /** Each replica's final state. */
  readonly replicas: S[];
  /** What each update would gossip: its delta if the type has one, else the new state. */
  readonly messages: S[];
};

/** Plays a run of updates and state-based syncs (full-state merges) at the replicas. */
function play<S extends StateCrdt<S, unknown>, Op, E>(
  h: Harness<S, Op, E>,
  run: readonly Step<Op>[],
): Run<S> {
  const replicas = REPLICAS.map(() => h.empty());
  const messages: S[] = [];
  for (const step of run) {
    if (step.kind === "sync") {
      replicas[step.to] = replicas[step.to].merge(replicas[step.from]);
      continue;
    }
    const before = replicas[step.at];
    const after = h.update(before, REPLICAS[step.at], step.op);
    replicas[step.at] = after;
    messages.push(h.delta === undefined ? after : h.delta(before, REPLICAS[step.at], step.op));
  }
  return { replicas, messages };
}

function states<S extends StateCrdt<S, unknown>, Op, E>(h: Harness<S, Op, E>): fc.Arbitrary<S[]> {
  return steps(h.op).map((run) => play(h, run).replicas);
}

/** Equal as states, and therefore equal in value and in canonical JSON. */
function assertSame<S extends StateCrdt<S, unknown>>(x: S, y: S, what: string): void {
  assert.ok(x.equals(y), `${what}: ${JSON.stringify(x)} != ${JSON.stringify(y)}`);
  assert.equal(JSON.stringify(x), JSON.stringify(y), `${what}: JSON differs`);
  assert.deepEqual(x.value(), y.value(), `${what}: value differs`);
}

// --- The laws ----------------------------------------------------------------

function stateLaws<S extends StateCrdt<S, unknown>, Op, E>(h: Harness<S, Op, E>): void {
  const t = (law: string, fn: () => void) => Deno.test(`${h.name}: ${law}`, fn);

  t("merge is commutative", () => {
    fc.assert(
      fc.property(states(h), ([a, b]) => assertSame(a.merge(b), b.merge(a), "a⊔b vs b⊔a")),
      RUNS,
    );
  });

  t("merge is associative", () => {
    fc.assert(
      fc.property(states(h), ([a, b, c]) => {
        assertSame(a.merge(b).merge(c), a.merge(b.merge(c)), "(a⊔b)⊔c vs a⊔(b⊔c)");
      }),
      RUNS,
    );
  });

  t("merge is idempotent, with empty() as bottom", () => {
    fc.assert(
      fc.property(states(h), ([a, b]) => {
        assertSame(a.merge(a), a, "a⊔a vs a");
        assertSame(a.merge(b).merge(b), a.merge(b), "(a⊔b)⊔b vs a⊔b");
        assertSame(h.empty().merge(a), a, "⊥⊔a vs a");
        assert.ok(h.empty().leq(a));
      }),
      RUNS,
    );
  });

  t("leq is the lattice order of merge", () => {
    fc.assert(
      fc.property(states(h), ([a, b]) => {
        // "Same state" is judged by the JSON dump, so a wrong `equals` cannot hide a wrong `leq`.
        const same = (x: S, y: S) => JSON.stringify(x) === JSON.stringify(y);
        const ab = a.merge(b);
        assert.ok(a.leq(ab) && b.leq(ab), "a ≤ a⊔b and b ≤ a⊔b");
        assert.ok(a.leq(a), "a ≤ a");
        for (const [x, y] of [[a, b], [b, a], [a, ab], [ab, b]]) {
          assert.equal(x.leq(y), same(x.merge(y), y), "x ≤ y iff x⊔y = y");
          assert.equal(x.leq(y) && y.leq(x), same(x, y), "antisymmetry");
        }
      }),
      RUNS,
    );
  });

  t("updates only move a state up", () => {
    fc.assert(
      fc.property(states(h), fc.nat(REPLICAS.length - 1), h.op, ([s], i, op) => {
        const next = h.update(s, REPLICAS[i], op);
        assert.ok(s.leq(next), `${JSON.stringify(s)} ≤ ${JSON.stringify(next)}`);
        if (h.delta !== undefined) {
          const delta = h.delta(s, REPLICAS[i], op);
          assertSame(s.merge(delta), next, "s ⊔ delta(s) vs update(s)");
        }
      }),
      RUNS,
    );
  });

  t("JSON form round-trips and is canonical", () => {
    fc.assert(
      fc.property(states(h), ([a, b]) => {
        const wire = JSON.stringify(a);
        const back = h.codec.fromJSON(JSON.parse(wire));
        assertSame(back, a, "fromJSON(toJSON(a)) vs a");
        assert.equal(JSON.stringify(back), wire);
        for (const [x, y] of [[a, b], [a, a.merge(b)], [b, a.merge(b)]]) {
          assert.equal(x.equals(y), JSON.stringify(x) === JSON.stringify(y), "equal iff same JSON");
        }
      }),
      RUNS,
    );
  });

  t("replicas converge when they receive the same updates in any order", () => {
    const scenario = steps(h.op).chain((run) => {
      const { replicas, messages } = play(h, run);
      // Each receiver gets every message, in its own order, some of them twice.
      const order = fc.shuffledSubarray(messages, {
        minLength: messages.length,
        maxLength: messages.length,
      });
      const received = fc.tuple(order, fc.subarray(messages)).map((
        [all, dups],
      ) => [...all, ...dups]);
      return fc.tuple(fc.constant(replicas), fc.array(received, { minLength: 3, maxLength: 3 }));
    });
    fc.assert(
      fc.property(scenario, ([replicas, deliveries]) => {
        const received = deliveries.map((msgs) => msgs.reduce((s, m) => s.merge(m), h.empty()));
        for (const r of received.slice(1)) assertSame(r, received[0], "receiver vs receiver");
        // The updates carry everything: receiving them all gives the join of the replicas.
        assertSame(received[0], mergeAll([h.empty(), ...replicas]), "receiver vs replicas");
      }),
      RUNS,
    );
  });

  if (h.opBased !== undefined) opLaws(h, h.opBased);
}

function opLaws<S extends StateCrdt<S, unknown>, Op, E>(
  h: Harness<S, Op, E>,
  ops: NonNullable<Harness<S, Op, E>["opBased"]>,
): void {
  const t = (law: string, fn: () => void) => Deno.test(`${h.name}: ${law}`, fn);

  t("op-based: concurrent operations commute", () => {
    fc.assert(
      fc.property(states(h), h.op, h.op, ([a, b], opA, opB) => {
        // Prepared at a and at b without either seeing the other's op: concurrent.
        const x = ops.prepare(a, "a", opA);
        const y = ops.prepare(b, "b", opB);
        fc.pre(x !== undefined && y !== undefined);
        // Delivered to a replica that has seen both sources' pasts (causal delivery).
        const c = a.merge(b);
        assertSame(ops.effect(ops.effect(c, x), y), ops.effect(ops.effect(c, y), x), "xy vs yx");
      }),
      RUNS,
    );
  });

  t("op-based: replicas converge under any causal delivery order", () => {
    type Logged = { readonly op: E; readonly deps: ReadonlySet<number> };
    const scenario = steps(h.op).chain((run) => {
      // Replicas broadcast each op; a sync delivers the log in order, which is causal.
      const log: Logged[] = [];
      const replicas = REPLICAS.map(() => ({ state: h.empty(), seen: new Set<number>() }));
      for (const step of run) {
        if (step.kind === "sync") {
          const r = replicas[step.to];
          log.forEach((entry, i) => {
            if (!r.seen.has(i)) {
              r.state = ops.effect(r.state, entry.op);
              r.seen.add(i);
            }
          });
          continue;
        }
        const r = replicas[step.at];
        const op = ops.prepare(r.state, REPLICAS[step.at], step.op);
        if (op === undefined) continue;
        log.push({ op, deps: new Set(r.seen) });
        r.state = ops.effect(r.state, op);
        r.seen.add(log.length - 1);
      }
      const priorities = fc.array(fc.nat(), { minLength: log.length, maxLength: log.length });
      return fc.tuple(fc.constant(log), fc.array(priorities, { minLength: 3, maxLength: 3 }));
    });
    fc.assert(
      fc.property(scenario, ([log, receivers]) => {
        const finals = receivers.map((priority) => {
          // A random causal order: among the deliverable ops, the lowest priority goes next.
          let state = h.empty();
          const done = new Set<number>();
          while (done.size < log.length) {
            let next = -1;
            log.forEach((entry, i) => {
              if (done.has(i) || [...entry.deps].some((d) => !done.has(d))) return;
              if (next < 0 || priority[i] < priority[next]) next = i;
            });
            state = ops.effect(state, log[next].op);
            done.add(next);
          }
          return state;
        });
        for (const f of finals.slice(1)) assertSame(f, finals[0], "receiver vs receiver");
      }),
      RUNS,
    );
  });
}

stateLaws(gCounter);
stateLaws(pnCounter);
stateLaws(gSet);
stateLaws(twoPhaseSet);
stateLaws(lwwRegister);
stateLaws(lwwElementSet("add"));
stateLaws(lwwElementSet("remove"));
stateLaws(orSet);
stateLaws(mvRegister);
stateLaws(rga);
