/**
 * Faults as data. A fault schedule is a list of `{ at, action }` that a
 * scenario scripts or a seed generates from rates. It prints in a short text
 * form that parses back, so a failing run's faults can be read, saved, edited
 * and replayed:
 *
 * ```text
 * @100 crash n1; @300 restart n1; @400 partition n1,n2|n3; @450 block n1>n2; @600 heal
 * @0 skew n2 +50; @0 drift n2 0.01; @50 pause n3; @80 resume n3
 * ```
 *
 * @module
 */

import { checkNodeId, type NodeId } from "../actors/mod.ts";
import { MAX_DRIFT, MAX_SKEW_MS, MIN_DRIFT } from "./clock.ts";
import { ConfigError } from "./errors.ts";
import { Random } from "./random.ts";

/**
 * One fault. Partitions add up; `heal` removes every cut link.
 *
 * @example
 * ```ts
 * import { type FaultAction, formatAction } from "./faults.ts";
 * import assert from "node:assert/strict";
 * const cut: FaultAction = { type: "partition", groups: [["n1"], ["n2", "n3"]] };
 * assert.equal(formatAction(cut), "partition n1|n2,n3");
 * ```
 */
export type FaultAction =
  /** The node stops: volatile state, mailbox and timers are gone; storage stays. */
  | { type: "crash"; node: NodeId }
  /** A crashed node starts again as a fresh instance with its storage. */
  | { type: "restart"; node: NodeId }
  /** The node stops handling (a GC pause, SIGSTOP); its mailbox fills. */
  | { type: "pause"; node: NodeId }
  /** A paused node handles what waited in its mailbox. */
  | { type: "resume"; node: NodeId }
  /** Cuts every link between nodes of different groups, both ways. */
  | { type: "partition"; groups: NodeId[][] }
  /** Cuts the one-way link `from` -> `to`. */
  | { type: "block"; from: NodeId; to: NodeId }
  /** Restores the one-way link `from` -> `to`. */
  | { type: "unblock"; from: NodeId; to: NodeId }
  /** Cuts every link to and from the node, until it is reconnected (`heal` leaves it). */
  | { type: "disconnect"; node: NodeId }
  /** Restores the links of a disconnected node. */
  | { type: "reconnect"; node: NodeId }
  /** Restores every link cut by partitions and blocks. */
  | { type: "heal" }
  /** Sets the node's clock offset to `ms` (local = global * (1 + drift) + skew). */
  | { type: "skew"; node: NodeId; ms: number }
  /** Sets the node's clock drift rate (0.01 runs 1% fast) from now on, without a jump. */
  | { type: "drift"; node: NodeId; rate: number };

/**
 * A fault at a global virtual time.
 *
 * @example
 * ```ts
 * import { type Fault, parseFaults } from "./faults.ts";
 * import assert from "node:assert/strict";
 * const f: Fault = { at: 100, action: { type: "crash", node: "n1" } };
 * assert.deepEqual(parseFaults("@100 crash n1"), [f]);
 * ```
 */
export interface Fault {
  /** Global virtual time of the fault, ms. */
  at: number;
  /** What happens then. */
  action: FaultAction;
}

/** A list of faults; order by `at` (ties keep list order). */
export type FaultSchedule = Fault[];

/**
 * The node ids a fault names.
 *
 * @example
 * ```ts
 * import { faultNodes } from "./faults.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(faultNodes({ type: "block", from: "a", to: "b" }), ["a", "b"]);
 * ```
 */
export function faultNodes(action: FaultAction): NodeId[] {
  switch (action.type) {
    case "crash":
    case "restart":
    case "pause":
    case "resume":
    case "skew":
    case "drift":
    case "disconnect":
    case "reconnect":
      return [action.node];
    case "partition":
      return action.groups.flat();
    case "block":
    case "unblock":
      return [action.from, action.to];
    case "heal":
      return [];
    default: {
      const never: never = action;
      throw new ConfigError("faults", `unknown action ${JSON.stringify(never)}`);
    }
  }
}

/**
 * One fault action in the text form, without its time.
 *
 * @example
 * ```ts
 * import { formatAction } from "./faults.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(formatAction({ type: "partition", groups: [["n1"], ["n2", "n3"]] }), "partition n1|n2,n3");
 * ```
 */
