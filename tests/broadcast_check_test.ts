import assert from "node:assert/strict";
import type { TraceEvent } from "../sim/trace.ts";
import {
  appEvents,
  checkAgreement,
  checkBroadcast,
  checkCausal,
  checkFifo,
  checkIntegrity,
  checkTotalOrder,
  deliveryOrders,
} from "../protocols/broadcast/check.ts";

/**
 * A trace written as one line per application event: `"n1 b n1#1"` is a
 * broadcast by n1, `"n2 d n1#1"` a delivery at n2. Payloads are the ids.
 */
function trace(...lines: string[]): TraceEvent[] {
  return lines.map((line, t) => {
    const [node, kind, id] = line.split(" ");
    const origin = id.split("#")[0];
    return {
      t,
      kind: "log",
      node,
      note: kind === "b" ? "broadcast" : "deliver",
      data: { protocol: "reliable", id, origin, payload: id },
    };
  });
}

const checks = (violations: { check: string }[]) => violations.map((v) => v.check);

Deno.test("appEvents reads only well-formed broadcast and deliver notes, in trace order", () => {
  const events: TraceEvent[] = [
    ...trace("n1 b n1#1", "n1 d n1#1"),
    { t: 5, kind: "log", node: "n1", note: "deliver" },
    { t: 6, kind: "log", node: "n1", note: "clock", data: { id: "x" } },
    { t: 7, kind: "deliver", node: "n2", from: "n1", id: 3, msg: {} },
  ];
  const app = appEvents(events);
  assert.deepEqual(app.map((e) => `${e.node} ${e.kind} ${e.id} @${e.index}`), [
    "n1 broadcast n1#1 @0",
    "n1 deliver n1#1 @1",
  ]);
  assert.deepEqual(Object.fromEntries(deliveryOrders(events)), { n1: ["n1#1"] });
});

