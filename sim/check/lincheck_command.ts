/**
 * `lincheck`: check a history recorded elsewhere (this project's JSON form or
 * a Jepsen `history.edn`) for linearizability. A pure function from the
 * file's text to an exit code and output, so the CLI only reads the file and
 * prints; nothing here exits the process.
 *
 * @module
 */

import { checkLinearizability, type LinearizabilityResult } from "./linearizability.ts";
import {
  casRegisterModel,
  counterModel,
  kvModel,
  type Model,
  ModelInputError,
  registerModel,
  setModel,
} from "./models.ts";
import {
  detectFormat,
  HistoryFormatError,
  type ParsedOperation,
  parseEdnHistory,
  parseJsonHistory,
} from "./history_format.ts";

/**
 * The model names `lincheck --model` accepts.
 *
 * @example
 * ```ts
 * import { MODEL_NAMES } from "./lincheck_command.ts";
 * import assert from "node:assert/strict";
 * assert.equal(MODEL_NAMES.join("|"), "register|cas-register|kv|counter|set");
 * ```
 */
export const MODEL_NAMES = ["register", "cas-register", "kv", "counter", "set"] as const;

/**
 * One of {@linkcode MODEL_NAMES}.
 *
 * @example
 * ```ts
 * import { modelByName, type ModelName } from "./lincheck_command.ts";
 * import assert from "node:assert/strict";
 * const m: ModelName = "kv";
 * assert.equal(modelByName(m)?.name, "kv");
 * ```
 */
export type ModelName = typeof MODEL_NAMES[number];

/**
 * The built-in model called `name`, or `undefined`.
 *
 * @example
 * ```ts
 * import { modelByName } from "./lincheck_command.ts";
 * import assert from "node:assert/strict";
 * assert.equal(modelByName("cas-register")?.name, "cas-register");
 * assert.equal(modelByName("queue"), undefined);
 * ```
 */
export function modelByName(name: string): Model<unknown> | undefined {
  if (!(MODEL_NAMES as readonly string[]).includes(name)) return undefined;
  const known = name as ModelName;
  switch (known) {
    case "register":
      return registerModel;
    case "cas-register":
      return casRegisterModel;
    case "kv":
      return kvModel as Model<unknown>;
    case "counter":
      return counterModel as Model<unknown>;
    case "set":
      return setModel as Model<unknown>;
    default: {
      const never: never = known;
      return never;
    }
  }
}

/**
 * Options of `lincheck`.
 *
 * @example
 * ```ts
 * import { lincheckCommand, type LincheckOptions } from "./lincheck_command.ts";
 * import assert from "node:assert/strict";
 * const o: LincheckOptions = { model: "kv", timeoutMs: 10_000, json: true };
 * const out = lincheckCommand("[]", "h.json", o);
 * assert.equal(JSON.parse(out.stdout).linearizable, true);
 * ```
 */
export interface LincheckOptions {
  /** One of {@linkcode MODEL_NAMES}. */
  model: string;
  /** Wall-clock budget; past it the verdict is unknown (exit 3). */
  timeoutMs?: number;
  /** Print one JSON line instead of text. */
  json?: boolean;
}

/**
 * What the CLI should do: exit with `exitCode` after writing `stdout` and
 * `stderr`. Exit codes: 0 linearizable, 1 not, 2 bad input, 3 unknown.
 *
 * @example
 * ```ts
 * import { lincheckCommand, type LincheckOutcome } from "./lincheck_command.ts";
 * import assert from "node:assert/strict";
 * const o: LincheckOutcome = lincheckCommand("not json", "h.json", { model: "register" });
 * assert.equal(o.exitCode, 2);
 * assert.equal(o.stdout, "");
 * ```
 */
export interface LincheckOutcome {
  /** 0 linearizable, 1 not linearizable, 2 bad input, 3 unknown (budget ran out). */
  exitCode: 0 | 1 | 2 | 3;
  /** Text for standard output (ends with a newline when not empty). */
  stdout: string;
  /** Text for standard error (ends with a newline when not empty). */
  stderr: string;
}

