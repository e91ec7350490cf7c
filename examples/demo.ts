/**
 * The guided demo behind `deno task demo`: protocols run under faults, each
 * shown as a space-time diagram with a summary and the one command that
 * replays it. Each protocol adds a section to {@linkcode sections}.
 *
 * Run it directly with `deno run --allow-env examples/demo.ts`.
 *
 * @module
 */

import { styleText } from "node:util";
import { gossip } from "../protocols/gossip/scenario.ts";
import { clocksSection } from "./_clocks_section.ts";
import { clockSyncSection } from "./_clocksync_section.ts";
import { commitSection } from "./_commit_section.ts";
import { paxosSection } from "./_paxos_section.ts";
import { heading } from "./_text.ts";
import { quorumSection } from "./_quorum_section.ts";
import { crdtSection } from "./_crdt_section.ts";
import { raftSection } from "./_raft_section.ts";
import { txnSection } from "./_txn_section.ts";
import { smrSection } from "./_smr_section.ts";
import { spannerSection } from "./_spanner_section.ts";
import { renderDiagram } from "../sim/render/diagram.ts";
import { runScenario, type ScenarioResult } from "../sim/scenario.ts";
import type { TraceEvent, TraceKind } from "../sim/trace.ts";

/**
 * How the demo is drawn.
 *
 * @example
 * ```ts
 * import { demo, type DemoOptions } from "./demo.ts";
 * import assert from "node:assert/strict";
 * const plain: DemoOptions = { color: false, width: 100 };
 * const text = demo(plain);
 * assert.ok(text.split("\n").every((line) => [...line].length <= 100));
 * assert.ok(!text.includes("\x1b[")); // no colour
 * ```
 */
export interface DemoOptions {
  /** ANSI colours (default false). */
  color?: boolean;
  /** Columns to fit (default 100). */
  width?: number;
}

/** One part of the tour: a protocol run, explained. */
type Section = (options: Required<DemoOptions>) => string;

/**
 * Gossip over five nodes that lose messages, crash and get partitioned, yet
 * every node ends up knowing every rumour.
 */
function gossipSection({ color, width }: Required<DemoOptions>): string {
  const faults = "@20 crash n3; @40 partition n1,n2|n3,n4,n5; @150 restart n3; @250 heal";
  const result = runScenario(gossip, {
    seed: 1,
    nodes: 5,
    until: 360,
    network: { loss: 0.1 },
    flags: { rumours: 2 },
    faults,
  });
  const events = result.sim.trace.events;
  return [
    heading("Gossip: epidemic broadcast under faults", color, width),
    "Five nodes spread two rumours: r1 starts at n1 at 0 ms, r2 at n2 at 50 ms. A node pushes a",
    "new rumour to 2 random peers for a few rounds, and every 100 ms compares what it knows with",
    "a random peer (anti-entropy). The network loses 10% of messages; n3 crashes at 20 ms and",
    "restarts at 150 ms; a partition cuts {n1,n2} off from {n3,n4,n5} from 40 ms to 250 ms,",
    "so r2 is born inside it. Arrows are deliveries, ✗ marks a drop and why.",
    "",
    renderDiagram(events, { width, color, kinds: DIAGRAM_KINDS }),
    "",
    `When each node learned r2: ${learnedAt(events, "r2")}`,
    ...summary(result, color, width),
  ].join("\n");
}

/** Deliveries, drops and faults tell the story; sends, timers and notes would triple it. */
const DIAGRAM_KINDS: TraceKind[] = [
  "start",
  "deliver",
  "drop",
  "crash",
  "restart",
  "partition",
  "block",
  "heal",
  "violation",
];

/** `n2 50 ms, n1 60 ms, ...` from the gossip nodes' `learned r1,r2` notes. */
function learnedAt(events: readonly TraceEvent[], rumour: string): string {
  const times: string[] = [];
  for (const e of events) {
    if (e.kind === "log" && e.note.startsWith("learned ")) {
      if (e.note.slice(8).split(",").includes(rumour)) {
        times.push(`${e.node} ${Math.round(e.t)} ms`);
      }
    }
  }
  return times.join(", ") || "never";
}

/** The tour, in order; each later protocol appends its own section. */
const sections: Section[] = [
  gossipSection,
  clockSyncSection,
  clocksSection,
  quorumSection,
  smrSection,
  raftSection,
  paxosSection,
  commitSection,
  txnSection,
  crdtSection,
  spannerSection,
];

/**
 * The whole demo as text.
 *
 * @example
 * ```ts
 * import { demo } from "./demo.ts";
 * import assert from "node:assert/strict";
 * assert.ok(demo({ color: false }).includes("replay"));
 * ```
 */
export function demo(options: DemoOptions = {}): string {
  const resolved = { color: options.color ?? false, width: options.width ?? 100 };
  return sections.map((section) => section(resolved)).join("\n\n");
}

function summary(r: ScenarioResult, color: boolean, width: number): string[] {
  const stats = r.sim.stats;
  const verdict = r.ok
    ? "ok: every check passed"
    : `FAILED: ${r.violations.map((v) => `${v.check} (${v.message})`).join("; ")}`;
  return [
    ...r.summary,
    color ? styleText(r.ok ? "green" : "red", verdict, { validateStream: false }) : verdict,
    `${r.events} events, ${r.messages} messages sent, ${stats.dropped} dropped, ` +
    `${stats.duplicated} duplicated`,
    `${r.virtualMs} ms of virtual time, no sleeping: as fast as the machine goes`,
    `trace hash ${r.traceHash}: the same seed gives the same hash, event for event`,
    "replay it (add --diagram to draw it, --json for one line of JSON):",
    ...shellLines(r.replay, width),
  ];
}

/**
 * A command line broken with `\\` continuations so each line fits `width`;
 * it breaks only before a `--flag`, so quoted values stay whole.
 */
function shellLines(command: string, width: number): string[] {
  const words = command.split(/ (?=--)/);
  const lines: string[] = [];
  let line = `  ${words[0]}`;
  for (const word of words.slice(1)) {
    if (line.length + 1 + word.length + 2 > width) {
      lines.push(`${line} \\`);
      line = `    ${word}`;
    } else {
      line += ` ${word}`;
    }
  }
  lines.push(line);
  return lines;
}

if (import.meta.main) {
  const color = Deno.stdout.isTerminal() && !Deno.noColor;
  console.log(demo({ color }));
}
