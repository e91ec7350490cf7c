/**
 * A space-time (Lamport) diagram of a trace, drawn in the terminal.
 *
 * One column per node, time flowing down, one row per trace event with its
 * global virtual time in the left margin. A delivered message is an arrow
 * from the sender's column to the receiver's, drawn on the row where it
 * arrives; a dropped one is a dashed arrow ending in `✗` and the reason.
 * Crashes, restarts, pauses, timers, log notes and client operations are
 * marks on the node's lifeline; partitions, heals and violations cross the
 * whole width.
 *
 * ```text
 *       ms │ n1                                          n2
 * ─────────┼──────────────────────────────────────────────────────────────
 *    9.087 │ ├─────────────── ping n=1 #0 ───────────────▶
 *          │ │                                           ● pong n=1 #1 → n1
 *   15.983 │ ◀─────────────── pong n=1 #1 ───────────────┤
 *          │ ├╌╌╌╌╌╌╌╌╌╌╌╌╌╌ ping n=2 #2 ╌╌╌╌╌╌╌╌╌╌╌╌╌╌✗ │ loss
 *   40.000 │ │                                           X CRASH
 * ```
 *
 * Only single-width characters are used (box drawing and a few geometric
 * shapes, no emoji), so columns line up in any terminal; text that comes
 * from messages is cleaned of control and double-width characters for the
 * same reason.
 *
 * @module
 */

import { styleText } from "node:util";
import type { NodeId, OpId } from "../../actors/mod.ts";
import { ConfigError } from "../errors.ts";
import type { TraceEvent, TraceKind } from "../trace.ts";

/**
 * Which operations and messages to draw attention to (for example a
 * linearizability counterexample).
 *
 * @example
 * ```ts
 * import { type DiagramHighlight, renderDiagram } from "./diagram.ts";
 * import assert from "node:assert/strict";
 * const h: DiagramHighlight = { messages: new Set([0]) };
 * const text = renderDiagram([
 *   { t: 0, kind: "send", node: "n1", to: "n2", id: 0, msg: { type: "ping" } },
 *   { t: 3, kind: "deliver", node: "n2", from: "n1", id: 0, msg: { type: "ping" } },
 * ], { highlight: h, legend: false });
 * assert.match(text, /^\* 3 │ ├─+ ping #0/m); // marked rows start with `*`
 * ```
 */
export interface DiagramHighlight {
  /** Client operation ids: their invoke and complete rows are marked. */
  ops?: Iterable<OpId>;
  /** Message ids: their send, delivery, drop and duplicate rows are marked. */
  messages?: Iterable<number>;
}

/**
 * How to draw a diagram.
 *
 * @example
 * ```ts
 * import { type DiagramOptions, renderDiagram } from "./diagram.ts";
 * import assert from "node:assert/strict";
 * const o: DiagramOptions = { width: 40, kinds: ["deliver"], legend: false };
 * const text = renderDiagram([
 *   { t: 0, kind: "send", node: "n1", to: "n2", id: 0, msg: { type: "ping" } },
 *   { t: 3, kind: "deliver", node: "n2", from: "n1", id: 0, msg: { type: "ping" } },
 * ], o);
 * assert.equal(text.split("\n").length, 3); // header, rule, the delivery
 * assert.ok(text.split("\n").every((line) => line.length <= 40));
 * ```
 */
export interface DiagramOptions {
  /** Terminal columns every line fits in (default 100, at least 40). */
  width?: number;
  /** ANSI colour through `styleText` (default false; see {@linkcode shouldColor}). */
  color?: boolean;
  /** Which nodes get a column, in this order (default: every node, in order of appearance). */
  nodes?: readonly NodeId[];
  /** Draw only events at or after this global time, ms. */
  from?: number;
  /** Draw only events at or before this global time, ms. */
  to?: number;
  /** Rows to draw at most (default 200); a footer counts the rest. */
  maxRows?: number;
  /**
   * Draw the last `maxRows` events of the window instead of the first (a
   * failed run's diagram that ends at its violation); a footer counts the
   * earlier ones and says how to see them.
   */
  last?: boolean;
  /** Draw only events of these kinds (default: all). */
  kinds?: readonly TraceKind[];
  /** A message's label (default: its `type` and short fields, e.g. `ping n=3`). */
  label?: (msg: unknown) => string;
  /** Operations and messages to mark. */
  highlight?: DiagramHighlight;
  /** A legend of the marks under the diagram (default true). */
  legend?: boolean;
  /**
   * Extra text beside an event's row, for example the logical clock a
   * protocol gave it: after the text of a mark, beyond the head of an arrow.
   */
  annotate?: (event: TraceEvent) => string | undefined;
}

