/**
 * The studio's what-if (sim/studio/what_if.ts, session.ts): each change is
 * made as a choice, and the real simulator's new run parts from the old
 * exactly where the change says it should.
 */

import assert from "node:assert/strict";
import { scenarios } from "../protocols/registry.ts";
import { ChoiceLog } from "../sim/choices.ts";
import { ConfigError } from "../sim/errors.ts";
import { replayTrace } from "../sim/explore/replay.ts";
import { messageSpans } from "../sim/render/messages.ts";
import { runScenario } from "../sim/scenario.ts";
import { StudioSession } from "../sim/studio/session.ts";
import { DROP_LOSS, linkMessageNumber, seedDraw } from "../sim/studio/what_if.ts";
import { loadTrace, saveTrace, traceFileFromResult } from "../sim/trace_file.ts";

const raft = () => new StudioSession({ scenario: scenarios.get("raft"), given: { seed: 1 } });

/** A message sent by a server well into the run and delivered. */
function deliveredMessage(session: StudioSession, after = 200) {
  const events = session.base.result.sim.trace.events;
  const m = messageSpans(events).find((s) =>
    s.sendIndex > after && s.fate === "delivered" && s.copyOf === undefined &&
    s.from.startsWith("n") && s.to.startsWith("n")
  );
  assert.ok(m);
  return m;
}

Deno.test("drop: the new run loses the message at its send, and nothing before differs", () => {
  const session = raft();
  const m = deliveredMessage(session);
  const answer = session.whatIf(0, m.endIndex!, { kind: "drop", message: m.id });
  assert.equal(answer.difference?.index, m.sendIndex + 1);
  assert.deepEqual(answer.difference?.b, {
    t: m.sentAt,
    kind: "drop",
    node: m.from,
    from: m.from,
    to: m.to,
    id: m.id,
    reason: "loss",
  });
  assert.equal(answer.warning, undefined);
  // A loss-free network gets the smallest loss that drops the largest draw.
  assert.equal(answer.run.spec.loss, DROP_LOSS);
  assert.match(answer.run.change!, new RegExp(`drop message #${m.id} `));
});

Deno.test("the what-if run replays from its trace file: spec and draws are the whole change", () => {
  const session = raft();
  const m = deliveredMessage(session);
  const answer = session.whatIf(0, m.sendIndex, { kind: "drop", message: m.id });
  const file = loadTrace(session.traceFile(answer.run.id));
  assert.ok(file.choices !== undefined);
  const again = replayTrace(scenarios.get("raft"), file);
  assert.equal(again.same, true);
});

Deno.test("drop on a lossy link keeps its loss; dropping a duplicate's copy sends no copy", () => {
  const session = new StudioSession({
    scenario: scenarios.get("raft-unreliable"),
    given: { seed: 2 },
  });
  const events = session.base.result.sim.trace.events;
  const spans = messageSpans(events);
  const m = spans.find((s) =>
    s.fate === "delivered" && s.copyOf === undefined && s.sendIndex > 50
  )!;
  const drop = session.whatIf(0, m.sendIndex, { kind: "drop", message: m.id });
  assert.equal(drop.difference?.index, m.sendIndex + 1);
  assert.equal(drop.run.spec.loss, session.base.spec.loss);
  const copy = spans.find((s) => s.copyOf !== undefined && s.sendIndex > 50)!;
  const noCopy = session.whatIf(0, copy.sendIndex, { kind: "drop", message: copy.id });
  // The duplicate event of the original is where the runs part.
  assert.equal(noCopy.difference?.index, copy.sendIndex);
  assert.equal(noCopy.difference?.a?.kind, "duplicate");
  assert.notEqual(noCopy.difference?.b?.kind, "duplicate");
});

