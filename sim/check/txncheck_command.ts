/**
 * `txncheck`: check a history of transactions recorded elsewhere (this
 * project's JSON form or a Jepsen `history.edn` of a list-append or
 * rw-register workload) for isolation anomalies, as Elle does. A pure
 * function from the file's text to an exit code and output, so the CLI only
 * reads the file and prints; nothing here exits the process.
 *
 * @module
 */

import { anomalyName, txnName } from "./txn/anomaly.ts";
import { checkTransactions, type TxnCheckResult } from "./txn/check.ts";
import { CONSISTENCY_MODELS, type ConsistencyModel } from "./txn/consistency.ts";
import { TXN_WORKLOADS, type TxnWorkload } from "./txn/transactions.ts";
import {
  detectFormat,
  HistoryFormatError,
  type ParsedOperation,
  parseEdnHistory,
  parseJsonHistory,
} from "./history_format.ts";
import { canonical, ModelInputError } from "./models.ts";

/**
 * Options of `txncheck`, as the command line gives them.
 *
 * @example
 * ```ts
 * import type { TxncheckOptions } from "./txncheck_command.ts";
 * import assert from "node:assert/strict";
 * const o: TxncheckOptions = { model: "list-append", consistency: "serializable", json: true };
 * assert.equal(o.json, true);
 * ```
 */
export interface TxncheckOptions {
  /** `list-append` or `rw-register`; detected from the micro-operations when absent. */
  model?: string;
  /** The consistency model the history must hold (default `strict-serializable`). */
  consistency?: string;
  /** Wall-clock budget for the cycle search, as typed (ms > 0). */
  timeoutMs?: string;
  /** Print one JSON object instead of text. */
  json?: boolean;
  /** Edge visits the cycle search may make (see `TxnCheckOptions.maxSteps`). */
  maxSteps?: number;
}

/**
 * What the CLI should do: exit with `exitCode` after writing `stdout` and
 * `stderr`. Exit codes: 0 no anomaly the model forbids, 1 some, 2 bad input,
 * 3 unknown (the budget ran out before any was found).
 *
 * @example
 * ```ts
 * import type { TxncheckOutcome } from "./txncheck_command.ts";
 * import assert from "node:assert/strict";
 * const o: TxncheckOutcome = { exitCode: 0, stdout: "h.json: ok\n", stderr: "" };
 * assert.equal(o.exitCode, 0);
 * ```
 */
export interface TxncheckOutcome {
  /** 0 valid, 1 anomalies found, 2 bad input, 3 unknown. */
  exitCode: 0 | 1 | 2 | 3;
  /** Text for standard output (ends with a newline when not empty). */
  stdout: string;
  /** Text for standard error (ends with a newline when not empty). */
  stderr: string;
}

/** Most examples printed per anomaly type in the text report. */
const EXAMPLES_PER_TYPE = 2;

/**
 * Runs `txncheck` on the text of a history file. The format is EDN when the
 * name ends in `.edn` or the text starts with `{:`, JSON otherwise. Prints
 * the verdict, the anomalies found with the transactions and the cycle that
 * shows each, and the models they rule out; with `json`, one JSON object
 * (`valid` is `null` when the budget ran out).
 *
 * @example
 * ```ts
 * import { txncheckCommand } from "./txncheck_command.ts";
 * import assert from "node:assert/strict";
 * const text = [
 *   '{"client": 1, "f": "txn", "output": [["r", "x", []], ["append", "y", 1]], "call": 0, "ret": 5}',
 *   '{"client": 2, "f": "txn", "output": [["r", "y", []], ["append", "x", 1]], "call": 0, "ret": 5}',
 * ].join("\n");
 * const out = txncheckCommand(text, "skew.jsonl", {});
 * assert.equal(out.exitCode, 1);
 * assert.match(out.stdout, /G2 \(anti-dependency cycle/);
 * assert.equal(txncheckCommand(text, "skew.jsonl", { consistency: "snapshot-isolation" }).exitCode, 0);
 * ```
 */
