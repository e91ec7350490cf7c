/**
 * Traces saved to and loaded from JSON, so a run can be kept, diffed, drawn
 * again and checked for determinism later.
 *
 * The file is one JSON object: the run's {@linkcode RunSpec} (everything
 * needed to run it again, the module of a user's scenario included), its
 * trace hash, and its events, each on a line of its own so two traces diff
 * line by line:
 *
 * ```text
 * {
 *   "format": "dsim-trace",
 *   "version": 2,
 *   "dsim": "0.2.0",
 *   "spec": {"scenario":"ping-pong","seed":3,"nodes":2,"until":1000,"loss":0.2,
 *            "faults":"@40 crash n2; @120 restart n2","flags":{"rounds":10,"retry":50}},
 *   "events": [
 *     {"t":0,"kind":"start","node":"n1"},
 *     {"t":0,"kind":"send","node":"n1","to":"n2","id":0,"msg":{"type":"ping","n":1}}
 *   ],
 *   "forgotten": 0,
 *   "traceHash": "6f1c2a9e03b4d57a"
 * }
 * ```
 *
 * A long run's file is written while the run goes ({@linkcode TraceWriter}),
 * so its events need not fit in memory. `forgotten` counts events a file
 * does not hold (a file made from a run's in-memory window only); the hash
 * is always the whole run's. A run replayed from a choice log (a shrunk
 * failure) carries the log in `choices`. A file of a user's scenario may
 * keep its module's path relative to the file's folder in `relativeModule`
 * (an optional field: files without it load as before).
 *
 * Values plain JSON cannot hold are written as small tagged objects and read
 * back as they were: `{"$dsim":"undefined"}`, `{"$dsim":"Infinity"}`,
 * `{"$dsim":"-Infinity"}`, `{"$dsim":"NaN"}` and `{"$dsim":"-0"}`. An object
 * of the run's own that happens to have a `$dsim` key is wrapped as
 * `{"$dsim":"object","value":{...}}`, so no data is ever mistaken for a tag.
 * (Pending client operations carry `ret: Infinity`; messages may hold
 * `undefined` fields.) As with `JSON.stringify`, functions and symbols are
 * left out of objects.
 *
 * @module
 */

import { NODE_ID_PATTERN } from "../actors/mod.ts";
import { ConfigError } from "./errors.ts";
import { checkRunSpec, type RunSpec, type ScenarioResult } from "./scenario.ts";
import { hashEvents, type TraceEvent, type TraceKind } from "./trace.ts";
import { VERSION } from "./version.ts";

/** The `format` field of every trace file. */
export const TRACE_FORMAT = "dsim-trace";
/**
 * The file version this code writes and reads. Version 2 (dsim 0.2) holds a
 * {@linkcode RunSpec}, and its hashes are those of the microsecond scheduler
 * with per-link choice streams; version 1 files cannot replay here.
 */
export const TRACE_VERSION = 2;

/**
 * A saved trace.
 *
 * @example
 * ```ts
 * import type { TraceFile } from "./trace_file.ts";
 * import assert from "node:assert/strict";
 * const f: TraceFile = {
 *   format: "dsim-trace", version: 2, dsim: "0.2.0",
 *   spec: { scenario: "ping-pong", seed: 1, nodes: 2, until: 1000, faults: "", flags: {} },
 *   events: [], forgotten: 0, traceHash: "811c9dc59747b28c",
 * };
 * assert.equal(f.spec.seed, 1);
 * ```
 */
export interface TraceFile {
  /** Always "dsim-trace": what the file is. */
  format: typeof TRACE_FORMAT;
  /** The file format's version. */
  version: typeof TRACE_VERSION;
  /** The dsim version that wrote it. */
  dsim: string;
  /** Everything needed to run it again. */
  spec: RunSpec;
  /** The draws the run used instead of its seed's, by stream (a shrunk run's). */
  choices?: Record<string, number[]>;
  /**
   * The path of the scenario's module relative to this file's folder
   * (`./counter.ts`), beside `spec.module`'s absolute URL: when a project
   * folder moves, the module is found from here. Absent in files of
   * built-in scenarios, of modules that are not local files, and in older files.
   */
  relativeModule?: string;
  /** The run's events (the last ones only when `forgotten` > 0). */
  events: TraceEvent[];
  /** Events of the run that the file does not hold (only the last ones are there). */
  forgotten: number;
  /** The whole run's trace hash. */
  traceHash: string;
}

