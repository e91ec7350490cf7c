/**
 * Reading histories recorded elsewhere into {@linkcode Operation}s for the
 * linearizability checker: this project's JSON form and Jepsen's
 * `history.edn`.
 *
 * ## The JSON form
 *
 * Either one JSON array of operation objects, or JSON lines (one operation
 * object per line; blank lines are skipped). Each object:
 *
 * | field | type | meaning |
 * | --- | --- | --- |
 * | `client` | string or number | who invoked it; required |
 * | `f` | string | the operation: `read`, `write`, `cas`, `get`, `put`, `add`, ...; required |
 * | `input` | any JSON | the argument (`cas`: `[from, to]`; kv: `{"key": k, "value": v}`) |
 * | `output` | any JSON | the result; a read of `null` (or no `output`) means "no value yet" |
 * | `call` | number | when it was invoked; required |
 * | `ret` | number | when it returned, `>= call`; required unless the outcome is unknown |
 * | `unknown` | boolean | `true`: the outcome is unknown (timed out, crashed); it may or may not have taken effect, never returns, and `ret` and `output` are ignored |
 * | `status` | `"ok"`, `"fail"` or `"info"` | optional, default `"ok"`; `"fail"` means it certainly did not happen (it is ignored); `"info"` is the same as `unknown: true` |
 *
 * Times are numbers in any unit, compared only with each other; an operation
 * called at the same instant another returns counts as concurrent with it.
 * Other fields are ignored. Operations are numbered from 0 in file order.
 *
 * ```json
 * [
 *   {"client": "c1", "f": "write", "input": 1, "call": 0, "ret": 10},
 *   {"client": "c2", "f": "read", "output": 1, "call": 2, "ret": 4},
 *   {"client": "c3", "f": "read", "output": null, "call": 5, "ret": 7},
 *   {"client": "c4", "f": "write", "input": 2, "call": 6, "unknown": true}
 * ]
 * ```
 *
 * (That history is not linearizable: `c3` reads the old value after `c2`
 * saw the new one, the example of lecture 7.2.)
 *
 * ## Jepsen `history.edn`
 *
 * One map per line (or one vector or list of maps) with `:process`, `:type`
 * (`:invoke`, `:ok`, `:fail`, `:info`), `:f` and `:value`; other keys
 * (`:time`, `:index`, `:error`, ...) are ignored. Each invocation pairs with
 * the next completion of the same process. `:fail` did not happen, `:info`
 * may or may not have happened and never returns, and an invocation with no
 * completion is pending. Operations of a keyword process (`:nemesis`) are
 * skipped. Times are the positions of the events in the file. The invocation's
 * `:value` is the input and the completion's the output; keywords in values
 * become `":name"` strings, sets and lists arrays, `nil` `null`.
 *
 * @module
 */

import type { Operation } from "../history.ts";
import { canonical } from "./models.ts";

/**
 * A history that cannot be read. `line` is 1-based.
 *
 * @example
 * ```ts
 * import { HistoryFormatError, parseJsonHistory } from "./history_format.ts";
 * import assert from "node:assert/strict";
 * assert.throws(
 *   () => parseJsonHistory('{"client": 1, "f": "read", "call": 0, "ret": 1}\n{"client": 1'),
 *   (e) => e instanceof HistoryFormatError && e.line === 2,
 * );
 * ```
 */
export class HistoryFormatError extends Error {
  /** The 1-based line the problem is on. */
  readonly line: number;
  /** Builds the error; the message is prefixed with `line N: `. */
  constructor(line: number, what: string) {
    super(`line ${line}: ${what}`);
    this.name = "HistoryFormatError";
    this.line = line;
  }
}

/**
 * An operation read from a file, with the line it came from (for a Jepsen
 * history, the line of its invocation).
 *
 * @example
 * ```ts
 * import { type ParsedOperation, parseJsonHistory } from "./history_format.ts";
 * import assert from "node:assert/strict";
 * const [op]: ParsedOperation[] = parseJsonHistory(
 *   '{"client": "1", "f": "read", "output": 3, "call": 0, "ret": 1}',
 * );
 * assert.equal(op.line, 1);
 * assert.equal(op.status, "ok");
 * ```
 */
export interface ParsedOperation extends Operation {
  /** The 1-based line it was read from. */
  line: number;
}

