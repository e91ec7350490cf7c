/**
 * Traces saved to and loaded from JSON, so a run can be kept, diffed, drawn
 * again and checked for determinism later.
 *
 * The file is one JSON object; each event sits on a line of its own, so two
 * traces diff line by line:
 *
 * ```text
 * {
 *   "format": "dsim-trace",
 *   "version": 1,
 *   "scenario": "ping-pong",
 *   "seed": 3,
 *   "params": {"nodes":2,"until":1000,"latency":"1..10","loss":0.2},
 *   "faults": "@40 crash n2; @120 restart n2",
 *   "traceHash": "6f1c2a9e03b4d57a",
 *   "events": [
 *     {"t":0,"kind":"start","node":"n1"},
 *     {"t":0,"kind":"send","node":"n1","to":"n2","id":0,"msg":{"type":"ping","n":1}}
 *   ]
 * }
 * ```
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
import { parseFaults } from "./faults.ts";
import { formatLatency, parseLatency } from "./network.ts";
import type { FlagValue, ScenarioParams, ScenarioResult } from "./scenario.ts";
import { hashEvents, type TraceEvent, type TraceKind } from "./trace.ts";

/** The `format` field of every trace file. */
export const TRACE_FORMAT = "dsim-trace";
/** The file version this code writes and reads. */
export const TRACE_VERSION = 1;

/**
 * The run's parameters, in the command line's terms, so the file says how to
 * replay it.
 *
 * @example
 * ```ts
 * import type { TraceParams } from "./trace_file.ts";
 * const p: TraceParams = { nodes: 5, until: 2000, latency: "1..10", loss: 0.1 };
 * ```
 */
export interface TraceParams {
  nodes: number;
  until: number;
  /** Latency in the `--latency` form (`5`, `1..10`, `exp:40`). */
  latency?: string;
  loss?: number;
  dup?: number;
  fifo?: boolean;
  /** The scenario's own flags. */
  flags?: Record<string, FlagValue>;
}

/**
 * A saved trace.
 *
 * @example
 * ```ts
 * import type { TraceFile } from "./trace_file.ts";
 * const f: TraceFile = {
 *   format: "dsim-trace", version: 1, seed: 1, faults: "", traceHash: "811c9dc59747b28c", events: [],
 * };
 * ```
 */
export interface TraceFile {
  format: typeof TRACE_FORMAT;
  version: typeof TRACE_VERSION;
  scenario?: string;
  seed: number;
  params?: TraceParams;
  /** The fault schedule that ran, in the text form. */
  faults: string;
  /** {@linkcode hashEvents} of `events`, as the run reported it. */
  traceHash: string;
  events: TraceEvent[];
}

/**
 * Options for {@linkcode loadTrace}.
 *
 * @example
 * ```ts
 * import type { LoadTraceOptions } from "./trace_file.ts";
 * const o: LoadTraceOptions = { verify: false };
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
 * const events: TraceEvent[] = [{ t: 0, kind: "start", node: "n1" }];
 * const text = saveTrace({
 *   format: "dsim-trace", version: 1, seed: 1, faults: "", traceHash: hashEvents(events), events,
 * });
 * text.split("\n").length; // 11
 * ```
 */
export function saveTrace(file: TraceFile): string {
  const line = (key: string, value: unknown) =>
    `  ${JSON.stringify(key)}: ${JSON.stringify(encode(value, key))},`;
  const head = [
    "{",
    line("format", file.format),
    line("version", file.version),
    ...(file.scenario === undefined ? [] : [line("scenario", file.scenario)]),
    line("seed", file.seed),
    ...(file.params === undefined ? [] : [line("params", file.params)]),
    line("faults", file.faults),
    line("traceHash", file.traceHash),
  ];
  if (file.events.length === 0) return [...head, `  "events": []`, "}", ""].join("\n");
  const events = file.events.map((e, i) =>
    `    ${JSON.stringify(encode(e, String(i)))}${i + 1 < file.events.length ? "," : ""}`
  );
  return [...head, `  "events": [`, ...events, "  ]", "}", ""].join("\n");
}

/**
 * Builds a trace file from a scenario run (which must have been traced in
 * `full` mode). Pass the run's parameters (from `resolveParams`) to record
 * them too.
 *
 * @example
 * ```ts
 * import { traceFileFromResult, saveTrace } from "./trace_file.ts";
 * import { resolveParams, runScenario } from "./scenario.ts";
 * import { pingPong } from "../protocols/ping_pong/scenario.ts";
 * const given = { seed: 3, network: { loss: 0.2 } };
 * const run = runScenario(pingPong, given);
 * const text = saveTrace(traceFileFromResult(run, resolveParams(pingPong, given)));
 * ```
 */
