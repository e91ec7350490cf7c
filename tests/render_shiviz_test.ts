import assert from "node:assert/strict";
import { scenarios } from "../protocols/registry.ts";
import { Causality, PROCESS_KINDS } from "../sim/causality.ts";
import { runCli } from "../sim/cli.ts";
import {
  renderShiviz,
  SHIVIZ_REGEX,
  type VectorClock,
  vectorClocks,
} from "../sim/render/shiviz.ts";
import { clientServer, faultyGossip } from "./_render_runs.ts";

/** a <= b entry-wise and a != b: the vector-clock order. */
function before(a: VectorClock, b: VectorClock): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  let less = false;
  for (const k of keys) {
    const x = a[k] ?? 0, y = b[k] ?? 0;
    if (x > y) return false;
    if (x < y) less = true;
  }
  return less;
}

Deno.test("shiviz clocks order events exactly as happens-before does", () => {
  for (const events of [faultyGossip(3).sim.trace.events, clientServer()]) {
    const clocks = vectorClocks(events);
    const truth = Causality.fromTrace(events);
    const steps = truth.events();
    assert.ok(steps.length > 15, `${steps.length} steps`);
    for (const i of steps) {
      assert.deepEqual(new Map(Object.entries(clocks[i]!)), truth.pastCounts(i), `event ${i}`);
    }
    // Every pair among a spread of events: clock order is happens-before, both ways.
    const sample = steps.filter((_, k) => k % 7 === 0);
    for (const a of sample) {
      for (const b of sample) {
        assert.equal(before(clocks[a]!, clocks[b]!), truth.happensBefore(a, b), `${a} vs ${b}`);
      }
    }
    events.forEach((e, i) => assert.equal(clocks[i] !== undefined, PROCESS_KINDS.has(e.kind)));
  }
});

Deno.test("a delivery's clock follows its send's, duplicates included", () => {
  const events = faultyGossip(3).sim.trace.events;
  const clocks = vectorClocks(events);
  const sendAt = new Map<number, number>();
  const copyOf = new Map<number, number>();
  let copies = 0;
  events.forEach((e, i) => {
    if (e.kind === "send") sendAt.set(e.id, i);
    if (e.kind === "duplicate") copyOf.set(e.copy, e.id);
    if (e.kind !== "deliver") return;
    const original = copyOf.get(e.id);
    if (original !== undefined) copies++;
    const send = sendAt.get(original ?? e.id)!;
    assert.ok(before(clocks[send]!, clocks[i]!), `send ${send} before delivery ${i}`);
  });
  assert.ok(copies > 0, "the run delivers duplicate copies");
});

Deno.test("the log is what ShiViz parses: regex line, delimiter line, two lines per event", () => {
  const events = clientServer();
  const log = renderShiviz(events);
  const lines = log.split("\n");
  assert.equal(lines[0], SHIVIZ_REGEX);
  assert.equal(lines[1], "");
  assert.equal(lines.at(-1), "");
  const body = lines.slice(2, -1);
  const steps = events.filter((e) => PROCESS_KINDS.has(e.kind));
  assert.equal(body.length, 2 * steps.length);
  // ShiViz's own regex, as JavaScript reads it, over the whole log.
  const re = new RegExp(SHIVIZ_REGEX, "g");
  const matches = [...body.join("\n").matchAll(re)];
  assert.equal(matches.length, steps.length);
  const own = new Map<string, number>();
  matches.forEach((m, k) => {
    const { event, host, clock } = m.groups!;
    const e = steps[k] as { node: string; t: number };
    assert.equal(host, e.node);
    assert.ok(event.startsWith(e.t.toFixed(3) + " "), event);
    const c = JSON.parse(clock) as VectorClock;
    // Each host's own entry starts at 1 and goes up by one per event.
    assert.equal(c[host], (own.get(host) ?? 0) + 1);
    own.set(host, c[host]);
  });
  // A message body with a closing tag and quotes stays on its line.
  assert.ok(body.some((l) => l.includes('send #0 -> server  {"type":"put","op":1,"value":"v1')));
});

Deno.test("sim run --out x.shiviz.log writes the log", async () => {
  const dir = Deno.makeTempDirSync();
  try {
    const path = `${dir}/run.shiviz.log`;
    const io = { stdout: () => {}, stderr: () => {} };
    assert.equal(
      await runCli(scenarios, ["run", "ping-pong", "--seed", "3", "--out", path], io),
      0,
    );
    const lines = Deno.readTextFileSync(path).split("\n");
    assert.equal(lines[0], SHIVIZ_REGEX);
    assert.equal(lines[2], "0.000 start");
    assert.equal(lines[3], 'n1 {"n1":1}');
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