export function formatAction(action: FaultAction): string {
  switch (action.type) {
    case "crash":
    case "restart":
    case "pause":
    case "resume":
    case "disconnect":
    case "reconnect":
      return `${action.type} ${action.node}`;
    case "partition":
      return `partition ${action.groups.map((g) => g.join(",")).join("|")}`;
    case "block":
    case "unblock":
      return `${action.type} ${action.from}>${action.to}`;
    case "heal":
      return "heal";
    case "skew":
      return `skew ${action.node} ${action.ms >= 0 ? "+" : ""}${action.ms}`;
    case "drift":
      return `drift ${action.node} ${action.rate}`;
    default: {
      const never: never = action;
      throw new ConfigError("faults", `unknown action ${JSON.stringify(never)}`);
    }
  }
}

/**
 * A run's schedule with the faults a strategy injected while it went: each
 * after the scheduled ones of its instant (as the run applied them), so the
 * schedule alone replays the run.
 *
 * @example
 * ```ts
 * import { parseFaults, withInjected } from "./faults.ts";
 * import assert from "node:assert/strict";
 * const schedule = parseFaults("@10 crash n1; @30 restart n1");
 * const merged = withInjected(schedule, parseFaults("@10 crash n2; @20 heal"));
 * assert.deepEqual(merged.map((f) => f.at), [10, 10, 20, 30]);
 * assert.equal(merged[1].action.type === "crash" && merged[1].action.node, "n2");
 * ```
 */
export function withInjected(schedule: readonly Fault[], injected: readonly Fault[]): Fault[] {
  return [...schedule, ...injected].map((f, i) => ({ f, i }))
    .sort((a, b) => a.f.at - b.f.at || a.i - b.i).map((x) => x.f);
}

/**
 * The schedule in its short text form; {@linkcode parseFaults} reads it back.
 *
 * @example
 * ```ts
 * import { formatFaults } from "./faults.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(formatFaults([{ at: 100, action: { type: "crash", node: "n1" } }]), "@100 crash n1");
 * ```
 */
export function formatFaults(schedule: readonly Fault[]): string {
  return schedule.map((f) => `@${f.at} ${formatAction(f.action)}`).join("; ");
}

const USAGE = "entries look like '@100 crash n1', separated by ';' " +
  "(actions: crash N, restart N, pause N, resume N, partition A,B|C, block A>B, unblock A>B, " +
  "disconnect N, reconnect N, heal, skew N +MS, drift N RATE)";

/**
 * Parses the text form. Throws a {@linkcode ConfigError} naming the entry and
 * what is wrong.
 *
 * @example
 * ```ts
 * import { parseFaults } from "./faults.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(parseFaults("@100 crash n1; @300 restart n1").length, 2);
 * ```
 */