Deno.test("integrity: duplicates, made-up messages and altered payloads are caught", () => {
  assert.deepEqual(checkIntegrity(trace("n1 b n1#1", "n1 d n1#1", "n2 d n1#1")), []);
  const dup = checkIntegrity(trace("n1 b n1#1", "n2 d n1#1", "n2 d n1#1"));
  assert.match(dup[0].message, /n2 delivered n1#1 twice/);
  const madeUp = checkIntegrity(trace("n2 d n1#7"));
  assert.match(madeUp[0].message, /n1#7, never broadcast/);
  const altered: TraceEvent[] = [
    ...trace("n1 b n1#1"),
    {
      t: 9,
      kind: "log",
      node: "n2",
      note: "deliver",
      data: { protocol: "reliable", id: "n1#1", origin: "n1", payload: "forged" },
    },
  ];
  assert.match(checkIntegrity(altered)[0].message, /payload "forged", but n1 broadcast "n1#1"/);
});

Deno.test("agreement: every listed node must deliver every broadcast message", () => {
  const events = trace("n1 b n1#1", "n1 d n1#1", "n2 d n1#1", "n2 b n2#1", "n2 d n2#1");
  assert.deepEqual(checkAgreement(events, ["n2"]), []);
  const v = checkAgreement(events, ["n1", "n2", "n3"]);
  assert.deepEqual(v.map((x) => x.message), [
    "n1 never delivered n2#1",
    "n3 never delivered n1#1, n2#1",
  ]);
});

Deno.test("FIFO: one sender's messages out of order or with a gap are caught", () => {
  const ok = trace("n1 b n1#1", "n1 b n1#2", "n2 b n2#1", "n3 d n2#1", "n3 d n1#1", "n3 d n1#2");
  assert.deepEqual(checkFifo(ok), []);
  const swapped = trace("n1 b n1#1", "n1 b n1#2", "n3 d n1#2", "n3 d n1#1");
  assert.deepEqual(checkFifo(swapped).map((v) => v.message), [
    "n3 delivered n1#2 before n1#1, which n1 broadcast first",
  ]);
  const gap = trace("n1 b n1#1", "n1 b n1#2", "n3 d n1#2");
  assert.equal(checks(checkFifo(gap)).length, 1);
});

Deno.test("causal: a delivery before something its broadcast depended on is caught, also through a third node", () => {
  // n1 posts m1; n2 delivers it and posts m2; n3 delivers m2 and posts m3.
  const chain = ["n1 b n1#1", "n1 d n1#1", "n2 d n1#1", "n2 b n2#1", "n2 d n2#1"];
  const ok = [...chain, "n3 d n1#1", "n3 d n2#1", "n3 b n3#1", "n3 d n3#1"];
  assert.deepEqual(checkCausal(trace(...ok, "n4 d n1#1", "n4 d n2#1", "n4 d n3#1")), []);
  const direct = checkCausal(trace(...ok, "n4 d n2#1", "n4 d n1#1"));
  assert.deepEqual(direct.map((v) => v.message), [
    'n4 delivered n2#1 "n2#1", and only after it n1#1 "n1#1", ' +
    "though broadcasting n1#1 happened before broadcasting n2#1",
  ]);
  // Here n3 has not delivered m1 when it posts m3, so m1 -> m3 only through
  // n2: n4 delivering m3 before m1 is still a violation (and so is n3's own order).
  const transitive = [...chain, "n3 d n2#1", "n3 b n3#1", "n3 d n3#1", "n3 d n1#1"];
  const v = checkCausal(trace(...transitive, "n4 d n3#1", "n4 d n1#1", "n4 d n2#1"));
  assert.deepEqual(v.map((x) => x.node).sort(), ["n3", "n4"]);
  assert.match(
    v.find((x) => x.node === "n4")!.message,
    /^n4 delivered n3#1 "n3#1", and only after it n1#1/,
  );
  // Concurrent messages may come in any order.
  const concurrent = trace(
    "n1 b n1#1",
    "n2 b n2#1",
    "n3 d n2#1",
    "n3 d n1#1",
    "n4 d n1#1",
    "n4 d n2#1",
  );
  assert.deepEqual(checkCausal(concurrent), []);
  // A delivered message is not a dependency until the application has it:
  // n2 broadcast before delivering n1#1, so n2#1 does not depend on it.
  const notYet = trace("n1 b n1#1", "n2 b n2#1", "n2 d n1#1", "n3 d n2#1", "n3 d n1#1");
  assert.deepEqual(checkCausal(notYet), []);
  // Never delivering a dependency counts too.
  assert.match(checkCausal(trace(...chain, "n3 d n2#1"))[0].message, /and never n1#1/);
});

Deno.test("total order: two nodes delivering shared messages in different orders are caught", () => {
  const same = trace(
    "n1 b n1#1",
    "n2 b n2#1",
    "n1 d n2#1",
    "n1 d n1#1",
    "n2 d n2#1",
    "n2 d n1#1",
    "n3 d n1#1",
  );
  assert.deepEqual(checkTotalOrder(same), []);
  const differ = trace(
    "n1 b n1#1",
    "n2 b n2#1",
    "n1 d n1#1",
    "n1 d n2#1",
    "n2 d n2#1",
    "n2 d n1#1",
  );
  assert.deepEqual(checkTotalOrder(differ).map((v) => v.message), [
    "n1 delivered n1#1 before n2#1, but n2 delivered n2#1 before n1#1",
  ]);
});

Deno.test("checkBroadcast runs exactly the checkers of the guarantees asked for", () => {
  const events = trace("n1 b n1#1", "n1 b n1#2", "n1 d n1#2", "n1 d n1#1");
  assert.deepEqual(checkBroadcast(events, ["integrity"], ["n1"]), []);
  assert.deepEqual(checks(checkBroadcast(events, ["integrity", "fifo", "causal"], ["n1"])), [
    "fifo-order",
    "causal-order",
  ]);
  assert.deepEqual(checks(checkBroadcast(events, ["agreement"], ["n1", "n2"])), [
    "broadcast-agreement",
  ]);
});
