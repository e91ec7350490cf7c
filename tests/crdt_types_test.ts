/**
 * What each CRDT means: the semantics a user relies on, the anomalies each
 * type is known for, and the errors for operations a type forbids.
 */

import assert from "node:assert/strict";
import {
  canonicalJson,
  CrdtError,
  DotContext,
  GCounter,
  GSet,
  type Json,
  LwwElementSet,
  LwwRegister,
  mergeAll,
  MvRegister,
  OrSet,
  PNCounter,
  Rga,
  type RgaOp,
  type StateCrdt,
  TwoPhaseSet,
  vvCompare,
} from "../protocols/crdt/mod.ts";

function roundTrip<S extends StateCrdt<S, unknown>>(
  codec: { fromJSON(json: unknown): S },
  s: S,
): S {
  return codec.fromJSON(JSON.parse(JSON.stringify(s)));
}

// --- Shared helpers ----------------------------------------------------------

Deno.test("canonicalJson sorts keys and rejects what JSON cannot carry", () => {
  assert.equal(
    canonicalJson({ b: [1, { d: 2, c: 3 }], a: "x" }),
    '{"a":"x","b":[1,{"c":3,"d":2}]}',
  );
  assert.throws(() => canonicalJson(Number.NaN), TypeError);
  assert.throws(() => canonicalJson(undefined), TypeError);
  assert.throws(() => canonicalJson(new Date(0)), /Date is not a plain JSON object/);
});

Deno.test("mergeAll joins every state and needs at least one", () => {
  const parts = ["a", "b", "c"].map((r) => GCounter.empty().increment(r));
  assert.equal(mergeAll(parts).value(), 3);
  assert.throws(() => mergeAll<GCounter>([]), RangeError);
});

Deno.test("version vectors compare in happened-before order", () => {
  const a = new Map([["a", 1]]);
  const ab = new Map([["a", 1], ["b", 1]]);
  assert.equal(vvCompare(a, ab), "before");
  assert.equal(vvCompare(ab, a), "after");
  assert.equal(vvCompare(ab, new Map(ab)), "equal");
  assert.equal(vvCompare(a, new Map([["b", 1]])), "concurrent");
});

Deno.test("DotContext keeps out-of-order dots in a cloud until the gap fills", () => {
  const ctx = DotContext.empty().add([["a", 1], ["a", 3], ["b", 2]]);
  assert.deepEqual(ctx.toJSON(), { vv: { a: 1 }, cloud: [["a", 3], ["b", 2]] });
  assert.equal(ctx.has(["a", 2]), false);
  assert.equal(ctx.has(["a", 3]), true);
  assert.deepEqual(ctx.nextDot("a"), ["a", 4]);
  const filled = ctx.add([["a", 2], ["b", 1]]);
  assert.deepEqual(filled.toJSON(), { vv: { a: 3, b: 2 } });
  assert.ok(ctx.leq(filled) && !filled.leq(ctx));
  assert.ok(DotContext.fromJSON(ctx.toJSON()).equals(ctx));
});

// --- Counters ----------------------------------------------------------------

Deno.test("GCounter: increments at each replica add up and merge takes the maximum", () => {
  const a = GCounter.empty().increment("a", 2).increment("a");
  const b = GCounter.empty().increment("b", 4);
  const ab = a.merge(b);
  assert.equal(ab.value(), 7);
  assert.equal(ab.get("a"), 3);
  assert.deepEqual(ab.replicas(), ["a", "b"]);
  assert.deepEqual(ab.toJSON(), { a: 3, b: 4 });
  // Merging an older copy of a's entry changes nothing: the maximum, not the sum.
  assert.equal(ab.merge(GCounter.empty().increment("a")).value(), 7);
  assert.ok(roundTrip(GCounter, ab).equals(ab));
});

