/**
 * The space-time diagram, drawn from real runs: it fits the width, has a
 * column per node, an arrow per delivery at the right columns, and marks
 * every drop, crash, partition and heal the trace has.
 */

import assert from "node:assert/strict";
import { renderDiagram, shouldColor } from "../sim/render/diagram.ts";
import { ConfigError } from "../sim/errors.ts";
import { runScenario } from "../sim/scenario.ts";
import type { TraceEvent } from "../sim/trace.ts";
import { gossip } from "../protocols/gossip/scenario.ts";
import { pingPong } from "../protocols/ping_pong/scenario.ts";

// deno-lint-ignore no-control-regex
const ANSI = /\x1b\[[0-9;]*m/g;
const strip = (s: string) => s.replace(ANSI, "");
/** Terminal width of a line: ANSI codes take no room; each code point takes one column. */
const visible = (s: string) => [...strip(s)].length;

/** Code points a terminal may draw two columns wide, or none. */
function hasOddWidth(s: string): boolean {
  return [...s].some((ch) => {
    const cp = ch.codePointAt(0)!;
    return cp < 0x20 || (cp >= 0x1100 && cp <= 0x115f) || (cp >= 0x2e80 && cp <= 0xa4cf) ||
      (cp >= 0xac00 && cp <= 0xd7a3) || (cp >= 0xfe00 && cp <= 0xfe0f) ||
      (cp >= 0xff00 && cp <= 0xff60) || cp >= 0x1f000 || (cp >= 0x200b && cp <= 0x200f);
  });
}

/** The parts of a diagram drawn without a legend. */
function parse(text: string) {
  const lines = text.split("\n");
  const head = lines[0];
  const margin = lines[1].indexOf("┼") + 2;
  const column = (id: string) => {
    const m = new RegExp(`(?<= )${id.replace(".", "\\.")}(?= |$)`).exec(head);
    return m === null ? -1 : m.index;
  };
  const end = lines.findIndex((l, i) =>
    i >= 2 && (l.startsWith("…") || l.startsWith("(no ") || l.startsWith("├──▶ delivered"))
  );
  const rows = lines.slice(2, end === -1 ? lines.length : end);
  const footer = end === -1 ? [] : lines.slice(end);
  return { lines, head, margin, column, rows, footer };
}

const at = (row: string, x: number) => [...row][x];
const timeOf = (row: string, margin: number) => row.slice(1, margin - 3).trim();

const pp = runScenario(pingPong, {
  seed: 3,
  network: { loss: 0.2 },
  faults: "@40 crash n2; @120 restart n2",
});
const ppEvents = pp.sim.trace.events;

const gs = runScenario(gossip, {
  seed: 3,
  nodes: 5,
  network: { loss: 0.1 },
  faults: "@30 crash n3; @60 partition n1,n2|n4,n5; @200 heal; @250 restart n3",
});
const gsEvents = gs.sim.trace.events;

function count<K extends TraceEvent["kind"]>(
  events: readonly TraceEvent[],
  kind: K,
): Extract<TraceEvent, { kind: K }>[] {
  return events.filter((e): e is Extract<TraceEvent, { kind: K }> => e.kind === kind);
}

Deno.test("ping-pong diagram: columns, arrows, drops, crash and restart", async (t) => {
  const all = renderDiagram(ppEvents, { maxRows: 10000, legend: false });
  const d = parse(all);

  await t.step("every line fits 100 columns and has no wide characters", () => {
    for (const line of d.lines) {
      assert.ok(visible(line) <= 100, `too wide (${visible(line)}): ${line}`);
      assert.ok(!hasOddWidth(line), line);
    }
  });

  await t.step("a column for each node, no footer when everything is drawn", () => {
    assert.ok(d.column("n1") > 0 && d.column("n2") > d.column("n1"), d.head);
    assert.deepEqual(d.footer, []);
  });

  await t.step("one arrow per delivery, from the sender's column to the receiver's", () => {
    const delivers = count(ppEvents, "deliver");
    assert.ok(delivers.length > 10);
    const rows = parse(renderDiagram(ppEvents, { kinds: ["deliver"], legend: false })).rows;
    assert.equal(rows.length, delivers.length);
    rows.forEach((row, i) => {
      const e = delivers[i];
      const s = d.column(e.from), r = d.column(e.node);
      assert.equal(at(row, r), s < r ? "▶" : "◀", row);
      assert.equal(at(row, s), s < r ? "├" : "┤", row);
      assert.ok(row.includes((e.msg as { type: string }).type), row);
      assert.ok(row.includes(`#${e.id}`), row);
    });
  });

  await t.step("every drop is a ✗ with its reason", () => {
    const drops = count(ppEvents, "drop");
    assert.ok(drops.some((e) => e.reason === "loss") && drops.some((e) => e.reason === "crashed"));
    const rows = parse(renderDiagram(ppEvents, { kinds: ["drop"], legend: false })).rows;
    assert.equal(rows.length, drops.length);
    rows.forEach((row, i) => {
      assert.ok(row.includes("✗"), row);
      assert.ok(row.includes(drops[i].reason), row);
    });
  });

  await t.step("the crash, the down lifeline and the restart", () => {
    const x = d.column("n2");
    const crash = d.rows.findIndex((r) => at(r, x) === "X");
    const restart = d.rows.findIndex((r) => at(r, x) === "┬" && r.includes("restart"));
    assert.ok(crash > 0 && restart > crash, `crash row ${crash}, restart row ${restart}`);
    assert.ok(d.rows[crash].includes("CRASH"));
    assert.equal(timeOf(d.rows[crash], d.margin), "40.000");
    const between = d.rows.slice(crash + 1, restart).map((r) => at(r, x));
    assert.ok(between.length > 0 && between.every((c) => c === ":" || c === "✗"), between.join(""));
    assert.ok(d.rows.slice(restart + 1).every((r) => at(r, x) !== ":"));
  });

  await t.step("times in the margin never go backwards", () => {
    const times = d.rows.map((r) => timeOf(r, d.margin)).filter((s) => s !== "").map(Number);
    assert.ok(times.length > 10);
    for (let i = 1; i < times.length; i++) assert.ok(times[i] > times[i - 1], `${times}`);
  });

  await t.step("a custom label", () => {
    const text = renderDiagram(ppEvents, {
      kinds: ["deliver"],
      label: (m) => `<${(m as { type: string; n: number }).type[1]}${(m as { n: number }).n}>`,
    });
    assert.ok(text.includes("<i3>") && text.includes("<o3>"), text);
  });
});

Deno.test("gossip diagram: five columns, loss, crash, partition and heal", async (t) => {
  const d = parse(renderDiagram(gsEvents, { maxRows: 100000, legend: false }));
  const ids = ["n1", "n2", "n3", "n4", "n5"];

  await t.step("fits 100 columns with a column per node, in order", () => {
    for (const line of d.lines) assert.ok(visible(line) <= 100, line);
    const xs = ids.map(d.column);
    assert.ok(xs.every((x, i) => x > 0 && (i === 0 || x > xs[i - 1])), d.head);
  });

  await t.step("partition and heal as full-width lines", () => {
    const cut = d.rows.filter((r) => r.includes("partition n1,n2 | n4,n5"));
    assert.equal(cut.length, count(gsEvents, "partition").length);
    assert.ok(cut[0].includes("═".repeat(20)));
    assert.equal(timeOf(cut[0], d.margin), "60.000");
    const heal = d.rows.filter((r) => r.includes("heal"));
    assert.equal(heal.length, 1);
    assert.equal(timeOf(heal[0], d.margin), "200.000");
  });

  await t.step("every delivery is an arrow between the right columns", () => {
    const delivers = count(gsEvents, "deliver");
    const rows = parse(renderDiagram(gsEvents, { kinds: ["deliver"], maxRows: 100000 })).rows;
    assert.equal(rows.length, delivers.length);
    rows.forEach((row, i) => {
      const s = d.column(delivers[i].from), r = d.column(delivers[i].node);
      assert.equal(at(row, r), s < r ? "▶" : "◀", row);
      assert.equal(at(row, s), s < r ? "├" : "┤", row);
    });
  });

  await t.step("every drop shows its reason, partitions and crashes included", () => {
    const drops = count(gsEvents, "drop");
    const reasons = new Set(drops.map((e) => e.reason));
    assert.ok(reasons.has("loss") && reasons.has("partition") && reasons.has("crashed"));
    const rows = parse(renderDiagram(gsEvents, { kinds: ["drop"], maxRows: 100000 })).rows;
    assert.equal(rows.length, drops.length);
    rows.forEach((row, i) => {
      assert.ok(row.includes("✗") && row.includes(drops[i].reason), row);
    });
  });

  await t.step("the crash of n3 at its column", () => {
    const x = d.column("n3");
    const crash = d.rows.filter((r) => at(r, x) === "X");
    assert.equal(crash.length, 1);
    assert.equal(timeOf(crash[0], d.margin), "30.000");
  });

  await t.step("colour codes only with color: true, and the same text under them", () => {
    const plain = renderDiagram(gsEvents, { maxRows: 80 });
    const colored = renderDiagram(gsEvents, { maxRows: 80, color: true });
    assert.ok(!plain.includes("\x1b["));
    assert.ok(colored.includes("\x1b["));
    assert.equal(strip(colored), plain);
    for (const line of colored.split("\n")) assert.ok(visible(line) <= 100);
  });

  await t.step("a time window", () => {
    const w = parse(renderDiagram(gsEvents, { from: 50, to: 150, maxRows: 100000 }));
    const times = w.rows.map((r) => timeOf(r, w.margin)).filter((s) => s !== "").map(Number);
    const inside = gsEvents.filter((e) => e.t >= 50 && e.t <= 150);
    assert.equal(times[0], inside[0].t);
    assert.equal(times.at(-1), inside.at(-1)!.t);
    assert.ok(times.every((x) => x >= 50 && x <= 150));
  });

  await t.step("maxRows cuts the rows and the footer counts the rest", () => {
    const delivers = count(gsEvents, "deliver").length;
    const w = parse(renderDiagram(gsEvents, { kinds: ["deliver"], maxRows: 10 }));
    assert.equal(w.rows.length, 10);
    assert.ok(w.footer[0].startsWith(`… ${delivers - 10} more events from `), w.footer[0]);
    assert.ok(w.footer[0].includes("--from/--to"));
    assert.equal(parse(renderDiagram(gsEvents, { maxRows: 25 })).rows.length, 25);
  });

  await t.step("nodes picks and orders the columns", () => {
    const text = renderDiagram(gsEvents, { nodes: ["n4", "n2"], maxRows: 100000 });
    const w = parse(text);
    assert.ok(w.column("n4") > 0 && w.column("n2") > w.column("n4"), w.head);
    assert.equal(w.column("n1"), -1);
    for (const line of w.lines) assert.ok(visible(line) <= 100, line);
    // Events of n1 alone (its timers) are left out; its messages to n2 and n4 are not.
    assert.ok(!w.rows.some((r) => r.includes('timer originate {"id":"r1"}')));
    assert.ok(renderDiagram(gsEvents, { maxRows: 100000 }).includes('timer originate {"id":"r1"}'));
    assert.ok(w.rows.some((r) => r.includes("from n1")));
    assert.throws(() => renderDiagram(gsEvents, { nodes: ["n9"] }), ConfigError);
  });

  await t.step("highlighted messages are marked in the margin", () => {
    const target = count(gsEvents, "deliver")[7];
    const w = parse(
      renderDiagram(gsEvents, {
        kinds: ["deliver"],
        maxRows: 100000,
        highlight: { messages: [target.id] },
      }),
    );
    const marked = w.rows.filter((r) => r.startsWith("*"));
    assert.equal(marked.length, 1);
    // The marked row is the target's delivery (a short arrow may leave its #id out of the label).
    assert.ok(marked[0].includes(target.t.toFixed(3)), marked[0]);
  });

  await t.step("the legend", () => {
    const text = renderDiagram(gsEvents, { maxRows: 5 });
    assert.ok(text.includes("├──▶ delivered") && text.includes("X crash"));
  });
});

Deno.test("diagram of many nodes narrows the columns and says what does not fit", () => {
  const run = runScenario(gossip, { seed: 5, nodes: 40, until: 40, network: { loss: 0.1 } });
  for (const width of [40, 60, 100, 140]) {
    const text = renderDiagram(run.sim.trace.events, { width, maxRows: 300 });
    for (const line of text.split("\n")) assert.ok(visible(line) <= width, `${width}: ${line}`);
    const d = parse(text);
    assert.ok(d.column("n1") > 0);
    assert.equal(d.column("n40"), -1);
    assert.ok(d.footer.some((l) => /^… \d+ more nodes not shown: /.test(l)), d.footer.join("\n"));
  }
  const all = runScenario(gossip, { seed: 5, nodes: 20, until: 40 });
  const d = parse(renderDiagram(all.sim.trace.events, { legend: false }));
  assert.ok(d.column("n20") > 0, d.head);
  assert.ok(!d.footer.some((l) => l.includes("nodes not shown")));
});

Deno.test("diagram draws every kind of event, at any width", () => {
  const events: TraceEvent[] = [
    { t: 0, kind: "start", node: "c1" },
    { t: 0, kind: "start", node: "s1" },
    { t: 0, kind: "start", node: "s2" },
    { t: 1, kind: "clock", node: "s2", skew: -5, drift: 0.01 },
    { t: 2, kind: "invoke", node: "c1", op: 0, f: "write", input: 3 },
    { t: 2, kind: "send", node: "c1", to: "s1", id: 0, msg: { type: "write", value: 3 } },
    { t: 2, kind: "duplicate", node: "c1", to: "s1", id: 0, copy: 1 },
    { t: 3, kind: "deliver", node: "s1", from: "c1", id: 0, msg: { type: "write", value: 3 } },
    { t: 4, kind: "deliver", node: "s1", from: "c1", id: 1, msg: { type: "write", value: 3 } },
    { t: 4, kind: "send", node: "s1", to: "s1", id: 2, msg: { type: "note", text: "日本語🙂\n" } },
    { t: 5, kind: "deliver", node: "s1", from: "s1", id: 2, msg: { type: "note", text: "x" } },
    { t: 5, kind: "log", node: "s1", note: "wrote 🙂 3\tok", data: { v: [1, 2, 3] } },
    { t: 6, kind: "pause", node: "s2" },
    { t: 7, kind: "block", from: "s1", to: "s2" },
    { t: 8, kind: "send", node: "s1", to: "s2", id: 3, msg: { type: "ack" } },
    { t: 8, kind: "drop", node: "s1", from: "s1", to: "s2", id: 3, reason: "partition" },
    { t: 9, kind: "resume", node: "s2" },
    { t: 9, kind: "send", node: "s1", to: "c1", id: 4, msg: { type: "ok" } },
    { t: 10, kind: "deliver", node: "c1", from: "s1", id: 4, msg: { type: "ok" } },
    { t: 10, kind: "complete", node: "c1", op: 0, status: "ok", output: undefined },
    { t: 11, kind: "invoke", node: "c1", op: 1, f: "read", input: undefined },
    { t: 12, kind: "send", node: "c1", to: "s2", id: 5, msg: { type: "read" } },
    { t: 12.5, kind: "timer", node: "s2", name: "tick" },
    { t: 13, kind: "drop", node: "s2", from: "c1", to: "s2", id: 5, reason: "mailbox-full" },
    { t: 14, kind: "complete", node: "c1", op: 1, status: "info", output: undefined },
    { t: 15, kind: "crash", node: "s2" },
    { t: 16, kind: "heal" },
    { t: 17, kind: "violation", node: "s1", check: "one-value", message: "read saw 4 and 3" },
  ];
  for (const width of [40, 57, 80, 100, 133]) {
    for (const color of [false, true]) {
      const text = renderDiagram(events, { width, color, highlight: { ops: [1] } });
      for (const line of text.split("\n")) {
        assert.ok(visible(line) <= width, `${width}: ${line}`);
        assert.ok(!hasOddWidth(strip(line)), line);
      }
      if (color) continue;
      const d = parse(text);
      const expectRows = events.length - 2 /* starts share a row */ -
        1; /* send #3 is in its drop */
      assert.equal(d.rows.length, expectRows, text);
      const flagged = d.rows.filter((r) => r.startsWith("*"));
      assert.equal(flagged.length, 2, text);
      assert.ok(flagged.every((r) => r.includes("op1")));
      const violation = d.rows.filter((r) => r.startsWith("!"));
      assert.equal(violation.length, 1);
      assert.ok(violation[0].includes("VIOLATION one-value"), violation[0]);
      for (const word of ["CRASH", "pause", "resume", "timer tick", "block s1 → s2", "heal"]) {
        assert.ok(d.rows.some((r) => r.includes(word)), `${width}: no ${word} in\n${text}`);
      }
      if (width >= 80) {
        for (const word of ["op0 write(3)", "op1 read() info", "duplicated as #1"]) {
          assert.ok(d.rows.some((r) => r.includes(word)), `${width}: no ${word} in\n${text}`);
        }
        assert.ok(d.rows.some((r) => r.includes("mailbox-full")), text);
        // The second delivery of the write is marked as the duplicate it is.
        const writes = d.rows.filter((r) => r.includes("write") && r.includes("▶"));
        assert.equal(writes.length, 2);
        assert.ok(!writes[0].includes("dup") && writes[1].includes("dup"), writes.join("\n"));
      }
      // The paused node's lifeline is dashed while paused (the row after the block).
      const x = d.column("s2");
      const pause = d.rows.findIndex((r) => r.includes("pause"));
      assert.equal(at(d.rows[pause + 2], x), "┆", d.rows[pause + 2]);
    }
  }
});

Deno.test("diagram rejects impossible options, naming them", () => {
  const e: TraceEvent[] = [{ t: 0, kind: "start", node: "n1" }];
  assert.throws(() => renderDiagram(e, { width: 30 }), (err: Error) => {
    return err instanceof ConfigError && err.message.startsWith("width:");
  });
  assert.throws(() => renderDiagram(e, { maxRows: 0 }), /maxRows/);
  assert.throws(() => renderDiagram(e, { from: 10, to: 5 }), /from\/to/);
  assert.match(renderDiagram([], {}), /no events/);
  assert.match(renderDiagram(e, { from: 5 }), /no events/);
});

Deno.test("shouldColor honours NO_COLOR", () => {
  const old = Deno.env.get("NO_COLOR");
  try {
    Deno.env.set("NO_COLOR", "1");
    assert.equal(shouldColor(), false);
    Deno.env.delete("NO_COLOR");
    assert.equal(shouldColor(), Deno.stdout.isTerminal());
  } finally {
    if (old === undefined) Deno.env.delete("NO_COLOR");
    else Deno.env.set("NO_COLOR", old);
  }
});
