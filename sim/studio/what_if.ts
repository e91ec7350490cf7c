/**
 * What if: one change to a run, made the way the simulator makes every
 * choice, so that running it again is the real simulator's answer and not
 * a guess.
 *
 * A message's fate is four draws of its link's stream: message k of link
 * a->b uses draws 4k..4k+3 of stream `net:a>b` (loss, duplicate, latency,
 * the duplicate's latency), where k counts the link's sends that reached
 * the network (a send into a cut link takes no draws). So:
 *
 * - **drop** message k: its loss draw becomes the largest value, which a
 *   lossy link drops; on a link without loss, the run's loss becomes 2^-32,
 *   which drops that largest value and (in practice) nothing else (the
 *   other messages' loss draws, never drawn before, replay as 0: kept).
 *   Dropping a duplicate's copy sets its duplicate draw to 0: no copy;
 * - **delay** message k by N ms: its latency draw becomes the one that
 *   gives its latency + N (as far as the link's latency distribution
 *   reaches; a fixed or custom latency has no draw to change);
 * - **crash** a node here, **restart** it, **heal** the network now: a fault
 *   added to the run's schedule 1 µs after the event (a fault at an instant
 *   goes before the other events of that instant, so this puts it after
 *   the event and everything else at its instant). Restarting now moves the
 *   node's next scheduled restart, if any, to now.
 *
 * The result is a {@linkcode RunChanges}: the run's draws (edited), fault
 * schedule and network, which together replay the changed run anywhere (a
 * trace file holds them all).
 *
 * @module
 */

import type { NodeId } from "../../actors/mod.ts";
import { type ChoiceLog, draw, streamKey } from "../choices.ts";
import { ConfigError } from "../errors.ts";
import { type FaultAction, type FaultSchedule, formatFaults, parseFaults } from "../faults.ts";
import { Link, type LinkConfig, type NetworkOptions } from "../network.ts";
import { type MessageSpan, messageSpans } from "../render/messages.ts";
import type { TraceEvent } from "../trace.ts";

/**
 * One change to a run, from an event of it.
 *
 * @example
 * ```ts
 * import type { WhatIfChange } from "./what_if.ts";
 * import assert from "node:assert/strict";
 * const change: WhatIfChange = { kind: "delay", message: 12, ms: 40 };
 * assert.equal(change.kind, "delay");
 * ```
 */
export type WhatIfChange =
  /** The message (or duplicate copy) with this id is lost. */
  | { kind: "drop"; message: number }
  /** The message (or copy) with this id takes `ms` longer on the wire. */
  | { kind: "delay"; message: number; ms: number }
  /** The node crashes just after the event. */
  | { kind: "crash"; node: NodeId }
  /** The (crashed) node restarts just after the event. */
  | { kind: "restart"; node: NodeId }
  /** Every cut link is restored just after the event (disconnected nodes reconnected). */
  | { kind: "heal" };

/**
 * A run to change: its seed, events, draws, faults and network, and how to
 * find a link's configuration.
 *
 * @example
 * ```ts
 * import type { RunToChange } from "./what_if.ts";
 * import { ChoiceLog } from "../choices.ts";
 * import { DEFAULT_LINK } from "../network.ts";
 * import assert from "node:assert/strict";
 * const run: RunToChange = { seed: 1, events: [], choices: new ChoiceLog(), faults: [],
 *   network: {}, link: () => DEFAULT_LINK };
 * assert.equal(run.seed, 1);
 * ```
 */
export interface RunToChange {
  seed: number;
  /** Every event of the run. */
  events: readonly TraceEvent[];
  /** The draws the run used instead of the seed's (all of them, when recorded). */
  choices: ChoiceLog;
  /** Its fault schedule. */
  faults: FaultSchedule;
  /** Its network options (the scenario's defaults and the command line's). */
  network: NetworkOptions;
  /** The configuration of the link `from` -> `to` in the run. */
  link(from: NodeId, to: NodeId): Readonly<LinkConfig>;
}