/** Narrowest column: a lifeline and room for a three-letter id. */
const MIN_COLUMN = 4;
const MIN_WIDTH = 40;

type NodeState = "absent" | "up" | "paused" | "crashed";
const LIFELINE: Record<NodeState, string> = {
  absent: " ",
  up: "│",
  paused: "┆",
  crashed: ":",
};

type Format = Parameters<typeof styleText>[0];
type StyleName =
  | "margin"
  | "header"
  | "life"
  | "down"
  | "timer"
  | "log"
  | "up"
  | "crash"
  | "drop"
  | "dup"
  | "cut"
  | "heal"
  | "violation"
  | "op"
  | "clock"
  | "footer"
  | `msg${number}`;

const STYLES: Record<string, Format> = {
  margin: "dim",
  header: "bold",
  life: "dim",
  down: ["dim", "red"],
  timer: "yellow",
  log: "dim",
  up: ["bold", "green"],
  crash: ["bold", "red"],
  drop: "red",
  dup: "yellow",
  cut: ["bold", "yellow"],
  heal: ["bold", "green"],
  violation: ["bold", "red", "inverse"],
  op: ["bold", "white"],
  clock: "blue",
  footer: "dim",
};
/** Message types get colours from this palette, so a reader can follow one kind of message. */
const PALETTE: Format[] = [
  "cyan",
  "magenta",
  "green",
  "blue",
  "cyanBright",
  "magentaBright",
  "greenBright",
  "blueBright",
];
for (let i = 0; i < PALETTE.length; i++) STYLES[`msg${i}`] = PALETTE[i];

/** One line of the diagram: a fixed number of single-width cells with styles. */
class Line {
  readonly chars: string[];
  readonly styles: (string | undefined)[];

  constructor(readonly width: number) {
    this.chars = new Array(width).fill(" ");
    this.styles = new Array(width).fill(undefined);
  }

  /** Writes `text` (already cleaned) from `x`, cutting what falls outside [lo, hi). */
  put(x: number, text: string, style?: string, lo = 0, hi = this.width): void {
    let i = x;
    for (const ch of text) {
      if (i >= lo && i < hi) {
        this.chars[i] = ch;
        this.styles[i] = style;
      }
      i++;
    }
  }

  render(color: boolean): string {
    let out = "";
    let run = "";
    let runStyle: string | undefined;
    const flush = () => {
      if (run === "") return;
      out += color && runStyle !== undefined ? paint(runStyle, run) : run;
      run = "";
    };
    for (let i = 0; i < this.width; i++) {
      if (this.styles[i] !== runStyle) {
        flush();
        runStyle = this.styles[i];
      }
      run += this.chars[i];
    }
    flush();
    return out.trimEnd();
  }
}

function paint(style: string, text: string): string {
  const hi = style.endsWith("!");
  const base = STYLES[hi ? style.slice(0, -1) : style];
  const format = hi ? [...(Array.isArray(base) ? base : [base]), "inverse"] as Format : base;
  // validateStream off: whether to colour is the caller's decision (shouldColor()).
  return styleText(format, text, { validateStream: false });
}

/**
 * Whether the diagram should be coloured: stdout is a terminal and `NO_COLOR`
 * is not set. Without permission to read the environment, no colour (and no
 * permission prompt).
 *
 * @example
 * ```ts
 * import { renderDiagram, shouldColor } from "./diagram.ts";
 * import assert from "node:assert/strict";
 * const text = renderDiagram([{ t: 0, kind: "start", node: "n1" }], { color: shouldColor() });
 * assert.equal(typeof shouldColor(), "boolean");
 * assert.match(text, /n1/);
 * ```
 */