/**
 * Options for {@linkcode loadTrace}.
 *
 * @example
 * ```ts
 * import { loadTrace, type LoadTraceOptions, TraceWriter } from "./trace_file.ts";
 * import assert from "node:assert/strict";
 * const w = new TraceWriter({ scenario: "x", seed: 1, nodes: 1, until: 10, faults: "", flags: {} });
 * // A file whose hash no longer matches its events (edited by hand, say).
 * const text = w.head() + w.event({ t: 0, kind: "start", node: "n1" }, true) + w.tail(0, "0123456789abcdef");
 * assert.throws(() => loadTrace(text), /hash/);
 * const o: LoadTraceOptions = { verify: false };
 * assert.equal(loadTrace(text, o).events.length, 1);
 * ```
 */
export interface LoadTraceOptions {
  /** Check that the events hash to `traceHash` (default true). */
  verify?: boolean;
}

const TAG = "$dsim";
const SPECIAL: Record<string, unknown> = {
  "undefined": undefined,
  "Infinity": Infinity,
  "-Infinity": -Infinity,
  "NaN": NaN,
  "-0": -0,
};

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** `value` as plain JSON, special values tagged (see the module documentation). */
function encode(value: unknown, key = ""): Json {
  if (value !== null && typeof value === "object" && "toJSON" in value) {
    const toJSON = (value as { toJSON: unknown }).toJSON;
    if (typeof toJSON === "function") value = toJSON.call(value, key);
  }
  switch (typeof value) {
    case "undefined":
      return { [TAG]: "undefined" };
    case "number":
      if (Number.isNaN(value)) return { [TAG]: "NaN" };
      if (value === Infinity) return { [TAG]: "Infinity" };
      if (value === -Infinity) return { [TAG]: "-Infinity" };
      if (Object.is(value, -0)) return { [TAG]: "-0" };
      return value;
    case "string":
    case "boolean":
      return value;
    case "object": {
      if (value === null) return null;
      if (Array.isArray(value)) return value.map((x, i) => encode(x, String(i)));
      const entries = Object.entries(value).filter(([, v]) =>
        typeof v !== "function" && typeof v !== "symbol"
      ).map(([k, v]): [string, Json] => [k, encode(v, k)]);
      // fromEntries, not assignment: a "__proto__" key stays a plain key.
      const out = Object.fromEntries(entries);
      return Object.hasOwn(out, TAG) ? { [TAG]: "object", value: out } : out;
    }
    default:
      // Functions and symbols in arrays become null, as in JSON.stringify.
      if (typeof value === "function" || typeof value === "symbol") return null;
      throw new ConfigError("trace file", `cannot save a ${typeof value} value`);
  }
}

/** The inverse of {@linkcode encode}. */
function decode(value: unknown, where: string): unknown {
  if (Array.isArray(value)) return value.map((x, i) => decode(x, `${where}[${i}]`));
  if (value === null || typeof value !== "object") return value;
  const obj = value as Record<string, unknown>;
  if (Object.hasOwn(obj, TAG)) {
    const tag = obj[TAG];
    const keys = Object.keys(obj);
    if (typeof tag === "string" && Object.hasOwn(SPECIAL, tag) && keys.length === 1) {
      return SPECIAL[tag];
    }
    const inner = obj.value;
    if (
      tag === "object" && keys.length === 2 && inner !== null && typeof inner === "object" &&
      !Array.isArray(inner)
    ) {
      return decodeFields(inner as Record<string, unknown>, where);
    }
    throw new ConfigError(
      "trace file",
      `${where} has an unknown ${TAG} tag ${JSON.stringify(tag)}; known: ${
        [...Object.keys(SPECIAL), "object"].join(", ")
      }`,
    );
  }
  return decodeFields(obj, where);
}

function decodeFields(obj: Record<string, unknown>, where: string): Record<string, unknown> {
  return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, decode(v, `${where}.${k}`)]));
}

