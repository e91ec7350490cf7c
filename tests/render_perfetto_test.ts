import assert from "node:assert/strict";
import { scenarios } from "../protocols/registry.ts";
import { runCli } from "../sim/cli.ts";
import { messageSpans, traceNodes } from "../sim/render/messages.ts";
import { type ChromeTraceEvent, renderPerfetto, toChromeTrace } from "../sim/render/perfetto.ts";
import type { TraceEvent } from "../sim/trace.ts";
import { clientServer, faultyGossip } from "./_render_runs.ts";

/** Checks what Perfetto and chrome://tracing need of a trace-event file. */
function checkStructure(events: TraceEvent[], endMs?: number): ChromeTraceEvent[] {
  const parsed = JSON.parse(renderPerfetto(events, { title: "t", endMs }));
  assert.equal(parsed.displayTimeUnit, "ms");
  const out = parsed.traceEvents as ChromeTraceEvent[];
  assert.ok(Array.isArray(out));
  for (const e of out) {
    assert.equal(typeof e.name, "string");
    assert.ok(["X", "i", "s", "f", "b", "e", "M"].includes(e.ph), e.ph);
    assert.ok(Number.isFinite(e.ts) && e.ts >= 0, JSON.stringify(e));
    assert.equal(e.pid, 1);
    assert.ok(Number.isInteger(e.tid) && e.tid >= 0);
    if (e.ph === "X") assert.ok(Number.isFinite(e.dur) && e.dur! >= 0, JSON.stringify(e));
    if (e.ph === "i") assert.ok(e.s === "t" || e.s === "g");
  }
  return out;
}

function tidsByNode(out: ChromeTraceEvent[]): Map<string, number> {
  const names = out.filter((e) => e.ph === "M" && e.name === "thread_name");
  return new Map(names.map((e) => [String(e.args!.name), e.tid]));
}

Deno.test("perfetto: one named track per node, in order", () => {
  const events = faultyGossip().sim.trace.events;
  const out = checkStructure(events);
  const tids = tidsByNode(out);
  assert.deepEqual([...tids.keys()], traceNodes(events));
  assert.equal(new Set(tids.values()).size, tids.size, "one tid each");
  const sort = out.filter((e) => e.name === "thread_sort_index");
  assert.deepEqual(sort.map((e) => e.args!.sort_index), [...tids.keys()].map((_, i) => i));
  assert.equal(out.find((e) => e.name === "process_name")?.args?.name, "t");
});

Deno.test("perfetto: a flow from each send to its delivery, inside the right slices", () => {
  const events = faultyGossip().sim.trace.events;
  const out = checkStructure(events);
  const tids = tidsByNode(out);
  const spans = messageSpans(events);
  const delivered = spans.filter((m) => m.fate === "delivered");
  assert.ok(delivered.some((m) => m.copyOf !== undefined), "the run has delivered duplicates");
  const starts = out.filter((e) => e.ph === "s"), ends = out.filter((e) => e.ph === "f");
  assert.equal(starts.length, delivered.length);
  assert.equal(ends.length, delivered.length);
  const slices = out.filter((e) => e.ph === "X");
  const inside = (ts: number, tid: number, name: RegExp) =>
    slices.filter((x) => x.tid === tid && x.ts <= ts && ts <= x.ts + x.dur! && name.test(x.name));
  for (const m of delivered) {
    const s = starts.filter((e) => e.id === m.id), f = ends.filter((e) => e.id === m.id);
    assert.equal(s.length, 1, `one start for #${m.id}`);
    assert.equal(f.length, 1, `one end for #${m.id}`);
    assert.equal(s[0].tid, tids.get(m.from));
    assert.equal(f[0].tid, tids.get(m.to));
    assert.equal(f[0].bp, "e");
    assert.equal(s[0].cat, f[0].cat);
    assert.ok(f[0].ts >= s[0].ts);
    assert.ok(Math.abs(s[0].ts - m.sentAt * 1000) < 1 && Math.abs(f[0].ts - m.endAt! * 1000) < 1);
    assert.equal(inside(s[0].ts, s[0].tid, /^send /).length, 1, `#${m.id} starts in its send`);
    assert.equal(inside(f[0].ts, f[0].tid, / <- /).length, 1, `#${m.id} ends in its delivery`);
  }
});