export function shouldColor(): boolean {
  try {
    const permission = Deno.permissions.querySync({ name: "env", variable: "NO_COLOR" });
    if (permission.state !== "granted") return false;
    const noColor = Deno.env.get("NO_COLOR");
    if (noColor !== undefined && noColor !== "") return false;
    return Deno.stdout.isTerminal();
  } catch {
    return false;
  }
}

/**
 * The width of `text` on a terminal, ignoring ANSI escape codes (counts code
 * points; the diagram uses only single-width ones).
 *
 * @example
 * ```ts
 * import { visibleWidth } from "./diagram.ts";
 * import assert from "node:assert/strict";
 * assert.equal(visibleWidth("\x1b[31mn1 ├──▶\x1b[39m"), 7);
 * ```
 */
export function visibleWidth(text: string): number {
  // deno-lint-ignore no-control-regex
  return [...text.replace(/\x1b\[[0-9;]*m/g, "")].length;
}

/**
 * `text` made safe for a fixed-width grid: control characters become spaces
 * and double-width or zero-width characters become `?`.
 */
function clean(text: string): string {
  let out = "";
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) out += " ";
    else if (isOddWidth(cp)) out += "?";
    else out += ch;
  }
  return out;
}

function isOddWidth(cp: number): boolean {
  return (cp >= 0x0300 && cp <= 0x036f) || // combining marks
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x200b && cp <= 0x200f) ||
    (cp >= 0x2600 && cp <= 0x27bf) || // symbols and dingbats, many drawn as emoji
    (cp >= 0x2e80 && cp <= 0xa4cf) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe00 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    cp >= 0x1f000;
}

function clip(text: string, room: number): string {
  const cps = [...text];
  if (room <= 0) return "";
  return cps.length <= room ? text : cps.slice(0, room - 1).join("") + "…";
}

function len(text: string): number {
  return [...text].length;
}

/** A value in a few characters: `3`, `r1`, `[r1,r2]`, `{k=v}`. */
function short(v: unknown, depth = 0): string {
  if (v === undefined) return "-";
  if (v === null || typeof v === "number" || typeof v === "boolean") return String(v);
  if (typeof v === "string") return /^[\w.:@/+-]{1,24}$/.test(v) ? v : JSON.stringify(v);
  if (typeof v !== "object") return String(v);
  if (depth >= 2) return Array.isArray(v) ? "[…]" : "{…}";
  if (Array.isArray(v)) {
    const items = v.slice(0, 6).map((x) => short(x, depth + 1));
    return `[${items.join(",")}${v.length > 6 ? ",…" : ""}]`;
  }
  const entries = Object.entries(v as Record<string, unknown>);
  const items = entries.slice(0, 4).map(([k, x]) => `${k}=${short(x, depth + 1)}`);
  return `{${items.join(",")}${entries.length > 4 ? ",…" : ""}}`;
}

/**
 * Labels for a message from longest to shortest; the diagram uses the first
 * that fits: `ping n=3`, then `ping 3`, then `ping`.
 */
function labelCandidates(msg: unknown, custom?: (msg: unknown) => string): string[] {
  if (custom) return [clean(custom(msg))];
  if (msg !== null && typeof msg === "object" && !Array.isArray(msg)) {
    const { type, ...rest } = msg as Record<string, unknown>;
    if (typeof type === "string") {
      const fields = Object.entries(rest);
      if (fields.length === 0) return [clean(type)];
      return [
        clean(`${type} ${fields.map(([k, v]) => `${k}=${short(v)}`).join(" ")}`),
        clean(`${type} ${fields.map(([, v]) => short(v)).join(" ")}`),
        clean(type),
      ];
    }
  }
  return [clean(short(msg))];
}

/** The first of `candidates` (each tried with the suffixes) that fits in `room`, else clipped. */
function fit(candidates: string[], suffixes: string[], room: number): string {
  for (const c of candidates) {
    for (const s of suffixes) {
      const text = s === "" ? c : `${c} ${s}`;
      if (len(text) <= room) return text;
    }
  }
  return clip(candidates[candidates.length - 1], room);
}

function typeOf(msg: unknown): string {
  if (msg !== null && typeof msg === "object" && "type" in msg) {
    return String((msg as { type: unknown }).type);
  }
  return typeof msg;
}