/**
 * The file's text: header fields first, then one event per line.
 *
 * @example
 * ```ts
 * import { saveTrace } from "./trace_file.ts";
 * import { hashEvents, type TraceEvent } from "./trace.ts";
 * import assert from "node:assert/strict";
 * const events: TraceEvent[] = [{ t: 0, kind: "start", node: "n1" }];
 * const spec = { scenario: "x", seed: 1, nodes: 1, until: 10, faults: "", flags: {} };
 * const text = saveTrace({
 *   format: "dsim-trace", version: 2, dsim: "0.2.0", spec, events, forgotten: 0,
 *   traceHash: hashEvents(events),
 * });
 * assert.match(text.split("\n")[6], /"kind":"start"/);
 * ```
 */
export function saveTrace(file: TraceFile): string {
  const writer = new TraceWriter(file.spec, file.choices, file.relativeModule);
  const parts = [writer.head()];
  file.events.forEach((e, i) => parts.push(writer.event(e, i === 0)));
  parts.push(writer.tail(file.forgotten, file.traceHash));
  return parts.join("");
}

/**
 * Writes a trace file piece by piece: the head before the run, each event as
 * the run records it, the tail (with the hash) after. `saveTrace` is the
 * same in one go; the command line streams a long run to its `--out` file
 * with it, so the file holds every event whatever the trace keeps in memory.
 *
 * @example
 * ```ts
 * import { loadTrace, TraceWriter } from "./trace_file.ts";
 * import { hashEvents, type TraceEvent } from "./trace.ts";
 * import assert from "node:assert/strict";
 * const spec = { scenario: "x", seed: 1, nodes: 1, until: 10, faults: "", flags: {} };
 * const w = new TraceWriter(spec);
 * const events: TraceEvent[] = [{ t: 0, kind: "start", node: "n1" }, { t: 1, kind: "heal" }];
 * const text = w.head() + events.map((e, i) => w.event(e, i === 0)).join("") +
 *   w.tail(0, hashEvents(events));
 * assert.equal(loadTrace(text).events.length, 2);
 * ```
 */
export class TraceWriter {
  /**
   * A writer for the run `spec`, with the draws it used when they are not
   * its seed's, and its module's path relative to the file (see
   * {@linkcode TraceFile.relativeModule}).
   */
  constructor(
    readonly spec: RunSpec,
    readonly choices?: Record<string, number[]>,
    readonly relativeModule?: string,
  ) {}

  /** The file up to and including the opening of `events`. */
  head(): string {
    const line = (key: string, value: unknown) =>
      `  ${JSON.stringify(key)}: ${JSON.stringify(encode(value, key))},\n`;
    return "{\n" + line("format", TRACE_FORMAT) + line("version", TRACE_VERSION) +
      line("dsim", VERSION) + line("spec", this.spec) +
      (this.relativeModule === undefined ? "" : line("relativeModule", this.relativeModule)) +
      (this.choices === undefined ? "" : line("choices", this.choices)) + `  "events": [`;
  }

  /** One event's line (`first`: the first event of the file). */
  event(e: TraceEvent, first: boolean): string {
    return `${first ? "\n" : ",\n"}    ${JSON.stringify(encode(e, "event"))}`;
  }

  /** The rest of the file, after the last event. */
  tail(forgotten: number, traceHash: string): string {
    return `\n  ],\n  "forgotten": ${forgotten},\n  "traceHash": ${JSON.stringify(traceHash)}\n}\n`;
  }
}

/**
 * Builds a trace file from a scenario run traced in `full` mode (the events
 * it kept in memory: all of them, or the latest window of a long run).
 *
 * @example
 * ```ts
 * import { loadTrace, saveTrace, traceFileFromResult } from "./trace_file.ts";
 * import { runScenario } from "./scenario.ts";
 * import { pingPong } from "../protocols/ping_pong/scenario.ts";
 * import assert from "node:assert/strict";
 * const run = runScenario(pingPong, { seed: 3, network: { loss: 0.2 } });
 * const file = loadTrace(saveTrace(traceFileFromResult(run)));
 * assert.equal(file.spec.loss, 0.2);
 * assert.equal(file.traceHash, run.traceHash);
 * ```
 */