/**
 * The changed run: replay it with these draws (mode `replay`), this fault
 * schedule and this network.
 *
 * @example
 * ```ts
 * import type { RunChanges } from "./what_if.ts";
 * import { ChoiceLog } from "../choices.ts";
 * import assert from "node:assert/strict";
 * const r: RunChanges = { choices: new ChoiceLog(), faults: [], network: {}, description: "x" };
 * assert.equal(r.description, "x");
 * ```
 */
export interface RunChanges {
  choices: ChoiceLog;
  faults: FaultSchedule;
  network: NetworkOptions;
  /** The change in words, with what it could do (a delay as long as the link allows). */
  description: string;
  /** The message the change is about, when it is about one. */
  message?: MessageSpan;
}

/** The smallest loss probability that drops the largest draw: 2^-32. */
export const DROP_LOSS: number = 2 ** -32;

/** The largest 32-bit draw: the one a link with any loss drops. */
const LARGEST = 0xffffffff;

/**
 * The changed run for `change` made from event `at` of `run`. Throws a
 * {@linkcode ConfigError} naming why when the change cannot be made by a
 * choice (a message that took no draws, a fixed latency, a fault the
 * schedule refuses).
 *
 * @example
 * ```ts
 * import { planWhatIf } from "./what_if.ts";
 * import { ChoiceLog } from "../choices.ts";
 * import { DEFAULT_LINK } from "../network.ts";
 * import assert from "node:assert/strict";
 * const events = [
 *   { t: 0, kind: "start", node: "a" },
 *   { t: 0, kind: "send", node: "a", to: "b", id: 0, msg: "x" },
 *   { t: 0, kind: "send", node: "a", to: "b", id: 1, msg: "y" },
 *   { t: 4, kind: "deliver", node: "b", from: "a", id: 1, msg: "y" },
 * ] as const;
 * const run = { seed: 1, events, choices: new ChoiceLog(), faults: [], network: {},
 *   link: () => DEFAULT_LINK };
 * const drop = planWhatIf(run, 2, { kind: "drop", message: 1 });
 * assert.equal(drop.choices.get("net:a>b", 4), 0xffffffff); // message 1 of the link: draws 4..7
 * assert.equal(drop.network.loss, 2 ** -32);
 * const crash = planWhatIf(run, 3, { kind: "crash", node: "b" });
 * assert.deepEqual(crash.faults, [{ at: 4.001, action: { type: "crash", node: "b" } }]);
 * ```
 */
export function planWhatIf(run: RunToChange, at: number, change: WhatIfChange): RunChanges {
  const event = run.events[at];
  if (event === undefined) {
    throw new ConfigError("what-if event", `must be 0..${run.events.length - 1}, got ${at}`);
  }
  switch (change.kind) {
    case "drop":
    case "delay":
      return changeMessage(run, change);
    case "crash":
      return addFault(run, event.t, [{ type: "crash", node: change.node }], "crash");
    case "restart": {
      // Restarting now moves the node's next scheduled restart (which would find it running).
      const when = justAfter(event.t);
      const next = run.faults.findIndex((f) =>
        f.at >= when && f.action.type === "restart" && f.action.node === change.node
      );
      const faults = next < 0 ? run.faults : run.faults.filter((_, k) => k !== next);
      const moved = next < 0 ? "" : `, instead of @${run.faults[next].at}`;
      const restart: FaultAction = { type: "restart", node: change.node };
      const plan = addFault({ ...run, faults }, event.t, [restart], "restart");
      return { ...plan, description: plan.description.replace(/\)$/, `${moved})`) };
    }
    case "heal": {
      const actions: FaultAction[] = [{ type: "heal" }];
      for (const node of disconnectedAt(run.events, at)) actions.push({ type: "reconnect", node });
      return addFault(run, event.t, actions, "heal");
    }
    default: {
      const never: never = change;
      throw new ConfigError("what-if change", `unknown change ${JSON.stringify(never)}`);
    }
  }
}

