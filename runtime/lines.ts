/**
 * Reading a byte stream as lines of text: standard input, a child
 * process's output. Every JSON-lines channel of the runtime goes through it.
 *
 * @module
 */

/**
 * Calls `each` with every line of `stream` (without its newline), and the
 * last line even without one, until the stream ends.
 *
 * @example
 * ```ts
 * import { forEachLine } from "./lines.ts";
 * import assert from "node:assert/strict";
 * const lines: string[] = [];
 * await forEachLine(new Blob(["a\nb", "c\n", "d"]).stream(), (l) => lines.push(l));
 * assert.deepEqual(lines, ["a", "bc", "d"]);
 * ```
 */
export async function forEachLine(
  stream: ReadableStream<Uint8Array>,
  each: (line: string) => void,
): Promise<void> {
  let partial = "";
  for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
    partial += chunk;
    let start = 0;
    let nl = partial.indexOf("\n");
    while (nl >= 0) {
      each(partial.slice(start, nl));
      start = nl + 1;
      nl = partial.indexOf("\n", start);
    }
    partial = partial.slice(start);
  }
  if (partial !== "") each(partial);
}