Deno.test("GCounter: the delta is only the incremented entry", () => {
  const big = GCounter.empty().increment("a", 5).increment("b", 9);
  const delta = big.incrementDelta("a", 2);
  assert.deepEqual(delta.toJSON(), { a: 7 });
  assert.ok(big.merge(delta).equals(big.increment("a", 2)));
});

Deno.test("GCounter: decrementing or a fractional amount is a RangeError naming the input", () => {
  const c = GCounter.empty();
  assert.throws(() => c.increment("a", -1), {
    name: "RangeError",
    message: /amount -1 is negative: a G-Counter cannot decrement/,
  });
  assert.throws(() => c.increment("a", 1.5), { name: "RangeError", message: /got 1\.5/ });
  assert.throws(() => c.prepareIncrement("a", -2), /amount -2 is negative/);
  assert.throws(() => c.increment("bad id!", 1), /bad id!/);
});

Deno.test("GCounter: op-based increments commute", () => {
  const s = GCounter.empty().increment("a");
  const x = s.prepareIncrement("a", 2);
  const y = s.prepareIncrement("b", 3);
  assert.ok(s.apply(x).apply(y).equals(s.apply(y).apply(x)));
  assert.equal(s.apply(x).apply(y).value(), 6);
});

Deno.test("GCounter.fromJSON rejects malformed input with the path", () => {
  assert.throws(() => GCounter.fromJSON([1]), /GCounter: expected an object/);
  assert.throws(() => GCounter.fromJSON({ a: -1 }), /GCounter\.a: expected an integer >= 0/);
  assert.throws(() => GCounter.fromJSON({ "a b": 1 }), /"a b" is not allowed/);
});

Deno.test("PNCounter: increments minus decrements, across replicas", () => {
  const a = PNCounter.empty().increment("a", 5).decrement("a");
  const b = PNCounter.empty().decrement("b", 3);
  const ab = a.merge(b);
  assert.equal(ab.value(), 1);
  assert.deepEqual(ab.toJSON(), { p: { a: 5 }, n: { a: 1, b: 3 } });
  assert.equal(ab.increments.value(), 5);
  assert.equal(ab.decrements.value(), 4);
  assert.ok(roundTrip(PNCounter, ab).equals(ab));
  assert.deepEqual(ab.decrementDelta("b").toJSON(), { p: {}, n: { b: 4 } });
  assert.throws(() => PNCounter.fromJSON({ p: { a: 1 } }), /PNCounter\.n: expected an object/);
});

Deno.test("PNCounter: negative or fractional amounts are RangeErrors", () => {
  const c = PNCounter.empty();
  assert.throws(() => c.increment("a", -1), {
    name: "RangeError",
    message: /PNCounter.increment: amount -1 is negative: use decrement/,
  });
  assert.throws(() => c.decrement("a", -1), /use increment to count up/);
  assert.throws(() => c.decrement("a", 0.5), RangeError);
  assert.throws(() => c.apply({ type: "decrement", replica: "a", amount: -1 }), RangeError);
});

Deno.test("PNCounter: op-based updates commute and sum up", () => {
  const s = PNCounter.empty();
  const ops = [s.prepareIncrement("a", 4), s.prepareDecrement("b", 1), s.prepareDecrement("a", 2)];
  const forward = ops.reduce((x, op) => x.apply(op), s);
  const backward = ops.toReversed().reduce((x, op) => x.apply(op), s);
  assert.ok(forward.equals(backward));
  assert.equal(forward.value(), 1);
});

// --- Sets --------------------------------------------------------------------

Deno.test("GSet: union, with elements compared by canonical JSON", () => {
  const a = GSet.empty<Json>().add({ x: 1, y: 2 }).add("p");
  const b = GSet.of<Json>([{ y: 2, x: 1 }, 3]);
  const ab = a.merge(b);
  assert.equal(ab.size, 3);
  assert.ok(ab.has({ y: 2, x: 1 }));
  assert.deepEqual(ab.value(), ["p", 3, { x: 1, y: 2 }]); // canonical JSON order: '"p"' < "3"
  assert.ok(roundTrip(GSet, ab).equals(ab));
  assert.equal(a.add("p"), a, "adding a present element returns the same value");
});

