/**
 * Transactions checked like Elle (issue 14, item 5): a key-value store
 * sharded over three nodes, strict two-phase locking at each shard and
 * two-phase commit across them, three clients running Jepsen's list-append
 * workload under random faults.
 *
 * 1. What the history records: one transaction as Jepsen writes it, an
 *    invocation with the reads `nil` and a completion with them filled in.
 * 2. With locking, the transaction checker finds no anomaly: the history is
 *    strictly serializable.
 * 3. Without locks, the same workload: the checker names each anomaly, the
 *    cycle of dependencies that shows it, and the models it rules out.
 *
 * Run it with `deno run examples/transactions.ts [--seed N] [--workload rw-register]`.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { jepsenEvents } from "../protocols/txn_kv/history.ts";
import type { Workload } from "../protocols/txn_kv/messages.ts";
import { txnKv, verdictLines } from "../protocols/txn_kv/scenario.ts";
import { checkTransactions } from "../sim/check/txn/check.ts";
import { runScenario, type ScenarioResult } from "../sim/scenario.ts";
import { commandLines, wrapText } from "./_text.ts";

/**
 * How to run and draw the example.
 *
 * @example
 * ```ts
 * import type { TransactionsExampleOptions } from "./transactions.ts";
 * import assert from "node:assert/strict";
 * const o: TransactionsExampleOptions = { seed: 1, workload: "list-append", width: 100 };
 * assert.equal(o.seed, 1);
 * ```
 */
export interface TransactionsExampleOptions {
  /** The seed of both runs (default 1). */
  seed?: number;
  /** Lists appended to (default), or registers written. */
  workload?: Workload;
  /** Columns to fit (default 100). */
  width?: number;
}

/**
 * The `txn-kv` run of `seed`, with or without locks.
 *
 * @example
 * ```ts
 * import { storeRun } from "./transactions.ts";
 * import assert from "node:assert/strict";
 * assert.equal(storeRun(1, true).ok, true);
 * assert.equal(storeRun(1, false).violations[0].check, "transactions");
 * ```
 */
export function storeRun(
  seed: number,
  locking: boolean,
  workload: Workload = "list-append",
): ScenarioResult {
  return runScenario(txnKv, { seed, flags: { locking, workload }, trace: "off" });
}

/**
 * The first run without locks, from `seed` on (50 seeds at most), whose
 * history the checker finds anomalies in.
 *
 * @example
 * ```ts
 * import { anomalousRun } from "./transactions.ts";
 * import assert from "node:assert/strict";
 * assert.equal(anomalousRun(1, "rw-register").ok, false);
 * ```
 */
export function anomalousRun(seed: number, workload: Workload = "list-append"): ScenarioResult {
  let run = storeRun(seed, false, workload);
  for (let s = seed + 1; run.ok && s < seed + 50; s++) run = storeRun(s, false, workload);
  return run;
}

/** A Jepsen event as one EDN-like line: `{:process c1, :type :ok, :f :txn, :value [...]}`. */
function ednLine(e: ReturnType<typeof jepsenEvents>[number]): string {
  const mop = (m: readonly unknown[]) =>
    `[:${m[0]} ${m[1]} ${m[2] === null ? "nil" : JSON.stringify(m[2]).replaceAll(",", " ")}]`;
  return `{:process ${e.process}, :type :${e.type}, :f :${e.f}, :value [${
    e.value.map(mop).join(" ")
  }]}`;
}

/**
 * The example as text.
 *
 * @example
 * ```ts
 * import { transactionsExample } from "./transactions.ts";
 * import assert from "node:assert/strict";
 * assert.match(transactionsExample(), /strict-serializable: yes/);
 * ```
 */
export function transactionsExample(options: TransactionsExampleOptions = {}): string {
  const seed = options.seed ?? 1;
  const width = options.width ?? 100;
  const workload = options.workload ?? "list-append";
  const say = (text: string) => wrapText(text, width, 0);
  // Without the checker's wall-clock time, so the example reads the same every time.
  const wrapLines = (lines: string[]) =>
    lines.flatMap((l) => wrapText(l.replace(/ in [\d.]+ ms\)/, ")"), width));
  const locked = storeRun(seed, true, workload);
  const open = anomalousRun(seed, workload);
  const ops = locked.sim.history.operations;
  const shown = ops.find((op) => op.status === "ok" && (op.input as unknown[]).length >= 3) ??
    ops.find((op) => op.status === "ok")!;
  const events = jepsenEvents([shown]);
  const result = checkTransactions(ops, { model: workload });
  const flags = workload === "list-append" ? "" : ` --workload ${workload}`;
  return [
    ...say(
      `1. Three clients run Jepsen's ${workload} workload against shards n1..n3 (key k on ` +
        "shard k mod 3), each transaction executed one micro-operation at a time under strict " +
        "two-phase locking, then committed by two-phase commit through tm, under random " +
        "crashes, pauses and partitions. Each transaction goes into the history as Jepsen " +
        "records it; here is one, invoked and completed:",
    ),
    ...events.flatMap((e) => wrapText(`  ${ednLine(e)}`, width, 4)),
    "",
    ...say(
      "2. The transaction checker reads the history as Elle does: every read names the writes " +
        "it saw, which gives the write-write, write-read and read-write dependencies; a cycle " +
        "of them is an anomaly. With locks, none (the failed transactions aborted, mostly on " +
        "lock conflicts: a request for a lock another transaction holds is refused, not queued):",
    ),
    ...wrapLines(locked.summary.filter((l) => l.startsWith("transactions:"))),
    ...wrapLines(verdictLines(result)),
    "",
    ...say(
      `3. Without locks (--no-locking), seed ${open.seed}: reads see whatever is committed ` +
        "when they run, writes land at commit, shard by shard. The checker names what went " +
        "wrong, with the cycle that shows it, step by step:",
    ),
    ...wrapLines(
      open.summary.filter((l) => l.startsWith("transactions:") || /^ |^anomalies|^strict/.test(l)),
    ),
    "",
    ...say("run both yourself (the faults come from the seed; add --diagram to see the messages):"),
    ...commandLines(`deno task sim run txn-kv --seed ${seed}${flags}`, width),
    ...commandLines(`deno task sim run txn-kv --seed ${open.seed}${flags} --no-locking`, width),
  ].join("\n");
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      seed: { type: "string", default: "1" },
      workload: { type: "string", default: "list-append" },
    },
  });
  console.log(transactionsExample({
    seed: Number(values.seed),
    workload: values.workload === "rw-register" ? "rw-register" : "list-append",
  }));
}