/** A fault (or a few at one instant) just after time `t`. */
function addFault(
  run: RunToChange,
  t: number,
  actions: FaultAction[],
  what: string,
): RunChanges {
  const when = justAfter(t);
  const added = actions.map((action) => ({ at: when, action }));
  const faults = [...run.faults, ...added];
  try {
    // The schedule's own checks: no restart of a running node, no resume of one not paused.
    parseFaults(formatFaults(faults));
  } catch (e) {
    throw new ConfigError(`what-if ${what}`, (e as Error).message);
  }
  return {
    choices: run.choices.clone(),
    faults,
    network: { ...run.network },
    description: `${formatFaults(added)} (just after ${t} ms)`,
  };
}

/** 1 µs after `t`: after every event at `t`, as a fault at an instant goes before them. */
function justAfter(t: number): number {
  return Math.round((t + 0.001) * 1000) / 1000;
}

/** The nodes disconnected (and not reconnected) at event `at`. */
function disconnectedAt(events: readonly TraceEvent[], at: number): NodeId[] {
  const out = new Set<NodeId>();
  for (let i = 0; i <= at; i++) {
    const e = events[i];
    if (e.kind === "disconnect") out.add(e.node);
    else if (e.kind === "reconnect") out.delete(e.node);
  }
  return [...out];
}

function changeMessage(
  run: RunToChange,
  change: Extract<WhatIfChange, { kind: "drop" | "delay" }>,
): RunChanges {
  const spans = messageSpans(run.events);
  const span = spans.find((m) => m.id === change.message);
  if (span === undefined) {
    throw new ConfigError("what-if message", `no message #${change.message} in this run`);
  }
  const original = span.copyOf === undefined
    ? span
    : spans.find((m) => m.id === span.copyOf && m.copyOf === undefined);
  if (original === undefined) {
    throw new ConfigError("what-if message", `the original of copy #${span.id} is not in the run`);
  }
  const { from, to } = original;
  if (cutAtSend(run.events, original.sendIndex)) {
    throw new ConfigError(
      "what-if message",
      `#${original.id} was sent into a cut link (${from} -> ${to}): it took no draws to change`,
    );
  }
  const k = linkMessageNumber(run.events, original.sendIndex);
  const stream = `net:${from}>${to}`;
  const choices = run.choices.clone();
  const network = { ...run.network };
  const name = `${span.copyOf === undefined ? "message" : "copy"} #${span.id} ` +
    `(${label(span.msg)}, ${from} -> ${to}, message ${k} of the link)`;
  const link = run.link(from, to);
  if (change.kind === "drop") {
    if (span.fate === "dropped" && span.endIndex === span.sendIndex + 1) {
      throw new ConfigError("what-if drop", `${name} was dropped at its send already`);
    }
    if (span.copyOf !== undefined) {
      setDraw(choices, run.seed, stream, 4 * k + 1, 0);
      return { choices, faults: run.faults, network, description: `drop ${name}`, message: span };
    }
    setDraw(choices, run.seed, stream, 4 * k, LARGEST);
    if (link.loss < DROP_LOSS) network.loss = Math.max(network.loss ?? 0, DROP_LOSS);
    return { choices, faults: run.faults, network, description: `drop ${name}`, message: span };
  }
  if (!(Number.isFinite(change.ms) && change.ms > 0)) {
    throw new ConfigError("what-if delay", `must be a number of ms > 0, got ${change.ms}`);
  }
  const index = 4 * k + (span.copyOf === undefined ? 2 : 3);
  const sampler = new Link(link);
  if (sampler.fixed || sampler.custom) {
    throw new ConfigError(
      "what-if delay",
      `link ${from} -> ${to} has a ${link.latency.kind} latency: no draw sets it; run with ` +
        "--latency MIN..MAX or exp:MEAN to delay a message",
    );
  }
  const us = (d: number) => sampler.latencyUs(d, from, to, span.msg);
  const before = us(drawAt(choices, run.seed, stream, index));
  const value = drawFor(us, before + Math.round(change.ms * 1000));
  setDraw(choices, run.seed, stream, index, value);
  const got = (us(value) - before) / 1000, now = before / 1000;
  const note = got < change.ms - 0.001
    ? ` (asked ${change.ms} ms: the most the link's latency allows is ${round(got)} ms more)`
    : "";
  return {
    choices,
    faults: run.faults,
    network,
    description: `delay ${name} by ${round(got)} ms, from ${round(now)} to ${
      round(now + got)
    } ms on the wire${note}`,
    message: span,
  };
}