export function traceFileFromResult(result: ScenarioResult): TraceFile {
  const trace = result.sim.trace;
  if (trace.mode !== "full") {
    throw new ConfigError(
      "trace",
      `the run kept no events (trace mode "${trace.mode}"); run it with trace "full" to save it`,
    );
  }
  return {
    format: TRACE_FORMAT,
    version: TRACE_VERSION,
    dsim: VERSION,
    spec: result.spec,
    ...(result.choices === undefined ? {} : { choices: result.choices.toJSON() }),
    events: [...trace.events],
    forgotten: trace.forgotten,
    traceHash: result.traceHash,
  };
}

/**
 * Reads a trace file, checking its shape, format and version, and (unless
 * `verify` is false) that its events hash to its `traceHash`. Throws a
 * {@linkcode ConfigError} naming what is wrong; events are counted from 0.
 *
 * @example
 * ```ts
 * import { loadTrace, saveTrace } from "./trace_file.ts";
 * import { hashEvents, type TraceEvent } from "./trace.ts";
 * import assert from "node:assert/strict";
 * const events: TraceEvent[] = [{ t: 0, kind: "heal" }];
 * const spec = { scenario: "x", seed: 1, nodes: 1, until: 10, faults: "", flags: {} };
 * const text = saveTrace({
 *   format: "dsim-trace", version: 2, dsim: "0.2.0", spec, events, forgotten: 0,
 *   traceHash: hashEvents(events),
 * });
 * assert.equal(loadTrace(text).events.length, 1);
 * assert.throws(() => loadTrace(text.replace('"heal"', '"crash"')), /kind|node/);
 * ```
 */
export function loadTrace(text: string, options: LoadTraceOptions = {}): TraceFile {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new ConfigError("trace file", `not JSON at ${jsonErrorAt(text)}`);
  }
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    throw problem(`must be a JSON object, got ${describe(raw)}`);
  }
  const obj = raw as Record<string, unknown>;
  if (obj.format !== TRACE_FORMAT) {
    throw problem(`format must be ${TRACE_FORMAT}, got ${describe(obj.format)}`);
  }
  if (obj.version !== TRACE_VERSION) {
    throw problem(
      `version ${
        describe(obj.version)
      } is not supported; this build reads version ${TRACE_VERSION}`,
    );
  }
  const allowed = [
    "format",
    "version",
    "dsim",
    "spec",
    "relativeModule",
    "choices",
    "events",
    "forgotten",
    "traceHash",
  ];
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) {
      throw problem(`unknown field ${JSON.stringify(key)}; allowed: ${allowed.join(", ")}`);
    }
  }
  if (typeof obj.dsim !== "string") {
    throw problem(`dsim must be the version that wrote it, got ${describe(obj.dsim)}`);
  }
  let spec: RunSpec;
  try {
    spec = checkRunSpec(decode(obj.spec, "spec"));
  } catch (e) {
    throw problem((e as Error).message);
  }
  const choices = obj.choices === undefined ? undefined : checkChoices(obj.choices);
  const relativeModule = obj.relativeModule;
  if (
    relativeModule !== undefined && (typeof relativeModule !== "string" || relativeModule === "")
  ) {
    throw problem(
      `relativeModule must be the module's path from the file's folder, got ${
        describe(relativeModule)
      }`,
    );
  }
  if (typeof obj.traceHash !== "string" || !/^[0-9a-f]{16}$/.test(obj.traceHash)) {
    throw problem(`traceHash must be 16 hex digits, got ${describe(obj.traceHash)}`);
  }
  if (!(Number.isSafeInteger(obj.forgotten) && (obj.forgotten as number) >= 0)) {
    throw problem(`forgotten must be a whole number >= 0, got ${describe(obj.forgotten)}`);
  }
  if (!Array.isArray(obj.events)) {
    throw problem(`events must be an array, got ${describe(obj.events)}`);
  }
  const events: TraceEvent[] = [];
  let last = 0;
  obj.events.forEach((rawEvent, i) => {
    const e = checkEvent(decode(rawEvent, `event ${i}`), i);
    if (e.t < last) throw problem(`event ${i} at t=${e.t} comes after an event at t=${last}`);
    last = e.t;
    events.push(e);
  });
  // Only a file with every event can show that they hash to the run's hash.
  if ((options.verify ?? true) && obj.forgotten === 0) {
    const actual = hashEvents(events);
    if (actual !== obj.traceHash) {
      throw problem(
        `the events hash to ${actual} but the file says traceHash ${obj.traceHash}; ` +
          `it was edited or damaged (load with verify: false to read it anyway)`,
      );
    }
  }
  return {
    format: TRACE_FORMAT,
    version: TRACE_VERSION,
    dsim: obj.dsim,
    spec,
    ...(choices === undefined ? {} : { choices }),
    ...(relativeModule === undefined ? {} : { relativeModule }),
    events,
    forgotten: obj.forgotten as number,
    traceHash: obj.traceHash,
  };
}