interface MessageInfo {
  msg: unknown;
  /** For a duplicate: the id of the message it copies. */
  copyOf?: number;
}

/**
 * Draws `events` as a space-time diagram, one line per row, every line at
 * most `width` columns wide.
 *
 * @example
 * ```ts
 * import { renderDiagram } from "./diagram.ts";
 * import assert from "node:assert/strict";
 * const text = renderDiagram([
 *   { t: 0, kind: "send", node: "n1", to: "n2", id: 0, msg: { type: "ping" } },
 *   { t: 3, kind: "deliver", node: "n2", from: "n1", id: 0, msg: { type: "ping" } },
 * ], { width: 40, legend: false });
 * assert.equal(
 *   text,
 *   [
 *     " ms │ n1               n2",
 *     "────┼───────────────────────────────────",
 *     "  0 │ ● ping #0 → n2   │",
 *     "  3 │ ├─── ping #0 ────▶",
 *   ].join("\n"),
 * );
 * ```
 */
export function renderDiagram(
  events: readonly TraceEvent[],
  options: DiagramOptions = {},
): string {
  const width = options.width ?? 100;
  if (!Number.isInteger(width) || width < MIN_WIDTH) {
    throw new ConfigError("width", `must be a whole number >= ${MIN_WIDTH}, got ${width}`);
  }
  const maxRows = options.maxRows ?? 200;
  if (!Number.isInteger(maxRows) || maxRows < 1) {
    throw new ConfigError("maxRows", `must be a whole number >= 1, got ${maxRows}`);
  }
  const from = options.from ?? -Infinity;
  const to = options.to ?? Infinity;
  if (Number.isNaN(from) || Number.isNaN(to) || from > to) {
    throw new ConfigError("from/to", `need from <= to, got from ${from}, to ${to}`);
  }
  const color = options.color ?? false;
  const kinds = options.kinds ? new Set<TraceKind>(options.kinds) : undefined;
  const hiOps = new Set(options.highlight?.ops ?? []);
  const hiMsgs = new Set(options.highlight?.messages ?? []);

  // What the rows need to know ahead: messages by id (a drop has no body),
  // operations by id (a completion has no name), and the nodes in the trace.
  const messages = new Map<number, MessageInfo>();
  const operations = new Map<OpId, string>();
  const seen: NodeId[] = [];
  const seenSet = new Set<NodeId>();
  const started = new Set<NodeId>();
  const note = (id: NodeId | undefined) => {
    if (id !== undefined && !seenSet.has(id)) {
      seenSet.add(id);
      seen.push(id);
    }
  };
  for (const e of events) {
    switch (e.kind) {
      case "send":
        messages.set(e.id, { msg: e.msg });
        note(e.node);
        note(e.to);
        break;
      case "duplicate":
        messages.set(e.copy, { msg: messages.get(e.id)?.msg, copyOf: e.id });
        note(e.node);
        note(e.to);
        break;
      case "deliver":
        if (!messages.has(e.id)) messages.set(e.id, { msg: e.msg });
        note(e.from);
        note(e.node);
        break;
      case "drop":
        note(e.from);
        note(e.to);
        break;
      case "partition":
        e.groups.flat().forEach(note);
        break;
      case "block":
      case "unblock":
        note(e.from);
        note(e.to);
        break;
      case "heal":
        break;
      case "violation":
        note(e.node);
        break;
      case "invoke":
        operations.set(e.op, `${e.f}(${e.input === undefined ? "" : short(e.input)})`);
        note(e.node);
        break;
      case "start":
        if (!seenSet.has(e.node)) started.add(e.node);
        note(e.node);
        break;
      default:
        note(e.node);
    }
  }

  const wanted = options.nodes ?? seen;
  for (const id of wanted) {
    if (!seenSet.has(id)) {
      throw new ConfigError(
        "nodes",
        `node ${JSON.stringify(id)} is not in the trace; it has ${seen.join(", ") || "no nodes"}`,
      );
    }
  }

  const inWindow = (e: TraceEvent) => e.t >= from && e.t <= to;
  const decimals = events.every((e) => !inWindow(e) || Number.isInteger(e.t)) ? 0 : 3;
  const fmtTime = (t: number) => t.toFixed(decimals);
  let timeWidth = 2;
  for (const e of events) if (inWindow(e)) timeWidth = Math.max(timeWidth, fmtTime(e.t).length);
  // "*" or "!" mark, the time, " │ ".
  const margin = 1 + timeWidth + 3;
  const area = width - margin;
  const fitting = Math.max(1, Math.floor(area / MIN_COLUMN));
  const columns = wanted.slice(0, fitting);
  const hidden = wanted.slice(fitting);
  const colWidth = Math.floor(area / Math.max(1, columns.length));
  const xOf = new Map<NodeId, number>(columns.map((id, i) => [id, margin + i * colWidth]));

  const state = new Map<NodeId, NodeState>(
    seen.map((id) => [id, started.has(id) ? "absent" : "up"]),
  );
  const msgStyle = new Map<string, string>();
  const styleFor = (msg: unknown): string => {
    const type = typeOf(msg);
    let s = msgStyle.get(type);
    if (s === undefined) {
      s = `msg${msgStyle.size % PALETTE.length}`;
      msgStyle.set(type, s);
    }
    return s;
  };

  const lines: string[] = [];
  // Header: node ids over their lifelines.
  {
    const head = new Line(width);
    head.put(1, "ms".padStart(timeWidth), "margin");
    head.put(margin - 2, "│", "margin");
    for (const id of columns) head.put(xOf.get(id)!, clip(id, colWidth - 1), "header");
    lines.push(head.render(color));
    const rule = new Line(width);
    rule.put(0, "─".repeat(width), "margin");
    rule.put(margin - 2, "┼", "margin");
    lines.push(rule.render(color));
  }

  let rows = 0;
  let more = 0;
  let lastTime: string | undefined;
  let firstHiddenTime: number | undefined;
  let earlier = 0;
  let earlierFrom = 0, earlierTo = 0;

  /** A fresh row with the margin and every lifeline as it stands. */
  const row = (e: TraceEvent, mark: " " | "*" | "!"): Line => {
    const line = new Line(width);
    const time = fmtTime(e.t);
    line.put(0, mark, mark === " " ? undefined : (mark === "!" ? "violation" : "op"));
    if (time !== lastTime) line.put(1, time.padStart(timeWidth), "margin");
    lastTime = time;
    line.put(margin - 2, "│", "margin");
    for (const id of columns) {
      const s = state.get(id)!;
      line.put(
        xOf.get(id)!,
        LIFELINE[s],
        s === "crashed" ? "down" : s === "absent" ? undefined : "life",
      );
    }
    return line;
  };

  /** The `annotate` text of the event being drawn. */
  let annotation: string | undefined;

  /** A mark on a node's lifeline with text beside it, right if it fits, else left. */
  const local = (line: Line, node: NodeId, mark: string, text: string, style: string) => {
    const x = xOf.get(node)!;
    line.put(x, mark, style);
    const right = width - (x + 2);
    const left = x - 1 - margin;
    const t = clean(annotation === undefined ? text : `${text}  ${annotation}`);
    if (len(t) <= right || right >= left) line.put(x + 2, clip(t, right), style);
    else {
      const c = clip(t, left);
      line.put(x - 1 - len(c), c, style);
    }
  };

  /**
   * An arrow from the sender's lifeline at `s` to `end.at` with a label in
   * the middle; `r` is the receiver's lifeline, beyond which the reason for a
   * drop goes.
   */
  const arrow = (
    line: Line,
    s: number,
    r: number,
    labels: string[],
    suffixes: string[],
    end: { mark: string; at: number; after?: string },
    dashed: boolean,
    style: string,
  ) => {
    if (annotation !== undefined) {
      end = { ...end, after: end.after === undefined ? annotation : `${end.after} ${annotation}` };
    }
    const lo = Math.min(s, end.at), hi = Math.max(s, end.at);
    line.put(lo, (dashed ? "╌" : "─").repeat(hi - lo + 1), style);
    line.put(s, s < r ? "├" : "┤", style);
    line.put(end.at, end.mark, style);
    // The reason goes beyond the receiver if there is room there, else into the label.
    let extra = "";
    if (end.after !== undefined) {
      const n = len(end.after);
      const right = Math.max(s, r) + 2, left = Math.min(s, r) - 1 - n;
      // Beyond the receiver reads best; beyond the sender will do.
      const [first, second] = s < r ? [right, left] : [left, right];
      const fits = (x: number) => x >= margin && x + n <= width;
      if (fits(first)) line.put(first, end.after, style);
      else if (fits(second)) line.put(second, end.after, style);
      else extra = `${end.mark} ${end.after}`;
    }
    const room = hi - lo - 5; // a dash and a space on each side, and the end mark
    if (room >= 1) {
      const all = extra === ""
        ? suffixes
        : suffixes.map((x) => (x === "" ? extra : `${x} ${extra}`));
      const text = fit(labels, all, room);
      const mid = lo + 2 + Math.floor((room - len(text)) / 2);
      line.put(mid, ` ${text} `, style);
    }
  };

  const shown = (id: NodeId | undefined) => id !== undefined && xOf.has(id);

  const draw = (e: TraceEvent): Line => {
    switch (e.kind) {
      case "start":
      case "restart": {
        const line = row(e, " ");
        local(line, e.node, "┬", e.kind, "up");
        return line;
      }
      case "crash": {
        const line = row(e, " ");
        local(line, e.node, "X", "CRASH", "crash");
        return line;
      }
      case "pause":
      case "resume": {
        const line = row(e, " ");
        local(line, e.node, e.kind === "pause" ? "┆" : "│", e.kind, "crash");
        return line;
      }
      case "disconnect":
      case "reconnect": {
        const line = row(e, " ");
        const text = e.kind === "disconnect" ? "disconnected: every link cut" : "reconnected";
        local(line, e.node, e.kind === "disconnect" ? "╳" : "│", text, "cut");
        return line;
      }
      case "send": {
        const hi = hiMsgs.has(e.id);
        const line = row(e, hi ? "*" : " ");
        const label = fit(labelCandidates(e.msg, options.label), [`#${e.id}`], 40);
        const self = e.to === e.node ? " (to itself)" : "";
        local(line, e.node, "●", `${label} → ${e.to}${self}`, styleFor(e.msg) + (hi ? "!" : ""));
        return line;
      }
      case "duplicate": {
        const hi = hiMsgs.has(e.id) || hiMsgs.has(e.copy);
        const line = row(e, hi ? "*" : " ");
        local(line, e.node, "+", `#${e.id} → ${e.to} duplicated as #${e.copy}`, "dup");
        return line;
      }
      case "deliver": {
        const info = messages.get(e.id);
        const hi = hiMsgs.has(e.id) || (info?.copyOf !== undefined && hiMsgs.has(info.copyOf));
        const line = row(e, hi ? "*" : " ");
        const style = styleFor(e.msg) + (hi ? "!" : "");
        const labels = labelCandidates(e.msg, options.label);
        const dup = info?.copyOf !== undefined;
        if (!shown(e.from) || e.from === e.node) {
          const who = e.from === e.node ? "itself" : e.from;
          const label = fit(
            labels,
            dup ? [`#${e.id} dup of #${info.copyOf}`, "dup"] : [`#${e.id}`, ""],
            40,
          );
          local(line, e.node, "▶", `${label} from ${who}`, style);
        } else {
          const s = xOf.get(e.from)!, r = xOf.get(e.node)!;
          arrow(
            line,
            s,
            r,
            labels,
            // A copy keeps its "dup" mark however short the arrow.
            dup ? [`#${e.id} dup of #${info.copyOf}`, `#${e.id} dup`, "dup"] : [`#${e.id}`, ""],
            { mark: s < r ? "▶" : "◀", at: r },
            false,
            style,
          );
        }
        return line;
      }
      case "drop": {
        const info = messages.get(e.id);
        const hi = hiMsgs.has(e.id) || (info?.copyOf !== undefined && hiMsgs.has(info.copyOf));
        const line = row(e, hi ? "*" : " ");
        const style = "drop" + (hi ? "!" : "");
        const labels = info ? labelCandidates(info.msg, options.label) : ["message"];
        if (shown(e.from) && shown(e.to) && e.from !== e.to) {
          const s = xOf.get(e.from)!, r = xOf.get(e.to)!;
          // Dropped on the way (at the sender's time) stops short of the
          // receiver; dropped on arrival (crashed, full mailbox) reaches it.
          const onTheWay = e.node === e.from;
          arrow(
            line,
            s,
            r,
            labels,
            [`#${e.id}`, ""],
            { mark: "✗", at: onTheWay ? r + (s < r ? -2 : 2) : r, after: e.reason },
            true,
            style,
          );
        } else {
          const at = shown(e.from) ? e.from : e.to;
          const label = fit(labels, [`#${e.id}`, ""], 30);
          const dir = at === e.from ? `→ ${e.to}` : `from ${e.from}`;
          local(line, at, "✗", `${label} ${dir} dropped (${e.reason})`, style);
        }
        return line;
      }
      case "timer": {
        const line = row(e, " ");
        local(line, e.node, "○", `timer ${e.name}`, "timer");
        return line;
      }
      case "log": {
        const line = row(e, " ");
        const data = e.data === undefined ? "" : ` ${short(e.data)}`;
        local(line, e.node, "•", `${e.note}${data}`, "log");
        return line;
      }
      case "clock": {
        const line = row(e, " ");
        const skew = `${e.skew >= 0 ? "+" : ""}${e.skew}`;
        local(line, e.node, "~", `clock skew ${skew} ms, drift ${e.drift}`, "clock");
        return line;
      }
      case "invoke": {
        const hi = hiOps.has(e.op);
        const line = row(e, hi ? "*" : " ");
        local(line, e.node, "◇", `op${e.op} ${operations.get(e.op)}`, "op" + (hi ? "!" : ""));
        return line;
      }
      case "complete": {
        const hi = hiOps.has(e.op);
        const line = row(e, hi ? "*" : " ");
        const out = e.output === undefined ? "" : ` → ${short(e.output)}`;
        const status = e.status === "ok" ? "ok" : e.status === "fail" ? "FAIL" : "info (unknown)";
        const op = operations.get(e.op) ?? "";
        local(line, e.node, "◆", `op${e.op} ${op} ${status}${out}`, "op" + (hi ? "!" : ""));
        return line;
      }
      case "partition":
      case "block":
      case "unblock":
      case "heal": {
        const line = row(e, " ");
        const text = e.kind === "partition"
          ? `partition ${e.groups.map((g) => g.join(",")).join(" | ")}`
          : e.kind === "block"
          ? `block ${e.from} → ${e.to} (one way)`
          : e.kind === "unblock"
          ? `unblock ${e.from} → ${e.to}`
          : "heal: every link restored";
        const restores = e.kind === "heal" || e.kind === "unblock";
        const bar = restores ? "─" : "═";
        const style = restores ? "heal" : "cut";
        line.put(margin, bar.repeat(area), style);
        line.put(margin + 2, ` ${clip(clean(text), area - 6)} `, style);
        return line;
      }
      case "violation": {
        const line = row(e, "!");
        const where = e.node === undefined ? "" : ` at ${e.node}`;
        line.put(margin, " ".repeat(area), "violation");
        line.put(
          margin,
          clip(clean(` VIOLATION ${e.check}${where}: ${e.message}`), area),
          "violation",
        );
        return line;
      }
      default: {
        const never: never = e;
        throw new ConfigError("trace", `unknown event ${JSON.stringify(never)}`);
      }
    }
  };

  const involves = (e: TraceEvent): boolean => {
    switch (e.kind) {
      case "partition":
      case "block":
      case "unblock":
      case "heal":
      case "violation":
        return true;
      case "drop":
        return shown(e.from) || shown(e.to);
      default:
        return shown(e.node);
    }
  };

  /** A row another row already says: a send dropped at once, a start right after a restart. */
  const redundant = (e: TraceEvent, i: number): boolean => {
    const prev = events[i - 1], next = events[i + 1];
    if (e.kind === "send" && next?.kind === "drop" && next.id === e.id && next.t === e.t) {
      return kinds === undefined || kinds.has("drop");
    }
    if (e.kind === "start" && prev?.kind === "restart" && prev.node === e.node) {
      return prev.t === e.t && (kinds === undefined || kinds.has("restart"));
    }
    return false;
  };

  const drawable = (e: TraceEvent, i: number) =>
    inWindow(e) && (kinds === undefined || kinds.has(e.kind)) && involves(e) && !redundant(e, i);
  // Lifelines follow every event, drawn or not.
  const follow = (e: TraceEvent) => {
    switch (e.kind) {
      case "start":
      case "restart":
      case "resume":
        state.set(e.node, "up");
        break;
      case "crash":
        state.set(e.node, "crashed");
        break;
      case "pause":
        state.set(e.node, "paused");
        break;
      default:
        break;
    }
  };

  // With `last`, the events before the last maxRows are followed but not drawn.
  let skip = 0;
  if (options.last) {
    for (let i = 0; i < events.length; i++) if (drawable(events[i], i)) skip++;
    skip = Math.max(0, skip - maxRows);
  }

  for (let i = 0; i < events.length; i++) {
    const e = events[i];
    if (!drawable(e, i)) {
      follow(e);
      continue;
    }
    if (earlier < skip) {
      if (earlier === 0) earlierFrom = e.t;
      earlierTo = e.t;
      earlier++;
      follow(e);
      continue;
    }
    if (rows >= maxRows) {
      more++;
      firstHiddenTime ??= e.t;
      follow(e);
      continue;
    }
    if (e.kind === "start") {
      // Nodes spawned together start together: one row, not one per node.
      const group: NodeId[] = [e.node];
      while (i + 1 < events.length) {
        const next = events[i + 1];
        if (next.kind !== "start" || next.t !== e.t || !drawable(next, i + 1)) break;
        group.push(next.node);
        i++;
      }
      const line = row(e, " ");
      for (const id of group.slice(0, -1)) line.put(xOf.get(id)!, "┬", "up");
      const text = group.length === 1 ? "start" : `start (${group.length} nodes)`;
      local(line, group.at(-1)!, "┬", text, "up");
      lines.push(line.render(color));
      for (const id of group) state.set(id, "up");
    } else {
      annotation = options.annotate?.(e);
      if (annotation !== undefined) annotation = clean(annotation);
      lines.push(draw(e).render(color));
      annotation = undefined;
      follow(e);
    }
    rows++;
  }

  const footer: string[] = [];
  if (rows === 0) footer.push("(no events to draw in this window)");
  if (earlier > 0) {
    const how = options.from === undefined ? "--from 0 draws from the start" : "use --from/--to";
    footer.push(
      `… ${earlier} earlier event${earlier === 1 ? "" : "s"} not drawn, ${fmtTime(earlierFrom)} ` +
        `to ${fmtTime(earlierTo)} ms (${how})`,
    );
  }
  if (more > 0) {
    footer.push(
      `… ${more} more event${more === 1 ? "" : "s"} from ${
        fmtTime(firstHiddenTime!)
      } ms (use --from/--to)`,
    );
  }
  if (hidden.length > 0) {
    const names = hidden.length <= 6
      ? hidden.join(", ")
      : `${hidden.slice(0, 5).join(", ")}, … ${hidden.at(-1)}`;
    footer.push(
      `… ${hidden.length} more node${hidden.length === 1 ? "" : "s"} not shown: ${names}`,
      `  (${fitting} columns fit in ${width}; pick which with the nodes option)`,
    );
  }
  if (options.legend ?? true) footer.push(...legend(width));
  for (const text of footer) {
    const line = new Line(width);
    line.put(0, clip(text, width), "footer");
    lines.push(line.render(color));
  }
  return lines.join("\n");
}

const LEGEND = [
  "├──▶ delivered",
  "├╌╌✗ dropped",
  "● send",
  "+ duplicate",
  "○ timer",
  "• log",
  "┬ start",
  "X crash",
  ": down",
  "┆ paused",
  "◇◆ client op",
  "═ partition",
  "* highlighted",
];

/** The legend, wrapped to `width`. */
function legend(width: number): string[] {
  const out: string[] = [];
  let line = "";
  for (const item of LEGEND) {
    const next = line === "" ? item : `${line}   ${item}`;
    if (len(next) > width && line !== "") {
      out.push(line);
      line = item;
    } else line = next;
  }
  if (line !== "") out.push(line);
  return out;
}
