/**
 * File paths from module URLs, for tests that run commands in directories.
 *
 * @module
 */

import { fileURLToPath } from "node:url";

/**
 * The path of a `file:` URL (a folder's keeps its trailing slash).
 *
 * @example
 * ```ts
 * import { fromFileUrl } from "./_paths.ts";
 * import assert from "node:assert/strict";
 * assert.equal(fromFileUrl(new URL("file:///tmp/x/")), "/tmp/x/");
 * ```
 */
export function fromFileUrl(url: URL | string): string {
  return fileURLToPath(url);
}