/** A choice log in a file: arrays of 32-bit draws by stream name. */
function checkChoices(raw: unknown): Record<string, number[]> {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    throw problem(`choices must be an object of arrays by stream, got ${describe(raw)}`);
  }
  for (const [name, values] of Object.entries(raw)) {
    if (
      !Array.isArray(values) ||
      !values.every((v) => Number.isInteger(v) && v >= 0 && v <= 0xffffffff)
    ) {
      throw problem(`choices.${name} must be an array of 32-bit whole numbers`);
    }
  }
  return raw as Record<string, number[]>;
}

function problem(text: string): ConfigError {
  return new ConfigError("trace file", text);
}

function describe(x: unknown): string {
  if (x === undefined) return "nothing";
  if (Array.isArray(x)) return "an array";
  if (x === null) return "null";
  if (typeof x === "object") return "an object";
  const s = JSON.stringify(x);
  return s.length > 40 ? s.slice(0, 39) + "…" : s;
}

type FieldType =
  | "node"
  | "node?"
  | "string"
  | "id"
  | "number"
  | "any"
  | "reason"
  | "status"
  | "groups";

/** The fields of each kind of event, besides `t` and `kind`. */
const FIELDS: Record<TraceKind, Record<string, FieldType>> = {
  start: { node: "node" },
  send: { node: "node", to: "node", id: "id", msg: "any" },
  deliver: { node: "node", from: "node", id: "id", msg: "any" },
  drop: { node: "node", from: "node", to: "node", id: "id", reason: "reason" },
  duplicate: { node: "node", to: "node", id: "id", copy: "id" },
  timer: { node: "node", name: "string" },
  crash: { node: "node" },
  restart: { node: "node" },
  pause: { node: "node" },
  resume: { node: "node" },
  partition: { groups: "groups" },
  block: { from: "node", to: "node" },
  unblock: { from: "node", to: "node" },
  disconnect: { node: "node" },
  reconnect: { node: "node" },
  heal: {},
  clock: { node: "node", skew: "number", drift: "number" },
  log: { node: "node", note: "string", data: "any" },
  invoke: { node: "node", op: "id", f: "string", input: "any" },
  complete: { node: "node", op: "id", status: "status", output: "any" },
  violation: { node: "node?", check: "string", message: "string" },
};

const REASONS = ["loss", "partition", "crashed", "mailbox-full"];
const STATUSES = ["ok", "fail", "info"];