export function txncheckCommand(
  text: string,
  fileName: string,
  opts: TxncheckOptions,
): TxncheckOutcome {
  const bad = (message: string): TxncheckOutcome => ({
    exitCode: 2,
    stdout: "",
    stderr: message + "\n",
  });
  if (opts.model !== undefined && !(TXN_WORKLOADS as readonly string[]).includes(opts.model)) {
    return bad(`--model: unknown workload "${opts.model}": use one of ${TXN_WORKLOADS.join(", ")}`);
  }
  if (
    opts.consistency !== undefined &&
    !(CONSISTENCY_MODELS as readonly string[]).includes(opts.consistency)
  ) {
    return bad(
      `--consistency: unknown model "${opts.consistency}": use one of ${
        CONSISTENCY_MODELS.join(", ")
      }`,
    );
  }
  let timeoutMs: number | undefined;
  if (opts.timeoutMs !== undefined) {
    timeoutMs = Number(opts.timeoutMs);
    if (opts.timeoutMs.trim() === "" || !(timeoutMs > 0) || !Number.isFinite(timeoutMs)) {
      return bad(`--timeout-ms: must be a number of ms > 0, got ${JSON.stringify(opts.timeoutMs)}`);
    }
  }
  let ops: ParsedOperation[];
  try {
    ops = detectFormat(text, fileName) === "edn" ? parseEdnHistory(text) : parseJsonHistory(text);
  } catch (e) {
    if (e instanceof HistoryFormatError) {
      return bad(`${fileName}:${e.line}: ${e.message.replace(/^line \d+: /, "")}`);
    }
    throw e;
  }
  let result: TxnCheckResult;
  try {
    result = checkTransactions(ops, {
      model: opts.model as TxnWorkload | undefined,
      consistency: opts.consistency as ConsistencyModel | undefined,
      timeoutMs,
      maxSteps: opts.maxSteps,
    });
  } catch (e) {
    if (e instanceof ModelInputError) {
      const op = ops.find((o) => o.id === e.opId);
      return bad(`${op === undefined ? fileName : `${fileName}:${op.line}`}: ${e.message}`);
    }
    throw e;
  }
  const exitCode = result.valid === true ? 0 : result.valid === false ? 1 : 3;
  if (opts.json === true) {
    const { valid, ms, ...rest } = result;
    const json = { valid: valid === "unknown" ? null : valid, ...rest, ms: round(ms) };
    return { exitCode, stdout: JSON.stringify(json) + "\n", stderr: "" };
  }
  return { exitCode, stdout: report(result, ops, fileName) + "\n", stderr: "" };
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}

/** The text report: verdict, models ruled out, then examples of each anomaly. */
function report(r: TxnCheckResult, ops: readonly ParsedOperation[], fileName: string): string {
  const what = `${r.model}, ${r.transactions} transactions, ${round(r.ms)} ms`;
  const verdict = r.valid === true
    ? `${r.consistency}: no anomaly found`
    : r.valid === false
    ? `NOT ${r.consistency}`
    : `unknown: the cycle search ran out of budget before finding an anomaly ${r.consistency} forbids`;
  const lines = [`${fileName}: ${verdict} (${what})`];
  if (r.anomalyTypes.length === 0) return lines.join("\n");
  lines.push(`anomalies: ${r.anomalyTypes.join(", ")}`);
  lines.push(
    `rules out: ${r.not.join(", ")}` +
      (r.alsoNot.length === 0 ? "" : ` (and so ${r.alsoNot.join(", ")})`),
  );
  const byId = new Map(ops.map((o) => [o.id, o]));
  const show = (id: number) => {
    const op = byId.get(id);
    if (op === undefined) return `  ${txnName(id)}`;
    const value = op.status === "ok" ? op.output : op.input;
    return `  ${txnName(id)} = line ${op.line}, client ${op.client}, ${op.status}: ${
      canonical(value)
    }`;
  };
  for (const type of r.anomalyTypes) {
    const all = r.anomalies.filter((a) => a.type === type);
    lines.push("", `${type}: ${anomalyName(type)} (${all.length} found)`);
    for (const a of all.slice(0, EXAMPLES_PER_TYPE)) {
      lines.push(`- ${a.description}`);
      if ("cycle" in a) {
        for (const id of a.ops) lines.push(show(id));
        for (const s of a.cycle) {
          lines.push(`    ${txnName(s.from)} -${s.kind}-> ${txnName(s.to)}: ${s.why}`);
        }
      } else {
        lines.push(show(a.op));
        if (a.writer !== undefined) lines.push(show(a.writer));
      }
    }
    if (all.length > EXAMPLES_PER_TYPE) {
      lines.push(`  ... and ${all.length - EXAMPLES_PER_TYPE} more (--json lists them all)`);
    }
  }
  return lines.join("\n");
}