Deno.test("perfetto: slices on a track nest, and down time shows", () => {
  const run = faultyGossip();
  const events = run.sim.trace.events;
  const out = checkStructure(events, run.virtualMs);
  const tids = tidsByNode(out);
  const byTid = new Map<number, ChromeTraceEvent[]>();
  for (const x of out.filter((e) => e.ph === "X")) {
    byTid.set(x.tid, [...byTid.get(x.tid) ?? [], x]);
  }
  for (const [tid, xs] of byTid) {
    for (const a of xs) {
      for (const b of xs) {
        if (a === b) continue;
        const [a0, a1, b0, b1] = [a.ts, a.ts + a.dur!, b.ts, b.ts + b.dur!];
        const disjoint = a1 <= b0 || b1 <= a0;
        const nested = (a0 <= b0 && b1 <= a1) || (b0 <= a0 && a1 <= b1);
        assert.ok(disjoint || nested, `tid ${tid}: ${a.name} and ${b.name} overlap`);
      }
    }
  }
  const crashed = out.filter((e) => e.name === "crashed");
  assert.deepEqual(
    crashed.map((e) => [e.tid, Math.round(e.ts / 1000), Math.round((e.ts + e.dur!) / 1000)]),
    [[tids.get("n2"), 40, 120], [tids.get("n5"), 380, 400]],
  );
  const paused = out.filter((e) => e.name === "paused");
  assert.equal(paused.length, 1);
  assert.equal(paused[0].tid, tids.get("n4"));
  const global = out.filter((e) => e.ph === "i" && e.s === "g").map((e) => e.name);
  assert.deepEqual(global, ["partition n1,n2 | n3,n4,n5", "heal"]);
  const drops = out.filter((e) => e.cat === "drop");
  assert.equal(drops.length, events.filter((e) => e.kind === "drop").length);
});

Deno.test("perfetto: client operations are async slices; violations are instants", () => {
  const events = clientServer();
  const out = checkStructure(events);
  const begins = out.filter((e) => e.ph === "b"), ends = out.filter((e) => e.ph === "e");
  assert.equal(begins.length, 3);
  assert.equal(ends.length, 2, "the third write never completes");
  for (const e of ends) {
    const b = begins.find((x) => x.id === e.id)!;
    assert.equal(b.name, e.name);
    assert.ok(b.ts <= e.ts);
  }
  const violation = out.find((e) => e.cat === "violation")!;
  assert.equal(violation.name, "VIOLATION at-most-two-writes");
  assert.equal(violation.tid, tidsByNode(out).get("client"));
  // Message bodies are kept as data in the slices' args.
  const send = out.find((e) => e.ph === "X" && e.name === "send put -> server")!;
  assert.deepEqual(send.args!.msg, { type: "put", op: 1, value: 'v1 </script><b>"&' });
});

Deno.test("perfetto: an empty trace is a valid file", () => {
  const t = toChromeTrace([]);
  assert.deepEqual(t.traceEvents.map((e) => e.name), ["process_name"]);
});

Deno.test("sim run --out x.perfetto.json writes the trace-event file", async () => {
  const dir = Deno.makeTempDirSync();
  try {
    const path = `${dir}/run.perfetto.json`;
    const io = { stdout: () => {}, stderr: () => {} };
    assert.equal(
      await runCli(scenarios, ["run", "ping-pong", "--seed", "3", "--out", path], io),
      0,
    );
    const file = JSON.parse(Deno.readTextFileSync(path));
    assert.equal(file.displayTimeUnit, "ms");
    assert.equal(file.otherData.replay, "deno task sim run ping-pong --seed 3");
    const threads = (file.traceEvents as ChromeTraceEvent[]).filter((e) =>
      e.name === "thread_name"
    );
    assert.deepEqual(threads.map((e) => e.args!.name), ["n1", "n2"]);
    assert.ok(file.traceEvents.some((e: ChromeTraceEvent) => e.ph === "s"));
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