export function traceFileFromResult(result: ScenarioResult, params?: ScenarioParams): TraceFile {
  const trace = result.sim.trace;
  if (trace.mode !== "full") {
    throw new ConfigError(
      "trace",
      `the run kept no events (trace mode "${trace.mode}"); run it with trace "full" to save it`,
    );
  }
  const file: TraceFile = {
    format: TRACE_FORMAT,
    version: TRACE_VERSION,
    scenario: result.scenario,
    seed: result.seed,
    faults: result.faults,
    traceHash: result.traceHash,
    events: [...trace.events],
  };
  if (params !== undefined) {
    const net = params.network;
    const p: TraceParams = { nodes: params.nodes, until: params.until };
    // A custom latency is a function: it cannot be written down, so it is left out.
    if (net.latency !== undefined && net.latency.kind !== "custom") {
      p.latency = formatLatency(net.latency);
    }
    if (net.loss !== undefined) p.loss = net.loss;
    if (net.duplicate !== undefined) p.dup = net.duplicate;
    if (net.fifo !== undefined) p.fifo = net.fifo;
    if (Object.keys(params.flags).length > 0) p.flags = { ...params.flags };
    file.params = p;
  }
  return file;
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
 * const events: TraceEvent[] = [{ t: 0, kind: "heal" }];
 * const text = saveTrace({
 *   format: "dsim-trace", version: 1, seed: 1, faults: "", traceHash: hashEvents(events), events,
 * });
 * loadTrace(text).events.length; // 1
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
    "scenario",
    "seed",
    "params",
    "faults",
    "traceHash",
    "events",
  ];
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) {
      throw problem(`unknown field ${JSON.stringify(key)}; allowed: ${allowed.join(", ")}`);
    }
  }
  if (obj.scenario !== undefined && typeof obj.scenario !== "string") {
    throw problem(`scenario must be a string, got ${describe(obj.scenario)}`);
  }
  if (typeof obj.seed !== "number" || !Number.isSafeInteger(obj.seed)) {
    throw problem(`seed must be a whole number, got ${describe(obj.seed)}`);
  }
  if (typeof obj.faults !== "string") {
    throw problem(`faults must be a string in the fault text form, got ${describe(obj.faults)}`);
  }
  try {
    parseFaults(obj.faults);
  } catch (e) {
    throw problem(`faults: ${(e as Error).message}`);
  }
  if (typeof obj.traceHash !== "string" || !/^[0-9a-f]{16}$/.test(obj.traceHash)) {
    throw problem(`traceHash must be 16 hex digits, got ${describe(obj.traceHash)}`);
  }
  const params = obj.params === undefined ? undefined : checkParams(obj.params);
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
  if (options.verify ?? true) {
    const actual = hashEvents(events);
    if (actual !== obj.traceHash) {
      throw problem(
        `the events hash to ${actual} but the file says traceHash ${obj.traceHash}; ` +
          `it was edited or damaged (load with verify: false to read it anyway)`,
      );
    }
  }
  // Keys in the order saveTrace writes them, so a reloaded file saves identically.
  return {
    format: TRACE_FORMAT,
    version: TRACE_VERSION,
    ...(obj.scenario === undefined ? {} : { scenario: obj.scenario }),
    seed: obj.seed,
    ...(params === undefined ? {} : { params }),
    faults: obj.faults,
    traceHash: obj.traceHash,
    events,
  };
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

function checkParams(raw: unknown): TraceParams {
  const decoded = decode(raw, "params");
  if (decoded === null || typeof decoded !== "object" || Array.isArray(decoded)) {
    throw problem(`params must be an object, got ${describe(decoded)}`);
  }
  const p = decoded as Record<string, unknown>;
  const types: Record<string, string> = {
    nodes: "count",
    until: "time",
    latency: "latency",
    loss: "probability",
    dup: "probability",
    fifo: "boolean",
    flags: "flags",
  };
  for (const [key, value] of Object.entries(p)) {
    const type = types[key];
    if (type === undefined) {
      throw problem(
        `params has unknown field ${JSON.stringify(key)}; allowed: ${
          Object.keys(types).join(", ")
        }`,
      );
    }
    const bad = (what: string) => problem(`params.${key} must be ${what}, got ${describe(value)}`);
    switch (type) {
      case "count":
        if (!(Number.isInteger(value) && (value as number) >= 1)) throw bad("a whole number >= 1");
        break;
      case "time":
        if (!(typeof value === "number" && Number.isFinite(value) && value > 0)) {
          throw bad("a number of ms > 0");
        }
        break;
      case "latency":
        if (typeof value !== "string") throw bad("a latency like 1..10");
        try {
          parseLatency(value, "params.latency");
        } catch (e) {
          throw problem((e as Error).message);
        }
        break;
      case "probability":
        if (!(typeof value === "number" && value >= 0 && value <= 1)) {
          throw bad("a probability in [0, 1]");
        }
        break;
      case "boolean":
        if (typeof value !== "boolean") throw bad("true or false");
        break;
      case "flags":
        if (
          value === null || typeof value !== "object" || Array.isArray(value) ||
          !Object.values(value).every((v) => ["string", "number", "boolean"].includes(typeof v))
        ) {
          throw bad("an object of strings, numbers and booleans");
        }
        break;
    }
  }
  if (p.nodes === undefined || p.until === undefined) {
    throw problem("params needs nodes and until");
  }
  return p as unknown as TraceParams;
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