export function parseFaults(text: string): FaultSchedule {
  const schedule: FaultSchedule = [];
  const entries = text.split(/[;\n]/).map((e) => e.trim()).filter((e) => e !== "");
  entries.forEach((entry, i) => {
    const where = `faults entry ${i + 1} (${JSON.stringify(entry)})`;
    // The exponent lets every time formatFaults prints (`@1e-7`, `@1e+21`) read back.
    const m = entry.match(/^@\s*(-?[0-9]+(?:\.[0-9]+)?(?:e[-+]?[0-9]+)?)\s+([a-z]+)\s*(.*)$/);
    if (!m) throw new ConfigError(where, `cannot read it; ${USAGE}`);
    const at = Number(m[1]);
    if (at < 0) throw new ConfigError(where, `time must be >= 0, got ${at}`);
    const args = m[3].trim();
    const words = args === "" ? [] : args.split(/\s+/);
    const node = (k: number) => {
      if (words[k] === undefined) {
        throw new ConfigError(where, `'${m[2]}' needs a node id, e.g. '@${at} ${m[2]} n1'`);
      }
      return checkNodeIdFor(where, words[k]);
    };
    const arity = (n: number) => {
      if (words.length !== n) {
        // "@10 crash n1 @20 restart n1": the words after look like another entry.
        const hint = words.slice(n).some((w) => /^@\s*[0-9]/.test(w))
          ? " (missing ';' between faults?)"
          : "";
        throw new ConfigError(
          where,
          `'${m[2]}' takes ${n} argument(s), got ${words.length}${hint}`,
        );
      }
    };
    let action: FaultAction;
    switch (m[2]) {
      case "crash":
      case "restart":
      case "pause":
      case "resume":
      case "disconnect":
      case "reconnect":
        action = { type: m[2], node: node(0) };
        arity(1);
        break;
      case "partition": {
        arity(1);
        const groups = words[0].split("|").map((g) =>
          g.split(",").filter((n) => n !== "").map((n) => checkNodeIdFor(where, n))
        );
        if (groups.length < 2 || groups.some((g) => g.length === 0)) {
          throw new ConfigError(
            where,
            "partition needs two or more non-empty groups, e.g. n1|n2,n3",
          );
        }
        const twice = groups.flat().find((n, k, all) => all.indexOf(n) !== k);
        if (twice !== undefined) {
          throw new ConfigError(where, `${twice} is in two groups of one partition`);
        }
        action = { type: "partition", groups };
        break;
      }
      case "block":
      case "unblock": {
        arity(1);
        const link = words[0].split(">");
        if (link.length !== 2) {
          throw new ConfigError(where, `${m[2]} needs a link FROM>TO, e.g. n1>n2`);
        }
        action = {
          type: m[2],
          from: checkNodeIdFor(where, link[0]),
          to: checkNodeIdFor(where, link[1]),
        };
        break;
      }
      case "heal":
        arity(0);
        action = { type: "heal" };
        break;
      case "skew": {
        arity(2);
        const ms = Number(words[1]);
        if (!(Number.isFinite(ms) && Math.abs(ms) <= MAX_SKEW_MS)) {
          throw new ConfigError(
            where,
            `skew needs a number of ms from -${MAX_SKEW_MS} to +${MAX_SKEW_MS}, got ${words[1]}`,
          );
        }
        action = { type: "skew", node: node(0), ms };
        break;
      }
      case "drift": {
        arity(2);
        const rate = Number(words[1]);
        if (!(Number.isFinite(rate) && rate >= MIN_DRIFT && rate <= MAX_DRIFT)) {
          throw new ConfigError(
            where,
            `drift needs a rate from ${MIN_DRIFT} (half speed) to ${MAX_DRIFT} (double speed), ` +
              `got ${words[1]}; real clocks drift by about 0.0001`,
          );
        }
        action = { type: "drift", node: node(0), rate };
        break;
      }
      default:
        throw new ConfigError(where, `unknown action '${m[2]}'; ${USAGE}`);
    }
    schedule.push({ at, action });
  });
  checkSequence(schedule);
  return schedule;
}

/**
 * Why `schedule` cannot be given as `--faults` (a restart of a node it did
 * not crash first, a resume of one it did not pause), or undefined when it
 * can. A shrinker that removes or moves faults keeps only schedules that
 * pass, so that what it saves replays.
 *
 * @example
 * ```ts
 * import { parseFaults, sequenceProblem } from "./faults.ts";
 * import assert from "node:assert/strict";
 * assert.equal(sequenceProblem(parseFaults("@10 crash n1; @20 restart n1")), undefined);
 * const [, restart] = parseFaults("@10 crash n1; @20 restart n1");
 * assert.match(sequenceProblem([restart])!, /n1 is running then: crash it before restarting it/);
 * ```
 */
export function sequenceProblem(schedule: readonly Fault[]): string | undefined {
  const first = noOps(schedule)[0];
  return first === undefined ? undefined : `${first.where}: ${first.problem}`;
}

/**
 * `schedule` without the entries that do nothing: a restart of a node not
 * crashed then, a resume of one not paused (the simulator ignores them, and
 * `--faults` refuses them). What a shrinker keeps after removing a crash
 * whose restart it could not remove.
 *
 * @example
 * ```ts
 * import { formatFaults, parseFaults, withoutNoOps } from "./faults.ts";
 * import assert from "node:assert/strict";
 * const [, crash1, restart1, restart2] = parseFaults(
 *   "@5 crash n2; @10 crash n1; @20 restart n1; @30 restart n2",
 * );
 * assert.equal(formatFaults(withoutNoOps([crash1, restart1, restart2])), "@10 crash n1; @20 restart n1");
 * ```
 */