Deno.test("TwoPhaseSet: a remove wins over the element's adds, everywhere", () => {
  const base = TwoPhaseSet.empty<string>().add("x").add("y");
  const removed = base.remove("x");
  const grown = base.add("z");
  const merged = removed.merge(grown);
  assert.deepEqual(merged.value(), ["y", "z"]);
  assert.ok(merged.wasRemoved("x") && !merged.has("x"));
  assert.deepEqual(merged.toJSON(), { added: ["x", "y", "z"], removed: ["x"] });
  assert.ok(roundTrip(TwoPhaseSet, merged).equals(merged));
  assert.equal(removed.remove("x"), removed, "removing again is a no-op");
});

Deno.test("TwoPhaseSet: re-adding a removed element and removing a never-added one throw", () => {
  const s = TwoPhaseSet.empty<string>().add("x").remove("x");
  assert.throws(() => s.add("x"), {
    name: "CrdtError",
    message: /"x" was removed, and a 2P-Set never re-adds a removed element/,
  });
  assert.throws(() => s.remove("nope"), { name: "CrdtError", message: /"nope" was never added/ });
  // The removal also forbids the re-add at a replica that learns of it by merge.
  const other = TwoPhaseSet.empty<string>().add("x");
  assert.throws(() => other.merge(s).add("x"), CrdtError);
  assert.throws(
    () => TwoPhaseSet.fromJSON({ added: [], removed: ["x"] }),
    /TwoPhaseSet.removed: expected only elements that were added/,
  );
});

// --- Last-writer-wins ----------------------------------------------------------

Deno.test("LwwRegister: the later timestamp wins, node id breaks a tie in time", () => {
  const r = LwwRegister.empty<string>();
  assert.equal(r.value(), undefined);
  assert.equal(r.toJSON(), null);
  const early = r.set({ time: 10, node: "b" }, "early");
  const late = r.set({ time: 11, node: "a" }, "late");
  assert.equal(early.merge(late).value(), "late");
  assert.equal(late.merge(early).value(), "late");
  const tieA = r.set({ time: 5, node: "a" }, "from a");
  const tieB = r.set({ time: 5, node: "b" }, "from b");
  assert.equal(tieA.merge(tieB).value(), "from b");
  // A write with an older timestamp loses, even locally: as if it arrived late.
  assert.equal(late.set({ time: 3, node: "a" }, "stale").value(), "late");
  assert.deepEqual(late.timestamp, { time: 11, node: "a" });
  assert.ok(roundTrip(LwwRegister, late).equals(late));
  assert.throws(() => r.set({ time: Number.NaN, node: "a" }, "x"), /time must be a finite number/);
});

Deno.test("LwwRegister: with clock skew, the write that happened last can lose", () => {
  // b's clock runs 100 ms behind: its write happens after a's in real time,
  // yet carries the smaller timestamp.
  const a = LwwRegister.empty<string>().set({ time: 1_000, node: "a" }, "first");
  const b = a.set({ time: 950, node: "b" }, "second");
  assert.equal(b.value(), "first");
});

Deno.test("LwwElementSet: a concurrent add loses to a later remove, under either bias", () => {
  for (const bias of ["add", "remove"] as const) {
    const base = LwwElementSet.empty<string>(bias).add({ time: 1, node: "a" }, "x");
    const added = base.add({ time: 5, node: "a" }, "y");
    const removed = base.remove({ time: 6, node: "b" }, "y");
    assert.deepEqual(added.merge(removed).value(), ["x"], `${bias}-bias`);
    assert.deepEqual(removed.merge(added).value(), ["x"], `${bias}-bias`);
    // And the add that is later wins over the remove.
    const readded = added.merge(removed).add({ time: 7, node: "c" }, "y");
    assert.deepEqual(readded.value(), ["x", "y"], `${bias}-bias`);
  }
});

