/**
 * A text table with box-drawing borders, for reports that a terminal shows:
 * one header row, then one line per row, every column as wide as its widest
 * cell. Written here so library code needs no command-line package for it.
 *
 * @module
 */

/**
 * The rows under `head`, in a box: cells left-aligned with one space each
 * side. A row shorter than the header gets empty cells; a longer one is an
 * error. Widths count code points, so cells should hold single-width
 * characters (no ANSI colours).
 *
 * @example
 * ```ts
 * import { formatTable } from "./table.ts";
 * import assert from "node:assert/strict";
 * assert.equal(
 *   formatTable(["N", "protocol"], [[3, "quorum"], [5, "ABD"]]),
 *   [
 *     "┌───┬──────────┐",
 *     "│ N │ protocol │",
 *     "├───┼──────────┤",
 *     "│ 3 │ quorum   │",
 *     "│ 5 │ ABD      │",
 *     "└───┴──────────┘",
 *   ].join("\n"),
 * );
 * ```
 */
export function formatTable(
  head: readonly string[],
  rows: readonly (readonly (string | number)[])[],
): string {
  const cells = rows.map((row, i) => {
    if (row.length > head.length) {
      throw new RangeError(
        `table row ${i} has ${row.length} cells, more than the ${head.length} columns`,
      );
    }
    return head.map((_, c) => (c < row.length ? String(row[c]) : ""));
  });
  const widths = head.map((h, c) => Math.max(width(h), ...cells.map((row) => width(row[c]))));
  const rule = (left: string, mid: string, right: string) =>
    left + widths.map((w) => "─".repeat(w + 2)).join(mid) + right;
  const line = (row: readonly string[]) =>
    "│" + row.map((cell, c) => ` ${cell}${" ".repeat(widths[c] - width(cell))} `).join("│") +
    "│";
  return [
    rule("┌", "┬", "┐"),
    line(head),
    rule("├", "┼", "┤"),
    ...cells.map(line),
    rule("└", "┴", "┘"),
  ].join("\n");
}

/** Terminal columns of a cell of single-width characters. */
function width(text: string): number {
  return [...text].length;
}