Deno.test("delay: the message arrives N ms later, as far as the link's latency reaches", () => {
  const session = raft();
  const events = session.base.result.sim.trace.events;
  // Latency 1..10 ms: one that took at most 5 ms can take 3 more.
  const m = messageSpans(events).find((s) =>
    s.sendIndex > 200 && s.fate === "delivered" && s.copyOf === undefined &&
    s.endAt! - s.sentAt <= 5 && s.from.startsWith("n") && s.to.startsWith("n")
  )!;
  const answer = session.whatIf(0, m.sendIndex, { kind: "delay", message: m.id, ms: 3 });
  const after = answer.run.result.sim.trace.events;
  const delivered = after.find((e) => e.kind === "deliver" && e.id === m.id)!;
  assert.ok(Math.abs(delivered.t - (m.endAt! + 3)) <= 0.002, `${delivered.t} vs ${m.endAt! + 3}`);
  assert.ok(answer.difference!.index > m.sendIndex && answer.difference!.index <= m.endIndex!);
  assert.match(answer.run.change!, /by 3 ms/);
  const far = session.whatIf(0, m.sendIndex, { kind: "delay", message: m.id, ms: 100 });
  assert.match(far.run.change!, /the most the link's latency allows/);
});

Deno.test("crash here: the fault goes 1 µs after the event, after everything at its instant", () => {
  const session = raft();
  const events = session.base.result.sim.trace.events;
  const at = events.findIndex((e, i) => i > 300 && e.kind === "deliver" && e.node === "n2");
  const t = events[at].t;
  const answer = session.whatIf(0, at, { kind: "crash", node: "n2" });
  const d = answer.difference!;
  const when = Math.round((t + 0.001) * 1000) / 1000;
  assert.deepEqual(d.b, { t: when, kind: "crash", node: "n2" });
  assert.equal(d.index, events.filter((e) => e.t <= t).length);
  assert.ok(answer.run.spec.faults.endsWith(`@${when} crash n2`), answer.run.spec.faults);
});

Deno.test("heal now, restart now; what cannot be a choice is refused with the reason", () => {
  const session = raft();
  const events = session.base.result.sim.trace.events;
  const cut = events.findIndex((e) => e.kind === "partition");
  const heal = session.whatIf(0, cut + 1, { kind: "heal" });
  assert.equal(heal.difference?.b?.kind, "heal");
  const crash = events.findIndex((e) => e.kind === "crash");
  const node = (events[crash] as { node: string }).node;
  const restart = session.whatIf(0, crash, { kind: "restart", node });
  assert.deepEqual(restart.difference?.b, {
    t: Math.round((events[crash].t + 0.001) * 1000) / 1000,
    kind: "restart",
    node,
  });
  // The restart the schedule had for it later moved to now.
  assert.match(restart.run.change!, /instead of @/);
  const running = ["n1", "n2", "n3", "n4", "n5"].find((n) => n !== node)!;
  assert.throws(
    () => session.whatIf(0, crash, { kind: "restart", node: running }),
    (e) => e instanceof ConfigError && /crash it before restarting it/.test(e.message),
  );
  const figure8 = new StudioSession({
    scenario: scenarios.get("raft-figure8"),
    given: { flags: { "unsafe-commit": true } },
  });
  const m = messageSpans(figure8.base.result.sim.trace.events)[3];
  assert.throws(
    () => figure8.whatIf(0, m.sendIndex, { kind: "delay", message: m.id, ms: 5 }),
    /fixed latency: no draw sets it/,
  );
});

Deno.test("a what-if of a what-if branches from the branch", () => {
  const session = raft();
  const m = deliveredMessage(session);
  const first = session.whatIf(0, m.sendIndex, { kind: "drop", message: m.id });
  const later = messageSpans(first.run.result.sim.trace.events).find((s) =>
    s.sendIndex > m.sendIndex + 50 && s.fate === "delivered" && s.from.startsWith("n")
  )!;
  const second = session.whatIf(first.run.id, later.sendIndex, { kind: "drop", message: later.id });
  assert.equal(second.run.parent, first.run.id);
  assert.equal(second.difference?.index, later.sendIndex + 1);
  // The first change is still in the second run.
  const dropped = second.run.result.sim.trace.events[m.sendIndex + 1];
  assert.equal(dropped.kind === "drop" && dropped.id === m.id, true);
});

Deno.test("a run never made and a run let go are told apart; the first run is always kept", () => {
  const session = new StudioSession({ scenario: scenarios.get("raft"), given: { seed: 1 } }, {
    maxRuns: 2,
  });
  const m = deliveredMessage(session);
  const first = session.whatIf(0, m.sendIndex, { kind: "drop", message: m.id });
  const second = session.whatIf(0, m.sendIndex, { kind: "delay", message: m.id, ms: 1 });
  assert.deepEqual([first.run.id, second.run.id], [1, 2]);
  assert.throws(
    () => session.page(1),
    /run 1 is not kept any more \(the first run and the last 1 are\)/,
  );
  assert.throws(() => session.page(3), /there is no run 3: the runs so far are 0 to 2/);
  assert.throws(() => session.whatIf(-1, 0, { kind: "heal" }), /there is no run -1/);
  assert.match(session.page(0), /<html/);
  assert.match(session.page(2), /<html/);
});

Deno.test("a saved run with draws of its own: edits past its streams use the seed's draws", () => {
  // A run replayed from an edited choice log, saved as a shrunk run is.
  const scenario = scenarios.get("raft");
  const log = new ChoiceLog();
  log.set("net:n5>n1", [0, 0, 0, 0, 0, 0, 0xffffffff]);
  const saved = runScenario(scenario, { seed: 1 }, { choices: { log, mode: "replay" } });
  const file = loadTrace(saveTrace(traceFileFromResult(saved)));
  const session = new StudioSession({ scenario, file });
  assert.equal(session.base.result.traceHash, file.traceHash);
  assert.equal(session.base.warning, undefined);
  // A message of a link the log does not hold, and one far past n5>n1's seven draws.
  const events = session.base.result.sim.trace.events;
  const spans = messageSpans(events).filter((s) =>
    s.fate === "delivered" && s.copyOf === undefined
  );
  const elsewhere = spans.find((s) =>
    s.sendIndex > 300 && s.from.startsWith("n") && !(s.from === "n5" && s.to === "n1")
  )!;
  const late = spans.filter((s) => s.from === "n5" && s.to === "n1").at(-1)!;
  assert.ok(linkMessageNumber(events, late.sendIndex) >= 2, "past the log's seven draws");
  for (const m of [elsewhere, late]) {
    const link = [m.from, m.to];
    const answer = session.whatIf(0, m.sendIndex, { kind: "drop", message: m.id });
    assert.equal(answer.difference?.index, m.sendIndex + 1, link.join(">"));
  }
});

Deno.test("message k of a link: its sends that reached the network, in order", () => {
  const session = raft();
  const events = session.base.result.sim.trace.events;
  const spans = messageSpans(events).filter((s) => s.from === "n1" && s.to === "n2");
  const counted = spans.filter((s) =>
    !(s.fate === "dropped" && s.reason === "partition" &&
      s.endIndex === s.sendIndex + 1)
  );
  counted.forEach((s, k) => assert.equal(linkMessageNumber(events, s.sendIndex), k));
  // The seed's draw of a link stream is the simulator's own: a log of them replays the same run.
  const log = new ChoiceLog();
  log.set("net:n5>n1", Array.from({ length: 400 }, (_, i) => seedDraw(1, "net:n5>n1", i)));
  const replayed = runScenario(scenarios.get("raft"), { seed: 1 }, {
    choices: { log, mode: "replay" },
  });
  assert.equal(replayed.traceHash, session.base.result.traceHash);
});
