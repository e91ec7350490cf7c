/**
 * The text helpers the examples and the demo tour's sections share: a
 * section heading as wide as the page, prose wrapped to the page, and a
 * command broken before its flags.
 *
 * Widths count code points, so `∥`, `─` and `→` take one column each.
 *
 * @module
 */

import { styleText } from "node:util";

/**
 * A section title as wide as the page, in bold when `color` is on.
 *
 * @example
 * ```ts
 * import { heading } from "./_text.ts";
 * import assert from "node:assert/strict";
 * assert.equal(heading("Quorums", false, 40), "── Quorums ─────────────────────────────");
 * ```
 */
export function heading(text: string, color: boolean, width: number): string {
  const line = `── ${text} ${"─".repeat(Math.max(0, width - text.length - 4))}`;
  return color ? styleText("bold", line, { validateStream: false }) : line;
}

/**
 * Breaks `text` at spaces into lines of at most `width` columns; text that
 * fits comes back as it is. Lines after the first keep the first's
 * indentation plus `hanging` more (a word longer than the width keeps a
 * line of its own).
 *
 * @example
 * ```ts
 * import { wrapText } from "./_text.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(wrapText("a stale read of x", 8), ["a stale", "  read", "  of x"]);
 * assert.deepEqual(wrapText("a stale read of x", 8, 0), ["a stale", "read of", "x"]);
 * ```
 */
export function wrapText(text: string, width: number, hanging = 2): string[] {
  if (columns(text) <= width) return [text];
  const lead = /^ */.exec(text)![0];
  const more = lead + " ".repeat(hanging);
  const lines: string[] = [];
  let line = lead;
  let empty = true;
  for (const word of text.trimStart().split(" ")) {
    if (!empty && columns(line) + 1 + columns(word) > width) {
      lines.push(line);
      line = more + word;
    } else {
      line += empty ? word : ` ${word}`;
    }
    empty = false;
  }
  lines.push(line);
  return lines;
}

/**
 * A shell command broken before `--flags` so that each line fits `width`,
 * indented by two and continued with `\`. A quoted `;`-separated list too
 * long for a line (a `--faults` schedule) goes on over several lines inside
 * its quotes: the shell keeps those newlines, and `parseFaults` reads a
 * newline like a `;`.
 *
 * @example
 * ```ts
 * import { commandLines } from "./_text.ts";
 * import assert from "node:assert/strict";
 * const command = "deno task sim run quorum --seed 3";
 * assert.deepEqual(commandLines(command, 100), [`  ${command}`]);
 * ```
 */
export function commandLines(command: string, width: number): string[] {
  const lines: string[] = [];
  let line = " ";
  for (const word of command.split(/ (?=--)/)) {
    if (line.trim() !== "" && columns(line) + columns(word) + 3 > width) {
      lines.push(`${line} \\`);
      line = "   ";
    }
    const quoted = /^(\S+ ')([^']*)'$/.exec(word);
    if (quoted === null || columns(line) + columns(word) + 1 <= width) {
      line += ` ${word}`;
      continue;
    }
    // Inside quotes a `\` would be kept, so the list's lines end without one.
    const entries = quoted[2].split("; ");
    line += ` ${quoted[1]}${entries[0]}`;
    for (const entry of entries.slice(1)) {
      if (columns(line) + columns(entry) + 3 > width) {
        lines.push(`${line};`);
        line = `      ${entry}`;
      } else {
        line += `; ${entry}`;
      }
    }
    line += "'";
  }
  lines.push(line);
  return lines;
}

function columns(text: string): number {
  return [...text].length;
}