Deno.test("LwwElementSet: at equal times the bias decides", () => {
  const run = (bias: "add" | "remove") =>
    LwwElementSet.empty<string>(bias)
      .add({ time: 5, node: "a" }, "x")
      .merge(LwwElementSet.empty<string>(bias).remove({ time: 5, node: "b" }, "x"));
  assert.deepEqual(run("add").value(), ["x"]);
  assert.deepEqual(run("remove").value(), []);
  assert.equal(run("add").bias, "add");
});

Deno.test("LwwElementSet: a remove may come before its add; merging biases is an error", () => {
  const s = LwwElementSet.empty<string>("add").remove({ time: 4, node: "a" }, "x");
  assert.deepEqual(s.add({ time: 3, node: "b" }, "x").value(), []);
  assert.deepEqual(s.add({ time: 5, node: "b" }, "x").value(), ["x"]);
  assert.deepEqual(s.timestamps("x"), { add: undefined, remove: { time: 4, node: "a" } });
  assert.throws(() => s.merge(LwwElementSet.empty("remove")), {
    name: "CrdtError",
    message: /different biases \(this one add-biased, the other remove-biased\)/,
  });
  const t = s.add({ time: 9, node: "c" }, "y");
  assert.deepEqual(t.toJSON(), { bias: "add", adds: [["y", 9, "c"]], removes: [["x", 4, "a"]] });
  assert.ok(roundTrip(LwwElementSet, t).equals(t));
  assert.throws(() => LwwElementSet.fromJSON({ ...t.toJSON(), bias: "both" }), /bias/);
});

// --- OR-Set ------------------------------------------------------------------

Deno.test("OrSet: a concurrent add survives a remove (add wins)", () => {
  const base = OrSet.empty<string>().add("a", "milk");
  const removed = base.remove("milk");
  const readded = base.add("c", "milk");
  assert.deepEqual(removed.value(), []);
  assert.deepEqual(removed.merge(readded).value(), ["milk"]);
  assert.deepEqual(readded.merge(removed).value(), ["milk"]);
  // Only the concurrent add's dot survives; the observed one is gone.
  assert.deepEqual(removed.merge(readded).dots("milk"), [["c", 1]]);
});

Deno.test("OrSet: remove removes what it observed, and re-adding after a remove works", () => {
  const s = OrSet.empty<string>().add("a", "x").add("b", "x").add("a", "y");
  assert.equal(s.dots("x").length, 1, "a re-add at b supersedes the observed dot");
  const r = s.remove("x");
  assert.deepEqual(r.value(), ["y"]);
  assert.equal(r.remove("absent"), r, "removing an absent element is a no-op");
  assert.deepEqual(r.add("a", "x").value(), ["x", "y"]);
});

Deno.test("OrSet: no tombstones, only the causal context", () => {
  const s = OrSet.empty<string>().addAll("a", ["x", "y", "z"]).remove("x").remove("y");
  assert.deepEqual(s.toJSON(), { context: { vv: { a: 3 } }, entries: [["z", [["a", 3]]]] });
  assert.ok(roundTrip(OrSet, s).equals(s));
  assert.throws(
    () => OrSet.fromJSON({ context: { vv: {} }, entries: [["z", [["a", 3]]]] }),
    /expected a dot the context has seen/,
  );
});