function checkEvent(raw: unknown, i: number): TraceEvent {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    throw problem(`event ${i} must be an object, got ${describe(raw)}`);
  }
  const e = raw as Record<string, unknown>;
  if (typeof e.kind !== "string" || !Object.hasOwn(FIELDS, e.kind)) {
    throw problem(
      `event ${i} has unknown kind ${
        typeof e.kind === "string" ? `'${e.kind}'` : describe(e.kind)
      }; known: ${Object.keys(FIELDS).join(", ")}`,
    );
  }
  const kind = e.kind as TraceKind;
  if (typeof e.t !== "number" || !Number.isFinite(e.t) || e.t < 0) {
    throw problem(`event ${i} (${kind}) needs a time t >= 0, got ${describe(e.t)}`);
  }
  const fields = FIELDS[kind];
  for (const key of Object.keys(e)) {
    if (key !== "t" && key !== "kind" && !Object.hasOwn(fields, key)) {
      throw problem(`event ${i} (${kind}) has unknown field '${key}'`);
    }
  }
  for (const [key, type] of Object.entries(fields)) {
    const value = e[key];
    const bad = (what: string) =>
      problem(`event ${i} (${kind}) field '${key}' must be ${what}, got ${describe(value)}`);
    switch (type) {
      case "node?":
        if (value === undefined) break;
        // falls through
      case "node":
        if (typeof value !== "string" || !NODE_ID_PATTERN.test(value)) throw bad("a node id");
        break;
      case "string":
        if (typeof value !== "string") throw bad("a string");
        break;
      case "id":
        if (!(Number.isSafeInteger(value) && (value as number) >= 0)) {
          throw bad("a whole number >= 0");
        }
        break;
      case "number":
        if (typeof value !== "number" || !Number.isFinite(value)) throw bad("a number");
        break;
      case "any":
        break;
      case "reason":
        if (!REASONS.includes(value as string)) throw bad(`one of ${REASONS.join(", ")}`);
        break;
      case "status":
        if (!STATUSES.includes(value as string)) throw bad(`one of ${STATUSES.join(", ")}`);
        break;
      case "groups":
        if (
          !Array.isArray(value) ||
          !value.every((g) =>
            Array.isArray(g) && g.every((n) => typeof n === "string" && NODE_ID_PATTERN.test(n))
          )
        ) {
          throw bad("a list of lists of node ids");
        }
        break;
      default: {
        const never: never = type;
        throw new Error(`internal: unknown field type ${never}`);
      }
    }
  }
  return e as unknown as TraceEvent;
}

/** Where `text` stops being JSON, as "line L, column C (what was found)". */
function jsonErrorAt(text: string): string {
  const offset = firstJsonError(text);
  const before = text.slice(0, offset).split("\n");
  const line = before.length, column = before[before.length - 1].length + 1;
  const found = text.trim() === ""
    ? "the text is empty"
    : offset >= text.length
    ? "the text ends too early"
    : `unexpected ${JSON.stringify(text[offset])}`;
  return `line ${line}, column ${column}: ${found}`;
}

class JsonErrorAt {
  constructor(readonly offset: number) {}
}

/** The offset of the first character that makes `text` invalid JSON (text.length if it ends early). */
function firstJsonError(text: string): number {
  let i = 0;
  const fail = (): never => {
    throw new JsonErrorAt(i);
  };
  const space = () => {
    while (i < text.length && " \t\n\r".includes(text[i])) i++;
  };
  const string = () => {
    i++;
    while (i < text.length) {
      const c = text[i];
      if (c === '"') {
        i++;
        return;
      }
      if (c === "\\") {
        i++;
        if (text[i] === "u") {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 1, i + 5))) fail();
          i += 4;
        } else if (i >= text.length || !'"\\/bfnrt'.includes(text[i])) fail();
      } else if (c < " ") fail();
      i++;
    }
    fail();
  };
  const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
  const value = (): void => {
    space();
    if (i >= text.length) fail();
    const c = text[i];
    if (c === "{" || c === "[") {
      const close = c === "{" ? "}" : "]";
      i++;
      space();
      if (text[i] === close) {
        i++;
        return;
      }
      for (;;) {
        if (c === "{") {
          space();
          if (text[i] !== '"') fail();
          string();
          space();
          if (text[i] !== ":") fail();
          i++;
        }
        value();
        space();
        if (text[i] === ",") i++;
        else if (text[i] === close) {
          i++;
          return;
        } else fail();
      }
    }
    if (c === '"') return string();
    NUMBER.lastIndex = i;
    if (NUMBER.test(text)) {
      i = NUMBER.lastIndex;
      return;
    }
    for (const word of ["true", "false", "null"]) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return;
      }
    }
    fail();
  };
  try {
    value();
    space();
    if (i < text.length) fail();
  } catch (e) {
    if (e instanceof JsonErrorAt) return Math.min(e.offset, text.length);
    throw e;
  }
  // JSON.parse rejected what this scanner accepts (should not happen): point at the start.
  return 0;
}