/**
 * Runs `lincheck` on the text of a history file. The format is EDN when the
 * name ends in `.edn` or the text starts with `{:` or `[{:`, JSON otherwise.
 * Prints the verdict (with `json`: one line
 * `{"linearizable": true|false|null, "ops": N, "ms": T}`, null when the
 * budget ran out) and, when not linearizable, the operations that cannot be
 * ordered.
 *
 * @example
 * ```ts
 * import { lincheckCommand } from "./lincheck_command.ts";
 * import assert from "node:assert/strict";
 * const text = [
 *   '{"client": "a", "f": "write", "input": 1, "call": 0, "ret": 10}',
 *   '{"client": "b", "f": "read", "output": 1, "call": 2, "ret": 4}',
 *   '{"client": "c", "f": "read", "output": null, "call": 5, "ret": 7}',
 * ].join("\n");
 * const out = lincheckCommand(text, "h.jsonl", { model: "register" });
 * assert.equal(out.exitCode, 1);
 * ```
 */
export function lincheckCommand(
  text: string,
  fileName: string,
  opts: LincheckOptions,
): LincheckOutcome {
  const bad = (message: string): LincheckOutcome => ({
    exitCode: 2,
    stdout: "",
    stderr: message + "\n",
  });
  const model = modelByName(opts.model);
  if (model === undefined) {
    return bad(`--model: unknown model "${opts.model}": use one of ${MODEL_NAMES.join("|")}`);
  }
  if (
    opts.timeoutMs !== undefined && (!Number.isFinite(opts.timeoutMs) || opts.timeoutMs < 0)
  ) {
    return bad(`--timeout-ms must be a non-negative number, got ${opts.timeoutMs}`);
  }
  const format = detectFormat(text, fileName);
  let ops: ParsedOperation[];
  try {
    ops = format === "edn" ? parseEdnHistory(text) : parseJsonHistory(text);
  } catch (e) {
    if (e instanceof HistoryFormatError) return bad(`${fileName}:${e.line}: ${stripLine(e)}`);
    throw e;
  }
  let result: LinearizabilityResult;
  try {
    result = checkLinearizability(ops, model, { timeoutMs: opts.timeoutMs });
  } catch (e) {
    if (e instanceof ModelInputError) {
      const op = ops[e.opId];
      const where = op === undefined ? fileName : `${fileName}:${op.line}`;
      return bad(`${where}: ${e.message} (model ${model.name})`);
    }
    if (e instanceof RangeError) return bad(`${fileName}: ${e.message}`);
    throw e;
  }
  const ms = Math.round(result.ms * 10) / 10;
  const exitCode = result.result === "ok" ? 0 : result.result === "illegal" ? 1 : 3;
  if (opts.json === true) {
    const linearizable = result.result === "ok" ? true : result.result === "illegal" ? false : null;
    return {
      exitCode,
      stdout: JSON.stringify({ linearizable, ops: result.ops, ms }) + "\n",
      stderr: "",
    };
  }
  const what = `${result.ops} operations, model ${model.name}, ${ms} ms`;
  switch (result.result) {
    case "ok":
      return { exitCode, stdout: `${fileName}: linearizable (${what})\n`, stderr: "" };
    case "unknown": {
      const why = opts.timeoutMs !== undefined && result.ms >= opts.timeoutMs
        ? `the ${opts.timeoutMs} ms budget ran out`
        : "the search outgrew its memory budget";
      return { exitCode, stdout: `${fileName}: unknown, ${why} (${what})\n`, stderr: "" };
    }
    case "illegal": {
      const lines = [`${fileName}: NOT linearizable (${what})`];
      const c = result.counterexample;
      if (c !== undefined) {
        lines.push("These operations cannot be ordered:");
        // description[k + 1] describes c.ops[k]; ids are positions in the file.
        c.ops.forEach((id, k) => {
          const line = ops[id]?.line;
          lines.push(`  ${c.description[k + 1]}${line === undefined ? "" : ` (line ${line})`}`);
        });
        lines.push(c.description[0]);
      }
      return { exitCode, stdout: lines.join("\n") + "\n", stderr: "" };
    }
    default: {
      const never: never = result.result;
      throw new Error(`unreachable verdict ${never}`);
    }
  }
}

function stripLine(e: HistoryFormatError): string {
  return e.message.replace(/^line \d+: /, "");
}