/**
 * The smallest draw whose latency is at least `targetUs` (latency grows with
 * the draw), or the largest draw when none reaches it.
 */
function drawFor(latencyUs: (draw: number) => number, targetUs: number): number {
  let lo = 0, hi = LARGEST;
  if (latencyUs(hi) < targetUs) return hi;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (latencyUs(mid) >= targetUs) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

function label(msg: unknown): string {
  const type = (msg as { type?: unknown } | null)?.type;
  return typeof type === "string" ? type : "message";
}

/** Whether the send at `i` went into a cut link (dropped at once, taking no draws). */
function cutAtSend(events: readonly TraceEvent[], i: number): boolean {
  const send = events[i], next = events[i + 1];
  return send?.kind === "send" && next?.kind === "drop" && next.id === send.id &&
    next.reason === "partition" && next.node === send.node;
}

/**
 * Which message of its link the send at trace index `sendIndex` is: the
 * link's earlier sends that took draws (a send into a cut link takes none).
 * Throws for a send from outside the simulation (an external endpoint:
 * such a message takes no draws).
 *
 * @example
 * ```ts
 * import { linkMessageNumber } from "./what_if.ts";
 * import assert from "node:assert/strict";
 * const events = [
 *   { t: 0, kind: "start", node: "a" },
 *   { t: 0, kind: "send", node: "a", to: "b", id: 0, msg: 1 },
 *   { t: 0, kind: "drop", node: "a", from: "a", to: "b", id: 0, reason: "partition" },
 *   { t: 1, kind: "send", node: "a", to: "c", id: 1, msg: 2 },
 *   { t: 2, kind: "send", node: "a", to: "b", id: 2, msg: 3 },
 * ] as const;
 * assert.equal(linkMessageNumber(events, 4), 0); // the first send was cut: no draws
 * ```
 */
export function linkMessageNumber(events: readonly TraceEvent[], sendIndex: number): number {
  const send = events[sendIndex];
  if (send?.kind !== "send") {
    throw new ConfigError("what-if message", `event ${sendIndex} is not a send`);
  }
  let started = false, k = 0;
  for (let i = 0; i < sendIndex; i++) {
    const e = events[i];
    if (e.kind === "start" && e.node === send.node) started = true;
    if (e.kind === "send" && e.node === send.node && e.to === send.to && !cutAtSend(events, i)) {
      k++;
    }
  }
  if (!started) {
    throw new ConfigError(
      "what-if message",
      `${send.node} is outside the simulation (it never started): its messages take no draws`,
    );
  }
  return k;
}

/**
 * Draw `index` of stream `name` as the seed makes it (a network stream's
 * key is never 0, as in the simulator).
 *
 * @example
 * ```ts
 * import { seedDraw } from "./what_if.ts";
 * import assert from "node:assert/strict";
 * assert.equal(seedDraw(3, "net:a>b", 7), seedDraw(3, "net:a>b", 7));
 * assert.notEqual(seedDraw(3, "net:a>b", 7), seedDraw(4, "net:a>b", 7));
 * ```
 */
export function seedDraw(seed: number, name: string, index: number): number {
  const key = streamKey(seed, name);
  return draw(name.startsWith("net:") ? (key | 0) || 1 : key, index);
}

/** Draw `index` of `name` in a run replayed from `log`: the log's, or past its end the seed's. */
function drawAt(log: ChoiceLog, seed: number, name: string, index: number): number {
  const v = log.get(name, index);
  return v === -1 ? seedDraw(seed, name, index) : v;
}

/**
 * Sets draw `index` of `name`, first filling any gap before it with the
 * seed's own draws (which a replay would have used there).
 */
function setDraw(log: ChoiceLog, seed: number, name: string, index: number, value: number): void {
  for (let i = log.values(name).length; i < index; i++) {
    log.record(name, i, seedDraw(seed, name, i));
  }
  log.record(name, index, value);
}