Deno.test("OrSet: deltas may arrive out of order and still converge", () => {
  // a adds x (dot a1), adds y (dot a2), then removes x; a receiver gets the
  // deltas in the order: add y, add x, remove x.
  const a0 = OrSet.empty<string>();
  const addX = a0.addDelta("a", "x");
  const a1 = a0.merge(addX);
  const addY = a1.addDelta("a", "y");
  const a2 = a1.merge(addY);
  const removeX = a2.removeDelta("x");
  const a3 = a2.merge(removeX);

  let receiver = OrSet.empty<string>().merge(addY);
  // A bare version vector would now read {a: 2} and claim dot a1 seen, and the
  // add of x arriving next would be taken for an add already removed.
  assert.deepEqual(receiver.context.toJSON(), { vv: {}, cloud: [["a", 2]] });
  receiver = receiver.merge(addX);
  assert.deepEqual(receiver.value(), ["x", "y"]);
  assert.deepEqual(receiver.context.toJSON(), { vv: { a: 2 } });
  receiver = receiver.merge(removeX);
  assert.deepEqual(receiver.value(), ["y"]);
  assert.ok(receiver.equals(a3));
  assert.deepEqual(removeX.toJSON(), { context: { vv: { a: 1 } }, entries: [] });
});

Deno.test("OrSet: op-based add and remove commute when concurrent", () => {
  const base = OrSet.empty<string>().add("a", "x");
  const add = base.prepareAdd("b", "x");
  const remove = base.prepareRemove("x");
  const one = base.apply(add).apply(remove);
  const two = base.apply(remove).apply(add);
  assert.ok(one.equals(two));
  assert.deepEqual(one.value(), ["x"]);
  assert.deepEqual(add, { type: "add", element: "x", dot: ["b", 1], observed: [["a", 1]] });
  assert.throws(
    () => base.apply({ type: "remove", element: "x", observed: [["a", 0]] }),
    TypeError,
  );
});

// --- MV-Register --------------------------------------------------------------

Deno.test("MvRegister: concurrent writes both survive; a write that saw them replaces them", () => {
  const a = MvRegister.empty<string>().set("a", "red");
  const b = MvRegister.empty<string>().set("b", "blue");
  const both = a.merge(b);
  assert.deepEqual(both.value(), ["blue", "red"]);
  assert.deepEqual(both.toJSON(), [["blue", { b: 1 }], ["red", { a: 1 }]]);
  const resolved = both.set("c", "purple");
  assert.deepEqual(resolved.value(), ["purple"]);
  assert.deepEqual(resolved.toJSON(), [["purple", { a: 1, b: 1, c: 1 }]]);
  // The resolution wins over the values it saw, whichever way round they merge.
  assert.deepEqual(a.merge(resolved).value(), ["purple"]);
  assert.deepEqual(resolved.merge(b).value(), ["purple"]);
  // But not over a write it did not see.
  const late = b.set("b", "green");
  assert.deepEqual(resolved.merge(late).value(), ["green", "purple"]);
  assert.ok(roundTrip(MvRegister, resolved.merge(late)).equals(resolved.merge(late)));
});

Deno.test("MvRegister: the same value written concurrently shows once", () => {
  const x = MvRegister.empty<string>().set("a", "x").merge(
    MvRegister.empty<string>().set("b", "x"),
  );
  assert.deepEqual(x.value(), ["x"]);
  assert.equal(x.writes().length, 2);
});

// --- RGA -----------------------------------------------------------------------

Deno.test("Rga: insert and delete at visible positions", () => {
  let doc = Rga.empty().insert("alice", 0, "helo");
  doc = doc.insert("alice", 3, "l");
  assert.equal(doc.text(), "hello");
  doc = doc.insert("alice", 5, " world").delete(0, 1).insert("alice", 0, "H");
  assert.equal(doc.text(), "Hello world");
  assert.equal(doc.length, 11);
  assert.equal(doc.delete(5, 6).value(), "Hello");
  assert.equal(doc.delete(3, 0), doc);
  assert.ok(roundTrip(Rga, doc).equals(doc));
  assert.equal(roundTrip(Rga, doc).text(), "Hello world");
});