export function withoutNoOps(schedule: readonly Fault[]): Fault[] {
  const dropped = new Set(noOps(schedule).map((n) => n.index));
  return schedule.filter((_, i) => !dropped.has(i));
}

/**
 * Refuses a schedule that restarts a node it did not crash first, or
 * resumes one it did not pause, taking the entries in time order: such an
 * entry does nothing, and a schedule that says it does is a mistake.
 */
function checkSequence(schedule: readonly Fault[]): void {
  const first = noOps(schedule)[0];
  if (first !== undefined) throw new ConfigError(first.where, first.problem);
}

/**
 * The entries of `schedule` that do nothing, taken in time order: a restart
 * of a node not crashed then, a resume of one not paused (the simulator
 * ignores them). Each with its place, where it is, and why.
 */
function noOps(schedule: readonly Fault[]): { index: number; where: string; problem: string }[] {
  const state = new Map<NodeId, "crashed" | "paused">();
  const inOrder = schedule.map((f, i) => ({ f, i })).sort((a, b) => a.f.at - b.f.at || a.i - b.i);
  const found: { index: number; where: string; problem: string }[] = [];
  for (const { f, i } of inOrder) {
    const a = f.action;
    if (a.type === "crash") state.set(a.node, "crashed");
    else if (a.type === "pause" && state.get(a.node) !== "crashed") state.set(a.node, "paused");
    else if (a.type === "restart" || a.type === "resume") {
      const restart = a.type === "restart";
      if (state.get(a.node) === (restart ? "crashed" : "paused")) {
        state.delete(a.node);
        continue;
      }
      found.push({
        index: i,
        where: `faults entry ${i + 1} (${JSON.stringify(`@${f.at} ${formatAction(a)}`)})`,
        problem: restart
          ? `${a.node} is running then: crash it before restarting it`
          : `${a.node} is not paused then: pause it before resuming it`,
      });
    }
  }
  return found;
}

function checkNodeIdFor(where: string, id: string): NodeId {
  try {
    return checkNodeId(id);
  } catch (e) {
    throw new ConfigError(where, (e as Error).message);
  }
}

/**
 * Rates for generated faults, in expected occurrences per second of virtual
 * time across the whole cluster, and how long each lasts.
 *
 * @example
 * ```ts
 * import { type FaultRates, parseFaultSpec } from "./faults.ts";
 * import assert from "node:assert/strict";
 * const rates: FaultRates = { crash: 1, partition: 0.5, pause: 0.5 };
 * assert.deepEqual(parseFaultSpec("random:crash=1,partition=0.5,pause=0.5"), { kind: "random", rates });
 * ```
 */
export interface FaultRates {
  /** Crashes (each followed by a restart) per simulated second, across the fault targets. */
  crash?: number;
  /** Partitions (each healed later) per simulated second. */
  partition?: number;
  /** Pauses (each followed by a resume) per simulated second, across the fault targets. */
  pause?: number;
  /**
   * Clock faults: a node's clock jumps (skew of up to `maxSkewMs` either
   * way) or runs fast or slow (drift of up to 1%), and is set right again
   * when the fault ends.
   */
  clock?: number;
  /** The largest clock jump a clock fault makes, ms (default 100). */
  maxSkewMs?: number;
  /** Mean time a node stays down, a partition lasts or a pause lasts (default 200 ms). */
  meanDurationMs?: number;
  /**
   * Most nodes down (crashed or paused) at once: by default a minority,
   * (n - 1) / 2 of the n fault targets, and at least one, so that one or two
   * targets still crash and restart.
   */
  maxDown?: number;
}

/** Most fault onsets {@linkcode generateFaults} will draw for one run. */
export const MAX_GENERATED_FAULTS = 100_000;

/** The rates `--faults random` uses. */
export const DEFAULT_RATES: Readonly<FaultRates> = Object.freeze({
  crash: 2,
  partition: 1,
  pause: 1,
  meanDurationMs: 200,
});

/**
 * Generates a fault schedule from the seed's `faults` stream. Every crash is
 * followed by a restart, every pause by a resume and every partition by a
 * heal, all before `untilMs`, so a run ends with the cluster whole.
 *
 * @example
 * ```ts
 * import { generateFaults } from "./faults.ts";
 * import assert from "node:assert/strict";
 * const s = generateFaults(7, ["n1", "n2", "n3"], 2000, { crash: 2 });
 * assert.deepEqual(s.every((f) => f.at <= 2000), true);
 * ```
 */
