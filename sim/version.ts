/**
 * The framework's version, as `deno task sim --version` prints it and sweep
 * reports and trace files record it (a merge refuses reports of different
 * versions). It must equal `version` in `deno.json` (a test checks).
 *
 * @module
 */

/**
 * The version of this build.
 *
 * @example
 * ```ts
 * import { VERSION } from "./version.ts";
 * import assert from "node:assert/strict";
 * assert.match(VERSION, /^\d+\.\d+\.\d+$/);
 * ```
 */
export const VERSION = "0.2.0";