/**
 * A history file's format.
 *
 * @example
 * ```ts
 * import { detectFormat, type HistoryFormat } from "./history_format.ts";
 * import assert from "node:assert/strict";
 * const f: HistoryFormat = detectFormat("", "history.edn");
 * assert.equal(f, "edn");
 * ```
 */
export type HistoryFormat = "json" | "edn";

/**
 * Guesses a file's format: `edn` for a `.edn` name or content that starts
 * with `{:`, `[{:` or `({:` (after whitespace and `;` comments), `json` for
 * anything else (`.json`, `.jsonl` and `.ndjson` names are always JSON).
 *
 * @example
 * ```ts
 * import { detectFormat } from "./history_format.ts";
 * import assert from "node:assert/strict";
 * assert.equal(detectFormat("{:process 0, :type :invoke}", "h.txt"), "edn");
 * assert.equal(detectFormat("[]", "h.json"), "json");
 * ```
 */
export function detectFormat(text: string, fileName = ""): HistoryFormat {
  const lower = fileName.toLowerCase();
  if (lower.endsWith(".edn")) return "edn";
  if (lower.endsWith(".json") || lower.endsWith(".jsonl") || lower.endsWith(".ndjson")) {
    return "json";
  }
  // Knossos's test histories are lists, `({:...} ...)`, so accept that opening too.
  const head = text.replace(/^(?:\s|,|;[^\n]*)*/, "").replace(/^([[(])[\s,]*/, "$1");
  return /^[[(]?\{:/.test(head) ? "edn" : "json";
}

/**
 * Reads a history in either format, chosen by {@linkcode detectFormat}.
 *
 * @example
 * ```ts
 * import { parseHistory } from "./history_format.ts";
 * import assert from "node:assert/strict";
 * const ops = parseHistory('{:process 0, :type :invoke, :f :read, :value nil}', "h.edn");
 * assert.equal(ops[0].status, "pending");
 * ```
 */
export function parseHistory(text: string, fileName = ""): ParsedOperation[] {
  return detectFormat(text, fileName) === "edn" ? parseEdnHistory(text) : parseJsonHistory(text);
}

// ---------------------------------------------------------------------------
// JSON

/**
 * Reads this project's JSON history form (see the module documentation): a
 * JSON array of operation objects, or JSON lines.
 *
 * @example
 * ```ts
 * import { parseJsonHistory } from "./history_format.ts";
 * import assert from "node:assert/strict";
 * const ops = parseJsonHistory(
 *   '{"client": "c1", "f": "write", "input": 1, "call": 0, "unknown": true}',
 * );
 * assert.equal(ops[0].status, "info");
 * assert.equal(ops[0].ret, Infinity);
 * ```
 */
export function parseJsonHistory(text: string): ParsedOperation[] {
  const items = /^\s*\[/.test(text) ? jsonArrayItems(text) : jsonLineItems(text);
  return items.map(({ value, line }, i) => jsonOperation(value, line, i));
}

interface LineItem {
  value: unknown;
  line: number;
}

function jsonLineItems(text: string): LineItem[] {
  const items: LineItem[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const s = lines[i].trim();
    if (s === "") continue;
    items.push({ value: parseJsonAt(s, i + 1), line: i + 1 });
  }
  return items;
}

function parseJsonAt(s: string, line: number): unknown {
  try {
    return JSON.parse(s);
  } catch (e) {
    throw new HistoryFormatError(line, `invalid JSON (${(e as Error).message})`);
  }
}

/**
 * Splits a top-level JSON array into its elements with their start lines,
 * checking only the structure between elements; JSON.parse then reads each
 * element, so every error can name its line.
 */
function jsonArrayItems(text: string): LineItem[] {
  const items: LineItem[] = [];
  let pos = text.indexOf("[") + 1;
  let line = 1;
  for (let i = 0; i < pos; i++) if (text.charCodeAt(i) === 10) line++;
  const skipSpace = () => {
    for (; pos < text.length; pos++) {
      const c = text.charCodeAt(pos);
      if (c === 10) line++;
      else if (c !== 32 && c !== 9 && c !== 13) break;
    }
  };
  skipSpace();
  if (text[pos] === "]") {
    pos++;
  } else {
    for (;;) {
      skipSpace();
      if (pos >= text.length) throw new HistoryFormatError(line, "the array is not closed");
      const start = pos, startLine = line;
      let depth = 0;
      for (; pos < text.length; pos++) {
        const c = text.charCodeAt(pos);
        if (c === 10) line++;
        else if (c === 34) { // a string: skip it whole, it may hold brackets
          for (pos++; pos < text.length; pos++) {
            const d = text.charCodeAt(pos);
            if (d === 34) break;
            if (d === 92) pos++; // backslash escapes the next character
            else if (d === 10) {
              throw new HistoryFormatError(line, "a string runs past the end of the line");
            }
          }
          if (pos >= text.length) throw new HistoryFormatError(startLine, "unterminated string");
        } else if (c === 123 || c === 91) depth++; // { [
        else if (c === 125 || c === 93) { // } ]
          if (depth === 0) break;
          depth--;
        } else if (c === 44 && depth === 0) break; // ,
      }
      if (depth > 0 || pos >= text.length) {
        throw new HistoryFormatError(startLine, "this element or the array is not closed");
      }
      items.push({ value: parseJsonAt(text.slice(start, pos), startLine), line: startLine });
      if (text[pos] === "]") {
        pos++;
        break;
      }
      if (text[pos] === "}") throw new HistoryFormatError(line, "unexpected '}'");
      pos++; // the comma
    }
  }
  skipSpace();
  if (pos < text.length) {
    throw new HistoryFormatError(line, "unexpected text after the closing ']'");
  }
  return items;
}

function jsonOperation(v: unknown, line: number, id: number): ParsedOperation {
  if (typeof v !== "object" || v === null || Array.isArray(v)) {
    throw new HistoryFormatError(line, `expected an operation object, got ${brief(v)}`);
  }
  const o = v as Record<string, unknown>;
  const client = o.client;
  if (typeof client !== "string" && typeof client !== "number") {
    throw new HistoryFormatError(line, `"client" must be a string or number, got ${brief(client)}`);
  }
  if (typeof o.f !== "string" || o.f === "") {
    throw new HistoryFormatError(line, `"f" must be a non-empty string, got ${brief(o.f)}`);
  }
  if (typeof o.call !== "number" || !Number.isFinite(o.call)) {
    throw new HistoryFormatError(line, `"call" must be a finite number, got ${brief(o.call)}`);
  }
  if (o.unknown !== undefined && typeof o.unknown !== "boolean") {
    throw new HistoryFormatError(line, `"unknown" must be true or false, got ${brief(o.unknown)}`);
  }
  let status: Operation["status"] = "ok";
  if (o.status !== undefined) {
    if (o.status !== "ok" && o.status !== "fail" && o.status !== "info") {
      throw new HistoryFormatError(
        line,
        `"status" must be "ok", "fail" or "info", got ${brief(o.status)}`,
      );
    }
    status = o.status;
  }
  if (o.unknown === true && status !== "fail") status = "info";
  let ret = Infinity;
  if (status !== "info") {
    if (typeof o.ret !== "number" || !Number.isFinite(o.ret)) {
      throw new HistoryFormatError(
        line,
        `"ret" must be a finite number (or set "unknown": true), got ${brief(o.ret)}`,
      );
    }
    if (o.ret < o.call) {
      throw new HistoryFormatError(line, `"ret" (${o.ret}) is before "call" (${o.call})`);
    }
    ret = o.ret;
  }
  return {
    id,
    client: String(client),
    f: o.f,
    input: o.input,
    output: status === "info" ? undefined : o.output,
    call: o.call,
    ret,
    status,
    line,
  };
}

function brief(v: unknown): string {
  if (v === undefined) return "nothing";
  const s = typeof v === "string" ? JSON.stringify(v) : canonical(v);
  return s.length > 40 ? s.slice(0, 37) + "..." : s;
}

// ---------------------------------------------------------------------------
// EDN

/**
 * An EDN keyword such as `:invoke`. Keywords are interned, so `===` compares
 * them and a map can be looked up by {@linkcode Keyword.of}.
 *
 * @example
 * ```ts
 * import { Keyword } from "./history_format.ts";
 * import assert from "node:assert/strict";
 * assert.equal(Keyword.of("ok"), Keyword.of("ok")); // interned: one object per name
 * ```
 */
export class Keyword {
  static readonly #interned = new Map<string, Keyword>();
  /** The name without the colon, namespace included (`jepsen/op`). */
  readonly name: string;
  private constructor(name: string) {
    this.name = name;
  }
  /** The keyword `:name`. */
  static of(name: string): Keyword {
    let k = Keyword.#interned.get(name);
    if (k === undefined) {
      k = new Keyword(name);
      Keyword.#interned.set(name, k);
    }
    return k;
  }
  /** `:name`. */
  toString(): string {
    return ":" + this.name;
  }
}

/**
 * An EDN symbol other than `nil`, `true` and `false`.
 *
 * @example
 * ```ts
 * import { EdnSymbol } from "./history_format.ts";
 * import assert from "node:assert/strict";
 * assert.equal(new EdnSymbol("foo").name, "foo");
 * ```
 */
export class EdnSymbol {
  /** The symbol's text. */
  readonly name: string;
  /** Wraps `name`. */
  constructor(name: string) {
    this.name = name;
  }
}

/**
 * An EDN set `#{...}`, its elements in the order written.
 *
 * @example
 * ```ts
 * import { EdnSet } from "./history_format.ts";
 * import assert from "node:assert/strict";
 * assert.equal(new EdnSet([1, 2]).items.length, 2);
 * ```
 */
export class EdnSet {
  /** The elements. */
  readonly items: EdnValue[];
  /** Wraps `items`. */
  constructor(items: EdnValue[]) {
    this.items = items;
  }
}

/**
 * An EDN map, remembering the line its `{` was on. Keys are compared with
 * `===` (keywords are interned, so `get(Keyword.of("f"))` works). History
 * maps are small, so two arrays beat a hash table here: a Jepsen history has
 * a map per line, and building a `Map` for each was most of the reading time.
 *
 * @example
 * ```ts
 * import { EdnMap, Keyword } from "./history_format.ts";
 * import assert from "node:assert/strict";
 * const m = new EdnMap(3);
 * m.set(Keyword.of("f"), Keyword.of("read"));
 * assert.equal(m.get(Keyword.of("f")), Keyword.of("read"));
 * assert.equal(m.line, 3);
 * ```
 */
export class EdnMap {
  /** The 1-based line of the opening brace. */
  readonly line: number;
  /** The keys, in the order written. */
  readonly keys: EdnValue[] = [];
  /** The values, matching `keys`. */
  readonly values: EdnValue[] = [];
  /** An empty map opened on `line`. */
  constructor(line: number) {
    this.line = line;
  }
  /** The value of `key` (the last one written, if repeated), or `undefined`. */
  get(key: EdnValue): EdnValue | undefined {
    for (let i = this.keys.length - 1; i >= 0; i--) if (this.keys[i] === key) return this.values[i];
    return undefined;
  }
  /** Adds an entry. */
  set(key: EdnValue, value: EdnValue): this {
    this.keys.push(key);
    this.values.push(value);
    return this;
  }
}

/**
 * A value read from EDN. Vectors and lists are arrays, `nil` is `null`,
 * integers are numbers (bigints past 2^53), characters are one-letter
 * strings and tagged values (`#inst "..."`) are their untagged value.
 *
 * @example
 * ```ts
 * import { type EdnValue, readEdn } from "./history_format.ts";
 * import assert from "node:assert/strict";
 * const v: EdnValue = readEdn('[1 "a" nil]')[0].value;
 * assert.deepEqual(v, [1, "a", null]);
 * ```
 */
export type EdnValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | Keyword
  | EdnSymbol
  | EdnSet
  | EdnMap
  | EdnValue[];

/**
 * One top-level EDN form and the line it starts on.
 *
 * @example
 * ```ts
 * import { type EdnForm, readEdn } from "./history_format.ts";
 * import assert from "node:assert/strict";
 * const [f]: EdnForm[] = readEdn("\n42");
 * assert.deepEqual(f, { value: 42, line: 2 });
 * ```
 */
export interface EdnForm {
  /** The value. */
  value: EdnValue;
  /** The 1-based line it starts on. */
  line: number;
}

const NAMED_CHARS: Record<string, string> = {
  newline: "\n",
  space: " ",
  tab: "\t",
  return: "\r",
  backspace: "\b",
  formfeed: "\f",
};

/** Reads EDN text; a minimal reader, enough for Jepsen histories. */
class EdnReader {
  pos = 0;
  line = 1;
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }

  /** Skips whitespace, commas and comments; returns false at the end of input. */
  skip(): boolean {
    const t = this.text;
    while (this.pos < t.length) {
      const c = t.charCodeAt(this.pos);
      if (c === 10) {
        this.line++;
        this.pos++;
      } else if (c === 32 || c === 44 || c === 9 || c === 13) {
        this.pos++;
      } else if (c === 59) { // ;
        while (this.pos < t.length && t.charCodeAt(this.pos) !== 10) this.pos++;
      } else {
        return true;
      }
    }
    return false;
  }

  fail(what: string, line = this.line): never {
    throw new HistoryFormatError(line, what);
  }

  /**
   * Reads one form. `close` is the delimiter that ends the enclosing
   * collection: meeting it returns CLOSE, the end of input returns END.
   */
  read(close?: string): EdnValue | typeof END | typeof CLOSE {
    if (!this.skip()) return END;
    const t = this.text;
    const c = t[this.pos];
    const line = this.line;
    switch (c) {
      case "{": {
        this.pos++;
        const m = new EdnMap(line);
        for (;;) {
          const k = this.read("}");
          if (k === CLOSE) return m;
          if (k === END) this.fail("this map is not closed", line);
          const v = this.read("}");
          if (v === END) this.fail("this map is not closed", line);
          if (v === CLOSE) this.fail("a map key has no value");
          m.set(k, v);
        }
      }
      case "[":
      case "(": {
        this.pos++;
        const want = c === "[" ? "]" : ")";
        const items: EdnValue[] = [];
        for (;;) {
          const v = this.read(want);
          if (v === CLOSE) return items;
          if (v === END) this.fail(`this ${c === "[" ? "vector" : "list"} is not closed`, line);
          items.push(v);
        }
      }
      case "}":
      case "]":
      case ")":
        if (c === close) {
          this.pos++;
          return CLOSE;
        }
        return this.fail(`unexpected '${c}'`);
      case '"':
        return this.readString();
      case "#": {
        const d = t[this.pos + 1];
        if (d === "{") {
          this.pos += 2;
          const items: EdnValue[] = [];
          for (;;) {
            const v = this.read("}");
            if (v === CLOSE) return new EdnSet(items);
            if (v === END) this.fail("this set is not closed", line);
            items.push(v);
          }
        }
        if (d === "_") {
          this.pos += 2;
          const gone = this.read(close);
          if (gone === END || gone === CLOSE) this.fail("#_ discards nothing");
          return this.read(close);
        }
        if (d === "#") {
          this.pos += 2;
          const sym = this.token();
          if (sym === "Inf") return Infinity;
          if (sym === "-Inf") return -Infinity;
          if (sym === "NaN") return NaN;
          return this.fail(`unknown symbolic value ##${sym}`);
        }
        // A tagged literal (#inst "...", #jepsen.history.Op{...}): keep the value, drop the tag.
        this.pos++;
        if (this.token() === "") this.fail("a '#' with no tag");
        {
          const v = this.read(close);
          if (v === END || v === CLOSE) this.fail("a tag with no value");
          return v;
        }
      }
      case ":": {
        this.pos++;
        const name = this.token();
        if (name === "") this.fail("a ':' with no keyword name");
        return Keyword.of(name);
      }
      case "\\": {
        this.pos++;
        const start = this.pos;
        this.pos++; // at least one character, even a delimiter
        const rest = this.token();
        const s = t.slice(start, this.pos);
        if (rest === "") return s;
        if (s in NAMED_CHARS) return NAMED_CHARS[s];
        if (/^u[0-9a-fA-F]{4}$/.test(s)) return String.fromCharCode(parseInt(s.slice(1), 16));
        return this.fail(`unknown character literal \\${s}`);
      }
      default: {
        const tok = this.token();
        if (tok === "") return this.fail(`unexpected '${c}'`);
        return this.atom(tok);
      }
    }
  }

  /** Reads symbol-like characters up to a delimiter. */
  token(): string {
    const t = this.text, start = this.pos;
    while (this.pos < t.length && !isDelimiter(t.charCodeAt(this.pos))) this.pos++;
    return t.slice(start, this.pos);
  }

  atom(tok: string): EdnValue {
    if (tok === "nil") return null;
    if (tok === "true") return true;
    if (tok === "false") return false;
    const c = tok.charCodeAt(0);
    const numeric = (c >= 48 && c <= 57) ||
      ((c === 43 || c === 45) && tok.length > 1 && /[0-9]/.test(tok[1]));
    if (!numeric) return new EdnSymbol(tok);
    if (/^[+-]?\d+N?$/.test(tok)) {
      const digits = tok.endsWith("N") ? tok.slice(0, -1) : tok;
      const n = Number(digits);
      return Number.isSafeInteger(n) ? n : BigInt(digits);
    }
    if (/^[+-]?\d+(\.\d*)?([eE][+-]?\d+)?M?$/.test(tok)) {
      return Number(tok.endsWith("M") ? tok.slice(0, -1) : tok);
    }
    const ratio = /^([+-]?\d+)\/(\d+)$/.exec(tok);
    if (ratio !== null) return Number(ratio[1]) / Number(ratio[2]);
    return this.fail(`bad number ${tok}`);
  }

  readString(): string {
    const t = this.text, line = this.line;
    let s = "";
    let i = this.pos + 1;
    let start = i;
    for (;;) {
      if (i >= t.length) this.fail("unterminated string", line);
      const c = t.charCodeAt(i);
      if (c === 34) break; // "
      if (c === 10) this.line++;
      if (c !== 92) { // not a backslash
        i++;
        continue;
      }
      s += t.slice(start, i);
      const e = t[i + 1];
      switch (e) {
        case "n":
          s += "\n";
          break;
        case "t":
          s += "\t";
          break;
        case "r":
          s += "\r";
          break;
        case "b":
          s += "\b";
          break;
        case "f":
          s += "\f";
          break;
        case '"':
        case "\\":
        case "/":
          s += e;
          break;
        case "u": {
          const hex = t.slice(i + 2, i + 6);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail(`bad escape \\u${hex} in a string`);
          s += String.fromCharCode(parseInt(hex, 16));
          i += 6;
          start = i;
          continue;
        }
        default:
          this.fail(`bad escape \\${e ?? ""} in a string`);
      }
      i += 2;
      start = i;
    }
    this.pos = i + 1;
    return s + t.slice(start, i);
  }
}

const END: unique symbol = Symbol("end");
const CLOSE: unique symbol = Symbol("close");

/** Whitespace, comma, `;`, brackets and `"` end a token. */
function isDelimiter(c: number): boolean {
  switch (c) {
    case 32: // space
    case 9: // tab
    case 10: // newline
    case 13: // return
    case 12: // form feed
    case 44: // ,
    case 59: // ;
    case 40: // (
    case 41: // )
    case 91: // [
    case 93: // ]
    case 123: // {
    case 125: // }
    case 34: // "
      return true;
    default:
      return false;
  }
}

/**
 * Reads every top-level form of an EDN text. Throws
 * {@linkcode HistoryFormatError} naming the line of the first problem.
 *
 * @example
 * ```ts
 * import { EdnMap, Keyword, readEdn } from "./history_format.ts";
 * import assert from "node:assert/strict";
 * const [form] = readEdn("{:type :ok, :value [1 2]}");
 * assert.deepEqual((form.value as EdnMap).get(Keyword.of("value")), [1, 2]);
 * ```
 */
export function readEdn(text: string): EdnForm[] {
  const r = new EdnReader(text);
  const forms: EdnForm[] = [];
  for (;;) {
    if (!r.skip()) return forms;
    const line = r.line;
    const value = r.read();
    if (value === END) return forms;
    if (value === CLOSE) throw new HistoryFormatError(r.line, "unexpected closing bracket");
    forms.push({ value, line });
  }
}

/**
 * Converts an EDN value to plain JSON-like data: keywords become `":name"`
 * strings, maps plain objects (keyword keys lose the colon), sets and lists
 * arrays, `nil` `null`.
 *
 * @example
 * ```ts
 * import { readEdn, toPlain } from "./history_format.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(toPlain(readEdn("{:a #{1} :b :c}")[0].value), { a: [1], b: ":c" });
 * ```
 */
export function toPlain(v: EdnValue): unknown {
  if (v === null || typeof v !== "object") return v;
  if (Array.isArray(v)) return v.map(toPlain);
  if (v instanceof Keyword) return ":" + v.name;
  if (v instanceof EdnSymbol) return v.name;
  if (v instanceof EdnSet) return v.items.map(toPlain);
  const o: Record<string, unknown> = {};
  for (let i = 0; i < v.keys.length; i++) {
    const k = v.keys[i], x = v.values[i];
    const key = k instanceof Keyword ? k.name : typeof k === "string" ? k : canonical(toPlain(k));
    o[key] = toPlain(x);
  }
  return o;
}

const K_TYPE = Keyword.of("type");
const K_PROCESS = Keyword.of("process");
const K_F = Keyword.of("f");
const K_VALUE = Keyword.of("value");

/**
 * Reads a Jepsen `history.edn` (see the module documentation for the rules).
 *
 * @example
 * ```ts
 * import { parseEdnHistory } from "./history_format.ts";
 * import assert from "node:assert/strict";
 * const ops = parseEdnHistory([
 *   "{:process 0, :type :invoke, :f :cas, :value [1 2]}",
 *   "{:process 0, :type :ok, :f :cas, :value [1 2]}",
 * ].join("\n"));
 * assert.deepEqual(ops[0].input, [1, 2]);
 * assert.equal(ops[0].ret, 1);
 * ```
 */
export function parseEdnHistory(text: string): ParsedOperation[] {
  const ops: ParsedOperation[] = [];
  const open = new Map<string, ParsedOperation>();
  let index = 0;
  // Each map is turned into an operation as soon as it is read, so the
  // reader never holds the whole history as EDN values.
  const accept = (m: EdnValue, line: number) => {
    if (!(m instanceof EdnMap)) {
      throw new HistoryFormatError(line, `expected an operation map, got ${brief(toPlain(m))}`);
    }
    const at = index++;
    const type = m.get(K_TYPE);
    if (!(type instanceof Keyword)) {
      throw new HistoryFormatError(line, `:type must be a keyword, got ${describeEdn(type)}`);
    }
    const process = m.get(K_PROCESS);
    if (process instanceof Keyword) return; // :nemesis and other non-client processes
    if (typeof process !== "number" && typeof process !== "bigint" && typeof process !== "string") {
      throw new HistoryFormatError(line, `:process must be a number, got ${describeEdn(process)}`);
    }
    const fv = m.get(K_F);
    const f = fv instanceof Keyword ? fv.name : typeof fv === "string" ? fv : undefined;
    if (f === undefined) {
      throw new HistoryFormatError(line, `:f must be a keyword, got ${describeEdn(fv)}`);
    }
    const client = String(process);
    const value = toPlain(m.get(K_VALUE) ?? null);
    const pending = open.get(client);
    switch (type.name) {
      case "invoke": {
        if (pending !== undefined) {
          throw new HistoryFormatError(
            line,
            `process ${client} invokes again before its operation on line ${pending.line} completed`,
          );
        }
        const op: ParsedOperation = {
          id: ops.length,
          client,
          f,
          input: value,
          output: undefined,
          call: at,
          ret: Infinity,
          status: "pending",
          line,
        };
        ops.push(op);
        open.set(client, op);
        break;
      }
      case "ok":
      case "fail":
      case "info": {
        if (pending === undefined) {
          throw new HistoryFormatError(
            line,
            `:${type.name} for process ${client} without an :invoke before it`,
          );
        }
        if (pending.f !== f) {
          throw new HistoryFormatError(
            line,
            `:${type.name} :${f} completes process ${client}'s :${pending.f} from line ${pending.line}`,
          );
        }
        open.delete(client);
        pending.status = type.name;
        if (type.name !== "info") {
          pending.output = value;
          pending.ret = at;
        }
        break;
      }
      default:
        throw new HistoryFormatError(
          line,
          `:type must be :invoke, :ok, :fail or :info, got :${type.name}`,
        );
    }
  };

  const r = new EdnReader(text);
  if (!r.skip()) return ops;
  const first = text[r.pos];
  if (first === "[" || first === "(") {
    // One vector (or list, as in Knossos's test data) holding every operation.
    const startLine = r.line;
    const close = first === "[" ? "]" : ")";
    r.pos++;
    for (;;) {
      const line = r.skip() ? r.line : startLine;
      const v = r.read(close);
      if (v === CLOSE) break;
      if (v === END) throw new HistoryFormatError(startLine, "the history vector is not closed");
      accept(v, v instanceof EdnMap ? v.line : line);
    }
    if (r.skip()) throw new HistoryFormatError(r.line, "unexpected form after the history vector");
    return ops;
  }
  for (;;) {
    if (!r.skip()) return ops;
    const line = r.line;
    const v = r.read();
    if (v === END) return ops;
    if (v === CLOSE) throw new HistoryFormatError(line, "unexpected closing bracket");
    accept(v, line);
  }
}

function describeEdn(v: EdnValue | undefined): string {
  if (v === undefined) return "nothing";
  if (v instanceof Keyword) return v.toString();
  return brief(toPlain(v));
}