export function generateFaults(
  seed: number,
  nodes: readonly NodeId[],
  untilMs: number,
  rates: FaultRates = DEFAULT_RATES,
): FaultSchedule {
  for (
    const key of ["crash", "partition", "pause", "clock", "meanDurationMs", "maxSkewMs"] as const
  ) {
    const v = rates[key];
    if (v !== undefined && !(Number.isFinite(v) && v >= 0)) {
      throw new ConfigError(`fault rate ${key}`, `must be a number >= 0, got ${v}`);
    }
  }
  const random = Random.stream(seed, "faults");
  const mean = rates.meanDurationMs ?? 200;
  const maxDown = rates.maxDown ?? Math.max(1, Math.floor((nodes.length - 1) / 2));
  if (!(Number.isInteger(maxDown) && maxDown >= 0)) {
    throw new ConfigError("fault rate maxDown", `must be a whole number >= 0, got ${maxDown}`);
  }
  const downUntil = new Map<NodeId, number>();
  let partitionedUntil = -1;
  const schedule: FaultSchedule = [];
  const kinds = [
    ["crash", rates.crash ?? 0],
    ["pause", rates.pause ?? 0],
    ["partition", rates.partition ?? 0],
    ["clock", rates.clock ?? 0],
  ] as const;
  const maxSkew = Math.min(rates.maxSkewMs ?? 100, MAX_SKEW_MS);
  const clockUntil = new Map<NodeId, number>();
  const total = kinds.reduce((s, [, r]) => s + r, 0);
  if (total === 0 || nodes.length === 0) return schedule;
  // A Poisson process of fault onsets; each onset picks its kind by rate.
  // Rates that would generate more faults than any run can use are a mistake, not a wait.
  const expected = (total * untilMs) / 1000;
  if (expected > MAX_GENERATED_FAULTS) {
    throw new ConfigError(
      "faults",
      `rates adding up to ${total} per second over ${untilMs} ms would generate about ` +
        `${Math.round(expected)} faults; at most ${MAX_GENERATED_FAULTS} are allowed`,
    );
  }
  let t = random.exponential(1000 / total);
  while (t < untilMs) {
    const at = Math.round(t);
    const duration = Math.max(1, Math.round(random.exponential(mean)));
    const end = Math.min(at + duration, untilMs);
    let pick = random.next() * total;
    const kind = kinds.find(([, r]) => (pick -= r) < 0)?.[0] ?? "partition";
    if (kind === "clock") {
      // A jump or a change of rate, undone when the fault ends.
      const node = random.pick(nodes);
      if ((clockUntil.get(node) ?? -1) < at && end > at) {
        if (random.next() < 0.5) {
          const ms = Math.round(random.uniform(-maxSkew, maxSkew) * 1000) / 1000;
          schedule.push({ at, action: { type: "skew", node, ms } });
          schedule.push({ at: end, action: { type: "skew", node, ms: 0 } });
        } else {
          const rate = Math.round(random.uniform(-0.01, 0.01) * 1e6) / 1e6;
          schedule.push({ at, action: { type: "drift", node, rate } });
          schedule.push({ at: end, action: { type: "drift", node, rate: 0 } });
        }
        clockUntil.set(node, end);
      }
    } else if (kind === "partition") {
      if (at > partitionedUntil && nodes.length > 1 && end > at) {
        const shuffled = nodes.map((n) => ({ n, k: random.next() }))
          .sort((a, b) => a.k - b.k).map((x) => x.n);
        const cut = random.int(1, nodes.length - 1);
        schedule.push({
          at,
          action: { type: "partition", groups: [shuffled.slice(0, cut), shuffled.slice(cut)] },
        });
        schedule.push({ at: end, action: { type: "heal" } });
        partitionedUntil = end;
      }
    } else {
      const node = random.pick(nodes);
      const down = [...downUntil.values()].filter((u) => u >= at).length;
      if ((downUntil.get(node) ?? -1) < at && down < maxDown && end > at) {
        schedule.push({ at, action: { type: kind, node } });
        schedule.push({ at: end, action: { type: kind === "crash" ? "restart" : "resume", node } });
        downUntil.set(node, end);
      }
    }
    t += random.exponential(1000 / total);
  }
  return schedule.sort((a, b) => a.at - b.at);
}

