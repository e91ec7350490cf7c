/**
 * Breaking report text into lines that fit the terminal width the command
 * line keeps to (100 columns).
 *
 * @module
 */

/** The widest line the command line prints. */
export const WIDTH = 100;

/**
 * Breaks text (which may hold line breaks) into lines of at most `width`,
 * indenting every line after the first of a paragraph by `indent`.
 *
 * @example
 * ```ts
 * import { fill } from "./fill.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(fill("one two three", 2, 8), ["one two", "  three"]);
 * assert.deepEqual(fill("a\nb", 2), ["a", "b"]);
 * ```
 */
export function fill(text: string, indent: number, width: number = WIDTH): string[] {
  const out: string[] = [];
  for (const paragraph of text.split("\n")) {
    let line = "";
    for (const word of paragraph.split(/(?<= )/)) {
      if (line.trimEnd() !== "" && (line + word).trimEnd().length > width) {
        out.push(line.trimEnd());
        line = " ".repeat(indent) + word;
      } else line += word;
    }
    out.push(line.trimEnd());
  }
  return out;
}
