/**
 * The transactions part of the demo tour: a sharded key-value store with
 * strict two-phase locking and two-phase commit, its history checked like
 * Elle; then the locks taken away, and the anomalies named with their
 * cycles.
 *
 * @module
 */

import { heading, wrapText } from "./_text.ts";
import { storeRun } from "./transactions.ts";

/**
 * The section as text.
 *
 * @example
 * ```ts
 * import { txnSection } from "./_txn_section.ts";
 * import assert from "node:assert/strict";
 * assert.match(txnSection({ width: 100 }), /strict-serializable: yes/);
 * ```
 */
export function txnSection(options: { color?: boolean; width?: number } = {}): string {
  const color = options.color ?? false;
  const width = options.width ?? 100;
  const say = (text: string) => wrapText(text, width, 0);
  const wrapLines = (lines: string[]) => lines.flatMap((l) => wrapText(l, width));
  const locked = storeRun(1, true);
  const open = storeRun(1, false);
  // Without the checker's wall-clock time, so the tour reads the same every time.
  const verdict = (lines: string[]) =>
    lines.filter((l) => /^transactions:|^strict|^anomalies|^ {2}G|^ {4}/.test(l))
      .map((l) => l.replace(/ in [\d.]+ ms\)/, ")"));
  return [
    heading("Transactions: a sharded store, checked like Elle", color, width),
    ...say(
      "Three shards run strict two-phase locking; a coordinator runs two-phase commit across " +
        "them; three clients run Jepsen's list-append workload under random faults, and every " +
        "transaction goes into the history as Jepsen records it. The transaction checker " +
        "infers the dependencies between transactions from what they read and looks for " +
        "cycles:",
    ),
    ...wrapLines(verdict(locked.summary)),
    "",
    ...say("The same seed without locks (--no-locking):"),
    ...wrapLines(verdict(open.summary)),
    "run them:",
    "  deno task sim run txn-kv --seed 1",
    "  deno task sim run txn-kv --seed 1 --no-locking",
  ].join("\n");
}