/**
 * What `--faults` accepts: a schedule in the text form, or `random` with
 * optional rates (`random:crash=1,partition=0.5,pause=0,duration=300`).
 *
 * @example
 * ```ts
 * import { parseFaultSpec } from "./faults.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(parseFaultSpec("random:crash=1"), { kind: "random", rates: { crash: 1 } });
 * ```
 */
export type FaultSpec = { kind: "schedule"; schedule: FaultSchedule } | {
  kind: "random";
  rates: FaultRates;
};

/**
 * Parses a `--faults` value; see {@linkcode FaultSpec}.
 *
 * @example
 * ```ts
 * import { parseFaultSpec } from "./faults.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(parseFaultSpec("@10 crash n1").kind, "schedule");
 * ```
 */
export function parseFaultSpec(text: string): FaultSpec {
  const trimmed = text.trim();
  if (trimmed === "random") return { kind: "random", rates: { ...DEFAULT_RATES } };
  if (trimmed.startsWith("random:")) {
    const rates: FaultRates = {};
    const seen = new Set<string>();
    for (const part of trimmed.slice(7).split(",")) {
      const [key, value] = part.split("=");
      if (seen.has(key.trim())) {
        throw new ConfigError("faults", `rate ${JSON.stringify(key.trim())} is given twice`);
      }
      seen.add(key.trim());
      const n = Number(value);
      if (value === undefined || value.trim() === "" || !Number.isFinite(n) || n < 0) {
        throw new ConfigError(
          "faults",
          `cannot read rate ${JSON.stringify(part)}; use KEY=NUMBER (>= 0)`,
        );
      }
      switch (key.trim()) {
        case "crash":
          rates.crash = n;
          break;
        case "partition":
          rates.partition = n;
          break;
        case "pause":
          rates.pause = n;
          break;
        case "clock":
          rates.clock = n;
          break;
        case "duration":
          rates.meanDurationMs = n;
          break;
        case "skew":
          rates.maxSkewMs = n;
          break;
        case "down":
          if (!Number.isInteger(n)) {
            throw new ConfigError("faults", `down must be a whole number, got ${value.trim()}`);
          }
          rates.maxDown = n;
          break;
        default:
          throw new ConfigError(
            "faults",
            `unknown rate ${JSON.stringify(key)}; allowed: crash, partition, pause, clock, ` +
              "duration, skew, down",
          );
      }
    }
    return { kind: "random", rates };
  }
  if (trimmed === "" || trimmed === "none") return { kind: "schedule", schedule: [] };
  return { kind: "schedule", schedule: parseFaults(trimmed) };
}

/**
 * A {@linkcode FaultSpec} in the `--faults` text form, so that
 * {@linkcode parseFaultSpec} reads back the same spec.
 *
 * @example
 * ```ts
 * import { formatFaultSpec, parseFaultSpec } from "./faults.ts";
 * import assert from "node:assert/strict";
 * const spec = parseFaultSpec("random:crash=1.5,clock=2,duration=5,down=1");
 * assert.equal(formatFaultSpec(spec), "random:crash=1.5,clock=2,duration=5,down=1");
 * assert.equal(formatFaultSpec(parseFaultSpec("@10 crash n1")), "@10 crash n1");
 * assert.equal(formatFaultSpec(parseFaultSpec("")), "");
 * ```
 */
export function formatFaultSpec(spec: FaultSpec): string {
  if (spec.kind === "schedule") return formatFaults(spec.schedule);
  const r = spec.rates;
  const parts: string[] = [];
  const add = (key: string, v: number | undefined) => v === undefined || parts.push(`${key}=${v}`);
  add("crash", r.crash);
  add("partition", r.partition);
  add("pause", r.pause);
  add("clock", r.clock);
  add("duration", r.meanDurationMs);
  add("skew", r.maxSkewMs);
  add("down", r.maxDown);
  return parts.length === 0 ? "random:crash=0" : `random:${parts.join(",")}`;
}