Deno.test("Rga: concurrent inserts at one position come out in one order everywhere", () => {
  const base = Rga.empty().insert("alice", 0, "ab");
  const alice = base.insert("alice", 1, "X");
  const bob = base.insert("bob", 1, "Y");
  const carol = base.insert("carol", 1, "Z");
  const orders = [
    alice.merge(bob).merge(carol),
    carol.merge(alice).merge(bob),
    bob.merge(carol).merge(alice),
  ].map((d) => d.text());
  // Equal counters, so the larger replica id goes first.
  assert.deepEqual(orders, ["aZYXb", "aZYXb", "aZYXb"]);
});

Deno.test("Rga: concurrent runs of typing do not interleave", () => {
  const alice = Rga.empty().insert("alice", 0, "abc");
  const bob = Rga.empty().insert("bob", 0, "xyz");
  assert.equal(alice.merge(bob).text(), "xyzabc");
  assert.equal(bob.merge(alice).text(), "xyzabc");
  // An id with a larger counter goes first: bob typed after seeing more.
  const seen = alice.merge(bob).insert("alice", 0, "!");
  assert.equal(seen.text(), "!xyzabc");
});

Deno.test("Rga: an insert after a concurrently deleted character survives", () => {
  const base = Rga.empty().insert("alice", 0, "cat");
  const alice = base.delete(1); // "ct"
  const bob = base.insert("bob", 2, "r"); // "cart"
  assert.equal(alice.merge(bob).text(), "crt");
  assert.equal(bob.merge(alice).text(), "crt");
});

Deno.test("Rga: op-based, with duplicates ignored and causal order required", () => {
  const base = Rga.empty().insert("alice", 0, "hi");
  const ins = base.prepareInsert("bob", 2, "!");
  const del = base.prepareDelete(0);
  assert.deepEqual(ins, { type: "insert", id: [3, "bob"], after: [2, "alice"], char: "!" });
  const one = base.apply(ins).apply(del);
  const two = base.apply(del).apply(ins).apply(ins);
  assert.ok(one.equals(two));
  assert.equal(one.text(), "i!");
  const orphan: RgaOp = { type: "insert", id: [9, "carol"], after: [8, "carol"], char: "?" };
  assert.throws(() => base.apply(orphan), { name: "CrdtError", message: /has not seen/ });
  assert.throws(() => base.apply({ type: "delete", id: [7, "x"] }), CrdtError);
  const clash: RgaOp = { type: "insert", id: [1, "alice"], after: null, char: "j" };
  assert.throws(() => base.apply(clash), /already used/);
});

Deno.test("Rga: characters are code points, and bad positions are RangeErrors", () => {
  const doc = Rga.empty().insert("a", 0, "😀x");
  assert.equal(doc.length, 2);
  assert.equal(doc.delete(0).text(), "x");
  assert.throws(() => doc.insert("a", 3, "y"), {
    name: "RangeError",
    message: /index 3 is out of range 0\.\.2/,
  });
  assert.throws(
    () => doc.delete(1, 2),
    /cannot delete 2 characters at index 1 from a text of length 2/,
  );
  assert.throws(() => Rga.empty().idAt(0), /the text is empty/);
  assert.throws(() => doc.prepareInsert("a", 0, "ab"), /is not one character/);
});

Deno.test("Rga: a long run of typing is a deep chain, read without recursion", () => {
  let doc = Rga.empty();
  for (let i = 0; i < 200; i++) doc = doc.insert("a", doc.length, "x".repeat(100));
  assert.equal(doc.length, 20_000);
  // Rebuilding from JSON forces the document order to be computed from scratch.
  assert.equal(roundTrip(Rga, doc).text(), doc.text());
});

Deno.test("Rga.fromJSON rejects anchors and tombstones of unknown ids", () => {
  assert.throws(
    () => Rga.fromJSON({ elements: [[[2, "a"], [1, "a"], "x"]], deleted: [] }),
    /an element with id 1@a/,
  );
  assert.throws(
    () => Rga.fromJSON({ elements: [], deleted: [[1, "a"]] }),
    /Rga\.deleted\[0\]: expected the id of an element/,
  );
});
